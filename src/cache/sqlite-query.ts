// run_sql_query on the SQLite cache, read-only by construction. bun:sqlite has no
// sqlite3_set_authorizer, so the engine's own verdicts stand in for it, and the query runs in a
// child process that is killed on timeout or cancel (a synchronous SQLite call cannot be
// interrupted in-process, and a worker thread cannot be stopped while SQLite runs):
// 1. the file is opened read-only (SQLITE_OPEN_READONLY, inherited by any ATTACH);
// 2. sqlite3_stmt_readonly() must say the statement writes nothing;
// 3. its compiled program (EXPLAIN) must hold no write, schema or transaction opcode and call
//    none of attach, detach or load_extension;
// 4. it must return rows (a PRAGMA setter or BEGIN does not);
// 5. the connection and the process are thrown away after one query, so a setting changed while
//    the statement was compiled (a PRAGMA acts then) dies with them.

import { Database, type Statement } from "bun:sqlite";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ToolError } from "../core/errors.ts";
import {
  BoundedRows,
  jsonScalar,
  type QueryResult,
  queryCancelled,
  queryTimedOut,
  READ_ONLY_HINT,
  refusedText,
} from "./query.ts";

export class QueryRefused extends Error {}

const QUERY_HEAP_BYTES = 256 * 1024 * 1024;
/** The query process is killed past this resident size (what SQLite's own limit does not count). */
const QUERY_RSS_BYTES = 768 * 1024 * 1024;
/** Time left, after waiting for a lock, for the child to say so before the query time runs out. */
const BUSY_MARGIN_MS = 300;

// Opcodes that write a database, change its schema, or control transactions and connections.
const REFUSED_OPCODES = new Set([
  "OpenWrite",
  "CreateBtree",
  "Destroy",
  "Clear",
  "DropTable",
  "DropIndex",
  "DropTrigger",
  "ParseSchema",
  "SetCookie",
  "Vacuum",
  "IncrVacuum",
  "JournalMode",
  "Checkpoint",
  "VUpdate",
  "VCreate",
  "VDestroy",
  "VBegin",
  "VRename",
  "AutoCommit",
  "Savepoint",
  "SqlExec",
  "LoadAnalysis",
  "Program",
]);
const EXPLAIN_COLUMNS = "addr,opcode,p1,p2,p3,p4,p5,comment";
const PLAN_COLUMNS = "id,parent,notused,detail";
const REFUSED_FUNCTIONS = /^(sqlite_attach|sqlite_detach|load_extension)\(/;

/** Why the statement is not a plain read, or null when it is. */
export function refusal(db: Database, stmt: Statement, sql: string): string | null {
  if (!stmt.readonly) return "it would write to the database";
  let program: { opcode: string; p2: number; p4: unknown }[];
  try {
    program = db.prepare(`EXPLAIN ${sql}`).all() as typeof program;
  } catch {
    // An EXPLAIN cannot be explained again; it only lists a program or a plan and runs nothing.
    const names = stmt.columnNames.join(",");
    return names === EXPLAIN_COLUMNS || names === PLAN_COLUMNS ? null : "it cannot be checked";
  }
  let returnsRows = false;
  for (const op of program) {
    if (REFUSED_OPCODES.has(op.opcode))
      return `it would change the database or the connection (${op.opcode})`;
    if (op.opcode === "Transaction" && op.p2 !== 0) return "it would open a write transaction";
    if ((op.opcode === "Function" || op.opcode === "PureFunc") && typeof op.p4 === "string") {
      if (REFUSED_FUNCTIONS.test(op.p4)) return `it calls ${op.p4.replace(/\(.*/, "")}()`;
    }
    if (op.opcode === "ResultRow") returnsRows = true;
  }
  return returnsRows ? null : "it returns no rows (only queries are run)";
}

/** The text after the first statement holds another statement. */
export function hasSecondStatement(sql: string): boolean {
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i];
    if (c === "'" || c === '"' || c === "`") {
      const close = c;
      i++;
      while (i < n && !(sql[i] === close && sql[i + 1] !== close)) i += sql[i] === close ? 2 : 1;
      i++;
    } else if (c === "[") {
      i = sql.indexOf("]", i);
      if (i < 0) return false;
      i++;
    } else if (c === "-" && sql[i + 1] === "-") {
      const nl = sql.indexOf("\n", i);
      if (nl < 0) return false;
      i = nl + 1;
    } else if (c === "/" && sql[i + 1] === "*") {
      const end = sql.indexOf("*/", i + 2);
      if (end < 0) return false;
      i = end + 2;
    } else if (c === ";") {
      const rest = sql
        .slice(i + 1)
        .replace(/--[^\n]*(\n|$)/g, "")
        .replace(/\/\*[\s\S]*?\*\//g, "")
        .replace(/[\s;]+/g, "");
      return rest !== "";
    } else i++;
  }
  return false;
}

