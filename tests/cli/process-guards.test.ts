// Process-wide guards of the real CLI: console output never reaches stdout and is masked; a
// rejection nobody awaited is logged masked and fails the command.

import { expect, test } from "bun:test";
import { join } from "node:path";
import { cleanEnv, tempDir } from "../helpers/binary.ts";

test("console.* goes to stderr masked; an unhandled rejection is logged masked and exits 1", async () => {
  const dir = tempDir();
  try {
    const secret = "plain-named-secret-value";
    const proc = Bun.spawn(
      [
        process.execPath,
        join(import.meta.dir, "..", "fakes", "leaky-cli.ts"),
        "call",
        "leaky",
        "--json",
        '{"config": {"p": "secret_reference::PLAIN_SETTING"}}',
      ],
      // PLAIN_SETTING does not look secret: the reference alone makes it one.
      { env: cleanEnv(dir.path, { PLAIN_SETTING: secret }), stdout: "pipe", stderr: "pipe" },
    );
    const [code, stdout, stderr] = await Promise.all([
      proc.exited,
      new Response(proc.stdout).text(),
      new Response(proc.stderr).text(),
    ]);
    expect(JSON.parse(stdout)).toEqual({ ok: true });
    expect(stderr).toContain("log {");
    expect(stderr).toContain("unhandled rejection");
    expect(stderr).toContain("****");
    expect(stdout + stderr).not.toContain(secret);
    expect(code).toBe(1);
  } finally {
    dir.cleanup();
  }
});
