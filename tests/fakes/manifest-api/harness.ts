// Running a fixture manifest through the native runner against a fake API, and reading its output:
// records per stream, the final state per stream, stream statuses, errors, and a recorded sleep so
// backoffs cost no time and can be asserted.

import { afterEach, expect } from "bun:test";
import { AirbyteMessage, type ConfiguredAirbyteCatalog } from "../../../src/connectors/protocol.ts";
import { type DeclarativeDeps, type DeclarativeRun, runManifest } from "../../../src/declarative/source.ts";
import { type FakeApi, hostMap, type Running, serve } from "./common.ts";

type Json = Record<string, unknown>;
type Catalog = Extract<AirbyteMessage, { type: "CATALOG" }>["catalog"];

/** The fixed "now" of every fixture test: cursors end here and fakes hold nothing newer. */
export const NOW = new Date("2024-06-15T12:00:00Z");

/** A sleep that returns at once and remembers each wait in milliseconds. */
export function recordingSleep(): { sleep: NonNullable<DeclarativeDeps["sleep"]>; waits: number[] } {
  const waits: number[] = [];
  return {
    waits,
    sleep: async (ms, signal) => {
      waits.push(ms);
      if (signal.aborted) throw signal.reason ?? new Error("aborted");
    },
  };
}

const running: Running[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.stop()));
});

export interface Session {
  url: string;
  hostMap: string;
  waits: number[];
  deps: DeclarativeDeps;
  /** Runs one command and returns every message, each checked against the protocol schema. */
  run(run: Omit<DeclarativeRun, "signal">, extra?: Partial<DeclarativeDeps>): Promise<AirbyteMessage[]>;
}

/** Starts `api` for this test (stopped after it) with the manifest's origins mapped onto it. */
export function session(api: FakeApi, manifest: string, origins: string[]): Session {
  const server = serve(api.app, { getBodies: api.readsGetBodies });
  running.push(server);
  const { sleep, waits } = recordingSleep();
  const deps: DeclarativeDeps = {
    hostMap: hostMap(origins, server.url),
    sleep,
    now: () => new Date(NOW),
    maxConcurrency: 1,
  };
  return {
    url: server.url,
    hostMap: deps.hostMap as string,
    waits,
    deps,
    async run(run, extra = {}) {
      const out: AirbyteMessage[] = [];
      const signal = AbortSignal.timeout(30_000);
      for await (const m of runManifest(manifest, "test", { ...run, signal }, { ...deps, ...extra })) {
        const parsed = AirbyteMessage.safeParse(m);
        if (!parsed.success) throw new Error(`not an Airbyte message: ${JSON.stringify(m).slice(0, 300)}`);
        out.push(m);
      }
      return out;
    },
  };
}

export function recordsOf(ms: AirbyteMessage[], stream: string): Json[] {
  return ms.flatMap((m) => (m.type === "RECORD" && m.record.stream === stream ? [m.record.data] : []));
}

export function statesOf(ms: AirbyteMessage[], stream: string) {
  return ms.flatMap((m) =>
    m.type === "STATE" && m.state.type === "STREAM" && m.state.stream?.stream_descriptor.name === stream
      ? [m.state]
      : [],
  );
}

/** The stream_state of the last STATE message of `stream`. */
export function finalState(ms: AirbyteMessage[], stream: string): unknown {
  const states = statesOf(ms, stream);
  expect(states.length).toBeGreaterThan(0);
  return states.at(-1)?.stream?.stream_state;
}

/** The state to pass to the next read: the last STATE of every stream, as a platform would keep it. */
export function nextStateInput(ms: AirbyteMessage[]): unknown[] {
  const last = new Map<string, unknown>();
  for (const m of ms) {
    if (m.type === "STATE" && m.state.type === "STREAM" && m.state.stream) {
      last.set(m.state.stream.stream_descriptor.name, {
        type: "STREAM",
        stream: {
          stream_descriptor: m.state.stream.stream_descriptor,
          stream_state: m.state.stream.stream_state,
        },
      });
    }
  }
  return [...last.values()];
}

