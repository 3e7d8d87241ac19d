// What a template can do with a value: jinja2's sandboxed getattr/getitem (attributes first for
// `x.k`, keys first for `x['k']`, Undefined when missing, never a JS prototype), calls, iteration,
// and the Python methods of str, dict, list, tuple, datetime, date and timedelta.

import { PyDate, PyDateTime, PyTimedelta } from "./datetime.ts";
import { PyError, PyTypeError, PyValueError, UndefinedError } from "./errors.ts";
import {
  type Dict,
  isDict,
  isFloat,
  isInt,
  isJsonObject,
  isNumeric,
  isTuple,
  mkFloat,
  num,
  PY_ATTRS,
  PyCallable,
  pyEq,
  pyRepr,
  pyStr,
  setKey,
  truthy,
  tuple,
  typeName,
} from "./pyvalues.ts";

export type Kwargs = Record<string, unknown> | null;
type Method = (self: never, args: unknown[], kwargs: Kwargs) => unknown;

/** Binds positional and keyword arguments to parameter names, raising TypeError like Python. */
export function bind(
  fname: string,
  params: readonly string[],
  args: unknown[],
  kwargs: Kwargs,
  required = 0,
): unknown[] {
  if (args.length > params.length)
    throw new PyTypeError(`${fname}() takes at most ${params.length} arguments (${args.length} given)`);
  const out = args.slice();
  if (kwargs) {
    for (const k of Object.keys(kwargs)) {
      const i = params.indexOf(k);
      if (i < 0) throw new PyTypeError(`${fname}() got an unexpected keyword argument '${k}'`);
      if (i < args.length) throw new PyTypeError(`${fname}() got multiple values for argument '${k}'`);
      out[i] = kwargs[k];
    }
  }
  for (let i = 0; i < required; i++)
    if (!(i in out)) throw new PyTypeError(`${fname}() missing required argument '${params[i]}'`);
  return out;
}

/** Python iteration: str → characters, dict → keys, Undefined → nothing. */
export function iterate(v: unknown): unknown[] {
  if (v === undefined) return [];
  if (Array.isArray(v)) return v;
  if (typeof v === "string") return Array.from(v);
  if (isDict(v)) return Object.keys(v);
  throw new PyTypeError(`'${typeName(v)}' object is not iterable`);
}

export function pyLen(v: unknown): number {
  if (v === undefined) return 0;
  if (typeof v === "string") return hasSurrogates(v) ? Array.from(v).length : v.length;
  if (Array.isArray(v)) return v.length;
  if (isDict(v)) return Object.keys(v).length;
  throw new PyTypeError(`object of type '${typeName(v)}' has no len()`);
}

const SURROGATE = /[\uD800-\uDFFF]/;
const hasSurrogates = (s: string) => SURROGATE.test(s);

/** A UTF-16 index of `s` (or -1) as Python counts it, in code points. */
function codePointIndex(s: string, i: number): number {
  return i <= 0 || !hasSurrogates(s) ? i : Array.from(s.slice(0, i)).length;
}

function attrsOf(obj: Dict): Dict | undefined {
  const attrs = (obj as { [PY_ATTRS]?: Dict })[PY_ATTRS];
  return attrs !== undefined && isDict(attrs) ? attrs : undefined;
}

/** Names Python's dict has as attributes, which `x.name` finds before any key. */
const DICT_ATTRS = new Set([
  "clear",
  "copy",
  "fromkeys",
  "get",
  "items",
  "keys",
  "pop",
  "popitem",
  "setdefault",
  "update",
  "values",
]);

function methodTable(obj: unknown): Map<string, Method> | undefined {
  if (typeof obj === "string") return STR_METHODS;
  if (Array.isArray(obj)) return isTuple(obj) ? TUPLE_METHODS : LIST_METHODS;
  if (isDict(obj)) return DICT_METHODS;
  if (obj instanceof PyDateTime) return DATETIME_METHODS;
  if (obj instanceof PyDate) return DATE_METHODS;
  if (obj instanceof PyTimedelta) return TIMEDELTA_METHODS;
  return undefined;
}

function bound(obj: unknown, name: string, m: Method): PyCallable {
  return new PyCallable(name, (args, kwargs) => m(obj as never, args, kwargs), typeName(obj));
}

