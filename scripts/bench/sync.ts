// Sync benchmark: records per second of sync_source_to_cache end to end into the SQLite cache
// (path executor -> process runner -> protocol parser -> row building -> prepared upserts behind a
// unique index on the primary key -> state saves -> commits at clean points), against the floor of
// the same records parsed and inserted by a bare prepared-statement loop in one transaction, in the
// same run. The records are source-faker's 'purchases', written once per count by the binary's
// `connector source-faker` command, then replayed by `cat` for both sides, so only the consumer
// differs. Each measurement runs in its own process, which reports its peak RSS: it should stay
// flat as the count grows (target: under 200 MB at 1M and 5M records; sync at least 0.8 of the floor).
// The faker emits a STATE every 1000 records (its default), so the commit count is what users get.
// Also printed: the live end to end rates (the built-in executor producing in-process, and the whole
// `airbyte-mcp sync` CLI) at the largest count, with their peak RSS.
//   bun scripts/bench/sync.ts [--records 1000000] [--runs 3] [--counts 100000,1000000]
//   (by default the counts are a tenth, the target count and five times it)

import { Database } from "bun:sqlite";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import {
  buildBinary,
  eachMessage,
  median,
  pathExecutor,
  replay,
  runChild,
  writeFakerRecords,
} from "./common.ts";

const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    records: { type: "string", default: "1000000" },
    runs: { type: "string", default: "3" },
    counts: { type: "string" },
    child: { type: "string" },
    file: { type: "string" },
    binary: { type: "string" },
  },
});

const STREAM = "purchases";
const SEED = 7;

interface Measurement {
  records: number;
  seconds: number;
  maxRssMb: number;
  /** Rows in the stream table at the end. */
  rows: number;
  commits?: number;
  /** Time spent inside COMMIT (WAL fsyncs and checkpoints). */
  commitSeconds?: number;
  stateSaves?: number;
}

/** Rows of a table in a cache file, read after the timed part. */
function countRows(path: string): number {
  const db = new Database(path, { readonly: true });
  try {
    const row = db.prepare(`SELECT count(*) AS n FROM "${STREAM}"`).get() as { n: number };
    return Number(row.n);
  } finally {
    db.close();
  }
}

