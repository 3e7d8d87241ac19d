// The embedded cache backend: one SQLite file through bun:sqlite, in WAL mode so readers (SQL
// queries, other processes) never wait for a sync, and a sync's commits survive a crash.

import { Database, type Statement } from "bun:sqlite";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { ToolError } from "../core/errors.ts";
import {
  type Db,
  encodeValue,
  quoteIdentifier,
  type Upsert,
  upsertClause,
  type ValueEncoding,
} from "./db.ts";
import type { ColumnKind } from "./schema.ts";

// One writer per cache file in this process at a time (a sync holds its transaction across the
// connector's output); other processes are waited for through SQLITE_BUSY retries.
const writeLocks = new Map<string, Promise<void>>();

// Booleans as 1/0 (SQLite has no boolean type); dates and times kept as the ISO text they came as.
const ENCODING: ValueEncoding = { true: 1, false: 0, refuseNul: false, temporal: null };

const SQL_TYPES: Record<ColumnKind, string> = {
  integer: "INTEGER",
  number: "REAL",
  boolean: "BOOLEAN",
  string: "TEXT",
  // SQLite has no date types: ISO 8601 text sorts and compares correctly and works with its
  // date functions. JSON is text too ("JSON" would get numeric affinity and turn '1' into 1).
  timestamp_tz: "TEXT",
  timestamp: "TEXT",
  date: "TEXT",
  time: "TEXT",
  json: "TEXT",
};

export class SqliteDb implements Db {
  readonly kind = "sqlite" as const;
  readonly timestampType = "TEXT";
  private readonly db: Database;
  private readonly statements = new Map<string, Statement>();
  private releaseLock: (() => void) | null = null;

  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    this.db = new Database(path, { create: true, readwrite: true });
    // WAL: readers see the last commit while a sync writes; NORMAL sync is durable against a
    // process crash (a power loss may drop the last commits, never half of one).
    this.db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 0;");
  }

  quote(identifier: string): string {
    return quoteIdentifier(identifier);
  }

  sqlType(kind: ColumnKind): string {
    return SQL_TYPES[kind];
  }

  encodeTimestamp(ms: number): unknown {
    return new Date(ms).toISOString();
  }

  encode(kind: ColumnKind, v: unknown): unknown {
    return encodeValue(kind, v, ENCODING);
  }

  private prepared(sql: string): Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  async run(sql: string, params: unknown[] = []): Promise<void> {
    this.db.prepare(sql).run(...(params as never[]));
  }

  async all<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    return this.db.prepare(sql).all(...(params as never[])) as T[];
  }

  async insertRows(
    table: string,
    columns: readonly string[],
    rows: unknown[][],
    upsert: Upsert | null,
  ): Promise<void> {
    const stmt = this.prepared(insertSql(table, columns, upsert));
    // One array argument binds its elements in order, without spreading a copy per call.
    for (const row of rows) stmt.run(row as never);
  }

  async tableColumns(table: string): Promise<string[] | null> {
    const rows = this.db.prepare("SELECT name FROM pragma_table_info(?)").all(table) as { name: string }[];
    return rows.length > 0 ? rows.map((r) => r.name) : null;
  }

  get inTransaction(): boolean {
    return this.db.inTransaction;
  }

  async begin(signal: AbortSignal): Promise<void> {
    // In-process queue first, so two syncs in one server take turns commit by commit.
    const previous = writeLocks.get(this.path) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((r) => {
      release = r;
    });
    const chained = previous.then(() => mine);
    writeLocks.set(this.path, chained);
    await untilOrAbort(previous, signal).catch((error) => {
      release();
      throw error;
    });
    this.releaseLock = () => {
      release();
      if (writeLocks.get(this.path) === chained) writeLocks.delete(this.path);
    };
    // Then other processes: SQLITE_BUSY is retried without blocking the event loop.
    for (let wait = 5; ; wait = Math.min(wait * 2, 200)) {
      try {
        this.db.exec("BEGIN IMMEDIATE");
        return;
      } catch (error) {
        if (!/busy|locked/i.test(String(error))) {
          this.unlock();
          throw error;
        }
      }
      if (signal.aborted) {
        this.unlock();
        throw signal.reason ?? new Error("aborted");
      }
      await Bun.sleep(wait);
    }
  }

  private unlock(): void {
    const r = this.releaseLock;
    this.releaseLock = null;
    r?.();
  }

  async commit(): Promise<void> {
    try {
      this.db.exec("COMMIT");
    } finally {
      this.unlock();
    }
  }

  async rollback(): Promise<void> {
    try {
      if (this.db.inTransaction) this.db.exec("ROLLBACK");
    } finally {
      this.unlock();
    }
  }

  async close(): Promise<void> {
    if (this.db.inTransaction) await this.rollback();
    for (const s of this.statements.values()) s.finalize();
    this.statements.clear();
    this.db.close();
  }
}

/** Waits for `p`, or rejects when the signal aborts; the listener is removed either way. */
async function untilOrAbort(p: Promise<void>, signal: AbortSignal): Promise<void> {
  if (signal.aborted) throw signal.reason ?? new Error("aborted");
  let onAbort!: () => void;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason ?? new Error("aborted"));
    signal.addEventListener("abort", onAbort, { once: true });
  });
  try {
    await Promise.race([p, aborted]);
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
}

/** The INSERT (or upsert) statement of one row. */
function insertSql(table: string, columns: readonly string[], upsert: Upsert | null): string {
  const q = quoteIdentifier;
  const base = `INSERT INTO ${q(table)} (${columns.map(q).join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`;
  return upsert ? base + upsertClause(upsert) : base;
}

/** The cache file could not be opened: say where and what to do. */
export function openSqlite(path: string): SqliteDb {
  try {
    return new SqliteDb(path);
  } catch (error) {
    throw new ToolError(`Cannot open the cache file ${path}: ${(error as Error).message}.`, {
      hint: "Check that AIRBYTE_CACHE_ROOT (or AIRBYTE_PROJECT_DIR) is writable and not on a network file system.",
    });
  }
}
