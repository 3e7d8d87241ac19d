// The response shapes of the internal Config API endpoints the fake serves, transcribed from the
// platform's config.yaml (airbytehq/airbyte-platform, airbyte-api/server-api/src/main/openapi/config.yaml:
// OrganizationInfoRead, WorkspaceReadList, JobInfoRead, ConnectionState, WebBackendConnectionRead,
// BuilderProjectForDefinitionResponse, ConnectorBuilderProjectRead, CheckConnectionRead). That file is not
// among the shared fixtures, so these are the checks the fake's Config API answers are held to. Only
// required fields and the fields the fake sends are spelled out; objects stay open as in the file.

import { z } from "zod";

const uuid = z
  .string()
  .regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/);
const int = z.number().int();
const obj = z.record(z.string(), z.unknown());

const JobStatus = z.enum(["pending", "running", "incomplete", "failed", "succeeded", "cancelled"]);
const StreamDescriptor = z.looseObject({ name: z.string(), namespace: z.string().optional() });

export const OrganizationInfoRead = z.looseObject({
  organizationId: uuid,
  organizationName: z.string(),
  sso: z.boolean(),
  billing: z
    .looseObject({
      paymentStatus: z.enum(["uninitialized", "okay", "grace_period", "disabled", "locked", "manual"]),
      subscriptionStatus: z.enum(["pre_subscription", "unsubscribed", "subscribed"]).optional(),
      accountType: z.enum(["free", "internal"]).optional(),
      gracePeriodEndsAt: int.optional(),
    })
    .optional(),
  organizationPlanId: z.string().optional(),
});

const WorkspaceRead = z.looseObject({
  workspaceId: uuid,
  organizationId: uuid,
  customerId: uuid,
  name: z.string(),
  slug: z.string(),
  initialSetupComplete: z.boolean(),
  email: z.string().optional(),
  tombstone: z.boolean().optional(),
  dataplaneGroupId: uuid.optional(),
});

export const WorkspaceReadList = z.looseObject({ workspaces: z.array(WorkspaceRead) });

const LogEvent = z.looseObject({
  timestamp: int,
  message: z.string(),
  level: z.enum(["debug", "error", "info", "trace", "warn"]),
  logSource: z.enum(["destination", "source", "platform", "replication-orchestrator"]),
});
const LogEvents = z.looseObject({ events: z.array(LogEvent), version: z.string().optional() });
const LogRead = z.looseObject({ logLines: z.array(z.string()) });

const AttemptStats = z.looseObject({
  recordsEmitted: int.optional(),
  bytesEmitted: int.optional(),
  recordsCommitted: int.optional(),
  bytesCommitted: int.optional(),
});

const AttemptRead = z.looseObject({
  id: int,
  status: z.enum(["running", "failed", "succeeded"]),
  createdAt: int,
  updatedAt: int,
  endedAt: int.optional(),
  bytesSynced: int.optional(),
  recordsSynced: int.optional(),
  totalStats: AttemptStats.optional(),
  failureSummary: z
    .looseObject({
      failures: z.array(
        z.looseObject({
          timestamp: int,
          failureOrigin: z.string().optional(),
          failureType: z.string().optional(),
          externalMessage: z.string().optional(),
          retryable: z.boolean().optional(),
        }),
      ),
      partialSuccess: z.boolean().optional(),
    })
    .optional(),
});

const JobRead = z.looseObject({
  id: int,
  configType: z.enum([
    "check_connection_source",
    "check_connection_destination",
    "discover_schema",
    "get_spec",
    "sync",
    "reset_connection",
    "refresh",
    "clear",
  ]),
  configId: z.string(),
  createdAt: int,
  updatedAt: int,
  startedAt: int.optional(),
  status: JobStatus,
  enabledStreams: z.array(StreamDescriptor).optional(),
  resetConfig: z.looseObject({ streamsToReset: z.array(StreamDescriptor).optional() }).optional(),
});

export const JobInfoRead = z.looseObject({
  job: JobRead,
  attempts: z.array(
    z.looseObject({
      attempt: AttemptRead,
      logType: z.enum(["formatted", "structured"]).optional(),
      logs: z.union([LogEvents, LogRead]).optional(),
    }),
  ),
});

const StreamState = z.looseObject({ streamDescriptor: StreamDescriptor, streamState: obj.optional() });

export const ConnectionState = z.looseObject({
  stateType: z.enum(["global", "stream", "legacy", "not_set"]),
  connectionId: uuid,
  state: obj.optional(),
  streamState: z.array(StreamState).optional(),
  globalState: z.looseObject({ shared_state: obj.optional(), streamStates: z.array(StreamState) }).optional(),
});

const SyncMode = z.enum(["full_refresh", "incremental"]);
const DestinationSyncMode = z.enum([
  "append",
  "overwrite",
  "append_dedup",
  "overwrite_dedup",
  "update",
  "soft_delete",
]);

const AirbyteCatalog = z.looseObject({
  streams: z.array(
    z.strictObject({
      stream: z
        .strictObject({
          name: z.string(),
          jsonSchema: obj.optional(),
          supportedSyncModes: z.array(SyncMode).optional(),
          sourceDefinedCursor: z.boolean().optional(),
          defaultCursorField: z.array(z.string()).optional(),
          sourceDefinedPrimaryKey: z.array(z.array(z.string())).optional(),
          namespace: z.string().optional(),
          isResumable: z.boolean().optional(),
          isFileBased: z.boolean().optional(),
        })
        .optional(),
      config: z
        .looseObject({
          syncMode: SyncMode,
          destinationSyncMode: DestinationSyncMode,
          cursorField: z.array(z.string()).optional(),
          primaryKey: z.array(z.array(z.string())).optional(),
          aliasName: z.string().optional(),
          selected: z.boolean().optional(),
        })
        .optional(),
    }),
  ),
});

