// Changing Cloud objects: renames, config updates, and a connection's prefix, streams, status and
// schedule. Safe mode guards every change (renames included: issue 7 §3 allows changes only to
// objects this server created; PyAirbyte leaves renames unguarded). Config updates resolve
// `secret_reference::` values before sending (PyAirbyte sends them literally).

import { ToolError } from "../core/errors.ts";
import type { ToolContext } from "../core/tool.ts";
import type { IndexEntry } from "../registry/model.ts";
import type { StreamConfigurationRequest } from "./client/index.ts";
import { CLOUD_SECRET_MASK, type JsonObject, resolveConfigInput } from "./config-input.ts";
import { cloudSpecOf, parseStreamNames, requireWorkspace } from "./deploy.ts";
import { requireCreatedHere } from "./safe-mode.ts";
import { workspaceOf } from "./session.ts";

type ObjectKind = "source" | "destination" | "connection";

export interface Edited {
  id: string;
  url: string;
}

/** Renames a source, destination or connection. */
export async function renameObject(
  kind: ObjectKind,
  input: { id: string; name: string; workspaceId: string | null },
  ctx: ToolContext,
): Promise<Edited & { name: string }> {
  const workspaceId = workspaceOf(input.workspaceId, ctx.settings);
  const name = input.name.trim();
  if (name === "") throw new ToolError("name is empty.", { hint: `Give the ${kind} its new name.` });
  requireCreatedHere(ctx.settings.safeMode, ctx.cloud.created, kind, input.id, "rename");
  const client = ctx.cloud.client();
  if (kind === "source") {
    const current = await client.sources.get(input.id, ctx.signal);
    requireWorkspace(kind, current.sourceId, current.workspaceId, workspaceId);
    await client.sources.patch(current.sourceId, { name }, ctx.signal);
    return { id: current.sourceId, name, url: client.web.source(workspaceId, current.sourceId) };
  }
  if (kind === "destination") {
    const current = await client.destinations.get(input.id, ctx.signal);
    requireWorkspace(kind, current.destinationId, current.workspaceId, workspaceId);
    await client.destinations.patch(current.destinationId, { name }, ctx.signal);
    return {
      id: current.destinationId,
      name,
      url: client.web.destination(workspaceId, current.destinationId),
    };
  }
  const current = await client.connections.get(input.id, ctx.signal);
  requireWorkspace(kind, current.connectionId, current.workspaceId, workspaceId);
  await client.connections.patch(current.connectionId, { name }, ctx.signal);
  return { id: current.connectionId, name, url: client.web.connection(workspaceId, current.connectionId) };
}

export interface UpdateConfigInput {
  id: string;
  config: JsonObject | string;
  configSecretName: string | null;
  workspaceId: string | null;
}

/**
 * Changes the config of a source or destination with PATCH, as PyAirbyte does: Airbyte merges the
 * fields sent into the stored config (ConfigurationUpdate.partialSource → mergeNodesExceptForSecrets:
 * fields not sent are kept, a stored object is merged field by field, anything else is replaced), so
 * a field cannot be removed this way. PUT would replace the config whole, but it also needs the name
 * and every secret again, and is not what the PyAirbyte tool does.
 * Plain-text secrets are refused in the fields the connector's spec marks secret (when the registry
 * knows the connector) and in the fields Cloud answers masked.
 */
export async function updateConfig(
  kind: "source" | "destination",
  input: UpdateConfigInput,
  ctx: ToolContext,
): Promise<Edited> {
  const workspaceId = workspaceOf(input.workspaceId, ctx.settings);
  requireCreatedHere(ctx.settings.safeMode, ctx.cloud.created, kind, input.id, "update the config of");
  const client = ctx.cloud.client();
  const current =
    kind === "source"
      ? await client.sources.get(input.id, ctx.signal).then((s) => ({
          id: s.sourceId,
          workspaceId: s.workspaceId,
          definitionId: s.definitionId,
          configuration: s.configuration,
        }))
      : await client.destinations.get(input.id, ctx.signal).then((d) => ({
          id: d.destinationId,
          workspaceId: d.workspaceId,
          definitionId: d.definitionId,
          configuration: d.configuration,
        }));
  requireWorkspace(kind, current.id, current.workspaceId, workspaceId);
  const spec = await specByDefinitionId(current.definitionId, ctx);
  const configuration = resolveConfigInput(input.config, input.configSecretName, ctx, "config", {
    spec,
    secretFields: maskedFields(current.configuration),
  });
  if (Object.keys(configuration).length === 0) {
    throw new ToolError("config is empty: there is nothing to update.", {
      hint: 'Pass the config fields to change, such as {"start_date": "2024-01-01"}.',
    });
  }
  if (kind === "source") {
    await client.sources.patch(current.id, { configuration }, ctx.signal);
    return { id: current.id, url: client.web.source(workspaceId, current.id) };
  }
  await client.destinations.patch(current.id, { configuration }, ctx.signal);
  return { id: current.id, url: client.web.destination(workspaceId, current.id) };
}

/** The spec of a registry connector by its definition id, or null (custom, or registry unavailable). */
async function specByDefinitionId(definitionId: string, ctx: ToolContext): Promise<JsonObject | null> {
  let entry: IndexEntry | undefined;
  try {
    const { index } = await ctx.registry.index(ctx.signal);
    entry = index.connectors.find((e) => e.definition_id === definitionId);
  } catch (error) {
    if (ctx.signal.aborted) throw error;
    return null; // The fields Cloud masks still guard against plain-text secrets.
  }
  return entry ? (await cloudSpecOf(entry, ctx)).spec : null;
}

