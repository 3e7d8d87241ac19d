// Python's ast.literal_eval over the rendered text, which the CDK applies to every interpolation:
// "30" becomes an int, "[1, 2]" a list, "'a'" the string a, "1,2" a tuple, "True" a bool. Values
// come back in the evaluator's Python model (PyFloat for 2.0, marked tuples) or NOT_LITERAL when
// Python would raise ValueError/SyntaxError, in which case the CDK keeps the text.

import { exactInteger, isRawJson, type RawJson } from "../../core/json.ts";
import { type Dict, NOT_LITERAL, PyFloat, setKey, tuple } from "./pyvalues.ts";

class NotLiteral extends Error {}
const fail = (): never => {
  throw new NotLiteral();
};

// Cheap first-character screen: text that cannot start a literal skips the parser entirely.
const MAY_START = /^[ \t\n\r\f]*[-+.\d'"([{TFNsrRuUbB#]/;

export function literalEval(text: string): unknown {
  if (!MAY_START.test(text)) return NOT_LITERAL;
  try {
    return new LiteralParser(text.replace(/^[ \t]+/, "")).parseAll();
  } catch (e) {
    if (e instanceof NotLiteral) return NOT_LITERAL;
    throw e;
  }
}

const FLOAT =
  /(?:\d(?:_?\d)*)?\.\d(?:_?\d)*(?:[eE][+-]?\d(?:_?\d)*)?|\d(?:_?\d)*\.(?:[eE][+-]?\d(?:_?\d)*)?|\d(?:_?\d)*[eE][+-]?\d(?:_?\d)*/y;
const DIGITPART = /\d(?:_?\d)*/y;
const INT = /0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+|[1-9](?:_?\d)*|0+(?:_?0)*/y;
const NAME = /[A-Za-z_][A-Za-z0-9_]*/y;
const NAME_CHAR = /[A-Za-z0-9_]/;
const STRING_PREFIX = /^(?:[rRuUbBfF]|[bB][rR]|[rR][bB]|[fF][rR]|[rR][fF])$/;

type Tok =
  | { t: "num"; v: number | PyFloat | RawJson }
  | { t: "str"; v: string; bytes: boolean }
  | { t: "name"; v: string }
  | { t: "op"; v: string }
  | { t: "nl" }
  | { t: "end" };

class LiteralParser {
  private pos = 0;
  private depth = 0;
  private tok: Tok;

  constructor(private readonly s: string) {
    this.skipBlankLines();
    this.tok = this.lex();
  }

  parseAll(): unknown {
    const v = this.parseList(true);
    while (this.tok.t === "nl") this.next();
    if (this.tok.t !== "end") fail();
    return v;
  }

  /** Leading blank lines are fine; an indented first line is an IndentationError. */
  private skipBlankLines(): void {
    for (;;) {
      const m = /^[ \t\f]*(?:#[^\n]*)?\r?\n/.exec(this.s.slice(this.pos));
      if (!m) break;
      this.pos += m[0].length;
    }
    if (this.pos > 0 && /^[ \t\f]/.test(this.s.slice(this.pos))) fail();
  }

  private next(): void {
    this.tok = this.lex();
  }

  private lex(): Tok {
    const s = this.s;
    for (;;) {
      const c = s[this.pos];
      if (c === " " || c === "\t" || c === "\f") this.pos++;
      else if (c === "#") while (this.pos < s.length && s[this.pos] !== "\n") this.pos++;
      else if (c === "\n" || c === "\r") {
        this.pos++;
        if (this.depth === 0) return { t: "nl" };
      } else if (c === "\\") fail();
      else break;
    }
    if (this.pos >= s.length) return { t: "end" };
    const c = s[this.pos] as string;
    if (/[\d.]/.test(c) && (c !== "." || /\d/.test(s[this.pos + 1] ?? ""))) return this.lexNumber();
    if (c === "'" || c === '"') return this.lexString("");
    NAME.lastIndex = this.pos;
    const name = NAME.exec(s);
    if (name) {
      this.pos += name[0].length;
      const q = s[this.pos];
      if ((q === "'" || q === '"') && STRING_PREFIX.test(name[0]))
        return this.lexString(name[0].toLowerCase());
      return { t: "name", v: name[0] };
    }
    if ("([{".includes(c)) this.depth++;
    else if (")]}".includes(c)) this.depth = Math.max(0, this.depth - 1);
    if (!"()[]{},:+-.".includes(c)) fail();
    this.pos++;
    return { t: "op", v: c };
  }

  private lexNumber(): Tok {
    const s = this.s;
    let v: number | PyFloat | RawJson;
    FLOAT.lastIndex = this.pos;
    const f = FLOAT.exec(s);
    if (f) {
      this.pos += f[0].length;
      if (/[jJ]/.test(s[this.pos] ?? "")) fail(); // complex: never returned without valid_types=(complex,)
      const x = Number(f[0].replace(/_/g, ""));
      v = Number.isInteger(x) ? new PyFloat(x) : x;
    } else {
      DIGITPART.lastIndex = this.pos;
      const d = DIGITPART.exec(s);
      if (d && /[jJ]/.test(s[this.pos + d[0].length] ?? "")) fail();
      INT.lastIndex = this.pos;
      const i = INT.exec(s) ?? fail();
      this.pos += i[0].length;
      const t = i[0].replace(/_/g, "");
      const n = /^0[xob]/i.test(t) ? Number(t.toLowerCase()) : Number(t);
      // Python ints are exact; beyond 2^53 a JS number is not, so the value is kept as its digits.
      v = Number.isSafeInteger(n) ? n : exactInteger(BigInt(t.toLowerCase()).toString());
    }
    if (NAME_CHAR.test(s[this.pos] ?? "")) fail();
    return { t: "num", v };
  }

  private lexString(prefix: string): Tok {
    const s = this.s;
    if (prefix.includes("f")) fail(); // f-strings are JoinedStr nodes, not constants
    const raw = prefix.includes("r");
    const bytes = prefix.includes("b");
    const q = s[this.pos] as string;
    const triple = s.startsWith(q.repeat(3), this.pos);
    const close = triple ? q.repeat(3) : q;
    this.pos += close.length;
    let out = "";
    for (;;) {
      if (this.pos >= s.length) fail();
      if (s.startsWith(close, this.pos)) {
        this.pos += close.length;
        break;
      }
      const c = s[this.pos] as string;
      if (!triple && (c === "\n" || c === "\r")) fail();
      if (bytes && c.charCodeAt(0) > 0x7f) fail();
      if (c !== "\\") {
        out += c;
        this.pos++;
        continue;
      }
      const e = s[this.pos + 1];
      if (e === undefined) fail();
      if (raw) {
        out += c + e;
        this.pos += 2;
        continue;
      }
      this.pos += 2;
      out += this.escape(e as string, bytes);
    }
    return { t: "str", v: out, bytes };
  }

  private escape(e: string, bytes: boolean): string {
    const s = this.s;
    const simple: Record<string, string> = {
      "\n": "",
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
    };
    const hit = simple[e];
    if (hit !== undefined) return hit;
    if (/[0-7]/.test(e)) {
      let digits = e;
      while (digits.length < 3 && /[0-7]/.test(s[this.pos] ?? "")) digits += s[this.pos++];
      return String.fromCodePoint(Number.parseInt(digits, 8));
    }
    const hexLen = e === "x" ? 2 : !bytes && e === "u" ? 4 : !bytes && e === "U" ? 8 : 0;
    if (hexLen) {
      const hex = s.slice(this.pos, this.pos + hexLen);
      if (!new RegExp(`^[0-9a-fA-F]{${hexLen}}$`).test(hex)) fail();
      this.pos += hexLen;
      const cp = Number.parseInt(hex, 16);
      if (cp > 0x10ffff) fail();
      return String.fromCodePoint(cp);
    }
    if (e === "N" && !bytes) fail(); // named escapes need the Unicode name table
    return `\\${e}`;
  }

  private isOp(v: string): boolean {
    return this.tok.t === "op" && this.tok.v === v;
  }

  private expectOp(v: string): void {
    if (!this.isOp(v)) fail();
    this.next();
  }

  /** A comma list: a bare tuple at top level ("1, 2"), a parenthesized tuple, or one value. */
  private parseList(top: boolean): unknown {
    const first = this.parseValue();
    if (!this.isOp(",")) return first;
    const items = [first];
    while (this.isOp(",")) {
      this.next();
      if (this.tok.t === "end" || this.tok.t === "nl" || this.isOp(")")) break;
      items.push(this.parseValue());
    }
    if (top && this.tok.t !== "end" && this.tok.t !== "nl") fail();
    return tuple(items);
  }

  private parseValue(): unknown {
    const t = this.tok;
    if (t.t === "op" && (t.v === "+" || t.v === "-")) {
      this.next();
      const operand = this.parseAtom(true);
      if (typeof operand !== "number" && !(operand instanceof PyFloat) && !isRawJson(operand)) return fail();
      if (t.v === "+") return operand;
      if (isRawJson(operand)) return exactInteger((-BigInt(operand.rawJSON)).toString());
      return typeof operand === "number" ? (operand === 0 ? 0 : -operand) : new PyFloat(-operand.v);
    }
    return this.parseAtom(false);
  }

  private parseAtom(signed: boolean): unknown {
    const t = this.tok;
    switch (t.t) {
      case "num":
        this.next();
        if (this.isOp("+") || this.isOp("-")) fail(); // only real+complex BinOps are literals
        return t.v;
      case "str": {
        let v = t.v;
        const bytes = t.bytes;
        this.next();
        while (this.tok.t === "str") {
          if (this.tok.bytes !== bytes) fail();
          v += this.tok.v;
          this.next();
        }
        return signed ? fail() : v;
      }
      case "name":
        this.next();
        if (t.v === "True") return signed ? fail() : true;
        if (t.v === "False") return signed ? fail() : false;
        if (t.v === "None") return signed ? fail() : null;
        if (t.v === "set" && this.isOp("(")) {
          this.next();
          this.expectOp(")");
          return [];
        }
        return fail();
      case "op":
        if (t.v === "(") {
          this.next();
          if (this.isOp(")")) {
            this.next();
            return tuple([]);
          }
          const inner = this.parseList(false);
          this.expectOp(")");
          return inner;
        }
        if (t.v === "[") return this.parseSeq("]");
        if (t.v === "{") return this.parseBrace();
        return fail();
      default:
        return fail();
    }
  }

  private parseSeq(close: string): unknown[] {
    this.next();
    const items: unknown[] = [];
    while (!this.isOp(close)) {
      items.push(this.parseValue());
      if (!this.isOp(",")) break;
      this.next();
    }
    this.expectOp(close);
    return items;
  }

  private parseBrace(): unknown {
    this.next();
    if (this.isOp("}")) {
      this.next();
      return {};
    }
    const first = this.parseValue();
    if (!this.isOp(":")) {
      // a set literal: its elements, without duplicates
      const items = [first];
      while (this.isOp(",")) {
        this.next();
        if (this.isOp("}")) break;
        items.push(this.parseValue());
      }
      this.expectOp("}");
      return items.filter((x, i) => items.indexOf(x) === i);
    }
    const out: Dict = {};
    let key: unknown = first;
    for (;;) {
      this.expectOp(":");
      const value = this.parseValue();
      if (Array.isArray(key) || (typeof key === "object" && key !== null && !(key instanceof PyFloat)))
        fail();
      setKey(out, keyText(key), value);
      if (!this.isOp(",")) break;
      this.next();
      if (this.isOp("}")) break;
      key = this.parseValue();
    }
    this.expectOp("}");
    return out;
  }
}

function keyText(k: unknown): string {
  if (typeof k === "string") return k;
  if (k === null) return "None";
  if (typeof k === "boolean") return k ? "True" : "False";
  if (k instanceof PyFloat) return `${k.v}.0`;
  return String(k);
}
