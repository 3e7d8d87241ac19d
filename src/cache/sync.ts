// A source's records into the cache, incrementally and crash-safe. Records are written inside a
// transaction that is committed only at a point where every stream's records are covered by a
// state the source emitted, together with those states: a crash or a cancel rolls back to such a
// point, so each stream is exactly as after its last committed state and a rerun resumes there.

import type { z } from "zod";
import type { JsonObject } from "../connectors/config.ts";
import type { Executor } from "../connectors/executor.ts";
import type { AirbyteStream, ConfiguredAirbyteCatalog, RecordMessage } from "../connectors/protocol.ts";
import { configuredStream } from "../connectors/read.ts";
import { ToolError } from "../core/errors.ts";
import { Cache, type CachedStream, SOURCE_STATE, stagingTable, type WriteStrategy } from "./cache.ts";
import { INVALID, type Upsert } from "./db.ts";
import { addColumn, type Column, type ColumnKind, META_COLUMNS, planColumns } from "./schema.ts";

type Stream = z.infer<typeof AirbyteStream>;
export type StrategyChoice = "auto" | WriteStrategy;
type SyncMode = "full_refresh" | "incremental";

export interface SyncProgress {
  /** Records written so far, all streams together. */
  records: number;
  message: string;
}

export interface SyncOptions {
  source: string;
  executor: Executor;
  config: JsonObject;
  streams: readonly Stream[];
  strategy: StrategyChoice;
  /** Ignore saved state and read everything (the write strategy still applies). */
  fullRefresh: boolean;
  signal: AbortSignal;
  progress?: (p: SyncProgress) => void;
  /** Commit cadence at clean points (tests lower it). */
  commitEvery?: { records: number; ms: number };
}

export interface StreamReport {
  stream_name: string;
  table_name: string;
  write_strategy: WriteStrategy;
  sync_mode: SyncMode;
  records: number;
  /** Size of the stored values (text in characters, 8 per number). */
  bytes: number;
  state_saved: boolean;
  columns_added: string[];
  /** Values that did not fit their column and were stored as NULL (listed in `_airbyte_meta`). */
  values_nulled: number;
}

export interface SyncReport {
  streams: StreamReport[];
  records: number;
  bytes: number;
  duration_seconds: number;
  commits: number;
}

interface Target {
  stream: Stream;
  /** The stream's identity in the cache: its name, or namespace.name. */
  key: string;
  table: string;
  /** The table rows go to now: the staging table for replace. */
  writeTable: string;
  strategy: WriteStrategy;
  syncMode: SyncMode;
  columns: Column[];
  insertColumns: string[];
  upsert: Upsert | null;
  known: Set<string | null>;
  taken: Set<string>;
  schemaless: boolean;
  pending: unknown[][];
  records: number;
  /** Records written in the open transaction, and committed. */
  inTxn: number;
  committed: number;
  bytes: number;
  nulled: number;
  stateSaved: boolean;
  /** Replace: the last state, saved with the swap. */
  lastState: unknown;
  added: string[];
  metadata: CachedStream;
}

const FLUSH_ROWS = 1000;
/** Rows held in memory, all streams together, before they go into the transaction uncovered. */
const BUFFER_ROWS = 20_000;
const DEFAULT_COMMIT = { records: 20_000, ms: 2000 };
const PROGRESS_MS = 1000;

/** A stream's identity: its name, qualified by its namespace when it has one. */
export function streamKey(name: string, namespace: string | null | undefined): string {
  return namespace ? `${namespace}.${name}` : name;
}

