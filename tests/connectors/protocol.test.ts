import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ConfiguredAirbyteCatalog, parseLine, readLines, readOutput } from "../../src/connectors/protocol.ts";
import { FIXTURES, skipWithoutFixtures } from "../helpers/fixtures.ts";

const skip = skipWithoutFixtures("protocol fixture tests");

/** A stream of the given text cut into chunks of `size` bytes (splitting UTF-8 characters). */
async function* chunks(text: string, size: number): AsyncGenerator<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  for (let i = 0; i < bytes.length; i += size) yield bytes.slice(i, i + size);
}
async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe("parseLine", () => {
  // One message of each type, as the protocol documents them.
  const messages = [
    '{"type":"RECORD","record":{"stream":"pokemon","data":{"id":132,"name":"ditto"},"emitted_at":1698179192900}}',
    '{"type":"STATE","state":{"type":"STREAM","stream":{"stream_descriptor":{"name":"activities"},"stream_state":{"start_date":"1700000000"}},"sourceStats":{"recordCount":30.0}}}',
    '{"type":"STATE","state":{"type":"GLOBAL","global":{"shared_state":{"cdc_lsn":"0/16B3748"},"stream_states":[{"stream_descriptor":{"name":"users","namespace":"public"},"stream_state":{"cursor":"2024-01-01"}}]}}}',
    '{"type":"STATE","state":{"data":{"activities":{"start_date":"2016-01-01T00:00:00Z"}}}}',
    '{"type":"LOG","log":{"level":"INFO","message":"Starting syncing SourcePokeapi"}}',
    '{"type":"SPEC","spec":{"documentationUrl":"https://docs.airbyte.com/integrations/sources/pokeapi","connectionSpecification":{"type":"object","properties":{"pokemon_name":{"type":"string"}}}}}',
    '{"type":"CONNECTION_STATUS","connectionStatus":{"status":"FAILED","message":"Unable to connect: 401 Unauthorized"}}',
    '{"type":"CATALOG","catalog":{"streams":[{"name":"activities","json_schema":{"type":"object"},"supported_sync_modes":["full_refresh","incremental"],"source_defined_cursor":true,"default_cursor_field":["start_date"],"source_defined_primary_key":[["id"]],"is_resumable":true}]}}',
    '{"type":"TRACE","trace":{"type":"ERROR","emitted_at":1717000000000.0,"error":{"message":"Invalid API key","internal_message":"401 Client Error","failure_type":"config_error"}}}',
    '{"type":"TRACE","trace":{"type":"STREAM_STATUS","emitted_at":1717000000000.0,"stream_status":{"stream_descriptor":{"name":"pokemon"},"status":"STARTED"}}}',
    '{"type":"TRACE","trace":{"type":"ESTIMATE","emitted_at":1,"estimate":{"name":"users","type":"STREAM","row_estimate":10}}}',
    '{"type":"CONTROL","control":{"type":"CONNECTOR_CONFIG","emitted_at":1717000000000.0,"connectorConfig":{"config":{"credentials":{"refresh_token":"new-token"}}}}}',
    '{"type":"DESTINATION_CATALOG","destination_catalog":{"operations":[{"object_name":"contacts","sync_mode":"append","json_schema":{}}]}}',
  ];

  test.each(messages)("%s is a protocol message, unknown fields kept", (line) => {
    const withExtra = line.replace(/^\{/, '{"x_extra":1,');
    const out = parseLine(withExtra);
    expect(out.kind).toBe("message");
    if (out.kind === "message") expect((out.message as Record<string, unknown>).x_extra).toBe(1);
  });

  test("a record's integers beyond 2^53 keep their digits", () => {
    const line =
      '{"type":"RECORD","record":{"stream":"tweets","data":{"id":1855932014823034881,"likes":3},"emitted_at":1}}';
    const out = parseLine(line);
    expect(out.kind).toBe("message");
    if (out.kind === "message") expect(JSON.stringify(out.message)).toBe(line);
  });

  test.each([
    ["plain text", "Starting connector..."],
    ["a JSON array", "[1,2]"],
    ["JSON without a type", '{"hello":"world"}'],
    ["an unknown type", '{"type":"NOPE"}'],
    ["a RECORD without data", '{"type":"RECORD","record":{"stream":"s","emitted_at":1}}'],
    ["a LOG with a bad level", '{"type":"LOG","log":{"level":"LOUD","message":"x"}}'],
    ["truncated JSON", '{"type":"RECORD","record":{"stream":"s"'],
  ])("%s is kept as a log line, not an error", (_label, line) => {
    const out = parseLine(line);
    expect(out).toMatchObject({ kind: "log", line });
  });
});

describe("readLines", () => {
  test("chunk boundaries inside UTF-8 characters, CRLF, and no final newline", async () => {
    const text = 'héllo wörld 🎉\r\n{"a":"ünïcode"}\nlast line without newline';
    for (const size of [1, 2, 3, 5, 64]) {
      expect(await collect(readLines(chunks(text, size)))).toEqual([
        "héllo wörld 🎉",
        '{"a":"ünïcode"}',
        "last line without newline",
      ]);
    }
  });

  test("a line of several MB is one record", async () => {
    const big = "x".repeat(6 * 1024 * 1024);
    const text = `${JSON.stringify({ type: "RECORD", record: { stream: "s", data: { big }, emitted_at: 1 } })}\n`;
    const out = await collect(readOutput(chunks(text, 65536)));
    expect(out).toHaveLength(1);
    expect(out[0]?.kind).toBe("message");
  });
});

describe.skipIf(skip)("real connector samples", () => {
  const samples = join(FIXTURES, "connector-samples");

  test("every expected record, wrapped in its envelope, parses as a RECORD", async () => {
    for (const connector of readdirSync(samples)) {
      const file = join(samples, connector, "expected_records.jsonl");
      let text: string;
      try {
        text = readFileSync(file, "utf8");
      } catch {
        continue;
      }
      const lines = text.split("\n").filter((l) => l.trim() !== "");
      const wrapped = lines.map((l) => JSON.stringify({ type: "RECORD", record: JSON.parse(l) })).join("\n");
      const out = await collect(readOutput(chunks(wrapped, 4096)));
      expect(out.length).toBe(lines.length);
      expect(out.every((o) => o.kind === "message" && o.message.type === "RECORD")).toBe(true);
    }
  });

  test("every configured catalog parses", () => {
    for (const connector of readdirSync(samples)) {
      const file = join(samples, connector, "configured_catalog.json");
      const catalog = ConfiguredAirbyteCatalog.safeParse(JSON.parse(readFileSync(file, "utf8")));
      expect({ connector, ok: catalog.success }).toEqual({ connector, ok: true });
    }
  });
});
