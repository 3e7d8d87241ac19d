// Filters (`x | f(args)`) and tests (`x is t`): jinja2's builtins that manifests use plus the CDK's
// own filters (hash, base64encode, base64decode, base64binascii_decode, string, regex_search,
// regex_replace, hmac), with Python's behaviour for each.

import { createHash, createHmac } from "node:crypto";
import { isRawJson } from "../../core/json.ts";
import { PyTimedelta, pyFloatRepr, pyFloatText, pyIntText } from "./datetime.ts";
import { PyError, PyTypeError, PyValueError, UndefinedError } from "./errors.ts";
import {
  arith,
  compare,
  contains,
  type Dict,
  isDict,
  isFloat,
  isInt,
  isNumeric,
  mkFloat,
  num,
  PyCallable,
  PyFloat,
  pyEq,
  pyRepr,
  pyStr,
  setKey,
  truthy,
  tuple,
  typeName,
} from "./pyvalues.ts";
import {
  bind,
  getattr,
  getitem,
  iterate,
  type Kwargs,
  pyCapitalize,
  pyLen,
  pyStrip,
  pyTitle,
} from "./runtime.ts";

export type Filter = (value: unknown, args: unknown[], kwargs: Kwargs) => unknown;
export type Test = (value: unknown, args: unknown[]) => boolean;

// ---- shared helpers ----

/** Python's json.dumps (ensure_ascii, ", " and ": " separators); TypeError for non-JSON values. */
export function pyJsonDumps(v: unknown, opts: { sortKeys?: boolean; indent?: number | null } = {}): string {
  const indent = opts.indent ?? null;
  const enc = (x: unknown, level: number): string => {
    if (x === null) return "null";
    if (x === true) return "true";
    if (x === false) return "false";
    if (typeof x === "string") return jsonString(x);
    if (typeof x === "number") {
      if (Number.isNaN(x)) return "NaN";
      if (!Number.isFinite(x)) return x > 0 ? "Infinity" : "-Infinity";
      return pyStr(x);
    }
    if (x instanceof PyFloat) return pyFloatRepr(x.v);
    if (isRawJson(x)) return x.rawJSON;
    const nl = indent === null ? "" : `\n${" ".repeat(indent * (level + 1))}`;
    const end = indent === null ? "" : `\n${" ".repeat(indent * level)}`;
    const sep = indent === null ? ", " : ",";
    if (Array.isArray(x)) {
      if (!x.length) return "[]";
      return `[${nl}${x.map((y) => enc(y, level + 1)).join(sep + nl)}${end}]`;
    }
    if (isDict(x)) {
      let keys = Object.keys(x);
      if (!keys.length) return "{}";
      if (opts.sortKeys) keys = keys.sort();
      return `{${nl}${keys.map((k) => `${jsonString(k)}: ${enc(x[k], level + 1)}`).join(sep + nl)}${end}}`;
    }
    throw new PyTypeError(`Object of type ${typeName(x)} is not JSON serializable`);
  };
  return enc(v, 0);
}

function jsonString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ch = s[i] as string;
    if (ch === '"') out += '\\"';
    else if (ch === "\\") out += "\\\\";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\b") out += "\\b";
    else if (ch === "\f") out += "\\f";
    else if (c < 0x20 || c > 0x7e) out += `\\u${c.toString(16).padStart(4, "0")}`;
    else out += ch;
  }
  return `${out}"`;
}

const ALWAYS_SAFE = /[A-Za-z0-9_.\-~]/;

