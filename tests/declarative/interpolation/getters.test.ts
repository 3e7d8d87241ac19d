// The compiled `obj.name` and `obj['key']` read a JSON object's key at once; everything else goes
// through getattr/getitem. The shortcut must never answer differently: each case here is checked
// against the general functions, and through whole templates.

import { describe, expect, test } from "bun:test";
import { evaluate, PY_ATTRS } from "../../../src/declarative/interpolation/index.ts";
import { attrGetter, getattr, getitem, itemGetter } from "../../../src/declarative/interpolation/runtime.ts";

const withAttrs = Object.defineProperty({ id: 1, items: "own" }, PY_ATTRS, {
  value: { extra_fields: { region: "eu" } },
});
const nullProto = Object.assign(Object.create(null), { id: 2, get: "own get" });
const objects: [string, unknown][] = [
  ["a JSON object", { id: 3, next_page: 4, items: "own items", _links: { self: "x" }, __proto__x: 1 }],
  ["an object with attributes (a slice with extra_fields)", withAttrs],
  ["a null-prototype object", nullProto],
  ["a list", [1, 2, 3]],
  ["a string", "text"],
  ["None", null],
  ["a number", 5],
];
const names = [
  "id",
  "next_page",
  "missing",
  "items",
  "get",
  "keys",
  "_links",
  "__class__",
  "extra_fields",
  "upper",
];

/** A getter's answer, or the error class it throws. */
function outcome(f: () => unknown): unknown {
  try {
    const v = f();
    // Bound methods are new objects each time: compare what they are.
    return typeof v === "object" && v !== null && v.constructor?.name === "PyCallable"
      ? `method ${(v as { name?: string }).name}`
      : v;
  } catch (error) {
    return `throws ${(error as Error).constructor.name}`;
  }
}

describe("attribute and key shortcuts", () => {
  for (const [what, obj] of objects) {
    test(`${what}: obj.name and obj['name'] as getattr and getitem answer`, () => {
      for (const name of names) {
        expect({ name, v: outcome(() => attrGetter(name)(obj)) }).toEqual({
          name,
          v: outcome(() => getattr(obj, name)),
        });
        expect({ name, v: outcome(() => itemGetter(name)(obj)) }).toEqual({
          name,
          v: outcome(() => getitem(obj, name)),
        });
      }
    });
  }

  test("undefined still raises as jinja2 does", () => {
    expect(() => attrGetter("id")(undefined)).toThrow();
    expect(() => itemGetter("id")(undefined)).toThrow();
    expect(outcome(() => itemGetter(0)([7, 8]))).toBe(7);
  });

  test("templates: a key wins over nothing, a dict method over a key of its name, an own key over a method in []", () => {
    const response = { meta: { next_page: 2 }, items: [1, 2], data: { get: "g" } };
    expect(evaluate("{{ response.meta.next_page }}", { response })).toBe(2);
    expect(evaluate("{{ response['meta']['next_page'] }}", { response })).toBe(2);
    expect(evaluate("{{ response['items'] | length }}", { response })).toBe(2);
    // `.items` is dict.items, a method, before the key: calling it lists the pairs.
    expect(evaluate("{{ response.meta.items() | list | length }}", { response })).toBe(1);
    expect(evaluate("{{ response.data.get('get') }}", { response })).toBe("g");
    expect(evaluate("{{ stream_slice.extra_fields.region }}", { stream_slice: withAttrs })).toBe("eu");
    expect(evaluate("{{ response.meta.missing }}", { response }, { default: "none" })).toBe("none");
  });
});
