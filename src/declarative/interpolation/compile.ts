// Turns a parsed template into closures, once per source string: evaluating a compiled template is a
// few function calls per node, which is what per-record transformations and filters need.

import { PyTypeError, TemplateSyntaxError, UndefinedError } from "./errors.ts";
import { FILTERS, TESTS } from "./filters.ts";
import { GLOBALS } from "./macros.ts";
import { type Expr, parseTemplate, type Stmt, type Target } from "./parser.ts";
import {
  arith,
  compare,
  type Dict,
  isNumeric,
  negate,
  pyStr,
  setKey,
  truthy,
  tuple,
  typeName,
} from "./pyvalues.ts";
import {
  attrGetter,
  callMethod,
  callValue,
  getitem,
  getslice,
  itemGetter,
  iterate,
  type Kwargs,
} from "./runtime.ts";

export interface Frame {
  ctx: Record<string, unknown>;
  vars: Record<string, unknown>;
}
type Fn = (f: Frame) => unknown;
type StmtFn = (f: Frame, out: string[]) => void;

/** A context name the template needs; alts satisfy it too (stream_interval ← stream_slice). */
export interface Requirement {
  name: string;
  alts: readonly string[];
  callee: boolean;
}

export interface Compiled {
  source: string;
  /** Names that must be in the context (jinja2's undeclared variables minus globals). */
  required: Requirement[];
  /** The text mentions stream_state, which the CDK refuses. */
  mentionsStreamState: boolean;
  /** Whether the template assigns variables ({% set %}, {% for %}). */
  hasLocals: boolean;
  /** The template is a single `{{ expr }}`: its value, before str(). */
  single: Fn | null;
  render: (f: Frame) => string;
  /** No tags at all: the text jinja2 renders. */
  plain: string | null;
}

const ALIASES = new Map([
  ["stream_interval", "stream_slice"],
  ["stream_partition", "stream_slice"],
]);

/** Names a body assigns in its own scope: {% set %} anywhere but inside a nested {% for %}. */
function assignedNames(stmts: Stmt[], into: Set<string>): Set<string> {
  for (const s of stmts) {
    if (s.k === "set") targetNames(s.target, into);
    else if (s.k === "setblock") {
      into.add(s.name);
      assignedNames(s.body, into);
    } else if (s.k === "if") {
      for (const [, body] of s.branches) assignedNames(body, into);
      if (s.else) assignedNames(s.else, into);
    } else if (s.k === "for" && s.else) assignedNames(s.else, into);
  }
  return into;
}

function targetNames(t: Target, into: Set<string>): Set<string> {
  if (t.k === "name") into.add(t.n);
  else for (const x of t.items) targetNames(x, into);
  return into;
}

class Compiler {
  readonly required = new Map<string, Requirement>();
  /** Whether any scope assigns names, so that evaluation needs a fresh variables object. */
  hasLocals: boolean;
  constructor(private locals: Set<string>) {
    this.hasLocals = locals.size > 0;
  }

  private need(name: string, callee: boolean): void {
    const hit = this.required.get(name);
    if (hit) {
      if (callee) hit.callee = true;
      return;
    }
    const alias = ALIASES.get(name);
    this.required.set(name, { name, alts: alias ? [alias] : [], callee });
  }

  private name(n: string, callee: boolean): Fn {
    const global = GLOBALS.get(n);
    const alias = ALIASES.get(n);
    const lookup: Fn = (f) =>
      Object.hasOwn(f.ctx, n)
        ? f.ctx[n]
        : global !== undefined
          ? global
          : alias !== undefined && Object.hasOwn(f.ctx, alias)
            ? f.ctx[alias]
            : undefined;
    if (this.locals.has(n)) return (f) => (n in f.vars ? f.vars[n] : lookup(f));
    if (global === undefined) this.need(n, callee);
    // A required name is an own key of the context: evaluate() checks them all before running.
    return global !== undefined || alias !== undefined ? lookup : (f) => f.ctx[n];
  }

  private args(
    args: Expr[],
    kwargs: [string, Expr][],
  ): { a: (f: Frame) => unknown[]; k: (f: Frame) => Kwargs } {
    const as = args.map((e) => this.expr(e));
    const ks = kwargs.map(([n, e]) => [n, this.expr(e)] as const);
    const a =
      as.length === 0
        ? () => []
        : as.length === 1
          ? (f: Frame) => [(as[0] as Fn)(f)]
          : (f: Frame) => as.map((fn) => fn(f));
    const k = ks.length
      ? (f: Frame) => {
          const out: Record<string, unknown> = Object.create(null);
          for (const [n, fn] of ks) out[n] = fn(f);
          return out;
        }
      : () => null;
    return { a, k };
  }

