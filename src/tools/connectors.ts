// Local tools that run a connector (pyairbyte-mcp.md §1a: same names and parameters, plus version
// pinning and a choice of executor). Every result says which executor ran and why.

import { z } from "zod";
import type { JsonObject } from "../connectors/config.ts";
import { secretFieldNames } from "../connectors/config.ts";
import { EXECUTION_MODES, ExecutorInfo } from "../connectors/executor.ts";
import { withConnector } from "../connectors/local.ts";
import { ByteBudget, findStream, readStreamRecords } from "../connectors/read.ts";
import { validateConfig } from "../connectors/validate.ts";
import { checkConnection, discoverCatalog } from "../connectors/verbs.ts";
import { ToolError } from "../core/errors.ts";
import { defineTool, type ToolHints } from "../core/tool.ts";

// Runs a process on this machine and reads only: not an open world in PyAirbyte's sense (§1a).
const READ: ToolHints = {
  readOnlyHint: true,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: false,
};

export const configParams = {
  config: z
    .union([z.record(z.string(), z.unknown()), z.string()])
    .nullable()
    .default(null)
    .describe(
      "Connector config as an object or a JSON string. Secrets go in as 'secret_reference::ENV_VAR_NAME', never as plain values.",
    ),
  config_file: z
    .string()
    .nullable()
    .default(null)
    .describe("Absolute path of a YAML or JSON config file on the server (merged first; may hold secrets)."),
  config_secret_name: z
    .string()
    .nullable()
    .default(null)
    .describe("Name of an env-file variable holding a whole JSON/YAML config, merged on top."),
};

export const executionParams = {
  override_execution_mode: z
    .enum(EXECUTION_MODES)
    .default("auto")
    .describe(
      "How to run the connector: 'auto' (built-in, then native manifest, then an executable on PATH, then a Python venv, then a container), 'builtin', 'yaml', 'path', 'python' or 'docker'.",
    ),
  manifest_path: z
    .string()
    .nullable()
    .default(null)
    .describe("Absolute path of a declarative manifest (YAML) to run instead of the registry's."),
  connector_version: z
    .string()
    .nullable()
    .default(null)
    .describe("Pin a connector version (image tag or PyPI version); default: the registry's latest."),
  docker_image: z
    .string()
    .nullable()
    .default(null)
    .describe("Run this image (e.g. 'airbyte/source-github:1.8.0') in a container."),
  pip_url: z
    .string()
    .nullable()
    .default(null)
    .describe("What pip installs for the python executor: a package spec, a URL, or a local path or wheel."),
  executable: z
    .string()
    .nullable()
    .default(null)
    .describe("Command line of a local connector program (runs with the 'path' executor)."),
};

export const connectorName = z
  .string()
  .min(1)
  .describe("Connector name, e.g. 'source-github' or 'source-faker'.");
const streamName = z.string().min(1).describe("Stream name, as listed by list_source_streams.");
const records = z.array(z.record(z.string(), z.unknown()));

function cutNote(omitted: number, maxBytes: number): string | null {
  return omitted > 0
    ? `${omitted} record(s) were read but left out: the result is capped at ${maxBytes} bytes (AIRBYTE_MCP_MAX_RESULT_BYTES). Ask for fewer records, or sync to the cache and query it.`
    : null;
}

