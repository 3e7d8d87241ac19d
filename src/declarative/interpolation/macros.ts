// The template globals: the CDK's macros (interpolation/macros.py) plus jinja2's `dict`. `range` is
// absent on purpose, as in the CDK, which removes it from its sandbox.

import { randomUUID } from "node:crypto";
import {
  formatDatetime,
  PyDate,
  PyDateTime,
  PyTimedelta,
  parseDatetimeStrict,
  parseIsoDuration,
  pyFloatText,
  strptime,
  strToDatetime,
} from "./datetime.ts";
import { PyError, PyTypeError, PyValueError, UndefinedError } from "./errors.ts";
import { dictGlobal, pyQuotePlus, regexReplace, regexSearch } from "./filters.ts";
import { compare, isDict, isNumeric, mkFloat, num, PyCallable, typeName } from "./pyvalues.ts";
import { bind, iterate, type Kwargs } from "./runtime.ts";

let clock: () => PyDateTime = PyDateTime.now;

/** Runs fn with now_utc() and friends reading the given clock (tests freeze time with it). */
export function withClock<T>(now: (() => PyDateTime) | undefined, fn: () => T): T {
  if (!now) return fn();
  const saved = clock;
  clock = now;
  try {
    return fn();
  } finally {
    clock = saved;
  }
}

/** dateutil's isoparse on a non-string: a sized value shorter than 4 is "too short", others fail to slice. */
function isoText(v: unknown, fname: string): string {
  if (typeof v === "string" || v === undefined) return needStr(v, fname);
  if ((Array.isArray(v) || isDict(v)) && (Array.isArray(v) ? v.length : Object.keys(v).length) < 4)
    throw new PyValueError("ISO string too short");
  throw new PyTypeError(`${fname}() expects a string, not ${typeName(v)}`);
}

function needStr(v: unknown, fname: string): string {
  if (v === undefined) throw new UndefinedError(`an undefined value was passed to ${fname}()`);
  if (typeof v !== "string") throw new PyTypeError(`${fname}() expects a string, not ${typeName(v)}`);
  return v;
}

function extreme(fname: "max" | "min", args: unknown[], kwargs: Kwargs): unknown {
  if (kwargs && Object.keys(kwargs).some((k) => k !== "default"))
    throw new PyTypeError(`${fname}() only takes default= as a keyword argument in templates`);
  const items = args.length === 1 ? iterate(args[0]) : args;
  if (args.length === 0) throw new PyTypeError(`${fname} expected at least 1 argument, got 0`);
  if (items.length === 0) {
    if (kwargs && "default" in kwargs) return kwargs.default;
    throw new PyValueError(`${fname}() arg is an empty sequence`);
  }
  let best = items[0];
  for (let i = 1; i < items.length; i++)
    if (compare(fname === "max" ? "gt" : "lt", items[i], best)) best = items[i];
  return best;
}

function todayIn(timezone: unknown): PyDate {
  const tz = needStr(timezone, "today_with_timezone");
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = new Intl.DateTimeFormat("en-US", {
      timeZone: tz,
      year: "numeric",
      month: "numeric",
      day: "numeric",
    }).formatToParts(new Date(Math.floor(clock().epochMicros() / 1000)));
  } catch {
    throw new PyError("UnknownTimeZoneError", `unknown time zone '${tz}'`);
  }
  const part = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  return PyDate.of(part("year"), part("month"), part("day"));
}

