// The cache through the compiled binary: the README's main job (sync the built-in source-faker,
// then query it), a sync killed with SIGKILL mid-way and rerun (nothing lost, nothing
// duplicated), and progress notifications over MCP in both protocol eras.

import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { binaryPath, e2eFixture, runBinary } from "../helpers/binary.ts";
import { connect, ERAS } from "../helpers/mcp-client.ts";
import { queryFile } from "../helpers/sqlite.ts";

const fx = e2eFixture("UNUSED=1\n");
const dbFile = (project: string) => join(project, ".cache", "default_cache.sqlite");

describe("cache through the CLI", () => {
  test("sync source-faker, then sql: the README's main job, offline and with no Docker", async () => {
    const env = fx.env({ AIRBYTE_PROJECT_DIR: join(fx.dir, "readme") });
    const sync = await runBinary(["sync", "source-faker", "--config", '{"count": 1000}'], { env });
    expect(sync.stderr).toBe("");
    expect(sync.code).toBe(0);
    const r = JSON.parse(sync.stdout);
    expect(r.records).toBe(2100); // users 1000, products 100, purchases 1000
    expect(r.executor.kind).toBe("builtin");
    const sql = await runBinary(
      ["sql", "SELECT count(*) AS users, count(DISTINCT email) AS emails FROM users"],
      { env },
    );
    expect(sql.code).toBe(0);
    expect(JSON.parse(sql.stdout).rows).toEqual([{ users: 1000, emails: 1000 }]);
    const refused = await runBinary(["sql", "DELETE FROM users"], { env });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("refused");
    const usage = await runBinary(["sync", "source-faker", "--config", "{nope"], { env });
    expect(usage.code).toBe(2);
  });

  test("a sync killed with SIGKILL mid-way loses nothing and duplicates nothing on rerun", async () => {
    const project = join(fx.dir, "killed");
    const env = fx.env({ AIRBYTE_PROJECT_DIR: project });
    // Append, so a record written twice would show; the cursor is fixed so a rerun resumes exactly.
    const config = JSON.stringify({ count: 400_000, always_updated: false, records_per_slice: 500 });
    const args = [
      "sync",
      "source-faker",
      "--config",
      config,
      "--streams",
      "purchases",
      "--write-strategy",
      "append",
    ];
    const proc = Bun.spawn([await binaryPath(), ...args], {
      env,
      cwd: fx.dir,
      stdout: "ignore",
      stderr: "ignore",
    });
    // Kill once some commits are in (the file has rows), well before the end.
    let committed = 0;
    for (let i = 0; i < 200 && committed === 0; i++) {
      await Bun.sleep(25);
      try {
        committed =
          queryFile<{ n: number }>(dbFile(project), "SELECT count(*) AS n FROM purchases")[0]?.n ?? 0;
      } catch {
        // Not created yet.
      }
    }
    proc.kill("SIGKILL");
    await proc.exited;
    const file = dbFile(project);
    const [after] = queryFile<{ n: number; m: number }>(
      file,
      "SELECT count(*) AS n, max(id) AS m FROM purchases",
    );
    const [state] = queryFile<{ state_json: string }>(
      file,
      "SELECT state_json FROM _airbyte_state WHERE stream_name = 'purchases'",
    );
    const cursor = JSON.parse(state?.state_json ?? "{}").stream.stream_state.updated_at;
    const [latest] = queryFile<{ u: string }>(file, "SELECT max(updated_at) AS u FROM purchases");
    if (!after || !latest) throw new Error("the cache has no purchases table");
    expect(after.n).toBeGreaterThan(0);
    expect(after.n).toBeLessThan(400_000);
    expect(after.n % 500).toBe(0); // whole slices only: records and their state commit together
    expect(after.m).toBe(after.n);
    expect(latest.u).toBe(cursor);

    const rerun = await runBinary(args, { env });
    expect(rerun.code).toBe(0);
    expect(JSON.parse(rerun.stdout).records).toBe(400_000 - after.n);
    expect(
      queryFile(file, "SELECT count(*) AS n, count(DISTINCT id) AS d, max(id) AS m FROM purchases"),
    ).toEqual([{ n: 400_000, d: 400_000, m: 400_000 }]);
  }, 60_000);
});

describe.each(ERAS)("sync over MCP stdio, protocol %s", (era) => {
  test("progress notifications while it runs, when the client asks for them", async () => {
    const s = await connect(era, fx.env({ AIRBYTE_PROJECT_DIR: join(fx.dir, `mcp-${era}`) }));
    try {
      const seen: { progress: number; message?: string }[] = [];
      const result = await s.client.callTool(
        {
          name: "sync_source_to_cache",
          arguments: { source_connector_name: "source-faker", config: { count: 300_000 }, streams: "users" },
        },
        { onprogress: (p: { progress: number; message?: string }) => seen.push(p) },
      );
      expect(result.isError).toBeFalsy();
      expect((result.structuredContent as { records: number }).records).toBe(300_000);
      expect(seen.length).toBeGreaterThan(0);
      for (let i = 1; i < seen.length; i++) {
        expect((seen[i] as { progress: number }).progress).toBeGreaterThan(
          (seen[i - 1] as { progress: number }).progress,
        );
      }
      expect(seen[0]?.message).toContain("users:");
      const q = await s.client.callTool({
        name: "run_sql_query",
        arguments: { sql_query: "SELECT count(*) AS n FROM users" },
      });
      expect((q.structuredContent as { rows: unknown[] }).rows).toEqual([{ n: 300_000 }]);
    } finally {
      await s.close();
    }
  }, 60_000);
});
