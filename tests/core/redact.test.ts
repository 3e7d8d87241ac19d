import { describe, expect, test } from "bun:test";
import { parseJson } from "../../src/core/json.ts";
import { MASK, Redactor } from "../../src/core/redact.ts";

describe("Redactor", () => {
  const r = new Redactor(["hunter2-password", "hunter2", 'quo"te\\slash-secret', "a b&c=d/secret"]);

  test("masks every occurrence, longest secret first", () => {
    expect(r.text("pw=hunter2-password and hunter2 again")).toBe(`pw=${MASK} and ${MASK} again`);
  });

  test("masks JSON-escaped and URL-encoded forms", () => {
    expect(r.text(JSON.stringify({ v: 'quo"te\\slash-secret' }))).toBe(`{"v":"${MASK}"}`);
    expect(r.text(`https://x/?q=${encodeURIComponent("a b&c=d/secret")}`)).toBe(`https://x/?q=${MASK}`);
  });

  test("regex metacharacters in secrets are literal", () => {
    const meta = new Redactor(["(.*)+[x]$secret"]);
    expect(meta.text("a (.*)+[x]$secret b")).toBe(`a ${MASK} b`);
    expect(meta.text("nothing here")).toBe("nothing here");
  });

  test("deep-redacts string values, not keys, non-strings or the input", () => {
    const input = { hunter2: ["x hunter2", 5, null, true, { deep: "hunter2-password" }] };
    expect(r.value<unknown>(input)).toEqual({ hunter2: [`x ${MASK}`, 5, null, true, { deep: MASK }] });
    expect(input.hunter2[0]).toBe("x hunter2");
  });

  test("an integer kept exact from JSON stays a number with its digits", () => {
    const record = parseJson('{"id":1855932014823034881,"note":"hunter2"}');
    expect(JSON.stringify(r.value(record))).toBe(`{"id":1855932014823034881,"note":"${MASK}"}`);
  });

  test("learns values later", () => {
    const late = new Redactor([]);
    late.add(["late-secret"]);
    expect(late.text("a late-secret b")).toBe(`a ${MASK} b`);
  });

  test("an empty redactor is the identity", () => {
    const empty = new Redactor([]);
    expect(empty.isEmpty).toBe(true);
    const v = { a: "b" };
    expect(empty.value(v)).toBe(v);
  });
});
