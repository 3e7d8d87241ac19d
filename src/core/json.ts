// JSON text from APIs and connectors, parsed without losing integers: an integer beyond 2^53
// (a Twitter or Discord id, a 64-bit counter) becomes a raw JSON value that prints and serializes
// with its exact digits, as Python's json keeps them, instead of a rounded double.

/** JSON.rawJSON and JSON.isRawJSON (JSON.parse source text access), which Bun has. */
const J = JSON as JSON & { rawJSON(text: string): RawJson; isRawJSON(v: unknown): boolean };

/** 16 digits in a row (2^53 has 16): a cheap first look, as the regex engine scans for digits fast. */
const DIGITS16 = /\d{16}/;
/**
 * The same where a JSON value starts: an integer token a double may not hold. Fractions
 * (0.30000000000000004) do not match, so they parse at JSON.parse's speed. Asked only after
 * DIGITS16, as its leading alternative makes the engine slower at scanning a whole page.
 */
const LONG_INTEGER = /(?:^|[[:,\s])-?\d{16}/;
const INTEGER = /^-?\d+$/;

/** Whether the last text parsed had an integer beyond 2^53 (see parseJson). */
let lastHadLongInteger = false;

/**
 * JSON.parse, keeping integers beyond 2^53 exact. The common text (no such run) parses as usual.
 * The text is looked at after JSON.parse has read it, which costs less in all (the scan runs
 * faster over text the parser has just read, and the parse is no slower for it); where it holds
 * such an integer it is parsed again, exactly. An API's pages tend to be alike, so after a text
 * that had one the next is looked at first, and not parsed twice.
 */
export function parseJson(text: string): unknown {
  if (lastHadLongInteger) {
    if (hasLongInteger(text)) return J.parse(text, keepLargeIntegers as never);
    lastHadLongInteger = false;
    return JSON.parse(text);
  }
  const value = JSON.parse(text);
  if (!hasLongInteger(text)) return value;
  lastHadLongInteger = true;
  return J.parse(text, keepLargeIntegers as never);
}

function hasLongInteger(text: string): boolean {
  return DIGITS16.test(text) && LONG_INTEGER.test(text);
}

/**
 * JSON text as Python's json.loads reads it: also NaN, Infinity and -Infinity, which JSON.parse
 * refuses; they become null, as the CDK's serializer (orjson) writes such floats. Tried only after
 * a plain parse failed.
 */
export function parsePythonJson(text: string): unknown {
  try {
    return parseJson(text);
  } catch (error) {
    if (!/NaN|Infinity/.test(text)) throw error;
    return parseJson(withoutNonFinite(text));
  }
}

/** The bare NaN, Infinity and -Infinity tokens outside strings replaced by null. */
function withoutNonFinite(text: string): string {
  let out = "";
  let from = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else {
      const m = /^(?:-?Infinity|NaN)/.exec(text.slice(i, i + 9));
      if (m) {
        out += `${text.slice(from, i)}null`;
        i += m[0].length - 1;
        from = i + 1;
      }
    }
  }
  return out + text.slice(from);
}

function keepLargeIntegers(_key: string, value: unknown, context?: { source?: string }): unknown {
  if (typeof value !== "number" || Number.isSafeInteger(value)) return value;
  const source = context?.source;
  return source !== undefined && INTEGER.test(source) ? J.rawJSON(source) : value;
}

/** An integer beyond 2^53 as an exact value: its decimal digits, serialized as they are. */
export function exactInteger(digits: string): RawJson {
  return J.rawJSON(digits);
}

/** An exact integer kept from JSON text: `rawJSON` holds its digits. */
export interface RawJson {
  readonly rawJSON: string;
}

export function isRawJson(v: unknown): v is RawJson {
  return typeof v === "object" && v !== null && J.isRawJSON(v);
}

/**
 * A deep copy of JSON-like data that keeps exact integers (structuredClone cannot copy them) and
 * tuples' marks aside: plain objects and arrays are copied, everything else is shared.
 */
export function copyJson<T>(value: T): T {
  if (Array.isArray(value)) return value.map(copyJson) as T;
  if (typeof value !== "object" || value === null || isRawJson(value)) return value;
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = copyJson(v);
  return out as T;
}
