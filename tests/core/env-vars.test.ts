import { describe, expect, test } from "bun:test";
import { ENV_VARS, isNonSecretSetting, looksSecret } from "../../src/core/env-vars.ts";

describe("env vars", () => {
  test("every variable the server reads is documented in the README", async () => {
    const readme = await Bun.file(new URL("../../README.md", import.meta.url)).text();
    for (const v of ENV_VARS) expect(readme).toContain(`| \`${v.name}\``);
  });

  test("names that look secret", () => {
    for (const name of [
      "GITHUB_TOKEN",
      "DB_PASSWORD",
      "AWS_SECRET_ACCESS_KEY",
      "STRIPE_API_KEY",
      "X_CLIENT_ID",
      "GCP_CREDENTIALS",
    ]) {
      expect({ name, secret: looksSecret(name) }).toEqual({ name, secret: true });
    }
    for (const name of ["PATH", "PWD", "HOME", "SSH_AUTH_SOCK", "KEYBOARD_LAYOUT", "AIRBYTE_PROJECT_DIR"]) {
      expect({ name, secret: looksSecret(name) }).toEqual({ name, secret: false });
    }
    expect(isNonSecretSetting("AIRBYTE_CLOUD_WORKSPACE_ID")).toBe(true);
    expect(isNonSecretSetting("AIRBYTE_CLOUD_CLIENT_SECRET")).toBe(false);
  });
});
