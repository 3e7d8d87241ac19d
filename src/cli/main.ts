// The CLI front-end: argv -> (tool, input) -> JSON on stdout, with meaningful exit codes.

import { Console } from "node:console";
import { readFileSync } from "node:fs";
import { Writable } from "node:stream";
import { parseArgs } from "node:util";
import { StdioServerTransport, serveStdio } from "@modelcontextprotocol/server/stdio";
import { stopAllConnectors } from "../connectors/process.ts";
import { describeTool } from "../core/describe.ts";
import { EXIT } from "../core/errors.ts";
import { invokeTool } from "../core/invoke.ts";
import { useLongLivedJitPolicy } from "../core/jit-policy.ts";
import { Redactor } from "../core/redact.ts";
import { createRuntime, type Runtime } from "../core/runtime.ts";
import { collectSecretValues } from "../core/secrets.ts";
import { envFileValuesIfReadable, SettingsError } from "../core/settings.ts";
import type { AnyToolDef } from "../core/tool.ts";
import { COMMIT, NAME, VERSION } from "../core/version.ts";
import { hiddenReason } from "../core/visibility.ts";
import { RedactingTransport } from "../mcp/redacting-transport.ts";
import { createMcpServer } from "../mcp/server.ts";
import { cloudSync } from "./cloud.ts";
import { ConnectorUsageError, runBuiltinConnector } from "./connector.ts";
import { COMMAND_HELP, MAIN_HELP } from "./help.ts";
import { ProgressLine } from "./progress.ts";

export interface CliIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  readStdin: () => Promise<string>;
  env: Record<string, string | undefined>;
  /** Stdout with backpressure, for large outputs (the connector command). */
  writeStdout?: (s: string) => Promise<void>;
}

export const processIo: CliIo = {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  readStdin: () => Bun.stdin.text(),
  env: process.env,
  writeStdout: (s) => new Promise((resolve) => process.stdout.write(s, () => resolve())),
};

class UsageError extends Error {}

/** Runs the CLI; resolves to the exit code (for "serve", when the server should keep running: null). */
export async function runCli(
  argv: string[],
  tools: readonly AnyToolDef[],
  io: CliIo = processIo,
): Promise<number | null> {
  const [command = "serve", ...rest] = argv;
  try {
    if (command === "--version" || command === "-V" || command === "version") {
      if (rest.length > 0) throw new UsageError(`'${command}' takes no arguments.`);
      io.stdout(`${NAME} ${VERSION}${COMMIT ? ` (${COMMIT})` : ""}\n`);
      return EXIT.ok;
    }
    if (command === "--help" || command === "-h" || command === "help") {
      const topic = rest[0];
      if (topic !== undefined && !COMMAND_HELP[topic]) {
        throw new UsageError(
          `no help for '${topic}': the commands are ${Object.keys(COMMAND_HELP).join(", ")}.`,
        );
      }
      io.stdout(topic ? (COMMAND_HELP[topic] ?? MAIN_HELP) : MAIN_HELP);
      return EXIT.ok;
    }
    if (command === "connector" && !rest.includes("--help")) {
      return await runBuiltinConnector(rest, {
        write: io.writeStdout ?? (async (s) => io.stdout(s)),
        stderr: io.stderr,
      });
    }
    if (!(command in COMMAND_HELP)) {
      throw new UsageError(`unknown command '${command}'. Run '${NAME} --help' for the commands.`);
    }
    if (rest.includes("--help") || rest.includes("-h")) {
      io.stdout(COMMAND_HELP[command] ?? MAIN_HELP);
      return EXIT.ok;
    }
    switch (command) {
      case "serve":
        if (rest.length > 0) throw new UsageError(`'serve' takes no arguments (got ${rest.join(" ")}).`);
        serve(runtime(tools, io));
        return null;
      case "tools":
        return listTools(rest, tools, io);
      case "call":
        return await call(rest, tools, io);
      case "sync":
        return await runTool("sync_source_to_cache", syncArguments(rest), tools, io);
      case "sql":
        return await runTool("run_sql_query", sqlArguments(rest), tools, io);
      case "cloud":
        return await cloud(rest, tools, io);
    }
    throw new UsageError(`unknown command '${command}'.`);
  } catch (error) {
    if (error instanceof UsageError || error instanceof ConnectorUsageError) {
      // argv may carry a secret (a --json payload, say): mask usage errors like any other output.
      io.stderr(`${NAME}: ${usageRedactor(tools, io).text(error.message)}\n`);
      return EXIT.usage;
    }
    if (error instanceof SettingsError) {
      io.stderr(`${NAME}: configuration error: ${usageRedactor(tools, io).text(error.message)}\n`);
      return EXIT.usage;
    }
    throw error;
  }
}

