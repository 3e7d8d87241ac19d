// A real connector process (the fake connector program) through the one process runner.

import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { ConnectorError, runConnector } from "../../src/connectors/process.ts";
import type { AirbyteMessage } from "../../src/connectors/protocol.ts";
import { Redactor } from "../../src/core/redact.ts";
import { aliveAfter, tempDir } from "../helpers/binary.ts";

const dir = tempDir();
afterAll(() => dir.cleanup());
const FAKE = join(import.meta.dir, "..", "fakes", "fake-connector.ts");
const SECRET = "fake-api-key-0042";
const tempRoot = join(dir.path, "tmp");

function run(
  command: "spec" | "check" | "discover" | "read",
  env: Record<string, string> = {},
  signal = new AbortController().signal,
  logs: string[] = [],
) {
  const catalog = {
    streams: [
      {
        stream: { name: "users", json_schema: {}, supported_sync_modes: ["full_refresh"] },
        sync_mode: "full_refresh",
        destination_sync_mode: "append",
      },
    ],
  };
  return flatten(
    runConnector({
      argv: [process.execPath, FAKE],
      command,
      config: command === "spec" ? undefined : { api_key: SECRET },
      catalog: command === "read" ? catalog : undefined,
      env: { PATH: process.env.PATH ?? "", ...env },
      tempRoot,
      signal,
      redactor: new Redactor([SECRET]),
      onLog: (l) => logs.push(l),
      label: "fake-connector",
    }),
  );
}
/** Messages one by one (the runner yields them in batches). */
async function* flatten(batches: AsyncGenerator<AirbyteMessage[]>): AsyncGenerator<AirbyteMessage> {
  for await (const batch of batches) yield* batch;
}
async function collect(gen: AsyncGenerator<AirbyteMessage>): Promise<AirbyteMessage[]> {
  const out: AirbyteMessage[] = [];
  for await (const m of gen) out.push(m);
  return out;
}
async function failure(
  gen: AsyncGenerator<AirbyteMessage>,
): Promise<{ error: ConnectorError; seen: AirbyteMessage[] }> {
  const seen: AirbyteMessage[] = [];
  try {
    for await (const m of gen) seen.push(m);
  } catch (error) {
    if (error instanceof ConnectorError) return { error, seen };
    throw error;
  }
  throw new Error("expected a ConnectorError");
}
const noTempLeft = () => expect(existsSync(tempRoot) ? readdirSync(tempRoot) : []).toEqual([]);

