// The Airbyte protocol: zod types for every message and for the configured catalog, and a streaming
// parser for a connector's stdout (one JSON message per line). Unknown fields are kept, never
// rejected (every protocol object has additionalProperties: true).

import { z } from "zod";
import { parseJson } from "../core/json.ts";

const streamDescriptor = z.looseObject({ name: z.string(), namespace: z.string().nullish() });

export const AirbyteRecord = z.looseObject({
  stream: z.string(),
  data: z.record(z.string(), z.unknown()),
  emitted_at: z.number(),
  namespace: z.string().nullish(),
  meta: z
    .looseObject({
      changes: z
        .array(z.looseObject({ field: z.string(), change: z.string(), reason: z.string() }))
        .nullish(),
    })
    .nullish(),
});

const streamState = z.looseObject({
  stream_descriptor: streamDescriptor,
  stream_state: z.unknown().optional(),
});
export const AirbyteState = z.looseObject({
  // Absent means LEGACY.
  type: z.enum(["STREAM", "GLOBAL", "LEGACY"]).nullish(),
  stream: streamState.nullish(),
  global: z
    .looseObject({ shared_state: z.unknown().optional(), stream_states: z.array(streamState) })
    .nullish(),
  data: z.unknown().optional(),
  sourceStats: z.looseObject({ recordCount: z.number().nullish() }).nullish(),
  destinationStats: z.looseObject({ recordCount: z.number().nullish() }).nullish(),
});

export const AirbyteLog = z.looseObject({
  level: z.enum(["FATAL", "ERROR", "WARN", "INFO", "DEBUG", "TRACE"]),
  message: z.string(),
  stack_trace: z.string().nullish(),
});

export const ConnectorSpecification = z.looseObject({
  connectionSpecification: z.record(z.string(), z.unknown()),
  documentationUrl: z.string().nullish(),
  changelogUrl: z.string().nullish(),
  protocol_version: z.string().nullish(),
  supported_destination_sync_modes: z.array(z.string()).nullish(),
  advanced_auth: z.unknown().optional(),
});

export const ConnectionStatus = z.looseObject({
  status: z.enum(["SUCCEEDED", "FAILED"]),
  message: z.string().nullish(),
});

export const SYNC_MODES = ["full_refresh", "incremental"] as const;
export const DESTINATION_SYNC_MODES = [
  "append",
  "overwrite",
  "append_dedup",
  "update",
  "soft_delete",
] as const;

export const AirbyteStream = z.looseObject({
  name: z.string(),
  json_schema: z.record(z.string(), z.unknown()),
  supported_sync_modes: z.array(z.enum(SYNC_MODES)).min(1),
  source_defined_cursor: z.boolean().nullish(),
  default_cursor_field: z.array(z.string()).nullish(),
  source_defined_primary_key: z.array(z.array(z.string())).nullish(),
  namespace: z.string().nullish(),
  is_resumable: z.boolean().nullish(),
  is_file_based: z.boolean().nullish(),
});
export const AirbyteCatalog = z.looseObject({ streams: z.array(AirbyteStream) });

export const AirbyteTrace = z.looseObject({
  type: z.enum(["ERROR", "ESTIMATE", "STREAM_STATUS", "ANALYTICS"]),
  emitted_at: z.number(),
  error: z
    .looseObject({
      message: z.string(),
      internal_message: z.string().nullish(),
      stack_trace: z.string().nullish(),
      failure_type: z.enum(["system_error", "config_error", "transient_error"]).nullish(),
      stream_descriptor: streamDescriptor.nullish(),
    })
    .nullish(),
  estimate: z
    .looseObject({
      name: z.string(),
      type: z.enum(["STREAM", "SYNC"]),
      namespace: z.string().nullish(),
      row_estimate: z.number().nullish(),
      byte_estimate: z.number().nullish(),
    })
    .nullish(),
  stream_status: z
    .looseObject({
      stream_descriptor: streamDescriptor,
      status: z.enum(["STARTED", "RUNNING", "COMPLETE", "INCOMPLETE"]),
      reasons: z.array(z.looseObject({ type: z.string() })).nullish(),
    })
    .nullish(),
  analytics: z.looseObject({ type: z.string(), value: z.string().nullish() }).nullish(),
});

export const AirbyteControl = z.looseObject({
  type: z.literal("CONNECTOR_CONFIG"),
  emitted_at: z.number(),
  connectorConfig: z.looseObject({ config: z.record(z.string(), z.unknown()) }).nullish(),
});

export const DestinationCatalog = z.looseObject({
  operations: z.array(
    z.looseObject({
      object_name: z.string(),
      sync_mode: z.string(),
      json_schema: z.record(z.string(), z.unknown()),
    }),
  ),
});

