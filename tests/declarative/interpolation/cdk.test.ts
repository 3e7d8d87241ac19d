// Cases adapted from the CDK's own unit tests (airbyte-python-cdk,
// unit_tests/sources/declarative/interpolation/test_jinja.py, test_macros.py, test_filters.py,
// test_interpolated_boolean.py, test_interpolated_string.py, test_interpolated_nested_mapping.py):
// same templates, same expected values. Where the CDK compares against hashlib/base64 output, the
// expectation is computed here with node:crypto / Buffer from the same input.

import { describe, expect, test } from "bun:test";
import { createHash, createHmac } from "node:crypto";
import {
  evaluate,
  evaluateBoolean,
  evaluateNestedMapping,
  InterpolationError,
  PyDateTime,
  PyTimedelta,
} from "../../../src/declarative/interpolation/index.ts";

const at = (iso: string) => () => new Date(iso);
const frozen = at("2021-09-01T00:00:00Z");

describe("test_jinja.py", () => {
  test("values from config, stream_slice and lists of mappings", () => {
    expect(evaluate("{{ config['date'] }}", { config: { date: "2022-01-01" } })).toBe("2022-01-01");
    expect(evaluate("{{ config['date'] }}", { config: {} })).toBeNull();
    const slice = { config: { date: "2022-01-01" }, stream_slice: { date: "2020-09-09" } };
    expect(evaluate("{{ stream_slice['date'] }}", slice)).toBe("2020-09-09");
    expect(evaluate("{{ stream_slice['date'] }}", { config: {}, stream_slice: {} })).toBeNull();
    expect(evaluate("{{ records[0]['date'] }}", { config: {}, records: [{ date: "2020-09-09" }] })).toBe(
      "2020-09-09",
    );
  });

  test.each([
    ["{{1}}", 1],
    ["{{[1,2]}}", [1, 2]],
    ["{{ 1+2 }}", 3],
  ])("literal %s", (s, value) => {
    expect(evaluate(s, { config: {} })).toEqual(value);
  });

  test("a dict literal (its int key becomes a JS string key)", () => {
    expect(evaluate("{{ {1:2} }}", { config: {} })).toEqual({ "1": 2 });
  });

  test.each(["stream_slice", "stream_partition", "stream_interval"])("%s reads the stream slice", (name) => {
    const ctx = { config: {}, stream_slice: { stream_slice_key: "hello" } };
    expect(evaluate(`{{ ${name}['stream_slice_key'] }}`, ctx)).toBe("hello");
  });

  test("day_delta", () => {
    const now = at("2021-01-01T03:04:05Z");
    expect(evaluate("{{ day_delta(25,format='%Y-%m-%d') }}", { config: {} }, { now })).toBe("2021-01-26");
    // As in the CDK: compare with bounds computed from the real clock around the call.
    const later = evaluate("{{ day_delta(25) }}", { config: {} }) as string;
    const lowest = PyDateTime.now().add(PyTimedelta.of({ days: 24, hours: 23 }));
    expect(later > lowest.strftime("%Y-%m-%dT%H:%M:%S.%f%z")).toBe(true);
    const earlier = evaluate("{{ day_delta(-25) }}", { config: {} }) as string;
    const highest = PyDateTime.now().add(PyTimedelta.of({ days: -25 }));
    expect(earlier <= highest.strftime("%Y-%m-%dT%H:%M:%S.%f%z")).toBe(true);
  });

  test.each([
    ["hello world", "hello world"],
    [1, "1"],
    [1.52, "1.52"],
    [true, "true"],
    [false, "false"],
    [["hello", "world"], '["hello", "world"]'],
    [{ hello: "world" }, '{"hello": "world"}'],
  ])("the string filter on %p", (input, expected) => {
    const out = evaluate("{{ config['key'] | string }}", { config: { key: input } });
    expect(out).toBe(expected);
  });

  test.each([
    ["{{ timestamp(1621439283) }}", 1621439283],
    ["{{ timestamp('2021-05-19') }}", 1621382400],
    ["{{ timestamp('2017-01-01T00:00:00.0Z') }}", 1483228800],
    ["{{ max(1,2) }}", 2],
    ["{{ min(1,2) }}", 1],
  ])("macro %s", (s, value) => {
    expect(evaluate(s, { config: {} })).toBe(value);
  });

  test.each(["{{ import os) }}", "{{ [a for a in range(1000000000)] }}"])("invalid statement %s", (s) => {
    expect(() => evaluate(s, { config: { key: "value" } })).toThrow(/syntax error/);
  });

  test("stream_state is refused", () => {
    expect(() => evaluate("{{ stream_state.get('some_field') }}", { config: {} })).toThrow(/stream_state/);
  });

  test.each([
    "\n       {% set a = 1 %}\n       {% set b = 1 %}\n       {% for i in range(1000000000) %}\n       {% endfor %}\n        {{ a }}",
    "{{ eval ('2+2') }}",
    "{{ getattr(config, 'key') }}",
    "{{ setattr(config, 'password', 'hunter2') }}",
    "{{ globals()  }}",
    "{{ locals()  }}",
    "{{ eval }}",
  ])("restricted builtin %#", (s) => {
    expect(() => evaluate(s, { config: { key: "value" } })).toThrow(InterpolationError);
  });

  test("undeclared variables", () => {
    const ctx = { config: {}, to_be: "that_is_the_question" };
    expect(evaluate("{{ to_be }}", ctx)).toBe("that_is_the_question");
    expect(() => evaluate("{{ missingno }}", ctx)).toThrow(/undeclared variable 'missingno'/);
    expect(() => evaluate("{{ to_be and or_not_to_be }}", ctx)).toThrow(/or_not_to_be/);
  });

  test.each([
    ["{{ now_utc() }}", "2021-09-01 00:00:00+00:00"],
    ["{{ now_utc().strftime('%Y-%m-%d') }}", "2021-09-01"],
    ["{{ today_utc() }}", "2021-09-01"],
    ["{{ today_utc().strftime('%Y/%m/%d') }}", "2021/09/01"],
    ["{{ timestamp(1646006400) }}", 1646006400],
    ["{{ timestamp('2022-02-28') }}", 1646006400],
    ["{{ timestamp('2022-02-28T00:00:00Z') }}", 1646006400],
    ["{{ timestamp('2022-02-28 00:00:00Z') }}", 1646006400],
    ["{{ timestamp('2022-02-28T00:00:00-08:00') }}", 1646035200],
    ["{{ max(2, 3) }}", 3],
    ["{{ max([2, 3]) }}", 3],
    ["{{ min(2, 3) }}", 2],
    ["{{ min([2, 3]) }}", 2],
    ["{{ day_delta(1) }}", "2021-09-02T00:00:00.000000+0000"],
    ["{{ day_delta(-1) }}", "2021-08-31T00:00:00.000000+0000"],
    ["{{ day_delta(1, format='%Y-%m-%d') }}", "2021-09-02"],
    ["{{ duration('P1D') }}", "1 day, 0:00:00"],
    ["{{ duration('P6DT23H') }}", "6 days, 23:00:00"],
    ["{{ (now_utc() - duration('P1D')).strftime('%Y-%m-%dT%H:%M:%SZ') }}", "2021-08-31T00:00:00Z"],
    ["{{ 1 | string }}", "1"],
    ['{{ ["hello", "world"] | string }}', '["hello", "world"]'],
  ])("macro example %s", (s, expected) => {
    expect(evaluate(s, { config: {} }, { now: frozen })).toBe(expected);
  });

  test("today_with_timezone", () => {
    const now = at("2021-09-01T12:00:00Z");
    expect(evaluate("{{ today_with_timezone('Pacific/Kiritimati') }}", { config: {} }, { now })).toBe(
      "2021-09-02",
    );
  });

  test("a complex-looking string stays a string", () => {
    expect(evaluate("9173710294242221J", { config: {} })).toBe("9173710294242221J");
  });
});

