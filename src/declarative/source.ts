// The declarative source: spec, check, discover and read over a loaded manifest, emitting the
// Airbyte messages the Python CDK would (records, per-stream state, stream status traces, and
// TRACE ERROR with the failing stream named).

import type { AirbyteMessage, ConfiguredAirbyteCatalog } from "../connectors/protocol.ts";
import { validateConfig } from "../connectors/validate.ts";
import { configRules } from "./config-rules.ts";
import { resolveDynamicStreams } from "./dynamic.ts";
import { DeclarativeError, failureTypeOf, isAbort } from "./errors.ts";
import { ComponentFactory } from "./factory.ts";
import { apiBudget } from "./http/budget.ts";
import { HttpClient } from "./http/client.ts";
import { parseHostMap } from "./http/host-map.ts";
import { reprString } from "./interpolation/pyvalues.ts";
import { loadRunnable } from "./manifest/runnable.ts";
import type { DeclarativeStreamRunner, StreamEvent } from "./stream.ts";
import { evalString, evaluateBoolean } from "./template.ts";
import { isObj, type Obj } from "./values.ts";

export interface DeclarativeRun {
  command: "spec" | "check" | "discover" | "read";
  config?: Record<string, unknown> | undefined;
  catalog?: ConfiguredAirbyteCatalog | undefined;
  state?: unknown[] | undefined;
  signal: AbortSignal;
}

export interface DeclarativeDeps {
  /** AIRBYTE_HTTP_HOST_MAP text. */
  hostMap?: string | undefined;
  maxConcurrency?: number | undefined;
  timeoutMs?: number | undefined;
  sleep?: ((ms: number, signal: AbortSignal) => Promise<void>) | undefined;
  now?: (() => Date) | undefined;
  log?: { debug(message: string): void; warn(message: string): void } | undefined;
  /** Credentials obtained while running (OAuth and session tokens): to be masked like config secrets. */
  onSecret?: ((value: string) => void) | undefined;
}

export const DEFAULT_MAX_CONCURRENCY = 8;
/**
 * One attempt's deadline, response and body: the CDK's read timeout (300 s), so a slow export
 * endpoint is read as the CDK reads it, while a server that stops answering still fails.
 */
export const DEFAULT_TIMEOUT_MS = 300_000;

type Of<T extends AirbyteMessage["type"]> = Extract<AirbyteMessage, { type: T }>;

/** The messages one by one (tests, simple callers). */
export async function* runManifest(
  manifestText: string,
  origin: string,
  run: DeclarativeRun,
  deps: DeclarativeDeps = {},
): AsyncGenerator<AirbyteMessage> {
  for await (const batch of runManifestBatches(manifestText, origin, run, deps)) yield* batch;
}

/** The messages in batches (a page of records at a time), which keeps a read cheap per record. */
export async function* runManifestBatches(
  manifestText: string,
  origin: string,
  run: DeclarativeRun,
  deps: DeclarativeDeps = {},
): AsyncGenerator<AirbyteMessage[]> {
  // Everything but check and read is answered by the set-up.
  const step = await prepare(manifestText, origin, run, deps);
  if (step.kind === "answer") yield step.messages;
  else if (step.kind === "check") {
    const answer = await check(step.manifest, step.streams, step.refusedByName, run.signal);
    // A refresh token rotated by the check must be saved too, or the next run has a spent one.
    yield [...step.controls.splice(0), answer];
  } else yield* read(step.streams, run, step.log, step.controls);
}

/**
 * dropState: a StateDelegatingStream read in full again; its saved state is not used.
 * definition: the index of the dynamic_streams entry a generated stream comes from.
 */
type Streams = Map<
  string,
  { runner: DeclarativeStreamRunner; node: Obj; dropState?: boolean; definition?: number }
>;

type Step =
  | { kind: "answer"; messages: AirbyteMessage[] }
  | {
      kind: "check";
      manifest: Obj;
      streams: Streams;
      refusedByName: Map<string, string>;
      controls: AirbyteMessage[];
    }
  | {
      kind: "read";
      streams: Streams;
      log: NonNullable<DeclarativeDeps["log"]>;
      controls: AirbyteMessage[];
    };

