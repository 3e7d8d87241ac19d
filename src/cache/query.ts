// What run_sql_query's two backends share: the result shape, the bounds on it, JSON-safe values,
// and the messages an agent acts on.

import { ToolError } from "../core/errors.ts";

export interface QueryResult {
  columns: string[];
  rows: Record<string, unknown>[];
  /** Why the rows stop early: max_records, the byte cap, or null when every row is here. */
  cut: "max_records" | "bytes" | null;
}

/** The rows of a result, kept while they fit max_records and the byte cap (JSON, UTF-8). */
export class BoundedRows {
  readonly rows: Record<string, unknown>[] = [];
  cut: QueryResult["cut"] = null;
  private bytes = 0;

  constructor(
    private readonly maxRows: number,
    private readonly maxBytes: number,
  ) {}

  /** Keeps the row; false (and the row left out) once a bound is reached. */
  add(row: Record<string, unknown>): boolean {
    if (this.rows.length >= this.maxRows) {
      this.cut = "max_records";
      return false;
    }
    this.bytes += Buffer.byteLength(JSON.stringify(row));
    if (this.bytes > this.maxBytes) {
      this.cut = "bytes";
      return false;
    }
    this.rows.push(row);
    return true;
  }
}

/** A value as JSON can carry it: big integers as text, bytes as base64, NaN and infinities as text. */
export function jsonScalar(v: unknown): unknown {
  if (v === undefined) return null;
  if (typeof v === "bigint") {
    return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER)
      ? Number(v)
      : v.toString();
  }
  if (v instanceof Uint8Array) return Buffer.from(v).toString("base64");
  if (typeof v === "number" && !Number.isFinite(v)) return String(v);
  return v;
}

export function queryTimedOut(timeoutMs: number): ToolError {
  return new ToolError(`The query did not finish within ${Math.round(timeoutMs / 1000)} s and was stopped.`, {
    hint: "Narrow it (a WHERE clause, a LIMIT, fewer joins) or raise AIRBYTE_MCP_QUERY_TIMEOUT.",
  });
}

/** Why a query that would write or reconfigure the database was not run. */
export function refusedText(why: string): string {
  return `The query was refused: ${why}. The cache is read-only here.`;
}

export function queryCancelled(): ToolError {
  return new ToolError("The query was cancelled.");
}

export const READ_ONLY_HINT =
  "Only reading queries run here: SELECT (with WITH, joins, window functions, JSON functions and the like) and EXPLAIN; " +
  "on SQLite also reading PRAGMA functions such as pragma_table_info('users'), on PostgreSQL also VALUES, TABLE and SHOW. " +
  "The cache is written by sync_source_to_cache.";
