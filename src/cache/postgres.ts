// The PostgreSQL cache backend (AIRBYTE_CACHE_URL), through Bun.sql: one schema holds the cache's
// tables, written over one reserved connection so a transaction spans the awaits of a sync, and
// queried by run_sql_query over a connection of its own that can only read (queryPostgres).

import { type ReservedSQL, SQL } from "bun";
import { ToolError } from "../core/errors.ts";
import { urlWithoutCredentials } from "../core/url.ts";
import {
  type Db,
  encodeValue,
  INVALID,
  quoteIdentifier,
  type Upsert,
  upsertClause,
  type ValueEncoding,
} from "./db.ts";
import {
  BoundedRows,
  jsonScalar,
  type QueryResult,
  queryCancelled,
  queryTimedOut,
  READ_ONLY_HINT,
  refusedText,
} from "./query.ts";
import type { ColumnKind } from "./schema.ts";

const SQL_TYPES: Record<ColumnKind, string> = {
  integer: "BIGINT",
  number: "DOUBLE PRECISION",
  boolean: "BOOLEAN",
  string: "TEXT",
  timestamp_tz: "TIMESTAMPTZ",
  timestamp: "TIMESTAMP",
  date: "DATE",
  time: "TIME",
  json: "JSONB",
};

const CONNECT_SECONDS = 10;
/** A statement carries at most 65535 parameters (the protocol counts them in 16 bits). */
const MAX_PARAMS = 65_535;
const MAX_ROWS_PER_INSERT = 1000;
/** First key of the advisory lock that makes writers of one schema take turns ("ABMC"). */
const LOCK_CLASS = 0x41424d43;

/** host:port/db: what a message may name. Never the user or the password. */
function target(url: string): string {
  return urlWithoutCredentials(url)?.replace(/^[a-z]+:\/\//i, "") ?? "(unparsable AIRBYTE_CACHE_URL)";
}

const quote = quoteIdentifier;

/** A client for the URL. The database is passed explicitly: Bun would let PGDATABASE override it. */
function client(url: string, options: { bigint?: boolean; connection?: Record<string, string> }): SQL {
  let database: string | undefined;
  try {
    const u = new URL(url);
    database = decodeURIComponent(u.pathname.slice(1)) || undefined;
  } catch {
    throw new ToolError("AIRBYTE_CACHE_URL is not a valid URL.", {
      hint: "Use a PostgreSQL URL such as postgres://user:password@host:5432/db.",
    });
  }
  try {
    return new SQL({
      url,
      ...(database ? { database } : {}),
      max: 1,
      connectionTimeout: CONNECT_SECONDS,
      bigint: options.bigint ?? false,
      connection: { application_name: "airbyte-mcp", TimeZone: "UTC", ...options.connection },
    });
  } catch {
    // Bun's own message quotes the URL (redacted, but ours says less).
    throw new ToolError("AIRBYTE_CACHE_URL is not a valid PostgreSQL URL.", {
      hint: "Use a PostgreSQL URL such as postgres://user:password@host:5432/db.",
    });
  }
}

interface PgError {
  code?: string;
  errno?: string;
  message?: string;
}

/**
 * A connection that failed, said without the user or the password: the server's own message
 * names the user ("password authentication failed for user ..."), so only its kind is kept.
 */
function connectError(error: unknown, url: string): ToolError {
  const e = error as PgError;
  const where = target(url);
  const why =
    e.errno === "28P01" || e.errno === "28000"
      ? "the server refused the user name or password"
      : e.errno === "3D000"
        ? "the database does not exist"
        : e.code === "ERR_POSTGRES_CONNECTION_TIMEOUT"
          ? `no answer within ${CONNECT_SECONDS} s`
          : e.code === "ERR_POSTGRES_CONNECTION_REFUSED" || e.code === "ERR_POSTGRES_CONNECTION_CLOSED"
            ? "the connection was refused or closed"
            : `${e.code ?? "error"}${e.errno ? ` ${e.errno}` : ""}`;
  return new ToolError(`Cannot connect to the PostgreSQL cache at ${where}: ${why}.`, {
    hint: "Check AIRBYTE_CACHE_URL (host, port, database, user and password) and that the PostgreSQL server is running and reachable from here.",
  });
}

/** An error from a statement of the cache: the ones a user can act on become ToolErrors. */
function statementError(error: unknown, url: string): unknown {
  const e = error as PgError;
  if (e.code === "ERR_POSTGRES_CONNECTION_CLOSED" || e.errno?.startsWith("08") || e.errno === "57P01") {
    return new ToolError(`Lost the connection to the PostgreSQL cache at ${target(url)}.`, {
      hint: "Check that the PostgreSQL server is running, then run the sync again: it resumes from the last commit.",
      cause: error,
    });
  }
  if (e.errno === "42501" || e.errno?.startsWith("53")) {
    return new ToolError(`The PostgreSQL cache at ${target(url)} refused a write: ${e.message}.`, {
      hint: "The user of AIRBYTE_CACHE_URL needs to own the cache schema (or have CREATE on the database), and the server enough disk and memory.",
      cause: error,
    });
  }
  return error;
}

/** '?' placeholders (outside quotes and comments) as PostgreSQL's $1, $2... */
function dollarPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/'(?:[^']|'')*'|"(?:[^"]|"")*"|--[^\n]*|\/\*[\s\S]*?\*\/|\?/g, (m) =>
    m === "?" ? `$${++n}` : m,
  );
}