/** Names of the fields Cloud answers masked: the ones its spec marks secret. */
function maskedFields(config: JsonObject): string[] {
  const out: string[] = [];
  const walk = (v: unknown, key: string | null) => {
    if (v === CLOUD_SECRET_MASK && key !== null) out.push(key);
    else if (Array.isArray(v)) for (const x of v) walk(x, key);
    else if (v !== null && typeof v === "object") for (const [k, x] of Object.entries(v)) walk(x, k);
  };
  walk(config, null);
  return out;
}

async function connectionIn(id: string, workspaceId: string, ctx: ToolContext) {
  const connection = await ctx.cloud.client().connections.get(id, ctx.signal);
  requireWorkspace("connection", connection.connectionId, connection.workspaceId, workspaceId);
  return connection;
}

export async function setTablePrefix(
  input: { connectionId: string; prefix: string; workspaceId: string | null },
  ctx: ToolContext,
): Promise<Edited> {
  const workspaceId = workspaceOf(input.workspaceId, ctx.settings);
  requireCreatedHere(
    ctx.settings.safeMode,
    ctx.cloud.created,
    "connection",
    input.connectionId,
    "change the table prefix of",
  );
  const connection = await connectionIn(input.connectionId, workspaceId, ctx);
  const client = ctx.cloud.client();
  await client.connections.patch(connection.connectionId, { prefix: input.prefix }, ctx.signal);
  return { id: connection.connectionId, url: client.web.connection(workspaceId, connection.connectionId) };
}

/**
 * Replaces the connection's selected streams. Streams that stay selected keep their settings (sync
 * mode, cursor, primary key, fields); new ones are sent by name for Cloud to fill in. (PyAirbyte sends
 * names only, which resets every stream's settings.)
 */
export async function setSelectedStreams(
  input: { connectionId: string; streamNames: string[] | string; workspaceId: string | null },
  ctx: ToolContext,
): Promise<Edited & { streams: string[] }> {
  const workspaceId = workspaceOf(input.workspaceId, ctx.settings);
  const streams = parseStreamNames(input.streamNames, "stream_names");
  requireCreatedHere(
    ctx.settings.safeMode,
    ctx.cloud.created,
    "connection",
    input.connectionId,
    "change the streams of",
  );
  const connection = await connectionIn(input.connectionId, workspaceId, ctx);
  const existing = new Map((connection.configurations.streams ?? []).map((s) => [s.name, s]));
  const configured: StreamConfigurationRequest[] = streams.map((name) => {
    const kept = existing.get(name);
    if (!kept) return { name };
    // Drop nulls: the request schema wants absent fields, not null ones.
    return Object.fromEntries(
      Object.entries(kept).filter(([, v]) => v !== null && v !== undefined),
    ) as StreamConfigurationRequest;
  });
  const client = ctx.cloud.client();
  await client.connections.patch(
    connection.connectionId,
    { configurations: { streams: configured } },
    ctx.signal,
  );
  return {
    id: connection.connectionId,
    url: client.web.connection(workspaceId, connection.connectionId),
    streams,
  };
}

export interface UpdateConnectionInput {
  connectionId: string;
  enabled: boolean | null;
  cronExpression: string | null;
  manualSchedule: boolean | null;
  workspaceId: string | null;
}

/** Enables or disables a connection and sets its schedule, in one request; returns what changed. */
export async function updateConnection(
  input: UpdateConnectionInput,
  ctx: ToolContext,
): Promise<Edited & { changes: string[] }> {
  const workspaceId = workspaceOf(input.workspaceId, ctx.settings);
  const cron = input.cronExpression?.trim() ?? null;
  if (cron === "") {
    throw new ToolError("cron_expression is empty.", {
      hint: "Pass a Quartz cron expression such as '0 0 12 * * ?', or manual_schedule=true for manual syncs only.",
    });
  }
  if (cron !== null && input.manualSchedule === true) {
    throw new ToolError("Cannot specify both 'cron_expression' and 'manual_schedule=True'.", {
      hint: "Use cron_expression for scheduled syncs or manual_schedule=true for manual-only syncs.",
    });
  }
  if (input.enabled === null && cron === null && input.manualSchedule !== true) {
    throw new ToolError(
      "At least one setting must be provided: 'enabled', 'cron_expression', or 'manual_schedule=true'.",
      {
        hint: "manual_schedule=false changes nothing by itself: pass cron_expression to schedule syncs instead.",
      },
    );
  }
  requireCreatedHere(ctx.settings.safeMode, ctx.cloud.created, "connection", input.connectionId, "update");
  const connection = await connectionIn(input.connectionId, workspaceId, ctx);

  const changes: string[] = [];
  const patch: {
    status?: "active" | "inactive";
    schedule?: { scheduleType: "manual" | "cron"; cronExpression?: string };
  } = {};
  if (input.enabled !== null) {
    const status = input.enabled ? "active" : "inactive";
    // As PyAirbyte: setting the status it already has is a no-op.
    if (connection.status !== status) patch.status = status;
    changes.push(`status set to '${input.enabled ? "enabled" : "disabled"}'`);
  }
  if (cron !== null) {
    patch.schedule = { scheduleType: "cron", cronExpression: cron };
    changes.push(`schedule set to '${cron}'`);
  } else if (input.manualSchedule === true) {
    patch.schedule = { scheduleType: "manual" };
    changes.push("schedule set to 'manual'");
  }
  const client = ctx.cloud.client();
  if (Object.keys(patch).length > 0)
    await client.connections.patch(connection.connectionId, patch, ctx.signal);
  return {
    id: connection.connectionId,
    url: client.web.connection(workspaceId, connection.connectionId),
    changes,
  };
}
