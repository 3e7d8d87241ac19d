// Python semantics over JS values, as Jinja templates see them:
//   undefined → jinja2 Undefined, null → None, boolean → bool, number → int when integral else float,
//   PyFloat → a float with an integral value (2.0), string → str, array → list (tuple when marked),
//   plain object → dict, PyDateTime/PyDate/PyTimedelta → datetime types, PyCallable → a function,
//   a raw JSON integer (beyond 2^53, kept exact from a response) → int.
// Anything else (class instances, JS functions, Maps) is opaque: no attribute of it can be read.

import { isRawJson, type RawJson } from "../../core/json.ts";
import { PyDate, PyDateTime, PyTimedelta, pyFloatRepr } from "./datetime.ts";
import { PyError, PyTypeError, UndefinedError } from "./errors.ts";

/** A Python float whose value is integral (2.0): JS numbers alone would print it as "2". */
export class PyFloat {
  constructor(readonly v: number) {}
}

/** A callable value: macros, filters used as functions, bound methods, and hooks the runner exposes. */
export class PyCallable {
  constructor(
    readonly name: string,
    readonly fn: (args: unknown[], kwargs: Record<string, unknown> | null) => unknown,
    readonly owner = "",
  ) {}
}

/** Wraps a JS function as a callable for templates (e.g. a response's `.json()`). */
export function pyFunction(name: string, fn: (...args: unknown[]) => unknown): PyCallable {
  return new PyCallable(name, (args) => fn(...args));
}

/**
 * Python attributes of a dict-like value, read before its keys by `x.name` and after them by
 * `x['name']` (e.g. a StreamSlice's `partition`, `cursor_slice`, `extra_fields`).
 */
export const PY_ATTRS: unique symbol = Symbol("pyAttrs");

const TUPLE: unique symbol = Symbol("tuple");

export function tuple(items: unknown[]): unknown[] {
  Object.defineProperty(items, TUPLE, { value: true });
  return items;
}

export function isTuple(v: unknown): boolean {
  return Array.isArray(v) && (v as unknown as Record<symbol, unknown>)[TUPLE] === true;
}

export type Dict = Record<string, unknown>;

/** An object as JSON.parse makes it (Object.prototype), unlike a list or an object of a class. */
export function isJsonObject(v: unknown): v is Dict {
  return typeof v === "object" && v !== null && Object.getPrototypeOf(v) === Object.prototype;
}

export function isDict(v: unknown): v is Dict {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || (proto === null && !isRawJson(v));
}

/** Sets a key on a dict without ever touching the prototype, even for "__proto__". */
export function setKey(d: Dict, k: string, v: unknown): void {
  if (k === "__proto__")
    Object.defineProperty(d, k, { value: v, enumerable: true, writable: true, configurable: true });
  else d[k] = v;
}

export function isNumeric(v: unknown): v is number | boolean | PyFloat {
  return typeof v === "number" || typeof v === "boolean" || v instanceof PyFloat || isRawJson(v);
}

/** The value as a double (an integer kept exact from JSON is rounded here: arithmetic only). */
export function num(v: number | boolean | PyFloat): number {
  if (typeof v === "number") return v;
  if (typeof v === "boolean") return v ? 1 : 0;
  return v instanceof PyFloat ? v.v : Number((v as RawJson).rawJSON);
}

export function isFloat(v: unknown): boolean {
  return v instanceof PyFloat || (typeof v === "number" && !Number.isInteger(v));
}

export function isInt(v: unknown): v is number | boolean {
  return typeof v === "boolean" || (typeof v === "number" && Number.isInteger(v)) || isRawJson(v);
}

/** A float result: boxed when integral so that it still prints as a float. */
export function mkFloat(x: number): number | PyFloat {
  return Number.isInteger(x) ? new PyFloat(x) : x;
}

