// The fixture manifests and connector samples, read at run time from ../shared/fixtures (never
// copied), and a small resolver of their `$ref`s that tests use to derive what discover and spec must
// say, independently of the runner's own loader.

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import YAML from "yaml";
import type { ConfiguredAirbyteCatalog } from "../../../src/connectors/protocol.ts";
import { FIXTURES, skipWithoutFixtures } from "../../helpers/fixtures.ts";

type Json = Record<string, unknown>;

export const MANIFESTS = join(FIXTURES, "manifests");
/** The whole-corpus test's manifests; MANIFEST_CORPUS names another folder (a newer snapshot, say). */
export const CORPUS = process.env.MANIFEST_CORPUS || join(FIXTURES, "manifests-corpus");
const SAMPLES = join(FIXTURES, "connector-samples");

export function manifestPath(name: string): string {
  return join(MANIFESTS, `${name}.yaml`);
}

export function manifestText(name: string): string {
  return readFileSync(manifestPath(name), "utf8");
}

/** A connector-samples JSON file, or null when the connector has none. */
export function sampleJson<T = unknown>(connector: string, file: string): T | null {
  const path = join(SAMPLES, connector, file);
  return existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as T) : null;
}

/** expected_records.jsonl of a connector, grouped by stream, in file order. */
export function sampleRecords(connector: string): Map<string, Json[]> {
  const out = new Map<string, Json[]>();
  const path = join(SAMPLES, connector, "expected_records.jsonl");
  if (!existsSync(path)) return out;
  for (const line of readFileSync(path, "utf8").split("\n")) {
    if (!line.trim()) continue;
    const { stream, data } = JSON.parse(line) as { stream: string; data: Json };
    const list = out.get(stream) ?? [];
    list.push(data);
    out.set(stream, list);
  }
  return out;
}

function lookup(root: unknown, pointer: string): unknown {
  let node = root;
  for (const part of pointer.replace(/^#\//, "").split("/")) {
    if (Array.isArray(node)) node = node[Number(part)];
    else if (node && typeof node === "object") node = (node as Json)[part];
    else throw new Error(`unresolvable reference ${pointer}`);
  }
  return node;
}

/**
 * `$ref` objects (target merged with their siblings, siblings winning) and `#/…` strings replaced by
 * their targets, as the CDK's reference resolver does for the fixture manifests.
 */
export function resolveRefs(root: unknown, node: unknown = root, seen: string[] = []): unknown {
  if (typeof node === "string" && node.startsWith("#/")) {
    if (seen.includes(node)) throw new Error(`circular reference ${node}`);
    return resolveRefs(root, lookup(root, node), [...seen, node]);
  }
  if (Array.isArray(node)) return node.map((x) => resolveRefs(root, x, seen));
  if (!node || typeof node !== "object") return node;
  const obj = node as Json;
  let base: Json = {};
  const ref = obj.$ref;
  if (typeof ref === "string") {
    if (seen.includes(ref)) throw new Error(`circular reference ${ref}`);
    base = resolveRefs(root, lookup(root, ref), [...seen, ref]) as Json;
  }
  const out: Json = { ...base };
  for (const [k, v] of Object.entries(obj)) if (k !== "$ref") out[k] = resolveRefs(root, v, seen);
  return out;
}

export interface ManifestStream {
  name: string;
  primary_key?: string | string[];
  incremental_sync?: { cursor_field: string; type: string };
  schema_loader: { schema: Json };
  retriever: Json;
  transformations?: Json[];
}

export interface ResolvedManifest {
  spec: { connection_specification: Json; documentation_url?: string };
  streams: ManifestStream[];
  check: { stream_names: string[] };
}

export function resolvedManifest(text: string): ResolvedManifest {
  const raw = YAML.parse(text) as unknown;
  return resolveRefs(raw) as ResolvedManifest;
}

/** The catalog entry the CDK's DefaultStream.as_airbyte_stream() builds for a manifest stream. */
export function cdkCatalogStream(s: ManifestStream): Json {
  const pk =
    s.primary_key === undefined ? [] : typeof s.primary_key === "string" ? [s.primary_key] : s.primary_key;
  const cursor = s.incremental_sync?.cursor_field;
  return {
    name: s.name,
    json_schema: s.schema_loader.schema,
    supported_sync_modes: cursor ? ["full_refresh", "incremental"] : ["full_refresh"],
    is_resumable: Boolean(cursor),
    ...(cursor ? { source_defined_cursor: true, default_cursor_field: [cursor] } : {}),
    ...(pk.length > 0 ? { source_defined_primary_key: pk.map((k) => [k]) } : {}),
  };
}

/** What every fixture manifest test starts from; empty values when the fixtures are absent. */
export interface FixtureManifest {
  skip: boolean;
  text: string;
  manifest: ResolvedManifest;
  /** Each stream's inline schema, by stream name. */
  schemas: Record<string, Json>;
}

export function fixtureManifest(name: string): FixtureManifest {
  const skip = skipWithoutFixtures(`${name} manifest tests`);
  const text = skip ? "" : manifestText(name);
  const manifest = skip ? ({} as ResolvedManifest) : resolvedManifest(text);
  const schemas = Object.fromEntries(
    (skip ? [] : manifest.streams).map((s) => [s.name, s.schema_loader.schema]),
  );
  return { skip, text, manifest, schemas };
}

/** The connector's sample configured catalog; an empty one when it has none or the fixtures are absent. */
export function sampleCatalogOf(name: string, skip: boolean): ConfiguredAirbyteCatalog {
  return skip
    ? { streams: [] }
    : (sampleJson<ConfiguredAirbyteCatalog>(name, "configured_catalog.json") ?? { streams: [] });
}