export async function syncToCache(cache: Cache, o: SyncOptions): Promise<SyncReport> {
  const started = performance.now();
  const db = cache.db;
  // SQLite commits (WAL, no fsync) cost microseconds: commit at every clean point, so a stop loses
  // as little as possible. PostgreSQL's commits flush to disk: they are spaced out.
  const commitEvery = o.commitEvery ?? (db.kind === "sqlite" ? { records: 0, ms: 0 } : DEFAULT_COMMIT);
  const targets = await prepareTargets(cache, o);
  const byKey = new Map(targets.map((t) => [t.key, t]));
  // A record or state names its stream by name and namespace; a source may omit the namespace.
  const target = (name: string, namespace: string | null | undefined) =>
    byKey.get(streamKey(name, namespace)) ??
    (namespace ? undefined : targets.find((t) => t.stream.name === name));

  const catalog: ConfiguredAirbyteCatalog = {
    streams: targets.map((t) =>
      configuredStream(
        t.stream,
        t.syncMode,
        t.strategy === "merge" ? "append_dedup" : t.strategy === "append" ? "append" : "overwrite",
      ),
    ),
  };
  const incremental = targets.filter((t) => t.syncMode === "incremental" && t.strategy !== "replace");
  const state =
    incremental.length > 0 && !o.fullRefresh
      ? await cache.states(
          o.source,
          incremental.map((t) => t.key),
        )
      : [];

  const dirty = new Set<string>();
  let saved: unknown;
  let sinceCommit = 0;
  let lastCommit = performance.now();
  let commits = 0;
  let total = 0;
  let lastProgress = performance.now();
  let current = "";
  let extractedMs = -1;
  let extractedAt: unknown = null;

  const ensureTxn = async () => {
    if (!db.inTransaction) await db.begin(o.signal);
  };
  // A stream's rows wait in memory until its next state, so another stream's state can commit
  // without them; past a bound they go into the transaction, which then waits for their state.
  let buffered = 0;
  const flush = async (t: Target) => {
    if (t.pending.length === 0) return;
    await ensureTxn();
    const rows = t.pending;
    t.pending = [];
    buffered -= rows.length;
    t.inTxn += rows.length;
    await db.insertRows(t.writeTable, t.insertColumns, rows, t.upsert);
  };
  const spill = async () => {
    for (const t of targets) {
      if (t.pending.length === 0) continue;
      if (t.strategy !== "replace") dirty.add(t.key);
      await flush(t);
    }
  };
  const commit = async () => {
    await db.commit();
    commits++;
    sinceCommit = 0;
    lastCommit = performance.now();
    for (const t of targets) {
      t.committed += t.inTxn;
      t.inTxn = 0;
    }
  };

  const addExtraColumns = async (t: Target, data: Record<string, unknown>) => {
    await flush(t);
    await ensureTxn();
    const fresh: Column[] = [];
    for (const [key, value] of Object.entries(data)) {
      if (t.known.has(key)) continue;
      const c = addColumn(key, inferKind(value), t.taken);
      t.known.add(key);
      fresh.push(c);
    }
    t.columns = [...t.columns, ...fresh];
    await cache.ensureTable(t.writeTable, t.columns);
    t.insertColumns = Cache.rowColumns(t.columns);
    if (t.upsert) t.upsert = { keys: t.upsert.keys, update: t.insertColumns };
    t.added.push(...fresh.map((c) => c.name));
    // The mapping commits with the columns, so a later sync never reuses them for another key.
    t.metadata = { ...t.metadata, metadata: { ...t.metadata.metadata, columns: t.columns } };
    await cache.saveStream(t.metadata);
  };

  const row = (t: Target, record: RecordMessage["record"]): unknown[] => {
    const data = record.data;
    const cols = t.columns;
    const n = cols.length;
    const out = new Array(n + 3);
    let seen = 0;
    let bytes = 0;
    let changes: unknown[] | null = null;
    for (let i = 0; i < n; i++) {
      const c = cols[i] as Column;
      if (c.property === null) {
        const s = JSON.stringify(data);
        out[i] = s;
        bytes += s.length;
        continue;
      }
      const v = data[c.property];
      if (v === undefined) {
        out[i] = null;
        continue;
      }
      seen++;
      let e = db.encode(c.kind, v);
      if (e === INVALID) {
        e = null;
        if (changes === null) changes = [];
        changes.push({ field: c.property, change: "NULLED", reason: "DESTINATION_SERIALIZATION_ERROR" });
      }
      out[i] = e;
      bytes += typeof e === "string" ? e.length : 8;
    }
    // A key the schema does not declare: found by a count, so the common case costs one loop.
    if (!t.schemaless) {
      let keys = 0;
      for (const _ in data) keys++;
      if (keys > seen) return EXTRA;
    }
    if (record.emitted_at !== extractedMs) {
      extractedMs = record.emitted_at;
      // emitted_at is epoch milliseconds; a source that sends something else gets the time now.
      extractedAt = db.encodeTimestamp(Math.abs(extractedMs) < 8.64e15 ? extractedMs : Date.now());
    }
    if (changes) t.nulled += changes.length;
    const sourceChanges = record.meta?.changes;
    if (sourceChanges && sourceChanges.length > 0) changes = [...sourceChanges, ...(changes ?? [])];
    out[n] = Bun.randomUUIDv7();
    out[n + 1] = extractedAt;
    out[n + 2] = changes ? JSON.stringify({ changes }) : "{}";
    t.bytes += bytes;
    return out;
  };

  try {
    for await (const batch of o.executor.run("read", {
      config: o.config,
      catalog,
      ...(state.length > 0 ? { state } : {}),
      signal: o.signal,
    })) {
      for (const m of batch) {
        if (m.type === "RECORD") {
          const t = target(m.record.stream, m.record.namespace);
          if (!t) continue; // A stream that was not asked for.
          let r = row(t, m.record);
          if (r === EXTRA) {
            await addExtraColumns(t, m.record.data);
            r = row(t, m.record);
          }
          t.pending.push(r);
          t.records++;
          total++;
          sinceCommit++;
          current = t.key;
          buffered++;
          if (t.strategy === "replace") {
            if (t.pending.length >= FLUSH_ROWS) await flush(t); // staging: never waits for a state
          } else if (buffered >= BUFFER_ROWS) await spill();
        } else if (m.type === "STATE") {
          const s = m.state;
          const descriptor = s.type === "STREAM" ? s.stream?.stream_descriptor : undefined;
          if (descriptor !== undefined) {
            const t = target(descriptor.name, descriptor.namespace);
            if (!t) continue;
            if (t.strategy === "replace") {
              t.lastState = s;
              continue;
            }
            await flush(t);
            await ensureTxn();
            await cache.saveState(o.source, t.key, t.table, s);
            t.stateSaved = true;
            dirty.delete(t.key);
          } else {
            // GLOBAL or LEGACY: one state for the whole source covers every stream.
            for (const t of targets) await flush(t);
            await ensureTxn();
            // A GLOBAL state of a sync of some streams keeps the saved states of the others.
            saved = mergeGlobal(saved ?? (await cache.sourceState(o.source)), s);
            await cache.saveState(o.source, SOURCE_STATE, null, saved);
            for (const t of targets) if (t.strategy !== "replace") t.stateSaved = true;
            dirty.clear();
          }
          if (
            dirty.size === 0 &&
            db.inTransaction &&
            (sinceCommit >= commitEvery.records || performance.now() - lastCommit >= commitEvery.ms)
          ) {
            await commit();
          }
        } else if (m.type === "TRACE" && m.trace.type === "STREAM_STATUS" && m.trace.stream_status) {
          const d = m.trace.stream_status.stream_descriptor;
          current = target(d.name, d.namespace)?.key ?? current;
        }
      }
      if (o.progress && performance.now() - lastProgress >= PROGRESS_MS) {
        lastProgress = performance.now();
        const t = byKey.get(current);
        o.progress({
          records: total,
          message: t ? `${t.stream.name}: ${t.records.toLocaleString("en-US")} records` : "reading",
        });
      }
    }
    // The source finished: what it sent after its last state is complete too.
    for (const t of targets) await flush(t);
    await ensureTxn();
    const now = new Date().toISOString();
    for (const t of targets) {
      if (t.strategy === "replace") {
        await cache.swapIn(t.writeTable, t.table);
        if (t.lastState !== undefined) {
          await cache.saveState(o.source, t.key, t.table, t.lastState);
          t.stateSaved = true;
        } else await cache.clearState(o.source, t.key);
      }
      await cache.saveStream({
        ...t.metadata,
        metadata: { ...t.metadata.metadata, columns: t.columns, staging: null },
        last_synced_at: now,
      });
    }
    await commit();
  } catch (error) {
    await db.rollback().catch(() => {});
    await dropStaging(cache, targets);
    throw stoppedError(o.source, targets, error, o.signal);
  }
  const seconds = (performance.now() - started) / 1000;
  const streams = targets.map((t) => ({
    stream_name: t.key,
    table_name: t.table,
    write_strategy: t.strategy,
    sync_mode: t.syncMode,
    records: t.records,
    bytes: t.bytes,
    state_saved: t.stateSaved,
    columns_added: t.added,
    values_nulled: t.nulled,
  }));
  return {
    streams,
    records: total,
    bytes: streams.reduce((a, s) => a + s.bytes, 0),
    duration_seconds: Math.round(seconds * 1000) / 1000,
    commits,
  };
}