export const AirbyteMessage = z.discriminatedUnion("type", [
  z.looseObject({ type: z.literal("RECORD"), record: AirbyteRecord }),
  z.looseObject({ type: z.literal("STATE"), state: AirbyteState }),
  z.looseObject({ type: z.literal("LOG"), log: AirbyteLog }),
  z.looseObject({ type: z.literal("SPEC"), spec: ConnectorSpecification }),
  z.looseObject({ type: z.literal("CONNECTION_STATUS"), connectionStatus: ConnectionStatus }),
  z.looseObject({ type: z.literal("CATALOG"), catalog: AirbyteCatalog }),
  z.looseObject({ type: z.literal("TRACE"), trace: AirbyteTrace }),
  z.looseObject({ type: z.literal("CONTROL"), control: AirbyteControl }),
  z.looseObject({ type: z.literal("DESTINATION_CATALOG"), destination_catalog: DestinationCatalog }),
]);
export type AirbyteMessage = z.infer<typeof AirbyteMessage>;
export type RecordMessage = Extract<AirbyteMessage, { type: "RECORD" }>;

export const ConfiguredAirbyteStream = z.looseObject({
  stream: AirbyteStream,
  sync_mode: z.enum(SYNC_MODES),
  destination_sync_mode: z.enum(DESTINATION_SYNC_MODES),
  cursor_field: z.array(z.string()).nullish(),
  primary_key: z.array(z.array(z.string())).nullish(),
  generation_id: z.number().nullish(),
  minimum_generation_id: z.number().nullish(),
  sync_id: z.number().nullish(),
});
export const ConfiguredAirbyteCatalog = z.looseObject({ streams: z.array(ConfiguredAirbyteStream) });
export type ConfiguredAirbyteCatalog = z.infer<typeof ConfiguredAirbyteCatalog>;

/** One line of connector output: a protocol message, or a line kept as a log line. */
export type OutputLine =
  | { kind: "message"; message: AirbyteMessage }
  | { kind: "log"; line: string; reason: string };

/**
 * Classifies one stdout line. RECORD lines, by far the most frequent, are checked by hand on the
 * hot path (stream, data, emitted_at); every other message goes through its zod schema.
 */
export function parseLine(line: string): OutputLine {
  const trimmed = line.trim();
  if (trimmed === "") return { kind: "log", line, reason: "empty line" };
  if (trimmed[0] !== "{") return { kind: "log", line, reason: "not JSON" };
  let json: unknown;
  try {
    json = parseJson(trimmed);
  } catch {
    return { kind: "log", line, reason: "not JSON" };
  }
  const m = json as { type?: unknown; record?: { stream?: unknown; data?: unknown; emitted_at?: unknown } };
  if (m.type === "RECORD") {
    const r = m.record;
    if (
      r &&
      typeof r.stream === "string" &&
      typeof r.emitted_at === "number" &&
      r.data !== null &&
      typeof r.data === "object" &&
      !Array.isArray(r.data)
    ) {
      return { kind: "message", message: json as RecordMessage };
    }
    return { kind: "log", line, reason: "RECORD without stream, data or emitted_at" };
  }
  const parsed = AirbyteMessage.safeParse(json);
  if (parsed.success) return { kind: "message", message: parsed.data };
  return {
    kind: "log",
    line,
    reason:
      typeof m.type === "string" ? `malformed ${m.type} message` : "JSON that is not an Airbyte message",
  };
}

/**
 * Splits a byte stream into lines without holding more than the current line in memory. Handles
 * UTF-8 characters split across chunks, CRLF, and lines of any length.
 */
export async function* readLines(stream: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  for await (const batch of readLineBatches(stream)) yield* batch;
}

/**
 * The same lines, as one batch per chunk read: a consumer pays one async step per chunk instead
 * of one per line, which is most of the cost of reading small records.
 */
export async function* readLineBatches(stream: AsyncIterable<Uint8Array>): AsyncGenerator<string[]> {
  const decoder = new TextDecoder();
  let pending = "";
  for await (const chunk of stream) {
    const text = pending + decoder.decode(chunk, { stream: true });
    const lines: string[] = [];
    let start = 0;
    let nl = text.indexOf("\n", start);
    while (nl >= 0) {
      lines.push(text.charCodeAt(nl - 1) === 13 ? text.slice(start, nl - 1) : text.slice(start, nl));
      start = nl + 1;
      nl = text.indexOf("\n", start);
    }
    pending = text.slice(start);
    if (lines.length > 0) yield lines;
  }
  pending += decoder.decode();
  if (pending !== "") yield [pending.endsWith("\r") ? pending.slice(0, -1) : pending];
}

/** The connector output as protocol messages and kept log lines, in order. */
export async function* readOutput(stream: AsyncIterable<Uint8Array>): AsyncGenerator<OutputLine> {
  for await (const batch of readLineBatches(stream)) for (const line of batch) yield parseLine(line);
}
