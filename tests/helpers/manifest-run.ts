// Running a manifest in-process against a small real server: the server, the read, and what a
// test looks at in the messages.

import { afterEach } from "bun:test";
import type { AirbyteMessage } from "../../src/connectors/protocol.ts";
import { runManifest } from "../../src/declarative/source.ts";

type Json = Record<string, unknown>;

const servers: ReturnType<typeof Bun.serve>[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.stop(true);
});

/**
 * A server answering with `answer(url, request)`: a Response as it is, anything else as JSON. Every
 * request is logged as method, path and query. `hostMap` sends https://api.example.com there.
 */
export function serveApi(answer: (url: URL, req: Request) => unknown) {
  const requests: string[] = [];
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(req) {
      const url = new URL(req.url);
      requests.push(`${req.method} ${url.pathname}${url.search}`);
      const out = await answer(url, req);
      return out instanceof Response ? out : Response.json(out);
    },
  });
  servers.push(server);
  return { requests, port: server.port, hostMap: `https://api.example.com=http://127.0.0.1:${server.port}` };
}

/** A one-stream manifest: `stream` is the stream's YAML below `name: items` (indented by 4). */
export function oneStreamManifest(stream: string, top = ""): string {
  return `
version: 6.0.0
type: DeclarativeSource
check: { type: CheckStream, stream_names: [items] }
${top}
streams:
  - type: DeclarativeStream
    name: items
    primary_key: id
    schema_loader: { type: InlineSchemaLoader, schema: { type: object } }
${stream}
spec:
  type: Spec
  connection_specification: { type: object }
`;
}

export interface ReadOptions {
  config?: Json;
  mode?: "full_refresh" | "incremental";
  state?: unknown[];
  streams?: string[];
  /** The runner's sleep (backoff, async job polls); by default no wait at all. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  now?: () => Date;
}

/** A read of `streams` (default: items). */
export async function readManifest(
  text: string,
  hostMap: string,
  options: ReadOptions = {},
): Promise<AirbyteMessage[]> {
  const out: AirbyteMessage[] = [];
  const run = {
    command: "read" as const,
    config: options.config ?? {},
    catalog: {
      streams: (options.streams ?? ["items"]).map((name) => ({
        stream: { name, json_schema: {}, supported_sync_modes: ["full_refresh", "incremental"] },
        sync_mode: options.mode ?? "full_refresh",
        destination_sync_mode: "append",
      })),
    } as never,
    ...(options.state ? { state: options.state } : {}),
    signal: AbortSignal.timeout(20_000),
  };
  const deps = {
    hostMap,
    sleep: options.sleep ?? (async () => {}),
    ...(options.now ? { now: options.now } : {}),
  };
  for await (const m of runManifest(text, "test.yaml", run, deps)) out.push(m);
  return out;
}

/** What spec, check or discover answers. */
export async function answerOf(
  text: string,
  command: "spec" | "check" | "discover",
  hostMap = "",
  config: Json = {},
  sleep: (ms: number, signal: AbortSignal) => Promise<void> = async () => {},
): Promise<AirbyteMessage[]> {
  const out: AirbyteMessage[] = [];
  const run = { command, config, signal: AbortSignal.timeout(20_000) };
  for await (const m of runManifest(text, "test.yaml", run, { hostMap, sleep })) out.push(m);
  return out;
}

export const recordsOf = (ms: AirbyteMessage[], stream?: string) =>
  ms.flatMap((m) =>
    m.type === "RECORD" && (stream === undefined || m.record.stream === stream)
      ? [m.record.data as Json]
      : [],
  );

export const errorsOf = (ms: AirbyteMessage[]) =>
  ms.flatMap((m) => (m.type === "TRACE" && m.trace.type === "ERROR" ? [m.trace.error?.message] : []));

export const tracesOf = (ms: AirbyteMessage[]) =>
  ms.flatMap((m) => (m.type === "TRACE" && m.trace.type === "ERROR" ? [m.trace.error] : []));