const EXTRA: unknown[] = [];

type GlobalState = {
  type?: string | null;
  global?: { stream_states?: { stream_descriptor: { name: string; namespace?: string | null } }[] } | null;
};

/** `next`, with the per-stream states of `previous` for streams `next` does not mention. */
export function mergeGlobal(previous: unknown, next: GlobalState): unknown {
  const prev = previous as GlobalState | undefined;
  const kept = prev?.type === "GLOBAL" ? (prev.global?.stream_states ?? []) : [];
  if (next.type !== "GLOBAL" || !next.global || kept.length === 0) return next;
  const id = (d: { name: string; namespace?: string | null }) => streamKey(d.name, d.namespace);
  const mentioned = new Set((next.global.stream_states ?? []).map((x) => id(x.stream_descriptor)));
  const others = kept.filter((x) => !mentioned.has(id(x.stream_descriptor)));
  return {
    ...next,
    global: { ...next.global, stream_states: [...(next.global.stream_states ?? []), ...others] },
  };
}

function inferKind(value: unknown): ColumnKind {
  if (typeof value === "string") return "string";
  if (typeof value === "boolean") return "boolean";
  if (typeof value === "number") return "number";
  return "json";
}

/** The write strategy of a stream: asked for, else merge by key, append by cursor, else replace. */
export function chooseStrategy(stream: Stream, choice: StrategyChoice): WriteStrategy {
  const keys = topLevelKeys(stream.source_defined_primary_key);
  if (choice === "merge" && keys === null) {
    throw new ToolError(
      `Stream '${stream.name}' has no primary key (or a nested one), so it cannot be merged.`,
      { hint: "Use write_strategy 'append' or 'replace', or 'auto' to let each stream choose." },
    );
  }
  if (choice !== "auto") return choice;
  if (keys !== null) return "merge";
  const cursor = stream.default_cursor_field?.length ?? 0;
  if (cursor > 0 || stream.source_defined_cursor) return "append";
  return "replace";
}

