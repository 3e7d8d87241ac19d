// The sync engine against a real SQLite file, driven by a scripted source (an Executor that yields
// exactly the messages a test writes), for the orderings real connectors produce: interleaved
// streams, namespaces, a primary key that changes, odd values, and a crash at a chosen point.

import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { Cache } from "../../src/cache/cache.ts";
import { withCache } from "../../src/cache/open.ts";
import { openSqlite } from "../../src/cache/sqlite.ts";
import { syncToCache } from "../../src/cache/sync.ts";
import type { Executor } from "../../src/connectors/executor.ts";
import type { AirbyteMessage } from "../../src/connectors/protocol.ts";
import { ToolError } from "../../src/core/errors.ts";
import { parseJson } from "../../src/core/json.ts";
import { loadSettings } from "../../src/core/settings.ts";
import { tempDir } from "../helpers/binary.ts";
import { queryFile } from "../helpers/sqlite.ts";

type Stream = Parameters<typeof syncToCache>[1]["streams"][number];
const stream = (name: string, extra: Partial<Stream> = {}): Stream => ({
  name,
  json_schema: { type: "object", properties: { id: { type: "integer" }, v: { type: "string" } } },
  supported_sync_modes: ["full_refresh", "incremental"],
  source_defined_cursor: true,
  default_cursor_field: ["id"],
  source_defined_primary_key: [["id"]],
  ...extra,
});
const rec = (s: string, id: number | string, extra: Record<string, unknown> = {}): AirbyteMessage => ({
  type: "RECORD",
  record: { stream: s, data: { id, v: `${s}-${id}` }, emitted_at: 1_700_000_000_000, ...extra },
});
const st = (s: string, id: number, namespace?: string): AirbyteMessage => ({
  type: "STATE",
  state: {
    type: "STREAM",
    stream: { stream_descriptor: { name: s, ...(namespace ? { namespace } : {}) }, stream_state: { id } },
  },
});
const CRASH = Symbol("crash");

/** A source that yields these messages one per batch; CRASH throws as a dying connector would. */
function scripted(messages: (AirbyteMessage | typeof CRASH | Promise<void>)[]): Executor {
  return {
    info: { kind: "path", reason: "test", target: "scripted", version: null },
    prepare: async () => {},
    async *run() {
      for (const m of messages) {
        if (m === CRASH) throw new ToolError("source-test exited with code 139 during 'read'.");
        if (m instanceof Promise) {
          await m;
          continue;
        }
        yield [m];
      }
    },
  };
}

let dir: ReturnType<typeof tempDir>;
let path: string;
beforeEach(() => {
  dir = tempDir();
  path = join(dir.path, "cache.sqlite");
});
afterEach(() => dir.cleanup());

async function sync(streams: Stream[], messages: Parameters<typeof scripted>[0], extra: object = {}) {
  const db = openSqlite(path);
  const cache = new Cache(db, {
    cache_type: "SQLiteCache",
    kind: "sqlite",
    location: path,
    schema_name: "main",
  });
  try {
    await cache.init();
    return await syncToCache(cache, {
      source: "source-test",
      executor: scripted(messages),
      config: {},
      streams,
      strategy: "auto",
      fullRefresh: false,
      signal: new AbortController().signal,
      ...extra,
    });
  } finally {
    await db.close();
  }
}
const q = (sql: string) => queryFile(path, sql);

