// Response shapes of the public API v1 (field names from ../shared/fixtures/airbyte-public-api.yaml).
// Lenient where the API may grow (extra fields are kept, fields no tool reads are optional, nulls are
// accepted for optional fields) and strict on the fields the Cloud tools read.

import { z } from "zod";

const id = z.string().min(1);
/** A connector configuration: any JSON object (secrets come back masked as "**********"). */
const configuration = z.record(z.string(), z.unknown());

export const JOB_STATUSES = [
  "pending",
  "queued",
  "running",
  "incomplete",
  "failed",
  "succeeded",
  "cancelled",
] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
/** A job in one of these states will not change any more. */
export const FINAL_JOB_STATUSES: ReadonlySet<JobStatus> = new Set(["succeeded", "failed", "cancelled"]);

export const JOB_TYPES = ["sync", "reset", "refresh", "clear"] as const;
export type JobType = (typeof JOB_TYPES)[number];

export const CONNECTION_STATUSES = ["active", "inactive", "deprecated", "locked"] as const;
export type ConnectionStatus = (typeof CONNECTION_STATUSES)[number];

export const TokenResponseSchema = z.looseObject({
  access_token: z.string().min(1),
  token_type: z.string().nullish(),
  /** Seconds; absent means the token does not expire. */
  expires_in: z.number().nonnegative().nullish(),
});
export type TokenResponse = z.infer<typeof TokenResponseSchema>;

/** The envelope of paged lists; `next` is empty or absent after the last page. */
function pageOf<T extends z.ZodType>(item: T) {
  return z.looseObject({ data: z.array(item), next: z.string().nullish(), previous: z.string().nullish() });
}

export const WorkspaceSchema = z.looseObject({
  workspaceId: id,
  name: z.string(),
  dataResidency: z.string().nullish(),
  notifications: z.unknown().optional(),
});
export type Workspace = z.infer<typeof WorkspaceSchema>;
export const WorkspacesPageSchema = pageOf(WorkspaceSchema);

export const OrganizationSchema = z.looseObject({
  organizationId: id,
  organizationName: z.string(),
  email: z.string().nullish(),
});
export type Organization = z.infer<typeof OrganizationSchema>;
export const OrganizationsSchema = z.looseObject({ data: z.array(OrganizationSchema) });

export const SourceSchema = z.looseObject({
  sourceId: id,
  name: z.string(),
  sourceType: z.string().nullish(),
  definitionId: id,
  workspaceId: id,
  configuration,
  createdAt: z.number().nullish(),
});
export type Source = z.infer<typeof SourceSchema>;
export const SourcesPageSchema = pageOf(SourceSchema);

export const DestinationSchema = z.looseObject({
  destinationId: id,
  name: z.string(),
  destinationType: z.string().nullish(),
  definitionId: id,
  workspaceId: id,
  configuration,
  createdAt: z.number().nullish(),
});
export type Destination = z.infer<typeof DestinationSchema>;
export const DestinationsPageSchema = pageOf(DestinationSchema);

export const StreamConfigurationSchema = z.looseObject({
  name: z.string(),
  namespace: z.string().nullish(),
  syncMode: z.string().nullish(),
  cursorField: z.array(z.string()).nullish(),
  primaryKey: z.array(z.array(z.string())).nullish(),
});
export type StreamConfiguration = z.infer<typeof StreamConfigurationSchema>;

export const ConnectionScheduleSchema = z.looseObject({
  scheduleType: z.enum(["manual", "cron", "basic"]),
  cronExpression: z.string().nullish(),
  basicTiming: z.string().nullish(),
});

export const ConnectionSchema = z.looseObject({
  connectionId: id,
  name: z.string(),
  sourceId: id,
  destinationId: id,
  workspaceId: id,
  status: z.enum(CONNECTION_STATUSES),
  schedule: ConnectionScheduleSchema,
  configurations: z.looseObject({ streams: z.array(StreamConfigurationSchema).nullish() }),
  prefix: z.string().nullish(),
  namespaceDefinition: z.string().nullish(),
  namespaceFormat: z.string().nullish(),
  nonBreakingSchemaUpdatesBehavior: z.string().nullish(),
  createdAt: z.number().nullish(),
  tags: z.array(z.unknown()).nullish(),
  statusReason: z.string().nullish(),
});
export type Connection = z.infer<typeof ConnectionSchema>;
export const ConnectionsPageSchema = pageOf(ConnectionSchema);

