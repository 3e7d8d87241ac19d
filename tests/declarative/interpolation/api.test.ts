// The module's entry points beyond the reference table: rendering without literal_eval, mappings,
// defaults the way InterpolatedString uses them, copies and caching, and the documented deviations.

import { describe, expect, test } from "bun:test";
import {
  checkTemplate,
  evaluate,
  evaluateBoolean,
  evaluateMapping,
  InterpolationError,
  PyDateTime,
  pyRepr,
  pyStr,
  renderTemplate,
} from "../../../src/declarative/interpolation/index.ts";

describe("renderTemplate: text only", () => {
  const ctx = {
    config: { n: "5", l: [1, "a", null], d: { k: "it's" }, t: true, z: null },
    record: { f: 2.5 },
  };
  test.each([
    ["/items/{{ config.n }}", "/items/5"],
    ["{{ config.n }}", "5"],
    ["{{ config.l }}", "[1, 'a', None]"],
    ["{{ config.d }}", `{'k': "it's"}`],
    ["{{ config.t }}|{{ config.z }}|{{ config.missing }}", "True|None|"],
    ["{{ 4 / 2 }}", "2.0"],
    ["{{ str_to_datetime('2024-01-02') }}", "2024-01-02 00:00:00+00:00"],
    ["plain\n", "plain"],
  ])("%s", (template, expected) => {
    expect(renderTemplate(template, ctx)).toBe(expected);
  });

  test("an undefined value used beyond rendering is an error with a hint", () => {
    let error: unknown;
    try {
      renderTemplate("/x/{{ config.a.b }}", { config: {} });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InterpolationError);
    expect((error as InterpolationError).hint).toContain(".get(");
  });

  test("a Python TypeError gives the template back, as the CDK's _eval does", () => {
    expect(renderTemplate("/x/{{ 1 + 'a' }}", {})).toBe("/x/{{ 1 + 'a' }}");
  });
});

describe("evaluate", () => {
  test("non-strings come back as they are", () => {
    const v = { a: 1 };
    expect(evaluate(v, {})).toBe(v);
    expect(evaluate(5, {})).toBe(5);
    expect(evaluate(null, {})).toBeNull();
  });

  test("plain strings are literal_eval'd too", () => {
    expect(evaluate("30", {})).toBe(30);
    expect(evaluate("[1, 2]", {})).toEqual([1, 2]);
    expect(evaluate("hello\n", {})).toBe("hello");
    expect(evaluate("30", {}, { validTypes: ["str"] })).toBe("30");
  });

  test("results are fresh copies, never the context's objects or a cached value", () => {
    const record = { nested: { a: [1] } };
    const out = evaluate("{{ record.nested }}", { config: {}, record }) as { a: number[] };
    expect(out).toEqual(record.nested);
    expect(out).not.toBe(record.nested);
    (evaluate("[1, 2]", {}) as number[]).push(3);
    expect(evaluate("[1, 2]", {})).toEqual([1, 2]);
  });

  test("InterpolatedString's default is its own string: an empty render stays empty, undefined use fails", () => {
    const asString = (t: string, ctx: Record<string, unknown>) => evaluate(t, ctx, { default: t });
    expect(asString("{{ config.missing }}", { config: {} })).toBe("");
    expect(() => asString("{{ config.a.b }}", { config: {} })).toThrow(InterpolationError);
    expect(evaluate("{{ config.a.b }}", { config: {} }, { default: "fallback" })).toBe("fallback");
  });

  test("non-string defaults come back as they are", () => {
    expect(evaluate("{{ config.missing }}", { config: {} }, { default: { k: 1 } })).toEqual({ k: 1 });
    expect(evaluate("{{ config.missing }}", { config: {} }, { default: 7 })).toBe(7);
  });

  test("the clock option freezes now_utc(), today_utc() and day_delta()", () => {
    const now = () => new Date("2024-03-01T10:00:00Z");
    expect(evaluate("{{ now_utc() }}|{{ today_utc() }}|{{ day_delta(-1, '%Y-%m-%d') }}", {}, { now })).toBe(
      "2024-03-01 10:00:00+00:00|2024-03-01|2024-02-29",
    );
    const frozen = PyDateTime.of({ y: 2020, mo: 1, d: 1 }, 0);
    expect(evaluate("{{ now_utc().year }}", {}, { now: () => frozen })).toBe(2020);
  });

  test("stream_interval and stream_partition passed explicitly are used as given", () => {
    const ctx = { config: {}, stream_slice: { a: 1 }, stream_interval: { a: 2 }, stream_partition: { a: 3 } };
    expect(evaluate("{{ stream_slice.a }}{{ stream_interval.a }}{{ stream_partition.a }}", ctx)).toBe(123);
  });

  test("an int beyond 2^53 is exact, as Python's int: a JSON number with all its digits", () => {
    const id = evaluate("{{ config.id }}", { config: { id: "12345678901234567890" } });
    expect(JSON.stringify({ id })).toBe('{"id":12345678901234567890}');
    expect(JSON.stringify(evaluate("{{ config.id }}", { config: { id: "-12345678901234567890" } }))).toBe(
      "-12345678901234567890",
    );
  });

  test("deviations from Python that JS values force, kept on purpose", () => {
    // JSON numbers carry no float-ness: 2.0 in a response is the int 2 here.
    expect(renderTemplate("{{ record.price }}", { record: JSON.parse('{"price": 2.0}') })).toBe("2");
    // Dict keys are strings.
    expect(evaluate("{{ {1: 'a'} }}", {})).toEqual({ "1": "a" });
  });
});

