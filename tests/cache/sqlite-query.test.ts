// run_sql_query on the SQLite cache: every way of writing or reconfiguring the database is
// refused by SQLite's own verdicts (read-only file, sqlite3_stmt_readonly, the compiled program),
// the data and the directory are unchanged afterwards, and results are bounded.

import { Database } from "bun:sqlite";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { hasSecondStatement } from "../../src/cache/sqlite-query.ts";
import { failed, type LocalHarness, localHarness, ok } from "../helpers/local.ts";
import { queryFile } from "../helpers/sqlite.ts";

let h: LocalHarness;
let path: string;
const count = (sql: string) => queryFile(path, sql);

beforeAll(async () => {
  h = localHarness({ AIRBYTE_MCP_QUERY_TIMEOUT: "2", AIRBYTE_MCP_MAX_RESULT_BYTES: "20000" });
  ok(
    await h.call("sync_source_to_cache", {
      source_connector_name: "source-faker",
      config: { count: 200 },
      streams: "*",
    }),
  );
  path = join(h.rt.settings.cacheRoot, "default_cache.sqlite");
  // A view with an INSTEAD OF trigger: a write through it must be refused too.
  const db = new Database(path);
  db.exec(
    "CREATE VIEW v_users AS SELECT id, name FROM users; CREATE TRIGGER v_users_ins INSTEAD OF INSERT ON v_users BEGIN INSERT INTO users (id, name, _airbyte_raw_id, _airbyte_extracted_at, _airbyte_meta) VALUES (NEW.id, NEW.name, 'x', 'x', '{}'); END;",
  );
  db.close();
});
afterAll(() => h.cleanup());

const ATTACKS = [
  "DELETE FROM users",
  "UPDATE users SET name = 'x'",
  "INSERT INTO users (id, _airbyte_raw_id, _airbyte_extracted_at, _airbyte_meta) VALUES (9999, 'a', 'b', '{}')",
  "INSERT INTO users (id, _airbyte_raw_id, _airbyte_extracted_at, _airbyte_meta) VALUES (9999, 'a', 'b', '{}') RETURNING id",
  "WITH x AS (SELECT 1) DELETE FROM users",
  "REPLACE INTO products (id, _airbyte_raw_id, _airbyte_extracted_at, _airbyte_meta) VALUES (1, 'a', 'b', '{}')",
  "INSERT INTO v_users VALUES (5000, 'through a view')",
  "DROP TABLE users",
  "DROP VIEW v_users",
  "CREATE TABLE evil (a)",
  "CREATE TEMP TABLE evil (a)",
  "CREATE TEMP VIEW evil AS SELECT 1",
  "CREATE INDEX evil ON users (name)",
  "ALTER TABLE users ADD COLUMN evil TEXT",
  "ALTER TABLE users RENAME TO evil",
  "ATTACH DATABASE 'evil.sqlite' AS evil",
  "ATTACH DATABASE ':memory:' AS evil",
  "DETACH DATABASE main",
  "PRAGMA writable_schema = ON",
  "PRAGMA user_version = 42",
  "PRAGMA journal_mode = DELETE",
  "PRAGMA foreign_keys = ON",
  "PRAGMA wal_checkpoint(TRUNCATE)",
  "VACUUM",
  "VACUUM INTO 'evil-copy.sqlite'",
  "REINDEX",
  "ANALYZE",
  "BEGIN IMMEDIATE",
  "COMMIT",
  "SAVEPOINT evil",
  "SELECT load_extension('/usr/lib/evil.so')",
  "SELECT 1; DROP TABLE users",
  "SELECT 1; -- harmless\n DELETE FROM users",
];

