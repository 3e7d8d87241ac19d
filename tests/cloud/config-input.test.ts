// resolveConfigInput: configs given as objects or JSON strings, plain-text secrets refused where a
// spec (or Cloud's masking) says a field is secret, a whole config from a variable merged on top, and
// secret references resolved, with errors that name fields and variables but never values. Real
// settings, a real env file and the real secret lookup; no stand-ins.

import { afterAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  CLOUD_SECRET_MASK,
  type ConfigInputContext,
  resolveConfigInput,
} from "../../src/cloud/config-input.ts";
import { ToolError } from "../../src/core/errors.ts";
import { Redactor } from "../../src/core/redact.ts";
import { secretLookup } from "../../src/core/secrets.ts";
import { loadSettings } from "../../src/core/settings.ts";
import { tempDir } from "../helpers/binary.ts";

const dir = tempDir();
afterAll(() => dir.cleanup());

const API_KEY = "ak-live-7Yq2ZrT0p9";
const DB_PASSWORD = "pg-pass-Q8w3e4r5";
const CLIENT_SECRET = "cloud-client-secret-XYZ123";
const WHOLE_CONFIG = JSON.stringify({
  api_key: API_KEY,
  region: "eu-west-1",
  nested: { token: "tok-abc-998877" },
});
const YAML_CONFIG = "credentials:\n  password: yaml-pass-55443322\nport: 6543\n";

function context(processEnv: Record<string, string> = {}): ConfigInputContext & { redactor: Redactor } {
  const envFile = join(dir.path, "secrets.env");
  writeFileSync(envFile, `DB_PASSWORD=${DB_PASSWORD}\nWHOLE_CONFIG='${WHOLE_CONFIG}'\n`);
  const settings = loadSettings({
    env: {
      HOME: dir.path,
      AIRBYTE_PROJECT_DIR: join(dir.path, "project"),
      AIRBYTE_MCP_ENV_FILE: envFile,
      API_KEY,
      YAML_CONFIG,
      NOT_AN_OBJECT: "just-a-string-value-123",
      AIRBYTE_CLOUD_CLIENT_ID: "cloud-client-id",
      AIRBYTE_CLOUD_CLIENT_SECRET: CLIENT_SECRET,
      ...processEnv,
    },
    prepareDirs: false,
  });
  const redactor = new Redactor([]);
  return { settings, secrets: secretLookup(settings, redactor), redactor };
}

/** The error a call throws; fails the test when it does not throw a ToolError. */
function refusal(run: () => unknown): ToolError {
  try {
    run();
  } catch (error) {
    if (error instanceof ToolError) return error;
    throw error;
  }
  throw new Error("expected a ToolError, got a result");
}

const SPEC = {
  type: "object",
  properties: {
    host: { type: "string" },
    password: { type: "string", airbyte_secret: true },
    credentials: {
      type: "object",
      oneOf: [
        { properties: { auth: { const: "key" }, api_key: { type: "string", airbyte_secret: true } } },
        { properties: { auth: { const: "oauth" }, client_secret: { type: "string", format: "password" } } },
      ],
    },
    tunnel: { type: "object", properties: { ssh_key: { type: "string", writeOnly: true } } },
  },
};

describe("config given inline", () => {
  test("an object, a JSON string and null are all accepted", () => {
    const ctx = context();
    const config = { host: "db.example.com", port: 5432, tags: ["a", "b"] };
    expect(resolveConfigInput(config, null, ctx, "config")).toEqual(config);
    expect(resolveConfigInput(JSON.stringify(config), null, ctx, "config")).toEqual(config);
    expect(resolveConfigInput(null, null, ctx, "config")).toEqual({});
  });

  test("a string that is not JSON is refused without quoting it", () => {
    const text = `{"password": "${DB_PASSWORD}", oops}`;
    const error = refusal(() => resolveConfigInput(text, null, context(), "config"));
    expect(error.message).toContain("config is a string but not valid JSON");
    expect(error.text).not.toContain(DB_PASSWORD);
  });

  test("JSON that is not an object is refused, named by the argument", () => {
    const error = refusal(() => resolveConfigInput('["a", "b"]', null, context(), "testing_values"));
    expect(error.message).toContain("testing_values must be a JSON object");
  });

  test("the input object is not modified", () => {
    const config = {
      password: "secret_reference::DB_PASSWORD",
      nested: { key: "secret_reference::API_KEY" },
    };
    const copy = structuredClone(config);
    resolveConfigInput(config, null, context(), "config", { spec: SPEC });
    expect(config).toEqual(copy);
  });
});

describe("plain-text secrets", () => {
  test("are refused in every field the spec marks secret, named by path, never by value", () => {
    const config = {
      host: "db.example.com",
      password: "typed-password-1",
      credentials: { auth: "oauth", client_secret: "typed-client-secret-2" },
      tunnel: { ssh_key: "typed-ssh-key-3" },
    };
    const error = refusal(() => resolveConfigInput(config, null, context(), "config", { spec: SPEC }));
    expect(error.message).toContain("password, credentials.client_secret, tunnel.ssh_key");
    expect(error.message).not.toContain("host");
    for (const value of ["typed-password-1", "typed-client-secret-2", "typed-ssh-key-3"]) {
      expect(error.text).not.toContain(value);
    }
    expect(error.hint).toContain("secret_reference::");
    expect(error.hint).toContain("config_secret_name");
  });

  test("are refused in fields named by secretFields (e.g. those Cloud answers masked), with no spec", () => {
    const error = refusal(() =>
      resolveConfigInput({ api_token: "typed-token-4", start: "2024" }, null, context(), "testing_values", {
        secretFields: ["api_token"],
      }),
    );
    expect(error.message).toContain("testing_values holds secret values typed in plain text, in: api_token");
    expect(error.hint).toContain("testing_values_secret_name");
    expect(error.text).not.toContain("typed-token-4");
  });

  test("references, Cloud's mask and empty values are not plain-text secrets", () => {
    const config = {
      password: "secret_reference::DB_PASSWORD",
      credentials: { auth: "key", api_key: CLOUD_SECRET_MASK },
      tunnel: { ssh_key: "" },
    };
    const resolved = resolveConfigInput(config, null, context(), "config", { spec: SPEC });
    expect(resolved).toEqual({ ...config, password: DB_PASSWORD });
  });

  test("without a spec or secret fields, nothing is guessed from field names", () => {
    const config = { password: "typed-but-unknown-5" };
    expect(resolveConfigInput(config, null, context(), "config")).toEqual(config);
  });
});

