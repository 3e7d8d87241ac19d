import { describe, expect, test } from "bun:test";
import { FAKER_STREAMS, runSourceFaker } from "../../../src/connectors/builtin/source-faker.ts";
import { AirbyteMessage, type ConfiguredAirbyteCatalog } from "../../../src/connectors/protocol.ts";

const catalog = (mode: "full_refresh" | "incremental"): ConfiguredAirbyteCatalog => ({
  streams: FAKER_STREAMS.map((stream) => ({ stream, sync_mode: mode, destination_sync_mode: "append" })),
});
async function read(
  config: Record<string, unknown>,
  mode: "full_refresh" | "incremental",
  now: number,
  state?: unknown[],
) {
  const out: AirbyteMessage[] = [];
  for await (const m of runSourceFaker({
    command: "read",
    config,
    catalog: catalog(mode),
    now,
    ...(state ? { state } : {}),
  })) {
    out.push(m);
  }
  return out;
}
const records = (ms: AirbyteMessage[], stream: string) =>
  ms.flatMap((m) => (m.type === "RECORD" && m.record.stream === stream ? [m.record.data] : []));

describe("source-faker", () => {
  test("spec, check and discover are valid protocol messages", async () => {
    for (const command of ["spec", "check", "discover"] as const) {
      for await (const m of runSourceFaker({ command }))
        expect(AirbyteMessage.safeParse(m).success).toBe(true);
    }
  });

  test("deterministic for a seed, count users, fields as declared in each stream's schema", async () => {
    const now = Date.UTC(2026, 0, 1);
    const a = await read({ count: 50, seed: 7 }, "full_refresh", now);
    const b = await read({ count: 50, seed: 7 }, "full_refresh", now);
    const c = await read({ count: 50, seed: 8 }, "full_refresh", now);
    expect(records(a, "users")).toEqual(records(b, "users"));
    expect(records(a, "users")).not.toEqual(records(c, "users"));
    expect(records(a, "users")).toHaveLength(50);
    for (const stream of FAKER_STREAMS) {
      const keys = Object.keys(stream.json_schema.properties).sort();
      for (const r of records(a, stream.name)) expect(Object.keys(r).sort()).toEqual(keys);
    }
    for (const m of a) expect(AirbyteMessage.safeParse(m).success).toBe(true);
  });

  test("incremental by updated_at: the state of one sync makes the next one return only newer records", async () => {
    const first = await read({ count: 20 }, "incremental", Date.UTC(2026, 0, 1));
    const state = first.flatMap((m) => (m.type === "STATE" ? [m.state] : []));
    const again = await read({ count: 20 }, "incremental", Date.UTC(2026, 0, 1), state);
    expect(again.filter((m) => m.type === "RECORD")).toHaveLength(0);
    const later = await read({ count: 20 }, "incremental", Date.UTC(2026, 0, 2), state);
    expect(records(later, "users")).toHaveLength(20);
  });

  test("a STATE every records_per_slice records", async () => {
    const out = await read({ count: 25, records_per_slice: 10 }, "full_refresh", Date.UTC(2026, 0, 1));
    const userStates = out.filter(
      (m) => m.type === "STATE" && m.state.stream?.stream_descriptor.name === "users",
    );
    expect(userStates).toHaveLength(3);
  });
});
