// Which cache the settings name (the embedded SQLite file, or PostgreSQL with AIRBYTE_CACHE_URL),
// opened for one tool call and closed after it.

import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Settings } from "../core/settings.ts";
import { urlWithoutCredentials } from "../core/url.ts";
import { Cache, type CacheLocation } from "./cache.ts";
import type { QueryResult } from "./query.ts";
import { openSqlite } from "./sqlite.ts";
import { querySqlite } from "./sqlite-query.ts";

export const SQLITE_FILE = "default_cache.sqlite";

export function cachePath(settings: Settings): string {
  return join(settings.cacheRoot, SQLITE_FILE);
}

export function cacheLocation(settings: Settings): CacheLocation {
  if (settings.cache.url) {
    return {
      cache_type: "PostgresCache",
      kind: "postgres",
      location: urlWithoutCredentials(settings.cache.url) ?? "postgres://(unparsable URL)",
      schema_name: settings.cache.schema,
    };
  }
  return { cache_type: "SQLiteCache", kind: "sqlite", location: cachePath(settings), schema_name: "main" };
}

/**
 * Runs `body` with the cache open. With `create: false` a SQLite cache that does not exist yet is
 * not created: `body` gets null (reading tools do not leave an empty file behind), and nothing
 * waits for a sync that is writing.
 */
export async function withCache<T>(
  settings: Settings,
  options: { create: boolean; signal: AbortSignal },
  body: (cache: Cache | null) => Promise<T>,
): Promise<T> {
  const where = cacheLocation(settings);
  if (where.kind === "sqlite" && !options.create && !existsSync(where.location)) return body(null);
  const db = settings.cache.url
    ? await (await import("./postgres.ts")).openPostgres(settings.cache.url, settings.cache.schema)
    : openSqlite(where.location);
  try {
    const cache = new Cache(db, where);
    // Reading tools never write: they see a cache without bookkeeping tables as empty.
    if (options.create) await cache.init(options.signal);
    return await body(cache);
  } finally {
    await db.close();
  }
}

export async function queryCache(
  settings: Settings,
  request: { sql: string; maxRows: number; maxBytes: number; signal: AbortSignal },
): Promise<QueryResult> {
  if (settings.cache.url) {
    const { queryPostgres } = await import("./postgres.ts");
    return queryPostgres(settings.cache.url, settings.cache.schema, {
      ...request,
      timeoutMs: settings.queryTimeoutMs,
    });
  }
  return querySqlite({ ...request, path: cachePath(settings), timeoutMs: settings.queryTimeoutMs });
}
