// The runner end to end over small manifests and a real local server: pagination styles,
// partitions, incremental state (per stream and per partition), transformations, errors.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Hono } from "hono";
import type { AirbyteMessage } from "../../src/connectors/protocol.ts";
import { type DeclarativeDeps, runManifest } from "../../src/declarative/source.ts";

// biome-ignore lint/suspicious/noExplicitAny: messages are read field by field in assertions
type Loose = any;

const TOKEN = "s3cr3t-token-value";
const NOW = new Date("2024-03-01T00:00:00Z");

interface Item {
  id: number;
  team: string;
  updated_at: string;
  Name: string;
}

const items: Item[] = Array.from({ length: 23 }, (_, i) => ({
  id: i + 1,
  team: i % 2 === 0 ? "red" : "blue",
  updated_at: new Date(Date.UTC(2024, 0, 1 + i)).toISOString().replace(".000", ""),
  Name: `Item ${i + 1}`,
}));
const requests: string[] = [];

const app = new Hono();
app.use(async (c, next) => {
  requests.push(c.req.url.replace(/^http:\/\/[^/]+/, ""));
  if (c.req.header("authorization") !== `Bearer ${TOKEN}`) return c.json({ error: "unauthorized" }, 401);
  await next();
});
// Offset pagination with a date window.
app.get("/v1/items", (c) => {
  const offset = Number(c.req.query("offset") ?? 0);
  const limit = Number(c.req.query("limit") ?? 10);
  const since = c.req.query("since");
  const until = c.req.query("until");
  const rows = items.filter((r) => (!since || r.updated_at >= since) && (!until || r.updated_at <= until));
  return c.json({ data: rows.slice(offset, offset + limit) });
});
// Next-URL pagination in the body, per team (a partition).
app.get("/v1/teams/:team/items", (c) => {
  const team = c.req.param("team");
  const page = Number(c.req.query("page") ?? 1);
  const since = c.req.query("since") ?? "";
  const rows = items.filter((r) => r.team === team && r.updated_at >= since);
  const slice = rows.slice((page - 1) * 5, page * 5);
  const next =
    page * 5 < rows.length
      ? `http://${c.req.header("host")}/v1/teams/${team}/items?page=${page + 1}&since=${since}`
      : null;
  return c.json({ results: slice, next });
});
app.get("/v1/teams", (c) => c.json([{ slug: "red" }, { slug: "blue" }]));
app.get("/v1/broken", (c) => c.json({ message: "nope" }, 400));

let server: ReturnType<typeof Bun.serve>;
let deps: DeclarativeDeps;
const slept: number[] = [];
beforeAll(() => {
  server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: app.fetch });
  deps = {
    hostMap: `https://api.example.com=http://127.0.0.1:${server.port}`,
    now: () => NOW,
    sleep: async (ms) => {
      slept.push(ms);
    },
  };
});
afterAll(() => server.stop(true));

const BASE = `
version: 6.0.0
type: DeclarativeSource
check: { type: CheckStream, stream_names: [items] }
definitions:
  requester:
    type: HttpRequester
    url_base: https://api.example.com/v1
    authenticator: { type: BearerAuthenticator, api_token: "{{ config['token'] }}" }
  items:
    type: DeclarativeStream
    name: items
    primary_key: id
    retriever:
      type: SimpleRetriever
      requester: { $ref: "#/definitions/requester", path: /items }
      record_selector:
        type: RecordSelector
        extractor: { type: DpathExtractor, field_path: [data] }
      paginator:
        type: DefaultPaginator
        page_token_option: { type: RequestOption, inject_into: request_parameter, field_name: offset }
        page_size_option: { type: RequestOption, inject_into: request_parameter, field_name: limit }
        pagination_strategy: { type: OffsetIncrement, page_size: 10 }
    incremental_sync:
      type: DatetimeBasedCursor
      cursor_field: updated_at
      datetime_format: "%Y-%m-%dT%H:%M:%SZ"
      start_datetime: { type: MinMaxDatetime, datetime: "{{ config['start_date'] }}", datetime_format: "%Y-%m-%dT%H:%M:%SZ" }
      start_time_option: { type: RequestOption, inject_into: request_parameter, field_name: since }
      end_time_option: { type: RequestOption, inject_into: request_parameter, field_name: until }
    transformations:
      - type: AddFields
        fields:
          - path: [label]
            value: "{{ record['Name'] | upper }}-{{ stream_interval['start_time'][:4] }}"
      - type: KeysToLower
    schema_loader: { type: InlineSchemaLoader, schema: { type: object, properties: { id: { type: integer } } } }
  team_items:
    type: DeclarativeStream
    name: team_items
    primary_key: [id]
    retriever:
      type: SimpleRetriever
      requester: { $ref: "#/definitions/requester", path: "/teams/{{ stream_partition.team }}/items" }
      record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [results] } }
      paginator:
        type: DefaultPaginator
        page_token_option: { type: RequestPath }
        pagination_strategy: { type: CursorPagination, cursor_value: "{{ response.next }}", stop_condition: "{{ response.next is none }}" }
      partition_router:
        type: SubstreamPartitionRouter
        parent_stream_configs:
          - type: ParentStreamConfig
            parent_key: slug
            partition_field: team
            stream:
              type: DeclarativeStream
              name: teams
              retriever:
                type: SimpleRetriever
                requester: { $ref: "#/definitions/requester", path: /teams }
                record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [] } }
    incremental_sync:
      type: DatetimeBasedCursor
      cursor_field: updated_at
      datetime_format: "%Y-%m-%dT%H:%M:%SZ"
      start_datetime: "{{ config['start_date'] }}"
      start_time_option: { type: RequestOption, inject_into: request_parameter, field_name: since }
  broken:
    type: DeclarativeStream
    name: broken
    retriever:
      type: SimpleRetriever
      requester: { $ref: "#/definitions/requester", path: /broken }
      record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [] } }
streams:
  - $ref: "#/definitions/items"
  - $ref: "#/definitions/team_items"
  - $ref: "#/definitions/broken"
spec:
  type: Spec
  connection_specification:
    type: object
    required: [token, start_date]
    properties:
      token: { type: string, airbyte_secret: true }
      start_date: { type: string }
`;