describe("run_sql_query on the SQLite cache is read-only by construction", () => {
  test.each(ATTACKS)("refused: %s", async (sql) => {
    const message = failed(await h.call("run_sql_query", { sql_query: sql }));
    expect(message).toMatch(/refused|more than one statement|not valid SQL/);
    expect(message).toContain("read");
  });

  test("after every attack: the data, the schema and the directory are as they were", () => {
    expect(count("SELECT count(*) AS n FROM users")).toEqual([{ n: 200 }]);
    expect(count("SELECT count(*) AS n FROM products")).toEqual([{ n: 100 }]);
    expect(count("SELECT name FROM sqlite_master WHERE name LIKE 'evil%'")).toEqual([]);
    expect(count("PRAGMA user_version")).toEqual([{ user_version: 0 }]);
    expect(count("PRAGMA journal_mode")).toEqual([{ journal_mode: "wal" }]);
    const files = readdirSync(h.rt.settings.cacheRoot).filter((f) => f.includes("evil"));
    expect(files).toEqual([]);
    expect(existsSync(join(process.cwd(), "evil.sqlite"))).toBe(false);
  });

  test("reading works: joins, CTEs, window functions, JSON, reading pragma functions, EXPLAIN", async () => {
    const r = ok(
      await h.call("run_sql_query", {
        sql_query: `WITH spend AS (
            SELECT p.user_id, count(*) AS n FROM purchases p JOIN products pr ON pr.id = p.product_id GROUP BY p.user_id
          )
          SELECT u.id, json_extract(u.address, '$.country_code') AS cc, s.n, rank() OVER (ORDER BY s.n DESC, u.id) AS r
          FROM users u JOIN spend s ON s.user_id = u.id ORDER BY r LIMIT 3`,
      }),
    );
    expect(r.columns).toEqual(["id", "cc", "n", "r"]);
    expect((r.rows as { r: number; cc: string }[]).map((x) => [x.r, x.cc])).toEqual([
      [1, "US"],
      [2, "US"],
      [3, "US"],
    ]);
    const info = ok(
      await h.call("run_sql_query", { sql_query: "SELECT name, type FROM pragma_table_info('products')" }),
    );
    expect(info.rows).toContainEqual({ name: "price", type: "REAL" });
    const plan = ok(
      await h.call("run_sql_query", { sql_query: "EXPLAIN QUERY PLAN SELECT * FROM users WHERE id = 3" }),
    );
    expect(JSON.stringify(plan.rows)).toContain("users");
  });

  test("results are bounded by max_records and by the byte cap, and say so", async () => {
    const few = ok(
      await h.call("run_sql_query", { sql_query: "SELECT id FROM users ORDER BY id", max_records: 7 }),
    );
    expect(few.row_count).toBe(7);
    expect(few.truncated).toBe(true);
    expect(few.note).toContain("max_records");
    const all = ok(
      await h.call("run_sql_query", { sql_query: "SELECT id FROM users ORDER BY id", max_records: 200 }),
    );
    expect(all).toMatchObject({ row_count: 200, truncated: false, note: null });
    const wide = ok(await h.call("run_sql_query", { sql_query: "SELECT * FROM users" }));
    expect(wide.truncated).toBe(true);
    expect(wide.note).toContain("AIRBYTE_MCP_MAX_RESULT_BYTES");
    expect(JSON.stringify(wide.rows).length).toBeLessThanOrEqual(20_000);
  });

  test("values come back JSON-safe: big integers as strings, blobs as base64", async () => {
    const r = ok(
      await h.call("run_sql_query", {
        sql_query: "SELECT 9007199254740993 AS big, 42 AS small, x'00ff' AS blob, 1.5 AS real, NULL AS empty",
      }),
    );
    expect(r.rows).toEqual([{ big: "9007199254740993", small: 42, blob: "AP8=", real: 1.5, empty: null }]);
  });

  test("a query past AIRBYTE_MCP_QUERY_TIMEOUT is stopped, its process killed, and the server goes on", async () => {
    const started = performance.now();
    const message = failed(
      await h.call("run_sql_query", {
        sql_query: "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c",
      }),
    );
    expect(message).toContain("did not finish within 2 s");
    expect(performance.now() - started).toBeLessThan(10_000);
    const ps = Bun.spawnSync(["ps", "-eo", "args"]).stdout.toString();
    expect(ps).not.toContain("__sqlite-query");
    expect(ok(await h.call("run_sql_query", { sql_query: "SELECT 1 AS one" })).rows).toEqual([{ one: 1 }]);
  });

  test("a query that would need gigabytes of memory is stopped, not the server", async () => {
    for (const sql of [
      "SELECT zeroblob(900000000) AS z",
      "SELECT length(printf('%.*c', 900000000, 'x')) AS n",
    ]) {
      const message = failed(await h.call("run_sql_query", { sql_query: sql }));
      expect(message).toMatch(/memory|did not finish/i);
    }
  });

  // Another connection holding the file exclusively (a sync closing the cache checkpoints it;
  // here a writer in exclusive locking mode, which SQLite makes every other opener wait for).
  const holdLock = () => {
    const db = new Database(path, { readwrite: true });
    db.exec("PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE;");
    return () => {
      db.exec("COMMIT");
      db.close();
    };
  };

  test("a query waits for a lock another connection holds briefly, then answers", async () => {
    const release = holdLock();
    const timer = setTimeout(release, 400);
    try {
      const r = ok(await h.call("run_sql_query", { sql_query: "SELECT count(*) AS n FROM users" }));
      expect(r.rows).toEqual([{ n: 200 }]);
    } finally {
      clearTimeout(timer);
      try {
        release();
      } catch {
        // already released by the timer
      }
    }
  });

  test("a lock held for the whole query time is reported as such, not as bad SQL", async () => {
    const release = holdLock();
    try {
      const message = failed(await h.call("run_sql_query", { sql_query: "SELECT count(*) AS n FROM users" }));
      expect(message).toContain("locked by another connection");
      expect(message).toContain("Try the query again");
      expect(message).not.toContain("not valid SQL");
    } finally {
      release();
    }
    // And once the lock is gone, the same query answers.
    const r = ok(await h.call("run_sql_query", { sql_query: "SELECT count(*) AS n FROM users" }));
    expect(r.rows).toEqual([{ n: 200 }]);
  });

  test("a syntax error and a missing table are clear errors", async () => {
    expect(failed(await h.call("run_sql_query", { sql_query: "SELEC 1" }))).toContain("not valid SQL");
    expect(failed(await h.call("run_sql_query", { sql_query: "SELECT * FROM nope" }))).toContain(
      "no such table: nope",
    );
  });
});

