// Reading what a Cloud workspace holds: its sources, destinations and connections (with the outcome
// of each connection's last sync when asked), and one object at a time, checked against the
// workspace the call works in.

import type { ToolContext } from "../core/tool.ts";
import { type Connection, collect, FINAL_JOB_STATUSES, type Job } from "./client/index.ts";
import { requireWorkspace } from "./deploy.ts";
import { workspaceOf } from "./session.ts";

export interface ListedObject {
  id: string;
  name: string;
  url: string;
}

export interface ListInput {
  workspaceId: string | null;
  nameContains: string | null;
  limit: number | null;
}

/** Sources or destinations of the workspace, filtered by name (case-insensitive) and truncated. */
export async function listConnectors(
  kind: "source" | "destination",
  input: ListInput,
  ctx: ToolContext,
): Promise<ListedObject[]> {
  const workspaceId = workspaceOf(input.workspaceId, ctx.settings);
  const client = ctx.cloud.client();
  const needle = input.nameContains?.toLowerCase() || null;
  // Without a filter the API can stop at the limit; with one, everything is read, then filtered.
  const options = needle === null && input.limit !== null ? { limit: input.limit } : {};
  const items =
    kind === "source"
      ? (await collect(client.sources.list(workspaceId, options, ctx.signal))).map((s) => ({
          id: s.sourceId,
          name: s.name,
          url: client.web.source(workspaceId, s.sourceId),
        }))
      : (await collect(client.destinations.list(workspaceId, options, ctx.signal))).map((d) => ({
          id: d.destinationId,
          name: d.name,
          url: client.web.destination(workspaceId, d.destinationId),
        }));
  const matching = needle === null ? items : items.filter((i) => i.name.toLowerCase().includes(needle));
  return input.limit === null ? matching : matching.slice(0, input.limit);
}

export interface ListedConnection extends ListedObject {
  source_id: string;
  destination_id: string;
  last_job_status: string | null;
  last_job_id: number | null;
  last_job_time: string | null;
  currently_running_job_id: number | null;
  currently_running_job_start_time: string | null;
}

export interface ListConnectionsInput extends ListInput {
  withConnectionStatus: boolean;
  failingConnectionsOnly: boolean;
}

/** How many recent jobs are read per connection to find its last finished one (as PyAirbyte). */
const RECENT_JOBS = 5;
/** Connections whose jobs are read at the same time. */
const STATUS_CONCURRENCY = 4;

/**
 * Connections of the workspace. With status, each connection's recent jobs are read (one call per
 * connection) to report its last finished sync and the one running now; failing means that last
 * finished sync failed or was cancelled.
 */
export async function listConnections(
  input: ListConnectionsInput,
  ctx: ToolContext,
): Promise<ListedConnection[]> {
  const workspaceId = workspaceOf(input.workspaceId, ctx.settings);
  const client = ctx.cloud.client();
  const needle = input.nameContains?.toLowerCase() || null;
  const withStatus = input.withConnectionStatus || input.failingConnectionsOnly;
  const canStopEarly = needle === null && !input.failingConnectionsOnly && input.limit !== null;
  const all = await collect(
    client.connections.list(workspaceId, canStopEarly ? { limit: input.limit ?? 1 } : {}, ctx.signal),
  );
  const candidates = needle === null ? all : all.filter((c) => c.name.toLowerCase().includes(needle));

  const results: ListedConnection[] = [];
  const limit = input.limit ?? Number.POSITIVE_INFINITY;
  for (let i = 0; i < candidates.length && results.length < limit; i += STATUS_CONCURRENCY) {
    const batch = candidates.slice(i, i + STATUS_CONCURRENCY);
    const rows = await Promise.all(
      batch.map(async (c) => {
        const row = connectionRow(c, client.web.connection(workspaceId, c.connectionId));
        if (!withStatus) return row;
        const jobs = await collect(
          client.jobs.list(
            { connectionId: c.connectionId, orderBy: "createdAt|DESC", limit: RECENT_JOBS },
            ctx.signal,
          ),
        );
        return { ...row, ...jobStatus(jobs) };
      }),
    );
    for (const row of rows) {
      if (results.length >= limit) break;
      if (
        input.failingConnectionsOnly &&
        row.last_job_status !== "failed" &&
        row.last_job_status !== "cancelled"
      )
        continue;
      results.push(row);
    }
  }
  return results;
}