describe("test_macros.py", () => {
  const fmt = (value: unknown, format: string, inputFormat: string | null) =>
    evaluate(
      inputFormat === null
        ? "{{ format_datetime(config.v, config.f) }}"
        : "{{ format_datetime(config.v, config.f, config.i) }}",
      { config: { v: value, f: format, i: inputFormat } },
      { validTypes: ["str"] },
    );

  test.each([
    ["2022-01-01T01:01:01Z", "%Y-%m-%d", null, "2022-01-01"],
    ["2022-01-01", "%Y-%m-%d", null, "2022-01-01"],
    ["2022-01-01T00:00:00Z", "%Y-%m-%d", null, "2022-01-01"],
    ["2022-01-01T01:01:01Z", "%Y-%m-%dT%H:%M:%SZ", null, "2022-01-01T01:01:01Z"],
    ["2022-01-01T01:01:01-0800", "%Y-%m-%dT%H:%M:%SZ", null, "2022-01-01T09:01:01Z"],
    ["Sat, 01 Jan 2022 01:01:01 +0000", "%Y-%m-%d", "%a, %d %b %Y %H:%M:%S %z", "2022-01-01"],
    ["2022-01-01T01:01:01Z", "%s", "%Y-%m-%dT%H:%M:%SZ", "1640998861"],
    ["2022-01-01T01:01:01Z", "%epoch_microseconds", "%Y-%m-%dT%H:%M:%SZ", "1640998861000000"],
    [1683729087, "%Y-%m-%dT%H:%M:%SZ", null, "2023-05-10T14:31:27Z"],
    [1640998861000000, "%Y-%m-%dT%H:%M:%SZ", "%epoch_microseconds", "2022-01-01T01:01:01Z"],
    [1640998861000, "%Y-%m-%dT%H:%M:%SZ", "%ms", "2022-01-01T01:01:01Z"],
    ["2022-01-01T01:01:01+0100", "%Y-%m-%dT%H:%M:%S.%f%z", null, "2022-01-01T00:01:01.000000+0000"],
    ["2022-01-01T01:01:01", "%Y-%m-%dT%H:%M:%S.%f%z", null, "2022-01-01T01:01:01.000000+0000"],
  ])("format_datetime(%p, %p, %p)", (value, format, inputFormat, expected) => {
    expect(fmt(value, format, inputFormat)).toBe(expected);
  });

  test.each([
    ["%Y-%m-%d", "2022-01-01"],
    ["%Y-%m-%dT%H:%M:%SZ", "2022-01-01T01:01:01Z"],
  ])("format_datetime of a naive datetime object with %s", (format, expected) => {
    const dt = PyDateTime.of({ y: 2022, mo: 1, d: 1, h: 1, mi: 1, s: 1 }, null);
    expect(evaluate("{{ format_datetime(config.v, config.f) }}", { config: { v: dt, f: format } })).toBe(
      expected,
    );
  });

  test("format_datetime to %s reads UTC whatever the machine's zone", () => {
    expect(fmt("2020-10-01T00:00:00Z", "%s", null)).toBe("1601510400");
  });

  test.each([
    ["P1D", "1 day, 0:00:00"],
    ["P6DT23H", "6 days, 23:00:00"],
  ])("duration(%s)", (d, text) => {
    expect(evaluate(`{{ duration('${d}') }}`, { config: {} })).toBe(text);
  });

  test.each([
    [1646006400, 1646006400],
    [100.0, 100],
    [100.9, 100],
    ["2022-02-28", 1646006400],
    ["2022-02-28T00:00:00Z", 1646006400],
    ["2022-02-28T00:00:00-08:00", 1646035200],
    ["2022-02-28 00:00:00Z", 1646006400],
    ["2022-02-28T10:11:12", 1646043072],
  ])("timestamp(%p)", (input, expected) => {
    expect(evaluate("{{ timestamp(config.v) }}", { config: { v: input } })).toBe(expected);
  });

  test.each([
    [1646006400, "2022-02-28 00:00:00+00:00"],
    [1646006400.5, "2022-02-28 00:00:00.500000+00:00"],
    ["1646006400", "2022-02-28 00:00:00+00:00"],
  ])("timestamp_to_datetime(%p)", (input, expected) => {
    expect(evaluate("{{ timestamp_to_datetime(config.v) }}", { config: { v: input } })).toBe(expected);
  });

  test("timestamp_to_datetime of an invalid value fails", () => {
    expect(() => evaluate("{{ timestamp_to_datetime('invalid-timestamp') }}", { config: {} })).toThrow(
      /ValueError/,
    );
  });

  test.each([
    ["2022-01-14", "2022-01-14 00:00:00+00:00"],
    ["2022-01-01 13:45:30", "2022-01-01 13:45:30+00:00"],
    ["2022-01-01T13:45:30+00:00", "2022-01-01 13:45:30+00:00"],
    ["2022-01-01T13:45:30+05:30", "2022-01-01 08:15:30+00:00"],
    ["2022-01-01T13:45:30.123456Z", "2022-01-01 13:45:30.123456+00:00"],
  ])("str_to_datetime(%s)", (input, expected) => {
    expect(evaluate("{{ str_to_datetime(config.v) }}", { config: { v: input } })).toBe(expected);
  });

  test("str_to_datetime of an invalid date fails", () => {
    expect(() => evaluate("{{ str_to_datetime('invalid-date') }}", { config: {} })).toThrow(/ValueError/);
  });

  test.each([
    ["https://example.com/path?query=value", "https%3A%2F%2Fexample.com%2Fpath%3Fquery%3Dvalue"],
    [
      "https://example.com/path with spaces?query=some value",
      "https%3A%2F%2Fexample.com%2Fpath+with+spaces%3Fquery%3Dsome+value",
    ],
    [
      "https://example.com/path?query=value&other=123+456#fragment",
      "https%3A%2F%2Fexample.com%2Fpath%3Fquery%3Dvalue%26other%3D123%2B456%23fragment",
    ],
    ["hello world", "hello+world"],
  ])("sanitize_url(%s)", (input, expected) => {
    expect(evaluate("{{ sanitize_url(config.v) }}", { config: { v: input } })).toBe(expected);
  });

  test.each([
    ["CamelCase", "camel_case"],
    ["snake_case", "snake_case"],
    ["CamelCasesnake_case", "camel_casesnake_case"],
    ["CamelCase_snake_case", "camel_case_snake_case"],
  ])("camel_case_to_snake_case(%s)", (input, expected) => {
    expect(evaluate("{{ camel_case_to_snake_case(config.v) }}", { config: { v: input } })).toBe(expected);
  });

  test("generate_uuid gives distinct version 4 UUIDs", () => {
    const a = evaluate("{{ generate_uuid() }}", { config: {} });
    const b = evaluate("{{ generate_uuid() }}", { config: {} });
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(a).not.toBe(b);
  });
});

