import { describe, expect, test } from "bun:test";
import { ToolError } from "../../src/core/errors.ts";
import { Redactor } from "../../src/core/redact.ts";
import { collectSecretValues, resolveSecretReferences, secretLookup } from "../../src/core/secrets.ts";

const vars: Record<string, string> = {
  GH_TOKEN: "ghp_abcdef123456",
  DB_PASSWORD: "pw-0987654321",
  SHORT: "x",
};
const lookup = (name: string) => vars[name];

describe("resolveSecretReferences", () => {
  test("replaces references in nested objects, lists and bare strings in lists", () => {
    const config = {
      host: "db.example.com",
      port: 5432,
      ssl: true,
      nothing: null,
      credentials: { auth: { token: "secret_reference::GH_TOKEN" } },
      passwords: ["secret_reference::DB_PASSWORD", "plain", { nested: "secret_reference:: GH_TOKEN" }],
    };
    const before = structuredClone(config);
    expect(resolveSecretReferences(config, lookup)).toEqual({
      host: "db.example.com",
      port: 5432,
      ssl: true,
      nothing: null,
      credentials: { auth: { token: "ghp_abcdef123456" } },
      passwords: ["pw-0987654321", "plain", { nested: "ghp_abcdef123456" }],
    });
    expect(config).toEqual(before);
  });

  test("only a whole string that starts with the prefix is a reference", () => {
    expect(resolveSecretReferences({ a: "x secret_reference::GH_TOKEN" }, lookup)).toEqual({
      a: "x secret_reference::GH_TOKEN",
    });
  });

  test("an unknown name is an error naming the variable and where it was referenced", () => {
    let error: unknown;
    try {
      resolveSecretReferences({ a: [{ b: "secret_reference::NOT_THERE" }] }, lookup, "/etc/secrets.env");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ToolError);
    const text = (error as ToolError).text;
    expect(text).toContain("NOT_THERE");
    expect(text).toContain("$.a[0].b");
    expect(text).toContain("/etc/secrets.env");
    expect(text).toContain("list_dotenv_secrets");
  });

  test("an empty reference is an error", () => {
    expect(() => resolveSecretReferences({ a: "secret_reference::  " }, lookup)).toThrow(ToolError);
  });
});

describe("secretLookup", () => {
  test("teaches the redactor every value it hands out, whatever the variable's name", () => {
    const redactor = new Redactor([]);
    const env = Object.assign(Object.create(null), { PLAIN_NAME: "resolved-value-1", tiny: "abc" });
    const lookup = secretLookup({ env }, redactor);
    expect(lookup("PLAIN_NAME")).toBe("resolved-value-1");
    expect(lookup("tiny")).toBe("abc");
    expect(redactor.text("x resolved-value-1 abc")).toBe("x **** abc");
  });

  test("names of Object.prototype members are not variables", () => {
    const lookup = secretLookup({ env: Object.create(null) });
    expect(lookup("toString")).toBeUndefined();
    expect(lookup("constructor")).toBeUndefined();
    expect(() => resolveSecretReferences({ a: "secret_reference::toString" }, lookup)).toThrow(ToolError);
  });
});

describe("collectSecretValues", () => {
  test("passwords inside URLs are secrets", () => {
    const values = collectSecretValues(
      { envFileValues: {} },
      { DATABASE_URL: "postgres://app:url-pass%2Fword@db:5432/app", PLAIN: "https://example.com/x" },
    );
    expect(values).toEqual(["url-pass/word"]);
  });

  test("env-file values except own non-secret settings and short values; secret-looking process vars", () => {
    const values = collectSecretValues(
      {
        envFileValues: {
          ANY_NAME: "looks-harmless-but-is-in-the-file",
          SHORT: "abc12",
          AIRBYTE_PROJECT_DIR: "/home/me/airbyte",
          AIRBYTE_CLOUD_WORKSPACE_ID: "11111111-2222",
          AIRBYTE_CLOUD_CLIENT_SECRET: "cloud-secret-value",
        },
      },
      {
        PATH: "/usr/bin:/bin",
        PWD: "/home/me/work",
        HOME: "/home/me",
        SSH_AUTH_SOCK: "/tmp/ssh-agent.sock",
        GITHUB_TOKEN: "ghp_processenv1",
        AWS_SECRET_ACCESS_KEY: "aws-secret-xyz",
        SOME_CLIENT_ID: "client-id-123",
        STRIPE_API_KEY: "sk_live_12345",
        DB_PASSWORD: "tiny",
      },
    );
    expect(values.sort()).toEqual(
      [
        "looks-harmless-but-is-in-the-file",
        "cloud-secret-value",
        "ghp_processenv1",
        "aws-secret-xyz",
        "client-id-123",
        "sk_live_12345",
      ].sort(),
    );
  });
});