/** Runs one read-only query on the cache file (in the calling process: the child's body). */
export function querySqliteFile(request: {
  path: string;
  sql: string;
  maxRows: number;
  maxBytes: number;
  /** How long to wait for a lock another connection holds (a sync's last checkpoint, a WAL recovery). */
  busyMs?: number;
}): QueryResult {
  if (!existsSync(request.path)) throw new QueryRefused("The cache is empty: nothing has been synced yet.");
  if (hasSecondStatement(request.sql)) {
    throw new QueryRefused("The query holds more than one statement; send one query at a time.");
  }
  const db = new Database(request.path, { readonly: true });
  try {
    // A bound on SQLite's memory (zeroblob(1e9) and the like); the parent also watches the RSS.
    db.exec(`PRAGMA hard_heap_limit = ${QUERY_HEAP_BYTES}`);
    // WAL readers do not wait for writers, but opening can meet a short exclusive lock (a sync
    // closing the cache checkpoints it): wait for it instead of failing at once.
    db.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.floor(request.busyMs ?? 0))}`);
    let stmt: Statement;
    try {
      stmt = db.prepare(request.sql);
    } catch (error) {
      if (isBusy(error)) throw cacheBusy();
      throw new QueryRefused(`The query is not valid SQL for SQLite: ${(error as Error).message}.`);
    }
    const why = refusal(db, stmt, request.sql);
    if (why !== null) throw new QueryRefused(refusedText(why));
    stmt.safeIntegers(true);
    const result = new BoundedRows(request.maxRows, request.maxBytes);
    try {
      for (const raw of stmt.iterate() as Iterable<Record<string, unknown>>) {
        const row: Record<string, unknown> = {};
        for (const key in raw) row[key] = jsonScalar(raw[key]);
        if (!result.add(row)) break;
      }
    } catch (error) {
      throw isBusy(error) ? cacheBusy() : error;
    }
    return { columns: stmt.columnNames, rows: result.rows, cut: result.cut };
  } finally {
    db.close();
  }
}

function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return code === "SQLITE_BUSY" || code === "SQLITE_LOCKED";
}

/** A lock held by another connection outlasted the wait: nothing is wrong with the query. */
class CacheBusy extends Error {}

function cacheBusy(): CacheBusy {
  return new CacheBusy(
    "The cache stayed locked by another connection for the whole query time (a sync finishing or checkpointing, or another program holding the file). Try the query again in a moment.",
  );
}

/** The hidden CLI command the child runs: request on stdin, one JSON answer on stdout. */
export const QUERY_CHILD_COMMAND = "__sqlite-query";

export async function queryChildMain(stdin: string, write: (s: string) => void): Promise<number> {
  try {
    const result = querySqliteFile(JSON.parse(stdin));
    write(JSON.stringify({ ok: true, result }));
  } catch (error) {
    const refused = error instanceof QueryRefused;
    const message = refused || error instanceof CacheBusy ? error.message : String(error);
    write(JSON.stringify({ ok: false, refused, message }));
  }
  return 0;
}

function childArgv(): string[] {
  // Compiled, the binary is its own child; from source, Bun runs main.ts.
  const compiled = import.meta.dir.includes("$bunfs") || import.meta.dir.includes("~BUN");
  return compiled
    ? [process.execPath, QUERY_CHILD_COMMAND]
    : [process.execPath, join(import.meta.dir, "..", "..", "main.ts"), QUERY_CHILD_COMMAND];
}

export async function querySqlite(request: {
  path: string;
  sql: string;
  maxRows: number;
  maxBytes: number;
  timeoutMs: number;
  signal: AbortSignal;
}): Promise<QueryResult> {
  if (request.signal.aborted) throw queryCancelled();
  const timeout = AbortSignal.timeout(request.timeoutMs);
  const signal = AbortSignal.any([request.signal, timeout]);
  const proc = Bun.spawn(childArgv(), {
    stdin: new Blob([
      JSON.stringify({
        path: request.path,
        sql: request.sql,
        maxRows: request.maxRows,
        maxBytes: request.maxBytes,
        // Waiting for a lock ends a little before the parent stops the child, so a lock that
        // outlasts the query time is reported as one, not as a slow query.
        busyMs: Math.max(0, request.timeoutMs - BUSY_MARGIN_MS),
      }),
    ]),
    stdout: "pipe",
    stderr: "pipe",
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", AIRBYTE_MCP_LOG_LEVEL: "error" },
  });
  let tooBig = false;
  const kill = () => proc.kill("SIGKILL");
  signal.addEventListener("abort", kill, { once: true });
  // Linux: watch the child's resident memory (a huge string result, say) and stop it early.
  const watch = setInterval(() => {
    const rss = residentBytes(proc.pid);
    if (rss !== null && rss > QUERY_RSS_BYTES) {
      tooBig = true;
      kill();
    }
  }, 100);
  try {
    const [out, err] = await Promise.all([
      new Response(proc.stdout).text(),
      new Response(proc.stderr).text(),
    ]);
    await proc.exited;
    if (timeout.aborted && !request.signal.aborted) throw queryTimedOut(request.timeoutMs);
    if (request.signal.aborted) throw queryCancelled();
    if (tooBig) {
      throw new ToolError(
        `The query needed more than ${QUERY_RSS_BYTES / 1024 / 1024} MB of memory and was stopped.`,
        {
          hint: "Select fewer or smaller values (aggregate, LIMIT, substr()).",
        },
      );
    }
    let answer: { ok: true; result: QueryResult } | { ok: false; refused: boolean; message: string };
    try {
      answer = JSON.parse(out);
    } catch {
      throw new ToolError(
        `The query process ended without an answer (exit code ${proc.exitCode}${proc.signalCode ? `, ${proc.signalCode}` : ""}).`,
        {
          hint:
            err.trim().split("\n").slice(-5).join("\n") || "It may have run out of memory; narrow the query.",
        },
      );
    }
    if (!answer.ok) throw new ToolError(answer.message, answer.refused ? { hint: READ_ONLY_HINT } : {});
    return answer.result;
  } finally {
    clearInterval(watch);
    signal.removeEventListener("abort", kill);
  }
}

function residentBytes(pid: number): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
    return kb === undefined ? null : Number(kb) * 1024;
  } catch {
    return null;
  }
}