const ActorDefinitionVersionRead = z.looseObject({
  dockerRepository: z.string(),
  dockerImageTag: z.string(),
  supportsRefreshes: z.boolean(),
  supportState: z.enum(["supported", "unsupported", "deprecated"]),
  isVersionOverrideApplied: z.boolean(),
  supportsFileTransfer: z.boolean(),
  supportsDataActivation: z.boolean(),
});

const ActorRead = (kind: "source" | "destination") =>
  z.looseObject({
    [`${kind}DefinitionId`]: uuid,
    [`${kind}Id`]: uuid,
    workspaceId: uuid,
    connectionConfiguration: obj,
    name: z.string(),
    [`${kind}Name`]: z.string(),
    createdAt: int,
  });

export const WebBackendConnectionRead = z.looseObject({
  connectionId: uuid,
  name: z.string(),
  sourceId: uuid,
  destinationId: uuid,
  syncCatalog: AirbyteCatalog,
  status: z.enum(["active", "inactive", "deprecated", "locked"]),
  source: ActorRead("source"),
  destination: ActorRead("destination"),
  isSyncing: z.boolean(),
  schemaChange: z.enum(["no_change", "non_breaking", "breaking"]),
  notifySchemaChanges: z.boolean(),
  notifySchemaChangesByEmail: z.boolean(),
  nonBreakingChangesPreference: z.enum(["ignore", "disable", "propagate_columns", "propagate_fully"]),
  sourceActorDefinitionVersion: ActorDefinitionVersionRead,
  destinationActorDefinitionVersion: ActorDefinitionVersionRead,
  tags: z.array(obj),
  namespaceDefinition: z.enum(["source", "destination", "customformat"]).optional(),
  prefix: z.string().optional(),
  scheduleType: z.enum(["manual", "basic", "cron"]).optional(),
});

export const BuilderProjectForDefinitionResponse = z.looseObject({
  builderProjectId: uuid.nullable(),
  workspaceId: uuid.nullable().optional(),
});

export const ConnectorBuilderProjectRead = z.looseObject({
  builderProject: z.looseObject({
    name: z.string(),
    builderProjectId: uuid,
    hasDraft: z.boolean(),
    updatedAt: int,
    sourceDefinitionId: uuid.optional(),
    activeDeclarativeManifestVersion: int.optional(),
  }),
  declarativeManifest: z
    .looseObject({
      manifest: obj.optional(),
      isDraft: z.boolean().optional(),
      version: int.optional(),
      description: z.string().optional(),
    })
    .optional(),
  testingValues: obj.optional(),
});

/** ConnectorBuilderProjectTestingValues: the stored testing values (secrets masked). */
export const ConnectorBuilderProjectTestingValues = obj;

export const CheckConnectionRead = z.looseObject({
  status: z.enum(["succeeded", "failed"]).optional(),
  message: z.string().optional(),
  jobInfo: z.looseObject({
    id: uuid,
    configType: z.enum(["check_connection_source", "check_connection_destination"]),
    configId: z.string().optional(),
    createdAt: int,
    endedAt: int,
    succeeded: z.boolean(),
    connectorConfigurationUpdated: z.boolean().optional(),
    logType: z.enum(["formatted", "structured"]).optional(),
    logs: z.union([LogEvents, LogRead]).optional(),
  }),
});

/** Config API errors: KnownExceptionInfo and its not-found variant. */
export const KnownExceptionInfo = z.looseObject({
  message: z.string(),
  exceptionClassName: z.string().optional(),
  id: z.string().optional(),
});

/** Response schema per Config API path (relative to the Config API root). */
export const CONFIG_API_RESPONSES: Record<string, z.ZodType> = {
  "/workspaces/get_organization_info": OrganizationInfoRead,
  "/organizations/get_organization_info": OrganizationInfoRead,
  "/workspaces/list_by_organization_id": WorkspaceReadList,
  "/jobs/get": JobInfoRead,
  "/state/get": ConnectionState,
  "/web_backend/connections/get": WebBackendConnectionRead,
  "/connector_builder_projects/get_for_definition_id": BuilderProjectForDefinitionResponse,
  "/connector_builder_projects/get_with_manifest": ConnectorBuilderProjectRead,
  "/connector_builder_projects/update_testing_values": ConnectorBuilderProjectTestingValues,
  "/sources/check_connection": CheckConnectionRead,
  "/destinations/check_connection": CheckConnectionRead,
};

/** Problems with a Config API response (empty when valid). */
export function validateConfigResponse(path: string, status: number, body: unknown): string[] {
  const schema = status >= 400 ? KnownExceptionInfo : CONFIG_API_RESPONSES[path];
  if (!schema) return [`POST ${path}: not a Config API endpoint the fake knows`];
  // 401/403 come from the authentication layer as public API problems, not KnownExceptionInfo.
  if (status === 401 || status === 403) return [];
  const r = schema.safeParse(body);
  return r.success
    ? []
    : r.error.issues.map(
        (i) => `POST ${path} ${status}: ${i.path.map(String).join(".") || "(body)"}: ${i.message}`,
      );
}
