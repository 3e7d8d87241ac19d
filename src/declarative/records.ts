// From decoded bodies to records: extract (DpathExtractor), filter (RecordFilter), transform
// (AddFields, RemoveFields, key renames), normalize types, as the CDK's RecordSelector does.

import { copyJson, exactInteger, isRawJson } from "../core/json.ts";
import { DeclarativeError } from "./errors.ts";
import { evalString, evaluate, evaluateBoolean } from "./template.ts";
import {
  asArray,
  dpathDelete,
  dpathDeleteAt,
  dpathGet,
  dpathSet,
  dpathValues,
  isObj,
  type Obj,
  pyStr,
  truthy,
} from "./values.ts";

export type Extractor = (body: unknown, ctx: Obj) => unknown[];

/** RecordExpander: the items of a list inside each record, as records of their own. */
export interface RecordExpander {
  path: readonly string[];
  remainOriginalRecord: boolean;
  emitParentWhenEmpty: boolean;
}

export function dpathExtractor(
  fieldPath: readonly unknown[],
  expander: RecordExpander | null = null,
): Extractor {
  const templated = fieldPath.some((p) => typeof p === "string" && p.includes("{{"));
  const fixed = fieldPath.map(String);
  const extract = (body: unknown, ctx: Obj): unknown[] => {
    const path = templated ? fieldPath.map((p) => evalString(p, ctx)) : fixed;
    let extracted: unknown;
    if (path.length === 0) extracted = body;
    else if (path.includes("*")) extracted = dpathValues(body, path);
    else {
      extracted = dpathGet(body, path);
      if (extracted === undefined) extracted = [];
    }
    if (Array.isArray(extracted)) return extracted;
    if (isObj(extracted) ? Object.keys(extracted).length > 0 : Boolean(extracted)) return [extracted];
    return [];
  };
  if (expander === null) return extract;
  return (body, ctx) => extract(body, ctx).flatMap((record) => expand(record, expander));
}

/** RecordExpander.expand_record. */
function expand(record: unknown, e: RecordExpander): unknown[] {
  if (!isObj(record) || e.path.length === 0) return [record];
  const out: unknown[] = [];
  for (const value of dpathValues(record, e.path as string[])) {
    if (!Array.isArray(value)) continue;
    for (const item of value) {
      if (isObj(item)) {
        const copy: Obj = { ...item };
        if (e.remainOriginalRecord) copy.original_record = copyJson(record);
        out.push(copy);
      } else out.push(e.remainOriginalRecord ? { value: item, original_record: copyJson(record) } : item);
    }
  }
  if (out.length === 0 && e.emitParentWhenEmpty) out.push(record);
  return out;
}

export type Transformation = (record: Obj, ctx: Obj) => void;

export interface AddedField {
  path: string[];
  value: unknown;
  valueType: "string" | "number" | "integer" | "boolean" | null;
}

/** The CDK's _json_schema_type_name_to_type: value_type as the Python type literal_eval must give. */
const VALUE_TYPES = { string: "str", number: "float", integer: "int", boolean: "bool" } as const;

/**
 * AddFields: each value is an InterpolatedString whose default is itself (so a missing value adds
 * ""), and value_type only says which literal types it may become: anything else stays as rendered
 * ("5" with value_type number stays "5"), as in the CDK.
 */
export function addFields(fields: AddedField[], condition: string | null): Transformation {
  return (record, ctx) => {
    const c = { ...ctx, record };
    for (const f of fields) {
      const value = addedValue(f, c);
      if (condition !== null && !evaluateBoolean(condition, { ...c, value })) continue;
      dpathSet(record, f.path, value);
    }
  };
}

/** AddFields' or ConfigAddFields' `fields`: AddedFieldDefinition nodes. */
export function addedFieldsOf(fields: unknown): AddedField[] {
  return asArray<Obj>(fields).map((f) => ({
    path: asArray(f.path).map(String),
    value: f.value,
    valueType: (f.value_type as AddedField["valueType"]) ?? null,
  }));
}

/** An AddedFieldDefinition's value in a context (AddFields' records, ConfigAddFields' config). */
export function addedValue(f: AddedField, ctx: Obj): unknown {
  if (typeof f.value !== "string") return f.value;
  return evaluate(f.value, ctx, {
    default: f.value,
    ...(f.valueType ? { validTypes: [VALUE_TYPES[f.valueType]] } : {}),
  });
}

