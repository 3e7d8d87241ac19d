// The cache's own bookkeeping over a Db: which table holds which (source, stream) and with which
// columns (`_airbyte_streams`), and each stream's last committed state (`_airbyte_state`).

import { parseJson } from "../core/json.ts";
import type { CacheKind, Db } from "./db.ts";
import { type Column, META_COLUMNS, normalizeName, RESERVED_PREFIX, uniqueName } from "./schema.ts";

export const STREAMS_TABLE = "_airbyte_streams";
export const STATE_TABLE = "_airbyte_state";
/** Key of a source-wide (GLOBAL or LEGACY) state in `_airbyte_state.stream_name`. */
export const SOURCE_STATE = "";

export type WriteStrategy = "merge" | "append" | "replace";

export interface StreamMetadata {
  columns: Column[];
  primary_key: string[][] | null;
  cursor_field: string[] | null;
  write_strategy: WriteStrategy;
  /** The staging table of the last replace run, until it is swapped in (or dropped). */
  staging?: string | null;
}

export interface CachedStream {
  source_name: string;
  stream_name: string;
  table_name: string;
  metadata: StreamMetadata;
  last_synced_at: string | null;
}

export interface CacheLocation {
  cache_type: "SQLiteCache" | "PostgresCache";
  kind: CacheKind;
  /** The SQLite file, or the PostgreSQL URL without its password. */
  location: string;
  schema_name: string;
}

export class Cache {
  constructor(
    readonly db: Db,
    readonly where: CacheLocation,
  ) {}

  /** Creates the bookkeeping tables when missing; a cache that has them takes no write lock. */
  async init(signal: AbortSignal = new AbortController().signal): Promise<void> {
    const have = async () =>
      (await this.db.tableColumns(STREAMS_TABLE)) !== null &&
      (await this.db.tableColumns(STATE_TABLE)) !== null;
    if (await have()) return;
    await this.db.begin(signal);
    try {
      await this.db.run(
        `CREATE TABLE IF NOT EXISTS ${STREAMS_TABLE} (source_name TEXT NOT NULL, stream_name TEXT NOT NULL, table_name TEXT NOT NULL PRIMARY KEY, catalog_metadata TEXT NOT NULL, last_synced_at TEXT, UNIQUE (source_name, stream_name))`,
      );
      await this.db.run(
        `CREATE TABLE IF NOT EXISTS ${STATE_TABLE} (source_name TEXT NOT NULL, stream_name TEXT NOT NULL, table_name TEXT, state_json TEXT NOT NULL, last_updated TEXT NOT NULL, PRIMARY KEY (source_name, stream_name))`,
      );
      await this.db.commit();
    } catch (error) {
      await this.db.rollback();
      throw error;
    }
  }

  async streams(): Promise<CachedStream[]> {
    if ((await this.db.tableColumns(STREAMS_TABLE)) === null) return [];
    const rows = await this.db.all<{
      source_name: string;
      stream_name: string;
      table_name: string;
      catalog_metadata: string;
      last_synced_at: string | null;
    }>(
      `SELECT source_name, stream_name, table_name, catalog_metadata, last_synced_at FROM ${STREAMS_TABLE} ORDER BY table_name`,
    );
    return rows.map((r) => ({
      source_name: r.source_name,
      stream_name: r.stream_name,
      table_name: r.table_name,
      metadata: JSON.parse(r.catalog_metadata) as StreamMetadata,
      last_synced_at: r.last_synced_at,
    }));
  }

  /** Rows of a stream table (null when it is gone). */
  async count(table: string): Promise<number | null> {
    if ((await this.db.tableColumns(table)) === null) return null;
    const [row] = await this.db.all<{ n: number | bigint }>(
      `SELECT COUNT(*) AS n FROM ${this.db.quote(table)}`,
    );
    return Number(row?.n ?? 0);
  }

  /** The table of a (source, stream): the one it had, else a new normalised name nobody uses. */
  tableFor(known: readonly CachedStream[], source: string, key: string, name: string): string {
    const mine = known.find((s) => s.source_name === source && s.stream_name === key);
    if (mine) return mine.table_name;
    // SQL names are case-insensitive: compare in lower case (normalised names already are).
    const taken = new Set(known.map((s) => s.table_name.toLowerCase()));
    let base = normalizeName(name);
    if (base.startsWith(RESERVED_PREFIX) || base.startsWith("sqlite_")) base = `stream_${base}`;
    return uniqueName(base, taken);
  }

  /** The state messages last committed for these streams of a source, as the source gave them. */
  async states(source: string, streams: readonly string[]): Promise<unknown[]> {
    const rows = await this.db.all<{ stream_name: string; state_json: string }>(
      `SELECT stream_name, state_json FROM ${STATE_TABLE} WHERE source_name = ? ORDER BY stream_name`,
      [source],
    );
    const wanted = new Set(streams);
    return rows
      .filter((r) => r.stream_name === SOURCE_STATE || wanted.has(r.stream_name))
      .map((r) => parseJson(r.state_json));
  }