  expr(e: Expr, callee = false): Fn {
    switch (e.k) {
      case "const": {
        const v = e.v;
        return () => v;
      }
      case "name":
        return this.name(e.n, callee);
      case "list": {
        const items = e.items.map((x) => this.expr(x));
        return (f) => items.map((fn) => fn(f));
      }
      case "tuple": {
        const items = e.items.map((x) => this.expr(x));
        return (f) => tuple(items.map((fn) => fn(f)));
      }
      case "dict": {
        const pairs = e.pairs.map(([k, v]) => [this.expr(k), this.expr(v)] as const);
        return (f) => {
          const out: Dict = {};
          for (const [k, v] of pairs) {
            const key = k(f);
            if (Array.isArray(key) || (typeof key === "object" && key !== null && !isNumeric(key)))
              throw new PyTypeError(`unhashable type: '${typeName(key)}'`);
            setKey(out, typeof key === "string" ? key : pyStr(key), v(f));
          }
          return out;
        };
      }
      case "attr": {
        const obj = this.expr(e.obj);
        const get = attrGetter(e.name);
        return (f) => get(obj(f));
      }
      case "item": {
        const obj = this.expr(e.obj);
        if (e.index.k === "const") {
          const get = itemGetter(e.index.v);
          return (f) => get(obj(f));
        }
        const index = this.expr(e.index);
        return (f) => getitem(obj(f), index(f));
      }
      case "slice": {
        const obj = this.expr(e.obj);
        const none = () => null;
        const start = e.start ? this.expr(e.start) : none;
        const stop = e.stop ? this.expr(e.stop) : none;
        const step = e.step ? this.expr(e.step) : none;
        return (f) => getslice(obj(f), start(f), stop(f), step(f));
      }
      case "call": {
        const { a, k } = this.args(e.args, e.kwargs);
        if (e.fn.k === "attr") {
          const obj = this.expr(e.fn.obj);
          const name = e.fn.name;
          return (f) => callMethod(obj(f), name, a(f), k(f));
        }
        const fn = this.expr(e.fn, true);
        return (f) => callValue(fn(f), a(f), k(f));
      }
      case "filter": {
        const filter = FILTERS.get(e.name);
        if (!filter) throw new TemplateSyntaxError(`No filter named '${e.name}'`);
        const value = this.expr(e.value);
        const { a, k } = this.args(e.args, e.kwargs);
        return (f) => filter(value(f), a(f), k(f));
      }
      case "test": {
        const test = TESTS.get(e.name);
        if (!test) throw new TemplateSyntaxError(`No test named '${e.name}'`);
        const value = this.expr(e.value);
        if (e.kwargs.length) throw new TemplateSyntaxError(`test '${e.name}' takes no keyword arguments`);
        const { a } = this.args(e.args, []);
        return (f) => test(value(f), a(f));
      }
      case "not": {
        const x = this.expr(e.e);
        return (f) => !truthy(x(f));
      }
      case "neg": {
        const x = this.expr(e.e);
        return (f) => negate(x(f));
      }
      case "pos": {
        const x = this.expr(e.e);
        return (f) => {
          const v = x(f);
          if (v === undefined) throw new UndefinedError("unary + of an undefined value");
          if (!isNumeric(v)) throw new PyTypeError(`bad operand type for unary +: '${typeName(v)}'`);
          return typeof v === "boolean" ? Number(v) : v;
        };
      }
      case "and": {
        const a = this.expr(e.a);
        const b = this.expr(e.b);
        return (f) => {
          const x = a(f);
          return truthy(x) ? b(f) : x;
        };
      }
      case "or": {
        const a = this.expr(e.a);
        const b = this.expr(e.b);
        return (f) => {
          const x = a(f);
          return truthy(x) ? x : b(f);
        };
      }
      case "bin": {
        const a = this.expr(e.a);
        const b = this.expr(e.b);
        const op = e.op;
        return (f) => arith(op, a(f), b(f));
      }
      case "concat": {
        const items = e.items.map((x) => this.expr(x));
        return (f) => {
          let s = "";
          for (const fn of items) s += pyStr(fn(f));
          return s;
        };
      }
      case "cmp": {
        const first = this.expr(e.first);
        const ops = e.ops.map(([op, x]) => [op, this.expr(x)] as const);
        if (ops.length === 1) {
          const [op, right] = ops[0] as (typeof ops)[number];
          return (f) => compare(op, first(f), right(f));
        }
        return (f) => {
          let left = first(f);
          for (const [op, fn] of ops) {
            const right = fn(f);
            if (!compare(op, left, right)) return false;
            left = right;
          }
          return true;
        };
      }
      case "cond": {
        const test = this.expr(e.test);
        const ok = this.expr(e.ok);
        const alt = e.alt ? this.expr(e.alt) : () => undefined;
        return (f) => (truthy(test(f)) ? ok(f) : alt(f));
      }
    }
  }

