// Permanent deletes. Each object is checked twice before anything is deleted: safe mode (this server
// created it, unless AIRBYTE_CLOUD_MCP_SAFE_MODE=0) and the name gate (the caller passed its exact
// current name). A connection's cascaded source and destination go through both checks too, by
// their own names (`source_name`, `destination_name`); PyAirbyte skips safe mode there.
//
// Cloud deletes a source's or destination's connections along with it. So that no connection goes
// without its own name check, a source or destination still used by another connection is not
// deleted: its connections are deleted first, by name. Likewise Cloud deletes a custom source
// definition's sources (and so their connections) along with it: a definition still used by a
// source is not deleted (requireDefinitionUnused).

import { ToolError } from "../core/errors.ts";
import type { ToolContext } from "../core/tool.ts";
import { type Connection, collect, type Source } from "./client/index.ts";
import { requireCreatedHere, requireExactName } from "./safe-mode.ts";

const ACTION = "permanently delete";

export interface DeletedObject {
  id: string;
  name: string;
}

/** Deletes a source or destination after safe mode and the name gate agree. */
export async function deleteConnector(
  kind: "source" | "destination",
  input: { id: string; name: string },
  ctx: ToolContext,
): Promise<DeletedObject> {
  requireCreatedHere(ctx.settings.safeMode, ctx.cloud.created, kind, input.id, ACTION);
  const target = await checkedConnector(kind, input.id, input.name, ctx);
  const connections = await collect(ctx.cloud.client().connections.list(target.workspaceId, {}, ctx.signal));
  requireUnused(kind, target, connections, null);
  await remove(kind, target.id, ctx);
  return { id: target.id, name: target.name };
}

export interface DeleteConnectionInput {
  connectionId: string;
  name: string;
  cascadeDeleteSource: boolean;
  cascadeDeleteDestination: boolean;
  sourceName: string | null;
  destinationName: string | null;
}

export interface DeletedConnection extends DeletedObject {
  source: DeletedObject | null;
  destination: DeletedObject | null;
}

/**
 * Deletes a connection and, when asked, its source and destination. Every check runs before the
 * first delete, so a refusal leaves everything in place.
 */
export async function deleteConnection(
  input: DeleteConnectionInput,
  ctx: ToolContext,
): Promise<DeletedConnection> {
  requireCascadeName("source", input.cascadeDeleteSource, input.sourceName);
  requireCascadeName("destination", input.cascadeDeleteDestination, input.destinationName);
  requireCreatedHere(ctx.settings.safeMode, ctx.cloud.created, "connection", input.connectionId, ACTION);
  const client = ctx.cloud.client();
  const connection = await client.connections.get(input.connectionId, ctx.signal);
  requireExactName("connection", connection.connectionId, connection.name, input.name);

  let source: Checked | null = null;
  let destination: Checked | null = null;
  if (input.cascadeDeleteSource) {
    requireCreatedHere(ctx.settings.safeMode, ctx.cloud.created, "source", connection.sourceId, ACTION);
    source = await checkedConnector("source", connection.sourceId, input.sourceName ?? "", ctx);
  }
  if (input.cascadeDeleteDestination) {
    requireCreatedHere(
      ctx.settings.safeMode,
      ctx.cloud.created,
      "destination",
      connection.destinationId,
      ACTION,
    );
    destination = await checkedConnector(
      "destination",
      connection.destinationId,
      input.destinationName ?? "",
      ctx,
    );
  }
  if (source || destination) {
    const all = await collect(client.connections.list(connection.workspaceId, {}, ctx.signal));
    if (source) requireUnused("source", source, all, connection.connectionId);
    if (destination) requireUnused("destination", destination, all, connection.connectionId);
  }

  await remove("connection", connection.connectionId, ctx);
  const done: string[] = [`connection '${connection.name}' (ID: ${connection.connectionId})`];
  const cascade = async (kind: "source" | "destination", target: Checked) => {
    try {
      await remove(kind, target.id, ctx);
      done.push(`${kind} '${target.name}' (ID: ${target.id})`);
    } catch (error) {
      const why = error instanceof ToolError ? error.text : String(error);
      throw new ToolError(`Deleted ${done.join(" and ")}, but deleting the ${kind} failed: ${why}`, {
        hint: `Call permanently_delete_cloud_${kind}(${kind}_id='${target.id}', name='${target.name}') to finish.`,
        cause: error,
      });
    }
  };
  if (source) await cascade("source", source);
  if (destination) await cascade("destination", destination);
  return {
    id: connection.connectionId,
    name: connection.name,
    source: source && { id: source.id, name: source.name },
    destination: destination && { id: destination.id, name: destination.name },
  };
}

