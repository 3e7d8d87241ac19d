// PostgreSQL cache backend (AIRBYTE_CACHE_URL): placeholder until implemented.

import { ToolError } from "../core/errors.ts";
import type { Db } from "./db.ts";
import type { QueryResult } from "./sqlite-query.ts";

export async function openPostgres(_url: string, _schema: string): Promise<Db> {
  throw new ToolError("The PostgreSQL cache is not implemented yet.");
}

export async function queryPostgres(
  _url: string,
  _schema: string,
  _request: { sql: string; maxRows: number; maxBytes: number; signal: AbortSignal; timeoutMs: number },
): Promise<QueryResult> {
  throw new ToolError("The PostgreSQL cache is not implemented yet.");
}