test("an empty cache says to sync first, and creates no file", async () => {
  const empty = localHarness();
  try {
    expect(failed(await empty.call("run_sql_query", { sql_query: "SELECT 1" }))).toContain(
      "nothing has been synced",
    );
    expect(existsSync(join(empty.rt.settings.cacheRoot, "default_cache.sqlite"))).toBe(false);
    expect(ok(await empty.call("describe_default_cache", {})).cached_streams).toEqual([]);
  } finally {
    empty.cleanup();
  }
});

test("hasSecondStatement sees statements, not semicolons inside strings, names or comments", () => {
  expect(hasSecondStatement("SELECT ';' AS a")).toBe(false);
  expect(hasSecondStatement('SELECT 1 AS "x;y"')).toBe(false);
  expect(hasSecondStatement("SELECT 1 -- ; DROP TABLE t")).toBe(false);
  expect(hasSecondStatement("SELECT 1 /* ; */")).toBe(false);
  expect(hasSecondStatement("SELECT 1;")).toBe(false);
  expect(hasSecondStatement("SELECT 1; ; -- end")).toBe(false);
  expect(hasSecondStatement("SELECT 'it''s'; DELETE FROM t")).toBe(true);
  expect(hasSecondStatement("SELECT 1;DELETE FROM t")).toBe(true);
});
