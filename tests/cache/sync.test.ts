// The sync into the embedded SQLite cache, through the real tool path: the fake connector runs as
// a real process (crashes included), the cache is a real SQLite file, and what the tables hold is
// read back with bun:sqlite and compared with what the source sent.

import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { runSourceFaker } from "../../src/connectors/builtin/source-faker.ts";
import type { AirbyteMessage } from "../../src/connectors/protocol.ts";
import { failed, fakeExecutable, type LocalHarness, localHarness, ok } from "../helpers/local.ts";
import { queryFile } from "../helpers/sqlite.ts";

let h: LocalHarness;
beforeEach(() => {
  h = localHarness({ FAKE_KEY: "fake-key-123456" });
});
afterEach(() => h.cleanup());

const dbPath = () => join(h.rt.settings.cacheRoot, "default_cache.sqlite");
const rows = <T = Record<string, unknown>>(sql: string) => queryFile<T>(dbPath(), sql);
const fake = (switches: string[], extra: Record<string, unknown> = {}) => ({
  source_connector_name: "source-fake",
  executable: fakeExecutable(...switches),
  config: { api_key: "secret_reference::FAKE_KEY" },
  streams: "*",
  ...extra,
});

describe("sync_source_to_cache into SQLite", () => {
  test("typed columns from the JSON schema, nested objects as JSON text, the three _airbyte columns", async () => {
    const r = ok(
      await h.call("sync_source_to_cache", {
        source_connector_name: "source-faker",
        config: { count: 50 },
        streams: "users,products",
      }),
    );
    expect(r.streams_selected_by).toBe("the streams asked for");
    const types = Object.fromEntries(
      rows<{ name: string; type: string }>("SELECT name, type FROM pragma_table_info('users')").map((c) => [
        c.name,
        c.type,
      ]),
    );
    expect(types).toMatchObject({
      id: "INTEGER",
      age: "INTEGER",
      name: "TEXT",
      created_at: "TEXT",
      address: "TEXT",
      _airbyte_raw_id: "TEXT",
      _airbyte_extracted_at: "TEXT",
      _airbyte_meta: "TEXT",
    });
    const price = rows<{ t: string }>("SELECT DISTINCT typeof(price) AS t FROM products");
    expect(price).toEqual([{ t: "real" }]);
    const [u] = rows<{ city: string; raw: string; meta: string; at: string }>(
      "SELECT json_extract(address, '$.city') AS city, _airbyte_raw_id AS raw, _airbyte_meta AS meta, _airbyte_extracted_at AS at FROM users WHERE id = 1",
    );
    expect(u?.city).toBeString();
    expect(u?.raw).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/); // UUIDv7
    expect(u?.meta).toBe("{}");
    expect(Number.isNaN(Date.parse(u?.at ?? ""))).toBe(false);
  });

  test("sync then SQL agrees with every record the source emits", async () => {
    const config = { count: 300, seed: 11, always_updated: false };
    ok(await h.call("sync_source_to_cache", { source_connector_name: "source-faker", config, streams: "*" }));
    for (const stream of ["users", "products", "purchases"]) {
      const expected: Record<string, unknown>[] = [];
      for await (const m of runSourceFaker({
        command: "read",
        config,
        catalog: {
          streams: [
            {
              stream: { name: stream, json_schema: {}, supported_sync_modes: ["full_refresh"] },
              sync_mode: "full_refresh",
              destination_sync_mode: "overwrite",
            },
          ],
        },
      }) as AsyncGenerator<AirbyteMessage>) {
        if (m.type === "RECORD") expected.push(m.record.data);
      }
      const got = (
        ok(
          await h.call("run_sql_query", {
            sql_query: `SELECT * FROM ${stream} ORDER BY id`,
            max_records: 1000,
          }),
        ).rows as Record<string, unknown>[]
      ).map(({ _airbyte_raw_id, _airbyte_extracted_at, _airbyte_meta, ...data }) =>
        "address" in data ? { ...data, address: JSON.parse(String(data.address)) } : data,
      );
      expect(got).toEqual(expected);
    }
  });

  test("incremental by default: the next sync resumes from the saved state", async () => {
    const first = ok(
      await h.call("sync_source_to_cache", fake(["--fake-records=20", "--fake-state-every=5"])),
    );
    expect(
      (first.streams as { records: number; state_saved: boolean }[]).map((s) => [s.records, s.state_saved]),
    ).toEqual([
      [20, true],
      [20, true],
    ]);
    const second = ok(
      await h.call("sync_source_to_cache", fake(["--fake-records=30", "--fake-state-every=5"])),
    );
    expect((second.streams as { records: number }[]).map((s) => s.records)).toEqual([10, 10]);
    expect(rows("SELECT count(*) AS n, count(DISTINCT id) AS d, max(id) AS m FROM users")).toEqual([
      { n: 30, d: 30, m: 29 },
    ]);
    const state = rows<{ stream_name: string; state_json: string }>(
      "SELECT stream_name, state_json FROM _airbyte_state ORDER BY stream_name",
    );
    expect(state.map((s) => [s.stream_name, JSON.parse(s.state_json).stream.stream_state])).toEqual([
      ["orders", { id: 29 }],
      ["users", { id: 29 }],
    ]);
  });

  test("a crash between batches keeps each stream as of its last committed state; the rerun loses and duplicates nothing", async () => {
    // Append, so a duplicate would show: merge would hide one behind the key.
    const crash = failed(
      await h.call(
        "sync_source_to_cache",
        fake(
          [
            "--fake-mode=crash-mid",
            "--fake-records=50",
            "--fake-state-every=6",
            "--fake-crash-at=33",
            "--fake-interleave=1",
          ],
          {
            write_strategy: "append",
          },
        ),
      ),
    );
    expect(crash).toContain("stopped");
    expect(crash).toContain("exited with code 139");
    expect(crash).toContain("run the sync again to continue");
    // 33 records alternated: users got ids 0..16, orders 0..15. The last clean point (both
    // streams' records covered by their states) is after users 0..11 and orders 0..11.
    const after = rows<{ s: string; n: number; m: number }>(
      "SELECT 'users' AS s, count(*) AS n, max(id) AS m FROM users UNION ALL SELECT 'orders', count(*), max(id) FROM orders",
    );
    const states = Object.fromEntries(
      rows<{ stream_name: string; state_json: string }>(
        "SELECT stream_name, state_json FROM _airbyte_state",
      ).map((s) => [s.stream_name, JSON.parse(s.state_json).stream.stream_state.id]),
    );
    for (const t of after) {
      // Exactly the records the saved state covers: nothing half-written.
      expect(t.m).toBe(states[t.s]);
      expect(t.n).toBe(t.m + 1);
    }
    expect(after.every((t) => t.n > 0 && t.n < 17)).toBe(true);

    const rerun = ok(
      await h.call(
        "sync_source_to_cache",
        fake(["--fake-records=50", "--fake-state-every=6", "--fake-interleave=1"], {
          write_strategy: "append",
        }),
      ),
    );
    expect((rerun.streams as { records: number }[]).map((s) => s.records)).toEqual(
      after.map((t) => 50 - t.n).reverse(),
    );
    for (const table of ["users", "orders"]) {
      expect(
        rows(`SELECT count(*) AS n, count(DISTINCT id) AS d, min(id) AS lo, max(id) AS hi FROM ${table}`),
      ).toEqual([{ n: 50, d: 50, lo: 0, hi: 49 }]);
    }
    expect(h.leftovers()).toEqual([]);
  });

  test("a cancelled sync rolls back to the last committed state", async () => {
    const abort = new AbortController();
    const pending = h.call(
      "sync_source_to_cache",
      fake(["--fake-mode=hang", "--fake-records=50", "--fake-state-every=1", "--fake-hang-stream=orders"], {
        streams: "orders",
      }),
      abort.signal,
    );
    await Bun.sleep(800);
    abort.abort();
    const message = failed(await pending);
    expect(message).toContain("stopped");
    // The hang comes after record 1, whose state was committed; nothing else.
    expect(rows("SELECT count(*) AS n FROM orders")).toEqual([{ n: 2 }]);
    expect(h.leftovers()).toEqual([]);
  });

  test("merge dedupes by primary key: a full refresh twice keeps one row per key, the latest", async () => {
    const args = fake(["--fake-records=15", "--fake-state-every=4"], {
      force_full_refresh: true,
      streams: "users",
    });
    ok(await h.call("sync_source_to_cache", args));
    const before = rows<{ id: number; r: string }>("SELECT id, _airbyte_raw_id AS r FROM users ORDER BY id");
    const again = ok(await h.call("sync_source_to_cache", args));
    expect((again.streams as { write_strategy: string; sync_mode: string }[])[0]).toMatchObject({
      write_strategy: "merge",
      sync_mode: "full_refresh",
    });
    const now = rows<{ id: number; r: string }>("SELECT id, _airbyte_raw_id AS r FROM users ORDER BY id");
    expect(now.map((x) => x.id)).toEqual(before.map((x) => x.id));
    expect(now.length).toBe(15);
    // Each row is the newer copy.
    expect(now.every((x, i) => x.r > (before[i] as { r: string }).r)).toBe(true);
  });

  test("schema evolution adds columns; undeclared keys get a column too; nothing fails", async () => {
    ok(await h.call("sync_source_to_cache", fake(["--fake-records=5"], { streams: "users" })));
    const evolved = ok(
      await h.call("sync_source_to_cache", {
        ...fake(["--fake-records=8", "--fake-extra-field=1", "--fake-undeclared=1"], { streams: "users" }),
      }),
    );
    expect((evolved.streams as { columns_added: string[] }[])[0]?.columns_added).toEqual([
      "email",
      "nickname",
    ]);
    const got = rows<{ id: number; email: string | null; nickname: string | null }>(
      "SELECT id, email, nickname FROM users ORDER BY id",
    );
    expect(got[0]).toEqual({ id: 0, email: null, nickname: null });
    expect(got[7]).toEqual({ id: 7, email: "users-7@example.com", nickname: "nick-7" });
    const listed = ok(await h.call("list_cached_streams", {}));
    const users = (listed.streams as { stream_name: string; columns: { name: string }[] }[]).find(
      (s) => s.stream_name === "users",
    );
    expect(users?.columns.map((c) => c.name)).toEqual(["id", "name", "score", "email", "nickname"]);
  });

  test("a value that does not fit its column is NULL, and _airbyte_meta says which field and why", async () => {
    const r = ok(
      await h.call(
        "sync_source_to_cache",
        fake(["--fake-records=3", "--fake-bad-value=1"], { streams: "users" }),
      ),
    );
    expect((r.streams as { values_nulled: number }[])[0]?.values_nulled).toBe(1);
    const [bad] = rows<{ score: number | null; meta: string }>(
      "SELECT score, _airbyte_meta AS meta FROM users WHERE id = 1",
    );
    expect(bad?.score).toBeNull();
    expect(JSON.parse(bad?.meta ?? "")).toEqual({
      changes: [{ field: "score", change: "NULLED", reason: "DESTINATION_SERIALIZATION_ERROR" }],
    });
    expect(rows("SELECT score FROM users WHERE id = 2")).toEqual([{ score: 20 }]);
  });

  test("an integer beyond 2^53 is stored with its exact digits (2^63-1 in an INTEGER column)", async () => {
    ok(
      await h.call(
        "sync_source_to_cache",
        fake(["--fake-records=3", "--fake-big-value=1"], { streams: "users" }),
      ),
    );
    expect(
      rows("SELECT id, CAST(score AS TEXT) AS score, typeof(score) AS t FROM users ORDER BY id"),
    ).toEqual([
      { id: 0, score: "0", t: "integer" },
      { id: 1, score: "10", t: "integer" },
      { id: 2, score: "9223372036854775807", t: "integer" },
    ]);
  });

  test("replace: a stopped sync leaves the previous table whole; a finished one swaps the new one in", async () => {
    ok(
      await h.call(
        "sync_source_to_cache",
        fake(["--fake-records=10"], { streams: "users", write_strategy: "replace" }),
      ),
    );
    failed(
      await h.call(
        "sync_source_to_cache",
        fake(["--fake-mode=crash-mid", "--fake-records=40", "--fake-crash-at=30"], {
          streams: "users",
          write_strategy: "replace",
        }),
      ),
    );
    expect(rows("SELECT count(*) AS n FROM users")).toEqual([{ n: 10 }]);
    expect(rows("SELECT name FROM sqlite_master WHERE name LIKE '_airbyte_tmp%'")).toEqual([]);
    ok(
      await h.call(
        "sync_source_to_cache",
        fake(["--fake-records=4"], { streams: "users", write_strategy: "replace" }),
      ),
    );
    expect(rows("SELECT count(*) AS n FROM users")).toEqual([{ n: 4 }]);
  });

  test("tables are normalised names; two sources with the same stream get two tables, and the mapping is kept", async () => {
    ok(await h.call("sync_source_to_cache", fake(["--fake-records=3"], { streams: "users" })));
    ok(
      await h.call("sync_source_to_cache", {
        source_connector_name: "source-faker",
        config: { count: 4 },
        streams: "users",
      }),
    );
    const listed = ok(await h.call("list_cached_streams", {})).streams as {
      source_name: string;
      table_name: string;
      record_count: number;
    }[];
    expect(listed.map((s) => [s.source_name, s.table_name, s.record_count])).toEqual([
      ["source-fake", "users", 3],
      ["source-faker", "users_2", 4],
    ]);
    const described = ok(await h.call("describe_default_cache", {}));
    expect(described).toMatchObject({
      cache_type: "SQLiteCache",
      cache_db_path: dbPath(),
      schema_name: "main",
      cached_streams: ["users", "users"],
    });
  });

  test("'suggested' takes the registry's suggested streams; a source outside the registry syncs every stream", async () => {
    const faker = ok(
      await h.call("sync_source_to_cache", { source_connector_name: "source-faker", config: { count: 2 } }),
    );
    expect(faker.streams_selected_by).toMatch(/suggested streams|not in the registry/);
    const custom = ok(
      await h.call("sync_source_to_cache", { ...fake(["--fake-records=2"]), streams: "suggested" }),
    );
    expect(custom.streams_selected_by).toBe("every stream (source-fake is not in the registry)");
    expect((custom.streams as unknown[]).length).toBe(2);
  });

  test("two syncs at once into one cache take turns, and both land whole", async () => {
    const [a, b] = await Promise.all([
      h.call(
        "sync_source_to_cache",
        fake(["--fake-records=300", "--fake-state-every=10", "--fake-interleave=1"]),
      ),
      h.call("sync_source_to_cache", {
        source_connector_name: "source-faker",
        config: { count: 3000 },
        streams: "*",
      }),
    ]);
    expect(ok(a).records).toBe(600);
    expect(ok(b).records).toBe(6100);
    // Whichever started first took 'users'; the other got 'users_2'.
    const tables = rows<{ source_name: string; table_name: string }>(
      "SELECT source_name, table_name FROM _airbyte_streams WHERE stream_name = 'users'",
    );
    const table = (source: string) => tables.find((t) => t.source_name === source)?.table_name;
    expect(new Set(tables.map((t) => t.table_name))).toEqual(new Set(["users", "users_2"]));
    expect(rows(`SELECT count(*) AS n FROM ${table("source-fake")}`)).toEqual([{ n: 300 }]);
    expect(rows(`SELECT count(*) AS n FROM ${table("source-faker")}`)).toEqual([{ n: 3000 }]);
    expect(rows("SELECT count(*) AS n FROM purchases")).toEqual([{ n: 3000 }]);
  });

  test("an unknown stream is a clear error that creates nothing", async () => {
    expect(failed(await h.call("sync_source_to_cache", fake([], { streams: "userz" })))).toContain(
      "Closest: users",
    );
    const listed = ok(await h.call("list_cached_streams", {}));
    expect(listed.streams).toEqual([]);
    expect(listed.note).toContain("empty");
  });
});