export const validateConnectorConfig = defineTool({
  name: "validate_connector_config",
  title: "Validate a connector config",
  description:
    "Check a source or destination config: resolve it (config, config_file, config_secret_name, secret references), " +
    "validate it against the connector's spec, naming every bad field, then run the connector's 'check'. " +
    "Returns is_valid and a message; failures are results, not errors.",
  domain: "local",
  input: z.object({ connector_name: connectorName, ...configParams, ...executionParams }).strict(),
  output: z.object({
    is_valid: z.boolean(),
    message: z.string(),
    problems: z
      .array(z.object({ field: z.string(), problem: z.string() }))
      .describe("Fields that do not match the spec (empty when the config matched it)."),
    executor: ExecutorInfo.nullable().describe("Null when no executor could be chosen."),
  }),
  hints: READ,
  needsFilesystem: true,
  async handler(input, ctx) {
    let executor: z.infer<typeof ExecutorInfo> | null = null;
    try {
      return await withConnector(input.connector_name, input, ctx, async (c) => {
        executor = c.executor.info;
        const spec = await c.spec();
        const config = await c.config(input);
        const problems = validateConfig(spec, config);
        if (problems.length > 0) {
          return {
            is_valid: false,
            message: `The config does not match the spec of ${input.connector_name}: ${problems.map((p) => `${p.field} ${p.problem}`).join("; ")}.`,
            problems,
            executor,
          };
        }
        const status = await checkConnection(c.executor, config, c.signal);
        return {
          is_valid: status.succeeded,
          message: status.succeeded
            ? `The config of ${input.connector_name} is valid: the connector's check succeeded.`
            : `The connector's check failed: ${status.message ?? "it gave no reason"}.`,
          problems: [],
          executor,
        };
      });
    } catch (error) {
      if (!(error instanceof ToolError) || ctx.signal.aborted) throw error;
      return { is_valid: false, message: error.text, problems: [], executor };
    }
  },
});

export const listSourceStreams = defineTool({
  name: "list_source_streams",
  title: "List a source's streams",
  description: "Run the source's 'discover' with the given config and list its stream names.",
  domain: "local",
  input: z.object({ source_connector_name: connectorName, ...configParams, ...executionParams }).strict(),
  output: z.object({ streams: z.array(z.string()), count: z.number().int(), executor: ExecutorInfo }),
  hints: READ,
  needsFilesystem: true,
  handler: (input, ctx) =>
    withConnector(input.source_connector_name, input, ctx, async (c) => {
      const catalog = await discoverCatalog(c.executor, await c.config(input), c.signal);
      const streams = catalog.streams.map((s) => s.name);
      return { streams, count: streams.length, executor: c.executor.info };
    }),
});

export const getSourceStreamJsonSchema = defineTool({
  name: "get_source_stream_json_schema",
  title: "Get a stream's JSON schema",
  description: "Run the source's 'discover' and return the JSON schema of one stream.",
  domain: "local",
  input: z
    .object({
      source_connector_name: connectorName,
      stream_name: streamName,
      ...configParams,
      ...executionParams,
    })
    .strict(),
  output: z.object({
    stream_name: z.string(),
    json_schema: z.record(z.string(), z.unknown()),
    primary_key: z.array(z.array(z.string())).nullable(),
    cursor_field: z.array(z.string()).nullable(),
    supported_sync_modes: z.array(z.string()),
    executor: ExecutorInfo,
  }),
  hints: READ,
  needsFilesystem: true,
  handler: (input, ctx) =>
    withConnector(input.source_connector_name, input, ctx, async (c) => {
      const catalog = await discoverCatalog(c.executor, await c.config(input), c.signal);
      const stream = findStream(catalog, input.stream_name, input.source_connector_name);
      return {
        stream_name: stream.name,
        json_schema: stream.json_schema,
        primary_key: stream.source_defined_primary_key ?? null,
        cursor_field: stream.default_cursor_field ?? null,
        supported_sync_modes: stream.supported_sync_modes,
        executor: c.executor.info,
      };
    }),
});