/**
 * `obj.name` for a name known when the template is compiled: a JSON object's key is read at once
 * (the common case, `response.meta.next_page`); whatever else getattr decides. The same result,
 * without getattr's checks that the name already answers.
 */
export function attrGetter(name: string): (obj: unknown) => unknown {
  if (DICT_ATTRS.has(name) || name.startsWith("__")) return (obj) => getattr(obj, name);
  return (obj) =>
    isJsonObject(obj) && (obj as { [PY_ATTRS]?: unknown })[PY_ATTRS] === undefined
      ? Object.hasOwn(obj, name)
        ? obj[name]
        : undefined
      : getattr(obj, name);
}

/** `obj['key']` for a constant key: a JSON object's own key at once (getitem looks there first). */
export function itemGetter(key: unknown): (obj: unknown) => unknown {
  if (typeof key !== "string") return (obj) => getitem(obj, key);
  return (obj) => (isJsonObject(obj) && Object.hasOwn(obj, key) ? obj[key] : getitem(obj, key));
}

/** `obj.name` in jinja2's sandbox. */
export function getattr(obj: unknown, name: string): unknown {
  if (obj === undefined) throw new UndefinedError(`an undefined value has no attribute '${name}'`);
  if (isDict(obj)) {
    const attrs = attrsOf(obj);
    if (attrs && Object.hasOwn(attrs, name)) return attrs[name];
    if (DICT_ATTRS.has(name)) {
      const m = DICT_METHODS.get(name);
      return m ? bound(obj, name, m) : undefined;
    }
    if (name.startsWith("__")) return undefined; // dict's dunder attributes are unsafe in the sandbox
    return Object.hasOwn(obj, name) ? obj[name] : undefined;
  }
  if (name.startsWith("_")) return undefined;
  const m = methodTable(obj)?.get(name);
  if (m) return bound(obj, name, m);
  if (obj instanceof PyDateTime || obj instanceof PyDate) {
    switch (name) {
      case "year":
      case "month":
      case "day":
        return obj[name];
    }
    if (obj instanceof PyDateTime) {
      switch (name) {
        case "hour":
        case "minute":
        case "second":
        case "microsecond":
          return obj[name];
        case "tzinfo":
          return obj.offsetMinutes === null ? null : obj.strftime("%Z");
      }
    }
  }
  if (obj instanceof PyTimedelta && (name === "days" || name === "seconds" || name === "microseconds"))
    return obj[name];
  return undefined;
}

/** `obj[key]` in jinja2: the item, else (for a string key) the attribute, else Undefined. */
export function getitem(obj: unknown, key: unknown): unknown {
  if (obj === undefined) throw new UndefinedError("an undefined value has no items");
  if (isDict(obj)) {
    if (typeof key === "string") {
      if (Object.hasOwn(obj, key)) return obj[key];
      const attrs = attrsOf(obj);
      if (attrs && Object.hasOwn(attrs, key)) return attrs[key];
      return getattr(obj, key);
    }
    return undefined;
  }
  if (Array.isArray(obj) || typeof obj === "string") {
    if (isInt(key)) {
      const seq = typeof obj === "string" && hasSurrogates(obj) ? Array.from(obj) : obj;
      let i = num(key);
      if (i < 0) i += seq.length;
      return i >= 0 && i < seq.length ? seq[i] : undefined;
    }
    return typeof key === "string" ? getattr(obj, key) : undefined;
  }
  return typeof key === "string" ? getattr(obj, key) : undefined;
}

function sliceIndex(v: unknown): number | null | undefined {
  if (v === null) return null;
  return isInt(v) ? num(v) : undefined;
}

