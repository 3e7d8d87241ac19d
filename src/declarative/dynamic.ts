// dynamic_streams and DynamicSchemaLoader, as the CDK resolves them: streams made from a template,
// one for each component a resolver finds (an API's list, the config's entries, fixed parameters),
// and a stream's JSON schema read from the API. Both read over the network, so they are resolved
// when a command needs them (discover, check, read), not when the manifest loads.

import YAML from "yaml";
import { copyJson, exactInteger, isRawJson } from "../core/json.ts";
import { DeclarativeError } from "./errors.ts";
import type { ComponentFactory } from "./factory.ts";
import { tuple } from "./interpolation/pyvalues.ts";
import { propagateTypesAndParameters } from "./manifest/transform.ts";
import { type AddedField, addedValue, type Transformation } from "./records.ts";
import { EMPTY_SLICE, sliceView } from "./slice.ts";
import { evalString, evaluateBoolean } from "./template.ts";
import { asArray, dpathGet, dpathSet, isObj, type Obj, truthy } from "./values.ts";

/** A stream of `dynamic_streams`, resolved: its manifest node, and where it came from. */
export interface ResolvedStream {
  node: Obj;
  where: string;
}

/**
 * The streams of `dynamic_streams`, in definition order and then in the order the resolver finds
 * its components; each a deep copy of the template with the mappings set, its types and
 * `$parameters` propagated again (use_parent_parameters, default true).
 */
export async function resolveDynamicStreams(
  manifest: Obj,
  factory: ComponentFactory,
  config: Obj,
  signal: AbortSignal,
): Promise<ResolvedStream[]> {
  const out: ResolvedStream[] = [];
  const names = new Map<string, "system_error" | "config_error">();
  for (const [index, d] of asArray<Obj>(manifest.dynamic_streams).entries()) {
    const where = `dynamic_streams[${index}]`;
    const resolver = isObj(d.components_resolver) ? d.components_resolver : {};
    const template = isObj(d.stream_template) ? d.stream_template : {};
    const mappings = asArray<Obj>(resolver.components_mapping);
    const parameters = isObj(resolver.$parameters) ? resolver.$parameters : {};
    const byConfig = resolver.type === "ConfigComponentsResolver";
    if (!byConfig && mappings.some((m) => typeof m.condition === "string" && m.condition !== ""))
      throw new DeclarativeError(
        `${where}: \`condition\` is only supported for \`ConfigComponentsResolver\``,
      );
    for await (const item of components(resolver, d, factory, config, parameters, where, signal)) {
      const node = copyJson(template);
      for (const m of mappings) {
        const ctx: Obj = {
          config,
          parameters,
          components_values: item.values,
          stream_template_config: template,
        };
        if (item.slice) {
          const view = sliceView({ partition: item.slice, cursor: {} });
          Object.assign(ctx, { stream_slice: view, stream_partition: view, stream_interval: view });
        }
        if (
          byConfig &&
          typeof m.condition === "string" &&
          m.condition !== "" &&
          !evaluateBoolean(m.condition, ctx)
        )
          continue;
        const path = asArray(m.field_path).map((p) => evalString(p, ctx));
        // A mapping's value is evaluated as an AddedFieldDefinition's (its value_type limits the literal).
        const valueType = (m.value_type as AddedField["valueType"]) ?? null;
        let value = addedValue({ path, value: m.value, valueType }, ctx);
        // The config and parametrized resolvers read a string as YAML (and may create the path).
        if (resolver.type !== "HttpComponentsResolver" && typeof value === "string" && valueType !== "string")
          value = yamlValue(value);
        value = digitsOfExactIntegers(value);
        if (resolver.type === "HttpComponentsResolver") {
          // dpath.set: only paths that exist are set.
          setExisting(node, path, value);
          continue;
        }
        if (!setExisting(node, path, value) && truthy(value) && m.create_or_update === true)
          dpathSet(node, path, value);
      }
      const stream = propagateTypesAndParameters("", node, {}, d.use_parent_parameters !== false);
      if (!Object.hasOwn(stream, "type")) stream.type = "DeclarativeStream";
      const name = stream.name;
      if (typeof name !== "string")
        throw new DeclarativeError(
          `${where}: Expected stream name ${String(name)} to be a string, got ${typeof name}.`,
        );
      if (names.has(name)) {
        throw new DeclarativeError(
          `Dynamic streams list contains a duplicate name: ${name}. ${byConfig ? "Please check your configuration." : "Please contact Airbyte Support."}`,
          byConfig ? "config_error" : "system_error",
        );
      }
      names.set(name, byConfig ? "config_error" : "system_error");
      out.push({ node: stream, where: `${where} (${name})` });
    }
  }
  return out;
}