function connectionRow(c: Connection, url: string): ListedConnection {
  return {
    id: c.connectionId,
    name: c.name,
    url,
    source_id: c.sourceId,
    destination_id: c.destinationId,
    last_job_status: null,
    last_job_id: null,
    last_job_time: null,
    currently_running_job_id: null,
    currently_running_job_start_time: null,
  };
}

/** The last finished job and the newest unfinished one, from jobs listed newest first. */
function jobStatus(jobs: Job[]) {
  const out = {
    last_job_status: null as string | null,
    last_job_id: null as number | null,
    last_job_time: null as string | null,
    currently_running_job_id: null as number | null,
    currently_running_job_start_time: null as string | null,
  };
  for (const job of jobs) {
    if (!FINAL_JOB_STATUSES.has(job.status)) {
      if (out.currently_running_job_id === null) {
        out.currently_running_job_id = job.jobId;
        out.currently_running_job_start_time = isoTime(job.startTime);
      }
      continue;
    }
    out.last_job_status = job.status;
    out.last_job_id = job.jobId;
    out.last_job_time = isoTime(job.startTime);
    break;
  }
  return out;
}

/** The API omits seconds when they are :00 ("2024-06-09T21:50Z"); answer full ISO 8601. */
export function isoTime(value: string): string {
  const t = Date.parse(value);
  return Number.isNaN(t) ? value : new Date(t).toISOString();
}

export interface SourceDetails {
  source_id: string;
  source_name: string;
  source_url: string;
  connector_definition_id: string;
}

export async function describeSource(
  input: { sourceId: string; workspaceId: string | null },
  ctx: ToolContext,
): Promise<SourceDetails> {
  const workspaceId = workspaceOf(input.workspaceId, ctx.settings);
  const client = ctx.cloud.client();
  const source = await client.sources.get(input.sourceId, ctx.signal);
  requireWorkspace("source", source.sourceId, source.workspaceId, workspaceId);
  return {
    source_id: source.sourceId,
    source_name: source.name,
    source_url: client.web.source(workspaceId, source.sourceId),
    connector_definition_id: source.definitionId,
  };
}

export interface DestinationDetails {
  destination_id: string;
  destination_name: string;
  destination_url: string;
  connector_definition_id: string;
}

export async function describeDestination(
  input: { destinationId: string; workspaceId: string | null },
  ctx: ToolContext,
): Promise<DestinationDetails> {
  const workspaceId = workspaceOf(input.workspaceId, ctx.settings);
  const client = ctx.cloud.client();
  const destination = await client.destinations.get(input.destinationId, ctx.signal);
  requireWorkspace("destination", destination.destinationId, destination.workspaceId, workspaceId);
  return {
    destination_id: destination.destinationId,
    destination_name: destination.name,
    destination_url: client.web.destination(workspaceId, destination.destinationId),
    connector_definition_id: destination.definitionId,
  };
}

export interface ConnectionDetails {
  connection_id: string;
  connection_name: string;
  connection_url: string;
  source_id: string;
  source_name: string;
  destination_id: string;
  destination_name: string;
  selected_streams: string[];
  table_prefix: string | null;
}

export async function describeConnection(
  input: { connectionId: string; workspaceId: string | null },
  ctx: ToolContext,
): Promise<ConnectionDetails> {
  const workspaceId = workspaceOf(input.workspaceId, ctx.settings);
  const client = ctx.cloud.client();
  const connection = await client.connections.get(input.connectionId, ctx.signal);
  requireWorkspace("connection", connection.connectionId, connection.workspaceId, workspaceId);
  const [source, destination] = await Promise.all([
    client.sources.get(connection.sourceId, ctx.signal),
    client.destinations.get(connection.destinationId, ctx.signal),
  ]);
  return {
    connection_id: connection.connectionId,
    connection_name: connection.name,
    connection_url: client.web.connection(workspaceId, connection.connectionId),
    source_id: connection.sourceId,
    source_name: source.name,
    destination_id: connection.destinationId,
    destination_name: destination.name,
    selected_streams: (connection.configurations.streams ?? []).map((s) => s.name),
    table_prefix: connection.prefix ?? null,
  };
}
