// The CDK's interpolation (airbyte_cdk/sources/declarative/interpolation) for the native runner:
// JinjaInterpolation.eval with its literal_eval step and fallbacks, InterpolatedBoolean,
// InterpolatedMapping and InterpolatedNestedMapping, over a sandboxed Jinja2 subset. Templates are
// compiled once per source string and cached.

import { type Compiled, compileTemplate, type Frame } from "./compile.ts";
import { PyDateTime } from "./datetime.ts";
import { InterpolationError, PyError, PyTypeError, TemplateSyntaxError, UndefinedError } from "./errors.ts";
import { literalEval } from "./literal.ts";
import { GLOBALS, withClock } from "./macros.ts";
import {
  type Dict,
  isDict,
  isInstance,
  literalCopy,
  NOT_LITERAL,
  type PyTypeName,
  pyStr,
  setKey,
} from "./pyvalues.ts";

export { PyDate, PyDateTime, PyTimedelta } from "./datetime.ts";
export { InterpolationError } from "./errors.ts";
export { PY_ATTRS, PyCallable, PyFloat, type PyTypeName, pyFunction, pyRepr, pyStr } from "./pyvalues.ts";

export interface EvalOptions {
  /** Used when the render is empty or hits an undefined value; itself interpolated (CDK `default`). */
  default?: unknown;
  /** Python types the literal_eval result must have, else the rendered text is returned (CDK `valid_types`). */
  validTypes?: readonly PyTypeName[];
  /** The clock now_utc(), today_utc() and day_delta() read; the system clock when absent. */
  now?: () => Date | PyDateTime;
}

const STREAM_STATE_MESSAGE =
  "`stream_state` is no longer supported for interpolation. We recommend using `stream_interval` instead. Please reference the CDK Migration Guide for more information.";

const cache = new Map<string, Compiled | InterpolationError>();
const EMPTY_VARS: Record<string, unknown> = Object.freeze(Object.create(null));
const EMPTY: unique symbol = Symbol("empty");

function compiled(template: string): Compiled {
  let c = cache.get(template);
  if (c === undefined) {
    try {
      c = compileTemplate(template);
    } catch (e) {
      if (!(e instanceof TemplateSyntaxError)) throw e;
      c = new InterpolationError(`template syntax error: ${e.message}`, template, {
        hint: "Fix the template: the runner supports the Jinja2 syntax, filters and macros the Airbyte CDK does.",
      });
    }
    if (cache.size >= 20_000) cache.clear();
    cache.set(template, c);
  }
  if (c instanceof InterpolationError) throw c;
  return c;
}

/** Parses and compiles a template, throwing InterpolationError if it is not valid; cached. */
export function checkTemplate(template: string): void {
  compiled(template);
}

let renders = 0;

/**
 * How many templates with template syntax have been evaluated so far in this process: a caller that
 * sees it unchanged across some work knows no template ran there (only constant text did).
 */
export function templateRenders(): number {
  return renders;
}

/** Builds the evaluation frame after jinja2's undeclared-variable check, which the CDK turns into an error. */
function frameFor(c: Compiled, ctx: Record<string, unknown>): Frame {
  if (c.plain === null) renders++;
  for (const r of c.required) {
    if (Object.hasOwn(ctx, r.name) || r.alts.some((a) => Object.hasOwn(ctx, a))) continue;
    throw undeclared(c, r, ctx);
  }
  return { ctx, vars: c.hasLocals ? Object.create(null) : EMPTY_VARS };
}

function undeclared(
  c: Compiled,
  r: Compiled["required"][number],
  ctx: Record<string, unknown>,
): InterpolationError {
  if (r.callee)
    return new InterpolationError(`unknown function '${r.name}'`, c.source, {
      hint: `Macros available: ${[...GLOBALS.keys()].join(", ")}.`,
    });
  const known = Object.keys(ctx).sort().join(", ");
  return new InterpolationError(`undeclared variable '${r.name}'`, c.source, {
    hint: `The interpolation context here has: ${known || "nothing"}.`,
  });
}

function checkStreamState(c: Compiled): void {
  if (c.mentionsStreamState)
    throw new InterpolationError(STREAM_STATE_MESSAGE, c.source, {
      hint: "The Airbyte CDK refuses such templates as a config error; the manifest needs stream_interval instead.",
    });
}