describe("test_filters.py", () => {
  const md5 = (s: string) => createHash("md5").update(s).digest("hex");

  test("hash", () => {
    expect(evaluate("{{ 'abcd' | hash('md5') }}", { config: {} })).toBe(md5("abcd"));
    expect(evaluate("{{ 123.456000 | hash('md5') }}", { config: {} })).toBe(md5("123.456"));
    expect(evaluate("{{ 'test_input_string' | hash('md5', 'test_input_salt' ) }}", { config: {} })).toBe(
      md5("test_input_stringtest_input_salt"),
    );
  });

  test.each(["test_input_client_id", "some_client_secret_1", "12345", "775.78"])("base64encode %s", (s) => {
    // Like the CDK's template, the input is quoted, so "12345" stays a str before encoding.
    expect(evaluate(`{{ '${s}' | base64encode }}`, { config: {} }, { validTypes: ["str"] })).toBe(
      Buffer.from(s).toString("base64"),
    );
  });

  test.each([
    ["aW5wdXRfc3RyaW5n", "input_string"],
    ["YWlyYnl0ZQ==", "airbyte"],
    ["cGFzc3dvcmQ=", "password"],
  ])("base64decode %s", (input, expected) => {
    expect(evaluate(`{{ '${input}' | base64decode }}`, { config: {} })).toBe(expected);
  });

  test("regex_search", () => {
    const link = "'<https://this-is-test-link.com/?page=2>; rel=\"next\"'";
    expect(evaluate(`{{ ${link} | regex_search('<(.*)>; rel=.*') }}`, { config: {} })).toBe(
      "https://this-is-test-link.com/?page=2",
    );
    expect(evaluate(`{{ ${link} | regex_search('<.*>; rel=.*') }}`, { config: {} })).toBeNull();
    expect(evaluate(`{{ ${link} | regex_search('WATWATWAT') }}`, { config: {} })).toBeNull();
  });

  test.each([
    ["'hello world'", "'world', 'there'", "hello there"],
    ["'abc123def456'", "'[0-9]+', ''", "abcdef"],
    ["'hello world'", "'xyz', 'replaced'", "hello world"],
    ["'aaa bbb aaa'", "'aaa', 'ccc'", "ccc bbb ccc"],
  ])("regex_replace on %s as a filter and as a macro", (value, args, expected) => {
    expect(evaluate(`{{ ${value} | regex_replace(${args}) }}`, { config: {} })).toBe(expected);
    expect(evaluate(`{{ regex_replace(${value}, ${args}) }}`, { config: {} })).toBe(expected);
  });

  test("regex_search as a macro", () => {
    const t = "{{ regex_search('<https://example.com/?page=2>; rel=\"next\"', '<(.*)>; rel=.*') }}";
    expect(evaluate(t, { config: {} })).toBe("https://example.com/?page=2");
    expect(evaluate("{{ regex_search('no match here', 'WATWATWAT') }}", { config: {} })).toBeNull();
  });

  test("hmac", () => {
    const expected = createHmac("sha256", "test_secret_key").update("test_message").digest("hex");
    expect(evaluate("{{ 'test_message' | hmac('test_secret_key') }}", { config: {} })).toBe(expected);
    expect(evaluate("{{ 'test_message' | hmac('test_secret_key', 'sha256') }}", { config: {} })).toBe(
      expected,
    );
    expect(evaluate("{{ 12345 | hmac('test_secret_key') }}", { config: {} })).toBe(
      createHmac("sha256", "test_secret_key").update("12345").digest("hex"),
    );
    expect(() => evaluate("{{ 'test_message' | hmac('test_secret_key', 'md5') }}", { config: {} })).toThrow(
      /ValueError/,
    );
  });
});