/** `obj[start:stop:step]` with Python's index clamping. */
export function getslice(obj: unknown, start: unknown, stop: unknown, step: unknown): unknown {
  // jinja2 compiles slices to plain Python slicing, bypassing the sandbox's forgiving getitem.
  if (obj === undefined) throw new UndefinedError("an undefined value cannot be sliced");
  if (isDict(obj)) throw new PyTypeError("unhashable type: 'slice'");
  if (!Array.isArray(obj) && typeof obj !== "string")
    throw new PyTypeError(`'${typeName(obj)}' object is not subscriptable`);
  const a0 = sliceIndex(start);
  const b0 = sliceIndex(stop);
  const s0 = sliceIndex(step);
  if (a0 === undefined || b0 === undefined || s0 === undefined)
    throw new PyTypeError("slice indices must be integers or None or have an __index__ method");
  const s = s0 ?? 1;
  if (s === 0) throw new PyValueError("slice step cannot be zero");
  const seq: readonly unknown[] | string =
    typeof obj === "string" && hasSurrogates(obj) ? Array.from(obj) : (obj as unknown[] | string);
  const len = seq.length;
  const clamp = (v: number | null, dflt: number) => {
    if (v === null) return dflt;
    let x = v < 0 ? v + len : v;
    if (x < 0) x = s < 0 ? -1 : 0;
    else if (x >= len) x = s < 0 ? len - 1 : len;
    return x;
  };
  const a = clamp(a0, s < 0 ? len - 1 : 0);
  const b = clamp(b0, s < 0 ? -1 : len);
  if (s === 1 && typeof seq === "string") return seq.slice(a, Math.max(a, b));
  if (s === 1 && Array.isArray(seq)) {
    const out = seq.slice(a, Math.max(a, b));
    // A string with characters beyond the BMP was sliced by code point: it stays a string.
    if (typeof obj === "string") return out.join("");
    return isTuple(obj) ? tuple(out) : out;
  }
  const out: unknown[] = [];
  for (let i = a; s > 0 ? i < b : i > b; i += s) out.push(seq[i]);
  if (typeof obj === "string") return out.join("");
  return isTuple(obj) ? tuple(out) : out;
}

export function callValue(fn: unknown, args: unknown[], kwargs: Kwargs): unknown {
  if (fn instanceof PyCallable) return fn.fn(args, kwargs);
  if (fn === undefined) throw new UndefinedError("an undefined value was called");
  throw new PyTypeError(`'${typeName(fn)}' object is not callable`);
}

/** `obj.name(args)` without allocating a bound method for the common case. */
export function callMethod(obj: unknown, name: string, args: unknown[], kwargs: Kwargs): unknown {
  if (obj === undefined) throw new UndefinedError(`an undefined value has no attribute '${name}'`);
  if (!name.startsWith("_")) {
    const isD = isDict(obj);
    const attrs = isD ? attrsOf(obj) : undefined;
    if (!isD || (DICT_ATTRS.has(name) && !(attrs && Object.hasOwn(attrs, name)))) {
      const m = methodTable(obj)?.get(name);
      if (m) return m(obj as never, args, kwargs);
    }
  }
  return callValue(getattr(obj, name), args, kwargs);
}

// ---- str ----

const PY_WS =
  "\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
const WS_RUN = new RegExp(`[${PY_WS}]+`);
const WS_START = new RegExp(`^[${PY_WS}]+`);
const WS_END = new RegExp(`[${PY_WS}]+$`);

function str(v: unknown, what: string): string {
  if (typeof v !== "string") throw new PyTypeError(`${what} must be str, not ${typeName(v)}`);
  return v;
}

function optInt(v: unknown, dflt: number): number {
  if (v === undefined || v === null) return dflt;
  if (!isInt(v)) throw new PyTypeError(`'${typeName(v)}' object cannot be interpreted as an integer`);
  return num(v);
}

export function pySplit(s: string, sep: unknown, maxsplit: number): string[] {
  if (sep === null || sep === undefined) {
    const out: string[] = [];
    let rest = s.replace(WS_START, "");
    while (rest !== "") {
      if (maxsplit >= 0 && out.length === maxsplit) {
        out.push(rest);
        break;
      }
      const m = WS_RUN.exec(rest);
      if (!m) {
        out.push(rest);
        break;
      }
      out.push(rest.slice(0, m.index));
      rest = rest.slice(m.index + m[0].length);
    }
    return out;
  }
  const d = str(sep, "separator");
  if (d === "") throw new PyValueError("empty separator");
  const parts = s.split(d);
  if (maxsplit < 0 || parts.length - 1 <= maxsplit) return parts;
  return [...parts.slice(0, maxsplit), parts.slice(maxsplit).join(d)];
}