function failure(e: unknown, source: string): unknown {
  if (e instanceof InterpolationError) return e;
  if (e instanceof UndefinedError)
    return new InterpolationError(`undefined value: ${e.message}`, source, {
      hint: "A key or attribute the template reads is missing: guard it with .get('key', default), `is defined` or `| default(...)`.",
    });
  if (e instanceof PyError) return new InterpolationError(`${e.pyType}: ${e.message}`, source, { cause: e });
  if (e instanceof RangeError)
    return new InterpolationError(`evaluation failed: ${e.message}`, source, { cause: e });
  return e;
}

/** literal_eval of the rendered text with the CDK's valid_types rule; the text when it is no literal. */
function convert(text: string, validTypes: readonly PyTypeName[] | undefined): unknown {
  const v = literalEval(text);
  if (v === NOT_LITERAL) return text;
  if (validTypes && !isInstance(v, validTypes)) return text;
  if (typeof v === "number") return v; // "1e999" reads as inf
  const out = literalCopy(v);
  return out === NOT_LITERAL ? text : out;
}

/** literal_eval(str(v)) for the value of a lone `{{ expr }}`, without printing and re-parsing it. */
function fromValue(v: unknown, validTypes: readonly PyTypeName[] | undefined): unknown {
  if (v === undefined) return EMPTY;
  if (typeof v === "string") return v === "" ? EMPTY : convert(v, validTypes);
  const copy = literalCopy(v);
  if (copy !== NOT_LITERAL) return validTypes && !isInstance(v, validTypes) ? pyStr(v) : copy;
  const s = pyStr(v);
  return s === "" ? EMPTY : convert(s, validTypes);
}

function clockOf(options: EvalOptions | undefined): (() => PyDateTime) | undefined {
  const now = options?.now;
  if (!now) return undefined;
  return () => {
    const d = now();
    return d instanceof PyDateTime ? d : PyDateTime.fromEpochMicros(d.getTime() * 1000);
  };
}

function evalDefault(
  d: unknown,
  ctx: Record<string, unknown>,
  validTypes: readonly PyTypeName[] | undefined,
): unknown {
  if (typeof d !== "string") return d === undefined ? null : d;
  const c = compiled(d);
  const frame = frameFor(c, ctx);
  let text: string;
  try {
    if (c.single) {
      const v = fromValue(c.single(frame), validTypes);
      return v === EMPTY ? "" : v;
    }
    text = c.plain ?? c.render(frame);
  } catch (e) {
    if (!(e instanceof PyTypeError)) throw failure(e, d);
    text = d;
  }
  return convert(text, validTypes);
}

function run(c: Compiled, ctx: Record<string, unknown>, options: EvalOptions): unknown {
  checkStreamState(c);
  const frame = frameFor(c, ctx);
  let text = "";
  try {
    if (c.plain !== null) text = c.plain;
    else if (c.single) {
      const v = fromValue(c.single(frame), options.validTypes);
      if (v !== EMPTY) return v;
    } else text = c.render(frame);
  } catch (e) {
    if (e instanceof PyTypeError)
      text = c.source; // the CDK's _eval returns the template itself on TypeError
    else if (!(e instanceof UndefinedError)) throw failure(e, c.source);
  }
  if (text !== "") return convert(text, options.validTypes);
  return evalDefault(options.default, ctx, options.validTypes);
}

/**
 * JinjaInterpolation.eval: renders the template against the context (config, record, stream_slice…;
 * stream_interval and stream_partition alias stream_slice), then reads the text as a Python literal.
 * Non-strings come back as they are. An empty render or an undefined value falls back to
 * options.default (itself interpolated; null when absent). Pass `default: template` to behave like
 * InterpolatedString, whose default is its own string.
 */
export function evaluate(
  template: unknown,
  context: Record<string, unknown>,
  options: EvalOptions = {},
): unknown {
  if (typeof template !== "string") return template;
  return runTimed(compiled(template), context, options, clockOf(options));
}

/** run() under the options' clock, when they have one. */
function runTimed(
  c: Compiled,
  ctx: Record<string, unknown>,
  options: EvalOptions,
  clock: (() => PyDateTime) | undefined,
): unknown {
  return clock ? withClock(clock, () => run(c, ctx, options)) : run(c, ctx, options);
}

/**
 * InterpolatedBoolean.eval: false iff the value is one of the CDK's FALSE_VALUES or None (the CDK's
 * current tests, e.g. test_none_literal_is_false, expect None to be false; older releases kept it true).
 */
