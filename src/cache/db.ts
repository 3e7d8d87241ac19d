// The little a cache backend must do, so the cache logic (tables, state, merge, transactions) is
// written once for SQLite and PostgreSQL. SQL passed here is portable: '?' placeholders,
// unqualified names (PostgreSQL sets search_path to the cache schema), ON CONFLICT upserts.

import { isRawJson } from "../core/json.ts";
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

/** A double-quoted SQL identifier (both backends quote alike). */
export function quoteIdentifier(identifier: string): string {
  return `"${identifier.replaceAll('"', '""')}"`;
}

/** ` ON CONFLICT (keys) DO UPDATE SET c = excluded.c, ...`: the merge of both backends. */
export function upsertClause(upsert: Upsert): string {
  const q = quoteIdentifier;
  const set = upsert.update.map((c) => `${q(c)} = excluded.${q(c)}`).join(", ");
  return ` ON CONFLICT (${upsert.keys.map(q).join(", ")}) DO UPDATE SET ${set}`;
}

/** How a backend stores what the shared rules leave open. */
export interface ValueEncoding {
  true: unknown;
  false: unknown;
  /** Text holding U+0000 is refused (PostgreSQL cannot store it). */
  refuseNul: boolean;
  /** Date and time text as stored, or INVALID; null keeps the text as it is. */
  temporal: ((kind: ColumnKind, text: string) => unknown) | null;
}

const INT64_LIMIT = 2 ** 63;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * The stored form of a value for a column kind, or INVALID; null and undefined are NULL. One set
 * of rules for both backends, so a value fits (or is nulled and noted) the same way in each.
 */
export function encodeValue(kind: ColumnKind, v: unknown, e: ValueEncoding): unknown {
  if (v === null || v === undefined) return null;
  // An integer beyond 2^53 kept exact from the connector's JSON: its digits, as text.
  if (kind !== "json" && isRawJson(v)) v = v.rawJSON;
  switch (kind) {
    case "string": {
      const s = typeof v === "string" ? v : typeof v === "object" ? JSON.stringify(v) : String(v);
      return e.refuseNul && s.includes("\0") ? INVALID : s;
    }
    case "integer":
      return typeof v === "number"
        ? Number.isInteger(v) && v >= -INT64_LIMIT && v < INT64_LIMIT
          ? v
          : INVALID
        : integerText(v);
    case "number":
      return typeof v === "number" ? v : decimalText(v);
    case "boolean":
      return v === true || v === "true" ? e.true : v === false || v === "false" ? e.false : INVALID;
    case "json":
      return JSON.stringify(v);
    default:
      if (typeof v !== "string") return INVALID;
      return e.temporal === null ? v : e.temporal(kind, v);
  }
}

/** An integer sent as text ("12345678901234567"), kept exact as a 64-bit integer. */
function integerText(v: unknown): unknown {
  if (typeof v !== "string" || !/^-?\d{1,19}$/.test(v)) return INVALID;
  const n = BigInt(v);
  if (n < INT64_MIN || n > INT64_MAX) return INVALID;
  return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
}

function decimalText(v: unknown): unknown {
  // Decimal text only: Number() would also take "0x1F" and "Infinity".
  if (typeof v !== "string" || !/^\s*-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(v)) return INVALID;
  const n = Number(v);
  return Number.isFinite(n) ? n : INVALID;
}
