import { describe, expect, test } from "bun:test";
import { EnvFileError, parseEnvFile } from "../../src/core/envfile.ts";

const parse = (text: string, lookup?: (n: string) => string | undefined) =>
  Object.fromEntries(parseEnvFile(text, "/x/.env", lookup).map((e) => [e.name, e.value]));

function failure(text: string): EnvFileError {
  try {
    parseEnvFile(text, "/x/.env");
  } catch (error) {
    if (error instanceof EnvFileError) return error;
    throw error;
  }
  throw new Error("expected a parse error");
}

describe("parseEnvFile", () => {
  test("plain, exported, commented and blank lines", () => {
    const text = "# comment\n\nA=1\nexport B = two words \nC=val # trailing comment\nD=\n";
    expect(parse(text)).toEqual({ A: "1", B: "two words", C: "val", D: "" });
  });

  test("single quotes are literal, double quotes take escapes", () => {
    expect(parse(`A='x\\ny $HOME \${B}'\nB="line1\\nline2\\t\\"q\\""`)).toEqual({
      A: "x\\ny $HOME ${B}",
      B: 'line1\nline2\t"q"',
    });
  });

  test("a '#' inside a value without a preceding space is part of the value", () => {
    expect(parse("A=abc#def\nB='has # hash'")).toEqual({ A: "abc#def", B: "has # hash" });
  });

  test("quoted values may span lines", () => {
    const text = 'KEY="-----BEGIN KEY-----\nabc\n-----END KEY-----"\nNEXT=1';
    expect(parse(text)).toEqual({ KEY: "-----BEGIN KEY-----\nabc\n-----END KEY-----", NEXT: "1" });
  });

  test("${NAME} and ${NAME:-default} expand from earlier lines, then the lookup", () => {
    const values = parse('A=alpha\nB=${A}-${FROM_ENV}\nC="${MISSING:-fallback}"\nD=\\${A}', (n) =>
      n === "FROM_ENV" ? "env" : undefined,
    );
    expect(values).toEqual({ A: "alpha", B: "alpha-env", C: "fallback", D: "\\alpha" });
  });

  test("the process environment wins in expansions too; a default applies only when unset", () => {
    const lookup = (n: string) => ({ HOST: "from-process", EMPTY: "" })[n];
    expect(parse("HOST=from-file\nA=${HOST}\nB=${EMPTY:-d}\nC=${UNSET:-d}", lookup)).toEqual({
      HOST: "from-file",
      A: "from-process",
      B: "",
      C: "d",
    });
  });

  test("python-dotenv details: \\' in single quotes, export with a tab, trailing spaces inside quotes", () => {
    expect(parse("A='it\\'s'\nexport\tB=1\nC=\"line1   \nline2\"")).toEqual({
      A: "it's",
      B: "1",
      C: "line1   \nline2",
    });
  });

  test("text after a multi-line value's closing quote is reported on the closing line", () => {
    expect(failure('A="one\ntwo" junk').line).toBe(2);
  });

  test("a later definition wins; CRLF and a BOM are accepted", () => {
    expect(parse("\uFEFFA=1\r\nA=2\r\n")).toEqual({ A: "2" });
  });

  test.each([
    ["NO_EQUALS_SIGN", 1, "expected NAME=value"],
    ["A=1\n1BAD=x", 2, "invalid variable name"],
    ["A=1\nB=2\nC='unterminated\nD=4", 3, "unterminated single-quoted"],
    ['A="x" trailing', 1, "unexpected text after the closing quote"],
    ["A=${bad name}", 1, "invalid ${...} reference"],
  ])("malformed %j is reported at line %d", (text, line, reason) => {
    const error = failure(text);
    expect(error.line).toBe(line);
    expect(error.message).toContain(reason);
    expect(error.message).toContain("/x/.env");
  });

  test("error messages never contain the value", () => {
    const secret = "s3cr3t-value-123";
    for (const text of [`A='${secret}`, `A="${secret}" junk`, `${secret}`, `A=\${${secret} x}`]) {
      expect(failure(text).message).not.toContain(secret);
    }
  });
});
