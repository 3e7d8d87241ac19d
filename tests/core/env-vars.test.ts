import { describe, expect, test } from "bun:test";
import { ENV_VARS, isNonSecretSetting, looksSecret } from "../../src/core/env-vars.ts";

describe("env vars", () => {
  test("every variable the server reads is documented in the README", async () => {
    const readme = await Bun.file(new URL("../../README.md", import.meta.url)).text();
    expect(ENV_VARS.map((v) => v.name).filter((name) => !readme.includes(`| \`${name}\``))).toEqual([]);
  });

  test.each([
    "GITHUB_TOKEN",
    "DB_PASSWORD",
    "AWS_SECRET_ACCESS_KEY",
    "STRIPE_API_KEY",
    "X_CLIENT_ID",
    "GCP_CREDENTIALS",
    "PGPASSWORD",
    "MYSQL_PWD",
    "REDISCLI_AUTH",
    "GITHUBTOKEN",
  ])("%s looks secret", (name) => {
    expect(looksSecret(name)).toBe(true);
  });

  test.each([
    "PATH",
    "PWD",
    "OLDPWD",
    "HOME",
    "SSH_AUTH_SOCK",
    "KEYBOARD_LAYOUT",
    "AIRBYTE_PROJECT_DIR",
    "XDG_SESSION_DESKTOP",
    "DBUS_SESSION_BUS_ADDRESS",
    "PASSWORD_STORE_DIR",
  ])("%s does not look secret", (name) => {
    expect(looksSecret(name)).toBe(false);
  });

  test("the server's own settings", () => {
    expect(isNonSecretSetting("AIRBYTE_CLOUD_WORKSPACE_ID")).toBe(true);
    expect(isNonSecretSetting("AIRBYTE_CLOUD_CLIENT_SECRET")).toBe(false);
  });
});
