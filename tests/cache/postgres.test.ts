// The PostgreSQL cache on a real server (tests/helpers/postgres.ts), through the real tools where
// the SQLite cache is tested the same way: sync, typed tables, incremental resume, merge by key,
// schema evolution, values that do not fit, the read-only query path, and no password anywhere.

import { afterEach, describe, expect, test } from "bun:test";
import { SQL } from "bun";
import { Cache } from "../../src/cache/cache.ts";
import { INVALID } from "../../src/cache/db.ts";
import { openPostgres, queryPostgres } from "../../src/cache/postgres.ts";
import { syncToCache } from "../../src/cache/sync.ts";
import { runSourceFaker } from "../../src/connectors/builtin/source-faker.ts";
import type { Executor } from "../../src/connectors/executor.ts";
import type { AirbyteMessage } from "../../src/connectors/protocol.ts";
import { failed, type LocalHarness, localHarness, ok } from "../helpers/local.ts";
import { usePostgres } from "../helpers/postgres.ts";

const pg = usePostgres();
const T = 60_000;

let schemas = 0;
const harnesses: LocalHarness[] = [];
/** Every result and error text a tool gave: none may hold the password. */
const seen: string[] = [];

/** A harness on a schema of its own. */
function harness(env: Record<string, string> = {}): LocalHarness & { schema: string } {
  const schema = `t${process.pid}_${++schemas}`;
  const h = localHarness({
    AIRBYTE_CACHE_URL: pg.server().url,
    AIRBYTE_CACHE_SCHEMA: schema,
    AIRBYTE_MCP_QUERY_TIMEOUT: "2",
    ...env,
  });
  const call: LocalHarness["call"] = async (name, input, signal) => {
    const outcome = await h.call(name, input, signal);
    seen.push(JSON.stringify(outcome));
    return outcome;
  };
  const wrapped = { ...h, call, schema };
  harnesses.push(wrapped);
  return wrapped;
}

afterEach(() => {
  for (const h of harnesses.splice(0)) h.cleanup();
});

