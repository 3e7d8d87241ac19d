// How the fake's objects look on the wire (public API shapes), and the lookups every route makes: the
// object exists (404 otherwise) and lives in a workspace the caller may use (403 otherwise).

import type { Json } from "./definitions.ts";
import { badRequest, forbidden, notFound } from "./http.ts";
import { maskSecrets, SECRET_MASK } from "./secrets.ts";
import type {
  FakeActor,
  FakeCloudStore,
  FakeConnection,
  FakeDeclarativeDefinition,
  FakeWorkspace,
} from "./store.ts";

const epochSeconds = (ms: number) => Math.floor(ms / 1000);

/** The workspace, which must exist and be open to the caller. */
export function workspaceFor(store: FakeCloudStore, workspaceId: string): FakeWorkspace {
  const ws = store.workspaces.get(workspaceId);
  if (!ws || ws.deleted) notFound("workspace", workspaceId);
  if (!ws.accessible) forbidden(`You do not have access to workspace ${workspaceId}.`);
  return ws;
}

export function actorFor(store: FakeCloudStore, kind: "source" | "destination", id: string): FakeActor {
  const actor = (kind === "source" ? store.sources : store.destinations).get(id);
  if (!actor || actor.deleted) notFound(kind, id);
  const ws = store.workspaces.get(actor.workspaceId);
  if (!ws?.accessible) forbidden(`You do not have access to ${kind} ${id}.`);
  return actor;
}

export function connectionFor(store: FakeCloudStore, id: string): FakeConnection {
  const conn = store.connections.get(id);
  if (!conn || conn.deleted) notFound("connection", id);
  if (!store.workspaces.get(conn.workspaceId)?.accessible)
    forbidden(`You do not have access to connection ${id}.`);
  return conn;
}

export function declarativeFor(
  store: FakeCloudStore,
  workspaceId: string,
  id: string,
): FakeDeclarativeDefinition {
  const def = store.declarativeDefinitions.get(id);
  if (!def || def.deleted || def.workspaceId !== workspaceId) notFound("declarative_source_definition", id);
  return def;
}

/** The workspace ids a list call covers: the ones asked for (each checked) or every one open to the caller. */
export function listedWorkspaces(store: FakeCloudStore, asked: string[]): Set<string> {
  if (!asked.length) {
    return new Set(
      [...store.workspaces.values()].filter((w) => w.accessible && !w.deleted).map((w) => w.workspaceId),
    );
  }
  for (const id of asked) {
    if (!/^[0-9a-f-]{36}$/i.test(id)) badRequest(`Invalid UUID string for workspaceIds: ${id}`);
    workspaceFor(store, id.toLowerCase());
  }
  return new Set(asked.map((id) => id.toLowerCase()));
}

export function workspaceResponse(ws: FakeWorkspace): Json {
  return {
    workspaceId: ws.workspaceId,
    name: ws.name,
    dataResidency: ws.dataResidency,
    notifications: {
      failure: { email: { enabled: true }, webhook: { enabled: false } },
      success: { email: { enabled: false }, webhook: { enabled: false } },
      connectionUpdate: { email: { enabled: true }, webhook: { enabled: false } },
      connectionUpdateActionRequired: { email: { enabled: true }, webhook: { enabled: false } },
      syncDisabled: { email: { enabled: true }, webhook: { enabled: false } },
      syncDisabledWarning: { email: { enabled: true }, webhook: { enabled: false } },
    },
  };
}

/** The configuration as the API shows it: secrets masked, or their coordinates when asked for. */
export function shownConfiguration(store: FakeCloudStore, actor: FakeActor, secretCoordinates = false): Json {
  const masked = maskSecrets(actor.configuration, store.specOf(actor.kind, actor.definitionId));
  if (!secretCoordinates) return masked;
  const walk = (v: unknown, path: string): unknown => {
    if (v === SECRET_MASK)
      return { _secret: `airbyte_workspace_${actor.workspaceId}_secret_${actor.id}${path}_v1` };
    if (Array.isArray(v)) return v.map((x, i) => walk(x, `${path}_${i}`));
    if (typeof v === "object" && v !== null) {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, `${path}_${k}`)]));
    }
    return v;
  };
  return walk(masked, "") as Json;
}

export function actorResponse(store: FakeCloudStore, actor: FakeActor, secretCoordinates = false): Json {
  const idKey = actor.kind === "source" ? "sourceId" : "destinationId";
  const typeKey = actor.kind === "source" ? "sourceType" : "destinationType";
  return {
    [idKey]: actor.id,
    name: actor.name,
    [typeKey]: actor.connectorType,
    definitionId: actor.definitionId,
    workspaceId: actor.workspaceId,
    configuration: shownConfiguration(store, actor, secretCoordinates),
    createdAt: epochSeconds(actor.createdAt),
  };
}

export function connectionResponse(conn: FakeConnection): Json {
  const schedule: Json = { scheduleType: conn.schedule.scheduleType };
  if (conn.schedule.cronExpression !== undefined) schedule.cronExpression = conn.schedule.cronExpression;
  if (conn.schedule.basicTiming !== undefined) schedule.basicTiming = conn.schedule.basicTiming;
  const out: Json = {
    connectionId: conn.connectionId,
    name: conn.name,
    sourceId: conn.sourceId,
    destinationId: conn.destinationId,
    workspaceId: conn.workspaceId,
    status: conn.status,
    schedule,
    nonBreakingSchemaUpdatesBehavior: conn.nonBreakingSchemaUpdatesBehavior,
    namespaceDefinition: conn.namespaceDefinition,
    prefix: conn.prefix,
    configurations: { streams: structuredClone(conn.streams) },
    createdAt: epochSeconds(conn.createdAt),
    tags: [],
  };
  if (conn.namespaceFormat !== undefined) out.namespaceFormat = conn.namespaceFormat;
  return out;
}

export function declarativeResponse(store: FakeCloudStore, def: FakeDeclarativeDefinition): Json {
  return {
    id: def.id,
    name: def.name,
    manifest: structuredClone(store.latestManifest(def)),
    version: def.versions.length,
  };
}
