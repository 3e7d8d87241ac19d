// Cloud tools around syncs: run and cancel a sync, read a job's status, history and logs, a
// connection's state and catalog, and check a deployed connector.

import { z } from "zod";
import { getConnectionArtifact } from "../../cloud/artifacts.ts";
import { checkCloudConnector } from "../../cloud/check.ts";
import { JOB_STATUSES, JOB_TYPES } from "../../cloud/client/index.ts";
import { cancelCloudSync, getSyncStatus, listSyncJobs, runCloudSync } from "../../cloud/jobs.ts";
import { getSyncLogs } from "../../cloud/logs.ts";
import { type AnyToolDef, defineTool } from "../../core/tool.ts";
import { CLOUD_READ, CLOUD_WRITE, idParam, workspaceIdParam } from "./common.ts";

const connectionId = idParam("Airbyte Cloud connection");
const jobIdParam = z.number().int().nonnegative();
const status = z.enum(JOB_STATUSES);

const job = {
  job_id: z.number().int(),
  status,
  bytes_synced: z.number().nullable(),
  records_synced: z.number().nullable(),
  start_time: z.string().describe("When the job was created (ISO-8601, UTC)"),
  job_url: z.string().describe("The connection's timeline in the Airbyte web app"),
};

export const runCloudSyncTool = defineTool({
  name: "run_cloud_sync",
  title: "Run an Airbyte Cloud sync",
  description:
    "Start a sync job on an Airbyte Cloud connection. With wait=false (the default) it returns the job id at " +
    "once: follow it with get_cloud_sync_status. With wait=true it waits up to wait_timeout seconds, reporting " +
    "progress, and fails saying what to do if the job fails, is cancelled or is still running at the deadline " +
    "(the job then keeps running). Syncs can take hours: prefer wait=false.",
  domain: "cloud",
  input: z
    .object({
      connection_id: connectionId,
      workspace_id: workspaceIdParam,
      wait: z.boolean().default(false).describe("Wait for the job to end (not recommended for long syncs)"),
      wait_timeout: z
        .number()
        .int()
        .min(1)
        .default(300)
        .describe("With wait=true, stop waiting after this many seconds (the job keeps running)"),
    })
    .strict(),
  output: z.object({
    message: z.string(),
    connection_id: z.string(),
    ...job,
    duration: z.string().nullable().describe("ISO-8601 duration of the job so far"),
  }),
  hints: CLOUD_WRITE,
  keepInReadOnlyMode: true,
  needsFilesystem: false,
  handler: (input, ctx) => runCloudSync(ctx, input),
});

export const cancelCloudSyncTool = defineTool({
  name: "cancel_cloud_sync",
  title: "Cancel an Airbyte Cloud sync",
  description:
    "Cancel a running or pending sync job of an Airbyte Cloud connection (the job must belong to that connection). " +
    "A job that already ended is left as it is (cancelled=false). The data already written stays.",
  domain: "cloud",
  input: z
    .object({
      connection_id: connectionId,
      job_id: jobIdParam.describe("The job to cancel (list_cloud_sync_jobs lists them)"),
      workspace_id: workspaceIdParam,
    })
    .strict(),
  output: z.object({
    message: z.string(),
    connection_id: z.string(),
    cancelled: z.boolean().describe("Whether this call cancelled the job"),
    ...job,
  }),
  hints: { ...CLOUD_WRITE, idempotentHint: true },
  keepInReadOnlyMode: true,
  needsFilesystem: false,
  handler: (input, ctx) => cancelCloudSync(ctx, input),
});

export const getCloudSyncStatus = defineTool({
  name: "get_cloud_sync_status",
  title: "Get an Airbyte Cloud sync's status",
  description:
    "Get the status of a sync job of an Airbyte Cloud connection (the latest job when job_id is null): status, " +
    "records and bytes synced, start time and link; with include_attempts, each attempt (numbered from 0). " +
    "All fields but attempts are null when the connection never ran a job.",
  domain: "cloud",
  input: z
    .object({
      connection_id: connectionId,
      job_id: jobIdParam.nullable().default(null).describe("The job; null for the latest"),
      workspace_id: workspaceIdParam,
      include_attempts: z.boolean().default(false).describe("Also list the job's attempts"),
    })
    .strict(),
  output: z.object({
    connection_id: z.string(),
    status: status.nullable(),
    job_id: z.number().int().nullable(),
    bytes_synced: z.number().nullable(),
    records_synced: z.number().nullable(),
    start_time: z.string().nullable(),
    job_url: z.string().nullable(),
    duration: z.string().nullable(),
    attempts: z.array(
      z.object({
        attempt_number: z.number().int().describe("0-based"),
        attempt_id: z.number().int(),
        status: z.string(),
        bytes_synced: z.number().nullable(),
        records_synced: z.number().nullable(),
        created_at: z.string().nullable(),
      }),
    ),
  }),
  hints: CLOUD_READ,
  needsFilesystem: false,
  handler: (input, ctx) => getSyncStatus(ctx, input),
});

