// The local connector tools in the compiled binary: over MCP stdio in both eras (a read from the
// built-in source-faker; a cancelled read whose connector process tree must die), and through the
// CLI with its exit codes. The fake connector program runs as a real child of the binary.

import { describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { aliveAfter, e2eFixture, runBinary } from "../helpers/binary.ts";
import { fakeExecutable } from "../helpers/local.ts";
import { connect, ERAS } from "../helpers/mcp-client.ts";

const SECRET = "fake-key-e2e-5c1d9b7a";
const fx = e2eFixture(`FAKE_API_KEY=${SECRET}\n`);
const tempLeft = () => {
  const tmp = join(fx.dir, "project", ".tmp");
  return existsSync(tmp) ? readdirSync(tmp) : [];
};

describe.each(ERAS)("local tools over MCP stdio, protocol %s", (era) => {
  test("reads source-faker records built in", async () => {
    const s = await connect(era, fx.env());
    try {
      const result = await s.client.callTool({
        name: "read_source_stream_records",
        arguments: { source_connector_name: "source-faker", stream_name: "products", max_records: 4 },
      });
      expect(result.isError).toBeFalsy();
      const r = result.structuredContent as { records: { id: number }[]; executor: { kind: string } };
      expect(r.records.map((x) => x.id)).toEqual([1, 2, 3, 4]);
      expect(r.executor.kind).toBe("builtin");
    } finally {
      await s.close();
    }
  });

  test("a cancelled call stops the connector's process tree and leaves no temp files", async () => {
    const s = await connect(era, fx.env());
    const pidFile = join(fx.dir, `grandchild-${era}.pid`);
    try {
      const abort = new AbortController();
      const pending = s.client.callTool(
        {
          name: "read_source_stream_records",
          arguments: {
            source_connector_name: "source-fake",
            stream_name: "users",
            executable: fakeExecutable("--fake-mode=hang", `--fake-child-pid-file=${pidFile}`),
            config: { api_key: "secret_reference::FAKE_API_KEY" },
          },
        },
        { signal: abort.signal },
      );
      for (let i = 0; i < 100 && !existsSync(pidFile); i++) await Bun.sleep(50);
      expect(existsSync(pidFile)).toBe(true);
      abort.abort();
      await expect(pending).rejects.toThrow();
      const grandchild = Number(readFileSync(pidFile, "utf8"));
      expect(await aliveAfter(grandchild, 4000)).toBe(false);
      for (let i = 0; i < 40 && tempLeft().length > 0; i++) await Bun.sleep(50);
      expect(tempLeft()).toEqual([]);
      expect(s.transport.rawStdout).not.toContain(SECRET);
    } finally {
      await s.close();
    }
  }, 20_000);
});

describe("stopping the server", () => {
  test("SIGTERM stops the running connector's process tree and removes its files before exiting", async () => {
    const s = await connect("2025-11-25", fx.env());
    const pidFile = join(fx.dir, "grandchild-sigterm.pid");
    const pending = s.client
      .callTool({
        name: "read_source_stream_records",
        arguments: {
          source_connector_name: "source-fake",
          stream_name: "users",
          executable: fakeExecutable("--fake-mode=hang", `--fake-child-pid-file=${pidFile}`),
        },
      })
      .catch(() => null);
    for (let i = 0; i < 100 && !existsSync(pidFile); i++) await Bun.sleep(50);
    expect(existsSync(pidFile)).toBe(true);
    const server = s.transport.pid as number;
    process.kill(server, "SIGTERM");
    expect(await aliveAfter(server, 5000)).toBe(false);
    const grandchild = Number(readFileSync(pidFile, "utf8"));
    // Killed at once; reaping it (by init, as its parent is gone) can take a moment.
    expect(await aliveAfter(grandchild, 4000)).toBe(false);
    expect(s.transport.rawStderr).toContain("stopped 1 connector run(s)");
    expect(tempLeft()).toEqual([]);
    await pending;
    await s.close().catch(() => {});
  }, 20_000);
});

describe("local tools through the CLI", () => {
  test("a connector failure is exit code 1 with the masked message on stderr", async () => {
    const r = await runBinary(
      [
        "call",
        "read_source_stream_records",
        "--json",
        JSON.stringify({
          source_connector_name: "source-fake",
          stream_name: "users",
          executable: fakeExecutable("--fake-mode=trace-error"),
          config: { api_key: "secret_reference::FAKE_API_KEY" },
        }),
      ],
      { env: fx.env() },
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("Invalid API key");
    expect(r.stdout + r.stderr).not.toContain(SECRET);
  });

  test("the connector command is a protocol program: records on stdout, TRACE ERROR and exit 1 on failure", async () => {
    const ok = await runBinary(["connector", "source-faker", "spec"], { env: fx.env() });
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout).type).toBe("SPEC");
    const bad = await runBinary(["connector", "source-faker", "read", "--config", "/nonexistent.json"], {
      env: fx.env(),
    });
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout.trim()).trace.type).toBe("ERROR");
    expect((await runBinary(["connector", "source-nope", "spec"], { env: fx.env() })).code).toBe(2);
  });
});