function formatDatetimeMacro(args: unknown[], kwargs: Kwargs): string {
  const [dt, format, inputFormat = null] = bind(
    "format_datetime",
    ["dt", "format", "input_format"],
    args,
    kwargs,
    2,
  );
  const fmt = needStr(format, "format_datetime");
  let parsed: PyDateTime;
  if (dt instanceof PyDateTime) return formatDatetime(dt, fmt);
  if (typeof dt === "number" && Number.isInteger(dt)) {
    parsed = parseDatetimeStrict(dt, inputFormat === null ? "%s" : needStr(inputFormat, "format_datetime"));
  } else if (typeof dt === "boolean") {
    parsed = parseDatetimeStrict(
      dt ? 1 : 0,
      inputFormat === null ? "%s" : needStr(inputFormat, "format_datetime"),
    );
  } else {
    const text = inputFormat === null ? isoText(dt, "format_datetime") : needStr(dt, "format_datetime");
    parsed =
      inputFormat === null ? strToDatetime(text) : strptime(text, needStr(inputFormat, "format_datetime"));
  }
  if (parsed.naive) parsed = new PyDateTime(parsed.wallSec, parsed.usec, 0);
  return formatDatetime(parsed, fmt);
}

const macro = (name: string, fn: (args: unknown[], kwargs: Kwargs) => unknown) =>
  [name, new PyCallable(name, fn)] as const;

export const GLOBALS = new Map<string, unknown>([
  macro("now_utc", (a, k) => {
    bind("now_utc", [], a, k);
    return clock();
  }),
  macro("today_utc", (a, k) => {
    bind("today_utc", [], a, k);
    return clock().date();
  }),
  macro("today_with_timezone", (a, k) => todayIn(bind("today_with_timezone", ["timezone"], a, k, 1)[0])),
  macro("timestamp", (a, k) => {
    const [dt] = bind("timestamp", ["dt"], a, k, 1);
    if (isNumeric(dt)) return Math.trunc(num(dt));
    return mkFloat(strToDatetime(isoText(dt, "timestamp")).timestamp());
  }),
  macro("timestamp_to_datetime", (a, k) => {
    const [ts] = bind("timestamp_to_datetime", ["ts"], a, k, 1);
    const seconds = isNumeric(ts) ? num(ts) : pyFloatText(needStr(ts, "timestamp_to_datetime"));
    if (seconds === null) throw new PyValueError("could not convert string to float");
    return PyDateTime.fromTimestamp(seconds);
  }),
  macro("str_to_datetime", (a, k) =>
    strToDatetime(isoText(bind("str_to_datetime", ["s"], a, k, 1)[0], "str_to_datetime")),
  ),
  macro("max", (a, k) => extreme("max", a, k)),
  macro("min", (a, k) => extreme("min", a, k)),
  macro("day_delta", (a, k) => {
    const [days, format = "%Y-%m-%dT%H:%M:%S.%f%z"] = bind("day_delta", ["num_days", "format"], a, k, 1);
    if (!isNumeric(days))
      throw new PyTypeError(`unsupported type for timedelta days component: ${typeName(days)}`);
    return clock()
      .add(PyTimedelta.of({ days: num(days) }))
      .strftime(needStr(format, "day_delta"));
  }),
  macro("duration", (a, k) =>
    parseIsoDuration(needStr(bind("duration", ["datestring"], a, k, 1)[0], "duration")),
  ),
  macro("format_datetime", formatDatetimeMacro),
  macro("sanitize_url", (a, k) => pyQuotePlus(bind("sanitize_url", ["value"], a, k, 1)[0])),
  macro("camel_case_to_snake_case", (a, k) =>
    needStr(bind("camel_case_to_snake_case", ["value"], a, k, 1)[0], "camel_case_to_snake_case")
      .replace(/(?<!^)(?=[A-Z])/g, "_")
      .toLowerCase(),
  ),
  macro("generate_uuid", (a, k) => {
    bind("generate_uuid", [], a, k);
    return randomUUID();
  }),
  macro("regex_search", (a, k) => {
    const [value, regex] = bind("regex_search", ["value", "regex"], a, k, 2);
    return regexSearch(value, regex);
  }),
  macro("regex_replace", (a, k) => {
    const [value, regex, replacement] = bind("regex_replace", ["value", "regex", "replacement"], a, k, 3);
    return regexReplace(value, regex, replacement);
  }),
  macro("dict", dictGlobal),
  // jinja2's `self` (the template reference) is always defined; it has nothing a manifest can use.
  ["self", Object.freeze(new (class TemplateReference {})())],
]);