/**
 * Loads the manifest and builds its streams (dynamic ones resolved over the network); answers
 * spec, discover and bad input at once.
 */
async function prepare(
  manifestText: string,
  origin: string,
  run: DeclarativeRun,
  deps: DeclarativeDeps,
): Promise<Step> {
  const { manifest, refused } = loadRunnable(manifestText, origin);
  const spec = isObj(manifest.spec) ? manifest.spec : {};
  const connectionSpec = isObj(spec.connection_specification) ? spec.connection_specification : {};
  if (run.command === "spec") {
    // Spec.generate_spec, as the CDK's serializer writes it: false defaults included, None left out.
    const out: Obj = { connectionSpecification: connectionSpec };
    if (typeof spec.documentation_url === "string" && spec.documentation_url !== "")
      out.documentationUrl = spec.documentation_url;
    if (isObj(spec.advanced_auth)) out.advanced_auth = spec.advanced_auth;
    out.supportsNormalization = false;
    out.supportsDBT = false;
    return { kind: "answer", messages: [{ type: "SPEC", spec: out } as Of<"SPEC">] };
  }

  const now = deps.now ?? (() => new Date());
  const log = deps.log ?? { debug: () => {}, warn: () => {} };
  // Messages that go out ahead of the next event's: a rotated OAuth refresh token or a migrated
  // config (a CONTROL with the new config) and a rate limit hit (a RUNNING status with reason
  // RATE_LIMITED), as the CDK reports them.
  const controls: AirbyteMessage[] = [];
  let config = (run.config ?? {}) as Obj;
  // The CDK leaves an empty config alone (no migration, no transformation, no validation).
  const rules = Object.keys(config).length > 0 ? configRules(spec.config_normalization_rules) : null;
  if (rules) {
    // As the CDK's source does when it is built: the migrated config is reported (the platform
    // saves it), then transformed for this run only.
    const migrated = rules.migrate(config);
    if (migrated) {
      config = migrated;
      controls.push(configControl(config));
    }
    config = rules.transform(config);
  }
  const client = new HttpClient({
    budget: apiBudget(manifest.api_budget, config, () => now().getTime()),
    hostMap: parseHostMap(deps.hostMap),
    maxConcurrency: deps.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY,
    timeoutMs: deps.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    ...(deps.sleep ? { sleep: deps.sleep } : {}),
    log,
    // A stream's own requests only: a token refresh or a login is not a stream.
    onRateLimited: (what) => {
      if (what && factory.streamNames.has(what))
        controls.push(status(what, "RUNNING", [{ type: "RATE_LIMITED" }]));
    },
  });
  const onConfigUpdate = (updated: Obj) => controls.push(configControl(updated));
  const factory = new ComponentFactory({
    client,
    config,
    now,
    onConfigUpdate,
    onSecret: deps.onSecret,
    sleep: deps.sleep,
    timeoutMs: deps.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    asyncJobConcurrency: jobConcurrency(manifest.max_concurrent_async_job_count, config),
    log,
  });
  // Every stream is built before anything is read, so a bad component fails here, not mid-read.
  const streams: Streams = new Map();
  const savedStates = run.command === "read" ? streamStates(run.state) : new Map<string, unknown>();
  // Builds a stream; a StateDelegatingStream is the stream its saved state chooses. `definition`:
  // the dynamic_streams entry it was generated from.
  const addStream = (node: Obj, where: string, definition?: number) => {
    const name = node.type === "StateDelegatingStream" ? String(node.name ?? "") : "";
    const chosen = factory.chooseDelegate(node, where, savedStates.get(name));
    if (chosen.warning) log.warn(chosen.warning);
    const runner = factory.stream(chosen.node, where);
    streams.set(runner.name, {
      runner,
      node,
      ...(definition === undefined ? {} : { definition }),
      ...(chosen.keepState ? {} : { dropState: true }),
    });
  };
  (Array.isArray(manifest.streams) ? manifest.streams : []).forEach((entry: unknown, i: number) => {
    if (!isObj(entry) || refused.has(i)) return;
    // ConditionalStreams: its streams when the condition holds for the config (as the CDK's
    // _stream_configs evaluates it, with no parameters).
    const nodes: [unknown, string][] =
      entry.type !== "ConditionalStreams"
        ? [[entry, `streams[${i}]`]]
        : evaluateBoolean(String(entry.condition ?? ""), { config, parameters: {} })
          ? (Array.isArray(entry.streams) ? entry.streams : []).map((n, j) => [
              n,
              `streams[${i}].streams[${j}]`,
            ])
          : [];
    for (const [node, where] of nodes) if (isObj(node)) addStream(node, where);
  });
  if (factory.incrementalDependency) {
    // Not silently: the records are the same, but each sync re-reads the parents from the start.
    log.warn(
      "incremental_dependency is not implemented by the native runner: parent streams are read in full on every sync (the child records are the same; parent_state stays {}).",
    );
  }
  const refusedByName = new Map<string, string>();
  for (const [i, why] of refused) {
    const node = (manifest.streams as unknown[])[i];
    const name = isObj(node)
      ? String(node.name ?? (isObj(node.$parameters) ? node.$parameters.name : "") ?? `#${i}`)
      : `#${i}`;
    refusedByName.set(name, why);
    log.warn(`Stream ${name} cannot run natively and is left out: ${why}`);
  }

  // An answer with no read: the CONTROL messages waiting (a migrated config) go first.
  const answer = (message: AirbyteMessage): Step => ({
    kind: "answer",
    messages: [...controls.splice(0), message],
  });
  const failedCheck = (message: string) =>
    answer({
      type: "CONNECTION_STATUS",
      connectionStatus: { status: "FAILED", message },
    } as Of<"CONNECTION_STATUS">);
  const configError = (message: string) =>
    answer(traceError(new DeclarativeError(message, "config_error"), null));

  // The rules' validations run where the CDK's streams() does: for discover, and for check and
  // read after the config is checked against the spec.
  const invalid = rules ? rules.validate(config) : null;

  // dynamic_streams, resolved as the CDK's streams() does for every command, after the static ones;
  // null when that worked, else the error as the command reports it.
  const addDynamic = async (): Promise<unknown> => {
    try {
      for (const { node, where } of await resolveDynamicStreams(manifest, factory, config, run.signal))
        addStream(node, where, Number(/^dynamic_streams\[(\d+)\]/.exec(where)?.[1] ?? -1));
      return null;
    } catch (error) {
      if (isAbort(error) || run.signal.aborted) throw error;
      return error;
    }
  };

  if (run.command === "discover") {
    if (invalid !== null) return configError(invalid);
    let failed = await addDynamic();
    for (const { runner } of failed === null ? streams.values() : []) {
      try {
        await runner.resolveSchema(run.signal);
      } catch (error) {
        if (isAbort(error) || run.signal.aborted) throw error;
        failed = error;
        break;
      }
    }
    if (failed !== null) return answer(traceError(failed, null));
    const catalog = { streams: [...streams.values()].map(({ runner }) => catalogStream(runner)) };
    return answer({ type: "CATALOG", catalog } as Of<"CATALOG">);
  }

  const problems = validateConfig(connectionSpec, config);
  if (problems.length > 0) {
    const text = `Config validation error: ${problems.map((p) => `${p.field}: ${p.problem}`).join("; ")}.`;
    return run.command === "check" ? failedCheck(text) : configError(text);
  }
  if (invalid !== null) {
    // The CDK's check catches the streams() failure as a failed status.
    return run.command === "check"
      ? failedCheck(`Encountered an error while discovering streams. Error: ${invalid}`)
      : configError(invalid);
  }

  const failed = await addDynamic();
  if (run.command === "check") {
    if (failed !== null) {
      const message = (failed as Error)?.message || String(failed);
      // CheckStream catches it (_log_error); CheckDynamicStream does not, so only a config error
      // becomes a failed status there, anything else the entrypoint's TRACE error.
      if (!isObj(manifest.check) || manifest.check.type !== "CheckDynamicStream")
        return failedCheck(reprString(`Encountered an error while discovering streams. Error: ${message}`));
      return failureTypeOf(failed) === "config_error"
        ? failedCheck(message)
        : answer(traceError(failed, null));
    }
    return { kind: "check", manifest, streams, refusedByName, controls };
  }
  if (failed !== null) return answer(traceError(failed, null));

  const asked = (run.catalog?.streams ?? []).map((s) => s.stream.name).filter((n) => refusedByName.has(n));
  if (asked.length > 0) {
    // Refused before any record is read: a read never stops halfway for an unsupported component.
    const error = new DeclarativeError(
      `The native manifest runner cannot read ${asked.map((n) => `'${n}' (${refusedByName.get(n)})`).join(", ")}. Leave ${asked.length === 1 ? "that stream" : "those streams"} out of the selection, or run the connector with override_execution_mode 'docker' or 'python'.`,
      "config_error",
    );
    return answer(traceError(error, null));
  }
  return { kind: "read", streams, log, controls };
}