export function typeName(v: unknown): string {
  if (v === undefined) return "Undefined";
  if (v === null) return "NoneType";
  switch (typeof v) {
    case "boolean":
      return "bool";
    case "number":
      return Number.isInteger(v) ? "int" : "float";
    case "string":
      return "str";
  }
  if (v instanceof PyFloat) return "float";
  if (isRawJson(v)) return "int";
  if (Array.isArray(v)) return isTuple(v) ? "tuple" : "list";
  if (isDict(v)) return "dict";
  if (v instanceof PyDateTime) return "datetime.datetime";
  if (v instanceof PyDate) return "datetime.date";
  if (v instanceof PyTimedelta) return v.isDuration ? "isodate.duration.Duration" : "datetime.timedelta";
  if (v instanceof PyCallable) return v.owner ? "builtin_function_or_method" : "function";
  return "object";
}

export function truthy(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === "" || v === 0) return false;
  if (v === true || typeof v === "string") return true;
  if (typeof v === "number") return true;
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof PyFloat) return v.v !== 0;
  if (v instanceof PyTimedelta) return v.totalMicros() !== 0 || v.isDuration;
  if (isDict(v)) {
    for (const _ in v) return true;
    return false;
  }
  return true;
}

function intText(n: number): string {
  if (Object.is(n, -0)) return "0";
  return Math.abs(n) < 1e21 ? String(n) : BigInt(n).toString();
}

/** str(): what `{{ value }}` renders. */
export function pyStr(v: unknown): string {
  switch (typeof v) {
    case "string":
      return v;
    case "number":
      return Number.isInteger(v) ? intText(v) : pyFloatRepr(v);
    case "boolean":
      return v ? "True" : "False";
    case "undefined":
      return "";
  }
  if (v === null) return "None";
  if (v instanceof PyFloat) return pyFloatRepr(v.v);
  if (v instanceof PyDateTime || v instanceof PyDate || v instanceof PyTimedelta) return v.toString();
  if (isRawJson(v)) return v.rawJSON;
  return pyRepr(v);
}

const NON_PRINTABLE = /[\p{C}\p{Z}]/u;

export function reprString(s: string): string {
  const q = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = q;
  for (const ch of s) {
    if (ch === q || ch === "\\") out += `\\${ch}`;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (ch !== " " && NON_PRINTABLE.test(ch)) {
      const c = ch.codePointAt(0) as number;
      out +=
        c < 0x100
          ? `\\x${c.toString(16).padStart(2, "0")}`
          : c < 0x10000
            ? `\\u${c.toString(16).padStart(4, "0")}`
            : `\\U${c.toString(16).padStart(8, "0")}`;
    } else out += ch;
  }
  return out + q;
}

/** repr(): how values print inside lists and dicts, so that literal_eval can read them back. */
export function pyRepr(v: unknown): string {
  if (typeof v === "string") return reprString(v);
  if (v === undefined) return "Undefined";
  if (Array.isArray(v)) {
    const items = v.map(pyRepr);
    if (isTuple(v)) return items.length === 1 ? `(${items[0]},)` : `(${items.join(", ")})`;
    return `[${items.join(", ")}]`;
  }
  if (isDict(v)) {
    const parts: string[] = [];
    for (const k in v) parts.push(`${reprString(k)}: ${pyRepr(v[k])}`);
    return `{${parts.join(", ")}}`;
  }
  if (v instanceof PyDateTime || v instanceof PyDate || v instanceof PyTimedelta) return v.repr();
  if (v instanceof PyFloat) return pyFloatRepr(v.v);
  if (isRawJson(v)) return v.rawJSON;
  if (v instanceof PyCallable)
    return v.owner ? `<built-in method ${v.name} of ${v.owner} object>` : `<function ${v.name}>`;
  if (typeof v === "object" && v !== null) return "<object>";
  return pyStr(v);
}

/** Python ==. */
export function pyEq(a: unknown, b: unknown): boolean {
  if (a === b) return typeof a !== "number" || !Number.isNaN(a);
  // Two integers kept exact compare by their digits (always canonical: JSON's, or BigInt's from a
  // literal); one against a JS number compares as doubles (a config value is rounded alike), below.
  if (isRawJson(a) && isRawJson(b)) return a.rawJSON === b.rawJSON;
  if (isNumeric(a)) return isNumeric(b) && num(a) === num(b);
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length || isTuple(a) !== isTuple(b)) return false;
    for (let i = 0; i < a.length; i++) if (!pyEq(a[i], b[i])) return false;
    return true;
  }
  if (isDict(a)) {
    if (!isDict(b)) return false;
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    for (const k of ka) if (!Object.hasOwn(b, k) || !pyEq(a[k], b[k])) return false;
    return true;
  }
  if (a instanceof PyDateTime) return b instanceof PyDateTime && a.equals(b);
  if (a instanceof PyDate) return b instanceof PyDate && a.days === b.days;
  if (a instanceof PyTimedelta)
    return b instanceof PyTimedelta && a.compare(b) === 0 && a.years === b.years && a.months === b.months;
  return false;
}