/** A state input for one stream. */
export function streamState(name: string, state: unknown): unknown {
  return { type: "STREAM", stream: { stream_descriptor: { name }, stream_state: state } };
}

export function statusesOf(ms: AirbyteMessage[], stream: string): string[] {
  return ms.flatMap((m) =>
    m.type === "TRACE" &&
    m.trace.type === "STREAM_STATUS" &&
    m.trace.stream_status?.stream_descriptor.name === stream
      ? [m.trace.stream_status.status]
      : [],
  );
}

export function errorsOf(ms: AirbyteMessage[]) {
  return ms.flatMap((m) =>
    m.type === "TRACE" && m.trace.type === "ERROR" && m.trace.error ? [m.trace.error] : [],
  );
}

export function connectionStatus(ms: AirbyteMessage[]) {
  const found = ms.flatMap((m) => (m.type === "CONNECTION_STATUS" ? [m.connectionStatus] : []));
  expect(found).toHaveLength(1);
  return found[0] as { status: "SUCCEEDED" | "FAILED"; message?: string | null };
}

export function catalogOf(ms: AirbyteMessage[]): Catalog {
  const found = ms.flatMap((m) => (m.type === "CATALOG" ? [m.catalog] : []));
  expect(found).toHaveLength(1);
  return found[0] as Catalog;
}

export function specOf(ms: AirbyteMessage[]) {
  const found = ms.flatMap((m) => (m.type === "SPEC" ? [m.spec] : []));
  expect(found).toHaveLength(1);
  return found[0] as { connectionSpecification: Json; documentationUrl?: string | null };
}

/** A configured catalog of the named streams of a discovered catalog, each in the given mode. */
export function configure(
  catalog: Catalog,
  modes: Record<string, "full_refresh" | "incremental">,
): ConfiguredAirbyteCatalog {
  return {
    streams: Object.entries(modes).map(([name, mode]) => {
      const stream = catalog.streams.find((s) => s.name === name);
      if (!stream) throw new Error(`stream ${name} is not in the catalog`);
      return {
        stream,
        sync_mode: mode,
        destination_sync_mode: mode === "incremental" ? "append" : "overwrite",
        ...(mode === "incremental" && stream.default_cursor_field
          ? { cursor_field: stream.default_cursor_field }
          : {}),
      };
    }),
  };
}

/** Asserts that none of `secrets` shows up anywhere in the messages (records, logs, errors, state). */
export function expectNoSecrets(ms: AirbyteMessage[], secrets: string[]): void {
  const text = JSON.stringify(ms);
  for (const s of secrets) expect(text.includes(s)).toBe(false);
}

/**
 * The messages of one stream, as the CDK frames them: STARTED … COMPLETE around its records, no
 * error, and each STATE counting (sourceStats.recordCount) the records since the stream's last STATE.
 */
export function expectCompleted(ms: AirbyteMessage[], stream: string): void {
  const statuses = statusesOf(ms, stream);
  expect(statuses[0]).toBe("STARTED");
  expect(statuses.at(-1)).toBe("COMPLETE");
  expect(errorsOf(ms).filter((e) => e.stream_descriptor?.name === stream)).toEqual([]);
  let since = 0;
  const counted: [number | null | undefined, number][] = [];
  for (const m of ms) {
    if (m.type === "RECORD" && m.record.stream === stream) since++;
    if (m.type === "STATE" && m.state.stream?.stream_descriptor.name === stream) {
      counted.push([m.state.sourceStats?.recordCount, since]);
      since = 0;
    }
  }
  expect(counted.length).toBeGreaterThan(0);
  expect(counted.map(([got]) => got)).toEqual(counted.map(([, want]) => want));
}
