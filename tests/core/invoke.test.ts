import { afterAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { invokeTool } from "../../src/core/invoke.ts";
import { createRuntime } from "../../src/core/runtime.ts";
import { tempDir } from "../helpers/binary.ts";
import { TEST_TOOLS } from "../helpers/tools.ts";

const dir = tempDir();
afterAll(() => dir.cleanup());
const SECRET = "pa55word-of-the-canary";
const envFile = join(dir.path, "secrets.env");
writeFileSync(envFile, `DB_PASS=${SECRET}\n`);
const logs: string[] = [];

function runtime(env: Record<string, string> = {}) {
  return createRuntime({
    env: { HOME: dir.path, AIRBYTE_PROJECT_DIR: dir.path, AIRBYTE_MCP_ENV_FILE: envFile, ...env },
    tools: TEST_TOOLS,
    writeLog: (line) => logs.push(line),
  });
}
const call = (name: string, args: unknown, env?: Record<string, string>) => {
  const rt = runtime(env);
  return invokeTool(rt.tools, name, args, rt.context(), { kind: "stdio" });
};

describe("invokeTool", () => {
  test("validates, runs and returns the structured result with defaults applied", async () => {
    expect(await call("t_registry_read", {})).toEqual({ ok: true, result: { echoed: "x" } });
    expect(await call("t_registry_read", undefined)).toEqual({ ok: true, result: { echoed: "x" } });
  });

  test("an unknown tool suggests the closest names", async () => {
    const outcome = await call("t_registry_reed", {});
    expect(outcome).toMatchObject({ ok: false, kind: "unknown" });
    if (!outcome.ok) expect(outcome.message).toContain("Did you mean t_registry_read");
  });

  test("a hidden tool is refused with the setting that hides it", async () => {
    const outcome = await call("t_cloud_write", {}, { AIRBYTE_CLOUD_MCP_READONLY_MODE: "1" });
    expect(outcome).toMatchObject({ ok: false, kind: "hidden" });
    if (!outcome.ok) expect(outcome.message).toContain("AIRBYTE_CLOUD_MCP_READONLY_MODE");
  });

  test("invalid arguments name the bad field and the valid parameters", async () => {
    const wrongType = await call("t_registry_read", { value: 5 });
    expect(wrongType).toMatchObject({ ok: false, kind: "invalid" });
    if (!wrongType.ok) expect(wrongType.message).toContain("'value'");
    const unknown = await call("t_registry_read", { valeu: "a" });
    if (!unknown.ok) expect(unknown.message).toContain("unknown parameter 'valeu' (valid parameters: value)");
    const notObject = await call("t_registry_read", ["a"]);
    expect(notObject).toMatchObject({ ok: false, kind: "invalid" });
  });

  test("secret references resolve for the handler, and the value is masked on the way out", async () => {
    logs.length = 0;
    const outcome = await call("t_probe", { config: { password: "secret_reference::DB_PASS" } });
    expect(outcome).toEqual({ ok: true, result: { config: { password: "****" } } });
    expect(logs.join("")).toContain("****");
    expect(logs.join("")).not.toContain(SECRET);
  });

  test("tool failures and crashes are masked too; a crash says it is a bug", async () => {
    const failed = await call("t_probe", { config: { p: "secret_reference::DB_PASS" }, fail: true });
    expect(failed).toMatchObject({ ok: false, kind: "failed" });
    if (!failed.ok) {
      expect(failed.message).not.toContain(SECRET);
      expect(failed.message).toContain("Check the config.");
    }
    const crashed = await call("t_probe", { config: { p: "secret_reference::DB_PASS" }, crash: true });
    if (!crashed.ok) {
      expect(crashed.message).toContain("bug in airbyte-mcp");
      expect(crashed.message).not.toContain(SECRET);
    }
  });

  test("a result that breaks the output schema is an internal error, not a malformed answer", async () => {
    const outcome = await call("t_probe", { malformed: true });
    expect(outcome).toMatchObject({ ok: false, kind: "failed" });
    if (!outcome.ok) expect(outcome.message).toContain("malformed result");
  });

  test("an unknown secret reference is a tool failure naming the variable", async () => {
    const outcome = await call("t_probe", { config: { p: "secret_reference::NOPE_NOT_SET" } });
    expect(outcome).toMatchObject({ ok: false, kind: "failed" });
    if (!outcome.ok) expect(outcome.message).toContain("NOPE_NOT_SET");
  });
});