function pyRsplit(s: string, sep: unknown, maxsplit: number): string[] {
  if (maxsplit < 0) return pySplit(s, sep, -1);
  if (sep === null || sep === undefined) {
    const words = pySplit(s, null, -1);
    if (words.length <= maxsplit + 1) return words;
    const keep = words.slice(words.length - maxsplit);
    let head = s.replace(WS_END, "");
    for (const w of [...keep].reverse()) head = head.slice(0, head.length - w.length).replace(WS_END, "");
    return [head, ...keep];
  }
  const d = str(sep, "separator");
  if (d === "") throw new PyValueError("empty separator");
  const parts = s.split(d);
  if (parts.length - 1 <= maxsplit) return parts;
  return [parts.slice(0, parts.length - maxsplit).join(d), ...parts.slice(parts.length - maxsplit)];
}

export function pyStrip(s: string, chars: unknown, left: boolean, right: boolean): string {
  if (chars === null || chars === undefined) {
    let out = s;
    if (left) out = out.replace(WS_START, "");
    if (right) out = out.replace(WS_END, "");
    return out;
  }
  const set = new Set(Array.from(str(chars, "strip arg")));
  const cs = Array.from(s);
  let a = 0;
  let b = cs.length;
  if (left) while (a < b && set.has(cs[a] as string)) a++;
  if (right) while (b > a && set.has(cs[b - 1] as string)) b--;
  return cs.slice(a, b).join("");
}

function affixTest(s: string, affix: unknown, start: boolean): boolean {
  const list = Array.isArray(affix) && isTuple(affix) ? affix : [affix];
  return list.some((a) => {
    const t = str(a, start ? "startswith first arg" : "endswith first arg");
    return start ? s.startsWith(t) : s.endsWith(t);
  });
}

function join(sep: string, items: unknown): string {
  const list = iterate(items);
  for (let i = 0; i < list.length; i++)
    if (typeof list[i] !== "string")
      throw new PyTypeError(`sequence item ${i}: expected str instance, ${typeName(list[i])} found`);
  return (list as string[]).join(sep);
}

export function pyTitle(s: string): string {
  return s.replace(/\p{L}+/gu, (w) => (w[0] as string).toUpperCase() + w.slice(1).toLowerCase());
}

export function pyCapitalize(s: string): string {
  return s ? (s[0] as string).toUpperCase() + s.slice(1).toLowerCase() : s;
}

function pad(s: string, width: number, fill: string, align: string): string {
  const n = width - Array.from(s).length;
  if (n <= 0) return s;
  if (align === "<") return s + fill.repeat(n);
  if (align === ">") return fill.repeat(n) + s;
  const left = Math.floor(n / 2) + (n % 2 && width % 2 ? 1 : 0);
  return fill.repeat(left) + s + fill.repeat(n - left);
}