describe("runConnector", () => {
  test("spec, check, discover and read; config written mode 0600 and removed after", async () => {
    expect((await collect(run("spec")))[0]?.type).toBe("SPEC");
    const logs: string[] = [];
    const check = await collect(run("check", {}, undefined, logs));
    expect(check.find((m) => m.type === "CONNECTION_STATUS")).toBeDefined();
    expect(logs).toContain("INFO config file mode 600");
    const catalog = (await collect(run("discover"))).find((m) => m.type === "CATALOG");
    expect(catalog?.type === "CATALOG" && catalog.catalog.streams.map((s) => s.name)).toEqual([
      "users",
      "orders",
    ]);
    const read = await collect(run("read", { FAKE_RECORDS: "7" }));
    expect(read.filter((m) => m.type === "RECORD")).toHaveLength(7);
    expect(read.at(-1)?.type).toBe("STATE");
    noTempLeft();
  });

  test("garbage lines are kept as log lines, not errors", async () => {
    const logs: string[] = [];
    const read = await collect(run("read", { FAKE_MODE: "garbage" }, undefined, logs));
    expect(read.filter((m) => m.type === "RECORD")).toHaveLength(5);
    expect(logs).toContain("Starting fake connector (not JSON)");
    expect(logs).toContain('{"not":"a message"}');
  });

  test("a TRACE ERROR is a tool error with the connector's message, masked, with the stderr tail", async () => {
    const { error } = await failure(run("check", { FAKE_MODE: "trace-error" }));
    expect(error.message).toContain("fake-connector failed: Invalid API key ****");
    expect(error.text).toContain("Traceback: auth failed with key ****");
    expect(error.text).not.toContain(SECRET);
    noTempLeft();
  });

  test("a crash mid-stream keeps the records read and reports the exit code and stderr", async () => {
    const { error, seen } = await failure(run("read", { FAKE_MODE: "crash-mid", FAKE_RECORDS: "10" }));
    expect(seen.filter((m) => m.type === "RECORD")).toHaveLength(5);
    expect(error.message).toContain("exited with code 139");
    expect(error.text).toContain("Segmentation fault");
    noTempLeft();
  });

  test("records of several MB each", async () => {
    const read = await collect(run("read", { FAKE_MODE: "huge", FAKE_RECORDS: "3" }));
    const records = read.filter((m) => m.type === "RECORD");
    expect(records).toHaveLength(3);
    expect(records[0]?.type === "RECORD" && (records[0].record.data.blob as string).length).toBe(
      5 * 1024 * 1024,
    );
  });

  test("cancelling a hung connector kills the whole process tree and removes the temp files", async () => {
    const pidFile = join(dir.path, "child.pid");
    const abort = new AbortController();
    const gen = run("read", { FAKE_MODE: "hang", FAKE_CHILD_PID_FILE: pidFile }, abort.signal);
    const seen: AirbyteMessage[] = [];
    const done = (async () => {
      try {
        for await (const m of gen) {
          seen.push(m);
          if (seen.filter((x) => x.type === "RECORD").length === 2) abort.abort();
        }
        return null;
      } catch (error) {
        return error;
      }
    })();
    const error = await done;
    expect(error).toBeInstanceOf(ConnectorError);
    expect((error as Error).message).toContain("cancelled");
    const child = Number(await Bun.file(pidFile).text());
    expect(await aliveAfter(child, 2500)).toBe(false);
    noTempLeft();
  }, 15_000);

  test("a consumer that stops early (max_records) stops the connector", async () => {
    const pidFile = join(dir.path, "child2.pid");
    let n = 0;
    for await (const m of run("read", { FAKE_MODE: "hang", FAKE_CHILD_PID_FILE: pidFile })) {
      if (m.type === "RECORD" && ++n === 2) break;
    }
    const child = Number(await Bun.file(pidFile).text());
    expect(await aliveAfter(child, 2500)).toBe(false);
    noTempLeft();
  }, 15_000);

  test("write feeds messages on stdin and reads the acknowledgements", async () => {
    async function* input(): AsyncGenerator<AirbyteMessage> {
      for (let i = 0; i < 3; i++) {
        yield { type: "RECORD", record: { stream: "users", data: { id: i }, emitted_at: 0 } };
        yield {
          type: "STATE",
          state: {
            type: "STREAM",
            stream: { stream_descriptor: { name: "users" }, stream_state: { id: i } },
          },
        };
      }
    }
    const logs: string[] = [];
    const out = await collect(
      flatten(
        runConnector({
          argv: [process.execPath, FAKE],
          command: "write",
          config: { api_key: SECRET },
          catalog: { streams: [] },
          stdin: input(),
          tempRoot,
          signal: new AbortController().signal,
          redactor: new Redactor([SECRET]),
          onLog: (l) => logs.push(l),
          label: "fake-destination",
        }),
      ),
    );
    expect(out.filter((m) => m.type === "STATE").length).toBe(3);
    expect(logs).toContain("INFO wrote 3 records");
    noTempLeft();
  });

  test("a program that does not exist is a clear error", async () => {
    const gen = flatten(
      runConnector({
        argv: [join(dir.path, "no-such-connector")],
        command: "spec",
        tempRoot,
        signal: new AbortController().signal,
        redactor: new Redactor([]),
        label: "no-such-connector",
      }),
    );
    const { error } = await failure(gen);
    expect(error.message).toContain("could not be started");
    noTempLeft();
  });
});
