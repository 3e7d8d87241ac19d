// The connector definitions the fake Cloud knows: every source and destination of the real registry
// snapshot (../shared/fixtures/oss_registry.json) with its real definition id and spec, or, without the
// fixtures, a handful of built-in ones. A source or destination created through the fake maps
// `configuration.sourceType` / `destinationType` (the registry name without its `source-` /
// `destination-` prefix, as the public API's typed configurations do) or `definitionId` to one of these.

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { FIXTURES } from "../../helpers/fixtures.ts";

export type Json = Record<string, unknown>;
export type ActorKind = "source" | "destination";

export interface ConnectorDefinition {
  id: string;
  kind: ActorKind;
  /** Display name, e.g. "PokeAPI". */
  name: string;
  /** `sourceType` / `destinationType` of the public API, e.g. "pokeapi". */
  shortName: string;
  dockerRepository: string;
  dockerImageTag: string;
  /** The spec's connectionSpecification (JSON Schema of the configuration), when known. */
  connectionSpecification: Json | undefined;
  /** Destinations: the destination sync modes the connector supports. */
  supportedDestinationSyncModes: string[];
}

/** The id Airbyte gives the declarative-manifest runner; custom builder definitions run on it. */
export const DECLARATIVE_MANIFEST_REPOSITORY = "airbyte/source-declarative-manifest";

const BUILTIN: ConnectorDefinition[] = [
  {
    id: "dfd88b22-b603-4c3d-aad7-3701784586b1",
    kind: "source",
    name: "Sample Data (Faker)",
    shortName: "faker",
    dockerRepository: "airbyte/source-faker",
    dockerImageTag: "6.2.20",
    connectionSpecification: {
      type: "object",
      required: ["count"],
      properties: { count: { type: "integer" }, seed: { type: "integer" } },
    },
    supportedDestinationSyncModes: [],
  },
  {
    id: "6371b14b-bc68-4236-bfbd-468e8df8e968",
    kind: "source",
    name: "PokeAPI",
    shortName: "pokeapi",
    dockerRepository: "airbyte/source-pokeapi",
    dockerImageTag: "0.3.9",
    connectionSpecification: {
      type: "object",
      required: ["pokemon_name"],
      properties: { pokemon_name: { type: "string" } },
    },
    supportedDestinationSyncModes: [],
  },
  {
    id: "a7bcc9d8-13b3-4e49-b80d-d020b90045e3",
    kind: "destination",
    name: "End-to-End Testing (/dev/null)",
    shortName: "dev-null",
    dockerRepository: "airbyte/destination-dev-null",
    dockerImageTag: "0.7.16",
    connectionSpecification: {
      type: "object",
      required: ["test_destination"],
      properties: { test_destination: { type: "object" } },
    },
    supportedDestinationSyncModes: ["overwrite", "append"],
  },
  {
    id: "25c5221d-dce2-4163-ade9-739ef790f503",
    kind: "destination",
    name: "Postgres",
    shortName: "postgres",
    dockerRepository: "airbyte/destination-postgres",
    dockerImageTag: "2.4.2",
    connectionSpecification: {
      type: "object",
      required: ["host", "port", "database", "username"],
      properties: {
        host: { type: "string" },
        port: { type: "integer" },
        database: { type: "string" },
        schema: { type: "string" },
        username: { type: "string" },
        password: { type: "string", airbyte_secret: true },
      },
    },
    supportedDestinationSyncModes: ["overwrite", "append", "append_dedup"],
  },
];

function shortNameOf(kind: ActorKind, dockerRepository: string): string {
  const last = dockerRepository.split("/").pop() ?? dockerRepository;
  return last.replace(kind === "source" ? /^source-/ : /^destination-/, "");
}

function fromRegistry(file: string): ConnectorDefinition[] {
  const registry = JSON.parse(readFileSync(file, "utf8")) as { sources?: Json[]; destinations?: Json[] };
  const out: ConnectorDefinition[] = [];
  for (const kind of ["source", "destination"] as const) {
    for (const e of (kind === "source" ? registry.sources : registry.destinations) ?? []) {
      const id = e[kind === "source" ? "sourceDefinitionId" : "destinationDefinitionId"];
      const repo = e.dockerRepository;
      if (typeof id !== "string" || typeof repo !== "string") continue;
      const spec = (e.spec ?? {}) as Json;
      out.push({
        id,
        kind,
        name: String(e.name ?? repo),
        shortName: shortNameOf(kind, repo),
        dockerRepository: repo,
        dockerImageTag: String(e.dockerImageTag ?? "latest"),
        connectionSpecification: (spec.connectionSpecification as Json | undefined) ?? undefined,
        supportedDestinationSyncModes: Array.isArray(spec.supported_destination_sync_modes)
          ? (spec.supported_destination_sync_modes as string[])
          : kind === "destination"
            ? ["overwrite", "append"]
            : [],
      });
    }
  }
  return out;
}

let cached: ConnectorDefinition[] | undefined;

/** Every definition the fake knows (the registry snapshot when present), loaded once per process. */
export function catalogDefinitions(): ConnectorDefinition[] {
  if (!cached) {
    const file = join(FIXTURES, "oss_registry.json");
    cached = existsSync(file) ? fromRegistry(file) : BUILTIN;
  }
  return cached;
}

export class DefinitionIndex {
  private readonly byId = new Map<string, ConnectorDefinition>();
  private readonly byShortName = new Map<string, ConnectorDefinition>();

  constructor(definitions: ConnectorDefinition[]) {
    for (const d of definitions) this.add(d);
  }

  add(d: ConnectorDefinition): void {
    this.byId.set(d.id, d);
    this.byShortName.set(`${d.kind}:${d.shortName}`, d);
  }

  get(id: string): ConnectorDefinition | undefined {
    return this.byId.get(id);
  }

  byType(kind: ActorKind, shortName: string): ConnectorDefinition | undefined {
    return this.byShortName.get(`${kind}:${shortName}`);
  }

  all(kind: ActorKind): ConnectorDefinition[] {
    return [...this.byId.values()].filter((d) => d.kind === kind);
  }
}