const OP_SYMBOL: Record<string, string> = { lt: "<", lteq: "<=", gt: ">", gteq: ">=" };

/** Python ordering (<, <=, >, >=); -1/0/1 of a against b, or a TypeError for unorderable types. */
function order(a: unknown, b: unknown, op: string): number {
  if (a === undefined || b === undefined) throw new UndefinedError("an undefined value was compared");
  if (isNumeric(a) && isNumeric(b)) {
    const x = num(a);
    const y = num(b);
    return x < y ? -1 : x > y ? 1 : x === y ? 0 : Number.NaN;
  }
  if (typeof a === "string" && typeof b === "string") return a < b ? -1 : a > b ? 1 : 0;
  if (Array.isArray(a) && Array.isArray(b) && isTuple(a) === isTuple(b)) {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) if (!pyEq(a[i], b[i])) return order(a[i], b[i], op);
    return Math.sign(a.length - b.length);
  }
  if (a instanceof PyDateTime && b instanceof PyDateTime) {
    if (a.naive !== b.naive) throw new PyTypeError("can't compare offset-naive and offset-aware datetimes");
    return a.compare(b);
  }
  if (a instanceof PyDate && b instanceof PyDate) return Math.sign(a.days - b.days);
  if (a instanceof PyTimedelta && b instanceof PyTimedelta && !a.isDuration && !b.isDuration)
    return a.compare(b);
  throw new PyTypeError(
    `'${OP_SYMBOL[op] ?? op}' not supported between instances of '${typeName(a)}' and '${typeName(b)}'`,
  );
}

export function compare(op: string, a: unknown, b: unknown): boolean {
  switch (op) {
    case "eq":
      return pyEq(a, b);
    case "ne":
      return !pyEq(a, b);
    case "lt":
      return order(a, b, op) < 0;
    case "lteq":
      return order(a, b, op) <= 0;
    case "gt":
      return order(a, b, op) > 0;
    case "gteq":
      return order(a, b, op) >= 0;
    case "in":
      return contains(b, a);
    case "notin":
      return !contains(b, a);
  }
  throw new PyTypeError(`unknown comparison ${op}`);
}

/** Python `item in container`. */
export function contains(container: unknown, item: unknown): boolean {
  if (container === undefined) return false;
  if (typeof container === "string") {
    if (typeof item !== "string")
      throw new PyTypeError(`'in <string>' requires string as left operand, not ${typeName(item)}`);
    return container.includes(item);
  }
  if (Array.isArray(container)) {
    for (const x of container) if (pyEq(x, item)) return true;
    return false;
  }
  if (isDict(container)) {
    if (Array.isArray(item) || isDict(item)) throw new PyTypeError(`unhashable type: '${typeName(item)}'`);
    return typeof item === "string" && Object.hasOwn(container, item);
  }
  throw new PyTypeError(`argument of type '${typeName(container)}' is not iterable`);
}

function binopError(op: string, a: unknown, b: unknown): PyTypeError {
  return new PyTypeError(`unsupported operand type(s) for ${op}: '${typeName(a)}' and '${typeName(b)}'`);
}

function numResult(x: number, float: boolean): number | PyFloat {
  return float ? mkFloat(x) : x;
}

function repeat(seq: string | unknown[], times: number | boolean): string | unknown[] {
  const n = Math.max(0, num(times));
  if (n * (seq.length || 1) > 10_000_000)
    throw new PyError("MemoryError", "the repeated sequence is too large");
  if (typeof seq === "string") return seq.repeat(n);
  const out: unknown[] = [];
  for (let i = 0; i < n; i++) out.push(...seq);
  return isTuple(seq) ? tuple(out) : out;
}