export function evaluateBoolean(
  condition: unknown,
  context: Record<string, unknown>,
  options: Pick<EvalOptions, "now"> = {},
): boolean {
  if (typeof condition === "boolean") return condition;
  return !isFalseValue(evaluate(condition, context, { default: "False", now: options.now }));
}

/**
 * evaluate() and evaluateBoolean() of one template that runs again and again with the same options
 * (a paginator's, once a page): the template is looked up once, on first use (a syntax error still
 * surfaces at evaluation, as with evaluate()), and the options are built once.
 */
export function evaluator(
  template: string,
  options: EvalOptions = {},
): (ctx: Record<string, unknown>) => unknown {
  let c: Compiled | null = null;
  const clock = clockOf(options);
  return (ctx) => {
    c ??= compiled(template);
    return runTimed(c, ctx, options, clock);
  };
}

export function booleanEvaluator(
  condition: string,
  options: Pick<EvalOptions, "now"> = {},
): (ctx: Record<string, unknown>) => boolean {
  const value = evaluator(condition, { default: "False", now: options.now });
  return (ctx) => !isFalseValue(value(ctx));
}

const FALSE_STRINGS = new Set(["False", "false", "{}", "[]", "()", "", "0", "0.0"]);

/** `value in FALSE_VALUES` with Python's == (0 == False, [] == [], {} == {}), or None. */
export function isFalseValue(v: unknown): boolean {
  if (typeof v === "string") return FALSE_STRINGS.has(v);
  if (v === false || v === 0 || v === null || v === undefined) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (isDict(v)) {
    for (const _ in v) return false;
    return true;
  }
  return false;
}

/**
 * The rendered text only, without literal_eval (URLs, headers). Undefined values and unknown names
 * throw InterpolationError; a Python TypeError yields the template itself, as the CDK's _eval does.
 */
export function renderTemplate(
  template: string,
  context: Record<string, unknown>,
  options: Pick<EvalOptions, "now"> = {},
): string {
  const c = compiled(template);
  checkStreamState(c);
  if (c.plain !== null) return c.plain;
  const frame = frameFor(c, context);
  const clock = clockOf(options);
  const go = () => {
    try {
      return c.render(frame);
    } catch (e) {
      if (e instanceof PyTypeError) return template;
      throw failure(e, template);
    }
  };
  return clock ? withClock(clock, go) : go();
}

/** InterpolatedMapping.eval: keys (as str by default) and string values interpolated. */
export function evaluateMapping(
  mapping: Record<string, unknown>,
  context: Record<string, unknown>,
  options: {
    validKeyTypes?: readonly PyTypeName[];
    validValueTypes?: readonly PyTypeName[];
    now?: EvalOptions["now"];
  } = {},
): Dict {
  const out: Dict = {};
  const keyTypes = options.validKeyTypes ?? ["str"];
  for (const k of Object.keys(mapping)) {
    const key = evaluate(k, context, { validTypes: keyTypes, now: options.now });
    const raw = mapping[k];
    const value =
      typeof raw === "string"
        ? evaluate(raw, context, { validTypes: options.validValueTypes, now: options.now })
        : raw;
    setKey(out, typeof key === "string" ? key : pyStr(key), value);
  }
  return out;
}

const TEMPLATE_MARK = /\{[{%#]/;

/**
 * InterpolatedNestedMapping.eval: template strings interpolated at any depth, None values dropped from
 * dicts. Strings with no template in them stay as written ("478", "0012", "None"), as the CDK's
 * current tests expect (test_static_strings_are_preserved_and_jinja_values_are_interpolated).
 */
export function evaluateNestedMapping(
  value: unknown,
  context: Record<string, unknown>,
  options: Pick<EvalOptions, "now"> = {},
): unknown {
  if (typeof value === "string")
    return TEMPLATE_MARK.test(value) ? evaluate(value, context, { now: options.now }) : value;
  if (Array.isArray(value)) return value.map((v) => evaluateNestedMapping(v, context, options));
  if (isDict(value)) {
    const out: Dict = {};
    for (const k of Object.keys(value)) {
      const key = evaluateNestedMapping(k, context, options);
      const v = evaluateNestedMapping(value[k], context, options);
      if (v !== null && v !== undefined) setKey(out, typeof key === "string" ? key : pyStr(key), v);
    }
    return out;
  }
  return value;
}