const runtimes = new WeakMap<CliIo, Runtime>();

/** The runtime for this invocation, created once (settings are read once). */
function runtime(tools: readonly AnyToolDef[], io: CliIo): Runtime {
  let rt = runtimes.get(io);
  if (!rt) {
    rt = createRuntime({ env: io.env, tools, writeLog: io.stderr });
    runtimes.set(io, rt);
    if (io === processIo) guardProcess(rt);
  }
  return rt;
}

/**
 * Process-wide guards, once settings exist: console output of any dependency goes to stderr,
 * masked (stdout is JSON-RPC or the JSON result), and an error nobody caught is logged masked
 * instead of printed raw. The server keeps serving; a CLI command fails with exit code 1.
 */
function guardProcess(rt: Runtime): void {
  const stderr = new Writable({
    write(chunk, _encoding, done) {
      process.stderr.write(rt.redactor.text(String(chunk)));
      done();
    },
  });
  globalThis.console = new Console({ stdout: stderr, stderr }) as unknown as typeof globalThis.console;
  const report = (kind: string) => (error: unknown) => {
    rt.log.error(`${kind}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    if (!serving) process.exitCode = EXIT.toolFailed;
  };
  process.on("unhandledRejection", report("unhandled rejection"));
  process.on("uncaughtException", report("uncaught exception"));
}
let serving = false;

function usageRedactor(tools: readonly AnyToolDef[], io: CliIo): Redactor {
  try {
    return runtime(tools, io).redactor;
  } catch {
    // The settings themselves are broken: mask what can still be known.
    return new Redactor(collectSecretValues({ envFileValues: envFileValuesIfReadable(io.env) }, io.env));
  }
}

function serve(rt: Runtime): void {
  serving = true;
  const handle = serveStdio(() => createMcpServer(rt, { kind: "stdio" }), {
    transport: new RedactingTransport(new StdioServerTransport(), rt.redactor),
    onerror: (error) => rt.log.error(`stdio transport: ${error.message}`),
  });
  rt.log.info(`${NAME} ${VERSION} serving MCP over stdio`, { project_dir: rt.settings.projectDir });
  // A long-lived process: code that gets hot over its calls is worth optimizing (see
  // core/jit-policy.ts).
  useLongLivedJitPolicy();
  const stop = () => {
    // Connector runs first: their process groups and temp files must not outlive the server.
    rt.log.info("stopping: connector runs in progress are stopped first");
    void stopAllConnectors()
      .then((n) => {
        if (n > 0) rt.log.info(`stopped ${n} connector run(s)`);
        return handle.close();
      })
      .finally(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

function listTools(args: string[], tools: readonly AnyToolDef[], io: CliIo): number {
  const { values } = parse(args, { json: { type: "boolean" }, all: { type: "boolean" } }, 0);
  const rt = runtime(tools, io);
  const rows = tools
    .map((t) => ({ t, hidden: hiddenReason(t, rt.settings, { kind: "cli" }) }))
    .filter((r) => values.all || r.hidden === undefined);
  if (values.json) {
    const list = rows.map(({ t, hidden }) => {
      const d = describeTool(t);
      return {
        name: d.name,
        title: d.title,
        domain: d.domain,
        readOnlyHint: d.annotations.readOnlyHint,
        destructiveHint: d.annotations.destructiveHint,
        idempotentHint: d.annotations.idempotentHint,
        openWorldHint: d.annotations.openWorldHint,
        requiresClientFilesystem: d.annotations.requiresClientFilesystem,
        ...(values.all ? { hidden_by: hidden ?? null } : {}),
        description: d.description,
        inputSchema: d.inputSchema,
        outputSchema: d.outputSchema,
      };
    });
    io.stdout(`${JSON.stringify(list, null, 2)}\n`);
    return EXIT.ok;
  }
  const width = Math.max(4, ...rows.map((r) => r.t.name.length));
  const lines = [`${"TOOL".padEnd(width)}  DOMAIN    HINTS            TITLE`];
  for (const { t, hidden } of rows) {
    const h = t.hints;
    const hints = [
      h.readOnlyHint ? "RO" : "",
      h.destructiveHint ? "D" : "",
      h.idempotentHint ? "I" : "",
      h.openWorldHint ? "OW" : "",
      t.needsFilesystem ? "FS" : "",
    ]
      .filter(Boolean)
      .join(",");
    lines.push(
      `${t.name.padEnd(width)}  ${t.domain.padEnd(8)}  ${hints.padEnd(15)}  ${t.title}${hidden ? "  [hidden]" : ""}`,
    );
  }
  if (rows.length === 0) lines.push("(no tools are visible under the current settings; try --all)");
  io.stdout(`${lines.join("\n")}\n`);
  return EXIT.ok;
}

async function call(args: string[], tools: readonly AnyToolDef[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(
    args,
    { json: { type: "string" }, "json-file": { type: "string" } },
    1,
  );
  const name = positionals[0];
  if (!name) throw new UsageError(`'call' needs a tool name. Run '${NAME} tools' to list them.`);
  if (values.json !== undefined && values["json-file"] !== undefined) {
    throw new UsageError("give the arguments with --json or --json-file, not both.");
  }
  let text = "{}";
  let source = "--json";
  if (values["json-file"] !== undefined) {
    source = values["json-file"];
    try {
      text = readFileSync(values["json-file"], "utf8");
    } catch (error) {
      throw new UsageError(
        `cannot read --json-file ${source}: ${(error as NodeJS.ErrnoException).code ?? error}.`,
      );
    }
  } else if (values.json === "-") {
    source = "stdin";
    text = await io.readStdin();
  } else if (values.json !== undefined) {
    text = values.json;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // The parser's message quotes the input, which may hold a secret: say only what is wrong.
    throw new UsageError(
      `the arguments from ${source} are not valid JSON. Write an object such as '{"connector_name": "source-github"}'.`,
    );
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new UsageError(`the arguments from ${source} must be a JSON object, like '{"name": "value"}'.`);
  }

  return runTool(name, parsed as Record<string, unknown>, tools, io);
}

/** Runs one tool with Ctrl-C/SIGTERM as cancel, prints its JSON result, returns the exit code. */
async function runTool(
  name: string,
  args: Record<string, unknown>,
  tools: readonly AnyToolDef[],
  io: CliIo,
): Promise<number> {
  const rt = runtime(tools, io);
  const abort = new AbortController();
  const onSignal = () => abort.abort(new Error("interrupted"));
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  const bar = io === processIo && process.stderr.isTTY ? new ProgressLine(name, io.stderr) : null;
  try {
    const outcome = await invokeTool(tools, name, args, rt.context(abort.signal, bar?.report), {
      kind: "cli",
    });
    bar?.clear();
    if (outcome.ok) {
      io.stdout(`${JSON.stringify(outcome.result, null, 2)}\n`);
      return EXIT.ok;
    }
    io.stderr(`${NAME}: ${outcome.message}\n`);
    return outcome.kind === "failed" ? EXIT.toolFailed : EXIT.usage;
  } finally {
    bar?.clear();
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

/** `cloud sync ...`: starts (and with --wait follows) a Cloud sync; Ctrl-C/SIGTERM stop the wait. */
async function cloud(args: string[], tools: readonly AnyToolDef[], io: CliIo): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== "sync") {
    throw new UsageError(
      sub === undefined
        ? "'cloud' needs a subcommand: 'cloud sync'."
        : `unknown cloud subcommand '${sub}': the only one is 'sync'.`,
    );
  }
  const { values } = parse(
    rest,
    {
      "connection-id": { type: "string" },
      "workspace-id": { type: "string" },
      wait: { type: "boolean" },
      timeout: { type: "string" },
      "cancel-on-stop": { type: "boolean" },
      json: { type: "boolean" },
    },
    0,
  );
  const connectionId = values["connection-id"]?.trim();
  if (!connectionId) throw new UsageError("'cloud sync' needs --connection-id ID.");
  let timeoutSeconds = 3600;
  if (values.timeout !== undefined) {
    timeoutSeconds = Number(values.timeout);
    if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0)
      throw new UsageError("--timeout must be a number of seconds greater than 0.");
    if (!values.wait) throw new UsageError("--timeout only applies with --wait.");
  }
  if (values["cancel-on-stop"] && !values.wait)
    throw new UsageError("--cancel-on-stop only applies with --wait.");
  const rt = runtime(tools, io);
  const abort = new AbortController();
  const onSignal = () => abort.abort(new Error("interrupted"));
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    return await cloudSync(
      {
        connectionId,
        workspaceId: values["workspace-id"] ?? null,
        wait: values.wait === true,
        timeoutSeconds,
        json: values.json === true,
        cancelOnStop: values["cancel-on-stop"] === true,
      },
      rt,
      tools,
      io,
      abort.signal,
    );
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

type OptionSpec = Record<string, { type: "string" | "boolean" }>;

function parse<O extends OptionSpec>(args: string[], options: O, maxPositionals: number) {
  let result: ReturnType<
    typeof parseArgs<{ options: O; allowPositionals: true; strict: true; tokens: true; args: string[] }>
  >;
  try {
    result = parseArgs({ args, options, allowPositionals: true, strict: true, tokens: true });
  } catch (error) {
    throw new UsageError(
      `${(error as Error).message.replace(/\. To specify.*$/s, "")}. Run with --help for usage.`,
    );
  }
  const seen = new Set<string>();
  for (const token of result.tokens) {
    if (token.kind !== "option") continue;
    if (seen.has(token.name)) throw new UsageError(`--${token.name} is given more than once.`);
    seen.add(token.name);
  }
  if (result.positionals.length > maxPositionals) {
    throw new UsageError(
      `unexpected argument '${result.positionals[maxPositionals]}'. Run with --help for usage.`,
    );
  }
  return result;
}

/** `sync <connector> [options]` as the arguments of sync_source_to_cache. */
function syncArguments(args: string[]): Record<string, unknown> {
  const { values, positionals } = parse(
    args,
    {
      config: { type: "string" },
      "config-file": { type: "string" },
      "config-secret-name": { type: "string" },
      streams: { type: "string" },
      "write-strategy": { type: "string" },
      "full-refresh": { type: "boolean" },
      mode: { type: "string" },
      version: { type: "string" },
      "docker-image": { type: "string" },
      "pip-url": { type: "string" },
      executable: { type: "string" },
      "manifest-path": { type: "string" },
    },
    1,
  );
  const connector = positionals[0];
  if (!connector) throw new UsageError("'sync' needs a connector name, e.g. 'sync source-faker'.");
  const out: Record<string, unknown> = { source_connector_name: connector };
  if (values.config !== undefined) {
    try {
      out.config = JSON.parse(values.config);
    } catch {
      throw new UsageError(
        `--config is not valid JSON. Write an object such as '{"count": 1000}', or use --config-file.`,
      );
    }
  }
  const copy: [keyof typeof values, string][] = [
    ["config-file", "config_file"],
    ["config-secret-name", "config_secret_name"],
    ["streams", "streams"],
    ["write-strategy", "write_strategy"],
    ["mode", "override_execution_mode"],
    ["version", "connector_version"],
    ["docker-image", "docker_image"],
    ["pip-url", "pip_url"],
    ["executable", "executable"],
    ["manifest-path", "manifest_path"],
  ];
  for (const [flag, field] of copy) if (values[flag] !== undefined) out[field] = values[flag];
  if (values["full-refresh"]) out.force_full_refresh = true;
  return out;
}

/** `sql "<query>" [--max-records N]` as the arguments of run_sql_query. */
function sqlArguments(args: string[]): Record<string, unknown> {
  const { values, positionals } = parse(args, { "max-records": { type: "string" } }, 1);
  const query = positionals[0];
  if (!query) throw new UsageError(`'sql' needs a query, e.g. sql "SELECT count(*) FROM users".`);
  const out: Record<string, unknown> = { sql_query: query };
  if (values["max-records"] !== undefined) {
    const n = Number(values["max-records"]);
    if (!Number.isInteger(n) || n < 1)
      throw new UsageError("--max-records must be a whole number, at least 1.");
    out.max_records = n;
  }
  return out;
}