describe("test_interpolated_boolean.py", () => {
  const config = {
    parent: { key_with_true: true },
    string_key: "compare_me",
    zero_value: 0,
    empty_array: [],
    non_empty_array: [1],
    empty_dict: {},
    empty_tuple: [],
    none_value: null,
  };
  const parameters = { from_parameters: "come_find_me" };
  test.each([
    ["{{ config['parent']['key_with_true'] }}", true],
    ["{{ config['string_key'] == \"compare_me\" }}", true],
    ["{{ config['string_key'] == \"witness_me\" }}", false],
    ["{{ config['string_key'] }}", true],
    ["{{ config['zero_value'] }}", false],
    ["{{ config['empty_array'] }}", false],
    ["{{ config['empty_dict'] }}", false],
    ["{{ config['empty_tuple'] }}", false],
    ["{{ none }}", false],
    ["{{ config.get('missing_key') }}", false],
    ["{{ config['none_value'] }}", false],
    ["{{ config['string_key'] and config.get('missing_key') }}", false],
    ["{{ config.get('missing_key') or config['none_value'] }}", false],
    ["{{ config.get('missing_key') or config['string_key'] }}", true],
    ['{{ "false" }}', false],
    ["{{ False }}", false],
    ["{{ True }}", true],
    ["{{ 1 in config['non_empty_array'] }}", true],
    ["{{ 2 in config['non_empty_array'] }}", false],
    ["{{ parameters['from_parameters'] == \"come_find_me\" }}", true],
  ])("%s is %p", (template, expected) => {
    expect(evaluateBoolean(template, { config, parameters })).toBe(expected);
  });

  test("a boolean condition is returned as is", () => {
    expect(evaluateBoolean(true, { config })).toBe(true);
    expect(evaluateBoolean(false, { config })).toBe(false);
  });
});