async function check(
  manifest: Obj,
  streams: Streams,
  refused: Map<string, string>,
  signal: AbortSignal,
): Promise<AirbyteMessage> {
  const checkNode = isObj(manifest.check) ? manifest.check : {};
  let names = Array.isArray(checkNode.stream_names) ? checkNode.stream_names.map(String) : [];
  const status = (ok: boolean, message?: string): AirbyteMessage =>
    ({
      type: "CONNECTION_STATUS",
      connectionStatus: ok ? { status: "SUCCEEDED" } : { status: "FAILED", message },
    }) as Of<"CONNECTION_STATUS">;
  // CheckStream._check_stream_availability's reason, which the CDK's check() sends as repr(text).
  const unavailable = (name: string, reason: string) =>
    status(false, reprString(`Stream ${name} is not available: ${reason}`));
  if (checkNode.type === "CheckDynamicStream") {
    // CheckDynamicStream: the first stream_count of all the streams, static ones first.
    if (streams.size === 0) return status(false, "No streams to connect to from source");
    if (checkNode.use_check_availability === false) return status(true);
    names = [...streams.keys()].slice(0, Math.max(0, Number(checkNode.stream_count) || 0));
  }
  for (const name of names) {
    const why = refused.get(name);
    if (why) return unavailable(name, `the native manifest runner cannot run it: ${why}`);
    const s = streams.get(name);
    if (!s)
      return status(
        false,
        `${name} is not part of the catalog. Expected one of ${[...streams.keys()].join(", ")}.`,
      );
    const reason = await unavailability(s.runner, signal);
    if (reason !== null) return unavailable(name, reason);
  }
  // dynamic_streams_check_configs: the first stream_count streams (all, unset) each definition
  // generated, checked after the named ones.
  const definitions = Array.isArray(manifest.dynamic_streams) ? manifest.dynamic_streams : [];
  const dynamicChecks = Array.isArray(checkNode.dynamic_streams_check_configs)
    ? (checkNode.dynamic_streams_check_configs as unknown[]).filter(isObj)
    : [];
  for (const c of dynamicChecks) {
    const wanted = String(c.dynamic_stream_name ?? "");
    const index = definitions.findIndex(
      (d, i) =>
        (isObj(d) && typeof d.name === "string" && d.name !== "" ? d.name : `dynamic_stream_${i}`) === wanted,
    );
    if (index < 0) return status(false, reprString(`Dynamic stream ${wanted} is not found in manifest.`));
    let generated = [...streams.values()].filter((s) => s.definition === index);
    if (typeof c.stream_count === "number") generated = generated.slice(0, c.stream_count);
    for (const { runner } of generated) {
      const reason = await unavailability(runner, signal);
      if (reason !== null)
        return status(false, reprString(`Dynamic Stream ${runner.name} is not available: ${reason}`));
    }
  }
  return status(true);
}

