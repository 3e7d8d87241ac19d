import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { chmodSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadSettings, readFailure, SettingsError } from "../../src/core/settings.ts";
import { tempDir } from "../helpers/binary.ts";

let dir: { path: string; cleanup: () => void };
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => dir.cleanup());

const base = () => ({ HOME: dir.path, AIRBYTE_PROJECT_DIR: join(dir.path, "project") });
const envFile = (text: string) => {
  const path = join(dir.path, "secrets.env");
  writeFileSync(path, text);
  return path;
};
function settingsError(env: Record<string, string>): string {
  try {
    loadSettings({ env });
  } catch (error) {
    if (error instanceof SettingsError) return error.message;
    throw error;
  }
  throw new Error("expected a SettingsError");
}

describe("loadSettings", () => {
  test("defaults", () => {
    const s = loadSettings({ env: base() });
    expect(s.safeMode).toBe(true);
    expect(s.readOnlyMode).toBe(false);
    expect(s.trustedExecution).toBe(true);
    expect(s.envFile).toBeNull();
    expect(s.cacheRoot).toBe(join(dir.path, "project", ".cache"));
    expect(s.installDir).toBe(join(dir.path, "project"));
    expect(s.localRegistry).toStartWith("https://connectors.airbyte.com/");
    expect(s.cloud.apiUrl).toBe("https://api.airbyte.com/v1");
  });

  test("request timeouts: 30 s for Airbyte's APIs and the CDK's 300 s for a manifest connector, unless set", () => {
    const unset = loadSettings({ env: base() });
    expect([unset.httpTimeoutMs, unset.declarative.timeoutMs]).toEqual([30_000, 300_000]);
    const set = loadSettings({ env: { ...base(), AIRBYTE_HTTP_TIMEOUT: "90" } });
    expect([set.httpTimeoutMs, set.declarative.timeoutMs]).toEqual([90_000, 90_000]);
  });

  test("the project dir is created when missing", () => {
    const project = join(dir.path, "a", "b", "c");
    loadSettings({ env: { ...base(), AIRBYTE_PROJECT_DIR: project } });
    expect(existsSync(project)).toBe(true);
  });

  test("without AIRBYTE_PROJECT_DIR, a per-user data dir is used (never the cwd)", () => {
    const linux = loadSettings({ env: { HOME: dir.path }, platform: "linux", prepareDirs: false });
    expect(linux.projectDir).toBe(join(dir.path, ".local", "share", "airbyte-mcp"));
    const xdg = loadSettings({
      env: { HOME: dir.path, XDG_DATA_HOME: "/data" },
      platform: "linux",
      prepareDirs: false,
    });
    expect(xdg.projectDir).toBe("/data/airbyte-mcp");
    const mac = loadSettings({ env: { HOME: dir.path }, platform: "darwin", prepareDirs: false });
    expect(mac.projectDir).toBe(join(dir.path, "Library", "Application Support", "airbyte-mcp"));
  });

  test("settings that exist only in the env file are honoured (it is loaded first)", () => {
    const project = join(dir.path, "from-file");
    const path = envFile(
      `AIRBYTE_PROJECT_DIR=${project}\nAIRBYTE_CLOUD_MCP_READONLY_MODE=1\nAIRBYTE_CLOUD_MCP_SAFE_MODE=0\nAIRBYTE_CLOUD_WORKSPACE_ID=ws-1\nAIRBYTE_MCP_DOMAINS=registry,local\n`,
    );
    const s = loadSettings({ env: { HOME: dir.path, AIRBYTE_MCP_ENV_FILE: path } });
    expect(s.projectDir).toBe(project);
    expect(existsSync(project)).toBe(true);
    expect(s.readOnlyMode).toBe(true);
    expect(s.safeMode).toBe(false);
    expect(s.cloud.workspaceId).toBe("ws-1");
    expect(s.includeDomains).toEqual([{ variable: "AIRBYTE_MCP_DOMAINS", domains: ["registry", "local"] }]);
    expect(s.envFile?.names).toEqual([
      "AIRBYTE_PROJECT_DIR",
      "AIRBYTE_CLOUD_MCP_READONLY_MODE",
      "AIRBYTE_CLOUD_MCP_SAFE_MODE",
      "AIRBYTE_CLOUD_WORKSPACE_ID",
      "AIRBYTE_MCP_DOMAINS",
    ]);
  });

  test("process env wins over the env file", () => {
    const path = envFile("AIRBYTE_CLOUD_MCP_READONLY_MODE=1\nMY_TOKEN=from-file\n");
    const s = loadSettings({
      env: {
        ...base(),
        AIRBYTE_MCP_ENV_FILE: path,
        AIRBYTE_CLOUD_MCP_READONLY_MODE: "0",
        MY_TOKEN: "from-env",
      },
    });
    expect(s.readOnlyMode).toBe(false);
    expect(s.env.MY_TOKEN).toBe("from-env");
    expect(s.envFileValues.MY_TOKEN).toBe("from-file");
  });

  test("env file errors name the file and the line, never a value", () => {
    expect(settingsError({ ...base(), AIRBYTE_MCP_ENV_FILE: "relative/secrets.env" })).toContain(
      "absolute path",
    );
    const missing = join(dir.path, "nope.env");
    expect(settingsError({ ...base(), AIRBYTE_MCP_ENV_FILE: missing })).toContain(
      `${missing} does not exist`,
    );
    expect(settingsError({ ...base(), AIRBYTE_MCP_ENV_FILE: dir.path })).toContain("is not a regular file");
    const path = envFile("GOOD=1\nthis-line-holds-hunter2-secret\n");
    const message = settingsError({ ...base(), AIRBYTE_MCP_ENV_FILE: path });
    expect(message).toContain(path);
    expect(message).toContain("line 2");
    expect(message).not.toContain("hunter2");
  });

  test("an unreadable env file is reported as such", () => {
    // Root reads any file, so the permission case is checked on the errno mapping as well.
    expect(readFailure("EACCES")).toContain("not readable");
    if (process.getuid?.() !== 0) {
      const path = envFile("A=1\n");
      chmodSync(path, 0o000);
      expect(settingsError({ ...base(), AIRBYTE_MCP_ENV_FILE: path })).toContain("not readable");
    }
  });

  test("a project dir that cannot be created is a clear error", () => {
    const file = join(dir.path, "a-file");
    writeFileSync(file, "x");
    const message = settingsError({ HOME: dir.path, AIRBYTE_PROJECT_DIR: join(file, "sub") });
    expect(message).toContain("AIRBYTE_PROJECT_DIR");
    expect(message).toContain("not writable");
  });

  test("relative directories are refused", () => {
    expect(settingsError({ HOME: dir.path, AIRBYTE_PROJECT_DIR: "rel/dir" })).toContain("absolute");
    expect(settingsError({ ...base(), AIRBYTE_CACHE_ROOT: "cache" })).toContain("AIRBYTE_CACHE_ROOT");
  });

  test("boolean flags accept the usual spellings and refuse others", () => {
    for (const v of ["1", "true", "YES", "on"]) {
      expect(loadSettings({ env: { ...base(), AIRBYTE_CLOUD_MCP_READONLY_MODE: v } }).readOnlyMode).toBe(
        true,
      );
    }
    for (const v of ["0", "false", "No", "off", ""]) {
      expect(loadSettings({ env: { ...base(), AIRBYTE_CLOUD_MCP_READONLY_MODE: v } }).readOnlyMode).toBe(
        false,
      );
    }
    expect(settingsError({ ...base(), AIRBYTE_CLOUD_MCP_SAFE_MODE: "maybe" })).toContain("must be a boolean");
  });

  test("domain filters: unknown names and both lists at once are errors", () => {
    expect(settingsError({ ...base(), AIRBYTE_MCP_DOMAINS: "registry,clod" })).toContain(
      "unknown domain(s) clod",
    );
    expect(
      settingsError({ ...base(), AIRBYTE_MCP_DOMAINS: "local", AIRBYTE_MCP_DOMAINS_DISABLED: "cloud" }),
    ).toContain("mutually exclusive");
    const s = loadSettings({
      env: { ...base(), MCP_EXCLUDE_MODULES: "Cloud", MCP_EXCLUDE_TOOLS: "a, b ,," },
    });
    expect(s.excludeDomains).toEqual([{ variable: "MCP_EXCLUDE_MODULES", domains: ["cloud"] }]);
    expect(s.excludedTools).toEqual(["a", "b"]);
    expect(
      loadSettings({ env: { ...base(), AIRBYTE_MCP_DOMAINS: "interactive,local" } }).warnings[0],
    ).toContain("interactive");
  });

  test("cloud credentials: bearer token and client credentials are exclusive", () => {
    expect(
      settingsError({
        ...base(),
        AIRBYTE_CLOUD_BEARER_TOKEN: "tok-123456",
        AIRBYTE_CLOUD_CLIENT_ID: "client-123456",
      }),
    ).toContain("cannot be used together");
    const s = loadSettings({
      env: { ...base(), AIRBYTE_CLOUD_CLIENT_ID: "id-123456", AIRBYTE_CLOUD_CLIENT_SECRET: "secret-123456" },
    });
    expect(s.cloud.hasClientCredentials).toBe(true);
    expect(settingsError({ ...base(), AIRBYTE_CLOUD_API_URL: "ftp://x" })).toContain("http(s) URL");
  });

  test("AIRBYTE_LOCAL_REGISTRY: URL, absolute path, or disabled", () => {
    const registry = join(dir.path, "registry.json");
    mkdirSync(dir.path, { recursive: true });
    expect(loadSettings({ env: { ...base(), AIRBYTE_LOCAL_REGISTRY: registry } }).localRegistry).toBe(
      registry,
    );
    expect(loadSettings({ env: { ...base(), AIRBYTE_LOCAL_REGISTRY: "false" } }).localRegistry).toBeNull();
    expect(settingsError({ ...base(), AIRBYTE_LOCAL_REGISTRY: "registry.json" })).toContain(
      "AIRBYTE_LOCAL_REGISTRY",
    );
  });
});