if (values.child) {
  // One measurement in this process; prints JSON {records, seconds, maxRssMb, rows, ...}.
  const file = values.file as string;
  const count = Number(values.records);
  const dir = mkdtempSync(join(tmpdir(), "airbyte-mcp-bench-sync-child-"));
  const dbPath = join(dir, "cache.sqlite");
  let out: Measurement;
  try {
    if (values.child === "floor") {
      const started = performance.now();
      const db = new Database(dbPath, { create: true, readwrite: true });
      db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;");
      // The columns and types the cache creates for the stream (see Cache.ensureTable).
      db.exec(
        `CREATE TABLE "${STREAM}" ("id" INTEGER, "user_id" INTEGER, "product_id" INTEGER, "created_at" TEXT, "updated_at" TEXT, "added_to_cart_at" TEXT, "purchased_at" TEXT, "returned_at" TEXT, "_airbyte_raw_id" TEXT NOT NULL, "_airbyte_extracted_at" TEXT NOT NULL, "_airbyte_meta" TEXT NOT NULL)`,
      );
      const insert = db.prepare(
        `INSERT INTO "${STREAM}" ("id", "user_id", "product_id", "created_at", "updated_at", "added_to_cart_at", "purchased_at", "returned_at", "_airbyte_raw_id", "_airbyte_extracted_at", "_airbyte_meta") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      db.exec("BEGIN IMMEDIATE");
      let records = 0;
      await eachMessage(replay(file), (m) => {
        if (m.type !== "RECORD" || m.record.stream !== STREAM) return;
        const d = m.record.data;
        insert.run(
          d.id,
          d.user_id,
          d.product_id,
          d.created_at,
          d.updated_at,
          d.added_to_cart_at,
          d.purchased_at,
          d.returned_at,
          Bun.randomUUIDv7(),
          new Date(m.record.emitted_at).toISOString(),
          "{}",
        );
        records++;
      });
      db.exec("COMMIT");
      insert.finalize();
      db.close();
      const seconds = (performance.now() - started) / 1000;
      out = { records, seconds, maxRssMb: 0, rows: countRows(dbPath) };
    } else if (values.child === "cli") {
      // The whole CLI as a user runs it; its own peak RSS, as the kernel counted it.
      const env: Record<string, string> = {};
      for (const [k, v] of Object.entries(process.env)) {
        if (v !== undefined && !k.startsWith("AIRBYTE_")) env[k] = v;
      }
      env.AIRBYTE_PROJECT_DIR = dir;
      const started = performance.now();
      const proc = Bun.spawn(
        [
          values.binary as string,
          "sync",
          "source-faker",
          "--config",
          JSON.stringify({ count, seed: SEED }),
          "--streams",
          STREAM,
        ],
        { env, stdout: "pipe", stderr: "inherit" },
      );
      const text = await new Response(proc.stdout).text();
      if ((await proc.exited) !== 0) throw new Error("airbyte-mcp sync failed");
      const seconds = (performance.now() - started) / 1000;
      const report = JSON.parse(text) as { records: number };
      out = {
        records: report.records,
        seconds,
        // Subprocess.resourceUsage() counts bytes; process.resourceUsage() counts KiB.
        maxRssMb: Number(proc.resourceUsage()?.maxRSS ?? 0) / 1024 / 1024,
        rows: countRows(join(dir, ".cache", "default_cache.sqlite")),
      };
    } else {
      // "sync": the recorded bytes through the path executor; "builtin": source-faker in-process.
      const { Cache } = await import("../../src/cache/cache.ts");
      const { openSqlite } = await import("../../src/cache/sqlite.ts");
      const { syncToCache } = await import("../../src/cache/sync.ts");
      const { FAKER_STREAMS } = await import("../../src/connectors/builtin/source-faker.ts");
      const { builtinConnector } = await import("../../src/connectors/builtin/index.ts");
      const { BuiltinExecutor } = await import("../../src/connectors/executors/builtin.ts");
      const stream = FAKER_STREAMS.find((s) => s.name === STREAM);
      if (!stream) throw new Error("no stream");
      let executor: Awaited<ReturnType<typeof pathExecutor>> | InstanceType<typeof BuiltinExecutor>;
      if (values.child === "builtin") {
        const connector = builtinConnector("source-faker");
        if (!connector) throw new Error("no built-in source-faker");
        executor = new BuiltinExecutor(
          { kind: "builtin", reason: "benchmark", target: "built-in source-faker", version: null },
          connector,
        );
      } else {
        executor = await pathExecutor(replay(file), join(dir, "tmp"));
      }
      const started = performance.now(); // Module loading is start-up, not syncing.
      const db = openSqlite(dbPath);
      // Time inside COMMIT and how often a state is saved: wrapped on this instance only.
      let commitMs = 0;
      const commit = db.commit.bind(db);
      db.commit = async () => {
        const t = performance.now();
        try {
          await commit();
        } finally {
          commitMs += performance.now() - t;
        }
      };
      const cache = new Cache(db, {
        cache_type: "SQLiteCache",
        kind: "sqlite",
        location: dbPath,
        schema_name: "main",
      });
      let stateSaves = 0;
      const saveState = cache.saveState.bind(cache);
      cache.saveState = (...args) => {
        stateSaves++;
        return saveState(...args);
      };
      let report: Awaited<ReturnType<typeof syncToCache>>;
      try {
        await cache.init();
        report = await syncToCache(cache, {
          source: "source-faker",
          executor,
          config: { count, seed: SEED },
          streams: [stream],
          strategy: "auto",
          fullRefresh: false,
          signal: new AbortController().signal,
        });
      } finally {
        await db.close();
      }
      const seconds = (performance.now() - started) / 1000;
      out = {
        records: report.records,
        seconds,
        maxRssMb: 0,
        rows: countRows(dbPath),
        commits: report.commits,
        commitSeconds: commitMs / 1000,
        stateSaves,
      };
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  if (out.maxRssMb === 0) out.maxRssMb = process.resourceUsage().maxRSS / 1024;
  console.log(JSON.stringify(out));
  process.exit(0);
}

// Parent: build, write the records once per count, measure.
const binary = buildBinary();
const dir = mkdtempSync(join(tmpdir(), "airbyte-mcp-bench-sync-"));
const runs = Number(values.runs);
const target = Number(values.records);
// A tenth, the target count, five times it: peak RSS should plateau, not follow the count.
const counts = values.counts
  ? values.counts.split(",").map((c) => Number(c.trim()))
  : [Math.round(target / 10), target, target * 5];
if (counts.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`bad --counts: ${values.counts}`);
const largest = Math.max(...counts);

function child(mode: string, file: string, records: number): Measurement {
  const args = ["--child", mode, "--file", file, "--records", String(records)];
  if (mode === "cli") args.push("--binary", binary);
  const m = runChild<Measurement>(import.meta.path, args);
  if (m.records !== records || m.rows !== records)
    throw new Error(
      `${mode}: expected ${records} records and rows, got ${m.records} records, ${m.rows} rows`,
    );
  return m;
}
const mb = (x: number) => `${x.toFixed(0)} MB`;

try {
  console.log(
    `sync benchmark: source-faker '${STREAM}' records into SQLite, median of ${runs} runs, ${Bun.version}`,
  );
  console.log("| records | floor rec/s | sync rec/s | ratio | floor peak RSS | sync peak RSS | commits |");
  console.log("|---:|---:|---:|---:|---:|---:|---:|");
  const notes: string[] = [];
  for (const n of counts) {
    const file = writeFakerRecords(binary, dir, STREAM, n, SEED);
    const floor: number[] = [];
    const sync: number[] = [];
    const commits: number[] = [];
    const commitSeconds: number[] = [];
    let stateSaves = 0;
    let floorRss = 0;
    let syncRss = 0;
    for (let i = 0; i < runs; i++) {
      const f = child("floor", file, n);
      const s = child("sync", file, n);
      floor.push(n / f.seconds);
      sync.push(n / s.seconds);
      commits.push(s.commits ?? 0);
      commitSeconds.push(s.commitSeconds ?? 0);
      stateSaves = s.stateSaves ?? 0;
      floorRss = Math.max(floorRss, f.maxRssMb);
      syncRss = Math.max(syncRss, s.maxRssMb);
    }
    const fm = median(floor);
    const sm = median(sync);
    console.log(
      `| ${n} | ${Math.round(fm)} | ${Math.round(sm)} | ${(sm / fm).toFixed(2)} | ${mb(floorRss)} | ${mb(syncRss)} | ${median(commits)} |`,
    );
    notes.push(
      `${n}: ${stateSaves} state saves, ${median(commitSeconds).toFixed(2)} s inside COMMIT of ${(n / sm).toFixed(2)} s`,
    );
    rmSync(file, { force: true });
  }
  console.log(`\nstates and commits (sync path, median): ${notes.join("; ")}`);
  const builtin = child("builtin", "", largest);
  console.log(
    `live, built-in executor (source-faker in-process, same sync engine), ${largest} records: ${Math.round(builtin.records / builtin.seconds)} rec/s, ${builtin.commits} commits, peak RSS ${mb(builtin.maxRssMb)}`,
  );
  const cli = child("cli", "", largest);
  console.log(
    `live, whole CLI ('airbyte-mcp sync source-faker --streams ${STREAM}'), ${largest} records: ${cli.seconds.toFixed(2)} s wall, ${Math.round(cli.records / cli.seconds)} rec/s, peak RSS ${mb(cli.maxRssMb)}`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