  private assign(t: Target): (vars: Record<string, unknown>, v: unknown) => void {
    if (t.k === "name") {
      const n = t.n;
      return (vars, v) => {
        vars[n] = v;
      };
    }
    const parts = t.items.map((x) => this.assign(x));
    return (vars, v) => {
      const items = iterate(v);
      if (items.length !== parts.length)
        throw new PyTypeError(`cannot unpack ${items.length} values into ${parts.length} names`);
      for (let i = 0; i < parts.length; i++) (parts[i] as (typeof parts)[number])(vars, items[i]);
    };
  }

  stmts(list: Stmt[]): StmtFn {
    const fns = list.map((s) => this.stmt(s));
    if (fns.length === 1) return fns[0] as StmtFn;
    return (f, out) => {
      for (const fn of fns) fn(f, out);
    };
  }

  private stmt(s: Stmt): StmtFn {
    switch (s.k) {
      case "text": {
        const text = s.s;
        return (_f, out) => {
          out.push(text);
        };
      }
      case "out": {
        const e = this.expr(s.e);
        return (f, out) => {
          out.push(pyStr(e(f)));
        };
      }
      case "if": {
        const branches = s.branches.map(([c, body]) => [this.expr(c), this.stmts(body)] as const);
        const other = s.else ? this.stmts(s.else) : null;
        return (f, out) => {
          for (const [c, body] of branches) if (truthy(c(f))) return body(f, out);
          other?.(f, out);
        };
      }
      case "for": {
        const iter = this.expr(s.iter);
        const other = s.else ? this.stmts(s.else) : null;
        // The loop body is its own scope: its target, `loop` and its sets are not visible after it.
        const outer = this.locals;
        this.locals = assignedNames(s.body, targetNames(s.target, new Set([...outer, "loop"])));
        this.hasLocals = true;
        const assign = this.assign(s.target);
        const cond = s.cond ? this.expr(s.cond) : null;
        const body = this.stmts(s.body);
        this.locals = outer;
        return (f, out) => {
          let items = iterate(iter(f)).slice();
          if (cond)
            items = items.filter((item) => {
              const vars = Object.create(f.vars);
              assign(vars, item);
              return truthy(cond({ ctx: f.ctx, vars }));
            });
          if (!items.length) return other?.(f, out);
          const n = items.length;
          items.forEach((item, i) => {
            const vars = Object.create(f.vars);
            assign(vars, item);
            vars.loop = {
              index: i + 1,
              index0: i,
              revindex: n - i,
              revindex0: n - i - 1,
              first: i === 0,
              last: i === n - 1,
              length: n,
              depth: 1,
              depth0: 0,
              previtem: i > 0 ? items[i - 1] : undefined,
              nextitem: i < n - 1 ? items[i + 1] : undefined,
            };
            body({ ctx: f.ctx, vars }, out);
          });
        };
      }
      case "set": {
        const e = this.expr(s.e);
        const assign = this.assign(s.target);
        return (f) => assign(f.vars, e(f));
      }
      case "setblock": {
        const body = this.stmts(s.body);
        const n = s.name;
        return (f) => {
          const buf: string[] = [];
          body(f, buf);
          f.vars[n] = buf.join("");
        };
      }
    }
  }
}

/** Parses and compiles a template; throws TemplateSyntaxError. */
export function compileTemplate(source: string): Compiled {
  const mentionsStreamState = source.includes("stream_state");
  if (!/\{[{%#]/.test(source)) {
    let plain = source.replace(/\r\n|\r/g, "\n");
    if (plain.endsWith("\n")) plain = plain.slice(0, -1);
    return {
      source,
      required: [],
      mentionsStreamState,
      hasLocals: false,
      single: null,
      render: () => plain,
      plain,
    };
  }
  const stmts = parseTemplate(source);
  const c = new Compiler(assignedNames(stmts, new Set()));
  const body = c.stmts(stmts);
  const only = stmts.length === 1 ? (stmts[0] as Stmt) : null;
  const single = only?.k === "out" ? c.expr(only.e) : null;
  const render =
    stmts.length === 0
      ? () => ""
      : (f: Frame) => {
          const out: string[] = [];
          body(f, out);
          return out.length === 1 ? (out[0] as string) : out.join("");
        };
  return {
    source,
    required: [...c.required.values()],
    mentionsStreamState,
    hasLocals: c.hasLocals,
    single,
    render,
    plain: null,
  };
}
