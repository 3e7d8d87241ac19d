// Validating a config against a connector's JSON Schema before anything runs, so that an agent
// learns every bad field at once, by name, instead of one crash at a time. Messages name paths and
// expectations, never values (a value may be a resolved secret).

import { z } from "zod";

export interface FieldProblem {
  field: string;
  problem: string;
}

const compiled = new Map<string, z.ZodType>();

function schemaFor(spec: Record<string, unknown>): z.ZodType | null {
  const key = JSON.stringify(spec);
  let schema = compiled.get(key);
  if (!schema) {
    try {
      schema = z.fromJSONSchema(asPythonValidates(spec) as Parameters<typeof z.fromJSONSchema>[0]);
    } catch {
      return null; // A spec zod cannot read is left to the connector's own check.
    }
    if (compiled.size > 64) compiled.clear();
    compiled.set(key, schema);
  }
  return schema;
}

/** The problems of a config, empty when it is valid (or when the spec cannot be read). */
export function validateConfig(
  spec: Record<string, unknown>,
  config: Record<string, unknown>,
): FieldProblem[] {
  const schema = schemaFor(spec);
  if (!schema) return [];
  // jitless: a config is checked once per call, so compiling a fast path costs more than it saves.
  const result = schema.safeParse(config, { jitless: true });
  if (result.success) return [];
  const problems: FieldProblem[] = [];
  for (const issue of result.error.issues) collect(issue, [], problems);
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.field}\u0000${p.problem}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

type Issue = z.core.$ZodIssue;

function collect(issue: Issue, prefix: PropertyKey[], out: FieldProblem[]): void {
  const path = [...prefix, ...issue.path];
  if (issue.code === "invalid_union" && issue.errors.length > 0) {
    // Report the option that came closest (fewest problems), as "one of the options" is no help.
    const best = [...issue.errors].sort((a, b) => a.length - b.length)[0] as Issue[];
    if (best.length > 0) {
      for (const inner of best) collect(inner, path, out);
      return;
    }
  }
  out.push({ field: fieldName(path), problem: describeIssue(issue) });
}

function fieldName(path: PropertyKey[]): string {
  if (path.length === 0) return "(the config)";
  return path
    .map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
    .join("");
}

function describeIssue(issue: Issue): string {
  switch (issue.code) {
    case "invalid_type":
      return issue.message.endsWith("received undefined") ? "is required" : `expected ${issue.expected}`;
    case "invalid_value":
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
    case "invalid_format":
      return issue.format === "regex" && "pattern" in issue
        ? `must match the pattern ${String(issue.pattern)}`
        : `must be in ${issue.format === "datetime" ? "date-time" : issue.format} format`;
    case "too_small":
      return `too small (minimum ${String(issue.minimum)})`;
    case "too_big":
      return `too big (maximum ${String(issue.maximum)})`;
    case "unrecognized_keys":
      return `unknown field(s) ${issue.keys.join(", ")}`;
    default:
      // zod's messages for the remaining codes name expectations, not values.
      return issue.message.replace(/^Invalid input: /, "");
  }
}

// Keywords whose value maps names to subschemas, and keywords whose value is a subschema or a list
// of them (JSON Schema drafts 4 to 2020-12).
const SCHEMA_MAPS = new Set([
  "properties",
  "patternProperties",
  "$defs",
  "definitions",
  "dependentSchemas",
  "dependencies",
]);
const SCHEMAS = new Set([
  "items",
  "prefixItems",
  "additionalItems",
  "unevaluatedItems",
  "contains",
  "additionalProperties",
  "unevaluatedProperties",
  "propertyNames",
  "oneOf",
  "anyOf",
  "allOf",
  "not",
  "if",
  "then",
  "else",
]);

/**
 * The spec as the CDK and PyAirbyte apply it (jsonschema's validate, without a format checker):
 * - `format` is left out. It is an annotation there, not a check, and specs contradict it: source-
 *   coingecko-coins asks for `format: date` with a pattern of dd-mm-yyyy.
 * - `type: "object"` is added to every subschema that has properties but no type. Connector specs
 *   often leave it out in oneOf branches, and the schema converter then lets every branch match
 *   anything ("more than one option matched" for a valid config).
 * - A required key without a property schema gets an empty one, which the converter needs to
 *   check that the key is there.
 */
function asPythonValidates(spec: Record<string, unknown>): Record<string, unknown> {
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (node === null || typeof node !== "object") return node;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) {
      if (k === "format") continue;
      if (SCHEMA_MAPS.has(k) && v !== null && typeof v === "object" && !Array.isArray(v)) {
        out[k] = Object.fromEntries(Object.entries(v).map(([name, sub]) => [name, walk(sub)]));
      } else if (SCHEMAS.has(k)) {
        out[k] = walk(v);
      } else out[k] = v; // enum, const, default, examples…: values, not schemas
    }
    if (out.type === undefined && ("properties" in out || "required" in out)) out.type = "object";
    if (Array.isArray(out.required) && out.additionalProperties !== false) {
      // The schema converter checks only required keys it has a property schema for.
      const properties = { ...(out.properties as Record<string, unknown> | undefined) };
      for (const k of out.required) if (typeof k === "string" && !(k in properties)) properties[k] = {};
      out.properties = properties;
    }
    return out;
  };
  return walk(spec) as Record<string, unknown>;
}