describe("evaluateBoolean", () => {
  test("the CDK's default is False, and FALSE_VALUES compare with Python's ==", () => {
    expect(evaluateBoolean("{{ config.missing }}", { config: {} })).toBe(false);
    expect(evaluateBoolean("{{ 0.0 }}", {})).toBe(false);
    expect(evaluateBoolean("{{ '0.0' }}", {})).toBe(false);
    expect(evaluateBoolean("{{ '()' }}", {})).toBe(false);
    expect(evaluateBoolean("{{ (1, 2)[2:] }}", {})).toBe(false);
    expect(evaluateBoolean("{{ 'no' }}", {})).toBe(true);
    expect(evaluateBoolean("{{ [0] }}", {})).toBe(true);
  });

  test("paginator stop conditions from real manifests", () => {
    const headers = { link: { next: { url: "u" } } };
    expect(evaluateBoolean("{{ 'next' not in headers['link'] }}", { config: {}, headers })).toBe(false);
    expect(
      evaluateBoolean("{{ 'next' not in headers['link'] }}", { config: {}, headers: { link: {} } }),
    ).toBe(true);
    const response = { data: { pageInfo: { hasNextPage: false } } };
    expect(
      evaluateBoolean("{{ response.data.pageInfo.hasNextPage is false }}", { config: {}, response }),
    ).toBe(true);
    expect(
      evaluateBoolean("{{ response.get('next') is none }}", { config: {}, response: { next: "x" } }),
    ).toBe(false);
  });
});

describe("evaluateMapping", () => {
  test("keys are interpolated as str, values with their own types, non-strings kept", () => {
    const ctx = { config: { key_name: "limit", n: "10" } };
    expect(
      evaluateMapping({ "{{ config.key_name }}": "{{ config.n }}", "123": "x", flag: true }, ctx),
    ).toEqual({
      limit: 10,
      "123": "x",
      flag: true,
    });
  });
});

describe("pyStr and pyRepr print like Python", () => {
  test.each([
    [null, "None", "None"],
    [true, "True", "True"],
    [1.5, "1.5", "1.5"],
    [1e16, "10000000000000000", "10000000000000000"],
    [0.00001, "1e-05", "1e-05"],
    ["it's", "it's", `"it's"`],
    [`'"`, `'"`, `'\\'"'`],
    ["a\nb", "a\nb", "'a\\nb'"],
    [[1, "a", [null]], "[1, 'a', [None]]", "[1, 'a', [None]]"],
    [{ a: { b: false } }, "{'a': {'b': False}}", "{'a': {'b': False}}"],
  ])("%p", (v, str, repr) => {
    expect(pyStr(v)).toBe(str);
    expect(pyRepr(v)).toBe(repr);
  });
});

describe("checkTemplate", () => {
  test("compiles once and reports syntax errors with the template", () => {
    expect(() => checkTemplate("{{ config['a'] | default('x') }}")).not.toThrow();
    expect(() => checkTemplate("{{ config['a' }}")).toThrow(/template syntax error.*\{\{ config\['a' \}\}/);
    expect(() => checkTemplate("{{ x | nosuchfilter }}")).toThrow(/No filter named 'nosuchfilter'/);
    expect(() => checkTemplate("{% if x %}")).toThrow(/endif/);
  });
});
