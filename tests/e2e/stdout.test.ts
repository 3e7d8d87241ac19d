// Every byte the stdio server writes to stdout must be a JSON-RPC message: anything else breaks clients.

import { describe, expect, test } from "bun:test";
import { binaryPath, cleanEnv, e2eFixture } from "../helpers/binary.ts";
import { connect, ERAS } from "../helpers/mcp-client.ts";

const { dir, env } = e2eFixture("API_TOKEN=tok_0123456789\n");

function expectOnlyJsonRpc(raw: string): number {
  expect(raw.endsWith("\n")).toBe(true);
  const lines = raw.slice(0, -1).split("\n");
  for (const line of lines) {
    const message = JSON.parse(line) as Record<string, unknown>;
    expect(message.jsonrpc).toBe("2.0");
    expect("result" in message || "error" in message || "method" in message).toBe(true);
  }
  return lines.length;
}

describe.each(ERAS)("stdout purity, protocol %s", (era) => {
  test("stdout carries only JSON-RPC through success, error and refusal paths with debug logging on", async () => {
    const s = await connect(
      era,
      env({
        AIRBYTE_MCP_LOG_LEVEL: "debug",
        MCP_EXCLUDE_TOOLS: "list_dotenv_secrets",
      }),
    );
    await s.client.listTools();
    await s.client.callTool({ name: "list_dotenv_secrets", arguments: {} });
    await s.client.callTool({ name: "list_dotenv_secrets", arguments: { bad: 1 } });
    await s.client.callTool({ name: "no_such_tool", arguments: {} }).catch(() => undefined);
    await s.client.readResource({ uri: "airbyte-mcp://server/info" });
    await s.client.readResource({ uri: "airbyte-mcp://nope" }).catch(() => undefined);
    await s.client.getPrompt({ name: "test-my-tools", arguments: {} });
    await s.close();
    expect(expectOnlyJsonRpc(s.transport.rawStdout)).toBeGreaterThanOrEqual(7);
    // The logs went to stderr instead.
    expect(s.transport.rawStderr).toContain("airbyte-mcp debug:");
  });
});

test("garbage on stdin is answered on stdout with JSON-RPC only", async () => {
  const bin = await binaryPath();
  const proc = Bun.spawn([bin], {
    env: cleanEnv(dir),
    cwd: dir,
    stdin: "pipe",
    stdout: "pipe",
    stderr: "pipe",
  });
  proc.stdin.write("this is not json\n");
  proc.stdin.write('{"jsonrpc":"2.0","id":1,"method":"no/such/method","params":{}}\n');
  proc.stdin.write(
    `${JSON.stringify({
      jsonrpc: "2.0",
      id: 2,
      method: "initialize",
      params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "raw", version: "1" } },
    })}\n`,
  );
  proc.stdin.write('{"jsonrpc":"2.0","method":"notifications/initialized"}\n');
  proc.stdin.write('{"jsonrpc":"2.0","id":3,"method":"tools/list","params":{}}\n');
  await proc.stdin.flush();
  // Wait for the answer to the last request, then close stdin: the server exits on EOF.
  const reader = proc.stdout.getReader();
  let raw = "";
  while (!raw.includes('"id":3')) {
    const { value, done } = await reader.read();
    if (done) break;
    raw += new TextDecoder().decode(value);
  }
  proc.stdin.end();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    raw += new TextDecoder().decode(value);
  }
  expect(await proc.exited).toBe(0);
  expect(expectOnlyJsonRpc(raw)).toBeGreaterThanOrEqual(2);
  expect(raw).toContain("list_dotenv_secrets");
});