  /** The source-wide (GLOBAL or LEGACY) state last committed, or undefined. */
  async sourceState(source: string): Promise<unknown> {
    const [row] = await this.db.all<{ state_json: string }>(
      `SELECT state_json FROM ${STATE_TABLE} WHERE source_name = ? AND stream_name = ?`,
      [source, SOURCE_STATE],
    );
    return row ? parseJson(row.state_json) : undefined;
  }

  async saveState(source: string, stream: string, table: string | null, state: unknown): Promise<void> {
    await this.db.run(
      `INSERT INTO ${STATE_TABLE} (source_name, stream_name, table_name, state_json, last_updated) VALUES (?, ?, ?, ?, ?) ON CONFLICT (source_name, stream_name) DO UPDATE SET table_name = excluded.table_name, state_json = excluded.state_json, last_updated = excluded.last_updated`,
      [source, stream, table, JSON.stringify(state), new Date().toISOString()],
    );
  }

  async clearState(source: string, stream: string): Promise<void> {
    await this.db.run(`DELETE FROM ${STATE_TABLE} WHERE source_name = ? AND stream_name = ?`, [
      source,
      stream,
    ]);
  }

  async saveStream(s: CachedStream): Promise<void> {
    await this.db.run(
      `INSERT INTO ${STREAMS_TABLE} (source_name, stream_name, table_name, catalog_metadata, last_synced_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (table_name) DO UPDATE SET catalog_metadata = excluded.catalog_metadata, last_synced_at = excluded.last_synced_at`,
      [s.source_name, s.stream_name, s.table_name, JSON.stringify(s.metadata), s.last_synced_at],
    );
  }

  /** Creates the table with these columns, or adds the missing ones to it. */
  async ensureTable(table: string, columns: readonly Column[]): Promise<void> {
    const q = (n: string) => this.db.quote(n);
    const existing = await this.db.tableColumns(table);
    if (existing === null) {
      const defs = [
        ...columns.map((c) => `${q(c.name)} ${this.db.sqlType(c.kind)}`),
        `${q("_airbyte_raw_id")} TEXT NOT NULL`,
        `${q("_airbyte_extracted_at")} ${this.db.timestampType} NOT NULL`,
        `${q("_airbyte_meta")} ${this.db.sqlType("json")} NOT NULL`,
      ];
      await this.db.run(`CREATE TABLE ${q(table)} (${defs.join(", ")})`);
      return;
    }
    const have = new Set(existing);
    for (const c of columns) {
      if (!have.has(c.name))
        await this.db.run(`ALTER TABLE ${q(table)} ADD COLUMN ${q(c.name)} ${this.db.sqlType(c.kind)}`);
    }
  }

  async ensureUniqueIndex(table: string, keys: readonly string[]): Promise<void> {
    const q = (n: string) => this.db.quote(n);
    await this.db.run(
      `CREATE UNIQUE INDEX IF NOT EXISTS ${q(indexName(table))} ON ${q(table)} (${keys.map(q).join(", ")})`,
    );
  }

  async dropUniqueIndex(table: string): Promise<void> {
    await this.db.run(`DROP INDEX IF EXISTS ${this.db.quote(indexName(table))}`);
  }

  async dropTable(table: string): Promise<void> {
    await this.db.run(`DROP TABLE IF EXISTS ${this.db.quote(table)}`);
  }

  /** Replaces `table` by `from` (renamed), with its unique index renamed to match. */
  async swapIn(from: string, table: string): Promise<void> {
    const q = (n: string) => this.db.quote(n);
    await this.db.run(`DROP TABLE IF EXISTS ${q(table)}`);
    await this.db.run(`ALTER TABLE ${q(from)} RENAME TO ${q(table)}`);
  }

  /** All the columns a row carries, in insert order. */
  static rowColumns(columns: readonly Column[]): string[] {
    return [...columns.map((c) => c.name), ...META_COLUMNS];
  }
}

export function indexName(table: string): string {
  // Index names share one namespace per schema: a hash keeps long table names apart.
  return `${table.slice(0, 40)}_${Bun.hash(table).toString(36).slice(0, 8)}_pk`;
}

/**
 * Where a replace-strategy sync writes until it swaps the table in: unique per table (a hash, as
 * long names would collide when cut) and per run (the pid, so a dead run's table can be told apart).
 */
export function stagingTable(table: string): string {
  const run = `${process.pid.toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  return `_airbyte_tmp_${table.slice(0, 24)}_${Bun.hash(table).toString(36).slice(0, 8)}_${run}`;
}
