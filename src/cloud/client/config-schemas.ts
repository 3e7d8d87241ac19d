// Response shapes of the internal Config API calls the Cloud tools need (pyairbyte-mcp.md §6). That
// API is not public and its file is not in ../shared, so only the fields the tools read are checked;
// everything else is kept as the server sent it.

import { z } from "zod";

const id = z.string().min(1);

const BillingSchema = z.looseObject({
  paymentStatus: z.string().nullish(),
  subscriptionStatus: z.string().nullish(),
});

/** POST /workspaces/get_organization_info and /organizations/get_organization_info. */
export const OrganizationInfoSchema = z.looseObject({
  organizationId: id,
  organizationName: z.string(),
  sso: z.boolean().nullish(),
  billing: BillingSchema.nullish(),
});
export type OrganizationInfo = z.infer<typeof OrganizationInfoSchema>;

export const ConfigWorkspaceSchema = z.looseObject({
  workspaceId: id,
  name: z.string(),
  organizationId: z.string().nullish(),
  slug: z.string().nullish(),
});
export type ConfigWorkspace = z.infer<typeof ConfigWorkspaceSchema>;

/** POST /workspaces/list_by_organization_id (paged by pageSize/rowOffset; no next link). */
export const ConfigWorkspaceListSchema = z.looseObject({ workspaces: z.array(ConfigWorkspaceSchema) });

const LogEventSchema = z.looseObject({
  /** Epoch milliseconds in the platform; kept as sent. */
  timestamp: z.union([z.number(), z.string()]).nullish(),
  level: z.string().nullish(),
  message: z.string().nullish(),
});

export const AttemptInfoSchema = z.looseObject({
  attempt: z.looseObject({
    id: z.number().int(),
    status: z.string(),
    /** Epoch seconds. */
    createdAt: z.number().nullish(),
    updatedAt: z.number().nullish(),
    endedAt: z.number().nullish(),
    bytesSynced: z.number().nullish(),
    recordsSynced: z.number().nullish(),
  }),
  /** Formatted logs come as `logLines`, structured ones as `events`. */
  logs: z
    .looseObject({
      logLines: z.array(z.string()).nullish(),
      events: z.array(LogEventSchema).nullish(),
    })
    .nullish(),
  logType: z.string().nullish(),
});
export type AttemptInfo = z.infer<typeof AttemptInfoSchema>;

/** POST /jobs/get: the job with its attempts and their logs. */
export const JobInfoSchema = z.looseObject({
  job: z.looseObject({
    id: z.number().int(),
    status: z.string(),
    configType: z.string().nullish(),
    configId: z.string().nullish(),
    /** Epoch seconds. */
    createdAt: z.number().nullish(),
    updatedAt: z.number().nullish(),
  }),
  attempts: z.array(AttemptInfoSchema).nullish(),
});
export type JobInfo = z.infer<typeof JobInfoSchema>;

/** POST /state/get. */
export const ConnectionStateSchema = z.looseObject({
  stateType: z.enum(["not_set", "legacy", "global", "stream"]),
  connectionId: z.string().nullish(),
  state: z.unknown().optional(),
  streamState: z.array(z.unknown()).nullish(),
  globalState: z.unknown().optional(),
});
export type ConnectionState = z.infer<typeof ConnectionStateSchema>;

/** POST /web_backend/connections/get: only the configured catalog is read. */
export const WebBackendConnectionSchema = z.looseObject({
  connectionId: z.string().nullish(),
  syncCatalog: z.looseObject({
    streams: z.array(
      z.looseObject({
        stream: z.record(z.string(), z.unknown()),
        config: z.record(z.string(), z.unknown()).nullish(),
      }),
    ),
  }),
});
export type WebBackendConnection = z.infer<typeof WebBackendConnectionSchema>;

/** POST /connector_builder_projects/get_for_definition_id: no project gives a null id. */
export const BuilderProjectRefSchema = z.looseObject({
  builderProjectId: z.string().nullish(),
  workspaceId: z.string().nullish(),
});
export type BuilderProjectRef = z.infer<typeof BuilderProjectRefSchema>;

/** POST /connector_builder_projects/get_with_manifest. */
export const BuilderProjectWithManifestSchema = z.looseObject({
  builderProject: z.looseObject({
    builderProjectId: id,
    name: z.string().nullish(),
    hasDraft: z.boolean().nullish(),
    activeDeclarativeManifestVersion: z.number().nullish(),
    sourceDefinitionId: z.string().nullish(),
  }),
  declarativeManifest: z
    .looseObject({
      manifest: z.record(z.string(), z.unknown()).nullish(),
      isDraft: z.boolean().nullish(),
      version: z.number().nullish(),
    })
    .nullish(),
  testingValues: z.record(z.string(), z.unknown()).nullish(),
});
export type BuilderProjectWithManifest = z.infer<typeof BuilderProjectWithManifestSchema>;

/** POST /connector_builder_projects/update_testing_values answers the stored values. */
export const TestingValuesSchema = z.record(z.string(), z.unknown());

/** POST /sources/check_connection and /destinations/check_connection. */
export const CheckConnectionSchema = z.looseObject({
  status: z.enum(["succeeded", "failed"]),
  message: z.string().nullish(),
  jobInfo: z.unknown().optional(),
});
export type CheckConnectionResult = z.infer<typeof CheckConnectionSchema>;

export interface BuilderProjectSpec {
  documentationUrl?: string;
  connectionSpecification: Record<string, unknown>;
  advancedAuth?: unknown;
}
