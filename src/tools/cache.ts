// The cache tools (pyairbyte-mcp.md §1a, §8): sync a source into the cache, list and describe
// what is cached, and query it with read-only SQL.

import { z } from "zod";
import { cacheLocation, queryCache, withCache } from "../cache/open.ts";
import { syncToCache } from "../cache/sync.ts";
import { ExecutorInfo } from "../connectors/executor.ts";
import { withConnector } from "../connectors/local.ts";
import { findStream } from "../connectors/read.ts";
import { discoverCatalog } from "../connectors/verbs.ts";
import { ToolError } from "../core/errors.ts";
import { defineTool, type ToolContext, type ToolHints } from "../core/tool.ts";
import { configParams, connectorName, executionParams, streamList } from "./connectors.ts";

const READ: ToolHints = {
  readOnlyHint: true,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: false,
};

const cacheInfo = z.object({
  cache_type: z.enum(["SQLiteCache", "PostgresCache"]),
  location: z.string().describe("The SQLite file, or the PostgreSQL server and database (no credentials)."),
  schema_name: z.string(),
});

const streamReport = z.object({
  stream_name: z.string(),
  table_name: z.string(),
  write_strategy: z.enum(["merge", "append", "replace"]),
  sync_mode: z.enum(["full_refresh", "incremental"]),
  records: z.number().int(),
  bytes: z.number().int().describe("Size of the stored values (text in characters, 8 per number)."),
  state_saved: z.boolean().describe("A state was committed, so the next sync resumes from it."),
  columns_added: z.array(z.string()),
  values_nulled: z
    .number()
    .int()
    .describe("Values that did not fit their column type, stored as NULL and listed in _airbyte_meta."),
});

export const syncSourceToCache = defineTool({
  name: "sync_source_to_cache",
  title: "Sync a source into the cache",
  description:
    "Read streams of a source into the local cache (SQLite by default, PostgreSQL with AIRBYTE_CACHE_URL), one " +
    "table per stream, then query them with run_sql_query. Incremental by default: each stream resumes from the " +
    "state saved by its last sync. Streams: 'suggested' (the registry's suggested streams, else all), '*', a list, " +
    "or a comma-separated string. Write strategy 'auto' merges by primary key, appends by cursor, else replaces. " +
    "A stopped sync keeps each stream as of its last committed state; run it again to continue.",
  domain: "local",
  input: z
    .object({
      source_connector_name: connectorName,
      ...configParams,
      streams: z
        .union([z.array(z.string()), z.string()])
        .default("suggested")
        .describe("'suggested', '*', a list of names, a JSON array string or a comma-separated string."),
      write_strategy: z
        .enum(["auto", "merge", "append", "replace"])
        .default("auto")
        .describe(
          "'auto': merge when the stream has a primary key, append when it has a cursor, else replace.",
        ),
      force_full_refresh: z
        .boolean()
        .default(false)
        .describe("Ignore the saved state and read every record again."),
      ...executionParams,
    })
    .strict(),
  output: z.object({
    source_name: z.string(),
    streams: z.array(streamReport),
    records: z.number().int(),
    bytes: z.number().int(),
    duration_seconds: z.number(),
    streams_selected_by: z.string().describe("How the streams were chosen."),
    cache: cacheInfo,
    executor: ExecutorInfo,
    message: z.string(),
  }),
  hints: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  needsFilesystem: true,
  handler: (input, ctx) =>
    withConnector(input.source_connector_name, input, ctx, async (c) => {
      const config = await c.config(input);
      const catalog = await discoverCatalog(c.executor, config, c.signal);
      const selection = await selectStreams(input.streams, input.source_connector_name, ctx);
      let { names, by } = selection;
      if (selection.suggested && names !== null) {
        // The registry may suggest a stream this version of the source does not have.
        const missing = names.filter((n) => !catalog.streams.some((s) => s.name === n));
        names = names.filter((n) => !missing.includes(n));
        if (missing.length > 0) by += ` (not in this source's catalog, skipped: ${missing.join(", ")})`;
        if (names.length === 0) names = null;
      }
      const streams =
        names === null
          ? catalog.streams
          : names.map((n) => findStream(catalog, n, input.source_connector_name));
      names === null
        ? catalog.streams
        : names.map((n) => findStream(catalog, n, input.source_connector_name));
      if (streams.length === 0) {
        throw new ToolError(`${input.source_connector_name} has no streams to sync.`);
      }
      const report = await withCache(ctx.settings, { create: true, signal: c.signal }, (cache) =>
        syncToCache(cache as NonNullable<typeof cache>, {
          source: input.source_connector_name,
          executor: c.executor,
          config,
          streams,
          strategy: input.write_strategy,
          fullRefresh: input.force_full_refresh,
          signal: c.signal,
          progress: ctx.progress
            ? (p) => ctx.progress?.({ progress: p.records, message: p.message })
            : undefined,
        }),
      );
      const where = cacheLocation(ctx.settings);
      return {
        source_name: input.source_connector_name,
        streams: report.streams,
        records: report.records,
        bytes: report.bytes,
        duration_seconds: report.duration_seconds,
        streams_selected_by: by,
        cache: { cache_type: where.cache_type, location: where.location, schema_name: where.schema_name },
        executor: c.executor.info,
        message: `Synced ${report.records} record(s) of ${report.streams.length} stream(s) from ${input.source_connector_name} into the ${where.cache_type} in ${report.duration_seconds} s. Query them with run_sql_query, e.g. SELECT * FROM ${report.streams[0]?.table_name ?? "<table>"} LIMIT 10.`,
      };
    }),
});

