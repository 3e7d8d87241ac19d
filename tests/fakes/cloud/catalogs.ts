// What a source of the fake Cloud "discovers": a small plausible stream list per connector type (faker,
// pokeapi), the streams of a declarative manifest for custom builder sources, a generic pair otherwise.
// Also the two derived views the APIs serve: the public API's StreamProperties (with the sync modes a
// destination allows) and the Config API's syncCatalog.

import type { Json } from "./definitions.ts";

export type SyncMode = "full_refresh" | "incremental";

export interface CatalogStream {
  name: string;
  namespace?: string;
  jsonSchema: Json;
  supportedSyncModes: SyncMode[];
  sourceDefinedCursor: boolean;
  defaultCursorField: string[];
  sourceDefinedPrimaryKey: string[][];
}

const object = (properties: Json): Json => ({
  $schema: "http://json-schema.org/draft-07/schema#",
  type: "object",
  properties,
});
const str = { type: ["null", "string"] };
const int = { type: ["null", "integer"] };
const ts = { type: ["null", "string"], format: "date-time" };

const KNOWN: Record<string, CatalogStream[]> = {
  faker: [
    {
      name: "users",
      jsonSchema: object({
        id: int,
        name: str,
        email: str,
        created_at: ts,
        updated_at: ts,
        address: { type: ["null", "object"], properties: { city: str, country_code: str } },
      }),
      supportedSyncModes: ["full_refresh", "incremental"],
      sourceDefinedCursor: true,
      defaultCursorField: ["updated_at"],
      sourceDefinedPrimaryKey: [["id"]],
    },
    {
      name: "products",
      jsonSchema: object({
        id: int,
        make: str,
        model: str,
        price: { type: ["null", "number"] },
        updated_at: ts,
      }),
      supportedSyncModes: ["full_refresh", "incremental"],
      sourceDefinedCursor: true,
      defaultCursorField: ["updated_at"],
      sourceDefinedPrimaryKey: [["id"]],
    },
    {
      name: "purchases",
      jsonSchema: object({ id: int, user_id: int, product_id: int, purchased_at: ts, updated_at: ts }),
      supportedSyncModes: ["full_refresh", "incremental"],
      sourceDefinedCursor: true,
      defaultCursorField: ["updated_at"],
      sourceDefinedPrimaryKey: [["id"]],
    },
  ],
  pokeapi: [
    {
      name: "pokemon",
      jsonSchema: object({
        id: int,
        name: str,
        base_experience: int,
        height: int,
        weight: int,
        abilities: { type: ["null", "array"], items: { type: "object", properties: { slot: int } } },
      }),
      supportedSyncModes: ["full_refresh"],
      sourceDefinedCursor: false,
      defaultCursorField: [],
      sourceDefinedPrimaryKey: [["id"]],
    },
  ],
};

const GENERIC: CatalogStream[] = [
  {
    name: "items",
    jsonSchema: object({ id: str, title: str, updated_at: ts }),
    supportedSyncModes: ["full_refresh", "incremental"],
    sourceDefinedCursor: true,
    defaultCursorField: ["updated_at"],
    sourceDefinedPrimaryKey: [["id"]],
  },
  {
    name: "events",
    jsonSchema: object({ id: str, kind: str, occurred_at: ts }),
    supportedSyncModes: ["full_refresh"],
    sourceDefinedCursor: false,
    defaultCursorField: [],
    sourceDefinedPrimaryKey: [["id"]],
  },
];

/** The streams a registry source of this type discovers. */
export function catalogForType(shortName: string): CatalogStream[] {
  return structuredClone(KNOWN[shortName] ?? GENERIC);
}

const asObj = (v: unknown): Json | undefined =>
  typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Json) : undefined;

/** The streams a declarative manifest declares: names, inline schemas, primary keys and cursors. */
export function catalogForManifest(manifest: Json): CatalogStream[] {
  const streams = Array.isArray(manifest.streams) ? manifest.streams : [];
  const out: CatalogStream[] = [];
  for (const raw of streams) {
    const s = asObj(raw);
    if (!s) continue;
    const name = typeof s.name === "string" ? s.name : undefined;
    if (!name) continue;
    const loader = asObj(s.schema_loader);
    const schema = asObj(loader?.schema) ?? object({});
    const pk = s.primary_key;
    const primaryKey =
      typeof pk === "string"
        ? [[pk]]
        : Array.isArray(pk)
          ? pk.map((p) => (Array.isArray(p) ? p.map(String) : [String(p)]))
          : [];
    const cursor = asObj(s.incremental_sync)?.cursor_field;
    const cursorField = typeof cursor === "string" ? [cursor] : [];
    out.push({
      name,
      jsonSchema: schema,
      supportedSyncModes: cursorField.length ? ["full_refresh", "incremental"] : ["full_refresh"],
      sourceDefinedCursor: cursorField.length > 0,
      defaultCursorField: cursorField,
      sourceDefinedPrimaryKey: primaryKey,
    });
  }
  return out;
}

/** Every property path of a JSON schema, top level and nested, as the public API's `propertyFields`. */
export function propertyFields(schema: Json, prefix: string[] = []): string[][] {
  const props = asObj(schema.properties);
  if (!props) return [];
  const out: string[][] = [];
  for (const [k, v] of Object.entries(props)) {
    out.push([...prefix, k]);
    const child = asObj(v);
    if (child) out.push(...propertyFields(child, [...prefix, k]));
  }
  return out;
}

const FULL_REFRESH: Record<string, string> = {
  append: "full_refresh_append",
  overwrite: "full_refresh_overwrite",
  overwrite_dedup: "full_refresh_overwrite_deduped",
  update: "full_refresh_update",
  soft_delete: "full_refresh_soft_delete",
};
const INCREMENTAL: Record<string, string> = {
  append: "incremental_append",
  append_dedup: "incremental_deduped_history",
  update: "incremental_update",
  soft_delete: "incremental_soft_delete",
};

/** The public API's sync modes for a stream written to a destination that supports `destinationModes`. */
export function connectionSyncModes(stream: CatalogStream, destinationModes: string[]): string[] {
  const out: string[] = [];
  for (const mode of stream.supportedSyncModes) {
    const table = mode === "full_refresh" ? FULL_REFRESH : INCREMENTAL;
    for (const d of destinationModes) {
      const m = table[d];
      if (m) out.push(m);
    }
  }
  return out;
}

/** The protocol's (syncMode, destinationSyncMode) pair behind a public API sync mode. */
export function splitSyncMode(mode: string): { syncMode: SyncMode; destinationSyncMode: string } {
  for (const [d, m] of Object.entries(FULL_REFRESH))
    if (m === mode) return { syncMode: "full_refresh", destinationSyncMode: d };
  for (const [d, m] of Object.entries(INCREMENTAL))
    if (m === mode) return { syncMode: "incremental", destinationSyncMode: d };
  return { syncMode: "full_refresh", destinationSyncMode: "overwrite" };
}

export const CONNECTION_SYNC_MODES = [...Object.values(FULL_REFRESH), ...Object.values(INCREMENTAL)];