export const readSourceStreamRecords = defineTool({
  name: "read_source_stream_records",
  title: "Read records from a stream",
  description:
    "Read up to max_records records of one stream; the connector is stopped once they are read. The result is " +
    "capped in bytes (AIRBYTE_MCP_MAX_RESULT_BYTES): past the cap it is cut at a record boundary and says how many " +
    "records were left out.",
  domain: "local",
  input: z
    .object({
      source_connector_name: connectorName,
      stream_name: streamName,
      max_records: z.number().int().min(1).default(1000).describe("Stop after this many records."),
      ...configParams,
      ...executionParams,
    })
    .strict(),
  output: z.object({
    stream_name: z.string(),
    records: records,
    record_count: z.number().int().describe("Records returned."),
    omitted_records: z.number().int().describe("Records read but left out by the byte cap."),
    max_records_reached: z.boolean().describe("True when reading stopped at max_records (more may exist)."),
    note: z.string().nullable(),
    executor: ExecutorInfo,
  }),
  hints: { ...READ, idempotentHint: false },
  needsFilesystem: true,
  handler: (input, ctx) =>
    withConnector(input.source_connector_name, input, ctx, async (c) => {
      const config = await c.config(input);
      const stream = findStream(
        await discoverCatalog(c.executor, config, c.signal),
        input.stream_name,
        input.source_connector_name,
      );
      const result = await readStreamRecords(c.executor, {
        config,
        stream,
        maxRecords: input.max_records,
        budget: new ByteBudget(ctx.settings.maxResultBytes),
        signal: c.signal,
      });
      return {
        stream_name: stream.name,
        records: result.records,
        record_count: result.records.length,
        omitted_records: result.omitted,
        max_records_reached: result.reachedMax,
        note: cutNote(result.omitted, ctx.settings.maxResultBytes),
        executor: c.executor.info,
      };
    }),
});

export const getStreamPreviews = defineTool({
  name: "get_stream_previews",
  title: "Preview streams",
  description:
    "Read the first `limit` records of several streams (default: every stream). A stream that fails shows its " +
    "error; the others are still returned. The whole result shares the byte cap.",
  domain: "local",
  input: z
    .object({
      source_name: connectorName,
      streams: z
        .union([z.array(z.string()), z.string()])
        .nullable()
        .default(null)
        .describe("Stream names: a list, a comma-separated string, or '*' / null for every stream."),
      limit: z.number().int().min(1).default(10).describe("Records per stream."),
      ...configParams,
      ...executionParams,
    })
    .strict(),
  output: z.object({
    previews: z.record(
      z.string(),
      z.object({
        records: records,
        omitted_records: z.number().int(),
        error: z.string().nullable(),
      }),
    ),
    note: z.string().nullable(),
    executor: ExecutorInfo,
  }),
  hints: { ...READ, idempotentHint: false },
  needsFilesystem: true,
  handler: (input, ctx) =>
    withConnector(input.source_name, input, ctx, async (c) => {
      const config = await c.config(input);
      const catalog = await discoverCatalog(c.executor, config, c.signal);
      const wanted = streamList(input.streams);
      const selected =
        wanted === null ? catalog.streams : wanted.map((n) => findStream(catalog, n, input.source_name));
      const perStream = Math.floor(ctx.settings.maxResultBytes / Math.max(1, selected.length));
      const previews: Record<
        string,
        { records: JsonObject[]; omitted_records: number; error: string | null }
      > = {};
      let omitted = 0;
      let deadlineNote: string | null = null;
      for (const stream of selected) {
        if (deadlineNote) {
          previews[stream.name] = {
            records: [],
            omitted_records: 0,
            error: "Not read: the call's deadline was reached.",
          };
          continue;
        }
        try {
          const r = await readStreamRecords(c.executor, {
            config,
            stream,
            maxRecords: input.limit,
            budget: new ByteBudget(perStream),
            signal: c.signal,
          });
          omitted += r.omitted;
          previews[stream.name] = { records: r.records, omitted_records: r.omitted, error: null };
        } catch (error) {
          if (ctx.signal.aborted || !(error instanceof ToolError)) throw error;
          if (c.signal.aborted) {
            // The deadline, not the caller: keep the previews already read.
            deadlineNote = `The call reached AIRBYTE_MCP_CONNECTOR_TIMEOUT while reading '${stream.name}'; the streams after it were not read. Ask for fewer streams, or raise the timeout.`;
            previews[stream.name] = {
              records: [],
              omitted_records: 0,
              error: "Stopped: the call's deadline was reached.",
            };
            continue;
          }
          previews[stream.name] = { records: [], omitted_records: 0, error: error.text };
        }
      }
      const notes = [deadlineNote, cutNote(omitted, ctx.settings.maxResultBytes)].filter((n) => n !== null);
      return { previews, note: notes.length > 0 ? notes.join(" ") : null, executor: c.executor.info };
    }),
});