// Temporal values are checked here, not by the server: a value PostgreSQL rejects would fail the
// whole multi-row INSERT, where the sync wants that one value NULL and noted in _airbyte_meta.
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-](\d{2})(?::?(\d{2}))?)?)?$/;
const TIME = /^(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-](\d{2})(?::?(\d{2}))?)?$/;

function validDate(y: string, m: string, d: string): boolean {
  const year = Number(y);
  const month = Number(m);
  const day = Number(d);
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  const date = new Date(Date.UTC(2000, month - 1, day));
  date.setUTCFullYear(year);
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** Hours up to 24 (24:00:00 only), seconds up to 60 (a leap second), offsets up to ±15:59. */
function validTime(h = "0", m = "0", s = "0", fraction = "", offsetH = "0", offsetM = "0"): boolean {
  const hour = Number(h);
  const atMidnight = Number(m) === 0 && Number(s) === 0 && !/[1-9]/.test(fraction);
  return (
    (hour < 24 || (hour === 24 && atMidnight)) &&
    Number(m) < 60 &&
    Number(s) <= 60 &&
    Number(offsetH) <= 15 &&
    Number(offsetM) < 60
  );
}

function temporal(kind: ColumnKind, v: unknown): unknown {
  if (typeof v !== "string") return INVALID;
  if (kind === "time") {
    const t = TIME.exec(v);
    return t && validTime(t[1], t[2], t[3], t[4], t[6], t[7]) ? v : INVALID;
  }
  // Timestamps may be a bare date, and dates a timestamp: PostgreSQL reads both (a date drops the time).
  const d = DATE_TIME.exec(v);
  return d &&
    validDate(d[1] as string, d[2] as string, d[3] as string) &&
    validTime(d[4], d[5], d[6], d[7], d[9], d[10])
    ? v
    : INVALID;
}

// The shared rules, plus what PostgreSQL refuses: NUL in text and date/time text it would not parse.
const ENCODING: ValueEncoding = { true: true, false: false, refuseNul: true, temporal };

export class PostgresDb implements Db {
  readonly kind = "postgres" as const;
  readonly timestampType = "TIMESTAMPTZ";
  private txn = false;
  /** Per table, its columns' types (for the JSON casts of insertRows); dropped by any DDL. */
  private readonly types = new Map<string, Map<string, string>>();

  constructor(
    private readonly sql: SQL,
    private readonly conn: ReservedSQL,
    private readonly url: string,
    readonly schema: string,
  ) {}

  quote(identifier: string): string {
    return quote(identifier);
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

  private async exec<T>(text: string, params: unknown[] = []): Promise<T[]> {
    try {
      // Without parameters Bun uses the simple protocol; either way the text is the cache's own.
      const rows = params.length > 0 ? await this.conn.unsafe(text, params) : await this.conn.unsafe(text);
      return rows as T[];
    } catch (error) {
      throw statementError(error, this.url);
    }
  }

  async run(sql: string, params: unknown[] = []): Promise<void> {
    if (/^\s*(create|alter|drop)\b/i.test(sql)) this.types.clear();
    await this.exec(dollarPlaceholders(sql), params);
  }

  async all<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    return [...(await this.exec<T>(dollarPlaceholders(sql), params))];
  }

  async insertRows(
    table: string,
    columns: readonly string[],
    rows: unknown[][],
    upsert: Upsert | null,
  ): Promise<void> {
    if (rows.length === 0) return;
    // ON CONFLICT DO UPDATE cannot touch one row twice in a statement: the last row of a key wins,
    // as it would with one statement per row.
    const batch = upsert
      ? lastPerKey(
          rows,
          upsert.keys.map((k) => columns.indexOf(k)),
        )
      : rows;
    // Bun serialises a parameter the server types as JSON with JSON.stringify, so the JSON text
    // of a row would be stored as a JSON string: sent as text, the server parses it instead.
    const types = await this.columnTypes(table, columns);
    const casts = columns.map((c) => {
      const type = types.get(c);
      return type === "jsonb" || type === "json" ? `::text::${type}` : "";
    });
    const per = Math.max(1, Math.min(MAX_ROWS_PER_INSERT, Math.floor(MAX_PARAMS / columns.length)));
    const q = (c: string) => quote(c);
    const head = `INSERT INTO ${q(table)} (${columns.map(q).join(", ")}) VALUES `;
    const tail = upsert ? upsertClause(upsert) : "";
    for (let start = 0; start < batch.length; start += per) {
      const chunk = batch.slice(start, start + per);
      const tuples: string[] = [];
      let p = 0;
      for (const _ of chunk) tuples.push(`(${casts.map((cast) => `$${++p}${cast}`).join(", ")})`);
      await this.exec(head + tuples.join(", ") + tail, chunk.flat());
    }
  }

  private async columnTypes(table: string, columns: readonly string[]): Promise<Map<string, string>> {
    let types = this.types.get(table);
    if (!types || columns.some((c) => !types?.has(c))) {
      const rows = await this.exec<{ column_name: string; data_type: string }>(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2",
        [this.schema, table],
      );
      types = new Map(rows.map((r) => [r.column_name, r.data_type]));
      this.types.set(table, types);
    }
    return types;
  }

  async tableColumns(table: string): Promise<string[] | null> {
    const rows = await this.exec<{ column_name: string }>(
      "SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position",
      [this.schema, table],
    );
    return rows.length > 0 ? rows.map((r) => r.column_name) : null;
  }

  get inTransaction(): boolean {
    return this.txn;
  }

  /**
   * Writers of one schema take turns, transaction by transaction, as with SQLite: concurrent
   * CREATE TABLE IF NOT EXISTS or ALTER TABLE of two syncs would otherwise fail or deadlock. The
   * lock is tried, not waited for, so the signal can stop the wait.
   */
  async begin(signal: AbortSignal): Promise<void> {
    await this.exec("BEGIN");
    this.txn = true;
    try {
      for (let wait = 5; ; wait = Math.min(wait * 2, 200)) {
        const [row] = await this.exec<{ locked: boolean }>(
          "SELECT pg_try_advisory_xact_lock($1, hashtext($2)) AS locked",
          [LOCK_CLASS, this.schema],
        );
        if (row?.locked) return;
        if (signal.aborted) throw signal.reason ?? new Error("aborted");
        await Bun.sleep(wait);
      }
    } catch (error) {
      await this.rollback().catch(() => {});
      throw error;
    }
  }

  async commit(): Promise<void> {
    try {
      await this.exec("COMMIT");
    } finally {
      this.txn = false;
    }
  }

  async rollback(): Promise<void> {
    if (!this.txn) return;
    try {
      await this.exec("ROLLBACK");
    } finally {
      this.txn = false;
    }
  }

  async close(): Promise<void> {
    await this.rollback().catch(() => {});
    this.conn.release();
    await this.sql.close({ timeout: 0 });
  }
}

function lastPerKey(rows: unknown[][], keyIndexes: number[]): unknown[][] {
  const at = new Map<string, number>();
  const out: (unknown[] | null)[] = [];
  for (const row of rows) {
    const key = keyIndexes.map((i) => row[i]);
    // NULL keys never conflict (a unique index holds any number of them).
    if (!key.some((v) => v === null || v === undefined)) {
      const k = JSON.stringify(key);
      const previous = at.get(k);
      if (previous !== undefined) out[previous] = null;
      at.set(k, out.length);
    }
    out.push(row);
  }
  return out.filter((r): r is unknown[] => r !== null);
}

/** Connects, creates the schema if needed and makes it the one unqualified names resolve in. */
export async function openPostgres(url: string, schema: string): Promise<Db> {
  const sql = client(url, {});
  let conn: ReservedSQL;
  try {
    conn = await sql.reserve();
  } catch (error) {
    await sql.close({ timeout: 0 }).catch(() => {});
    throw connectError(error, url);
  }
  const db = new PostgresDb(sql, conn, url, schema);
  try {
    // Looked up first: CREATE SCHEMA IF NOT EXISTS needs CREATE on the database even when the
    // schema exists, and two first syncs at once may both create it.
    const [found] = await conn`SELECT 1 AS one FROM pg_namespace WHERE nspname = ${schema}`;
    if (!found) {
      await conn.unsafe(`CREATE SCHEMA IF NOT EXISTS ${quote(schema)}`).catch((error: PgError) => {
        if (error.errno !== "42P06" && error.errno !== "23505") throw error;
      });
    }
    await conn.unsafe(`SET search_path TO ${quote(schema)}`);
  } catch (error) {
    await db.close().catch(() => {});
    const e = statementError(error, url);
    if (e instanceof ToolError) throw e;
    throw new ToolError(
      `Cannot use schema '${schema}' of the PostgreSQL cache at ${target(url)}: ${(error as Error).message}.`,
      {
        hint: "Set AIRBYTE_CACHE_SCHEMA to a schema the user of AIRBYTE_CACHE_URL owns, or grant it CREATE on the database.",
      },
    );
  }
  return db;
}

// run_sql_query on PostgreSQL, read-only by construction:
// 1. its own connection, whose transactions are read-only by default, closed after the query, so
//    nothing a query changes in the session (set_config, advisory locks) outlives it;
// 2. a READ ONLY transaction that is rolled back, with a statement_timeout;
// 3. the query is the body of `DECLARE ... CURSOR FOR`, whose grammar takes only a SELECT,
//    VALUES, TABLE or WITH (without data-modifying parts), sent with the extended protocol
//    (a tagged template; Bun sends sql.unsafe without parameters as a simple query, which would
//    run a second statement), where the server refuses more than one statement. EXPLAIN and SHOW
//    run as they are, through the same protocol and transaction.
// Rows come FETCHed a page at a time, so max_records is a server-side limit.

const PAGE = 500;
const CURSOR_WORDS = new Set(["select", "with", "values", "table", "("]);
const DIRECT_WORDS = new Set(["explain", "show"]);

function firstWord(sql: string): string {
  const rest = sql.replace(/^(\s+|--[^\n]*(\n|$)|\/\*[\s\S]*?\*\/)*/, "");
  return rest.startsWith("(") ? "(" : (/^[a-z_]+/i.exec(rest)?.[0] ?? "").toLowerCase();
}

function refused(why: string): ToolError {
  return new ToolError(refusedText(why), {
    hint: READ_ONLY_HINT,
  });
}

// Type OIDs whose JavaScript form needs another shape in JSON.
const DATE = 1082;
const TIMESTAMP = 1114;

function resultColumns(rows: SQL.ResultMetadata): { name: string; type: number }[] {
  return (rows.columns ?? []).map((col) => ({ name: col.name, type: col.type }));
}

function jsonValue(v: unknown, type: number): unknown {
  if (v instanceof Date) {
    if (Number.isNaN(v.getTime())) return null;
    const iso = v.toISOString();
    return type === DATE ? iso.slice(0, 10) : type === TIMESTAMP ? iso.slice(0, -1) : iso;
  }
  if (Array.isArray(v)) return v.map((x) => jsonValue(x, type));
  return jsonScalar(v);
}

export async function queryPostgres(
  url: string,
  schema: string,
  request: { sql: string; maxRows: number; maxBytes: number; signal: AbortSignal; timeoutMs: number },
): Promise<QueryResult> {
  const word = firstWord(request.sql);
  const direct = DIRECT_WORDS.has(word);
  if (!direct && !CURSOR_WORDS.has(word)) {
    throw refused(
      word
        ? `${word.toUpperCase()} is not a query (only SELECT, WITH, VALUES, TABLE, EXPLAIN and SHOW run)`
        : "it holds no statement",
    );
  }
  const timeoutMs = Math.max(1, Math.round(request.timeoutMs));
  const sql = client(url, {
    bigint: true,
    connection: { default_transaction_read_only: "on", search_path: quote(schema) },
  });
  // The running statement, for a cancel or a timeout: the server is asked to stop it.
  let running: { cancel(): unknown } | null = null;
  let timedOut = false;
  const stop = () => {
    running?.cancel();
    sql.close({ timeout: 0 }).catch(() => {});
  };
  const onAbort = () => stop();
  request.signal.addEventListener("abort", onAbort, { once: true });
  // statement_timeout stops the server; this stops a wait for a server that does not answer.
  const timer = setTimeout(() => {
    timedOut = true;
    stop();
  }, timeoutMs + 5000);
  const track = <T extends { cancel(): unknown }>(q: T): T => {
    running = q;
    return q;
  };
  let conn: ReservedSQL | null = null;
  try {
    try {
      conn = await sql.reserve({ signal: request.signal });
    } catch (error) {
      if (request.signal.aborted) throw queryCancelled();
      throw connectError(error, url);
    }
    const c = conn;
    await c.unsafe("BEGIN READ ONLY");
    await c.unsafe(`SET LOCAL statement_timeout = ${timeoutMs}`);
    const result = new BoundedRows(request.maxRows, request.maxBytes);
    let columns: { name: string; type: number }[] = [];
    // Adds rows until a bound is met; false then.
    const take = (rows: unknown[][]): boolean => {
      for (const values of rows) {
        const row: Record<string, unknown> = {};
        columns.forEach((col, i) => {
          row[col.name] = jsonValue(values[i], col.type);
        });
        if (!result.add(row)) return false;
      }
      return true;
    };
    if (direct) {
      const rows = await track(c`${c.unsafe(request.sql)}`.values());
      columns = resultColumns(rows);
      take(rows as unknown[][]);
    } else {
      await track(c`DECLARE airbyte_mcp_query NO SCROLL CURSOR FOR ${c.unsafe(request.sql)}`);
      for (;;) {
        // One row past max_records tells whether there are more.
        const want = Math.min(PAGE, request.maxRows + 1 - result.rows.length);
        const rows = await track(c.unsafe(`FETCH FORWARD ${want} FROM airbyte_mcp_query`).values());
        columns = resultColumns(rows);
        if (!take(rows as unknown[][]) || rows.length < want) break;
      }
    }
    running = null;
    await c.unsafe("ROLLBACK").catch(() => {});
    return { columns: columns.map((col) => col.name), rows: result.rows, cut: result.cut };
  } catch (error) {
    if (error instanceof ToolError) throw error;
    if (request.signal.aborted) throw queryCancelled();
    const e = error as PgError;
    if (timedOut || e.errno === "57014") throw queryTimedOut(timeoutMs);
    const message = String(e.message ?? error);
    // Class 25: a write, or a change of the transaction, in the read-only transaction.
    if (e.errno?.startsWith("25") || /data-modifying|SELECT \.\.\. INTO/.test(message)) {
      throw refused(`it would write to the database or change the transaction (${message})`);
    }
    if (/multiple commands/.test(message)) {
      throw refused("it holds more than one statement; send one query at a time");
    }
    if (e.errno?.startsWith("42") && e.errno !== "42501") {
      throw new ToolError(`The query is not valid SQL for PostgreSQL: ${message}.`, {
        hint: "list_cached_streams shows the cached tables and their columns.",
      });
    }
    if (e.errno !== undefined) throw new ToolError(`The query failed: ${message}.`);
    if (e.code?.startsWith("ERR_POSTGRES")) throw connectError(error, url);
    throw error;
  } finally {
    clearTimeout(timer);
    request.signal.removeEventListener("abort", onAbort);
    conn?.release();
    await sql.close({ timeout: 0 }).catch(() => {});
  }
}