/**
 * DefaultStream.check_availability: the first record of the first partition. Null when the stream
 * is available, else the reason.
 */
async function unavailability(runner: DeclarativeStreamRunner, signal: AbortSignal): Promise<string | null> {
  try {
    if (await runner.firstPage(signal)) return null;
    return `Cannot attempt to connect to stream ${runner.name} - no stream slices were found`;
  } catch (error) {
    if (isAbort(error)) throw error;
    return (error as Error).message || "<no error message>";
  }
}

/** JobTracker's limit: the manifest's max_concurrent_async_job_count (a template too), at least 1. */
function jobConcurrency(value: unknown, config: Obj): number {
  const n = Number(typeof value === "string" ? evalString(value, { config }) : (value ?? 1));
  return Number.isInteger(n) && n >= 1 ? n : 1;
}

function catalogStream(runner: DeclarativeStreamRunner): Obj {
  const def = runner.def;
  const out: Obj = {
    name: def.name,
    json_schema: def.schema,
    supported_sync_modes: runner.cursorField !== null ? ["full_refresh", "incremental"] : ["full_refresh"],
    is_resumable: runner.cursorField !== null,
    is_file_based: false,
  };
  if (runner.cursorField !== null) {
    out.source_defined_cursor = true;
    out.default_cursor_field = [runner.cursorField];
  }
  if (def.primaryKey.length > 0) out.source_defined_primary_key = def.primaryKey;
  return out;
}

