// The little a cache backend must do, so the cache logic (tables, state, merge, transactions) is
// written once for SQLite and PostgreSQL. SQL passed here is portable: '?' placeholders,
// unqualified names (PostgreSQL sets search_path to the cache schema), ON CONFLICT upserts.

import type { ColumnKind } from "./schema.ts";

export type CacheKind = "sqlite" | "postgres";

/** A value that does not fit its column: stored as NULL and noted in `_airbyte_meta`. */
export const INVALID: unique symbol = Symbol("invalid");

export interface Upsert {
  /** Conflict target: the primary key columns (a unique index exists on them). */
  keys: string[];
  /** Columns replaced by the incoming row. */
  update: string[];
}

export interface Db {
  readonly kind: CacheKind;
  quote(identifier: string): string;
  sqlType(kind: ColumnKind): string;
  /** SQL type of `_airbyte_extracted_at` and the encoder of its value (epoch ms). */
  readonly timestampType: string;
  encodeTimestamp(ms: number): unknown;
  /** The stored form of a value for a column kind, or INVALID. Null and undefined are NULL. */
  encode(kind: ColumnKind, value: unknown): unknown;
  run(sql: string, params?: unknown[]): Promise<void>;
  all<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Inserts rows (arrays in column order); with `upsert`, a row whose key exists replaces it. */
  insertRows(
    table: string,
    columns: readonly string[],
    rows: unknown[][],
    upsert: Upsert | null,
  ): Promise<void>;
  /** Column names of a table, or null when it does not exist. */
  tableColumns(table: string): Promise<string[] | null>;
  /**
   * Starts a write transaction. SQLite waits (asynchronously) for another writer to finish; the
   * signal stops the wait.
   */
  begin(signal: AbortSignal): Promise<void>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
  readonly inTransaction: boolean;
  close(): Promise<void>;
}
