import { describe, expect, test } from "bun:test";
import { validateConfig } from "../../src/connectors/validate.ts";

// The shape of destination-postgres's ssl_mode: oneOf branches with properties but no `type`.
const spec = {
  type: "object",
  required: ["host", "port"],
  properties: {
    host: { type: "string" },
    port: { type: "integer", minimum: 0, maximum: 65536 },
    password: { type: "string", airbyte_secret: true },
    ssl_mode: {
      type: "object",
      oneOf: [
        { title: "disable", required: ["mode"], properties: { mode: { type: "string", const: "disable" } } },
        {
          title: "verify-ca",
          required: ["mode", "ca_certificate"],
          properties: { mode: { type: "string", const: "verify-ca" }, ca_certificate: { type: "string" } },
        },
      ],
    },
  },
};

describe("validateConfig", () => {
  test("a required key without a property schema is still required, as jsonschema checks it", () => {
    const loose = { type: "object", required: ["token"], properties: { region: { type: "string" } } };
    expect(validateConfig(loose, { region: "eu" }).map((p) => p.field)).toEqual(["token"]);
    expect(validateConfig(loose, { region: "eu", token: 5 })).toEqual([]);
    expect(validateConfig({ required: ["token"] }, { other: 1 }).map((p) => p.field)).toEqual(["token"]);
  });

  test("a valid config with an untyped oneOf branch passes", () => {
    expect(validateConfig(spec, { host: "db", port: 5432, ssl_mode: { mode: "disable" } })).toEqual([]);
    expect(
      validateConfig(spec, { host: "db", port: 5432, ssl_mode: { mode: "verify-ca", ca_certificate: "x" } }),
    ).toEqual([]);
  });

  test("each bad field is named, and no value is echoed", () => {
    const problems = validateConfig(spec, { port: "not-a-port", password: "s3cret-value" });
    const fields = problems.map((p) => p.field);
    expect(fields).toContain("host");
    expect(fields).toContain("port");
    expect(JSON.stringify(problems)).not.toContain("s3cret-value");
    expect(JSON.stringify(problems)).not.toContain("not-a-port");
  });

  test("a oneOf value that fits no branch is a problem", () => {
    const problems = validateConfig(spec, { host: "db", port: 1, ssl_mode: { mode: "verify-ca" } });
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]?.field).toContain("ssl_mode");
  });

  test("format is an annotation, as in the CDK's and PyAirbyte's jsonschema check; pattern is checked", () => {
    // source-coingecko-coins: `format: date` beside a dd-mm-yyyy pattern, which its users follow.
    const dates = {
      type: "object",
      required: ["start_date"],
      properties: {
        start_date: { type: "string", format: "date", pattern: "^[0-9]{2}-[0-9]{2}-[0-9]{4}$" },
        webhook: { type: "string", format: "uri" },
        // A field named "format" is a field like any other.
        format: { type: "string", enum: ["csv", "json"] },
      },
    };
    expect(validateConfig(dates, { start_date: "01-01-2024", webhook: "not a uri", format: "csv" })).toEqual(
      [],
    );
    expect(validateConfig(dates, { start_date: "2024-01-01" })).toEqual([
      { field: "start_date", problem: "must match the pattern /^[0-9]{2}-[0-9]{2}-[0-9]{4}$/" },
    ]);
    expect(validateConfig(dates, { start_date: "01-01-2024", format: "xml" })).toEqual([
      { field: "format", problem: 'must be one of "csv", "json"' },
    ]);
  });

  test("format is dropped wherever a subschema can stand: $defs, patternProperties, prefixItems", () => {
    const nested = {
      type: "object",
      $defs: { day: { type: "string", format: "date" } },
      properties: {
        a: { $ref: "#/$defs/day" },
        b: { type: "object", patternProperties: { "^x": { type: "string", format: "date-time" } } },
        c: { type: "array", prefixItems: [{ type: "string", format: "uri" }] },
      },
    };
    expect(validateConfig(nested, { a: "01-02-2020", b: { x1: "yesterday" }, c: ["not a uri"] })).toEqual([]);
    // Types are still checked through the reference.
    expect(validateConfig(nested, { a: 5 })).toEqual([{ field: "a", problem: "expected string" }]);
  });
});