/** 'suggested' → the registry's suggested streams (else every stream); otherwise streamList's rules. */
async function selectStreams(
  value: string[] | string,
  source: string,
  ctx: ToolContext,
): Promise<{ names: string[] | null; by: string; suggested?: boolean }> {
  if (typeof value === "string" && value.trim().toLowerCase() === "suggested") {
    try {
      const { entry } = await ctx.registry.find(source, ctx.signal);
      const suggested = entry.suggested_streams ?? [];
      if (suggested.length > 0)
        return { names: suggested, by: `the registry's suggested streams for ${source}` };
      return { names: null, by: `every stream (the registry suggests none for ${source})` };
    } catch (error) {
      if (!(error instanceof ToolError)) throw error;
      return { names: null, by: `every stream (${source} is not in the registry)` };
    }
  }
  const names = streamList(value);
  return names === null ? { names, by: "every stream ('*')" } : { names, by: "the streams asked for" };
}

const cachedStream = z.object({
  stream_name: z.string(),
  table_name: z.string(),
  schema_name: z.string(),
  source_name: z.string(),
  record_count: z.number().int().nullable().describe("Rows in the table; null when the table is gone."),
  write_strategy: z.string(),
  last_synced_at: z.string().nullable(),
  columns: z.array(z.object({ name: z.string(), type: z.string(), property: z.string().nullable() })),
});

async function cachedStreams(ctx: ToolContext) {
  const where = cacheLocation(ctx.settings);
  return withCache(ctx.settings, { create: false, signal: ctx.signal }, async (cache) => {
    if (!cache) return [];
    const out: z.input<typeof cachedStream>[] = [];
    for (const s of await cache.streams()) {
      out.push({
        stream_name: s.stream_name,
        table_name: s.table_name,
        schema_name: where.schema_name,
        source_name: s.source_name,
        record_count: await cache.count(s.table_name),
        write_strategy: s.metadata.write_strategy,
        last_synced_at: s.last_synced_at,
        columns: s.metadata.columns.map((c) => ({ name: c.name, type: c.kind, property: c.property })),
      });
    }
    return out;
  });
}