/** urllib.parse.quote over UTF-8 bytes. */
export function pyQuote(s: string, safe = "/"): string {
  let out = "";
  for (const ch of s) {
    if (ALWAYS_SAFE.test(ch) || (ch.length === 1 && safe.includes(ch))) out += ch;
    else for (const b of Buffer.from(ch, "utf8")) out += `%${b.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/** urllib.parse.quote_plus (the CDK's sanitize_url). */
export function pyQuotePlus(s: unknown): string {
  if (typeof s !== "string") throw new PyTypeError(`quote_from_bytes() expected bytes, not ${typeName(s)}`);
  return pyQuote(s, " ").replace(/ /g, "+");
}

const regexCache = new Map<string, RegExp>();

/** A Python `re` pattern as a JS RegExp: named groups, \A/\Z, and leading inline flags translated. */
export function pyRegex(pattern: unknown, global = false): RegExp {
  if (typeof pattern !== "string") throw new PyTypeError(`first argument must be string or compiled pattern`);
  const key = `${global ? "g" : ""}:${pattern}`;
  const hit = regexCache.get(key);
  if (hit) {
    hit.lastIndex = 0;
    return hit;
  }
  let src = pattern;
  let flags = global ? "g" : "";
  const inline = /^\(\?([aiLmsux]+)\)/.exec(src);
  if (inline) {
    src = src.slice(inline[0].length);
    for (const f of inline[1] as string) if ("ims".includes(f) && !flags.includes(f)) flags += f;
  }
  src = src
    .replace(/\(\?P<([A-Za-z_]\w*)>/g, "(?<$1>")
    .replace(/\(\?P=([A-Za-z_]\w*)\)/g, "\\k<$1>")
    .replace(/(^|[^\\])\\A/g, "$1^")
    .replace(/(^|[^\\])\\Z/g, "$1$(?![\\s\\S])");
  let re: RegExp;
  try {
    re = new RegExp(src, flags);
  } catch {
    throw new PyError("re.error", "the regular expression does not compile");
  }
  if (regexCache.size > 500) regexCache.clear();
  regexCache.set(key, re);
  return re;
}

/** re.sub's replacement template: \1, \g<1>, \g<name>, escapes. */
function expandTemplate(template: string, m: RegExpExecArray): string {
  return template.replace(
    /\\(?:g<([^>]*)>|(\d{1,2})|(.))/gs,
    (_all, g: string | undefined, d: string | undefined, e: string | undefined) => {
      const group = g ?? d;
      if (group !== undefined) {
        const v = /^\d+$/.test(group) ? m[Number(group)] : m.groups?.[group];
        if (/^\d+$/.test(group) && Number(group) >= m.length)
          throw new PyError("re.error", `invalid group reference ${group}`);
        return v ?? "";
      }
      const esc: Record<string, string> = {
        n: "\n",
        t: "\t",
        r: "\r",
        f: "\f",
        v: "\v",
        a: "\x07",
        b: "\b",
        "\\": "\\",
      };
      if (e !== undefined && esc[e] !== undefined) return esc[e] as string;
      if (e !== undefined && /[A-Za-z]/.test(e)) throw new PyError("re.error", `bad escape \\${e}`);
      return `\\${e}`;
    },
  );
}

export function regexSearch(value: unknown, regex: unknown): unknown {
  if (typeof value !== "string")
    throw new PyTypeError(`expected string or bytes-like object, got '${typeName(value)}'`);
  const m = pyRegex(regex).exec(value);
  if (m && m.length > 1) return m[1] ?? null;
  return "";
}

export function regexReplace(value: unknown, regex: unknown, replacement: unknown): string {
  if (typeof value !== "string")
    throw new PyTypeError(`expected string or bytes-like object, got '${typeName(value)}'`);
  const rep = typeof replacement === "string" ? replacement : pyStr(replacement);
  const re = pyRegex(regex, true);
  return value.replace(re, (...m: unknown[]) => {
    const groupsAt = typeof m[m.length - 1] === "object" ? m.length - 3 : m.length - 2;
    const arr = m.slice(0, groupsAt) as string[] as unknown as RegExpExecArray;
    const last = m[m.length - 1];
    if (typeof last === "object" && last !== null) arr.groups = last as Record<string, string>;
    return rep.includes("\\") ? expandTemplate(rep, arr) : rep;
  });
}

const HASHES: Record<string, string> = {
  md5: "md5",
  sha1: "sha1",
  sha224: "sha224",
  sha256: "sha256",
  sha384: "sha384",
  sha512: "sha512",
  sha3_224: "sha3-224",
  sha3_256: "sha3-256",
  sha3_384: "sha3-384",
  sha3_512: "sha3-512",
  blake2b: "blake2b512",
  blake2s: "blake2s256",
};

function hashFilter(value: unknown, args: unknown[], kwargs: Kwargs): string {
  const [type = "md5", salt] = bind("hash", ["hash_type", "salt"], args, kwargs);
  const algo = typeof type === "string" && Object.hasOwn(HASHES, type) ? HASHES[type] : undefined;
  if (algo === undefined) throw new PyError("AttributeError", `No hashing function named ${pyStr(type)}`);
  const h = createHash(algo).update(pyStr(value), "utf8");
  if (truthy(salt)) h.update(pyStr(salt), "utf8");
  return h.digest("hex");
}

function hmacFilter(value: unknown, args: unknown[], kwargs: Kwargs): string {
  const [key, type = "sha256"] = bind("hmac", ["key", "hash_type"], args, kwargs, 1);
  if (type !== "sha256")
    throw new PyValueError(`Hash type '${pyStr(type)}' is not allowed. Allowed types: sha256`);
  return createHmac("sha256", Buffer.from(pyStr(key), "utf8"))
    .update(pyStr(value), "utf8")
    .digest("hex");
}

function needStr(value: unknown, what: string): string {
  if (value === undefined) throw new UndefinedError(`an undefined value was passed to ${what}`);
  if (typeof value !== "string")
    throw new PyError("AttributeError", `'${typeName(value)}' object has no attribute 'encode'`);
  return value;
}

function base64decode(value: unknown): string {
  const s = needStr(value, "base64decode").replace(/[^A-Za-z0-9+/=]/g, "");
  const data = s.replace(/=+$/, "");
  if (data.length % 4 === 1 || s.length % 4 !== 0) throw new PyError("binascii.Error", "Incorrect padding");
  const bytes = Buffer.from(data, "base64");
  const text = new TextDecoder("utf-8", { fatal: true });
  try {
    return text.decode(bytes);
  } catch {
    throw new PyError("UnicodeDecodeError", "'utf-8' codec can't decode the decoded bytes");
  }
}

function base64binasciiDecode(value: unknown): string {
  const s = needStr(value, "base64binascii_decode");
  // The CDK's filter of this name encodes (base64.standard_b64encode of the ASCII bytes).
  if (Array.from(s).some((c) => c.charCodeAt(0) > 0x7f))
    throw new PyError("UnicodeEncodeError", "'ascii' codec can't encode a character");
  return Buffer.from(s, "ascii").toString("base64");
}

/** The CDK's `string` filter: str stays, anything else becomes triple-quoted JSON. */
function stringFilter(value: unknown): string {
  if (typeof value === "string") return value;
  return `"""${pyJsonDumps(value)}"""`;
}

function doInt(value: unknown, args: unknown[], kwargs: Kwargs): unknown {
  const [dflt = 0, base = 10] = bind("int", ["default", "base"], args, kwargs);
  if (value === undefined) throw new UndefinedError("an undefined value was passed to int");
  if (typeof value === "string") {
    const b = num(base as number);
    const direct = b === 10 ? pyIntText(value) : parseIntBase(value, b);
    if (direct !== null) return direct;
    const f = pyFloatText(value);
    return f !== null && Number.isFinite(f) ? Math.trunc(f) : dflt;
  }
  if (isNumeric(value)) return Number.isFinite(num(value)) ? Math.trunc(num(value)) : dflt;
  return dflt;
}

function parseIntBase(text: string, base: number): number | null {
  const t = text.trim().replace(/_/g, "").toLowerCase();
  const body = t
    .replace(/^[+-]/, "")
    .replace(base === 16 ? /^0x/ : base === 8 ? /^0o/ : base === 2 ? /^0b/ : /^$/, "");
  const digits = "0123456789abcdefghijklmnopqrstuvwxyz".slice(0, base);
  if (!body || [...body].some((c) => !digits.includes(c))) return null;
  const n = Number.parseInt(body, base);
  return t.startsWith("-") ? -n : n;
}

function doFloat(value: unknown, args: unknown[], kwargs: Kwargs): unknown {
  const [dflt = new PyFloat(0)] = bind("float", ["default"], args, kwargs);
  if (value === undefined) throw new UndefinedError("an undefined value was passed to float");
  if (typeof value === "string") {
    const f = pyFloatText(value);
    return f === null ? dflt : mkFloat(f);
  }
  if (isNumeric(value)) return mkFloat(num(value));
  return dflt;
}

function doRound(value: unknown, args: unknown[], kwargs: Kwargs): unknown {
  const [precision = 0, method = "common"] = bind("round", ["precision", "method"], args, kwargs);
  if (!isNumeric(value)) throw new PyTypeError(`type ${typeName(value)} doesn't define __round__ method`);
  const p = num(precision as number);
  const x = num(value);
  const scale = 10 ** p;
  if (method === "common") return isInt(value) ? x : mkFloat(roundHalfEven(x, p));
  if (method === "ceil") return mkFloat(Math.ceil(x * scale) / scale);
  if (method === "floor") return mkFloat(Math.floor(x * scale) / scale);
  throw new PyError("FilterArgumentError", "method must be common, ceil or floor");
}

/** Python's round(x, p) for a float: the exact binary value rounded to p decimals, ties to even. */
export function roundHalfEven(x: number, p: number): number {
  if (!Number.isFinite(x) || p > 22 || p < -22) return x;
  const scale = 10 ** Math.abs(p);
  // x = m * 2^e exactly
  const buf = new DataView(new ArrayBuffer(8));
  buf.setFloat64(0, x);
  const bits = buf.getBigUint64(0);
  const expBits = Number((bits >> 52n) & 0x7ffn);
  let m = bits & ((1n << 52n) - 1n);
  let e: number;
  if (expBits === 0) e = -1074;
  else {
    m |= 1n << 52n;
    e = expBits - 1075;
  }
  if (bits >> 63n) m = -m;
  // X = x * 10^p as num / den, exactly
  let num = m * (e >= 0 ? 2n ** BigInt(e) : 1n);
  let den = e < 0 ? 2n ** BigInt(-e) : 1n;
  if (p >= 0) num *= BigInt(scale);
  else den *= BigInt(scale);
  let q = num / den;
  if (num - q * den < 0n) q -= 1n; // floor
  const twice = 2n * (num - q * den); // compare the remainder with den / 2
  const r = twice > den || (twice === den && q % 2n !== 0n) ? q + 1n : q;
  return p >= 0 ? Number(r) / scale : Number(r) * scale;
}

function soft(v: unknown): string {
  return pyStr(v);
}

/** jinja2's make_attrgetter: a dotted path read with getitem, integers as indexes. */
function attrGetter(attribute: unknown, dflt?: unknown): (x: unknown) => unknown {
  const parts = typeof attribute === "string" ? attribute.split(".") : [attribute];
  return (x) => {
    let v = x;
    for (const p of parts) v = getitem(v, typeof p === "string" && /^\d+$/.test(p) ? Number(p) : p);
    return v === undefined && dflt !== undefined ? dflt : v;
  };
}

function sortKey(caseSensitive: boolean, attribute: unknown): (x: unknown) => unknown {
  const get = attribute === undefined || attribute === null ? (x: unknown) => x : attrGetter(attribute);
  return (x) => {
    const v = get(x);
    return !caseSensitive && typeof v === "string" ? v.toLowerCase() : v;
  };
}

function pySorted(items: unknown[], key: (x: unknown) => unknown, reverse: boolean): unknown[] {
  const keyed = items.map((x) => [key(x), x] as const);
  keyed.sort((a, b) => (compare("lt", a[0], b[0]) ? -1 : compare("lt", b[0], a[0]) ? 1 : 0));
  if (reverse) keyed.reverse();
  return keyed.map((p) => p[1]);
}

function selectOrReject(select: boolean, byAttr: boolean): Filter {
  return (value, args) => {
    if (!truthy(value)) return []; // jinja2 checks `if value:` before iterating
    const list = iterate(value);
    let get = (x: unknown) => x;
    let rest = args;
    if (byAttr) {
      get = attrGetter(args[0]);
      rest = args.slice(1);
    }
    let test: (x: unknown) => boolean = truthy;
    if (rest.length) {
      const name = rest[0];
      const t = typeof name === "string" ? TESTS.get(name) : undefined;
      if (!t) throw new PyError("TemplateRuntimeError", `No test named ${pyRepr(name)}.`);
      const targs = rest.slice(1);
      test = (x) => t(x, targs);
    }
    return list.filter((x) => test(get(x)) === select);
  };
}

function mapFilter(value: unknown, args: unknown[], kwargs: Kwargs): unknown[] {
  if (!truthy(value)) return [];
  const list = iterate(value);
  if (kwargs && "attribute" in kwargs) {
    const get = attrGetter(kwargs.attribute, kwargs.default);
    return list.map(get);
  }
  const name = args[0];
  const f = typeof name === "string" ? FILTERS.get(name) : undefined;
  if (!f) throw new PyError("TemplateRuntimeError", `No filter named ${pyRepr(name)}.`);
  const fargs = args.slice(1);
  return list.map((x) => f(x, fargs, kwargs));
}

function minMax(isMax: boolean): Filter {
  return (value, args, kwargs) => {
    const [cs = false, attribute = null] = bind(
      isMax ? "max" : "min",
      ["case_sensitive", "attribute"],
      args,
      kwargs,
    );
    const list = iterate(value);
    if (!list.length) return undefined;
    const key = sortKey(truthy(cs), attribute);
    let best = list[0];
    for (const x of list.slice(1)) if (compare(isMax ? "gt" : "lt", key(x), key(best))) best = x;
    return best;
  };
}

function urlencode(value: unknown): string {
  const q = (v: unknown, qs: boolean) => {
    const s = pyQuote(pyStr(v), qs ? "" : "/");
    return qs ? s.replace(/%20/g, "+") : s;
  };
  if (typeof value === "string" || !(Array.isArray(value) || isDict(value) || value === undefined))
    return q(value, false);
  const items = isDict(value) ? Object.entries(value) : iterate(value).map((p) => iterate(p));
  return items.map(([k, v]) => `${q(k, true)}=${q(v, true)}`).join("&");
}

function htmlEscape(v: unknown): string {
  return soft(v)
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&#34;")
    .replace(/'/g, "&#39;");
}

function toJson(value: unknown, args: unknown[], kwargs: Kwargs): string {
  const [indent = null] = bind("tojson", ["indent"], args, kwargs);
  return pyJsonDumps(value, { sortKeys: true, indent: indent === null ? null : num(indent as number) })
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e")
    .replace(/&/g, "\\u0026")
    .replace(/'/g, "\\u0027");
}

function pyAbs(value: unknown): unknown {
  if (isNumeric(value)) return isFloat(value) ? mkFloat(Math.abs(num(value))) : Math.abs(num(value));
  if (value instanceof PyTimedelta) return value.totalMicros() < 0 ? value.negate() : value;
  if (value === undefined) throw new UndefinedError("an undefined value was passed to abs");
  throw new PyTypeError(`bad operand type for abs(): '${typeName(value)}'`);
}

function toList(value: unknown): unknown[] {
  return iterate(value).slice();
}

const f1 =
  (fn: (v: unknown) => unknown): Filter =>
  (v) =>
    fn(v);

export const FILTERS: Map<string, Filter> = new Map<string, Filter>(
  Object.entries({
    // the CDK's filters
    hash: hashFilter,
    base64encode: f1((v) => Buffer.from(needStr(v, "base64encode"), "utf8").toString("base64")),
    base64decode: f1(base64decode),
    base64binascii_decode: f1(base64binasciiDecode),
    string: f1(stringFilter),
    regex_search: (v, a, k) => {
      const [re] = bind("regex_search", ["regex"], a, k, 1);
      return regexSearch(v, re);
    },
    regex_replace: (v, a, k) => {
      const [re, rep] = bind("regex_replace", ["regex", "replacement"], a, k, 2);
      return regexReplace(v, re, rep);
    },
    hmac: hmacFilter,
    // jinja2's builtins
    abs: f1(pyAbs),
    attr: (v, a) => getattr(v, pyStr(a[0])),
    capitalize: f1((v) => pyCapitalize(soft(v))),
    center: (v, a, k) => {
      const [w = 80] = bind("center", ["width"], a, k);
      const s = soft(v);
      const n = num(w as number) - Array.from(s).length;
      if (n <= 0) return s;
      const left = Math.floor(n / 2) + (n % 2 && num(w as number) % 2 ? 1 : 0);
      return " ".repeat(left) + s + " ".repeat(n - left);
    },
    count: f1(pyLen),
    d: (v, a, k): unknown => FILTERS.get("default")?.(v, a, k),
    default: (v, a, k) => {
      const [dflt = "", boolean = false] = bind("default", ["default_value", "boolean"], a, k);
      return v === undefined || (truthy(boolean) && !truthy(v)) ? dflt : v;
    },
    dictsort: (v, a, k) => {
      const [cs = false, by = "key", reverse = false] = bind(
        "dictsort",
        ["case_sensitive", "by", "reverse"],
        a,
        k,
      );
      if (!isDict(v)) throw new PyError("AttributeError", `'${typeName(v)}' object has no attribute 'items'`);
      const pos = by === "value" ? 1 : 0;
      const items = Object.keys(v).map((key) => tuple([key, v[key]]));
      const key = sortKey(truthy(cs), null);
      return pySorted(items, (x) => key((x as unknown[])[pos]), truthy(reverse));
    },
    e: f1(htmlEscape),
    escape: f1(htmlEscape),
    first: f1((v) => iterate(v)[0]),
    float: doFloat,
    format: (v, a, k) => arith("%", soft(v), k && Object.keys(k).length ? k : tuple(a)) as string,
    int: doInt,
    items: f1((v) => {
      if (v === undefined) return [];
      if (!isDict(v)) throw new PyTypeError(`Can only get item pairs from a mapping.`);
      return Object.keys(v).map((key) => tuple([key, v[key]]));
    }),
    join: (v, a, k) => {
      const [d = "", attribute = null] = bind("join", ["d", "attribute"], a, k);
      let list = iterate(v);
      if (attribute !== null) list = list.map(attrGetter(attribute));
      return list.map(soft).join(soft(d));
    },
    last: f1((v) => {
      const list = iterate(v);
      return list[list.length - 1];
    }),
    length: f1(pyLen),
    list: f1(toList),
    lower: f1((v) => soft(v).toLowerCase()),
    map: mapFilter,
    max: minMax(true),
    min: minMax(false),
    pprint: f1(pyRepr),
    reject: selectOrReject(false, false),
    rejectattr: selectOrReject(false, true),
    replace: (v, a, k) => {
      const [old, rep, count = null] = bind("replace", ["old", "new", "count"], a, k, 2);
      const s = soft(v);
      const o = soft(old);
      const r = soft(rep);
      const parts = s.split(o);
      const n = count === null ? -1 : num(count as number);
      if (n < 0 || parts.length - 1 <= n) return parts.join(r);
      return parts.slice(0, n + 1).join(r) + o + parts.slice(n + 1).join(o);
    },
    reverse: f1((v) => {
      if (typeof v === "string") return Array.from(v).reverse().join("");
      return toList(v).reverse();
    }),
    round: doRound,
    safe: f1((v) => v),
    select: selectOrReject(true, false),
    selectattr: selectOrReject(true, true),
    sort: (v, a, k) => {
      const [reverse = false, cs = false, attribute = null] = bind(
        "sort",
        ["reverse", "case_sensitive", "attribute"],
        a,
        k,
      );
      return pySorted(iterate(v), sortKey(truthy(cs), attribute), truthy(reverse));
    },
    sum: (v, a, k) => {
      const [attribute = null, start = 0] = bind("sum", ["attribute", "start"], a, k);
      let list = iterate(v);
      if (attribute !== null) list = list.map(attrGetter(attribute));
      return list.reduce((acc, x) => arith("+", acc, x), start);
    },
    title: f1((v) => pyTitle(soft(v))),
    tojson: toJson,
    trim: (v, a, k) => pyStrip(soft(v), bind("trim", ["chars"], a, k)[0] ?? null, true, true),
    unique: (v, a, k) => {
      const [cs = false, attribute = null] = bind("unique", ["case_sensitive", "attribute"], a, k);
      const key = sortKey(truthy(cs), attribute);
      const seen: unknown[] = [];
      const out: unknown[] = [];
      for (const x of iterate(v)) {
        const kx = key(x);
        if (!seen.some((s) => pyEq(s, kx))) {
          seen.push(kx);
          out.push(x);
        }
      }
      return out;
    },
    upper: f1((v) => soft(v).toUpperCase()),
    urlencode: f1(urlencode),
    wordcount: f1((v) => (soft(v).match(/\w+/gu) ?? []).length),
  } satisfies Record<string, Filter>),
);

const isNumber = (v: unknown) => isNumeric(v);
const cmpTest =
  (op: string): Test =>
  (v, a) =>
    compare(op, v, a[0]);

export const TESTS: Map<string, Test> = new Map<string, Test>(
  Object.entries({
    defined: (v) => v !== undefined,
    undefined: (v) => v === undefined,
    none: (v) => v === null,
    boolean: (v) => typeof v === "boolean",
    false: (v) => v === false,
    true: (v) => v === true,
    integer: (v) => typeof v === "number" && Number.isInteger(v),
    float: (v) => isFloat(v),
    number: isNumber,
    string: (v) => typeof v === "string",
    mapping: (v) => isDict(v),
    iterable: (v) => v === undefined || typeof v === "string" || Array.isArray(v) || isDict(v),
    sequence: (v) => v === undefined || typeof v === "string" || Array.isArray(v) || isDict(v),
    callable: (v) => v instanceof PyCallable,
    sameas: (v, a) => v === a[0],
    escaped: () => false,
    odd: (v) => num(arith("%", v, 2) as number) === 1,
    even: (v) => num(arith("%", v, 2) as number) === 0,
    divisibleby: (v, a) => num(arith("%", v, a[0]) as number) === 0,
    lower: (v) => {
      const s = soft(v);
      return /\p{Ll}/u.test(s) && !/\p{Lu}/u.test(s);
    },
    upper: (v) => {
      const s = soft(v);
      return /\p{Lu}/u.test(s) && !/\p{Ll}/u.test(s);
    },
    in: (v, a) => contains(a[0], v),
    eq: cmpTest("eq"),
    equalto: cmpTest("eq"),
    "==": cmpTest("eq"),
    ne: cmpTest("ne"),
    "!=": cmpTest("ne"),
    lt: cmpTest("lt"),
    lessthan: cmpTest("lt"),
    "<": cmpTest("lt"),
    le: cmpTest("lteq"),
    "<=": cmpTest("lteq"),
    gt: cmpTest("gt"),
    greaterthan: cmpTest("gt"),
    ">": cmpTest("gt"),
    ge: cmpTest("gteq"),
    ">=": cmpTest("gteq"),
    filter: (v): boolean => typeof v === "string" && FILTERS.has(v),
    test: (v): boolean => typeof v === "string" && TESTS.has(v),
  } satisfies Record<string, Test>),
);

/** The `dict(**kwargs)` global. */
export function dictGlobal(args: unknown[], kwargs: Kwargs): Dict {
  if (args.length) throw new PyTypeError("dict() takes keyword arguments only in templates");
  const out: Dict = {};
  if (kwargs) for (const k of Object.keys(kwargs)) setKey(out, k, kwargs[k]);
  return out;
}