async function* read(
  streams: Streams,
  run: DeclarativeRun,
  log: NonNullable<DeclarativeDeps["log"]>,
  controls: AirbyteMessage[],
): AsyncGenerator<AirbyteMessage[]> {
  const configured = run.catalog?.streams ?? [];
  const states = streamStates(run.state);
  const failed: { name: string; message: string }[] = [];
  for (const cs of configured) {
    const name = cs.stream.name;
    const s = streams.get(name);
    if (!s) {
      log.warn(`Stream ${name} is not in the manifest; skipped.`);
      continue;
    }
    const runner = s.runner;
    const incremental = cs.sync_mode === "incremental" && runner.cursorField !== null;
    // A CONTROL waiting (a migrated config) goes first, as the CDK prints it before anything.
    yield [...controls.splice(0), status(name, "STARTED")];
    const output = new StreamOutput(name, controls);
    try {
      await runner.resolveSchema(run.signal);
      // JsonSchemaPropertySelector: the properties the catalog selected.
      runner.def.retriever.queryProperties?.configure(cs.stream.json_schema, { config: run.config ?? {} });
      const from = incremental && !s.dropState ? states.get(name) : undefined;
      const events = runner.read(incremental, from, run.signal);
      for await (const event of events) {
        yield output.messages(event);
        if (run.signal.aborted) throw run.signal.reason ?? new DOMException("cancelled", "AbortError");
      }
      yield [...controls.splice(0), status(name, "COMPLETE")];
    } catch (error) {
      if (isAbort(error) || run.signal.aborted) throw error;
      failed.push({ name, message: (error as Error)?.message ?? String(error) });
      // A token rotated before the failure still goes out, or the saved config keeps a spent one.
      yield [...controls.splice(0), traceError(error, name), status(name, "INCOMPLETE")];
    }
  }
  if (failed.length > 0) yield [syncFailure(failed)];
}

/** One stream's events as messages, with the counts its STATE messages report. */
class StreamOutput {
  private count = 0;
  private sinceState = 0;

  constructor(
    private readonly name: string,
    /** CONTROL messages waiting (a rotated OAuth token): they go out before the next event's. */
    private readonly controls: AirbyteMessage[],
  ) {}