function topLevelKeys(pk: string[][] | null | undefined): string[] | null {
  if (!pk || pk.length === 0) return null;
  if (pk.some((path) => path.length !== 1)) return null;
  return pk.map((path) => path[0] as string);
}

async function prepareTargets(cache: Cache, o: SyncOptions): Promise<Target[]> {
  const db = cache.db;
  const targets: Target[] = [];
  await db.begin(o.signal);
  try {
    // Read under the write lock: two syncs starting together must not pick the same new table.
    const known = await cache.streams();
    for (const stream of o.streams) {
      const strategy = chooseStrategy(stream, o.strategy);
      const modes = stream.supported_sync_modes;
      const syncMode: SyncMode =
        strategy !== "replace" && !o.fullRefresh && modes.includes("incremental")
          ? "incremental"
          : modes.includes("full_refresh")
            ? "full_refresh"
            : "incremental";
      const key = streamKey(stream.name, stream.namespace);
      const table = cache.tableFor(known, o.source, key, stream.name);
      const previous = known.find((s) => s.source_name === o.source && s.stream_name === key);
      const { columns, added } = planColumns(stream.json_schema, previous?.metadata.columns ?? []);
      // The staging table of a replace is this run's own: a concurrent sync has its own, and one
      // left by a run that died (its process is gone) is dropped.
      const leftover = previous?.metadata.staging;
      if (leftover && !runAlive(leftover)) await cache.dropTable(leftover);
      const writeTable = strategy === "replace" ? stagingTable(table) : table;
      await cache.ensureTable(writeTable, columns);
      let upsert: Upsert | null = null;
      if (strategy === "merge") {
        const keyColumns = (topLevelKeys(stream.source_defined_primary_key) ?? []).map((k) => {
          const c = columns.find((col) => col.property === k);
          if (!c) {
            throw new ToolError(
              `Stream '${stream.name}' declares primary key '${k}', which is not in its schema's properties.`,
              { hint: "Use write_strategy 'append' or 'replace' for this stream." },
            );
          }
          return c.name;
        });
        const before = previous?.metadata;
        if (
          before?.write_strategy === "merge" &&
          JSON.stringify(before.primary_key) !== JSON.stringify(stream.source_defined_primary_key)
        ) {
          await cache.dropUniqueIndex(table); // the key changed: the old index would refuse new rows
        }
        try {
          await cache.ensureUniqueIndex(table, keyColumns);
        } catch (error) {
          throw new ToolError(
            `Cannot merge into table '${table}': it already holds several rows per key of '${stream.name}' (${(error as Error).message}).`,
            {
              hint: "Run the sync once with write_strategy 'replace' to rebuild the table, then merge again.",
            },
          );
        }
        upsert = { keys: keyColumns, update: Cache.rowColumns(columns) };
      }
      const metadata: CachedStream = {
        source_name: o.source,
        stream_name: key,
        table_name: table,
        metadata: {
          columns,
          primary_key: stream.source_defined_primary_key ?? null,
          cursor_field: stream.default_cursor_field ?? null,
          write_strategy: strategy,
          staging: strategy === "replace" ? writeTable : null,
        },
        last_synced_at: previous?.last_synced_at ?? null,
      };
      // Kept now, so the table's name stays reserved even if the data never comes.
      await cache.saveStream(metadata);
      known.push(metadata);
      targets.push({
        stream,
        key,
        table,
        writeTable,
        strategy,
        syncMode,
        columns,
        insertColumns: Cache.rowColumns(columns),
        upsert,
        known: new Set(columns.map((c) => c.property)),
        taken: new Set([...columns.map((c) => c.name), ...META_COLUMNS]),
        schemaless: columns.some((c) => c.property === null),
        pending: [],
        records: 0,
        inTxn: 0,
        committed: 0,
        bytes: 0,
        nulled: 0,
        stateSaved: false,
        lastState: undefined,
        added: added.map((c) => c.name),
        metadata,
      });
    }
    await db.commit();
  } catch (error) {
    await db.rollback();
    throw error;
  }
  return targets;
}