const sync = (h: LocalHarness, config: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  h.call("sync_source_to_cache", {
    source_connector_name: "source-faker",
    config: { always_updated: false, ...config },
    streams: "*",
    ...extra,
  });

async function rows(h: LocalHarness, sql: string, max_records = 10_000): Promise<Record<string, unknown>[]> {
  const r = ok(await h.call("run_sql_query", { sql_query: sql, max_records }));
  return r.rows as Record<string, unknown>[];
}

/** What the built-in faker emits for a stream, read in full. */
async function fakerRecords(stream: string, config: Record<string, unknown>) {
  const out: Record<string, unknown>[] = [];
  const catalog = {
    streams: [
      {
        stream: { name: stream, json_schema: {}, supported_sync_modes: ["full_refresh" as const] },
        sync_mode: "full_refresh" as const,
        destination_sync_mode: "overwrite" as const,
      },
    ],
  };
  for await (const m of runSourceFaker({ command: "read", config, catalog })) {
    if (m.type === "RECORD") out.push(m.record.data);
  }
  return out;
}

/** A source that sends the given batches of messages, whatever it is asked. */
function scripted(...messages: AirbyteMessage[][]): Executor {
  return {
    info: { kind: "builtin", reason: "test", target: "scripted", version: null },
    prepare: async () => {},
    async *run() {
      for (const batch of messages) yield batch;
    },
  };
}

const record = (data: Record<string, unknown>): AirbyteMessage => ({
  type: "RECORD",
  record: { stream: "things", data, emitted_at: Date.UTC(2024, 0, 1) },
});

async function withDb<T>(schema: string, body: (cache: Cache) => Promise<T>): Promise<T> {
  const db = await openPostgres(pg.server().url, schema);
  try {
    const cache = new Cache(db, {
      cache_type: "PostgresCache",
      kind: "postgres",
      location: "test",
      schema_name: schema,
    });
    await cache.init();
    return await body(cache);
  } finally {
    await db.close();
  }
}

describe.skipIf(pg.skip)("PostgreSQL cache", () => {
  test(
    "a sync stores what the source emits, in typed columns, and the tools describe it",
    async () => {
      const h = harness();
      const report = ok(await sync(h, { count: 40 }));
      expect(report.records).toBe(40 + 100 + 40);
      expect(report.cache).toEqual({
        cache_type: "PostgresCache",
        location: expect.stringMatching(/^postgres:\/\/127\.0\.0\.1:\d+\/cache_db$/),
        schema_name: h.schema,
      });

      const expected = await fakerRecords("users", { count: 40, always_updated: false });
      const stored = await rows(h, "SELECT * FROM users ORDER BY id");
      expect(stored.length).toBe(40);
      for (const [i, want] of expected.entries()) {
        const got = stored[i] as Record<string, unknown>;
        for (const [key, value] of Object.entries(want)) expect([key, got[key]]).toEqual([key, value]);
        expect(got._airbyte_meta).toEqual({});
      }
      const products = await rows(h, "SELECT id, price, year FROM products ORDER BY id");
      const wantProducts = await fakerRecords("products", { count: 40, always_updated: false });
      expect(products).toEqual(wantProducts.map((p) => ({ id: p.id, price: p.price, year: p.year })));

      const types = await rows(
        h,
        "SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name IN ('users', 'products')",
      );
      const typeOf = (table: string, column: string) =>
        types.find((t) => t.table_name === table && t.column_name === column)?.data_type;
      expect(typeOf("users", "id")).toBe("bigint");
      expect(typeOf("users", "name")).toBe("text");
      expect(typeOf("users", "created_at")).toBe("timestamp with time zone");
      expect(typeOf("users", "address")).toBe("jsonb");
      expect(typeOf("products", "price")).toBe("double precision");
      expect(typeOf("users", "_airbyte_extracted_at")).toBe("timestamp with time zone");
      expect(typeOf("users", "_airbyte_meta")).toBe("jsonb");
      // JSON columns are queried with PostgreSQL's operators.
      const [json] = await rows(
        h,
        "SELECT address->>'city' AS city, jsonb_typeof(address) AS a, jsonb_typeof(_airbyte_meta) AS m FROM users WHERE id = 1",
      );
      expect(json).toEqual({
        city: (expected[0]?.address as { city: string } | undefined)?.city,
        a: "object",
        m: "object",
      });

      const list = ok(await h.call("list_cached_streams", {}));
      const streams = list.streams as { stream_name: string; record_count: number; schema_name: string }[];
      expect(streams.map((s) => [s.stream_name, s.record_count, s.schema_name])).toEqual([
        ["products", 100, h.schema],
        ["purchases", 40, h.schema],
        ["users", 40, h.schema],
      ]);
      const described = ok(await h.call("describe_default_cache", {}));
      expect(described.cache_type).toBe("PostgresCache");
      expect(described.cache_db_path).toBeNull();
      expect(described.schema_name).toBe(h.schema);
      expect(described.cached_streams).toEqual(["products", "purchases", "users"]);
    },
    T,
  );

  test(
    "incremental syncs resume after the saved cursor, and a full refresh merges by key",
    async () => {
      const h = harness();
      expect(ok(await sync(h, { count: 20 })).records).toBe(140);
      const again = ok(await sync(h, { count: 20 }));
      expect(again.records).toBe(0);
      const more = ok(await sync(h, { count: 30 }));
      const users = (more.streams as { stream_name: string; records: number; sync_mode: string }[]).find(
        (s) => s.stream_name === "users",
      );
      expect(users).toMatchObject({ records: 10, sync_mode: "incremental" });
      const ids = (await rows(h, "SELECT id FROM users ORDER BY id")).map((r) => r.id);
      expect(ids).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));

      for (let i = 0; i < 2; i++) ok(await sync(h, { count: 30 }, { force_full_refresh: true }));
      const [counts] = await rows(h, "SELECT COUNT(*) AS n, COUNT(DISTINCT id) AS ids FROM users");
      expect(counts).toEqual({ n: 30, ids: 30 });
    },
    T,
  );

  test(
    "two syncs of one schema at once take turns and agree on the tables",
    async () => {
      const h = harness();
      const [a, b] = await Promise.all([
        sync(h, { count: 50, records_per_slice: 10 }),
        sync(h, { count: 50, records_per_slice: 10 }, { force_full_refresh: true }),
      ]);
      ok(a);
      ok(b);
      const tables = await rows(
        h,
        "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY 1",
      );
      expect(tables.map((t) => t.table_name)).toEqual([
        "_airbyte_state",
        "_airbyte_streams",
        "products",
        "purchases",
        "users",
      ]);
      expect(await rows(h, "SELECT COUNT(*) AS n, COUNT(DISTINCT id) AS ids FROM users")).toEqual([
        { n: 50, ids: 50 },
      ]);
    },
    T,
  );

  test(
    "a later schema adds columns, and a value that does not fit is NULL with a note in _airbyte_meta",
    async () => {
      const schema = `t${process.pid}_${++schemas}`;
      const stream = (properties: Record<string, unknown>) => ({
        name: "things",
        json_schema: { type: "object", properties },
        supported_sync_modes: ["full_refresh" as const, "incremental" as const],
        source_defined_primary_key: [["id"]],
      });
      const base = {
        id: { type: "integer" },
        at: { type: "string", format: "date-time" },
        day: { type: "string", format: "date" },
        n: { type: "integer" },
        ok: { type: "boolean" },
        s: { type: "string" },
      };
      const first = await withDb(schema, (cache) =>
        syncToCache(cache, {
          source: "test-source",
          executor: scripted([
            record({ id: 1, at: "2024-01-02T03:04:05Z", day: "2024-02-29", n: 5, ok: true, s: "a" }),
            // Each of these PostgreSQL would refuse, and would fail the whole INSERT.
            record({ id: 2, at: "2024-02-30T00:00:00Z", day: "yesterday", n: 1e20, ok: "yes", s: "a\0b" }),
            record({ id: 3, at: "2024-01-02T25:00:00Z", day: "2023-02-29", n: 1.5, ok: false, s: "c" }),
          ]),
          config: {},
          streams: [stream(base)],
          strategy: "auto",
          fullRefresh: false,
          signal: new AbortController().signal,
        }),
      );
      expect(first.streams[0]).toMatchObject({ records: 3, values_nulled: 8, write_strategy: "merge" });

      const second = await withDb(schema, (cache) =>
        syncToCache(cache, {
          source: "test-source",
          executor: scripted([
            record({ id: 3, at: "2024-01-03T00:00:00+02:00", n: 7, extra: "declared" }),
            record({ id: 4, surprise: { nested: true } }),
          ]),
          config: {},
          streams: [stream({ ...base, extra: { type: "string" } })],
          strategy: "auto",
          fullRefresh: false,
          signal: new AbortController().signal,
        }),
      );
      expect(second.streams[0]?.columns_added).toEqual(["extra", "surprise"]);

      const h = harness({ AIRBYTE_CACHE_SCHEMA: schema });
      const got = await rows(
        h,
        "SELECT id, at, day, n, ok, s, extra, surprise, _airbyte_meta AS meta FROM things ORDER BY id",
      );
      const nulled = (meta: unknown) =>
        ((meta as { changes?: { field: string; change: string }[] }).changes ?? [])
          .map((c) => c.field)
          .sort();
      expect(got[0]).toMatchObject({
        id: 1,
        at: "2024-01-02T03:04:05.000Z",
        day: "2024-02-29",
        n: 5,
        ok: true,
      });
      expect(got[1]).toMatchObject({ id: 2, at: null, day: null, n: null, ok: null, s: null });
      expect(nulled(got[1]?.meta)).toEqual(["at", "day", "n", "ok", "s"]);
      // Merged by id: the second sync's row 3 replaced the first's.
      expect(got[2]).toMatchObject({ id: 3, at: "2024-01-02T22:00:00.000Z", n: 7, extra: "declared" });
      expect(got[2]?.meta).toEqual({});
      expect(got[3]).toMatchObject({ id: 4, surprise: { nested: true }, extra: null });
      const [type] = await rows(
        h,
        "SELECT data_type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'things' AND column_name = 'surprise'",
      );
      expect(type?.data_type).toBe("jsonb");
      // _airbyte_meta is real JSON: PostgreSQL's operators reach into it.
      const [changes] = await rows(
        h,
        "SELECT jsonb_array_length(_airbyte_meta->'changes') AS n, _airbyte_meta->'changes'->0->>'reason' AS reason FROM things WHERE id = 2",
      );
      expect(changes).toEqual({ n: 5, reason: "DESTINATION_SERIALIZATION_ERROR" });
    },
    T,
  );

  test("encode checks what PostgreSQL would refuse", async () => {
    const db = await openPostgres(pg.server().url, `t${process.pid}_${++schemas}`);
    try {
      const valid: [Parameters<typeof db.encode>[0], unknown][] = [
        ["timestamp_tz", "2024-01-01T00:00:00.123456Z"],
        ["timestamp_tz", "2024-01-01 10:00:00+05:30"],
        ["timestamp_tz", "2024-01-01T10:00+0530"],
        ["timestamp_tz", "2024-01-01"],
        ["timestamp_tz", "2024-12-31T24:00:00Z"],
        ["timestamp", "2024-01-01T10:00:00"],
        ["date", "2024-01-01"],
        ["date", "2024-01-01T10:00:00Z"],
        ["time", "10:11:12.5"],
        ["time", "10:11:12+02:00"],
        ["time", "24:00:00"],
      ];
      const invalid: [Parameters<typeof db.encode>[0], unknown][] = [
        ["timestamp_tz", "0000-01-01T00:00:00Z"],
        ["timestamp_tz", "2023-02-29T00:00:00Z"],
        ["timestamp_tz", "2024-01-01T10:00:00+16:00"],
        ["timestamp_tz", "2024-01-01T24:00:01Z"],
        ["timestamp_tz", "01/02/2024"],
        ["timestamp_tz", 1_700_000_000],
        ["date", "2024-13-01"],
        ["time", "10:60:00"],
        ["integer", 2 ** 63],
        ["integer", 1.5],
        ["string", "a\0b"],
        ["boolean", "yes"],
      ];
      for (const [kind, value] of valid)
        expect([kind, value, db.encode(kind, value)]).toEqual([kind, value, value]);
      for (const [kind, value] of invalid)
        expect([kind, value, db.encode(kind, value)]).toEqual([kind, value, INVALID]);
      expect(db.encode("boolean", "false")).toBe(false);
      expect(db.encode("integer", "42")).toBe(42);
      expect(db.encode("json", { a: [1] })).toBe('{"a":[1]}');
      // Each value this backend accepts, PostgreSQL does too.
      await db.run("CREATE TABLE v (tz TIMESTAMPTZ, ts TIMESTAMP, d DATE, tm TIME)");
      for (const [kind, value] of valid) {
        const column = { timestamp_tz: "tz", timestamp: "ts", date: "d", time: "tm" }[kind as string];
        await db.run(`INSERT INTO v (${column}) VALUES (?)`, [value]);
      }
    } finally {
      await db.close();
    }
  });

  test(
    "insertRows splits statements under the parameter limit and keeps the last row of a key",
    async () => {
      const db = await openPostgres(pg.server().url, `t${process.pid}_${++schemas}`);
      try {
        const columns = ["id", ...Array.from({ length: 99 }, (_, i) => `c${i}`)];
        await db.run(`CREATE TABLE wide (${columns.map((c) => `${c} BIGINT`).join(", ")})`);
        await db.run("CREATE UNIQUE INDEX wide_pk ON wide (id)");
        // 2,000 rows of 100 values: 200,000 parameters, and every key twice, far apart.
        const rows: unknown[][] = Array.from({ length: 2000 }, (_, i) => [
          i % 1000,
          ...columns.slice(1).map(() => i),
        ]);
        rows.push([null, ...columns.slice(1).map(() => -1)], [null, ...columns.slice(1).map(() => -2)]);
        await db.begin(new AbortController().signal);
        await db.insertRows("wide", columns, rows, { keys: ["id"], update: columns });
        await db.commit();
        const [r] = await db.all<{ n: string; keyed: string; c0: string }>(
          "SELECT COUNT(*) AS n, COUNT(id) AS keyed, MIN(c0) FILTER (WHERE id IS NOT NULL) AS c0 FROM wide",
        );
        expect(r).toEqual({ n: "1002", keyed: "1000", c0: "1000" });
      } finally {
        await db.close();
      }
    },
    T,
  );

  test(
    "writers take turns, a waiting writer can be stopped, and close rolls back",
    async () => {
      const schema = `t${process.pid}_${++schemas}`;
      const a = await openPostgres(pg.server().url, schema);
      const b = await openPostgres(pg.server().url, schema);
      try {
        await a.run("CREATE TABLE n (v BIGINT)");
        await a.begin(new AbortController().signal);
        await a.run("INSERT INTO n VALUES (1)");
        const started = performance.now();
        await expect(b.begin(AbortSignal.timeout(300))).rejects.toThrow();
        expect(performance.now() - started).toBeLessThan(2000);
        expect(b.inTransaction).toBe(false);
        const waiting = b.begin(new AbortController().signal);
        await Bun.sleep(100);
        await a.commit();
        await waiting;
        expect(await b.all("SELECT v FROM n")).toEqual([{ v: "1" }]);
        await b.run("INSERT INTO n VALUES (2)");
      } finally {
        await b.close();
      }
      // b closed inside its transaction: its row is gone.
      expect(await a.all("SELECT v FROM n")).toEqual([{ v: "1" }]);
      await a.close();
    },
    T,
  );

  test(
    "run_sql_query refuses every write, and the data is unchanged afterwards",
    async () => {
      const h = harness();
      ok(await sync(h, { count: 10 }));
      const admin = new SQL({ url: pg.server().url, max: 1 });
      await admin.unsafe(`CREATE SEQUENCE ${h.schema}.seq`);
      await admin.close();
      const before = await rows(h, "SELECT * FROM users ORDER BY id");
      const tables =
        "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY 1";
      const tablesBefore = await rows(h, tables);

      const attacks = [
        "INSERT INTO users (id) VALUES (999)",
        "UPDATE users SET name = 'x'",
        "DELETE FROM users",
        "DROP TABLE users",
        "CREATE TABLE evil (x int)",
        "CREATE TEMP TABLE evil (x int)",
        "TRUNCATE users",
        "SELECT 1; DROP TABLE users",
        "SELECT 1 AS a; DELETE FROM users",
        "EXPLAIN SELECT 1; DROP TABLE users",
        "EXPLAIN ANALYZE DELETE FROM users",
        "COMMIT; DROP TABLE users",
        "/* hi */ ROLLBACK; DROP TABLE users",
        "WITH gone AS (DELETE FROM users RETURNING id) SELECT * FROM gone",
        "SELECT nextval('seq')",
        "SELECT setval('seq', 100)",
        "SELECT * FROM users FOR UPDATE",
        "SELECT * INTO evil FROM users",
        "COPY users TO PROGRAM 'touch /tmp/airbyte-mcp-pwned'",
        "SELECT set_config('transaction_read_only', 'off', false)",
        "SET search_path TO public",
        "VACUUM users",
        "CALL nothing()",
      ];
      for (const sql of attacks) {
        const message = failed(await h.call("run_sql_query", { sql_query: sql }));
        expect([sql, message]).toEqual([sql, expect.stringMatching(/refused.*read-only/s)]);
      }

      // Session settings die with the query's connection.
      ok(await h.call("run_sql_query", { sql_query: "SELECT set_config('search_path', 'public', false)" }));
      ok(
        await h.call("run_sql_query", {
          sql_query: "SELECT set_config('default_transaction_read_only', 'off', false)",
        }),
      );
      const [path] = await rows(
        h,
        "SELECT current_setting('search_path') AS p, current_setting('default_transaction_read_only') AS ro",
      );
      expect(path).toEqual({ p: `"${h.schema}"`, ro: "on" });

      const slow = performance.now();
      const timeout = failed(await h.call("run_sql_query", { sql_query: "SELECT pg_sleep(30)" }));
      expect(timeout).toContain("did not finish within 2 s");
      expect(performance.now() - slow).toBeLessThan(10_000);

      expect(await rows(h, "SELECT * FROM users ORDER BY id")).toEqual(before);
      expect(await rows(h, tables)).toEqual(tablesBefore);
      const [seq] = await rows(h, "SELECT last_value, is_called FROM seq");
      expect(seq).toEqual({ last_value: 1, is_called: false });
      expect(await Bun.file("/tmp/airbyte-mcp-pwned").exists()).toBe(false);
    },
    T,
  );

  test(
    "queries are cut at max_records and at the byte cap, and say so",
    async () => {
      const h = harness({ AIRBYTE_MCP_MAX_RESULT_BYTES: "2000" });
      ok(await sync(h, { count: 30 }));
      const five = ok(
        await h.call("run_sql_query", { sql_query: "SELECT id FROM users ORDER BY id", max_records: 5 }),
      );
      expect(five).toMatchObject({ row_count: 5, truncated: true, columns: ["id"] });
      expect(five.note as string).toContain("max_records");
      const all = ok(await h.call("run_sql_query", { sql_query: "SELECT id FROM users", max_records: 30 }));
      expect(all).toMatchObject({ row_count: 30, truncated: false, note: null });
      const wide = ok(await h.call("run_sql_query", { sql_query: "SELECT * FROM users" }));
      expect(wide.truncated).toBe(true);
      expect(wide.note as string).toContain("capped at 2000 bytes");
      expect(JSON.stringify(wide.rows).length).toBeLessThanOrEqual(2000 + 30);
      const none = ok(await h.call("run_sql_query", { sql_query: "SELECT id, name FROM users WHERE false" }));
      expect(none).toMatchObject({ columns: ["id", "name"], row_count: 0, truncated: false });
      const explained = ok(await h.call("run_sql_query", { sql_query: "EXPLAIN SELECT * FROM users" }));
      expect(explained.columns).toEqual(["QUERY PLAN"]);
      expect(failed(await h.call("run_sql_query", { sql_query: "SELECT nope FROM users" }))).toContain(
        'column "nope" does not exist',
      );
    },
    T,
  );

  test("the URL's database is used even when PGDATABASE names another (Bun would prefer it)", async () => {
    const saved = process.env.PGDATABASE;
    process.env.PGDATABASE = "postgres";
    try {
      const db = await openPostgres(pg.server().url, `t${process.pid}_${++schemas}`);
      try {
        expect(await db.all("SELECT current_database() AS d")).toEqual([{ d: "cache_db" }]);
      } finally {
        await db.close();
      }
      const r = await queryPostgres(pg.server().url, "public", {
        sql: "SELECT current_database() AS d",
        maxRows: 1,
        maxBytes: 1000,
        signal: new AbortController().signal,
        timeoutMs: 5000,
      });
      expect(r.rows).toEqual([{ d: "cache_db" }]);
    } finally {
      if (saved === undefined) delete process.env.PGDATABASE;
      else process.env.PGDATABASE = saved;
    }
  });

  test("a query is cancelled by its signal", async () => {
    const controller = new AbortController();
    const started = performance.now();
    setTimeout(() => controller.abort(), 200);
    const query = queryPostgres(pg.server().url, "public", {
      sql: "SELECT pg_sleep(30)",
      maxRows: 10,
      maxBytes: 10_000,
      signal: controller.signal,
      timeoutMs: 20_000,
    });
    await expect(query).rejects.toThrow("cancelled");
    expect(performance.now() - started).toBeLessThan(5000);
  });

  test(
    "connection errors name the server, never the user or the password",
    async () => {
      const { url, password, port } = pg.server();
      const wrongPassword = new URL(url);
      wrongPassword.password = "not-the-password-123";
      const closedPort = new URL(url);
      closedPort.port = String(port === 1 ? 2 : 1);
      const noDb = new URL(url);
      noDb.pathname = "/no_such_db";
      for (const [bad, why] of [
        [wrongPassword.href, "refused the user name or password"],
        [closedPort.href, "refused or closed"],
        [noDb.href, "does not exist"],
      ] as const) {
        const h = harness({ AIRBYTE_CACHE_URL: bad });
        for (const [tool, input] of [
          [
            "sync_source_to_cache",
            { source_connector_name: "source-faker", config: { count: 1 }, streams: "*" },
          ],
          ["run_sql_query", { sql_query: "SELECT 1" }],
          ["list_cached_streams", {}],
        ] as const) {
          const message = failed(await h.call(tool, input));
          expect(message).toContain(`Cannot connect to the PostgreSQL cache at 127.0.0.1:`);
          expect(message).toContain(why);
          expect(message).toContain("AIRBYTE_CACHE_URL");
          expect(message).not.toContain("cache_user");
          expect(message).not.toContain("not-the-password-123");
        }
      }
      // Nothing any test called showed the password.
      expect(seen.length).toBeGreaterThan(20);
      for (const text of seen) {
        expect(text).not.toContain(password);
        expect(text).not.toContain(encodeURIComponent(password));
      }
    },
    T,
  );
});