  messages(event: StreamEvent): AirbyteMessage[] {
    let out: AirbyteMessage[];
    if (event.kind === "records") {
      out = recordBatch(this.name, event.records, this.count === 0);
      this.count += event.records.length;
      this.sinceState += event.records.length;
    } else {
      out = [stateMessage(this.name, event.state, this.sinceState)];
      this.sinceState = 0;
    }
    return this.controls.length > 0 ? [...this.controls.splice(0), ...out] : out;
  }
}

/** A page of records as RECORD messages, after the RUNNING status before the stream's first. */
function recordBatch(name: string, records: Obj[], first: boolean): AirbyteMessage[] {
  const emittedAt = Date.now();
  const running = first && records.length > 0 ? 1 : 0;
  const batch = new Array<AirbyteMessage>(records.length + running);
  if (running) batch[0] = status(name, "RUNNING");
  for (let i = 0; i < records.length; i++) {
    batch[i + running] = {
      type: "RECORD",
      record: { stream: name, data: records[i], emitted_at: emittedAt },
    } as Of<"RECORD">;
  }
  return batch;
}

function configControl(config: Obj): AirbyteMessage {
  return {
    type: "CONTROL",
    control: { type: "CONNECTOR_CONFIG", emitted_at: Date.now(), connectorConfig: { config } },
  } as Of<"CONTROL">;
}

function stateMessage(name: string, state: Obj, recordCount: number): AirbyteMessage {
  return {
    type: "STATE",
    state: {
      type: "STREAM",
      stream: { stream_descriptor: { name }, stream_state: state },
      sourceStats: { recordCount },
    },
  } as Of<"STATE">;
}

/**
 * The CDK's closing error (ConcurrentReadProcessor.is_done): each failed stream with its error, one
 * a line, always a config error, since the streams' own errors came before it and say what to do.
 */
function syncFailure(failed: { name: string; message: string }[]): AirbyteMessage {
  const list = failed.map((f) => `${f.name}: ${f.message}`).join("\n");
  const message = `During the sync, the following streams did not sync successfully: ${list}`;
  return {
    type: "TRACE",
    trace: {
      type: "ERROR",
      emitted_at: Date.now(),
      error: { message, internal_message: "Concurrent read failure", failure_type: "config_error" },
    },
  } as Of<"TRACE">;
}

function status(
  name: string,
  s: "STARTED" | "RUNNING" | "COMPLETE" | "INCOMPLETE",
  reasons?: { type: string }[],
): AirbyteMessage {
  const streamStatus: Obj = { stream_descriptor: { name }, status: s };
  if (reasons) streamStatus.reasons = reasons;
  return {
    type: "TRACE",
    trace: { type: "STREAM_STATUS", emitted_at: Date.now(), stream_status: streamStatus },
  } as Of<"TRACE">;
}

function traceError(error: unknown, stream: string | null): AirbyteMessage {
  const message = (error as Error)?.message ?? String(error);
  // An HTTP failure's internal message is the CDK's: the request and the API's own error text.
  const internal = (error as { internalMessage?: unknown } | null)?.internalMessage;
  const internal_message = typeof internal === "string" && internal !== "" ? internal : message;
  const out: Obj = { message, internal_message, failure_type: failureTypeOf(error) };
  if (stream) out.stream_descriptor = { name: stream };
  return { type: "TRACE", trace: { type: "ERROR", emitted_at: Date.now(), error: out } } as Of<"TRACE">;
}

/** The per-stream states of `--state`: STREAM messages (or their `state` parts), or a legacy dict. */
function streamStates(input: unknown[] | undefined): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const raw of input ?? []) {
    const m = isObj(raw) && isObj(raw.state) && raw.type === "STATE" ? raw.state : raw;
    if (!isObj(m)) continue;
    if (m.type === "STREAM" && isObj(m.stream) && isObj(m.stream.stream_descriptor)) {
      out.set(String(m.stream.stream_descriptor.name), m.stream.stream_state ?? {});
    } else if (m.type === "LEGACY" && isObj(m.data)) {
      for (const [k, v] of Object.entries(m.data)) out.set(k, v);
    }
  }
  return out;
}