/** Python binary arithmetic (+ - * / // % **) with Jinja's Undefined failing on use. */
export function arith(op: string, a: unknown, b: unknown): unknown {
  if (a === undefined || b === undefined)
    throw new UndefinedError(`an undefined value was used with '${op}'`);
  if (isNumeric(a) && isNumeric(b)) {
    const x = num(a);
    const y = num(b);
    const float = isFloat(a) || isFloat(b);
    switch (op) {
      case "+":
        return numResult(x + y, float);
      case "-":
        return numResult(x - y, float);
      case "*":
        return numResult(x * y, float);
      case "/":
        if (y === 0) throw new PyError("ZeroDivisionError", "division by zero");
        return mkFloat(x / y);
      case "//":
        if (y === 0) throw new PyError("ZeroDivisionError", "integer division or modulo by zero");
        return numResult(Math.floor(x / y), float);
      case "%":
        if (y === 0) throw new PyError("ZeroDivisionError", "integer modulo by zero");
        return numResult(x - Math.floor(x / y) * y, float);
      case "**":
        if (x === 0 && y < 0)
          throw new PyError("ZeroDivisionError", "0.0 cannot be raised to a negative power");
        return numResult(x ** y, float || y < 0);
    }
  }
  switch (op) {
    case "+":
      if (typeof a === "string" && typeof b === "string") return a + b;
      if (Array.isArray(a) && Array.isArray(b) && isTuple(a) === isTuple(b)) {
        const out = [...a, ...b];
        return isTuple(a) ? tuple(out) : out;
      }
      if ((a instanceof PyDateTime || a instanceof PyDate) && b instanceof PyTimedelta) return a.add(b);
      if (a instanceof PyTimedelta && (b instanceof PyDateTime || b instanceof PyDate)) return b.add(a);
      if (a instanceof PyTimedelta && b instanceof PyTimedelta) return a.add(b);
      break;
    case "-":
      if ((a instanceof PyDateTime || a instanceof PyDate) && b instanceof PyTimedelta)
        return a.add(b.negate());
      if (a instanceof PyDateTime && b instanceof PyDateTime) return a.diff(b);
      if (a instanceof PyDate && b instanceof PyDate) return new PyTimedelta(a.days - b.days);
      if (a instanceof PyTimedelta && b instanceof PyTimedelta) return a.add(b.negate());
      break;
    case "*":
      if ((typeof a === "string" || Array.isArray(a)) && isInt(b)) return repeat(a, b);
      if ((typeof b === "string" || Array.isArray(b)) && isInt(a)) return repeat(b, a);
      if (a instanceof PyTimedelta && isNumeric(b)) return a.scale(num(b));
      if (b instanceof PyTimedelta && isNumeric(a)) return b.scale(num(a));
      break;
    case "/":
      if (a instanceof PyTimedelta && b instanceof PyTimedelta)
        return mkFloat(a.totalMicros() / b.totalMicros());
      if (a instanceof PyTimedelta && isNumeric(b)) return a.scale(1 / num(b));
      break;
    case "//":
      if (a instanceof PyTimedelta && b instanceof PyTimedelta)
        return Math.floor(a.totalMicros() / b.totalMicros());
      if (a instanceof PyTimedelta && isInt(b))
        return PyTimedelta.fromMicros(Math.floor(a.totalMicros() / num(b)));
      break;
    case "%":
      if (typeof a === "string") return printf(a, b);
      break;
  }
  throw binopError(op, a, b);
}

export function negate(v: unknown): unknown {
  if (v === undefined) throw new UndefinedError("an undefined value was negated");
  if (isNumeric(v)) return isFloat(v) ? mkFloat(-num(v)) : -num(v) || 0;
  if (v instanceof PyTimedelta) return v.negate();
  throw new PyTypeError(`bad operand type for unary -: '${typeName(v)}'`);
}

