import { afterAll, describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { deepMerge, resolveConfig, secretFieldNames } from "../../src/connectors/config.ts";
import { ToolError } from "../../src/core/errors.ts";
import { Redactor } from "../../src/core/redact.ts";
import { secretLookup } from "../../src/core/secrets.ts";
import { tempDir } from "../helpers/binary.ts";
import { FIXTURES, skipWithoutFixtures } from "../helpers/fixtures.ts";

const dir = tempDir();
afterAll(() => dir.cleanup());
const spec = {
  type: "object",
  properties: {
    start_date: { type: "string" },
    api_key: { type: "string", airbyte_secret: true },
    credentials: {
      oneOf: [
        { properties: { password: { type: "string", format: "password" }, user: { type: "string" } } },
        { properties: { token: { type: "string", writeOnly: true } } },
      ],
    },
  },
};
const env = Object.assign(Object.create(null), {
  API_KEY: "key-from-env-123",
  WHOLE_CONFIG: "api_key: whole-key-456\ncredentials:\n  user: bob\n  password: pw-from-secret-789\n",
  NOT_AN_OBJECT: "just a string",
});
function setup() {
  const redactor = new Redactor([]);
  return { redactor, options: { spec, secrets: secretLookup({ env }, redactor), redactor } };
}
function error(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof ToolError) return e.text;
    throw e;
  }
  throw new Error("expected a ToolError");
}

describe("secretFieldNames", () => {
  test("airbyte_secret, writeOnly and format: password, in nested and oneOf branches", () => {
    expect([...secretFieldNames(spec)].sort()).toEqual(["api_key", "password", "token"]);
  });

  test.skipIf(skipWithoutFixtures("config spec tests"))("the real GitHub spec's token fields", () => {
    const registry = JSON.parse(readFileSync(join(FIXTURES, "oss_registry.json"), "utf8"));
    const github = registry.sources.find(
      (s: { dockerRepository: string }) => s.dockerRepository === "airbyte/source-github",
    );
    const names = secretFieldNames(github.spec.connectionSpecification);
    for (const n of ["access_token", "client_secret", "personal_access_token"])
      expect(names.has(n)).toBe(true);
    expect(names.has("repositories")).toBe(false);
  });
});

describe("resolveConfig", () => {
  test("secret references resolve; plain values pass", () => {
    const { options } = setup();
    expect(
      resolveConfig({ config: { start_date: "2024-01-01", api_key: "secret_reference::API_KEY" } }, options),
    ).toEqual({
      start_date: "2024-01-01",
      api_key: "key-from-env-123",
    });
  });

  test("a plain secret typed into the config is refused, naming every field", () => {
    const { options } = setup();
    const message = error(() =>
      resolveConfig(
        { config: { api_key: "typed-in", credentials: { password: "typed-too", user: "bob" } } },
        options,
      ),
    );
    expect(message).toContain("api_key, credentials.password");
    expect(message).toContain("secret_reference::");
  });

  test("config as a JSON string; a bad string or a non-object is an error", () => {
    const { options } = setup();
    expect(resolveConfig({ config: '{"start_date": "2024-02-02"}' }, options)).toEqual({
      start_date: "2024-02-02",
    });
    expect(error(() => resolveConfig({ config: "/path/to/config.json" }, options))).toContain("config_file");
    expect(error(() => resolveConfig({ config: "[1]" }, options))).toContain("JSON object");
  });

  test("config_file (YAML or JSON) with the inline config merged on top; its secrets are masked", () => {
    const { options, redactor } = setup();
    const file = join(dir.path, "config.yaml");
    writeFileSync(file, "start_date: 2020-01-01\napi_key: file-key-000\nregion: eu\n");
    expect(resolveConfig({ config_file: file, config: { start_date: "2024-03-03" } }, options)).toEqual({
      start_date: "2024-03-03",
      api_key: "file-key-000",
      region: "eu",
    });
    expect(redactor.text("file-key-000")).toBe("****");
    expect(error(() => resolveConfig({ config_file: "config.yaml" }, options))).toContain("absolute path");
    expect(error(() => resolveConfig({ config_file: join(dir.path, "missing.yaml") }, options))).toContain(
      "cannot be read",
    );
  });

  test("config_secret_name is deep-merged on top, and every value in it is masked", () => {
    const { options, redactor } = setup();
    const resolved = resolveConfig(
      {
        config: { start_date: "2024-01-01", credentials: { user: "alice" } },
        config_secret_name: "WHOLE_CONFIG",
      },
      options,
    );
    expect(resolved).toEqual({
      start_date: "2024-01-01",
      api_key: "whole-key-456",
      credentials: { user: "bob", password: "pw-from-secret-789" },
    });
    expect(redactor.text("whole-key-456 pw-from-secret-789")).toBe("**** ****");
    expect(error(() => resolveConfig({ config_secret_name: "NOPE" }, options))).toContain("NOPE");
    expect(error(() => resolveConfig({ config_secret_name: "NOT_AN_OBJECT" }, options))).toContain(
      "does not hold",
    );
  });

  test("deepMerge keeps the base's other keys and lets the top win", () => {
    expect(deepMerge({ a: { b: 1, c: 2 }, d: [1] }, { a: { c: 3 }, d: [2] })).toEqual({
      a: { b: 1, c: 3 },
      d: [2],
    });
  });
});