/** What a resolver finds: each component's values, and the slice it came from (HTTP only). */
async function* components(
  resolver: Obj,
  d: Obj,
  factory: ComponentFactory,
  config: Obj,
  parameters: Obj,
  where: string,
  signal: AbortSignal,
): AsyncGenerator<{ values: unknown; slice?: Obj }> {
  switch (resolver.type) {
    case "HttpComponentsResolver": {
      // Every record of every partition and page, as the resolver's retriever reads them.
      const runner = factory.stream(
        {
          type: "DeclarativeStream",
          name: typeof d.name === "string" && d.name !== "" ? d.name : "__http_components_resolver",
          retriever: resolver.retriever,
          schema_loader: { type: "InlineSchemaLoader", schema: {} },
          $parameters: parameters,
        },
        `${where}.components_resolver`,
      );
      for await (const { record, partition } of runner.records(signal))
        yield { values: record, slice: partition };
      return;
    }
    case "ConfigComponentsResolver": {
      // Each stream_config's list (the config value at configs_pointer, then default_values); with
      // several, every combination, dicts merged and other values as (index, value) pairs.
      const configs = Array.isArray(resolver.stream_config)
        ? resolver.stream_config
        : [resolver.stream_config];
      const lists = configs.map((sc: Obj) => {
        const pointer = asArray(sc.configs_pointer).map((p) => evalString(p, { config, parameters }));
        const found = dpathGet(config, pointer) ?? [];
        return [...(Array.isArray(found) ? found : [found]), ...asArray(sc.default_values)];
      });
      for (const combination of product(lists)) {
        const values: Obj = {};
        combination.forEach(([elemIndex, elem], configIndex) => {
          if (isObj(elem)) Object.assign(values, elem);
          else values[`source_config_${configIndex}`] = tuple([elemIndex, elem]);
        });
        yield { values };
      }
      return;
    }
    case "ParametrizedComponentsResolver": {
      const stream = isObj(resolver.stream_parameters) ? resolver.stream_parameters : {};
      for (const values of asArray(stream.list_of_parameters_for_stream)) yield { values };
      return;
    }
    default:
      throw new DeclarativeError(
        `${where}.components_resolver: component type '${String(resolver.type)}' is not supported by the native runner.`,
      );
  }
}

/**
 * An integer beyond 2^53 (a 64-bit id) as its digits: the stream built from the template reads its
 * fields as text (a path, a name, a parameter), and Python's str() of the int gives those digits.
 */
function digitsOfExactIntegers(value: unknown): unknown {
  return mapLeaves(value, (v) => (isRawJson(v) ? v.rawJSON : v));
}

/** The value with each leaf (what is not a list or a dict) replaced by `leaf` of it. */
function mapLeaves(value: unknown, leaf: (v: unknown) => unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => mapLeaves(v, leaf));
  if (!isObj(value)) return leaf(value);
  const out: Obj = {};
  for (const k in value) out[k] = mapLeaves(value[k], leaf);
  return out;
}

/** itertools.product over indexed lists. */
function* product(lists: unknown[][]): Generator<[number, unknown][]> {
  if (lists.length === 0) return;
  const [first, ...rest] = lists as [unknown[], ...unknown[][]];
  if (rest.length === 0) {
    for (const [i, v] of first.entries()) yield [[i, v]];
    return;
  }
  for (const [i, v] of first.entries()) for (const tail of product(rest)) yield [[i, v], ...tail];
}

/**
 * yaml.safe_load of a mapping's string value (PyYAML reads YAML 1.1: `NO` is false, `1:30` is 90,
 * `017` octal); the text as it is when it is not YAML. A run of digits with a leading zero that is
 * not octal (an id such as 0123456789) is a string to PyYAML, where YAML 1.1 here reads a number.
 */
function yamlValue(text: string): unknown {
  if (/^[-+]?0[0-9_]+$/.test(text.trim()) && !/^[-+]?0[0-7_]+$/.test(text.trim())) return text;
  try {
    const parsed = YAML.parse(text, { version: "1.1", intAsBigInt: true });
    return parsed === undefined ? text : exactIntegers(parsed);
  } catch {
    return text;
  }
}

/** YAML's big integers as numbers, or as exact integers beyond 2^53 (PyYAML's ints are exact). */
function exactIntegers(value: unknown): unknown {
  return mapLeaves(value, (v) => {
    if (typeof v !== "bigint") return v;
    const safe = v >= Number.MIN_SAFE_INTEGER && v <= Number.MAX_SAFE_INTEGER;
    return safe ? Number(v) : exactInteger(v.toString());
  });
}

/** dpath.set: the value at every existing path that matches (`*` any key, `**` any depth); false when none. */
function setExisting(root: unknown, path: readonly string[], value: unknown): boolean {
  if (path.length === 0) return false;
  const [head, ...rest] = path as [string, ...string[]];
  const keys = (node: unknown): string[] =>
    Array.isArray(node) ? node.map((_, i) => String(i)) : isObj(node) ? Object.keys(node) : [];
  const child = (node: unknown, k: string) => (node as Record<string, unknown>)[k];
  const put = (node: unknown, k: string) => {
    if (Array.isArray(node)) node[Number(k)] = value;
    else (node as Obj)[k] = value;
  };
  if (head === "**") {
    let any = setExisting(root, rest, value);
    for (const k of keys(root)) any = setExisting(child(root, k), path, value) || any;
    return any;
  }
  const matches = head === "*" ? keys(root) : keys(root).includes(head) ? [head] : [];
  let any = false;
  for (const k of matches) {
    if (rest.length === 0) {
      put(root, k);
      any = true;
    } else any = setExisting(child(root, k), rest, value) || any;
  }
  return any;
}