/** null for every stream; else the names, from a list, a JSON array string or a comma-separated string. */
export function streamList(value: string[] | string | null): string[] | null {
  if (value === null) return null;
  let names: string[];
  if (Array.isArray(value)) names = value;
  else if (value.trim().startsWith("[")) {
    try {
      names = z.array(z.string()).parse(JSON.parse(value));
    } catch {
      throw new ToolError("streams is a string starting with '[' but not a JSON array of names.");
    }
  } else names = value.split(",");
  names = [...new Set(names.map((n) => n.trim()).filter((n) => n !== ""))];
  if (names.length === 0 || names.includes("*")) return null;
  return names;
}

export const listConnectorConfigSecrets = defineTool({
  name: "list_connector_config_secrets",
  title: "List secrets for a connector",
  description:
    "List the env-file variable names that look relevant to a connector: names containing the connector's name " +
    "(GITHUB_... for source-github) or a secret field of its spec (..._API_KEY for api_key). Values are never returned.",
  domain: "local",
  input: z.object({ connector_name: connectorName }).strict(),
  output: z.object({
    connector_name: z.string(),
    env_file: z.string().nullable(),
    variables: z.array(z.object({ name: z.string(), matched: z.string().describe("Why it is listed.") })),
    note: z.string().nullable(),
  }),
  hints: READ,
  needsFilesystem: true,
  async handler(input, ctx) {
    const file = ctx.settings.envFile;
    if (!file) {
      return {
        connector_name: input.connector_name,
        env_file: null,
        variables: [],
        note: "No env file is configured (AIRBYTE_MCP_ENV_FILE), so there are no secrets to list.",
      };
    }
    const words = input.connector_name
      .toUpperCase()
      .replace(/^AIRBYTE\//, "")
      .replace(/^(SOURCE|DESTINATION)-/, "")
      .split(/[^A-Z0-9]+/)
      .filter((w) => w.length >= 3);
    const stem = words.join("_");
    let fields: string[] = [];
    let note: string | null = null;
    try {
      const { entry } = await ctx.registry.find(input.connector_name, ctx.signal);
      const { spec, note: specNote } = await ctx.registry.spec(entry, ctx.signal);
      if (spec) fields = [...secretFieldNames(spec)];
      else note = specNote;
    } catch (error) {
      if (!(error instanceof ToolError)) throw error;
      note = `Matched by name only: ${error.message}`;
    }
    const variables: { name: string; matched: string }[] = [];
    for (const name of file.names) {
      const upper = name.toUpperCase();
      const field = fields.find((f) => f.length >= 3 && upper.includes(f.toUpperCase()));
      if (stem && upper.includes(stem)) variables.push({ name, matched: `contains ${stem}` });
      else if (field) variables.push({ name, matched: `matches the secret field '${field}'` });
    }
    if (variables.length === 0 && note === null) {
      note = `None of the ${file.names.length} env-file variable(s) mention ${stem || input.connector_name} or a secret field of its spec.`;
    }
    return { connector_name: input.connector_name, env_file: file.path, variables, note };
  },
});

export const CONNECTOR_TOOLS = [
  validateConnectorConfig,
  listConnectorConfigSecrets,
  listSourceStreams,
  getSourceStreamJsonSchema,
  readSourceStreamRecords,
  getStreamPreviews,
] as const;
