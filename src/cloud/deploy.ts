// Creating things in Airbyte Cloud: sources and destinations from registry connectors (the config
// checked against the connector's spec and its secrets resolved before anything is sent), the no-op
// destination, and connections. Every id created is recorded for safe mode.

import { validateConfig } from "../connectors/validate.ts";
import { ToolError } from "../core/errors.ts";
import type { ToolContext } from "../core/tool.ts";
import { type IndexEntry, specOf } from "../registry/model.ts";
import { collect } from "./client/index.ts";
import { type JsonObject, resolveConfigInput } from "./config-input.ts";
import { workspaceOf } from "./session.ts";

/** PyAirbyte's no-op destination: destination-dev-null, its Cloud definition, and a silent config. */
export const NOOP_DESTINATION = {
  connectorName: "destination-dev-null",
  definitionId: "a7bcc9d8-13b3-4e49-b80d-d020b90045e3",
  config: { test_destination: { test_destination_type: "SILENT" } },
} as const;

type ActorKind = "source" | "destination";

export interface DeployConnectorInput {
  /** The name the object gets in Cloud. */
  name: string;
  connectorName: string;
  workspaceId: string | null;
  config: JsonObject | string | null;
  configSecretName: string | null;
  unique: boolean;
}

export interface Deployed {
  id: string;
  name: string;
  url: string;
}

/** Deploys a registry connector as a Cloud source or destination. */
export async function deployConnector(
  kind: ActorKind,
  input: DeployConnectorInput,
  ctx: ToolContext,
): Promise<Deployed> {
  const workspaceId = workspaceOf(input.workspaceId, ctx.settings);
  const name = requireName(input.name, kind === "source" ? "source_name" : "destination_name");
  const { entry } = await ctx.registry.find(input.connectorName, ctx.signal);
  if (entry.connector_type !== kind) {
    const other = kind === "source" ? "deploy_destination_to_cloud" : "deploy_source_to_cloud";
    throw new ToolError(`${entry.name} is a ${entry.connector_type}, not a ${kind}.`, {
      hint: `Use ${other} for it, or pick a ${kind} connector (list_connectors with connector_type_filter='${kind}').`,
    });
  }
  const spec = await cloudSpecOf(entry, ctx);
  if (!spec.spec) {
    throw new ToolError(
      `The config spec of ${entry.name} is not available, so its config cannot be checked before sending: ${spec.note}`,
      {
        hint: "Try again once connectors.airbyte.com is reachable (or check AIRBYTE_CONNECTOR_METADATA_URL and AIRBYTE_LOCAL_REGISTRY).",
      },
    );
  }
  const config = resolveConfigInput(input.config, input.configSecretName, ctx, "config", { spec: spec.spec });
  const problems = validateConfig(spec.spec, config);
  if (problems.length > 0) {
    throw new ToolError(
      `The config does not match the spec of ${entry.name} (nothing was sent): ${problems.map((p) => `${p.field} ${p.problem}`).join("; ")}.`,
      { hint: `Fix those fields and deploy again; get_connector_info('${entry.name}') shows the spec.` },
    );
  }
  if (input.unique) await requireUniqueName(kind, name, workspaceId, ctx);

  const client = ctx.cloud.client();
  // The API's typed configurations carry the connector's short name, as PyAirbyte sends it.
  const typeField = kind === "source" ? "sourceType" : "destinationType";
  const configuration = { ...config, [typeField]: shortName(entry.name, kind) };
  if (kind === "source") {
    const created = await client.sources.create({ name, workspaceId, configuration }, ctx.signal);
    ctx.cloud.created.add("source", created.sourceId);
    return { id: created.sourceId, name, url: client.web.source(workspaceId, created.sourceId) };
  }
  const created = await client.destinations.create({ name, workspaceId, configuration }, ctx.signal);
  ctx.cloud.created.add("destination", created.destinationId);
  return { id: created.destinationId, name, url: client.web.destination(workspaceId, created.destinationId) };
}

/** Deploys PyAirbyte's no-op destination (destination-dev-null, silent). */
export async function deployNoopDestination(
  input: { name: string; workspaceId: string | null; unique: boolean },
  ctx: ToolContext,
): Promise<Deployed> {
  const workspaceId = workspaceOf(input.workspaceId, ctx.settings);
  const name = requireName(input.name, "name");
  if (input.unique) await requireUniqueName("destination", name, workspaceId, ctx);
  const client = ctx.cloud.client();
  const created = await client.destinations.create(
    {
      name,
      workspaceId,
      definitionId: NOOP_DESTINATION.definitionId,
      configuration: {
        ...structuredClone(NOOP_DESTINATION.config),
        destinationType: shortName(NOOP_DESTINATION.connectorName, "destination"),
      },
    },
    ctx.signal,
  );
  ctx.cloud.created.add("destination", created.destinationId);
  return { id: created.destinationId, name, url: client.web.destination(workspaceId, created.destinationId) };
}

export interface CreateConnectionInput {
  connectionName: string;
  sourceId: string;
  destinationId: string;
  selectedStreams: string[] | string;
  workspaceId: string | null;
  tablePrefix: string | null;
}

export interface CreatedConnection extends Deployed {
  sourceId: string;
  destinationId: string;
  streams: string[];
}

