import { afterAll, describe, expect, test } from "bun:test";
import { loadSettings } from "../../src/core/settings.ts";
import { hiddenReason, visibleTools } from "../../src/core/visibility.ts";
import { tempDir } from "../helpers/binary.ts";
import {
  cloudDelete,
  cloudRead,
  cloudSync,
  cloudWrite,
  localRead,
  localWrite,
  registryRead,
  TEST_TOOLS,
} from "../helpers/tools.ts";

const dir = tempDir();
afterAll(() => dir.cleanup());
const settings = (env: Record<string, string> = {}) =>
  loadSettings({ env: { HOME: dir.path, AIRBYTE_PROJECT_DIR: dir.path, ...env } });
const names = (env: Record<string, string>, kind: "stdio" | "http" | "cli" = "stdio") =>
  visibleTools(TEST_TOOLS, settings(env), { kind }).map((t) => t.name);

describe("tool visibility", () => {
  test("by default every tool is visible over stdio, local tools included", () => {
    expect(names({})).toEqual(TEST_TOOLS.map((t) => t.name));
  });

  test("read-only mode hides only Cloud tools that write or destroy, and keeps the sync tool", () => {
    const visible = names({ AIRBYTE_CLOUD_MCP_READONLY_MODE: "1" });
    expect(visible).not.toContain(cloudWrite.name);
    expect(visible).not.toContain(cloudDelete.name);
    for (const t of [cloudRead, cloudSync, localRead, localWrite, registryRead])
      expect(visible).toContain(t.name);
    expect(
      hiddenReason(cloudWrite, settings({ AIRBYTE_CLOUD_MCP_READONLY_MODE: "1" }), { kind: "stdio" }),
    ).toContain("AIRBYTE_CLOUD_MCP_READONLY_MODE");
  });

  test("the generic MCP_READONLY_MODE hides every tool without readOnlyHint", () => {
    const visible = names({ MCP_READONLY_MODE: "1" });
    expect(visible).toContain(localRead.name);
    expect(visible).not.toContain(localWrite.name);
    expect(visible).not.toContain(cloudSync.name);
  });

  test("domain include and exclude lists", () => {
    expect(names({ AIRBYTE_MCP_DOMAINS: "registry" })).toEqual([registryRead.name]);
    expect(names({ AIRBYTE_MCP_DOMAINS_DISABLED: "cloud,local" })).toEqual([registryRead.name]);
    expect(names({ MCP_INCLUDE_MODULES: "registry" })).toEqual([registryRead.name]);
    const reason = hiddenReason(localRead, settings({ AIRBYTE_MCP_DOMAINS: "registry,cloud" }), {
      kind: "stdio",
    });
    expect(reason).toContain("AIRBYTE_MCP_DOMAINS=registry,cloud");
    expect(reason).toContain("'local'");
  });

  test("excluded tools, destructive tools, trusted execution, client filesystem, HTTP", () => {
    expect(names({ MCP_EXCLUDE_TOOLS: `${registryRead.name},${cloudRead.name}` })).not.toContain(
      cloudRead.name,
    );
    expect(names({ MCP_NO_DESTRUCTIVE_TOOLS: "1" })).not.toContain(cloudDelete.name);
    const untrusted = names({ AIRBYTE_MCP_TRUSTED_EXECUTION: "0" });
    expect(untrusted).not.toContain(localRead.name);
    expect(untrusted).toContain(registryRead.name);
    expect(names({ MCP_NO_CLIENT_FILESYSTEM: "1" })).not.toContain(localRead.name);
    expect(names({}, "http")).not.toContain(localRead.name);
    expect(
      hiddenReason(localRead, settings({ AIRBYTE_MCP_TRUSTED_EXECUTION: "0" }), { kind: "cli" }),
    ).toContain("AIRBYTE_MCP_TRUSTED_EXECUTION=0");
  });

  test("every reason names the setting that hides the tool", () => {
    const cases: [Record<string, string>, string][] = [
      [{ MCP_EXCLUDE_TOOLS: cloudDelete.name }, "MCP_EXCLUDE_TOOLS"],
      [{ AIRBYTE_MCP_DOMAINS_DISABLED: "cloud" }, "AIRBYTE_MCP_DOMAINS_DISABLED"],
      [{ MCP_EXCLUDE_MODULES: "cloud" }, "MCP_EXCLUDE_MODULES"],
      [{ AIRBYTE_CLOUD_MCP_READONLY_MODE: "1" }, "AIRBYTE_CLOUD_MCP_READONLY_MODE"],
      [{ MCP_READONLY_MODE: "true" }, "MCP_READONLY_MODE"],
      [{ MCP_NO_DESTRUCTIVE_TOOLS: "1" }, "MCP_NO_DESTRUCTIVE_TOOLS"],
    ];
    for (const [env, variable] of cases) {
      expect(hiddenReason(cloudDelete, settings(env), { kind: "stdio" })).toContain(variable);
    }
  });
});