/** Python's format-spec mini-language for str.format: [[fill]align][sign][#][0][width][,][.prec][type]. */
function formatSpec(v: unknown, spec: string): string {
  if (v instanceof PyDateTime || v instanceof PyDate) return spec ? v.strftime(spec) : pyStr(v);
  const m = /^(?:(.)?([<>=^]))?([-+ ])?(#)?(0)?(\d+)?([,_])?(?:\.(\d+))?([bcdeEfFgGnosxX%])?$/s.exec(spec);
  if (!m) throw new PyValueError("Invalid format specifier");
  const [, fillc, alignc, sign, , zero, widthText, group, precText, type] = m;
  const width = widthText ? Number(widthText) : 0;
  const prec = precText !== undefined ? Number(precText) : undefined;
  let body: string;
  if (!isNumeric(v)) {
    if (type && type !== "s")
      throw new PyValueError(`Unknown format code '${type}' for object of type '${typeName(v)}'`);
    body = pyStr(v);
    if (prec !== undefined) body = Array.from(body).slice(0, prec).join("");
    return pad(body, width, fillc ?? " ", alignc ?? "<");
  }
  const x = num(v);
  const t = type ?? (isFloat(v) ? "" : "d");
  const ax = Math.abs(x);
  switch (t) {
    case "d":
    case "n":
      body = String(Math.trunc(ax));
      break;
    case "b":
      body = Math.trunc(ax).toString(2);
      break;
    case "o":
      body = Math.trunc(ax).toString(8);
      break;
    case "x":
      body = Math.trunc(ax).toString(16);
      break;
    case "X":
      body = Math.trunc(ax).toString(16).toUpperCase();
      break;
    case "c":
      body = String.fromCodePoint(ax);
      break;
    case "e":
    case "E":
      body = ax.toExponential(prec ?? 6).replace(/e([+-])(\d)$/, "e$10$2");
      if (t === "E") body = body.toUpperCase();
      break;
    case "f":
    case "F":
      body = ax.toFixed(prec ?? 6);
      break;
    case "%":
      body = `${(ax * 100).toFixed(prec ?? 6)}%`;
      break;
    default:
      body =
        type === undefined && prec === undefined
          ? pyStr(mkFloat(ax))
          : String(Number(ax.toPrecision(prec || 6)));
  }
  if (group) {
    const [i, f] = body.split(".") as [string, string | undefined];
    body = i.replace(/\B(?=(\d{3})+(?!\d))/g, group) + (f !== undefined ? `.${f}` : "");
  }
  const signText = x < 0 || Object.is(x, -0) ? "-" : sign === "+" ? "+" : sign === " " ? " " : "";
  if (zero && !alignc) return signText + body.padStart(width - signText.length, "0");
  const align = alignc ?? ">";
  if (align === "=") return signText + pad(body, width - signText.length, fillc ?? " ", ">");
  return pad(signText + body, width, fillc ?? " ", align);
}

function pyFormat(fmt: string, args: unknown[], kwargs: Kwargs): string {
  let auto = 0;
  return fmt.replace(/\{\{|\}\}|\{([^{}]*)\}/g, (m, field: string | undefined) => {
    if (m === "{{") return "{";
    if (m === "}}") return "}";
    const f = /^([^.[!:]*)((?:\.[^.[!:]+|\[[^\]]*\])*)(?:!([rsa]))?(?::(.*))?$/s.exec(field ?? "");
    if (!f) throw new PyValueError("invalid format field");
    const [, head, path, conv, spec] = f;
    let v: unknown;
    if (head === "") v = args[auto++];
    else if (/^\d+$/.test(head as string)) v = args[Number(head)];
    else v = kwargs && Object.hasOwn(kwargs, head as string) ? kwargs[head as string] : undefined;
    if (v === undefined && !(head && kwargs && Object.hasOwn(kwargs, head))) {
      if (head === "" || /^\d+$/.test(head as string))
        throw new PyError("IndexError", "Replacement index out of range");
      throw new PyError("KeyError", `'${head}'`);
    }
    for (const step of (path as string).match(/\.[^.[]+|\[[^\]]*\]/g) ?? []) {
      v = step.startsWith(".")
        ? getattr(v, step.slice(1))
        : getitem(v, /^\d+$/.test(step.slice(1, -1)) ? Number(step.slice(1, -1)) : step.slice(1, -1));
    }
    if (conv === "r" || conv === "a") v = pyRepr(v);
    else if (conv === "s") v = pyStr(v);
    return formatSpec(v, spec ?? "");
  });
}

// str.splitlines' line boundaries
const BREAKS = "\\n\\r\\v\\f\\x1c-\\x1e\\x85\\u2028\\u2029";
const LINE_RE = new RegExp(`([^${BREAKS}]*)(\\r\\n|[${BREAKS}])?`, "y");

const STR_METHODS = new Map<string, Method>(
  Object.entries({
    split: (s: string, a, k) => {
      const [sep, max] = bind("split", ["sep", "maxsplit"], a, k);
      return pySplit(s, sep, optInt(max, -1));
    },
    rsplit: (s: string, a, k) => {
      const [sep, max] = bind("rsplit", ["sep", "maxsplit"], a, k);
      return pyRsplit(s, sep, optInt(max, -1));
    },
    join: (s: string, a, k) => join(s, bind("join", ["iterable"], a, k, 1)[0]),
    strip: (s: string, a, k) => pyStrip(s, bind("strip", ["chars"], a, k)[0], true, true),
    lstrip: (s: string, a, k) => pyStrip(s, bind("lstrip", ["chars"], a, k)[0], true, false),
    rstrip: (s: string, a, k) => pyStrip(s, bind("rstrip", ["chars"], a, k)[0], false, true),
    lower: (s: string) => s.toLowerCase(),
    upper: (s: string) => s.toUpperCase(),
    casefold: (s: string) => s.toLowerCase(),
    swapcase: (s: string) =>
      Array.from(s, (c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join(""),
    title: (s: string) => pyTitle(s),
    capitalize: (s: string) => pyCapitalize(s),
    replace: (s: string, a, k) => {
      const [old, rep, count] = bind("replace", ["old", "new", "count"], a, k, 2);
      const o = str(old, "replace() argument 1");
      const r = str(rep, "replace() argument 2");
      const n = optInt(count, -1);
      if (n < 0) return s.split(o).join(r);
      const parts = s.split(o);
      return parts.length - 1 <= n
        ? parts.join(r)
        : parts.slice(0, n + 1).join(r) + o + parts.slice(n + 1).join(o);
    },
    startswith: (s: string, a, k) => affixTest(s, bind("startswith", ["prefix"], a, k, 1)[0], true),
    endswith: (s: string, a, k) => affixTest(s, bind("endswith", ["suffix"], a, k, 1)[0], false),
    find: (s: string, a, k) =>
      codePointIndex(s, s.indexOf(str(bind("find", ["sub"], a, k, 1)[0], "find arg"))),
    rfind: (s: string, a, k) =>
      codePointIndex(s, s.lastIndexOf(str(bind("rfind", ["sub"], a, k, 1)[0], "rfind arg"))),
    index: (s: string, a, k) => {
      const i = s.indexOf(str(bind("index", ["sub"], a, k, 1)[0], "index arg"));
      if (i < 0) throw new PyValueError("substring not found");
      return codePointIndex(s, i);
    },
    count: (s: string, a, k) => {
      const sub = str(bind("count", ["sub"], a, k, 1)[0], "count arg");
      return sub === "" ? Array.from(s).length + 1 : s.split(sub).length - 1;
    },
    format: (s: string, a, k) => pyFormat(s, a, k),
    isdigit: (s: string) => /^\p{Nd}+$/u.test(s),
    isdecimal: (s: string) => /^\p{Nd}+$/u.test(s),
    isnumeric: (s: string) => /^\p{N}+$/u.test(s),
    isalpha: (s: string) => /^\p{L}+$/u.test(s),
    isalnum: (s: string) => /^[\p{L}\p{N}]+$/u.test(s),
    isspace: (s: string) => s !== "" && new RegExp(`^[${PY_WS}]+$`).test(s),
    islower: (s: string) => /\p{Ll}/u.test(s) && !/\p{Lu}/u.test(s),
    isupper: (s: string) => /\p{Lu}/u.test(s) && !/\p{Ll}/u.test(s),
    zfill: (s: string, a, k) => {
      const w = optInt(bind("zfill", ["width"], a, k, 1)[0], 0);
      const sign = /^[+-]/.test(s) ? (s[0] as string) : "";
      const n = w - pyLen(s);
      return n > 0 ? sign + "0".repeat(n) + s.slice(sign.length) : s;
    },
    ljust: (s: string, a, k) => {
      const [w, fill] = bind("ljust", ["width", "fillchar"], a, k, 1);
      return pad(s, optInt(w, 0), (fill as string | undefined) ?? " ", "<");
    },
    rjust: (s: string, a, k) => {
      const [w, fill] = bind("rjust", ["width", "fillchar"], a, k, 1);
      return pad(s, optInt(w, 0), (fill as string | undefined) ?? " ", ">");
    },
    center: (s: string, a, k) => {
      const [w, fill] = bind("center", ["width", "fillchar"], a, k, 1);
      return pad(s, optInt(w, 0), (fill as string | undefined) ?? " ", "^");
    },
    splitlines: (s: string, a, k) => {
      const keep = truthy(bind("splitlines", ["keepends"], a, k)[0]);
      const re = LINE_RE;
      const out: string[] = [];
      for (let i = 0; i < s.length; ) {
        re.lastIndex = i;
        const m = re.exec(s) as RegExpExecArray;
        out.push(keep ? m[0] : (m[1] as string));
        i += m[0].length;
      }
      return out;
    },
    removeprefix: (s: string, a, k) => {
      const p = str(bind("removeprefix", ["prefix"], a, k, 1)[0], "removeprefix arg");
      return s.startsWith(p) ? s.slice(p.length) : s;
    },
    removesuffix: (s: string, a, k) => {
      const p = str(bind("removesuffix", ["suffix"], a, k, 1)[0], "removesuffix arg");
      return p && s.endsWith(p) ? s.slice(0, s.length - p.length) : s;
    },
    partition: (s: string, a, k) => {
      const sep = str(bind("partition", ["sep"], a, k, 1)[0], "partition arg");
      const i = s.indexOf(sep);
      return tuple(i < 0 ? [s, "", ""] : [s.slice(0, i), sep, s.slice(i + sep.length)]);
    },
    rpartition: (s: string, a, k) => {
      const sep = str(bind("rpartition", ["sep"], a, k, 1)[0], "rpartition arg");
      const i = s.lastIndexOf(sep);
      return tuple(i < 0 ? ["", "", s] : [s.slice(0, i), sep, s.slice(i + sep.length)]);
    },
  } satisfies Record<string, (s: string, a: unknown[], k: Kwargs) => unknown>) as [string, Method][],
);

// ---- dict ----

const DICT_METHODS = new Map<string, Method>(
  Object.entries({
    get: (d: Dict, a, k) => {
      const [key, dflt] = bind("get", ["key", "default"], a, k, 1);
      if (typeof key === "string" && Object.hasOwn(d, key)) return d[key];
      if (Array.isArray(key) || isDict(key)) throw new PyTypeError(`unhashable type: '${typeName(key)}'`);
      return dflt === undefined && a.length < 2 && !(k && "default" in k) ? null : dflt;
    },
    items: (d: Dict) => Object.keys(d).map((key) => tuple([key, d[key]])),
    keys: (d: Dict) => Object.keys(d),
    values: (d: Dict) => Object.values(d),
    copy: (d: Dict) => {
      const out: Dict = {};
      for (const key of Object.keys(d)) setKey(out, key, d[key]);
      return out;
    },
    pop: (d: Dict, a, k) => {
      const [key, dflt] = bind("pop", ["key", "default"], a, k, 1);
      if (typeof key === "string" && Object.hasOwn(d, key)) {
        const v = d[key];
        delete d[key];
        return v;
      }
      if (a.length < 2) throw new PyError("KeyError", "the key is not in the dict");
      return dflt;
    },
    setdefault: (d: Dict, a, k) => {
      const [key, dflt] = bind("setdefault", ["key", "default"], a, k, 1);
      const name = typeof key === "string" ? key : pyStr(key);
      if (!Object.hasOwn(d, name)) setKey(d, name, dflt === undefined ? null : dflt);
      return d[name];
    },
    update: (d: Dict, a, k) => {
      const [other] = bind("update", ["other"], a, null);
      if (isDict(other)) for (const key of Object.keys(other)) setKey(d, key, other[key]);
      else if (Array.isArray(other))
        for (const pair of other) {
          const [key, v] = iterate(pair);
          setKey(d, typeof key === "string" ? key : pyStr(key), v);
        }
      else if (other !== undefined) throw new PyTypeError(`'${typeName(other)}' object is not iterable`);
      if (k) for (const key of Object.keys(k)) setKey(d, key, k[key]);
      return null;
    },
  } satisfies Record<string, (d: Dict, a: unknown[], k: Kwargs) => unknown>) as [string, Method][],
);

// ---- list / tuple ----

function indexOf(l: unknown[], x: unknown): number {
  for (let i = 0; i < l.length; i++) if (pyEq(l[i], x)) return i;
  return -1;
}

const SEQ_METHODS = {
  index: (l: unknown[], a: unknown[], k: Kwargs) => {
    const i = indexOf(l, bind("index", ["value"], a, k, 1)[0]);
    if (i < 0) throw new PyValueError("the value is not in the list");
    return i;
  },
  count: (l: unknown[], a: unknown[], k: Kwargs) => {
    const x = bind("count", ["value"], a, k, 1)[0];
    return l.filter((y) => pyEq(y, x)).length;
  },
};

const TUPLE_METHODS = new Map<string, Method>(Object.entries(SEQ_METHODS) as [string, Method][]);

const LIST_METHODS = new Map<string, Method>(
  Object.entries({
    ...SEQ_METHODS,
    append: (l: unknown[], a: unknown[], k: Kwargs) => {
      l.push(bind("append", ["object"], a, k, 1)[0]);
      return null;
    },
    extend: (l: unknown[], a: unknown[], k: Kwargs) => {
      l.push(...iterate(bind("extend", ["iterable"], a, k, 1)[0]));
      return null;
    },
    insert: (l: unknown[], a: unknown[], k: Kwargs) => {
      const [i, x] = bind("insert", ["index", "object"], a, k, 2);
      let at = optInt(i, 0);
      if (at < 0) at = Math.max(0, at + l.length);
      l.splice(at, 0, x);
      return null;
    },
    pop: (l: unknown[], a: unknown[], k: Kwargs) => {
      if (l.length === 0) throw new PyError("IndexError", "pop from empty list");
      let i = optInt(bind("pop", ["index"], a, k)[0], -1);
      if (i < 0) i += l.length;
      if (i < 0 || i >= l.length) throw new PyError("IndexError", "pop index out of range");
      return l.splice(i, 1)[0];
    },
    remove: (l: unknown[], a: unknown[], k: Kwargs) => {
      const i = indexOf(l, bind("remove", ["value"], a, k, 1)[0]);
      if (i < 0) throw new PyValueError("list.remove(x): x not in list");
      l.splice(i, 1);
      return null;
    },
    reverse: (l: unknown[]) => {
      l.reverse();
      return null;
    },
    clear: (l: unknown[]) => {
      l.length = 0;
      return null;
    },
    copy: (l: unknown[]) => l.slice(),
  }) as [string, Method][],
);

// ---- datetime / date / timedelta ----

function fmtArg(fname: string, a: unknown[], k: Kwargs): string {
  const [f] = bind(fname, ["format"], a, k, 1);
  return str(f, `${fname}() argument 1`);
}

const DATETIME_METHODS = new Map<string, Method>(
  Object.entries({
    strftime: (d: PyDateTime, a, k) => d.strftime(fmtArg("strftime", a, k)),
    isoformat: (d: PyDateTime, a, k) => {
      const [sep, spec] = bind("isoformat", ["sep", "timespec"], a, k);
      return d.isoformat(
        sep === undefined ? "T" : str(sep, "isoformat() argument 1"),
        spec === undefined ? "auto" : str(spec, "timespec"),
      );
    },
    timestamp: (d: PyDateTime) => mkFloat(d.timestamp()),
    date: (d: PyDateTime) => d.date(),
    weekday: (d: PyDateTime) => d.weekday(),
    isoweekday: (d: PyDateTime) => d.weekday() + 1,
    astimezone: (d: PyDateTime, a, k) => {
      const [tz] = bind("astimezone", ["tz"], a, k);
      if (tz !== undefined && tz !== null)
        throw new PyTypeError("astimezone() takes no timezone in templates");
      return d.astimezone(0);
    },
    utcoffset: (d: PyDateTime) =>
      d.offsetMinutes === null ? null : new PyTimedelta(0, d.offsetMinutes * 60),
    tzname: (d: PyDateTime) => (d.offsetMinutes === null ? null : d.strftime("%Z")),
    replace: (d: PyDateTime, a, k) => {
      const [y, mo, day, h, mi, s, us, tz] = bind(
        "replace",
        ["year", "month", "day", "hour", "minute", "second", "microsecond", "tzinfo"],
        a,
        k,
      );
      const int = (v: unknown) => (v === undefined ? undefined : optInt(v, 0));
      if (tz !== undefined && tz !== null)
        throw new PyTypeError("replace() takes only tzinfo=None in templates");
      return d.replace({
        y: int(y),
        mo: int(mo),
        d: int(day),
        h: int(h),
        mi: int(mi),
        s: int(s),
        us: int(us),
        ...(tz === null ? { offsetMinutes: null } : {}),
      });
    },
  } satisfies Record<string, (d: PyDateTime, a: unknown[], k: Kwargs) => unknown>) as [string, Method][],
);

const DATE_METHODS = new Map<string, Method>(
  Object.entries({
    strftime: (d: PyDate, a, k) => d.strftime(fmtArg("strftime", a, k)),
    isoformat: (d: PyDate) => d.isoformat(),
    weekday: (d: PyDate) => d.weekday(),
    isoweekday: (d: PyDate) => d.weekday() + 1,
    replace: (d: PyDate, a, k) => {
      const [y, mo, day] = bind("replace", ["year", "month", "day"], a, k);
      return PyDate.of(optInt(y, d.year), optInt(mo, d.month), optInt(day, d.day));
    },
  } satisfies Record<string, (d: PyDate, a: unknown[], k: Kwargs) => unknown>) as [string, Method][],
);

const TIMEDELTA_METHODS = new Map<string, Method>([
  ["total_seconds", ((td: PyTimedelta) => mkFloat(td.totalSeconds())) as Method],
]);
