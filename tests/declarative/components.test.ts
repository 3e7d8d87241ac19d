// Less common components over a real local server: OAuth with renamed fields, query-param refresh
// and refresh-token rotation (CONTROL message), DpathFlattenFields, transform_before_filtering,
// ignore_stream_slicer_parameters_on_paginated_requests, HttpRequester.url, stepped date slices.

import { afterAll, beforeAll, expect, test } from "bun:test";
import { Hono } from "hono";
import type { AirbyteMessage } from "../../src/connectors/protocol.ts";
import { runManifest } from "../../src/declarative/source.ts";

// biome-ignore lint/suspicious/noExplicitAny: messages are read field by field in assertions
type Loose = any;

const tokenRequests: { query: Record<string, string>; body: string }[] = [];
const requests: URL[] = [];
const obtained: string[] = [];
let issued = 0;
const rows = Array.from({ length: 7 }, (_, i) => ({
  id: i + 1,
  meta: { kind: i % 2 ? "odd" : "even", rank: i },
  day: `2024-01-0${i + 1}`,
}));

const app = new Hono();
app.post("/oauth/token", async (c) => {
  tokenRequests.push({ query: c.req.query(), body: await c.req.text() });
  issued++;
  return c.json({ data: { token: `access-${issued}` }, expires: 3600, refresh_token: `rotated-${issued}` });
});
app.use("/api/*", async (c, next) => {
  requests.push(new URL(c.req.url));
  if (!c.req.header("authorization")?.startsWith("Bearer access-")) return c.json({}, 401);
  await next();
});
app.get("/api/rows", (c) => {
  const page = Number(c.req.query("page") ?? 1);
  const day = c.req.query("day");
  const selected = day ? rows.filter((r) => r.day === day) : rows;
  const chunk = selected.slice((page - 1) * 3, page * 3);
  return c.json({ items: chunk, next: page * 3 < selected.length ? page + 1 : null });
});

let server: ReturnType<typeof Bun.serve>;
beforeAll(() => {
  server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: app.fetch });
});
afterAll(() => server.stop(true));

const MANIFEST = `
version: 6.0.0
type: DeclarativeSource
check: { type: CheckStream, stream_names: [rows] }
definitions:
  auth:
    type: OAuthAuthenticator
    token_refresh_endpoint: https://auth.example.com/oauth/token
    client_id: "{{ config['client_id'] }}"
    client_secret: "{{ config['client_secret'] }}"
    refresh_token: "{{ config['credentials']['refresh_token'] }}"
    client_id_name: app_id
    refresh_token_name: rt
    send_refresh_request_as_query_params: true
    access_token_name: data.token
    expires_in_name: expires
    refresh_token_updater: { refresh_token_name: refresh_token }
streams:
  - type: DeclarativeStream
    name: rows
    primary_key: id
    retriever:
      type: SimpleRetriever
      ignore_stream_slicer_parameters_on_paginated_requests: true
      requester:
        type: HttpRequester
        url: https://api.example.com/api/rows
        authenticator: { $ref: "#/definitions/auth" }
      record_selector:
        type: RecordSelector
        transform_before_filtering: true
        extractor: { type: DpathExtractor, field_path: [items] }
        record_filter: { type: RecordFilter, condition: "{{ record['kind'] == 'even' }}" }
      paginator:
        type: DefaultPaginator
        page_token_option: { type: RequestOption, inject_into: request_parameter, field_name: page }
        pagination_strategy: { type: CursorPagination, cursor_value: "{{ response.next }}", stop_condition: "{{ not response.next }}" }
      partition_router:
        type: ListPartitionRouter
        values: ["all"]
        cursor_field: group
        request_option: { type: RequestOption, inject_into: request_parameter, field_name: group }
    transformations:
      - type: DpathFlattenFields
        field_path: [meta]
        delete_origin_value: true
        key_transformation: { type: KeyTransformation, suffix: "" }
  - type: DeclarativeStream
    name: days
    retriever:
      type: SimpleRetriever
      requester:
        type: HttpRequester
        url: https://api.example.com/api/rows
        authenticator: { $ref: "#/definitions/auth" }
      record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [items] } }
    incremental_sync:
      type: DatetimeBasedCursor
      cursor_field: day
      datetime_format: "%Y-%m-%d"
      start_datetime: "2024-01-02"
      end_datetime: "2024-01-05"
      step: P1D
      cursor_granularity: P1D
      is_compare_strictly: true
      start_time_option: { type: RequestOption, inject_into: request_parameter, field_name: day }
spec:
  type: Spec
  connection_specification: { type: object, properties: {} }
`;

