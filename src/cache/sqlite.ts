// The embedded cache backend: one SQLite file through bun:sqlite, in WAL mode so readers (SQL
// queries, other processes) never wait for a sync, and a sync's commits survive a crash.

import { Database, type Statement } from "bun:sqlite";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { ToolError } from "../core/errors.ts";
import { type Db, INVALID, type Upsert } from "./db.ts";
import type { ColumnKind } from "./schema.ts";

// One writer per cache file in this process at a time (a sync holds its transaction across the
// connector's output); other processes are waited for through SQLITE_BUSY retries.
const writeLocks = new Map<string, Promise<void>>();

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
    return `"${identifier.replaceAll('"', '""')}"`;
  }

  sqlType(kind: ColumnKind): string {
    return SQL_TYPES[kind];
  }

  encodeTimestamp(ms: number): unknown {
    return new Date(ms).toISOString();
  }

  encode(kind: ColumnKind, v: unknown): unknown {
    if (v === null || v === undefined) return null;
    switch (kind) {
      case "string":
        return typeof v === "string" ? v : typeof v === "object" ? JSON.stringify(v) : String(v);
      case "integer":
        return typeof v === "number"
          ? Number.isInteger(v) && Math.abs(v) < 2 ** 63
            ? v
            : INVALID
          : integerText(v);
      case "number":
        return typeof v === "number" ? v : numeric(v);
      case "boolean":
        return typeof v === "boolean" ? (v ? 1 : 0) : v === "true" ? 1 : v === "false" ? 0 : INVALID;
      case "json":
        return JSON.stringify(v);
      default:
        return typeof v === "string" ? v : INVALID;
    }
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
    const stmt = this.prepared(insertSql(this, table, columns, upsert));
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

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** An integer sent as text ("12345678901234567"), kept exact as a 64-bit integer. */
function integerText(v: unknown): unknown {
  if (typeof v !== "string" || !/^-?\d{1,19}$/.test(v)) return INVALID;
  const n = BigInt(v);
  if (n < INT64_MIN || n > INT64_MAX) return INVALID;
  return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
}

function numeric(v: unknown): unknown {
  // Decimal text only: Number() would also take "0x1F" and "Infinity".
  if (typeof v !== "string" || !/^\s*-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(v)) return INVALID;
  const n = Number(v);
  return Number.isFinite(n) ? n : INVALID;
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

/** The INSERT (or upsert) statement for a table's columns; shared by both backends. */
export function insertSql(db: Db, table: string, columns: readonly string[], upsert: Upsert | null): string {
  const q = (c: string) => db.quote(c);
  const base = `INSERT INTO ${q(table)} (${columns.map(q).join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`;
  if (!upsert) return base;
  const set = upsert.update.map((c) => `${q(c)} = excluded.${q(c)}`).join(", ");
  return `${base} ON CONFLICT (${upsert.keys.map(q).join(", ")}) DO UPDATE SET ${set}`;
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