describe("sync engine", () => {
  test("interleaved streams whose states never line up still commit, each as of its own state", async () => {
    // a, b, state(a), a, state(b), ... : at every state the other stream has an uncovered record.
    const msgs: Parameters<typeof scripted>[0] = [];
    for (let i = 0; i < 5; i++)
      msgs.push(rec("a", 2 * i), rec("b", i), st("a", 2 * i), rec("a", 2 * i + 1), st("b", i));
    msgs.push(CRASH);
    await expect(sync([stream("a"), stream("b")], msgs, { strategy: "append" })).rejects.toThrow("stopped");
    const a = q("SELECT count(*) AS n, max(id) AS m FROM a")[0] as { n: number; m: number };
    const b = q("SELECT count(*) AS n, max(id) AS m FROM b")[0] as { n: number; m: number };
    const states = Object.fromEntries(
      (
        q("SELECT stream_name, state_json FROM _airbyte_state") as {
          stream_name: string;
          state_json: string;
        }[]
      ).map((r) => [r.stream_name, JSON.parse(r.state_json).stream.stream_state.id]),
    );
    expect(b).toEqual({ n: 5, m: 4 });
    expect(states.b).toBe(4);
    // a's last state (id 8) is committed with its records; the record after it (id 9) is not.
    expect(a).toEqual({ n: 9, m: 8 });
    expect(states.a).toBe(8);
  });

  test("streams of the same name in two namespaces keep their own tables and states", async () => {
    const pub = stream("users", { namespace: "public" });
    const sales = stream("users", { namespace: "sales" });
    const r = await sync(
      [pub, sales],
      [
        rec("users", 1, { namespace: "public" }),
        rec("users", 1, { namespace: "sales" }),
        rec("users", 2, { namespace: "sales" }),
        st("users", 1, "public"),
        st("users", 2, "sales"),
      ],
    );
    expect(r.streams.map((s) => [s.table_name, s.records])).toEqual([
      ["users", 1],
      ["users_2", 2],
    ]);
    expect(q("SELECT stream_name, table_name FROM _airbyte_streams ORDER BY table_name")).toEqual([
      { stream_name: "public.users", table_name: "users" },
      { stream_name: "sales.users", table_name: "users_2" },
    ]);
    expect(q("SELECT stream_name FROM _airbyte_state ORDER BY 1")).toEqual([
      { stream_name: "public.users" },
      { stream_name: "sales.users" },
    ]);
  });

  test("a primary key that changes between syncs re-keys the merge instead of failing", async () => {
    const withOrg = (pk: string[][]) =>
      stream("t", {
        source_defined_primary_key: pk,
        json_schema: {
          properties: { id: { type: "integer" }, org: { type: "string" }, v: { type: "string" } },
        },
      });
    await sync([withOrg([["id"]])], [rec("t", 1, { data: { id: 1, org: "x", v: "1" } })]);
    await sync(
      [withOrg([["id"], ["org"]])],
      [
        rec("t", 1, { data: { id: 1, org: "y", v: "2" } }),
        rec("t", 1, { data: { id: 1, org: "y", v: "3" } }),
      ],
    );
    expect(q("SELECT id, org, v FROM t ORDER BY org")).toEqual([
      { id: 1, org: "x", v: "1" },
      { id: 1, org: "y", v: "3" },
    ]);
  });

  test("long stream names sharing a prefix get their own staging tables", async () => {
    const long = "x".repeat(58);
    const noKey = (n: string) =>
      stream(n, {
        source_defined_primary_key: null,
        default_cursor_field: null,
        source_defined_cursor: false,
      });
    const r = await sync(
      [noKey(`${long}_a`), noKey(`${long}_b`)],
      [rec(`${long}_a`, 1), rec(`${long}_b`, 2)],
    );
    expect(r.streams.map((s) => [s.write_strategy, s.records])).toEqual([
      ["replace", 1],
      ["replace", 1],
    ]);
    expect(q("SELECT name FROM sqlite_master WHERE name LIKE '_airbyte_tmp%'")).toEqual([]);
  });

  test("odd values: nanosecond emitted_at, integer keys beyond 2^53 sent as text, reserved names", async () => {
    const r = await sync(
      [stream("t"), stream("sqlite_stat1"), stream("_airbyte_state")],
      [
        rec("t", "12345678901234567", { emitted_at: 1_700_000_000_000_000_000 }),
        rec("t", "12345678901234568"),
        rec("sqlite_stat1", 1),
        rec("_airbyte_state", 1),
      ],
    );
    expect(r.streams.map((s) => s.table_name)).toEqual(["t", "stream_sqlite_stat1", "stream__airbyte_state"]);
    const ids = queryFile<{ id: bigint }>(path, "SELECT id FROM t ORDER BY id", { safeIntegers: true });
    expect(ids.map((x) => x.id.toString())).toEqual(["12345678901234567", "12345678901234568"]);
  });

  test("a GLOBAL state from a sync of some streams keeps the saved states of the others", async () => {
    const global = (cursor: number, ...names: string[]): AirbyteMessage => ({
      type: "STATE",
      state: {
        type: "GLOBAL",
        global: {
          shared_state: { lsn: cursor },
          stream_states: names.map((name) => ({ stream_descriptor: { name }, stream_state: { id: cursor } })),
        },
      },
    });
    await sync([stream("a")], [rec("a", 1), global(1, "a")]);
    await sync([stream("b")], [rec("b", 1), global(2, "b")]);
    const [row] = q("SELECT state_json FROM _airbyte_state WHERE stream_name = ''") as {
      state_json: string;
    }[];
    const state = JSON.parse(row?.state_json ?? "{}");
    expect(state.global.shared_state).toEqual({ lsn: 2 });
    expect(
      state.global.stream_states.map((x: { stream_descriptor: { name: string }; stream_state: unknown }) => [
        x.stream_descriptor.name,
        x.stream_state,
      ]),
    ).toEqual([
      ["b", { id: 2 }],
      ["a", { id: 1 }],
    ]);
  });

  test("a saved state's integers beyond 2^53 keep their digits when it is read back and merged", async () => {
    // The connector's STATE as parseLine reads it: a 64-bit partition id kept exact.
    const global = (name: string, text: string) =>
      parseJson(
        `{"type":"STATE","state":{"type":"GLOBAL","global":{"shared_state":{"lsn":${text}},"stream_states":[{"stream_descriptor":{"name":"${name}"},"stream_state":{"id":${text}}}]}}}`,
      ) as AirbyteMessage;
    await sync([stream("a")], [rec("a", 1), global("a", "9223372036854775807")]);
    await sync([stream("b")], [rec("b", 1), global("b", "9007199254740993")]);
    const [row] = q("SELECT state_json FROM _airbyte_state WHERE stream_name = ''") as {
      state_json: string;
    }[];
    expect(row?.state_json).toBe(
      '{"type":"GLOBAL","global":{"shared_state":{"lsn":9007199254740993},"stream_states":[{"stream_descriptor":{"name":"b"},"stream_state":{"id":9007199254740993}},{"stream_descriptor":{"name":"a"},"stream_state":{"id":9223372036854775807}}]}}',
    );
  });

  test("reading tools do not wait for a sync that is writing", async () => {
    const settings = loadSettings({ env: { AIRBYTE_CACHE_ROOT: dir.path, AIRBYTE_PROJECT_DIR: dir.path } });
    path = join(dir.path, "default_cache.sqlite");
    let release!: () => void;
    const paused = new Promise<void>((r) => {
      release = r;
    });
    const running = sync([stream("a")], [rec("a", 1), rec("a", 2), paused, st("a", 2)], {
      strategy: "append",
    });
    await Bun.sleep(100); // the sync now holds its write transaction
    const started = performance.now();
    const listed = await withCache(
      settings,
      { create: false, signal: new AbortController().signal },
      async (c) => (c ? (await c.streams()).map((s) => s.stream_name) : null),
    );
    expect(performance.now() - started).toBeLessThan(1000);
    expect(listed).toEqual(["a"]);
    release();
    await running;
    expect(q("SELECT count(*) AS n FROM a")).toEqual([{ n: 2 }]);
  });
});