async function read(streams: string[]): Promise<AirbyteMessage[]> {
  const out: AirbyteMessage[] = [];
  const catalog = {
    streams: streams.map((name) => ({
      stream: { name, json_schema: {} },
      sync_mode: "incremental",
      destination_sync_mode: "append",
    })),
  };
  for await (const m of runManifest(
    MANIFEST,
    "components.yaml",
    {
      command: "read",
      config: { client_id: "cid", client_secret: "csecret", credentials: { refresh_token: "rt-0" } },
      catalog: catalog as never,
      signal: new AbortController().signal,
    },
    {
      hostMap: `https://api.example.com=http://127.0.0.1:${server.port},https://auth.example.com=http://127.0.0.1:${server.port}`,
      onSecret: (v: string) => obtained.push(v),
    },
  ))
    out.push(m);
  return out;
}

test("OAuth with renamed fields in the query, a rotated refresh token reported as CONTROL, and the record pipeline options", async () => {
  const out = await read(["rows"]);
  const errors = out.filter((m) => m.type === "TRACE" && (m as Loose).trace.type === "ERROR");
  expect(errors).toEqual([]);
  // One refresh, its fields renamed and sent as query parameters, with no body.
  expect(tokenRequests.length).toBe(1);
  expect(tokenRequests[0]).toEqual({
    query: { grant_type: "refresh_token", app_id: "cid", client_secret: "csecret", rt: "rt-0" },
    body: "",
  });
  // Tokens obtained at run time go to the redactor like config secrets.
  expect(obtained).toEqual(["access-1", "rotated-1"]);
  const control = out.find((m) => m.type === "CONTROL") as Loose;
  expect(control.control.connectorConfig.config.credentials).toMatchObject({
    refresh_token: "rotated-1",
    access_token: "access-1",
  });
  // The flattened meta (transformed before filtering) decides; meta itself is gone.
  const records = out.flatMap((m) => (m.type === "RECORD" ? [(m as Loose).record.data] : []));
  expect(records).toEqual(
    rows
      .filter((r) => r.meta.kind === "even")
      .map((r) => ({ id: r.id, day: r.day, kind: r.meta.kind, rank: r.meta.rank })),
  );
  // The partition's parameter goes on the first page only.
  const pages = requests.filter((u) => u.pathname === "/api/rows" && !u.searchParams.has("day"));
  const pageCount = Math.ceil(rows.length / 3);
  const expected = Array.from({ length: pageCount }, (_, i) =>
    i === 0 ? ["all", null] : [null, String(i + 1)],
  );
  expect(pages.map((u) => [u.searchParams.get("group"), u.searchParams.get("page")])).toEqual(expected);
});

test("stepped date slices with granularity, compared strictly: one request per day before the end", async () => {
  requests.length = 0;
  const out = await read(["days"]);
  const days = requests.filter((u) => u.searchParams.has("day")).map((u) => u.searchParams.get("day"));
  expect(days).toEqual(["2024-01-02", "2024-01-03", "2024-01-04"]);
  const records = out.flatMap((m) => (m.type === "RECORD" ? [(m as Loose).record.data.day] : []));
  expect(records).toEqual(days);
  const states = out.flatMap((m) => (m.type === "STATE" ? [(m as Loose).state.stream.stream_state] : []));
  expect(states.at(-1)).toEqual({ day: "2024-01-04" });
});
