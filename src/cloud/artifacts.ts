// A connection's state and configured catalog, in the Airbyte protocol's own shapes (snake_case), so
// that they can be handed to a connector as they are. Neither is in the public API: both come from the
// Config API (state/get and web_backend/connections/get).

import type { ToolContext } from "../core/tool.ts";
import type { ConnectionState, WebBackendConnection } from "./client/index.ts";
import { workspaceOf } from "./session.ts";
import { connectionInWorkspace } from "./workspaces.ts";

type Ctx = Pick<ToolContext, "settings" | "cloud" | "signal">;
type Json = Record<string, unknown>;

const asObject = (v: unknown): Json | undefined =>
  typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Json) : undefined;

function descriptor(v: unknown): Json {
  const d = asObject(v) ?? {};
  const out: Json = { name: d.name };
  if (typeof d.namespace === "string") out.namespace = d.namespace;
  return out;
}

/** One stream's state entry of the Config API as the protocol's AirbyteStreamState. */
function streamState(entry: unknown): Json {
  const e = asObject(entry) ?? {};
  return { stream_descriptor: descriptor(e.streamDescriptor), stream_state: e.streamState ?? null };
}

/** The connection's state as protocol AirbyteStateMessages; null when no state is set. */
export function stateMessages(state: ConnectionState): Json[] | null {
  switch (state.stateType) {
    case "not_set":
      return null;
    case "stream":
      return (state.streamState ?? []).map((s) => ({ type: "STREAM", stream: streamState(s) }));
    case "global": {
      const g = asObject(state.globalState) ?? {};
      const streams = Array.isArray(g.streamStates) ? g.streamStates : [];
      return [
        {
          type: "GLOBAL",
          global: { shared_state: g.sharedState ?? null, stream_states: streams.map(streamState) },
        },
      ];
    }
    case "legacy":
      return [{ type: "LEGACY", data: state.state ?? null }];
  }
}

const STREAM_FIELDS: Record<string, string> = {
  name: "name",
  namespace: "namespace",
  jsonSchema: "json_schema",
  supportedSyncModes: "supported_sync_modes",
  sourceDefinedCursor: "source_defined_cursor",
  defaultCursorField: "default_cursor_field",
  sourceDefinedPrimaryKey: "source_defined_primary_key",
  isResumable: "is_resumable",
};

const CONFIG_FIELDS: Record<string, string> = {
  syncMode: "sync_mode",
  destinationSyncMode: "destination_sync_mode",
  cursorField: "cursor_field",
  primaryKey: "primary_key",
  generationId: "generation_id",
  minimumGenerationId: "minimum_generation_id",
  syncId: "sync_id",
};

function renamed(from: Json, fields: Record<string, string>): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(fields))
    if (from[k] !== undefined && from[k] !== null) out[v] = from[k];
  return out;
}

/** The selected streams of the web app's syncCatalog as a protocol ConfiguredAirbyteCatalog. */
export function configuredCatalog(connection: WebBackendConnection): { streams: Json[] } {
  const streams: Json[] = [];
  for (const s of connection.syncCatalog.streams) {
    const config = s.config ?? {};
    if (config.selected === false) continue;
    streams.push({ stream: renamed(s.stream, STREAM_FIELDS), ...renamed(config, CONFIG_FIELDS) });
  }
  return { streams };
}

export interface ArtifactInput {
  connection_id: string;
  artifact_type: "state" | "catalog";
  workspace_id: string | null;
}

export interface ArtifactResult {
  connection_id: string;
  artifact_type: "state" | "catalog";
  /** State messages (artifact_type "state"); null when none is set or a catalog was asked. */
  state: Json[] | null;
  /** The configured catalog (artifact_type "catalog"). */
  catalog: { streams: Json[] } | null;
  /** Why the artifact is empty, when it is (PyAirbyte's ERROR text). */
  message: string | null;
}

/** get_connection_artifact. */
export async function getConnectionArtifact(ctx: Ctx, input: ArtifactInput): Promise<ArtifactResult> {
  const workspaceId = workspaceOf(input.workspace_id, ctx.settings);
  const client = ctx.cloud.client();
  const connection = await connectionInWorkspace(client, input.connection_id, workspaceId, ctx.signal);
  const base = { connection_id: connection.connectionId, artifact_type: input.artifact_type };
  if (input.artifact_type === "state") {
    const state = stateMessages(await client.config.connectionState(connection.connectionId, ctx.signal));
    return {
      ...base,
      state,
      catalog: null,
      message: state === null ? "No state is set for this connection (stateType: not_set)" : null,
    };
  }
  const catalog = configuredCatalog(
    await client.config.webBackendConnection(connection.connectionId, ctx.signal),
  );
  return {
    ...base,
    state: null,
    catalog,
    message:
      catalog.streams.length === 0 ? "No catalog found for this connection (no stream is selected)" : null,
  };
}
