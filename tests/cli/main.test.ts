// The CLI front-end in-process, over tools that fail and leak on purpose: exit codes and redaction.

import { afterAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../helpers/binary.ts";
import { runCliCaptured } from "../helpers/cli.ts";
import { TEST_TOOLS } from "../helpers/tools.ts";

const dir = tempDir();
afterAll(() => dir.cleanup());
const SECRET = "cli-canary-5ecret-value";
const envFile = join(dir.path, "secrets.env");
writeFileSync(envFile, `CANARY=${SECRET}\n`);

function cli(args: string[], extraEnv: Record<string, string> = {}, stdin = "") {
  const env = { HOME: dir.path, AIRBYTE_PROJECT_DIR: dir.path, AIRBYTE_MCP_ENV_FILE: envFile, ...extraEnv };
  return runCliCaptured(args, TEST_TOOLS, env, stdin);
}

describe("runCli", () => {
  test("exit 0 with the redacted structured result", async () => {
    const r = await cli(["call", "t_probe", "--json", '{"config":{"k":"secret_reference::CANARY"}}']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ config: { k: "****" } });
    expect(r.stdout + r.stderr).not.toContain(SECRET);
  });

  test("exit 1 when the tool fails, the message on stderr, masked", async () => {
    const r = await cli([
      "call",
      "t_probe",
      "--json",
      '{"config":{"k":"secret_reference::CANARY"},"fail":true}',
    ]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("the connector rejected");
    expect(r.stderr).toContain("Check the config.");
    expect(r.stderr).not.toContain(SECRET);
  });

  test("exit 1 on a crash, which says it is a bug", async () => {
    const r = await cli([
      "call",
      "t_probe",
      "--json",
      '{"config":{"k":"secret_reference::CANARY"},"crash":true}',
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("bug in airbyte-mcp");
    expect(r.stderr).not.toContain(SECRET);
  });

  test("exit 2 on invalid arguments, naming the field, with any echoed secret masked", async () => {
    const r = await cli(["call", "t_registry_read", "--json", JSON.stringify({ value: 3, [SECRET]: 1 })]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("'value'");
    expect(r.stderr).toContain("unknown parameter '****'");
    expect(r.stderr).not.toContain(SECRET);
  });

  test("usage errors that quote argv are masked as well", async () => {
    const r = await cli(["call", "t_probe", "--json", `{"config": ${SECRET}}`]);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toContain(SECRET);
    const unknown = await cli([SECRET]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command '****'");
  });

  test("arguments from stdin", async () => {
    const r = await cli(["call", "t_registry_read", "--json", "-"], {}, '{"value":"from stdin"}');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ echoed: "from stdin" });
  });

  test("a configuration error exits 2 before any tool runs", async () => {
    const r = await cli(["call", "t_registry_read"], { AIRBYTE_MCP_DOMAINS: "nope" });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("configuration error");
    expect(r.stdout).toBe("");
  });
});