const CONFIG = { token: TOKEN, start_date: "2024-01-05T00:00:00Z" };

async function run(
  command: "spec" | "check" | "discover" | "read",
  extra: { config?: object; streams?: [string, "full_refresh" | "incremental"][]; state?: unknown[] } = {},
) {
  const out: AirbyteMessage[] = [];
  const catalog = extra.streams
    ? {
        streams: extra.streams.map(([name, mode]) => ({
          stream: { name, json_schema: {}, supported_sync_modes: ["full_refresh", "incremental"] },
          sync_mode: mode,
          destination_sync_mode: "append",
        })),
      }
    : undefined;
  for await (const m of runManifest(
    BASE,
    "test.yaml",
    {
      command,
      config: (extra.config ?? CONFIG) as Record<string, unknown>,
      catalog: catalog as never,
      state: extra.state,
      signal: new AbortController().signal,
    },
    deps,
  ))
    out.push(m);
  return out;
}

const records = (ms: AirbyteMessage[], stream: string) =>
  ms.flatMap((m) =>
    m.type === "RECORD" && m.record.stream === stream ? [m.record.data as Record<string, unknown>] : [],
  );
const states = (ms: AirbyteMessage[]) =>
  ms.flatMap((m) => (m.type === "STATE" ? [(m.state as Loose).stream.stream_state] : []));

