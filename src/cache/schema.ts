// From a stream's JSON schema to table columns: names normalised the way PyAirbyte's
// LowerCaseNormalizer does (lower case, every other character '_', no leading digit), collisions
// resolved with a suffix, and one column kind per property. The backends map kinds to SQL types.

export const COLUMN_KINDS = [
  "integer",
  "number",
  "boolean",
  "string",
  "timestamp_tz",
  "timestamp",
  "date",
  "time",
  "json",
] as const;
export type ColumnKind = (typeof COLUMN_KINDS)[number];

export interface Column {
  /** SQL column name (normalised, unique in its table). */
  name: string;
  /** The record key it holds; null for the whole record of a schemaless stream. */
  property: string | null;
  kind: ColumnKind;
}

/** Columns every stream table has, after the stream's own. */
export const META_COLUMNS = ["_airbyte_raw_id", "_airbyte_extracted_at", "_airbyte_meta"] as const;
/** Column holding the whole record when the stream's schema declares no properties. */
export const DATA_COLUMN = "_airbyte_data";
/** Table names the cache keeps for itself; a stream cannot take them. */
export const RESERVED_PREFIX = "_airbyte_";

// PostgreSQL cuts identifiers at 63 bytes; the SQLite cache uses the same rule, for parity.
const MAX_IDENTIFIER = 63;

export function normalizeName(name: string): string {
  let n = name.toLowerCase().replace(/[^a-z0-9_]/g, "_");
  if (n === "") n = "_";
  if (/^[0-9]/.test(n)) n = `_${n}`;
  return truncate(n);
}

function truncate(n: string): string {
  return n.length > MAX_IDENTIFIER ? n.slice(0, MAX_IDENTIFIER) : n;
}

/** `base`, or `base_2`, `base_3`... whichever is not taken (case-insensitively). */
export function uniqueName(base: string, taken: ReadonlySet<string>): string {
  if (!taken.has(base)) return base;
  for (let i = 2; ; i++) {
    const suffix = `_${i}`;
    const candidate = `${base.slice(0, MAX_IDENTIFIER - suffix.length)}${suffix}`;
    if (!taken.has(candidate)) return candidate;
  }
}

type JsonSchema = Record<string, unknown>;

function types(schema: JsonSchema): string[] {
  const t = schema.type;
  if (typeof t === "string") return [t];
  if (Array.isArray(t)) return t.filter((x): x is string => typeof x === "string");
  return [];
}

/** The column kind of one property's schema; anything ambiguous is kept as JSON. */
export function kindOf(schema: unknown): ColumnKind {
  if (schema === null || typeof schema !== "object" || Array.isArray(schema)) return "json";
  const s = schema as JsonSchema;
  if (s.anyOf || s.oneOf || s.allOf) {
    // A nullable wrapper ({anyOf: [{type: null}, X]}) is X; any other union is JSON.
    const options = ((s.anyOf ?? s.oneOf ?? s.allOf) as unknown[]).filter(
      (o) => !(o && typeof o === "object" && types(o as JsonSchema).join() === "null"),
    );
    return options.length === 1 && !s.allOf ? kindOf(options[0]) : "json";
  }
  const t = types(s).filter((x) => x !== "null");
  if (t.length === 2 && t.includes("integer") && t.includes("number")) return "number";
  if (t.length !== 1) return "json";
  switch (t[0]) {
    case "integer":
      return "integer";
    case "number":
      return s.airbyte_type === "integer" ? "integer" : "number";
    case "boolean":
      return "boolean";
    case "string": {
      const format = s.format;
      const airbyte = s.airbyte_type;
      if (format === "date-time") {
        return airbyte === "timestamp_without_timezone" ? "timestamp" : "timestamp_tz";
      }
      if (format === "date") return "date";
      if (format === "time") return "time";
      return "string";
    }
    default:
      return "json"; // object, array
  }
}

/** The record keys a stream schema declares, in order; null when it declares none. */
export function declaredProperties(jsonSchema: unknown): [string, unknown][] | null {
  if (jsonSchema === null || typeof jsonSchema !== "object") return null;
  const props = (jsonSchema as JsonSchema).properties;
  if (props === null || typeof props !== "object" || Array.isArray(props)) return null;
  const entries = Object.entries(props as JsonSchema);
  return entries.length > 0 ? entries : null;
}

/**
 * The table's columns after this sync: the existing ones unchanged (a kind never changes, so old
 * rows keep their meaning), then one new column per property seen for the first time.
 */
export function planColumns(
  jsonSchema: unknown,
  existing: readonly Column[],
): { columns: Column[]; added: Column[] } {
  const columns = [...existing];
  const added: Column[] = [];
  const known = new Set(existing.map((c) => c.property));
  const taken = new Set<string>([...existing.map((c) => c.name), ...META_COLUMNS, DATA_COLUMN]);
  const props = declaredProperties(jsonSchema);
  if (props === null) {
    if (!known.has(null)) {
      const c: Column = { name: DATA_COLUMN, property: null, kind: "json" };
      columns.push(c);
      added.push(c);
    }
    return { columns, added };
  }
  for (const [property, schema] of props) {
    if (known.has(property)) continue;
    const c = addColumn(property, kindOf(schema), taken);
    columns.push(c);
    added.push(c);
  }
  return { columns, added };
}

/** A new column for a key, with a name not yet taken (the set is updated). */
export function addColumn(property: string, kind: ColumnKind, taken: Set<string>): Column {
  const name = uniqueName(normalizeName(property), taken);
  taken.add(name);
  return { name, property, kind };
}