interface Checked {
  id: string;
  name: string;
  workspaceId: string;
}

/** Reads a source or destination and checks the name given against its current name. */
async function checkedConnector(
  kind: "source" | "destination",
  id: string,
  givenName: string,
  ctx: ToolContext,
): Promise<Checked> {
  const client = ctx.cloud.client();
  const current =
    kind === "source"
      ? await client.sources
          .get(id, ctx.signal)
          .then((s) => ({ id: s.sourceId, name: s.name, workspaceId: s.workspaceId }))
      : await client.destinations
          .get(id, ctx.signal)
          .then((d) => ({ id: d.destinationId, name: d.name, workspaceId: d.workspaceId }));
  requireExactName(kind, current.id, current.name, givenName);
  return current;
}

function requireCascadeName(kind: "source" | "destination", cascade: boolean, name: string | null): void {
  if (!cascade || (name !== null && name !== "")) return;
  throw new ToolError(
    `cascade_delete_${kind}=true needs ${kind}_name: a cascaded ${kind} is deleted only when its exact current name is given too.`,
    {
      hint: `Read the ${kind}'s name with describe_cloud_connection, confirm with the user that it should be deleted, and pass it as ${kind}_name.`,
    },
  );
}

/** Refuses to delete a source or destination that other connections still use (Cloud would delete them too). */
function requireUnused(
  kind: "source" | "destination",
  target: Checked,
  connections: Connection[],
  except: string | null,
): void {
  const users = connections.filter(
    (c) => c.connectionId !== except && (kind === "source" ? c.sourceId : c.destinationId) === target.id,
  );
  if (users.length === 0) return;
  const list = users.map((c) => `'${c.name}' (ID: ${c.connectionId})`).join(", ");
  throw new ToolError(
    `Refused to permanently delete ${kind} '${target.id}': ${users.length === 1 ? "a connection still uses" : `${users.length} connections still use`} it, and Airbyte would delete ${users.length === 1 ? "it" : "them"} too: ${list}. Nothing was deleted.`,
    {
      hint: `Delete ${users.length === 1 ? "that connection" : "those connections"} first with permanently_delete_cloud_connection (each by its exact name; cascade_delete_${kind}=true with ${kind}_name deletes this ${kind} along with the last one).`,
    },
  );
}

/**
 * Refuses to delete a custom source definition that sources still use: Airbyte would delete them,
 * and their connections, with it, without the safe-mode and name checks each has on its own.
 */
export function requireDefinitionUnused(
  definition: { id: string; name: string },
  sources: Source[],
  connections: Connection[],
): void {
  const users = sources.filter((s) => s.definitionId === definition.id);
  if (users.length === 0) return;
  const ids = new Set(users.map((s) => s.sourceId));
  const linked = connections.filter((c) => ids.has(c.sourceId));
  const sourceList = users.map((s) => `'${s.name}' (ID: ${s.sourceId})`).join(", ");
  const connectionList = linked.map((c) => `'${c.name}' (ID: ${c.connectionId})`).join(", ");
  const sourceWord = users.length === 1 ? "source" : "sources";
  const connectionWord = linked.length === 1 ? "connection" : "connections";
  const said = [`${users.length === 1 ? "Source" : "Sources"} using it: ${sourceList}.`];
  const their = users.length === 1 ? "its" : "their";
  if (linked.length > 0)
    said.push(
      `${linked.length === 1 ? "Connection" : "Connections"} of ${users.length === 1 ? "that source" : "those sources"}: ${connectionList}.`,
    );
  throw new ToolError(
    `Refused to permanently delete custom source definition '${definition.name}' (ID: ${definition.id}): Airbyte would delete the ${sourceWord} built on it, and ${their} connections, along with it. ${said.join(" ")} Nothing was deleted.`,
    {
      hint: `${linked.length > 0 ? `Delete the ${connectionWord} first with permanently_delete_cloud_connection, then the ${sourceWord}` : `Delete the ${sourceWord}`} with permanently_delete_cloud_source (each by its exact name, after confirming with the user), then delete the definition.`,
    },
  );
}

async function remove(
  kind: "source" | "destination" | "connection",
  id: string,
  ctx: ToolContext,
): Promise<void> {
  const client = ctx.cloud.client();
  if (kind === "source") await client.sources.delete(id, ctx.signal);
  else if (kind === "destination") await client.destinations.delete(id, ctx.signal);
  else await client.connections.delete(id, ctx.signal);
  ctx.cloud.created.forget(id);
}