describe("secret references", () => {
  test("are resolved anywhere, from the env file and the process environment", () => {
    const ctx = context();
    const resolved = resolveConfigInput(
      {
        password: "secret_reference::DB_PASSWORD",
        nested: { deeper: [{ key: "secret_reference:: API_KEY" }] },
        keys: ["secret_reference::API_KEY", "plain"],
      },
      null,
      ctx,
      "config",
    );
    expect(resolved).toEqual({
      password: DB_PASSWORD,
      nested: { deeper: [{ key: API_KEY }] },
      keys: [API_KEY, "plain"],
    });
    // The redactor learned them, so any later output masks them.
    expect(ctx.redactor.text(`${DB_PASSWORD} ${API_KEY}`)).not.toContain(DB_PASSWORD);
  });

  test("to an unset variable fail naming the variable, the path and the env file", () => {
    const ctx = context();
    const error = refusal(() =>
      resolveConfigInput({ a: { b: "secret_reference::MISSING_VAR" } }, null, ctx, "config"),
    );
    expect(error.message).toContain("$.a.b");
    expect(error.message).toContain("MISSING_VAR");
    expect(error.message).toContain(ctx.settings.envFile?.path ?? "no env file");
  });

  test("to the server's own Airbyte credentials are refused without their value", () => {
    const error = refusal(() =>
      resolveConfigInput(
        { host: "secret_reference::AIRBYTE_CLOUD_CLIENT_SECRET" },
        null,
        context(),
        "config",
      ),
    );
    expect(error.message).toContain("AIRBYTE_CLOUD_CLIENT_SECRET");
    expect(error.message).toContain("never sent inside a connector config");
    expect(error.text).not.toContain(CLIENT_SECRET);
  });
});

describe("a whole config held in a variable", () => {
  test("JSON from the env file is merged deep on top of the inline config, its values winning", () => {
    const ctx = context();
    const resolved = resolveConfigInput(
      { region: "us-east-1", nested: { keep: "me", token: "overridden" }, extra: 1 },
      "WHOLE_CONFIG",
      ctx,
      "config",
    );
    expect(resolved).toEqual({
      ...JSON.parse(WHOLE_CONFIG),
      nested: { keep: "me", token: "tok-abc-998877" },
      extra: 1,
    });
    // With no secret field known, every string of the variable is taught to the redactor.
    expect(ctx.redactor.text("tok-abc-998877 eu-west-1")).not.toContain("tok-abc-998877");
  });

  test("YAML works too, and with a spec only its secret fields are taught to the redactor", () => {
    const ctx = context();
    const spec = {
      type: "object",
      properties: {
        port: { type: "integer" },
        credentials: { type: "object", properties: { password: { type: "string", airbyte_secret: true } } },
      },
    };
    const resolved = resolveConfigInput({ host: "h" }, "YAML_CONFIG", ctx, "config", { spec });
    expect(resolved).toEqual({ host: "h", credentials: { password: "yaml-pass-55443322" }, port: 6543 });
    expect(ctx.redactor.text("yaml-pass-55443322")).not.toContain("yaml-pass");
  });

  test("an unset variable is refused naming the argument and the variable", () => {
    const error = refusal(() => resolveConfigInput(null, "NO_SUCH_CONFIG", context(), "testing_values"));
    expect(error.message).toContain("testing_values_secret_name names NO_SUCH_CONFIG");
    expect(error.hint).toContain("list_dotenv_secrets");
  });

  test("a variable that holds no object is refused without its value", () => {
    const error = refusal(() => resolveConfigInput(null, "NOT_AN_OBJECT", context(), "config"));
    expect(error.message).toContain("NOT_AN_OBJECT (config_secret_name) does not hold a JSON or YAML object");
    expect(error.text).not.toContain("just-a-string-value-123");
  });

  test("an empty name is refused; the server's credentials cannot be named", () => {
    expect(refusal(() => resolveConfigInput(null, "  ", context(), "config")).message).toContain(
      "config_secret_name is empty",
    );
    const error = refusal(() => resolveConfigInput(null, "AIRBYTE_CLOUD_CLIENT_SECRET", context(), "config"));
    expect(error.message).toContain("AIRBYTE_CLOUD_CLIENT_SECRET");
    expect(error.text).not.toContain(CLIENT_SECRET);
  });

  test("references inside the variable's config are resolved too", () => {
    const ctx = context({ REF_CONFIG: '{"password": "secret_reference::DB_PASSWORD"}' });
    expect(resolveConfigInput({ host: "h" }, "REF_CONFIG", ctx, "config")).toEqual({
      host: "h",
      password: DB_PASSWORD,
    });
  });
});