describe("runManifest", () => {
  test("spec, discover", async () => {
    const [spec] = await run("spec");
    expect((spec as Loose).spec.connectionSpecification.required).toEqual(["token", "start_date"]);
    const [catalog] = await run("discover");
    const streams = (catalog as Loose).catalog.streams;
    expect(streams.map((s: Loose) => s.name)).toEqual(["items", "team_items", "broken"]);
    expect(streams[0]).toMatchObject({
      supported_sync_modes: ["full_refresh", "incremental"],
      source_defined_cursor: true,
      default_cursor_field: ["updated_at"],
      source_defined_primary_key: [["id"]],
    });
    expect(streams[2].supported_sync_modes).toEqual(["full_refresh"]);
    // Credentials are read at the first request, as in the CDK: discover needs none.
    const [bare] = await run("discover", { config: {} });
    const nested = BASE.replace("{{ config['token'] }}", "{{ config['authorization']['client_id'] }}");
    const out: AirbyteMessage[] = [];
    for await (const m of runManifest(
      nested,
      "nested.yaml",
      { command: "discover", config: {}, signal: new AbortController().signal },
      deps,
    ))
      out.push(m);
    expect((out[0] as Loose).catalog.streams).toHaveLength(3);
    expect((bare as Loose).catalog.streams).toHaveLength(3);
  });

  test("check succeeds, and fails with a bad token without leaking it", async () => {
    const [ok] = await run("check");
    expect((ok as Loose).connectionStatus.status).toBe("SUCCEEDED");
    const bad = await run("check", { config: { ...CONFIG, token: "wrong-token-123" } });
    expect((bad[0] as Loose).connectionStatus.status).toBe("FAILED");
    // The CDK's CheckStream reason, sent as Python's repr of the text.
    expect((bad[0] as Loose).connectionStatus.message).toBe(
      "'Stream items is not available: HTTP Status Code: 401. Error: Unauthorized. Please ensure you are authenticated correctly.'",
    );
    expect(JSON.stringify(bad)).not.toContain("wrong-token-123");
    const invalid = await run("check", { config: { token: TOKEN } });
    expect((invalid[0] as Loose).connectionStatus.message).toContain("start_date");
  });

  test("offset pagination within the date window, transformations, state = latest cursor", async () => {
    requests.length = 0;
    const out = await run("read", { streams: [["items", "incremental"]] });
    const expected = items.filter(
      (r) => r.updated_at >= CONFIG.start_date && r.updated_at <= "2024-03-01T00:00:00Z",
    );
    const got = records(out, "items");
    expect(got.map((r) => r.id)).toEqual(expected.map((r) => r.id));
    expect(got[0]).toEqual({
      id: 5,
      team: "red",
      updated_at: "2024-01-05T00:00:00Z",
      name: "Item 5",
      label: "ITEM 5-2024",
    });
    // 19 records in pages of 10: two full pages are not enough, a third (short) one ends it.
    expect(requests.filter((r) => r.startsWith("/v1/items")).length).toBe(2);
    expect(requests[0]).toContain("since=2024-01-05T00%3A00%3A00Z");
    expect(requests[0]).toContain("until=2024-03-01T00%3A00%3A00Z");
    expect(states(out).at(-1)).toEqual({ updated_at: expected.at(-1)?.updated_at });
    const statuses = out.flatMap((m) =>
      m.type === "TRACE" && m.trace.type === "STREAM_STATUS" ? [(m.trace as Loose).stream_status.status] : [],
    );
    expect(statuses).toEqual(["STARTED", "RUNNING", "COMPLETE"]);
  });

  test("incremental resumes from the state", async () => {
    const state = [
      {
        type: "STREAM",
        stream: {
          stream_descriptor: { name: "items" },
          stream_state: { updated_at: "2024-01-20T00:00:00Z" },
        },
      },
    ];
    const out = await run("read", { streams: [["items", "incremental"]], state });
    expect(records(out, "items").map((r) => r.id)).toEqual(
      items.filter((r) => r.updated_at >= "2024-01-20T00:00:00Z").map((r) => r.id),
    );
  });

  test("substream partitions with next-URL pagination and per-partition state", async () => {
    const out = await run("read", { streams: [["team_items", "incremental"]] });
    const expected = ["red", "blue"].flatMap((t) =>
      items.filter((r) => r.team === t && r.updated_at >= CONFIG.start_date),
    );
    expect(records(out, "team_items").map((r) => r.id)).toEqual(expected.map((r) => r.id));
    const final = states(out).at(-1) as Loose;
    expect(final.states).toEqual(
      ["red", "blue"].map((team) => ({
        partition: { team, parent_slice: {} },
        cursor: { updated_at: items.filter((r) => r.team === team).at(-1)?.updated_at },
      })),
    );
    expect(final.state).toEqual({ updated_at: items.at(-1)?.updated_at });
    expect(final).toMatchObject({
      use_global_cursor: false,
      lookback_window: expect.any(Number),
      parent_state: {},
    });
    // Resume: only records at or after each partition's cursor come back.
    const again = await run("read", {
      streams: [["team_items", "incremental"]],
      state: [{ type: "STREAM", stream: { stream_descriptor: { name: "team_items" }, stream_state: final } }],
    });
    expect(records(again, "team_items").map((r) => r.id)).toEqual([
      items.filter((r) => r.team === "red").at(-1)?.id,
      items.filter((r) => r.team === "blue").at(-1)?.id,
    ]);
  });

  test("a failing stream is a TRACE ERROR, the others still sync, and a full refresh of an incremental stream ends with its cursor's state", async () => {
    const out = await run("read", {
      streams: [
        ["broken", "full_refresh"],
        ["items", "full_refresh"],
      ],
    });
    const errors = out.flatMap((m) =>
      m.type === "TRACE" && m.trace.type === "ERROR" ? [(m.trace as Loose).error] : [],
    );
    expect(errors[0].stream_descriptor).toEqual({ name: "broken" });
    expect(errors[0].failure_type).toBe("system_error");
    expect(errors.at(-1).message).toContain("broken");
    const items = records(out, "items");
    expect(items.length).toBeGreaterThan(0);
    // As the CDK's concurrent source does: the cursor reads the stream whatever the sync mode, and
    // its state comes last (a full refresh just does not start from a saved one).
    const newest = items
      .map((r) => String(r.updated_at))
      .sort()
      .at(-1);
    expect(states(out).at(-1)).toEqual({ updated_at: newest });
  });
});