export const listCachedStreams = defineTool({
  name: "list_cached_streams",
  title: "List cached streams",
  description: "List the streams in the local cache: their tables, row counts, columns and last sync time.",
  domain: "local",
  input: z.object({}).strict(),
  output: z.object({ streams: z.array(cachedStream), note: z.string().nullable() }),
  hints: READ,
  needsFilesystem: true,
  async handler(_input, ctx) {
    const streams = await cachedStreams(ctx);
    return {
      streams,
      note:
        streams.length === 0 ? "The cache is empty: sync a source with sync_source_to_cache first." : null,
    };
  },
});

export const describeDefaultCache = defineTool({
  name: "describe_default_cache",
  title: "Describe the cache",
  description: "Where the local cache is (SQLite file or PostgreSQL database), and which streams it holds.",
  domain: "local",
  input: z.object({}).strict(),
  output: z.object({
    cache_type: z.enum(["SQLiteCache", "PostgresCache"]),
    cache_dir: z.string().nullable(),
    cache_db_path: z.string().nullable(),
    location: z.string(),
    schema_name: z.string(),
    cached_streams: z.array(z.string()),
    tables: z.array(
      z.object({
        stream_name: z.string(),
        source_name: z.string(),
        table_name: z.string(),
        record_count: z.number().int().nullable(),
      }),
    ),
  }),
  hints: READ,
  needsFilesystem: true,
  async handler(_input, ctx) {
    const where = cacheLocation(ctx.settings);
    const streams = await cachedStreams(ctx);
    const sqlite = where.kind === "sqlite";
    return {
      cache_type: where.cache_type,
      cache_dir: sqlite ? ctx.settings.cacheRoot : null,
      cache_db_path: sqlite ? where.location : null,
      location: where.location,
      schema_name: where.schema_name,
      cached_streams: streams.map((s) => s.stream_name),
      tables: streams.map((s) => ({
        stream_name: s.stream_name,
        source_name: s.source_name,
        table_name: s.table_name,
        record_count: s.record_count ?? null,
      })),
    };
  },
});

export const runSqlQuery = defineTool({
  name: "run_sql_query",
  title: "Query the cache with SQL",
  description:
    "Run one read-only SQL query on the local cache and return its rows (at most max_records, and within the " +
    "result byte cap; the result says when it was cut). Anything that would write or change the database is " +
    "refused. SQLite dialect by default (json_extract(address, '$.city') for nested fields), PostgreSQL with " +
    "AIRBYTE_CACHE_URL (address->>'city').",
  domain: "local",
  input: z
    .object({
      sql_query: z.string().min(1).describe("One SQL query, e.g. SELECT name, email FROM users LIMIT 10."),
      max_records: z.number().int().min(1).default(1000).describe("Return at most this many rows."),
    })
    .strict(),
  output: z.object({
    columns: z.array(z.string()),
    rows: z.array(z.record(z.string(), z.unknown())),
    row_count: z.number().int(),
    truncated: z.boolean().describe("True when more rows exist than were returned."),
    note: z.string().nullable(),
  }),
  hints: READ,
  needsFilesystem: true,
  async handler(input, ctx) {
    const result = await queryCache(ctx.settings, {
      sql: input.sql_query,
      maxRows: input.max_records,
      maxBytes: ctx.settings.maxResultBytes,
      signal: ctx.signal,
    });
    const note =
      result.cut === "max_records"
        ? `Only the first ${result.rows.length} rows are returned (max_records). Add a LIMIT or aggregate to see less, or raise max_records.`
        : result.cut === "bytes"
          ? `Only the first ${result.rows.length} rows are returned: the result is capped at ${ctx.settings.maxResultBytes} bytes (AIRBYTE_MCP_MAX_RESULT_BYTES). Select fewer columns or rows.`
          : null;
    return {
      columns: result.columns,
      rows: result.rows,
      row_count: result.rows.length,
      truncated: result.cut !== null,
      note,
    };
  },
});

export const CACHE_TOOLS = [syncSourceToCache, listCachedStreams, describeDefaultCache, runSqlQuery] as const;
