// Names and column kinds from JSON schemas (the typed mapping of every stream table).

import { describe, expect, test } from "bun:test";
import { kindOf, normalizeName, planColumns, uniqueName } from "../../src/cache/schema.ts";

describe("names", () => {
  test("normalised like PyAirbyte's LowerCaseNormalizer, cut at 63 characters", () => {
    expect(normalizeName("Pull Requests")).toBe("pull_requests");
    expect(normalizeName("issue-comments.v2")).toBe("issue_comments_v2");
    expect(normalizeName("2fa_events")).toBe("_2fa_events");
    expect(normalizeName("Ünïcode")).toBe("_n_code");
    expect(normalizeName("")).toBe("_");
    expect(normalizeName("x".repeat(80))).toHaveLength(63);
  });

  test("a taken name gets _2, _3..., still within 63 characters", () => {
    expect(uniqueName("users", new Set())).toBe("users");
    expect(uniqueName("users", new Set(["users", "users_2"]))).toBe("users_3");
    const long = "y".repeat(63);
    expect(uniqueName(long, new Set([long]))).toBe(`${"y".repeat(61)}_2`);
  });
});

describe("column kinds", () => {
  test.each([
    [{ type: "integer" }, "integer"],
    [{ type: ["null", "integer"] }, "integer"],
    [{ type: "number", airbyte_type: "integer" }, "integer"],
    [{ type: ["null", "number"] }, "number"],
    [{ type: ["integer", "number"] }, "number"],
    [{ type: "boolean" }, "boolean"],
    [{ type: "string" }, "string"],
    [{ type: "string", format: "date-time" }, "timestamp_tz"],
    [{ type: "string", format: "date-time", airbyte_type: "timestamp_without_timezone" }, "timestamp"],
    [{ type: "string", format: "date" }, "date"],
    [{ type: "string", format: "time" }, "time"],
    [{ type: "object", properties: { a: { type: "string" } } }, "json"],
    [{ type: ["null", "array"], items: { type: "string" } }, "json"],
    [{ type: ["string", "integer"] }, "json"],
    [{ anyOf: [{ type: "null" }, { type: "integer" }] }, "integer"],
    [{ oneOf: [{ type: "string" }, { type: "object" }] }, "json"],
    [{}, "json"],
    [true, "json"],
  ] as const)("%j is %s", (schema, kind) => {
    expect(kindOf(schema)).toBe(kind);
  });
});

describe("planColumns", () => {
  const schema = {
    type: "object",
    properties: { Id: { type: "integer" }, id: { type: "string" }, "First Name": { type: "string" } },
  };

  test("one column per property, collisions resolved, meta names reserved", () => {
    const { columns } = planColumns(
      { properties: { ...schema.properties, _airbyte_meta: { type: "string" } } },
      [],
    );
    expect(columns.map((c) => [c.property, c.name, c.kind])).toEqual([
      ["Id", "id", "integer"],
      ["id", "id_2", "string"],
      ["First Name", "first_name", "string"],
      ["_airbyte_meta", "_airbyte_meta_2", "string"],
    ]);
  });

  test("a later schema keeps existing columns and kinds, and adds only new properties", () => {
    const first = planColumns(schema, []).columns;
    const evolved = planColumns(
      { properties: { Id: { type: "string" }, email: { type: "string" }, "First Name": { type: "string" } } },
      first,
    );
    expect(evolved.added.map((c) => c.name)).toEqual(["email"]);
    expect(evolved.columns.find((c) => c.property === "Id")?.kind).toBe("integer");
    expect(evolved.columns).toHaveLength(4);
  });

  test("a schema with no properties keeps the whole record in _airbyte_data", () => {
    const { columns } = planColumns({ type: "object" }, []);
    expect(columns).toEqual([{ name: "_airbyte_data", property: null, kind: "json" }]);
    expect(planColumns({ type: "object" }, columns).added).toEqual([]);
  });
});