// DynamicSchemaLoader ----------------------------------------------------------------------------

const AIRBYTE_DATA_TYPES: Readonly<Record<string, Obj>> = {
  string: { type: ["null", "string"] },
  boolean: { type: ["null", "boolean"] },
  date: { type: ["null", "string"], format: "date" },
  timestamp_without_timezone: {
    type: ["null", "string"],
    format: "date-time",
    airbyte_type: "timestamp_without_timezone",
  },
  timestamp_with_timezone: { type: ["null", "string"], format: "date-time" },
  time_without_timezone: { type: ["null", "string"], format: "time", airbyte_type: "time_without_timezone" },
  time_with_timezone: { type: ["null", "string"], format: "time", airbyte_type: "time_with_timezone" },
  integer: { type: ["null", "integer"] },
  number: { type: ["null", "number"] },
  array: { type: ["null", "array"] },
  object: { type: ["null", "object"] },
};

export interface DynamicSchemaSpec {
  /** The loader's retriever as a stream node (read for its first record only). */
  retriever: Obj;
  schemaPointer: string[];
  keyPointer: string[];
  typePointer: string[] | null;
  typesMapping: { target: unknown; current: unknown; condition: string | null }[];
  filter: string | null;
  /** The schema_filter's and the transformations' `parameters`. */
  filterParameters: Obj;
  parameters: Obj;
  transformations: Transformation[];
  where: string;
}

/**
 * DynamicSchemaLoader.get_json_schema: the first record the retriever reads, the list at
 * schema_pointer in it, and for each item a property named by key_pointer, typed by type_pointer
 * (default string) through the first matching types_mapping; then schema_filter and the
 * transformations over the properties.
 */
export async function loadDynamicSchema(
  spec: DynamicSchemaSpec,
  factory: ComponentFactory,
  config: Obj,
  signal: AbortSignal,
): Promise<Obj> {
  const runner = factory.stream(spec.retriever, spec.where);
  // read_records({}): one empty slice (a partition router there is not iterated), first record.
  let first: Obj | undefined;
  for await (const page of runner.pages(EMPTY_SLICE, {}, signal)) {
    first = page[0];
    if (first !== undefined) break;
  }
  const raw =
    first === undefined ? [] : spec.schemaPointer.length > 0 ? dpathGet(first, spec.schemaPointer) : first;
  if (!Array.isArray(raw))
    throw new DeclarativeError(`${spec.where}: the schema the API returned at schema_pointer is not a list.`);
  let properties: Obj = {};
  for (const item of raw) {
    const key = dpathGet(item, spec.keyPointer);
    if (typeof key !== "string")
      throw new DeclarativeError(`Expected key to be a string. Got ${String(key)}`);
    const found = spec.typePointer ? dpathGet(item, spec.typePointer) : undefined;
    let type: unknown = found === undefined ? "string" : found;
    for (const m of spec.typesMapping) {
      if (JSON.stringify(m.current) !== JSON.stringify(type)) continue;
      if (!evaluateBoolean(m.condition ?? "True", { config, raw_schema: item })) continue;
      type = m.target;
      break;
    }
    properties[key] = fieldSchema(type);
  }
  if (spec.filter !== null) {
    const kept: Obj = {};
    for (const [k, v] of Object.entries(properties))
      if (
        evaluateBoolean(spec.filter, {
          config,
          parameters: spec.filterParameters,
          stream_state: {},
          stream_slice: null,
          record: { [k]: v },
        })
      )
        kept[k] = v;
    properties = kept;
  }
  for (const t of spec.transformations) t(properties, { config, parameters: spec.parameters });
  return {
    $schema: "https://json-schema.org/draft-07/schema#",
    type: "object",
    additionalProperties: true,
    properties,
  };
}

function fieldSchema(type: unknown): Obj {
  if (Array.isArray(type) && type.length === 2 && type.every((t) => typeof t === "string"))
    return { oneOf: type.map((t) => fieldSchema(t)) };
  if (typeof type === "string") {
    const known = AIRBYTE_DATA_TYPES[type];
    if (!known) throw new DeclarativeError(`Invalid Airbyte data type: ${type}`);
    return structuredClone(known);
  }
  if (isObj(type) && typeof type.field_type === "string") {
    const out = fieldSchema(type.field_type);
    if (type.items !== undefined) out.items = fieldSchema(type.items);
    return out;
  }
  throw new DeclarativeError(
    `Invalid data type. Available string or two items list of string. Got ${JSON.stringify(type)}.`,
  );
}