describe("test_interpolated_string.py", () => {
  const parameters = { hello: "world" };
  const asInterpolatedString = (s: string, ctx: Record<string, unknown>) =>
    evaluate(s, { config: { field: "value" }, parameters, ...ctx }, { default: s });

  test.each([
    ["HELLO WORLD", "HELLO WORLD"],
    ["{{ parameters['hello'] }}", "world"],
    ["{{ config['field'] }}", "value"],
    ["{{ kwargs['c'] }}", "airbyte"],
  ])("%s", (s, expected) => {
    expect(asInterpolatedString(s, { kwargs: { c: "airbyte" } })).toBe(expected);
  });

  const FLOAT =
    "{{ record['some_calculation'] | float if record.get('some_calculation') is not none and record.get('some_calculation') != '' else none }}";
  const FLOAT_MULTILINE =
    "{% set v = record.get('some_calculation') %}\n{{ v | replace('%', '') | float if v is not none and v != '' else None }}";
  test.each([
    ["4.4", 4.4],
    [4.4, 4.4],
    ["", null],
    [null, null],
    ["0.0", 0],
    ["0.00", 0],
    [0.0, 0],
  ])("record value %p parses to %p", (value, expected) => {
    for (const t of [FLOAT, FLOAT_MULTILINE])
      expect(asInterpolatedString(t, { record: { some_calculation: value } })).toBe(expected);
  });
});

