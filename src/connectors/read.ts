// Reading records of one stream for a tool result: a one-stream configured catalog, a stop once
// max_records are seen (which stops the connector), and a byte budget that cuts the kept records
// at a record boundary while still counting what was left out.

import { editDistance } from "../core/edit-distance.ts";
import { ToolError } from "../core/errors.ts";
import type { JsonObject } from "./config.ts";
import type { Executor } from "./executor.ts";
import type { AirbyteMessage, ConfiguredAirbyteCatalog } from "./protocol.ts";

type Catalog = Extract<AirbyteMessage, { type: "CATALOG" }>["catalog"];
type Stream = Catalog["streams"][number];

/** The stream of that name, or an error naming the closest ones. */
export function findStream(catalog: Catalog, name: string, connector: string): Stream {
  const stream = catalog.streams.find((s) => s.name === name);
  if (stream) return stream;
  const names = catalog.streams.map((s) => s.name);
  const wanted = name.toLowerCase();
  const close = names
    .map((n) => ({ n, d: n.toLowerCase().includes(wanted) ? 1 : editDistance(wanted, n.toLowerCase()) }))
    .filter((x) => x.d <= Math.max(2, Math.ceil(wanted.length / 3)))
    .sort((a, b) => a.d - b.d)
    .slice(0, 5)
    .map((x) => x.n);
  throw new ToolError(`${connector} has no stream named '${name}'.`, {
    hint:
      close.length > 0
        ? `Closest: ${close.join(", ")}. All streams: ${names.join(", ")}.`
        : `Its streams are: ${names.join(", ") || "(none)"}.`,
  });
}

type ConfiguredStream = ConfiguredAirbyteCatalog["streams"][number];

/** A stream of a configured catalog, with the source's own cursor and primary key. */
export function configuredStream(
  stream: Stream,
  syncMode: ConfiguredStream["sync_mode"],
  destinationSyncMode: ConfiguredStream["destination_sync_mode"],
): ConfiguredStream {
  return {
    stream,
    sync_mode: syncMode,
    destination_sync_mode: destinationSyncMode,
    ...(stream.default_cursor_field ? { cursor_field: stream.default_cursor_field } : {}),
    ...(stream.source_defined_primary_key ? { primary_key: stream.source_defined_primary_key } : {}),
  };
}

/** A catalog that reads one stream in full (full refresh when the stream supports it). */
export function oneStreamCatalog(stream: Stream): ConfiguredAirbyteCatalog {
  const full = stream.supported_sync_modes.includes("full_refresh");
  return { streams: [configuredStream(stream, full ? "full_refresh" : "incremental", "overwrite")] };
}

/** Shared between the streams of one call: the bytes of records it may still return. */
export class ByteBudget {
  constructor(public remaining: number) {}
  /** Keeps the record when it fits; its size is the UTF-8 length of its JSON. */
  take(size: number): boolean {
    if (size > this.remaining) {
      this.remaining = 0; // Nothing after a cut: the kept records stay a prefix of the stream.
      return false;
    }
    this.remaining -= size;
    return true;
  }
}

export interface StreamRecords {
  records: JsonObject[];
  /** Records read (up to max_records) but not returned, for the byte cap. */
  omitted: number;
  /** True when max_records was reached (the connector was stopped; more may exist). */
  reachedMax: boolean;
}

export async function readStreamRecords(
  executor: Executor,
  options: {
    config: JsonObject;
    stream: Stream;
    maxRecords: number;
    budget: ByteBudget;
    signal: AbortSignal;
  },
): Promise<StreamRecords> {
  const records: JsonObject[] = [];
  let omitted = 0;
  let seen = 0;
  const name = options.stream.name;
  for await (const batch of executor.run("read", {
    config: options.config,
    catalog: oneStreamCatalog(options.stream),
    signal: options.signal,
  })) {
    for (const m of batch) {
      if (m.type !== "RECORD" || m.record.stream !== name) continue;
      seen++;
      const data = m.record.data;
      // Past the cut, records are only counted: no serialisation on that path.
      if (omitted === 0 && options.budget.take(Buffer.byteLength(JSON.stringify(data)))) records.push(data);
      else omitted++;
      if (seen >= options.maxRecords) return { records, omitted, reachedMax: true };
    }
  }
  return { records, omitted, reachedMax: false };
}
