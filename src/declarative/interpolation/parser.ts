// Lexer and parser for the Jinja2 template language (the subset the CDK's sandbox allows), with
// jinja2's precedence: condexpr < or < and < not < compare < + - < ~ < * / // % < ** < unary, and
// filters/tests binding to the unary operand. Produces a small AST that compile.ts turns into closures.

import { TemplateSyntaxError } from "./errors.ts";
import { PyFloat } from "./pyvalues.ts";

export type Expr =
  | { k: "const"; v: unknown }
  | { k: "name"; n: string }
  | { k: "list"; items: Expr[] }
  | { k: "tuple"; items: Expr[] }
  | { k: "dict"; pairs: [Expr, Expr][] }
  | { k: "attr"; obj: Expr; name: string }
  | { k: "item"; obj: Expr; index: Expr }
  | { k: "slice"; obj: Expr; start: Expr | null; stop: Expr | null; step: Expr | null }
  | { k: "call"; fn: Expr; args: Expr[]; kwargs: [string, Expr][] }
  | { k: "filter"; name: string; value: Expr; args: Expr[]; kwargs: [string, Expr][] }
  | { k: "test"; name: string; value: Expr; args: Expr[]; kwargs: [string, Expr][] }
  | { k: "not"; e: Expr }
  | { k: "neg"; e: Expr }
  | { k: "pos"; e: Expr }
  | { k: "and" | "or"; a: Expr; b: Expr }
  | { k: "bin"; op: string; a: Expr; b: Expr }
  | { k: "concat"; items: Expr[] }
  | { k: "cmp"; first: Expr; ops: [string, Expr][] }
  | { k: "cond"; test: Expr; ok: Expr; alt: Expr | null };

export type Target = { k: "name"; n: string } | { k: "tuple"; items: Target[] };

export type Stmt =
  | { k: "text"; s: string }
  | { k: "out"; e: Expr }
  | { k: "if"; branches: [Expr, Stmt[]][]; else: Stmt[] | null }
  | { k: "for"; target: Target; iter: Expr; cond: Expr | null; body: Stmt[]; else: Stmt[] | null }
  | { k: "set"; target: Target; e: Expr }
  | { k: "setblock"; name: string; body: Stmt[] };

type TokType = "name" | "int" | "float" | "str" | "op" | "end";
interface Tok {
  t: TokType;
  v: string;
  value?: unknown;
}

type Part = { k: "text"; s: string } | { k: "var"; toks: Tok[] } | { k: "block"; toks: Tok[] };

