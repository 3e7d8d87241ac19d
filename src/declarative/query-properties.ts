// QueryProperties: the properties a request asks for (HubSpot-style APIs), listed in the manifest or
// read from an endpoint, cut into chunks that fit the API's limit. Each page is requested once per
// chunk with the same page token, and the chunks' records are merged by key, as the CDK's
// SimpleRetriever._read_pages does with a QueryProperties requester.

import { isJsonObject } from "./interpolation/pyvalues.ts";
import type { Transformation } from "./records.ts";
import type { Obj } from "./values.ts";

export interface PropertyChunking {
  limitType: "characters" | "property_count";
  /** Falsy: one chunk of every property (and always_include), as the CDK gives it. */
  limit: number | null;
  /** GroupByKeyMergeStrategy.key: the fields whose joined values identify a record. */
  mergeKey: string[];
}

export interface QueryPropertiesSpec {
  /** The request_parameters key the properties go in, joined by commas; null: templates only. */
  key: string | null;
  /** property_list, or PropertiesFromEndpoint's properties (read once per run). */
  fields: (signal: AbortSignal) => Promise<string[]>;
  alwaysInclude: string[] | null;
  chunking: PropertyChunking | null;
  /** JsonSchemaPropertySelector: the transformations applied to the configured schema's properties. */
  selector: { transformations: Transformation[] } | null;
}

export class QueryProperties {
  /** The configured stream's JSON schema properties (a read's catalog); null outside a read. */
  private configured: Set<string> | null = null;

  constructor(readonly spec: QueryPropertiesSpec) {}

  /** JsonSchemaPropertySelector.select over the configured catalog's schema. */
  configure(jsonSchema: unknown, ctx: Obj): void {
    const selector = this.spec.selector;
    if (!selector) return;
    const properties =
      jsonSchema !== null && typeof jsonSchema === "object" && "properties" in jsonSchema
        ? (jsonSchema as { properties?: unknown }).properties
        : undefined;
    const record: Obj =
      properties !== null && typeof properties === "object" && !Array.isArray(properties)
        ? { ...(properties as Obj) }
        : {};
    for (const t of selector.transformations) t(record, ctx);
    this.configured = new Set(Object.keys(record));
  }

  /** get_request_property_chunks. */
  async chunks(signal: AbortSignal): Promise<string[][]> {
    const fields = await this.spec.fields(signal);
    const always = this.spec.alwaysInclude;
    const configured = this.configured;
    const chunking = this.spec.chunking;
    if (!chunking) {
      const all = configured ? fields.filter((f) => configured.has(f)) : fields;
      return [always ? [...always, ...all] : all];
    }
    // The CDK's quirk: without a limit, one chunk of every field (the selector unused), always_include last.
    if (!chunking.limit) return [[...fields, ...(always ?? [])]];
    const out: string[][] = [];
    let chunk = [...(always ?? [])];
    let size = 0;
    for (const f of fields) {
      if (configured && !configured.has(f)) continue;
      // characters: the name and its URL-encoded comma (%2C).
      const s = chunking.limitType === "characters" ? f.length + 3 : 1;
      if (size + s > chunking.limit) {
        out.push(chunk);
        chunk = [...(always ?? [])];
        size = 0;
      }
      chunk.push(f);
      size += s;
    }
    out.push(chunk);
    return out;
  }

  /**
   * GroupByKey.get_group_key: the key's values; null when one is falsy. Each value keeps its type
   * (the CDK joins strings only and raises on others; here 1 and "1" stay apart instead).
   */
  groupKey(record: Obj): string | null {
    const key = this.spec.chunking?.mergeKey ?? [];
    const values: unknown[] = [];
    for (const k of key) {
      const v = record[k];
      if (v === null || v === undefined || v === "" || v === 0 || v === false) return null;
      values.push(v);
    }
    return JSON.stringify(values);
  }
}

/** _deep_merge: nested objects merged, anything else replaced by the later chunk's value. */
export function deepMerge(target: Obj, source: Obj): void {
  for (const [k, v] of Object.entries(source)) {
    const t = target[k];
    if (isJsonObject(t) && isJsonObject(v)) deepMerge(t, v);
    else target[k] = v;
  }
}
