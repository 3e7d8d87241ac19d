// The sandbox: templates read plain data and call whitelisted methods only. No JS prototype,
// constructor, global or function is reachable, as jinja2's SandboxedEnvironment refuses Python's.

import { afterEach, describe, expect, test } from "bun:test";
import {
  evaluate,
  InterpolationError,
  PY_ATTRS,
  pyFunction,
  renderTemplate,
} from "../../../src/declarative/interpolation/index.ts";

const g = globalThis as { __pwned?: boolean };
afterEach(() => {
  delete g.__pwned;
  delete (Object.prototype as { polluted?: unknown }).polluted;
});

describe("no way out to JavaScript", () => {
  test("{{ ''.constructor }} is undefined: renders nothing", () => {
    expect(renderTemplate("{{ ''.constructor }}", {})).toBe("");
    expect(evaluate("{{ ''.constructor }}", {})).toBeNull();
    expect(renderTemplate("{{ ''['constructor'] }}|{{ [].constructor }}|{{ (1).constructor }}", {})).toBe(
      "||",
    );
  });

  test("{{ config.__proto__ }} and other prototype names are not keys", () => {
    const ctx = { config: { a: 1 } };
    for (const t of [
      "{{ config.__proto__ }}",
      "{{ config['__proto__'] }}",
      "{{ config.constructor }}",
      "{{ config.toString }}",
      "{{ config.hasOwnProperty }}",
      "{{ config.valueOf }}",
    ])
      expect(renderTemplate(t, ctx)).toBe("");
  });

  test("{{ x.constructor.constructor('return process')() }} never reaches the Function constructor", () => {
    const ctx = { config: {}, x: "abc" };
    expect(evaluate("{{ x.constructor.constructor('globalThis.__pwned = true')() }}", ctx)).toBeNull();
    expect(() => renderTemplate("{{ x.constructor.constructor('return process')() }}", ctx)).toThrow(
      InterpolationError,
    );
    expect(() =>
      renderTemplate("{{ config.constructor.constructor('globalThis.__pwned = true')() }}", ctx),
    ).toThrow(InterpolationError);
    expect(g.__pwned).toBeUndefined();
  });

  test("a JS function found in the data is not callable", () => {
    let called = false;
    const ctx = {
      config: {
        f: () => {
          called = true;
          return 1;
        },
      },
    };
    // Python raises TypeError ("not callable"), which makes the CDK return the template itself.
    expect(evaluate("{{ config.f() }}", ctx)).toBe("{{ config.f() }}");
    expect(called).toBe(false);
  });

  test("class instances are opaque", () => {
    const ctx = { config: {}, d: new Date(0), m: new Map([["a", 1]]), u: new URL("https://x.test/") };
    expect(renderTemplate("{{ d.getTime }}|{{ m.get }}|{{ u.href }}", ctx)).toBe("||");
  });

  test("names starting with _ are refused on everything but dicts (jinja2's is_safe_attribute)", () => {
    const ctx = { config: { _links: { next: "n" } } };
    expect(renderTemplate("{{ config._links.next }}", ctx)).toBe("n");
    expect(renderTemplate("{{ 'abc'.__class__ }}|{{ now_utc()._sec }}|{{ config.__class__ }}", ctx)).toBe(
      "||",
    );
  });

  test("globals of JS are not template names", () => {
    for (const name of ["process", "globalThis", "Function", "eval", "require", "Bun", "constructor"])
      expect(() => evaluate(`{{ ${name} }}`, { config: {} })).toThrow(/undeclared variable/);
  });

  test("a __proto__ key in a literal or a literal_eval'd string stays a plain key", () => {
    const a = evaluate("{{ {'__proto__': {'polluted': 1}} }}", { config: {} }) as Record<string, unknown>;
    expect(Object.hasOwn(a, "__proto__")).toBe(true);
    const b = evaluate("{{ config.v }}", { config: { v: "{'__proto__': {'polluted': 1}}" } }) as Record<
      string,
      unknown
    >;
    expect(Object.hasOwn(b, "__proto__")).toBe(true);
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(b)).toBe(Object.prototype);
  });

  test("dict methods mutate only the data they are called on", () => {
    const record = { a: 1 };
    expect(evaluate("{{ record.update({'b': 2}) }}", { config: {}, record })).toBeNull();
    expect(record).toEqual({ a: 1, b: 2 } as never);
    expect(({} as { b?: unknown }).b).toBeUndefined();
  });

  test("runaway string repetition is refused", () => {
    expect(() => evaluate("{{ 'x' * 100000000 }}", { config: {} })).toThrow(/MemoryError/);
  });

  test("range is not available, as in the CDK", () => {
    expect(() => evaluate("{% for i in range(1000000000) %}{% endfor %}", { config: {} })).toThrow(
      /unknown function 'range'/,
    );
  });
});

describe("what the runner exposes on purpose", () => {
  test("PY_ATTRS gives a dict Python attributes, read before keys by `.` and after them by []", () => {
    const slice = { id: 1, [PY_ATTRS]: { partition: { id: 1 }, cursor_slice: { start: "s" } } };
    const ctx = { config: {}, stream_slice: slice };
    expect(evaluate("{{ stream_slice.partition.id }}", ctx)).toBe(1);
    expect(evaluate("{{ stream_slice['cursor_slice'] }}", ctx)).toEqual({ start: "s" });
    expect(evaluate("{{ stream_slice.id }}", ctx)).toBe(1);
    expect(evaluate("{{ stream_slice }}", ctx)).toEqual({ id: 1 });
  });

  test("pyFunction makes a JS function callable, e.g. a stored response's json()", () => {
    const response = { status: 200, [PY_ATTRS]: { json: pyFunction("json", () => ({ id: "job-1" })) } };
    const ctx = { config: {}, stream_slice: { create_job_response: response } };
    expect(renderTemplate("/exports/{{stream_slice['create_job_response'].json()['id'] }}", ctx)).toBe(
      "/exports/job-1",
    );
  });
});

describe("errors name the template, never the context's values", () => {
  const secret = "s3cr3t-token-value";
  const ctx = { config: { api_key: secret, n: 0 } };
  test.each([
    "{{ config.api_key.missing.deeper }}",
    "{{ config.api_key | base64decode }}",
    "{{ nope(config.api_key) }}",
    "{{ config.api_key | hash('nope') }}",
    "{{ 1 / config.n }}",
    "{{ format_datetime(config.api_key, '%Y') }}",
    "{{ config.api_key | regex_search('(') }}",
  ])("%s", (template) => {
    let error: unknown;
    try {
      renderTemplate(template, ctx);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InterpolationError);
    const { message, hint } = error as InterpolationError;
    expect(message).toContain(template);
    expect(`${message} ${hint}`).not.toContain(secret);
  });

  test("an unknown function is named as such", () => {
    expect(() => evaluate("{{ foo() }}", { config: {} })).toThrow("unknown function 'foo' in '{{ foo() }}'");
  });
});