export function removeFields(pointers: string[][], condition: string | null): Transformation {
  if (condition === null) {
    return (record) => {
      for (const p of pointers) dpathDelete(record, p);
    };
  }
  // With a condition the CDK calls dpath.delete(record, pointer, afilter=condition), which deletes
  // every leaf (a string, number, boolean or null) the condition holds for, anywhere in the record,
  // whether it matches the pointer or not, and nothing else: the pointers only count as a pass each.
  return (record, ctx) => {
    const holds = (v: unknown) => evaluateBoolean(condition, { ...ctx, record, property: v });
    for (const _ of pointers) deleteLeavesWhere(record, holds);
  };
}

const isLeaf = (v: unknown) =>
  v === null || (typeof v !== "object" && typeof v !== "function") || isRawJson(v);

/** dpath's delete with a filter: every leaf the condition holds for goes. */
function deleteLeavesWhere(node: unknown, holds: (v: unknown) => boolean): void {
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) {
      const v = node[i];
      if (isLeaf(v)) {
        if (holds(v)) dpathDeleteAt(node, i);
      } else deleteLeavesWhere(v, holds);
    }
  } else if (isObj(node)) {
    for (const k of Object.keys(node)) {
      const v = node[k];
      if (isLeaf(v)) {
        if (holds(v)) delete node[k];
      } else deleteLeavesWhere(v, holds);
    }
  }
}

/** Renames an object's keys in place, in their order; `nested`: in nested objects too (not in lists). */
function renameIn(object: Obj, rename: (key: string) => string, nested: boolean): void {
  const entries = Object.entries(object);
  for (const [k] of entries) delete object[k];
  for (const [k, v] of entries) {
    if (nested && isObj(v)) renameIn(v, rename, true);
    object[rename(k)] = v;
  }
}

export function renameKeys(rename: (key: string) => string): Transformation {
  return (record) => renameIn(record, rename, false);
}

export const keysToLower: Transformation = renameKeys((k) => k.toLowerCase());

// KeyToSnakeCaseTransformation.TOKEN_PATTERN, plus runs of letters and digits of other scripts
// (unidecode would spell those out; dropping them would merge different keys into one); a run of
// anything else is an empty token.
const SNAKE_TOKENS = /[A-Z]+[a-z]*|[a-z]+|\d+|[\p{L}\p{N}]+|([^\p{L}\p{N}]+)/gu;
// What unidecode spells differently from "the letter without its accent".
const TRANSLITERATED: Record<string, string> = {
  ß: "ss",
  Æ: "AE",
  æ: "ae",
  Ø: "O",
  ø: "o",
  Œ: "OE",
  œ: "oe",
  Đ: "D",
  đ: "d",
  Ł: "L",
  ł: "l",
  Þ: "Th",
  þ: "th",
  Ð: "D",
  ð: "d",
};
const TRANSLITERATED_CHARS = new RegExp(`[${Object.keys(TRANSLITERATED).join("")}]`, "g");

/**
 * KeysToSnakeCase as the CDK does it: unidecode (here: accents dropped and the common Latin
 * letters spelled out; other scripts are not transliterated), the token pattern, empty tokens
 * dropped except at either end, a leading number given an empty token before it, "_" between.
 */
export const keysToSnakeCase: Transformation = renameKeys((key) => {
  const ascii = key
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .replace(TRANSLITERATED_CHARS, (c) => TRANSLITERATED[c] ?? c);
  let tokens = [...ascii.matchAll(SNAKE_TOKENS)].map((m) => (m[1] === undefined ? m[0] : ""));
  if (tokens.length >= 3)
    tokens = [tokens[0] as string, ...tokens.slice(1, -1).filter((t) => t !== ""), tokens.at(-1) as string];
  if (tokens.length > 0 && /^\d+$/.test(tokens[0] as string)) tokens.unshift("");
  const snake = tokens.map((t) => t.toLowerCase()).join("_");
  // Symbols only ("€", "%"): unidecode spells them out; rather than an empty key, keep the key.
  return /[\p{L}\p{N}]/u.test(snake) ? snake : key;
});

/** KeysReplace: every key's `old` text replaced, in nested objects too (not inside lists), as the CDK does. */
export function keysReplace(oldText: string, newText: string): Transformation {
  return (record, ctx) => {
    const o = evalString(oldText, { ...ctx, record });
    const n = evalString(newText, { ...ctx, record });
    renameIn(record, (k) => k.split(o).join(n), true);
  };
}