export const listCloudSyncJobs = defineTool({
  name: "list_cloud_sync_jobs",
  title: "List an Airbyte Cloud connection's sync jobs",
  description:
    "List the sync jobs of an Airbyte Cloud connection, newest first by default (from_tail), or oldest first " +
    "from jobs_offset. max_jobs is capped at 500. job_type filters (the API's default is sync and reset jobs).",
  domain: "cloud",
  input: z
    .object({
      connection_id: connectionId,
      workspace_id: workspaceIdParam,
      max_jobs: z.number().int().default(20).describe("How many jobs (at most 500; 0 or less means 20)"),
      from_tail: z
        .boolean()
        .nullable()
        .default(null)
        .describe("Newest first (true) or oldest first (false); null means true unless jobs_offset is given"),
      jobs_offset: z
        .number()
        .int()
        .nonnegative()
        .nullable()
        .default(null)
        .describe("Jobs to skip (oldest first); cannot be combined with from_tail=true"),
      job_type: z.enum(JOB_TYPES).nullable().default(null).describe("Only jobs of this type"),
    })
    .strict(),
  output: z.object({
    jobs: z.array(z.object(job)),
    jobs_count: z.number().int(),
    jobs_offset: z.number().int(),
    from_tail: z.boolean(),
  }),
  hints: CLOUD_READ,
  needsFilesystem: false,
  handler: (input, ctx) => listSyncJobs(ctx, input),
});

export const getCloudSyncLogs = defineTool({
  name: "get_cloud_sync_logs",
  title: "Read an Airbyte Cloud sync's logs",
  description:
    "Read the logs of a sync job attempt, by lines: the last max_lines lines by default (from_tail), or " +
    "max_lines lines from line_offset (0-based; cannot be combined with from_tail=true). Never more than " +
    "max_lines lines (0 means all). job_id null means the latest job; attempt_number (0-based) null means the " +
    "last attempt. total_log_lines_available and log_text_start_line (1-based) tell how to page further.",
  domain: "cloud",
  input: z
    .object({
      connection_id: connectionId,
      job_id: jobIdParam.nullable().default(null).describe("The job; null for the latest"),
      attempt_number: z
        .number()
        .int()
        .nonnegative()
        .nullable()
        .default(null)
        .describe("The attempt, counted from 0; null for the last"),
      workspace_id: workspaceIdParam,
      max_lines: z.number().int().nonnegative().default(4000).describe("Most lines to return; 0 for all"),
      from_tail: z
        .boolean()
        .nullable()
        .default(null)
        .describe("Read the end of the log; null means true unless line_offset is given"),
      line_offset: z
        .number()
        .int()
        .nonnegative()
        .nullable()
        .default(null)
        .describe("Lines to skip from the start of the log"),
    })
    .strict(),
  output: z.object({
    job_id: z.number().int(),
    attempt_number: z.number().int(),
    log_text: z.string(),
    log_text_start_line: z.number().int().describe("1-based number of the first line returned"),
    log_text_line_count: z.number().int(),
    total_log_lines_available: z.number().int(),
  }),
  hints: CLOUD_READ,
  needsFilesystem: false,
  handler: (input, ctx) => getSyncLogs(ctx, input),
});

export const getConnectionArtifactTool = defineTool({
  name: "get_connection_artifact",
  title: "Get an Airbyte Cloud connection's state or catalog",
  description:
    "Get a connection's persisted state (artifact_type 'state': Airbyte protocol state messages, for debugging " +
    "incremental syncs) or its configured catalog (artifact_type 'catalog': the selected streams with their " +
    "schemas, sync modes, cursors and primary keys). message says why when there is none.",
  domain: "cloud",
  input: z
    .object({
      connection_id: connectionId,
      artifact_type: z.enum(["state", "catalog"]).describe("'state' or 'catalog'"),
      workspace_id: workspaceIdParam,
    })
    .strict(),
  output: z.object({
    connection_id: z.string(),
    artifact_type: z.enum(["state", "catalog"]),
    state: z.array(z.record(z.string(), z.unknown())).nullable(),
    catalog: z.object({ streams: z.array(z.record(z.string(), z.unknown())) }).nullable(),
    message: z.string().nullable(),
  }),
  hints: CLOUD_READ,
  needsFilesystem: false,
  handler: (input, ctx) => getConnectionArtifact(ctx, input),
});

export const checkCloudConnectorTool = defineTool({
  name: "check_cloud_connector",
  title: "Check a deployed Airbyte Cloud connector",
  description:
    "Run the check of a deployed source or destination in Airbyte Cloud with its stored configuration " +
    "(credentials, reachability) and say whether it succeeded, with the connector's message when it failed. " +
    "connector_type may be left null: sources are tried first, then destinations.",
  domain: "cloud",
  input: z
    .object({
      connector_id: idParam("deployed source or destination"),
      connector_type: z
        .enum(["source", "destination"])
        .nullable()
        .default(null)
        .describe("'source' or 'destination'; null to find out"),
      workspace_id: workspaceIdParam,
    })
    .strict(),
  output: z.object({
    connector_id: z.string(),
    connector_type: z.enum(["source", "destination"]),
    connector_name: z.string(),
    succeeded: z.boolean(),
    status: z.enum(["succeeded", "failed"]),
    message: z.string().nullable().describe("Why the check failed; null when it succeeded"),
  }),
  // A check runs the connector in Airbyte but changes nothing there.
  hints: CLOUD_READ,
  needsFilesystem: false,
  handler: (input, ctx) => checkCloudConnector(ctx, input),
});

export const SYNC_TOOLS: readonly AnyToolDef[] = [
  runCloudSyncTool,
  cancelCloudSyncTool,
  getCloudSyncStatus,
  listCloudSyncJobs,
  getCloudSyncLogs,
  getConnectionArtifactTool,
  checkCloudConnectorTool,
];