const OPERATORS = [
  "//",
  "**",
  "==",
  "!=",
  ">=",
  "<=",
  "+",
  "-",
  "/",
  "*",
  "%",
  "~",
  "[",
  "]",
  "(",
  ")",
  "{",
  "}",
  ">",
  "<",
  "=",
  ".",
  ":",
  "|",
  ",",
  ";",
];
const FLOAT_RE = /(?:\d+_)*\d+(?:(?:\.(?:\d+_)*\d+)?e[+-]?(?:\d+_)*\d+|\.(?:\d+_)*\d+)/iy;
const INT_RE = /0b(?:_?[01])+|0o(?:_?[0-7])+|0x(?:_?[\da-f])+|[1-9](?:_?\d)*|0(?:_?0)*/iy;
const NAME_RE = /[a-zA-Z_][a-zA-Z0-9_]*/y;
const STR_RE = /'([^'\\]*(?:\\.[^'\\]*)*)'|"([^"\\]*(?:\\.[^"\\]*)*)"/sy;
const WS_RE = /\s+/y;
const BLOCK_START = /\{[{%#]/g;
const RAW_START = /\s*raw\s*(-?)%\}/y;
const RAW_END = /\{%(-?)\s*endraw\s*(-?)%\}/g;

const fail = (msg: string): never => {
  throw new TemplateSyntaxError(msg);
};

/** Python's unicode-escape decoding of a Jinja string literal's body. */
function decodeEscapes(body: string): string {
  if (!body.includes("\\")) return body;
  return body.replace(
    /\\(?:([\\'"abfnrtv\n])|([0-7]{1,3})|x(.{0,2})|u(.{0,4})|U(.{0,8})|N(\{[^}]*\})?|(.))/gs,
    (m, simple, oct, x, u, U, named, other) => {
      if (simple !== undefined)
        return (
          {
            "\\": "\\",
            "'": "'",
            '"': '"',
            a: "\x07",
            b: "\b",
            f: "\f",
            n: "\n",
            r: "\r",
            t: "\t",
            v: "\v",
            "\n": "",
          }[simple as string] ?? m
        );
      if (oct !== undefined) return String.fromCodePoint(Number.parseInt(oct, 8));
      const hex = x ?? u ?? U;
      if (hex !== undefined) {
        const want = x !== undefined ? 2 : u !== undefined ? 4 : 8;
        if (!new RegExp(`^[0-9a-fA-F]{${want}}$`).test(hex))
          fail("truncated \\xXX escape in a string literal");
        const cp = Number.parseInt(hex, 16);
        if (cp > 0x10ffff) fail("illegal Unicode character in a string literal");
        return String.fromCodePoint(cp);
      }
      if (m.startsWith("\\N")) return fail(`named Unicode escapes (${named ?? "\\N"}) are not supported`);
      return `\\${other}`;
    },
  );
}

/** Tokens of one `{{ }}` or `{% %}` body, up to its end delimiter outside any brackets. */
function lexExpr(src: string, start: number, end: string): { toks: Tok[]; pos: number; strip: boolean } {
  const toks: Tok[] = [];
  const stack: string[] = [];
  let p = start;
  for (;;) {
    WS_RE.lastIndex = p;
    const ws = WS_RE.exec(src);
    if (ws) p += ws[0].length;
    if (p >= src.length) fail(`unexpected end of template, expected '${end}'`);
    if (stack.length === 0) {
      if (src.startsWith(`-${end}`, p)) return { toks, pos: p + 1 + end.length, strip: true };
      if (src.startsWith(end, p)) return { toks, pos: p + end.length, strip: false };
    }
    FLOAT_RE.lastIndex = p;
    const fl = src[p - 1] === "." ? null : FLOAT_RE.exec(src);
    if (fl) {
      const x = Number(fl[0].replace(/_/g, ""));
      toks.push({ t: "float", v: fl[0], value: Number.isInteger(x) ? new PyFloat(x) : x });
      p += fl[0].length;
      continue;
    }
    INT_RE.lastIndex = p;
    const int = INT_RE.exec(src);
    if (int) {
      const t = int[0].replace(/_/g, "").toLowerCase();
      toks.push({ t: "int", v: int[0], value: Number(t) });
      p += int[0].length;
      continue;
    }
    NAME_RE.lastIndex = p;
    const name = NAME_RE.exec(src);
    if (name) {
      toks.push({ t: "name", v: name[0] });
      p += name[0].length;
      continue;
    }
    STR_RE.lastIndex = p;
    const str = STR_RE.exec(src);
    if (str) {
      const body = (str[1] ?? str[2] ?? "").replace(/\r\n?/g, "\n");
      toks.push({ t: "str", v: str[0], value: decodeEscapes(body) });
      p += str[0].length;
      continue;
    }
    const op = OPERATORS.find((o) => src.startsWith(o, p));
    if (op === undefined) fail(`unexpected char '${src[p]}'`);
    const o = op as string;
    if (o === "(" || o === "[" || o === "{") stack.push(o === "(" ? ")" : o === "[" ? "]" : "}");
    else if (o === ")" || o === "]" || o === "}") {
      const want = stack.pop();
      if (want === undefined) fail(`unexpected '${o}'`);
      if (want !== o) fail(`unexpected '${o}', expected '${want}'`);
    }
    toks.push({ t: "op", v: o });
    p += o.length;
  }
}

/** Splits a template into text and tag parts, applying jinja2's whitespace control and newline rules. */
function lexTemplate(source: string): Part[] {
  // jinja2 normalizes newlines and, without keep_trailing_newline, drops one trailing newline.
  let src = source.replace(/\r\n|\r/g, "\n");
  if (src.endsWith("\n")) src = src.slice(0, -1);
  const parts: Part[] = [];
  let pos = 0;
  let lstrip = false;
  const pushText = (text: string, rstrip: boolean) => {
    let t = text;
    if (lstrip) t = t.replace(/^\s+/, "");
    if (rstrip) t = t.replace(/\s+$/, "");
    lstrip = false;
    if (t) parts.push({ k: "text", s: t });
  };
  while (pos < src.length) {
    BLOCK_START.lastIndex = pos;
    const m = BLOCK_START.exec(src);
    if (!m) {
      pushText(src.slice(pos), false);
      break;
    }
    const kind = src[m.index + 1];
    let p = m.index + 2;
    const strip = src[p] === "-";
    if (strip || src[p] === "+") p++;
    pushText(src.slice(pos, m.index), strip);
    if (kind === "#") {
      const j = src.indexOf("#}", p);
      if (j < 0) fail("missing end of comment tag");
      lstrip = src[j - 1] === "-";
      pos = j + 2;
      continue;
    }
    if (kind === "%") {
      RAW_START.lastIndex = p;
      const raw = RAW_START.exec(src);
      if (raw) {
        RAW_END.lastIndex = p + raw[0].length;
        const endRaw = RAW_END.exec(src) ?? fail("missing end of raw directive");
        lstrip = raw[1] === "-";
        pushText(src.slice(p + raw[0].length, endRaw.index), endRaw[1] === "-");
        lstrip = endRaw[2] === "-";
        pos = endRaw.index + endRaw[0].length;
        continue;
      }
    }
    const { toks, pos: after, strip: stripAfter } = lexExpr(src, p, kind === "{" ? "}}" : "%}");
    parts.push(kind === "{" ? { k: "var", toks } : { k: "block", toks });
    lstrip = stripAfter;
    pos = after;
  }
  return parts;
}

/** Expression parser over one tag's tokens. */
class ExprParser {
  private i = 0;
  constructor(private readonly toks: Tok[]) {}

  get cur(): Tok {
    return this.toks[this.i] ?? { t: "end", v: "" };
  }
  private look(): Tok {
    return this.toks[this.i + 1] ?? { t: "end", v: "" };
  }
  atEnd(): boolean {
    return this.i >= this.toks.length;
  }
  isOp(v: string): boolean {
    const c = this.cur;
    return c.t === "op" && c.v === v;
  }
  isName(v: string): boolean {
    const c = this.cur;
    return c.t === "name" && c.v === v;
  }
  skipOp(v: string): boolean {
    if (!this.isOp(v)) return false;
    this.i++;
    return true;
  }
  skipName(v: string): boolean {
    if (!this.isName(v)) return false;
    this.i++;
    return true;
  }
  expectOp(v: string): void {
    if (!this.skipOp(v)) this.unexpected(`'${v}'`);
  }
  expectName(): string {
    const c = this.cur;
    if (c.t !== "name") this.unexpected("a name");
    this.i++;
    return c.v;
  }
  unexpected(expected: string): never {
    const c = this.cur;
    return fail(
      c.t === "end"
        ? `unexpected end of expression, expected ${expected}`
        : `unexpected '${c.v}', expected ${expected}`,
    );
  }
  done(): void {
    if (!this.atEnd()) this.unexpected("end of tag");
  }

  /** A comma list becomes a tuple; endNames stop it (e.g. `in` after a for target). */
  parseTuple(explicitParens = false, endNames: string[] = [], withCondexpr = true): Expr {
    const items: Expr[] = [];
    let isTuple = false;
    for (;;) {
      if (items.length) this.expectOp(",");
      if (this.atEnd() || this.isOp(")") || (this.cur.t === "name" && endNames.includes(this.cur.v))) break;
      items.push(withCondexpr ? this.parseExpression() : this.parseOr());
      if (this.isOp(",")) isTuple = true;
      else break;
    }
    if (!isTuple) {
      if (items.length) return items[0] as Expr;
      if (!explicitParens) this.unexpected("an expression");
    }
    return { k: "tuple", items };
  }

  parseExpression(): Expr {
    let e = this.parseOr();
    while (this.skipName("if")) {
      const test = this.parseOr();
      const other = this.skipName("else") ? this.parseExpression() : null;
      e = { k: "cond", test, ok: e, alt: other };
    }
    return e;
  }

  parseOr(): Expr {
    let a = this.parseAnd();
    while (this.skipName("or")) a = { k: "or", a, b: this.parseAnd() };
    return a;
  }

  private parseAnd(): Expr {
    let a = this.parseNot();
    while (this.skipName("and")) a = { k: "and", a, b: this.parseNot() };
    return a;
  }

  private parseNot(): Expr {
    if (this.skipName("not")) return { k: "not", e: this.parseNot() };
    return this.parseCompare();
  }

  private parseCompare(): Expr {
    const first = this.parseMath1();
    const ops: [string, Expr][] = [];
    for (;;) {
      const c = this.cur;
      const op =
        c.t === "op"
          ? { "==": "eq", "!=": "ne", "<": "lt", "<=": "lteq", ">": "gt", ">=": "gteq" }[c.v]
          : undefined;
      if (op) {
        this.i++;
        ops.push([op, this.parseMath1()]);
      } else if (this.skipName("in")) ops.push(["in", this.parseMath1()]);
      else if (this.isName("not") && this.look().t === "name" && this.look().v === "in") {
        this.i += 2;
        ops.push(["notin", this.parseMath1()]);
      } else break;
    }
    return ops.length ? { k: "cmp", first, ops } : first;
  }

  private parseMath1(): Expr {
    let a = this.parseConcat();
    while (this.isOp("+") || this.isOp("-")) {
      const op = this.cur.v;
      this.i++;
      a = { k: "bin", op, a, b: this.parseConcat() };
    }
    return a;
  }

  private parseConcat(): Expr {
    const items = [this.parseMath2()];
    while (this.skipOp("~")) items.push(this.parseMath2());
    return items.length === 1 ? (items[0] as Expr) : { k: "concat", items };
  }

  private parseMath2(): Expr {
    let a = this.parsePow();
    while (this.isOp("*") || this.isOp("/") || this.isOp("//") || this.isOp("%")) {
      const op = this.cur.v;
      this.i++;
      a = { k: "bin", op, a, b: this.parsePow() };
    }
    return a;
  }

  private parsePow(): Expr {
    let a = this.parseUnary();
    while (this.skipOp("**")) a = { k: "bin", op: "**", a, b: this.parseUnary() };
    return a;
  }

  private parseUnary(withFilter = true): Expr {
    let e: Expr;
    if (this.skipOp("-")) e = { k: "neg", e: this.parseUnary(false) };
    else if (this.skipOp("+")) e = { k: "pos", e: this.parseUnary(false) };
    else e = this.parsePrimary();
    e = this.parsePostfix(e);
    return withFilter ? this.parseFilterExpr(e) : e;
  }

  private parsePrimary(): Expr {
    const c = this.cur;
    switch (c.t) {
      case "name":
        this.i++;
        if (c.v === "true" || c.v === "True") return { k: "const", v: true };
        if (c.v === "false" || c.v === "False") return { k: "const", v: false };
        if (c.v === "none" || c.v === "None") return { k: "const", v: null };
        return { k: "name", n: c.v };
      case "str": {
        let s = c.value as string;
        this.i++;
        while (this.cur.t === "str") {
          s += this.cur.value as string;
          this.i++;
        }
        return { k: "const", v: s };
      }
      case "int":
      case "float":
        this.i++;
        return { k: "const", v: c.value };
      case "op":
        if (c.v === "(") {
          this.i++;
          const e = this.parseTuple(true);
          this.expectOp(")");
          return e;
        }
        if (c.v === "[") {
          this.i++;
          const items: Expr[] = [];
          while (!this.isOp("]")) {
            if (items.length) this.expectOp(",");
            if (this.isOp("]")) break;
            items.push(this.parseExpression());
          }
          this.expectOp("]");
          return { k: "list", items };
        }
        if (c.v === "{") {
          this.i++;
          const pairs: [Expr, Expr][] = [];
          while (!this.isOp("}")) {
            if (pairs.length) this.expectOp(",");
            if (this.isOp("}")) break;
            const key = this.parseExpression();
            this.expectOp(":");
            pairs.push([key, this.parseExpression()]);
          }
          this.expectOp("}");
          return { k: "dict", pairs };
        }
    }
    return this.unexpected("an expression");
  }

  private parsePostfix(e: Expr): Expr {
    let node = e;
    for (;;) {
      if (this.isOp(".") || this.isOp("[")) node = this.parseSubscript(node);
      else if (this.isOp("(")) node = this.parseCall(node);
      else return node;
    }
  }

  private parseFilterExpr(e: Expr): Expr {
    let node = e;
    for (;;) {
      if (this.isOp("|")) node = this.parseFilter(node);
      else if (this.isName("is")) node = this.parseTest(node);
      else if (this.isOp("(")) node = this.parseCall(node);
      else return node;
    }
  }

  private parseSubscript(obj: Expr): Expr {
    if (this.skipOp(".")) {
      const c = this.cur;
      this.i++;
      if (c.t === "name") return { k: "attr", obj, name: c.v };
      if (c.t === "int") return { k: "item", obj, index: { k: "const", v: c.value } };
      return fail("expected name or number after '.'");
    }
    this.expectOp("[");
    const args: Expr[] = [];
    const slices: Extract<Expr, { k: "slice" }>[] = [];
    while (!this.isOp("]")) {
      if (args.length || slices.length) this.expectOp(",");
      const s = this.parseSubscribed(obj);
      if (s.k === "slice") slices.push(s);
      else args.push(s);
    }
    this.expectOp("]");
    if (slices.length === 1 && args.length === 0) return slices[0] as Expr;
    if (slices.length) return fail("multi-dimensional slices are not supported");
    if (args.length === 1) return { k: "item", obj, index: args[0] as Expr };
    return { k: "item", obj, index: { k: "tuple", items: args } };
  }

  private parseSubscribed(obj: Expr): Expr {
    let start: Expr | null = null;
    if (!this.isOp(":")) {
      start = this.parseExpression();
      if (!this.isOp(":")) return start;
    }
    this.expectOp(":");
    const endOfPart = () => this.isOp("]") || this.isOp(",") || this.isOp(":");
    const stop = endOfPart() ? null : this.parseExpression();
    let step: Expr | null = null;
    if (this.skipOp(":")) step = this.isOp("]") || this.isOp(",") ? null : this.parseExpression();
    return { k: "slice", obj, start, stop, step };
  }

  private parseArgs(): { args: Expr[]; kwargs: [string, Expr][] } {
    this.expectOp("(");
    const args: Expr[] = [];
    const kwargs: [string, Expr][] = [];
    while (!this.isOp(")")) {
      if (args.length || kwargs.length) {
        this.expectOp(",");
        if (this.isOp(")")) break;
      }
      if (this.isOp("*") || this.isOp("**")) fail("*args and **kwargs in calls are not supported");
      if (this.cur.t === "name" && this.look().t === "op" && this.look().v === "=") {
        const key = this.cur.v;
        this.i += 2;
        kwargs.push([key, this.parseExpression()]);
      } else {
        if (kwargs.length) fail("positional argument follows keyword argument");
        args.push(this.parseExpression());
      }
    }
    this.expectOp(")");
    return { args, kwargs };
  }

  private parseCall(fn: Expr): Expr {
    return { k: "call", fn, ...this.parseArgs() };
  }

  private dottedName(): string {
    let name = this.expectName();
    while (this.skipOp(".")) name += `.${this.expectName()}`;
    return name;
  }

  private parseFilter(value: Expr): Expr {
    let node = value;
    while (this.skipOp("|")) {
      const name = this.dottedName();
      const { args, kwargs } = this.isOp("(") ? this.parseArgs() : { args: [], kwargs: [] };
      node = { k: "filter", name, value: node, args, kwargs };
    }
    return node;
  }

  private parseTest(value: Expr): Expr {
    this.i++; // `is`
    const negated = this.skipName("not");
    const name = this.dottedName();
    let args: Expr[] = [];
    let kwargs: [string, Expr][] = [];
    const c = this.cur;
    if (this.isOp("(")) ({ args, kwargs } = this.parseArgs());
    else if (
      (c.t === "name" ||
        c.t === "str" ||
        c.t === "int" ||
        c.t === "float" ||
        this.isOp("[") ||
        this.isOp("{")) &&
      !(c.t === "name" && ["else", "or", "and"].includes(c.v))
    ) {
      if (c.t === "name" && c.v === "is") fail("You cannot chain multiple tests with is");
      args = [this.parsePostfix(this.parsePrimary())];
    }
    const test: Expr = { k: "test", name, value, args, kwargs };
    return negated ? { k: "not", e: test } : test;
  }

  parseTarget(endNames: string[]): Target {
    const items: Target[] = [];
    let isTuple = false;
    for (;;) {
      if (items.length) this.expectOp(",");
      if (this.cur.t === "name" && endNames.includes(this.cur.v)) break;
      if (this.skipOp("(")) {
        items.push(this.parseTarget([]));
        this.expectOp(")");
      } else items.push({ k: "name", n: this.expectName() });
      if (this.isOp(",")) isTuple = true;
      else break;
    }
    if (!isTuple && items.length === 1) return items[0] as Target;
    if (!items.length) this.unexpected("an assignment target");
    return { k: "tuple", items };
  }
}

const BODY_ENDS: Record<string, string[]> = {
  if: ["elif", "else", "endif"],
  for: ["else", "endfor"],
  set: ["endset"],
};

/** Parses a template into statements; throws TemplateSyntaxError. */
export function parseTemplate(source: string): Stmt[] {
  const parts = lexTemplate(source);
  let i = 0;
  const parseBody = (ends: string[]): { body: Stmt[]; end: string | null } => {
    const body: Stmt[] = [];
    while (i < parts.length) {
      const part = parts[i] as Part;
      if (part.k === "text") {
        body.push({ k: "text", s: part.s });
        i++;
        continue;
      }
      const p = new ExprParser(part.toks);
      if (part.k === "var") {
        body.push({ k: "out", e: p.parseTuple() });
        p.done();
        i++;
        continue;
      }
      const tag = p.cur.t === "name" ? p.cur.v : "";
      if (ends.includes(tag)) return { body, end: tag };
      i++;
      p.expectName();
      body.push(parseTag(tag, p));
    }
    if (ends.length) fail(`unexpected end of template, expected '${ends.join("' or '")}'`);
    return { body, end: null };
  };
  const tagParser = (): ExprParser => {
    const part = parts[i] as Extract<Part, { k: "block" }>;
    i++;
    const p = new ExprParser(part.toks);
    p.expectName();
    return p;
  };
  const parseTag = (tag: string, p: ExprParser): Stmt => {
    switch (tag) {
      case "if": {
        const branches: [Expr, Stmt[]][] = [];
        let cond = p.parseTuple();
        p.done();
        let elseBody: Stmt[] | null = null;
        for (;;) {
          const { body, end } = parseBody(BODY_ENDS.if as string[]);
          branches.push([cond, body]);
          const q = tagParser();
          if (end === "elif") {
            cond = q.parseTuple();
            q.done();
            continue;
          }
          q.done();
          if (end === "else") {
            elseBody = parseBody(["endif"]).body;
            tagParser().done();
          }
          break;
        }
        return { k: "if", branches, else: elseBody };
      }
      case "for": {
        const target = p.parseTarget(["in"]);
        if (!p.skipName("in")) p.unexpected("'in'");
        const iter = p.parseTuple(false, ["recursive"], false);
        const cond = p.skipName("if") ? p.parseExpression() : null;
        if (p.isName("recursive")) fail("recursive for loops are not supported");
        p.done();
        const { body, end } = parseBody(BODY_ENDS.for as string[]);
        tagParser().done();
        let elseBody: Stmt[] | null = null;
        if (end === "else") {
          elseBody = parseBody(["endfor"]).body;
          tagParser().done();
        }
        return { k: "for", target, iter, cond, body, else: elseBody };
      }
      case "set": {
        const target = p.parseTarget([]);
        if (p.skipOp("=")) {
          const e = p.parseTuple();
          p.done();
          return { k: "set", target, e };
        }
        p.done();
        if (target.k !== "name") fail("a block set needs a single name");
        const { body } = parseBody(BODY_ENDS.set as string[]);
        tagParser().done();
        return { k: "setblock", name: (target as { n: string }).n, body };
      }
      default:
        return fail(tag ? `Encountered unknown tag '${tag}'` : "tag name expected");
    }
  };
  return parseBody([]).body;
}