/** Creates a connection syncing the named streams from a source to a destination of the workspace. */
export async function createConnection(
  input: CreateConnectionInput,
  ctx: ToolContext,
): Promise<CreatedConnection> {
  const workspaceId = workspaceOf(input.workspaceId, ctx.settings);
  const name = requireName(input.connectionName, "connection_name");
  const streams = parseStreamNames(input.selectedStreams, "selected_streams");
  const client = ctx.cloud.client();
  // Both ends must exist in this workspace: a clear error here beats Cloud's after the fact.
  const [source, destination] = await Promise.all([
    client.sources.get(input.sourceId, ctx.signal),
    client.destinations.get(input.destinationId, ctx.signal),
  ]);
  requireWorkspace("source", source.sourceId, source.workspaceId, workspaceId);
  requireWorkspace("destination", destination.destinationId, destination.workspaceId, workspaceId);
  const created = await client.connections.create(
    {
      name,
      sourceId: source.sourceId,
      destinationId: destination.destinationId,
      configurations: { streams: streams.map((s) => ({ name: s })) },
      prefix: input.tablePrefix ?? "",
    },
    ctx.signal,
  );
  ctx.cloud.created.add("connection", created.connectionId);
  return {
    id: created.connectionId,
    name,
    url: client.web.connection(workspaceId, created.connectionId),
    sourceId: source.sourceId,
    destinationId: destination.destinationId,
    streams,
  };
}

/**
 * A list of stream names from a list, a JSON array string or a comma-separated string (as PyAirbyte
 * accepts them). Empty lists and '*' are refused: a connection syncs streams named explicitly.
 */
export function parseStreamNames(value: string[] | string, argument: string): string[] {
  let items: unknown[];
  if (Array.isArray(value)) items = value;
  else {
    const text = value.trim();
    if (text.startsWith("[")) {
      try {
        const parsed: unknown = JSON.parse(text);
        if (!Array.isArray(parsed)) throw new Error("not a list");
        items = parsed;
      } catch {
        throw new ToolError(`${argument} looks like a JSON list but is not one.`, {
          hint: `Pass a list of stream names, a JSON array such as '["users", "orders"]', or a comma-separated string such as 'users,orders'.`,
        });
      }
    } else items = text.split(",");
  }
  const names: string[] = [];
  for (const item of items) {
    if (typeof item !== "string") {
      throw new ToolError(`${argument} must hold stream names (strings) only.`, {
        hint: `Pass stream names such as ["users", "orders"].`,
      });
    }
    const n = item.trim();
    if (n !== "" && !names.includes(n)) names.push(n);
  }
  if (names.length === 0 || names.includes("*")) {
    throw new ToolError(`${argument} must name the streams to sync explicitly (it cannot be empty or '*').`, {
      hint: "List the source's streams (list_source_streams for a local run, or the Airbyte web app) and pass their names.",
    });
  }
  return names;
}

/**
 * The connector's config JSON Schema as Cloud sees it: cloud.json first (Cloud's variant may differ
 * from the open-source one), then the registry entry's spec, then oss.json.
 */
export async function cloudSpecOf(
  entry: IndexEntry,
  ctx: Pick<ToolContext, "registry" | "signal">,
): Promise<{ spec: JsonObject | null; note: string | null }> {
  const failures: string[] = [];
  const fromFile = async (file: string): Promise<JsonObject | null> => {
    try {
      const response = await ctx.registry.metadataFile(
        entry,
        file,
        (body) => {
          if (!specOf(JSON.parse(body))) throw new Error(`${file} carries no spec.connectionSpecification`);
        },
        ctx.signal,
      );
      return specOf(JSON.parse(response.text()));
    } catch (error) {
      if (ctx.signal.aborted) throw error;
      failures.push(`${file}: ${error instanceof Error ? error.message : String(error)}`);
      return null;
    }
  };
  const cloud = await fromFile("cloud.json");
  if (cloud) return { spec: cloud, note: null };
  const raw = await ctx.registry.rawEntry(entry).catch(() => null);
  const fromRegistry = raw ? specOf(raw) : null;
  if (fromRegistry) return { spec: fromRegistry, note: null };
  const oss = await fromFile("oss.json");
  if (oss) return { spec: oss, note: null };
  return { spec: null, note: failures.join("; ") };
}

/** Refuses an object of another workspace than the one the call works in. */
export function requireWorkspace(
  kind: "source" | "destination" | "connection",
  id: string,
  actual: string,
  expected: string,
): void {
  if (actual === expected) return;
  throw new ToolError(`The ${kind} '${id}' belongs to workspace ${actual}, not to workspace ${expected}.`, {
    hint: `Pass workspace_id='${actual}' to work on it there, or use a ${kind} of workspace ${expected}.`,
  });
}

function requireName(value: string, argument: string): string {
  const name = value.trim();
  if (name === "") {
    throw new ToolError(`${argument} is empty.`, { hint: "Give the object a name." });
  }
  return name;
}

async function requireUniqueName(kind: ActorKind, name: string, workspaceId: string, ctx: ToolContext) {
  const client = ctx.cloud.client();
  const existing =
    kind === "source"
      ? (await collect(client.sources.list(workspaceId, {}, ctx.signal))).map((s) => ({
          id: s.sourceId,
          name: s.name,
        }))
      : (await collect(client.destinations.list(workspaceId, {}, ctx.signal))).map((d) => ({
          id: d.destinationId,
          name: d.name,
        }));
  const clash = existing.find((e) => e.name === name);
  if (clash) {
    throw new ToolError(
      `A ${kind} named '${name}' already exists in workspace ${workspaceId} (ID '${clash.id}'); nothing was created.`,
      {
        hint: `Choose another name, use the existing ${kind}, or pass unique=false to create a second one with the same name.`,
      },
    );
  }
}

/** sourceType / destinationType: the connector name without its kind prefix. */
function shortName(connectorName: string, kind: ActorKind): string {
  return connectorName.replace(kind === "source" ? /^source-/ : /^destination-/, "");
}