/** FlattenFields: nested objects (and lists, when asked) become dotted top-level keys. */
export function flattenFields(flattenLists: boolean): Transformation {
  // FlattenFields.flatten_record, step for step: a stack (last in, first out); a key keeps its own
  // name unless an earlier one took it or a list has been flattened, then it gets its parent's.
  return (record) => {
    const out: Obj = {};
    const stack: [unknown, string][] = [[record, "_"]];
    let withParentName = false;
    while (stack.length > 0) {
      const [current, parentKey] = stack.pop() as [unknown, string];
      if (isObj(current)) {
        for (const [k, v] of Object.entries(current))
          stack.push([v, Object.hasOwn(out, k) || withParentName ? `${parentKey}.${k}` : k]);
      } else if (Array.isArray(current) && flattenLists) {
        for (let i = 0; i < current.length; i++) {
          withParentName = true;
          stack.push([current[i], `${parentKey}.${i}`]);
        }
      } else out[parentKey] = current;
    }
    for (const k of Object.keys(record)) delete record[k];
    Object.assign(record, out);
  };
}

/** DpathFlattenFields: the object at a path is merged into the record (keys optionally renamed). */
export function dpathFlattenFields(
  fieldPath: readonly unknown[],
  deleteOrigin: boolean,
  replaceRecord: boolean,
  prefix: string,
  suffix: string,
): Transformation {
  return (record, ctx) => {
    const path = fieldPath.map((p) => evalString(p, ctx));
    const extracted = path.includes("*") ? dpathValues(record, path)[0] : dpathGet(record, path);
    if (!isObj(extracted)) return;
    const renamed: Obj = {};
    for (const [k, v] of Object.entries(extracted)) renamed[`${prefix}${k}${suffix}`] = v;
    if (replaceRecord) for (const k of Object.keys(record)) delete record[k];
    else if (deleteOrigin) dpathDelete(record, path);
    Object.assign(record, renamed);
  };
}

/**
 * schema_normalization: Default, as the CDK's TypeTransformer does it: every value under the
 * schema's `properties` (and each element under `items`), at any depth, goes through
 * default_convert for its type, then its own properties or items do.
 */
export function normalizer(schema: unknown): (record: Obj) => void {
  return (record) => normalizeChildren(record, schema);
}

function normalizeChildren(instance: unknown, schema: unknown): void {
  if (!isObj(schema)) return;
  if (isObj(schema.properties) && isObj(instance)) {
    for (const [k, sub] of Object.entries(schema.properties)) {
      if (!Object.hasOwn(instance, k) || !isObj(sub)) continue;
      instance[k] = defaultConvert(instance[k], sub);
      normalizeChildren(instance[k], sub);
    }
  }
  if (isObj(schema.items) && Array.isArray(instance)) {
    const sub = schema.items;
    for (let i = 0; i < instance.length; i++) {
      instance[i] = defaultConvert(instance[i], sub);
      normalizeChildren(instance[i], sub);
    }
  }
}

const SIMPLE_TYPES = new Set(["string", "number", "integer", "boolean", "null"]);
const TRUE_STRINGS = new Set(["y", "yes", "t", "true", "on", "1"]);
const FALSE_STRINGS = new Set(["n", "no", "f", "false", "off", "0"]);
/** What Python's int() and float() read: digits with optional underscores between them, spaces around. */
const PY_INT = /^\s*[-+]?\d+(?:_\d+)*\s*$/;
const PY_FLOAT =
  /^\s*[-+]?(?:(?:\d+(?:_\d+)*)?\.?\d+(?:_\d+)*(?:[eE][-+]?\d+(?:_\d+)*)?|\d+(?:_\d+)*\.|inf(?:inity)?|nan)\s*$/i;