/** printf-style `str % args` (the %s %r %d %i %f %e %g %x %o %c %% conversions). */
export function printf(format: string, args: unknown): string {
  const list = isTuple(args) ? (args as unknown[]) : [args];
  const mapping = isDict(args) ? args : null;
  let i = 0;
  const out = format.replace(
    /%(\([^)]*\))?([-+ #0]*)(\*|\d+)?(?:\.(\*|\d+))?([diouxXeEfFgGcrsa%])/g,
    (
      _m,
      key: string | undefined,
      flags: string,
      width: string | undefined,
      prec: string | undefined,
      conv: string,
    ) => {
      if (conv === "%") return "%";
      const next = () => {
        if (i >= list.length) throw new PyTypeError("not enough arguments for format string");
        return list[i++];
      };
      const w = width === "*" ? num(next() as number) : width ? Number(width) : 0;
      const p = prec === "*" ? num(next() as number) : prec !== undefined ? Number(prec) : undefined;
      const v = key !== undefined && mapping ? mapping[key.slice(1, -1)] : next();
      let s: string;
      switch (conv) {
        case "s":
          s = pyStr(v);
          if (p !== undefined) s = s.slice(0, p);
          break;
        case "r":
        case "a":
          s = pyRepr(v);
          break;
        case "c":
          s = typeof v === "string" ? v : String.fromCodePoint(num(v as number));
          break;
        default: {
          if (!isNumeric(v))
            throw new PyTypeError(`%${conv} format: a real number is required, not ${typeName(v)}`);
          const x = num(v);
          if ("diu".includes(conv)) s = String(Math.trunc(x));
          else if (conv === "x") s = Math.trunc(x).toString(16);
          else if (conv === "X") s = Math.trunc(x).toString(16).toUpperCase();
          else if (conv === "o") s = Math.trunc(x).toString(8);
          else if ("eE".includes(conv)) {
            s = x.toExponential(p ?? 6).replace(/e([+-])(\d)$/, "e$10$2");
            if (conv === "E") s = s.toUpperCase();
          } else if ("fF".includes(conv)) s = x.toFixed(p ?? 6);
          else s = String(Number(x.toPrecision(p || 6)));
          if (flags.includes("+") && x >= 0) s = `+${s}`;
          else if (flags.includes(" ") && x >= 0) s = ` ${s}`;
        }
      }
      if (s.length < w) {
        if (flags.includes("-")) s = s.padEnd(w);
        else if (flags.includes("0") && conv !== "s" && conv !== "r") {
          const sign = /^[+\- ]/.test(s) ? (s[0] as string) : "";
          s = sign + s.slice(sign.length).padStart(w - sign.length, "0");
        } else s = s.padStart(w);
      }
      return s;
    },
  );
  if (!mapping && i < list.length)
    throw new PyTypeError("not all arguments converted during string formatting");
  return out;
}

/**
 * The value literal_eval(str(v)) would give back, as plain JS data, or NOT_LITERAL when str(v) is no
 * Python literal (datetimes, functions, NaN, Undefined inside a list…).
 */
export const NOT_LITERAL: unique symbol = Symbol("notLiteral");

export function literalCopy(v: unknown): unknown {
  switch (typeof v) {
    case "string":
    case "boolean":
      return v;
    case "number":
      return Number.isFinite(v) ? v : NOT_LITERAL; // repr(inf) is "inf", which is no literal
  }
  if (v === null) return null;
  if (v instanceof PyFloat) return v.v;
  if (isRawJson(v)) return v; // an exact integer: itself
  if (Array.isArray(v)) {
    const out: unknown[] = new Array(v.length);
    for (let i = 0; i < v.length; i++) {
      const c = literalCopy(v[i]);
      if (c === NOT_LITERAL) return NOT_LITERAL;
      out[i] = c;
    }
    return out;
  }
  if (isDict(v)) {
    const out: Dict = {};
    for (const k in v) {
      const c = literalCopy(v[k]);
      if (c === NOT_LITERAL) return NOT_LITERAL;
      setKey(out, k, c);
    }
    return out;
  }
  return NOT_LITERAL;
}

/** The Python type names the CDK passes as valid_types. */
export type PyTypeName = "str" | "int" | "float" | "bool" | "list" | "tuple" | "dict" | "NoneType";

/** isinstance(v, valid_types) for a literal value (bool counts as an int, as in Python). */
export function isInstance(v: unknown, types: readonly PyTypeName[]): boolean {
  const t = typeName(v);
  return types.some((n) => n === t || (n === "int" && t === "bool"));
}