/** Whether the sync that made a staging table (its pid is in the name) still runs here. */
function runAlive(staging: string): boolean {
  const pid = Number.parseInt(staging.split("_").at(-2) ?? "", 36);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function dropStaging(cache: Cache, targets: readonly Target[]): Promise<void> {
  const staging = targets.filter((t) => t.strategy === "replace");
  if (staging.length === 0) return;
  try {
    await cache.db.begin(new AbortController().signal);
    for (const t of staging) await cache.dropTable(t.writeTable);
    await cache.db.commit();
  } catch {
    await cache.db.rollback().catch(() => {});
    // Dropped at the next sync of the stream.
  }
}

function stoppedError(
  source: string,
  targets: readonly Target[],
  error: unknown,
  signal: AbortSignal,
): Error {
  if (!(error instanceof ToolError) && !signal.aborted) return error as Error;
  const reason = error instanceof ToolError ? error.message : "it was cancelled";
  const kept = targets
    .filter((t) => t.strategy !== "replace")
    .map((t) => `${t.stream.name}: ${t.committed} record(s)`)
    .join(", ");
  const replaced = targets.filter((t) => t.strategy === "replace").map((t) => t.stream.name);
  const parts = [
    `The sync of ${source} stopped: ${reason.replace(/\.$/, "")}.`,
    kept ? `Committed up to the last complete state: ${kept}.` : "",
    replaced.length > 0 ? `Replace-strategy streams keep their previous table: ${replaced.join(", ")}.` : "",
  ].filter(Boolean);
  return new ToolError(parts.join(" "), {
    hint: `${error instanceof ToolError && error.hint ? `${error.hint}\n` : ""}Nothing half-written was kept; run the sync again to continue from the saved state.`,
  });
}