describe("test_interpolated_nested_mapping.py", () => {
  const d = {
    nested: {
      field: "value",
      number: 100,
      nested_array: [
        { "{{ parameters.k }}": "VALUE" },
        { value: "{{ config['num_value'] | int + 2 }}" },
        { value: "{{ True }}" },
      ],
      config_value: "{{ config['c'] }}",
      parameters_value: "{{ parameters['b'] }}",
      kwargs_value: "{{ kwargs['a'] }}",
    },
  };
  test("nested values and keys are interpolated", () => {
    const out = evaluateNestedMapping(d, {
      config: { c: "VALUE_FROM_CONFIG", num_value: 3 },
      parameters: { b: "VALUE_FROM_PARAMETERS", k: "key" },
      kwargs: { a: "VALUE_FROM_KWARGS" },
    });
    expect(out).toEqual({
      nested: {
        field: "value",
        number: 100,
        nested_array: [{ key: "VALUE" }, { value: 5 }, { value: true }],
        config_value: "VALUE_FROM_CONFIG",
        parameters_value: "VALUE_FROM_PARAMETERS",
        kwargs_value: "VALUE_FROM_KWARGS",
      },
    });
  });

  test.each([
    [{ clientId: "478" }, { clientId: "478" }],
    [{ value: "0012" }, { value: "0012" }],
    [{ value: "None" }, { value: "None" }],
    [{ "478": "value" }, { "478": "value" }],
    [{ nested: { values: ["478", "0012", "None"] } }, { nested: { values: ["478", "0012", "None"] } }],
    [{ value: "{{ 1 + 1 }}" }, { value: 2 }],
  ])("static strings stay, templates are evaluated: %p", (mapping, expected) => {
    expect(evaluateNestedMapping(mapping, { config: {}, parameters: {} })).toEqual(expected);
  });
});
