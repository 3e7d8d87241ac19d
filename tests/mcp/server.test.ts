// The MCP front-end in-process (both eras, over an in-memory link), with tools that fail and leak
// on purpose: refusals, error results and redaction follow the same path as in the CLI.

import { afterAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Client, InMemoryTransport } from "@modelcontextprotocol/client";
import { serveStdio } from "@modelcontextprotocol/server/stdio";
import { createRuntime } from "../../src/core/runtime.ts";
import { createMcpServer } from "../../src/mcp/server.ts";
import { tempDir } from "../helpers/binary.ts";
import { ERAS, type Era } from "../helpers/mcp-client.ts";
import { TEST_TOOLS } from "../helpers/tools.ts";

const dir = tempDir();
afterAll(() => dir.cleanup());
const SECRET = "mcp-canary-5ecret-value";
const envFile = join(dir.path, "secrets.env");
writeFileSync(envFile, `CANARY=${SECRET}\n`);

async function session(era: Era, env: Record<string, string> = {}) {
  const logs: string[] = [];
  const rt = createRuntime({
    env: { HOME: dir.path, AIRBYTE_PROJECT_DIR: dir.path, AIRBYTE_MCP_ENV_FILE: envFile, ...env },
    tools: TEST_TOOLS,
    writeLog: (l) => logs.push(l),
  });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const handle = serveStdio(() => createMcpServer(rt, { kind: "stdio" }), { transport: serverSide });
  const client = new Client(
    { name: "t", version: "1" },
    { versionNegotiation: { mode: era === "2025-11-25" ? "legacy" : { pin: era } } },
  );
  await client.connect(clientSide);
  return {
    client,
    logs,
    close: async () => {
      await client.close();
      await handle.close();
    },
  };
}
const textOf = (r: { content?: unknown }) => (r.content as { text: string }[])[0]?.text ?? "";

describe.each(ERAS)("MCP front-end, protocol %s", (era) => {
  test("read-only mode: listed tools and a refused call", async () => {
    const s = await session(era, { AIRBYTE_CLOUD_MCP_READONLY_MODE: "1" });
    try {
      expect(s.client.getNegotiatedProtocolVersion()).toBe(era);
      const names = (await s.client.listTools()).tools.map((t) => t.name);
      expect(names).toContain("t_cloud_sync");
      expect(names).toContain("t_cloud_read");
      expect(names).not.toContain("t_cloud_write");
      const refused = await s.client.callTool({ name: "t_cloud_write", arguments: {} });
      expect(refused.isError).toBe(true);
      expect(textOf(refused)).toContain("AIRBYTE_CLOUD_MCP_READONLY_MODE");
    } finally {
      await s.close();
    }
  });

  test("results, failures and logs are masked", async () => {
    const s = await session(era, { AIRBYTE_MCP_LOG_LEVEL: "debug" });
    try {
      const ok = await s.client.callTool({
        name: "t_probe",
        arguments: { config: { k: "secret_reference::CANARY" } },
      });
      expect(ok.structuredContent).toEqual({ config: { k: "****" } });
      expect(textOf(ok)).toBe('{"config":{"k":"****"}}');
      for (const flag of ["fail", "crash"]) {
        const bad = await s.client.callTool({
          name: "t_probe",
          arguments: { config: { k: "secret_reference::CANARY" }, [flag]: true },
        });
        expect(bad.isError).toBe(true);
        expect(textOf(bad)).not.toContain(SECRET);
        expect(textOf(bad)).toContain("****");
      }
      const invalid = await s.client.callTool({ name: "t_probe", arguments: { [SECRET]: 1 } });
      expect(textOf(invalid)).toContain("unknown parameter '****'");
      await expect(s.client.callTool({ name: SECRET, arguments: {} })).rejects.toThrow(
        /Unknown tool '\*\*\*\*'/,
      );
      expect(s.logs.join("")).toContain("****");
      expect(s.logs.join("")).not.toContain(SECRET);
    } finally {
      await s.close();
    }
  });
});