/** TypeTransformer.default_convert: Python's str(), float(), int(), strtobool/bool() for the one type. */
function defaultConvert(v: unknown, schema: Obj): unknown {
  let target: unknown = schema.type ?? [];
  if (v === null && (Array.isArray(target) ? target.includes("null") : target === "null")) return null;
  if (Array.isArray(target)) {
    const types = target.filter((t) => t !== "null");
    if (types.length !== 1) return v;
    target = types[0];
  }
  switch (target) {
    case "string":
      return pyStr(v);
    case "number": {
      if (typeof v === "boolean") return v ? 1 : 0;
      if (typeof v === "number") return v;
      if (typeof v === "string" && PY_FLOAT.test(v)) {
        const n = Number(
          v
            .replace(/_/g, "")
            .trim()
            .replace(/^([-+]?)inf(inity)?$/i, "$1Infinity"),
        );
        return Number.isNaN(n) && !/nan/i.test(v) ? v : n;
      }
      return v;
    }
    case "integer": {
      if (typeof v === "boolean") return v ? 1 : 0;
      if (typeof v === "number") return Number.isFinite(v) ? Math.trunc(v) : v;
      if (typeof v === "string" && PY_INT.test(v)) {
        // int(text) is exact in Python: beyond 2^53 the value keeps its digits.
        const text = v.replace(/_/g, "").trim();
        const n = Number(text);
        return Number.isSafeInteger(n) ? n : exactInteger(BigInt(text).toString());
      }
      return v;
    }
    case "boolean": {
      if (typeof v === "string") {
        const s = v.trim().toLowerCase();
        return TRUE_STRINGS.has(s) ? true : FALSE_STRINGS.has(s) ? false : v;
      }
      return truthy(v); // Python's bool()
    }
    case "array": {
      // set(items.get("type", set())): a type written as a string is a set of its characters there,
      // which is never a subset of the simple types, so only a list of types (or none) wraps.
      const items = isObj(schema.items) ? schema.items.type : undefined;
      const itemTypes =
        items === undefined ? [] : Array.isArray(items) ? items : typeof items === "string" ? [...items] : [];
      const simple = itemTypes.every((t) => typeof t === "string" && SIMPLE_TYPES.has(t));
      const scalar = v === null || typeof v === "string" || typeof v === "number" || typeof v === "boolean";
      return simple && scalar ? [v] : v;
    }
  }
  return v;
}

export interface RecordSelector {
  extract: Extractor;
  filter: string | null;
  /** The RecordFilter's `parameters`; null to use the page's. */
  filterParameters?: Obj | null;
  /** transform_before_filtering: the filter sees transformed records. */
  transformFirst: boolean;
  transformations: Transformation[];
  normalize: ((record: Obj) => void) | null;
}

/**
 * Runs a decoded response through the selector; the context is the page's (slice, state, token).
 * `extracted`, when given, receives how many records the extractor found before any filter: what
 * the CDK's offset and page-number strategies count (they run the extractor again).
 */
export function selectRecords(
  selector: RecordSelector,
  bodies: unknown[],
  ctx: Obj,
  extracted?: { count: number },
): Obj[] {
  // The common case, a page of plain records with nothing to do: the extracted list as it is.
  if (
    bodies.length === 1 &&
    selector.filter === null &&
    selector.transformations.length === 0 &&
    !selector.normalize
  ) {
    const list = selector.extract(bodies[0], ctx);
    if (extracted) extracted.count = list.length;
    let plain = true;
    for (let i = 0; i < list.length; i++) {
      if (!isObj(list[i])) {
        plain = false;
        break;
      }
    }
    if (plain) return list as Obj[];
  }
  return selectEach(selector, bodies, ctx, extracted);
}

/** The general case, record by record: filter, transformations, normalization. */
function selectEach(
  selector: RecordSelector,
  bodies: unknown[],
  ctx: Obj,
  extracted: { count: number } | undefined,
): Obj[] {
  const out: Obj[] = [];
  if (extracted) extracted.count = 0;
  for (const body of bodies) {
    const list = selector.extract(body, ctx);
    if (extracted) extracted.count += list.length;
    for (const data of list) {
      if (!isObj(data)) {
        if (data === null || data === undefined) continue;
        throw new DeclarativeError(
          `The record selector found a ${Array.isArray(data) ? "list" : typeof data} where a record (a JSON object) was expected. Check the extractor's field_path.`,
        );
      }
      if (selector.transformFirst) for (const t of selector.transformations) t(data, ctx);
      if (selector.filter !== null) {
        const filterCtx = selector.filterParameters ? { ...ctx, parameters: selector.filterParameters } : ctx;
        if (!evaluateBoolean(selector.filter, { ...filterCtx, record: data })) continue;
      }
      if (!selector.transformFirst) for (const t of selector.transformations) t(data, ctx);
      selector.normalize?.(data);
      out.push(data);
    }
  }
  return out;
}