/** GET /streams answers a bare array; `syncModes` is absent unless a destination was given. */
export const StreamPropertiesSchema = z.looseObject({
  streamName: z.string(),
  streamnamespace: z.string().nullish(),
  syncModes: z.array(z.string()).nullish(),
  defaultCursorField: z.array(z.string()).nullish(),
  sourceDefinedCursorField: z.boolean().nullish(),
  sourceDefinedPrimaryKey: z.array(z.array(z.string())).nullish(),
  propertyFields: z.array(z.array(z.string())).nullish(),
});
export type StreamProperties = z.infer<typeof StreamPropertiesSchema>;
export const StreamPropertiesListSchema = z.array(StreamPropertiesSchema);

export const JobSchema = z.looseObject({
  jobId: z.number().int(),
  status: z.enum(JOB_STATUSES),
  jobType: z.enum(JOB_TYPES),
  /** ISO date-time, seconds omitted when :00 ("2024-06-09T21:50Z"). */
  startTime: z.string(),
  connectionId: id,
  lastUpdatedAt: z.string().nullish(),
  /** ISO-8601 duration ("PT1M30S"); absent while pending. */
  duration: z.string().nullish(),
  bytesSynced: z.number().nullish(),
  rowsSynced: z.number().nullish(),
});
export type Job = z.infer<typeof JobSchema>;
export const JobsPageSchema = pageOf(JobSchema);

export const DeclarativeSourceDefinitionSchema = z.looseObject({
  id,
  name: z.string(),
  manifest: z.record(z.string(), z.unknown()),
  version: z.number().int(),
});
export type DeclarativeSourceDefinition = z.infer<typeof DeclarativeSourceDefinitionSchema>;
export const DeclarativeSourceDefinitionsSchema = pageOf(DeclarativeSourceDefinitionSchema);

export const ConnectorDefinitionSchema = z.looseObject({
  id,
  name: z.string(),
  connectorDefinitionType: z.enum(["source", "destination"]),
  version: z.string(),
});
export type ConnectorDefinition = z.infer<typeof ConnectorDefinitionSchema>;
export const ConnectorDefinitionsSchema = z.looseObject({ data: z.array(ConnectorDefinitionSchema) });

// Request bodies (what the client sends; the API validates them).

export interface SourceCreateRequest {
  name: string;
  workspaceId: string;
  /** With `sourceType` (the connector's short name) unless definitionId is given. */
  configuration: Record<string, unknown>;
  definitionId?: string | null;
  secretId?: string | null;
}

export interface SourcePatchRequest {
  name?: string;
  configuration?: Record<string, unknown>;
  workspaceId?: string;
  secretId?: string;
}

export interface DestinationCreateRequest {
  name: string;
  workspaceId: string;
  configuration: Record<string, unknown>;
  definitionId?: string | null;
}

export interface DestinationPatchRequest {
  name?: string;
  configuration?: Record<string, unknown>;
}

export interface ConnectionScheduleRequest {
  scheduleType: "manual" | "cron";
  cronExpression?: string;
}

export interface StreamConfigurationRequest {
  name: string;
  namespace?: string;
  syncMode?: string;
  cursorField?: string[];
  primaryKey?: string[][];
  [field: string]: unknown;
}

export interface ConnectionCreateRequest {
  sourceId: string;
  destinationId: string;
  name?: string;
  configurations?: { streams?: StreamConfigurationRequest[] };
  schedule?: ConnectionScheduleRequest;
  namespaceDefinition?: "source" | "destination" | "custom_format";
  namespaceFormat?: string | null;
  prefix?: string;
  nonBreakingSchemaUpdatesBehavior?: string;
  status?: ConnectionStatus;
}

export interface ConnectionPatchRequest {
  name?: string;
  configurations?: { streams?: StreamConfigurationRequest[] };
  schedule?: ConnectionScheduleRequest;
  namespaceDefinition?: "source" | "destination" | "custom_format";
  namespaceFormat?: string | null;
  prefix?: string;
  nonBreakingSchemaUpdatesBehavior?: string;
  status?: ConnectionStatus;
}
