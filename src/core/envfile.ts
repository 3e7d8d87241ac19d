// A dotenv parser that reports malformed lines by number and never echoes a value.
//
// Syntax (a subset of python-dotenv, which PyAirbyte uses):
//   # comment            blank lines and comment lines are ignored
//   NAME=value           unquoted: trimmed; " #" starts a trailing comment
//   export NAME=value    the "export " prefix is accepted and ignored
//   NAME='value'         single quotes: literal, may span lines
//   NAME="value"         double quotes: \n \r \t \\ \" \$ escapes, may span lines
//   ${OTHER} / ${OTHER:-default} expand in unquoted and double-quoted values,
//   from names defined earlier in the file, then the process environment.

export class EnvFileError extends Error {
  constructor(
    readonly path: string,
    readonly line: number | null,
    readonly reason: string,
  ) {
    super(line === null ? `env file ${path}: ${reason}` : `env file ${path}, line ${line}: ${reason}`);
    this.name = "EnvFileError";
  }
  /** The entries parsed before the bad line (so that their values can still be redacted). */
  partial: EnvEntry[] = [];
}

export interface EnvEntry {
  name: string;
  value: string;
  line: number;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function parseEnvFile(
  text: string,
  path: string,
  lookup: (name: string) => string | undefined = () => undefined,
): EnvEntry[] {
  const entries: EnvEntry[] = [];
  const defined = new Map<string, string>();
  // The process environment wins over the file, in expansions as everywhere else.
  const resolve = (name: string) => lookup(name) ?? defined.get(name);
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);

  try {
    parseLines(lines, path, entries, defined, resolve);
  } catch (error) {
    if (error instanceof EnvFileError) error.partial = entries;
    throw error;
  }
  return entries;
}

function parseLines(
  lines: string[],
  path: string,
  entries: EnvEntry[],
  defined: Map<string, string>,
  resolve: (name: string) => string | undefined,
): void {
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const raw = lines[i] ?? "";
    // Only the start is trimmed: the end may be inside a multi-line quoted value.
    const trimmed = raw.trimStart();
    if (trimmed.trim() === "" || trimmed.startsWith("#")) continue;

    const body = trimmed.replace(/^export\s+/, "");
    const eq = body.indexOf("=");
    if (eq < 0) {
      throw new EnvFileError(path, lineNo, "expected NAME=value (no '=' on this line)");
    }
    const name = body.slice(0, eq).trim();
    if (!NAME.test(name)) {
      throw new EnvFileError(
        path,
        lineNo,
        "invalid variable name: use letters, digits and underscores, not starting with a digit",
      );
    }
    let rest = body.slice(eq + 1).trimStart();
    let value: string;
    const quote = rest[0];

    if (quote === "'" || quote === '"') {
      // A quoted value may continue on the following lines until its closing quote.
      let content = rest.slice(1);
      let close = findClosingQuote(content, quote);
      while (close < 0 && i + 1 < lines.length) {
        i++;
        content += `\n${lines[i] ?? ""}`;
        close = findClosingQuote(content, quote);
      }
      if (close < 0) {
        throw new EnvFileError(
          path,
          lineNo,
          `unterminated ${quote === "'" ? "single" : "double"}-quoted value`,
        );
      }
      const after = content.slice(close + 1).trim();
      if (after !== "" && !after.startsWith("#")) {
        throw new EnvFileError(path, i + 1, "unexpected text after the closing quote");
      }
      const inner = content.slice(0, close);
      // Single quotes: literal, except \' and \\ (as python-dotenv).
      value =
        quote === "'" ? inner.replace(/\\([\\'])/g, "$1") : interpret(inner, true, resolve, path, lineNo);
    } else {
      const comment = rest.search(/\s#/);
      if (comment >= 0) rest = rest.slice(0, comment);
      rest = rest.trim();
      value = interpret(rest, false, resolve, path, lineNo);
    }

    defined.set(name, value);
    entries.push({ name, value, line: lineNo });
  }
}

function findClosingQuote(content: string, quote: string): number {
  for (let j = 0; j < content.length; j++) {
    const ch = content[j];
    if (ch === "\\") {
      j++;
      continue;
    }
    if (ch === quote) return j;
  }
  return -1;
}

/** One pass over a value: backslash escapes (double-quoted values only) and ${NAME} expansion. */
function interpret(
  s: string,
  escapes: boolean,
  resolve: (name: string) => string | undefined,
  path: string,
  lineNo: number,
): string {
  let out = "";
  for (let j = 0; j < s.length; j++) {
    const ch = s[j];
    if (escapes && ch === "\\" && j + 1 < s.length) {
      const next = s[j + 1] ?? "";
      const mapped = ESCAPES[next];
      if (mapped !== undefined) {
        out += mapped;
        j++;
        continue;
      }
    }
    if (ch === "$" && s[j + 1] === "{") {
      const end = s.indexOf("}", j + 2);
      if (end < 0) throw new EnvFileError(path, lineNo, "unterminated ${...} reference");
      const [ref, fallback] = splitDefault(s.slice(j + 2, end));
      if (!NAME.test(ref)) {
        throw new EnvFileError(path, lineNo, "invalid ${...} reference: write ${NAME} or ${NAME:-default}");
      }
      // As python-dotenv: the default applies when the variable is unset, not when it is empty.
      const v = resolve(ref);
      out += v === undefined ? (fallback ?? "") : v;
      j = end;
      continue;
    }
    out += ch;
  }
  return out;
}

const ESCAPES: Record<string, string> = { n: "\n", r: "\r", t: "\t", '"': '"', "\\": "\\", $: "$", "'": "'" };

function splitDefault(inner: string): [string, string | undefined] {
  const i = inner.indexOf(":-");
  return i < 0 ? [inner.trim(), undefined] : [inner.slice(0, i).trim(), inner.slice(i + 2)];
}
