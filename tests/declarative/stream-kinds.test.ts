// Streams of the CDK's 7.x components, read end to end against a small API that filters and pages
// as a real one: IncrementingCountCursor (ConcurrentCursor with an integer state),
// StateDelegatingStream (create_state_delegating_stream), UnionPartitionRouter and stream_groups.

import { describe, expect, test } from "bun:test";
import type { AirbyteMessage } from "../../src/connectors/protocol.ts";
import { answerOf, errorsOf, readManifest, recordsOf, serveApi } from "../helpers/manifest-run.ts";

type Json = Record<string, unknown>;

const statesOf = (ms: AirbyteMessage[], stream = "items") =>
  ms.flatMap((m) =>
    m.type === "STATE" && m.state.stream?.stream_descriptor.name === stream
      ? [m.state.stream.stream_state]
      : [],
  );

const source = (streams: string, top = "") => `
version: 6.0.0
type: DeclarativeSource
check: { type: CheckStream, stream_names: [items] }
definitions:
  requester: { type: HttpRequester, url_base: https://api.example.com }
  selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [data] } }
${top}
streams:
${streams}
spec: { type: Spec, connection_specification: { type: object } }
`;

/** Events with ids 1..n; `since_id` returns those from that id on, oldest first. */
function eventsApi(count: number, extra: (id: number) => Json = () => ({})) {
  const events = Array.from({ length: count }, (_, i) => ({ id: i + 1, ...extra(i + 1) }));
  const api = serveApi((url) => {
    const since = Number(url.searchParams.get("since_id") ?? 0);
    return { data: events.filter((e) => e.id >= since) };
  });
  return { ...api, events };
}

const counted = (options = "") => `
  - type: DeclarativeStream
    name: items
    primary_key: id
    schema_loader: { type: InlineSchemaLoader, schema: { type: object } }
    retriever:
      type: SimpleRetriever
      requester: { $ref: "#/definitions/requester", path: /events }
      record_selector: { $ref: "#/definitions/selector" }
    incremental_sync:
      type: IncrementingCountCursor
      cursor_field: id
      start_value_option: { type: RequestOption, inject_into: request_parameter, field_name: since_id }
${options}`;

describe("IncrementingCountCursor", () => {
  test("from the saved count on, the lower bound in start_value_option, and the greatest id as the state", async () => {
    const api = eventsApi(8);
    const ms = await readManifest(source(counted()), api.hostMap, {
      mode: "incremental",
      state: [
        {
          type: "STREAM",
          stream: { stream_descriptor: { name: "items" }, stream_state: { id: 5, other: "kept" } },
        },
      ],
    });
    expect(errorsOf(ms)).toEqual([]);
    expect(api.requests).toEqual(["GET /events?since_id=5"]);
    expect(recordsOf(ms).map((r) => r.id)).toEqual([5, 6, 7, 8]);
    expect(statesOf(ms).at(-1)).toEqual({ id: 8, other: "kept" });
  });

  test("start_value from the config; a full refresh starts there and still ends with a state", async () => {
    const api = eventsApi(4);
    const ms = await readManifest(
      source(counted("      start_value: \"{{ config['from'] }}\"")),
      api.hostMap,
      {
        config: { from: "3" },
      },
    );
    expect(api.requests).toEqual(["GET /events?since_id=3"]);
    expect(recordsOf(ms).map((r) => r.id)).toEqual([3, 4]);
    expect(statesOf(ms).at(-1)).toEqual({ id: 4 });
  });

  test("ids beyond 2^53 stay exact in the state and in the next request", async () => {
    const big = 9007199254740993n;
    const api = serveApi((url) => {
      const since = url.searchParams.get("since_id");
      const ids = since === "0" ? [big - 1n, big] : [BigInt(since ?? 0), big + 1n];
      return new Response(`{"data":[${ids.map((id) => `{"id":${id}}`).join(",")}]}`, {
        headers: { "content-type": "application/json" },
      });
    });
    const first = await readManifest(source(counted()), api.hostMap, { mode: "incremental" });
    const state = statesOf(first).at(-1);
    expect(JSON.stringify(state)).toBe(`{"id":${big}}`);
    const second = await readManifest(source(counted()), api.hostMap, {
      mode: "incremental",
      state: [{ type: "STREAM", stream: { stream_descriptor: { name: "items" }, stream_state: state } }],
    });
    expect(api.requests.at(-1)).toBe(`GET /events?since_id=${big}`);
    expect(JSON.stringify(statesOf(second).at(-1))).toBe(`{"id":${big + 1n}}`);
  });

  test("discover lists it as incremental on its cursor field; a partition router with it is the CDK's error", async () => {
    const ms = await answerOf(source(counted()), "discover");
    const catalog = ms.find((m) => m.type === "CATALOG");
    expect(JSON.stringify(catalog)).toContain('"supported_sync_modes":["full_refresh","incremental"]');
    expect(JSON.stringify(catalog)).toContain('"default_cursor_field":["id"]');
    const routed = source(counted()).replace(
      'record_selector: { $ref: "#/definitions/selector" }',
      'record_selector: { $ref: "#/definitions/selector" }\n      partition_router: { type: ListPartitionRouter, values: [a], cursor_field: k }',
    );
    await expect(answerOf(routed, "discover")).rejects.toThrow(
      "does not currently support usage of a PartitionRouter and an IncrementingCountCursor at the same time",
    );
  });
});

describe("StateDelegatingStream", () => {
  const delegating = (extra = "") => `
  - type: StateDelegatingStream
    name: items
${extra}
    full_refresh_stream:
      type: DeclarativeStream
      name: items
      primary_key: id
      schema_loader: { type: InlineSchemaLoader, schema: { type: object, properties: { id: { type: integer } } } }
      retriever:
        type: SimpleRetriever
        requester: { $ref: "#/definitions/requester", path: /all }
        record_selector: { $ref: "#/definitions/selector" }
      incremental_sync: &cursor
        type: DatetimeBasedCursor
        cursor_field: updated
        datetime_format: "%Y-%m-%d"
        start_datetime: "2024-01-01"
        end_datetime: "2024-03-01"
    incremental_stream:
      type: DeclarativeStream
      name: items
      primary_key: id
      schema_loader: { type: InlineSchemaLoader, schema: { type: object } }
      retriever:
        type: SimpleRetriever
        requester:
          $ref: "#/definitions/requester"
          path: /changes
          request_parameters: { since: "{{ stream_interval.start_time }}" }
        record_selector: { $ref: "#/definitions/selector" }
      incremental_sync: *cursor`;
  const api = () =>
    serveApi((url) => ({
      data:
        url.pathname === "/all"
          ? [
              { id: 1, updated: "2024-01-10" },
              { id: 2, updated: "2024-02-10" },
            ]
          : [{ id: 2, updated: "2024-02-20" }],
    }));
  const withState = (updated: string) => [
    { type: "STREAM", stream: { stream_descriptor: { name: "items" }, stream_state: { updated } } },
  ];

  test("no state: the full-refresh stream; a saved state: the incremental one, from that state", async () => {
    const a = api();
    const first = await readManifest(source(delegating()), a.hostMap, { mode: "incremental" });
    expect(errorsOf(first)).toEqual([]);
    expect(recordsOf(first).map((r) => r.id)).toEqual([1, 2]);
    expect(statesOf(first).at(-1)).toEqual({ updated: "2024-02-10" });
    const second = await readManifest(source(delegating()), a.hostMap, {
      mode: "incremental",
      state: withState("2024-02-10"),
    });
    expect(a.requests).toEqual(["GET /all", "GET /changes?since=2024-02-10"]);
    expect(recordsOf(second)).toEqual([{ id: 2, updated: "2024-02-20" }]);
  });

  test("discover describes the full-refresh stream under the shared name", async () => {
    const ms = await answerOf(source(delegating()), "discover");
    const catalog = ms.find((m) => m.type === "CATALOG");
    expect(JSON.stringify(catalog)).toContain('"properties":{"id":{"type":"integer"}}');
  });

  test("a saved cursor older than api_retention_period is dropped: the stream is read in full", async () => {
    const a = api();
    const ms = await readManifest(source(delegating("    api_retention_period: P30D")), a.hostMap, {
      mode: "incremental",
      state: withState("2024-01-05"),
      now: () => new Date("2024-03-01T00:00:00Z"),
    });
    expect(a.requests).toEqual(["GET /all"]);
    expect(recordsOf(ms).map((r) => r.id)).toEqual([1, 2]);
    const fresh = await readManifest(source(delegating("    api_retention_period: P30D")), a.hostMap, {
      mode: "incremental",
      state: withState("2024-02-20"),
      now: () => new Date("2024-03-01T00:00:00Z"),
    });
    expect(errorsOf(fresh)).toEqual([]);
    expect(a.requests.at(-1)).toBe("GET /changes?since=2024-02-20");
  });

  test("sub-streams named differently are the CDK's error", async () => {
    const text = source(delegating()).replace(
      "      name: items\n      primary_key: id\n      schema_loader: { type: InlineSchemaLoader, schema: { type: object } }",
      "      name: other\n      primary_key: id\n      schema_loader: { type: InlineSchemaLoader, schema: { type: object } }",
    );
    await expect(answerOf(text, "discover")).rejects.toThrow(
      "full_refresh_stream name and incremental_stream must have equal names. Instead has items, items and other.",
    );
  });
});

describe("UnionPartitionRouter and stream_groups", () => {
  test("each partition value once, the first occurrence winning; the other keys as extra fields", async () => {
    const api = serveApi((url) => {
      if (url.pathname === "/orgs") return { data: [{ login: "b" }, { login: "c" }] };
      return { data: [{ id: url.pathname }] };
    });
    const text = source(
      `
  - type: DeclarativeStream
    name: items
    primary_key: id
    schema_loader: { type: InlineSchemaLoader, schema: { type: object } }
    retriever:
      type: SimpleRetriever
      requester: { $ref: "#/definitions/requester", path: "/repos/{{ stream_partition.owner }}" }
      record_selector: { $ref: "#/definitions/selector" }
      partition_router:
        type: UnionPartitionRouter
        partition_field: owner
        partition_routers:
          - { type: ListPartitionRouter, values: [a, b], cursor_field: owner }
          - type: SubstreamPartitionRouter
            parent_stream_configs:
              - type: ParentStreamConfig
                parent_key: login
                partition_field: owner
                stream:
                  type: DeclarativeStream
                  name: orgs
                  schema_loader: { type: InlineSchemaLoader, schema: { type: object } }
                  retriever:
                    type: SimpleRetriever
                    requester: { $ref: "#/definitions/requester", path: /orgs }
                    record_selector: { $ref: "#/definitions/selector" }
    transformations:
      - type: AddFields
        fields: [{ path: [from_parent], value: "{{ 'parent_slice' in stream_slice.extra_fields }}" }]`,
      `stream_groups:
  shared_quota:
    streams: [{ $ref: "#/streams/0" }]
    action: { type: BlockSimultaneousSyncsAction }`,
    );
    const ms = await readManifest(text, api.hostMap);
    expect(errorsOf(ms)).toEqual([]);
    expect(api.requests).toEqual(["GET /repos/a", "GET /repos/b", "GET /orgs", "GET /repos/c"]);
    expect(recordsOf(ms)).toEqual([
      { id: "/repos/a", from_parent: false },
      { id: "/repos/b", from_parent: false },
      { id: "/repos/c", from_parent: true },
    ]);
  });
});

describe("ConditionalStreams and dynamic_streams_check_configs", () => {
  const simple = (name: string, path: string) => `
  - type: DeclarativeStream
    name: ${name}
    schema_loader: { type: InlineSchemaLoader, schema: { type: object } }
    retriever:
      type: SimpleRetriever
      requester: { $ref: "#/definitions/requester", path: ${path} }
      record_selector: { $ref: "#/definitions/selector" }`;

  test("the streams of a ConditionalStreams exist only when its condition holds for the config", async () => {
    const text = source(`${simple("items", "/items")}
  - type: ConditionalStreams
    condition: "{{ config.get('sandbox', False) }}"
    streams:${simple("sandbox_only", "/sandbox").replace(/\n/g, "\n    ")}`);
    const names = async (config: Json) => {
      const ms = await answerOf(text, "discover", "", config);
      const catalog = ms.find((m) => m.type === "CATALOG") as { catalog: { streams: { name: string }[] } };
      return catalog.catalog.streams.map((s) => s.name);
    };
    expect(await names({ sandbox: true })).toEqual(["items", "sandbox_only"]);
    expect(await names({})).toEqual(["items"]);
  });

  test("check reads the first stream_count streams a dynamic definition generated", async () => {
    const api = serveApi((url) =>
      url.pathname === "/reports/b"
        ? Response.json({ message: "no access" }, { status: 403 })
        : { data: [{ id: 1 }] },
    );
    const text = (checkConfig: string) =>
      source(simple("items", "/items"), "").replace(
        "check: { type: CheckStream, stream_names: [items] }",
        `check: { type: CheckStream, stream_names: [items], dynamic_streams_check_configs: [${checkConfig}] }
dynamic_streams:
  - type: DynamicDeclarativeStream
    name: reports
    stream_template:
      type: DeclarativeStream
      name: placeholder
      schema_loader: { type: InlineSchemaLoader, schema: { type: object } }
      retriever:
        type: SimpleRetriever
        requester: { $ref: "#/definitions/requester", path: /placeholder }
        record_selector: { $ref: "#/definitions/selector" }
    components_resolver:
      type: ConfigComponentsResolver
      stream_config: { type: StreamConfig, configs_pointer: [reports] }
      components_mapping:
        - { type: ComponentMappingDefinition, field_path: [name], value: "report_{{ components_values.name }}" }
        - { type: ComponentMappingDefinition, field_path: [retriever, requester, path], value: "/reports/{{ components_values.name }}" }`,
      );
    const config = { reports: [{ name: "a" }, { name: "b" }] };
    const statusOf = async (checkConfig: string) => {
      const ms = await answerOf(text(checkConfig), "check", api.hostMap, config);
      return (ms.find((m) => m.type === "CONNECTION_STATUS") as { connectionStatus: Json }).connectionStatus;
    };
    expect(
      await statusOf("{ type: DynamicStreamCheckConfig, dynamic_stream_name: reports, stream_count: 1 }"),
    ).toEqual({
      status: "SUCCEEDED",
    });
    const all = await statusOf("{ type: DynamicStreamCheckConfig, dynamic_stream_name: reports }");
    expect(all.status).toBe("FAILED");
    // repr() of the text: in double quotes here, as the API's message holds a single one.
    expect(String(all.message)).toStartWith(
      '"Dynamic Stream report_b is not available: HTTP Status Code: 403.',
    );
    expect(await statusOf("{ type: DynamicStreamCheckConfig, dynamic_stream_name: other }")).toEqual({
      status: "FAILED",
      message: "'Dynamic stream other is not found in manifest.'",
    });
  });
});

describe("RecordExpander (DpathExtractor.record_expander)", () => {
  test("the items of a list inside each record become records; the parent kept as asked", async () => {
    const invoices: Json[] = [
      { id: 1, lines: { data: [{ sku: "a" }, { sku: "b" }] } },
      { id: 2, lines: { data: [] } },
      { id: 3, lines: { data: ["plain"] } },
    ];
    const api = serveApi(() => ({ data: invoices }));
    const text = (expander: string) =>
      source(`
  - type: DeclarativeStream
    name: items
    schema_loader: { type: InlineSchemaLoader, schema: { type: object } }
    retriever:
      type: SimpleRetriever
      requester: { $ref: "#/definitions/requester", path: /invoices }
      record_selector:
        type: RecordSelector
        extractor:
          type: DpathExtractor
          field_path: [data]
          record_expander: ${expander}`);
    const kept = await readManifest(
      text(
        "{ type: RecordExpander, expand_records_from_field: [lines, data], remain_original_record: true, on_no_records: emit_parent }",
      ),
      api.hostMap,
    );
    expect(recordsOf(kept)).toEqual([
      { sku: "a", original_record: invoices[0] },
      { sku: "b", original_record: invoices[0] },
      invoices[1] as Json,
      { value: "plain", original_record: invoices[2] },
    ]);
    // Without the parent, a list of plain values gives values, not records: the read says so.
    const bare = await readManifest(
      text("{ type: RecordExpander, expand_records_from_field: [lines, data] }"),
      api.hostMap,
    );
    expect(recordsOf(bare)).toEqual([]);
    expect(errorsOf(bare)[0]).toContain("found a string where a record (a JSON object) was expected");
  });
});

describe("PaginationReset (SimpleRetriever._read_pages with a PaginationTracker)", () => {
  /** Events a day apart from 2024-01-01, oldest first, filtered by `since`, 2 a page by `page`. */
  const eventsByDay = (count: number, onPage?: (page: number, since: string) => Response | null) => {
    const events = Array.from({ length: count }, (_, i) => ({
      id: i + 1,
      updated: new Date(Date.UTC(2024, 0, 1 + i)).toISOString().slice(0, 10),
    }));
    return serveApi((url) => {
      const since = url.searchParams.get("since") ?? "";
      const page = Number(url.searchParams.get("page") ?? 1);
      const failed = onPage?.(page, since);
      if (failed) return failed;
      const matching = events.filter((e) => e.updated >= since);
      return { data: matching.slice((page - 1) * 2, page * 2), more: matching.length > page * 2 };
    });
  };
  const stream = (reset: string, errorHandler = "") => `
  - type: DeclarativeStream
    name: items
    primary_key: id
    schema_loader: { type: InlineSchemaLoader, schema: { type: object } }
    retriever:
      type: SimpleRetriever
      requester:
        $ref: "#/definitions/requester"
        path: /events
        request_parameters: { since: "{{ stream_interval.start_time }}" }
${errorHandler}
      record_selector: { $ref: "#/definitions/selector" }
      paginator:
        type: DefaultPaginator
        page_token_option: { type: RequestOption, inject_into: request_parameter, field_name: page }
        pagination_strategy: { type: PageIncrement, start_from_page: 1, page_size: 2 }
      pagination_reset: ${reset}
    incremental_sync:
      type: DatetimeBasedCursor
      cursor_field: updated
      datetime_format: "%Y-%m-%d"
      start_datetime: "2024-01-01"
      end_datetime: "2024-01-31"`;

  test("SPLIT_USING_CURSOR with a record limit: page 1 again, from the latest date read", async () => {
    const api = eventsByDay(5);
    const ms = await readManifest(
      source(
        stream(
          "{ type: PaginationReset, action: SPLIT_USING_CURSOR, limits: { type: PaginationResetLimits, number_of_records: 4 } }",
        ),
      ),
      api.hostMap,
    );
    expect(errorsOf(ms)).toEqual([]);
    expect(api.requests).toEqual([
      "GET /events?since=2024-01-01",
      "GET /events?since=2024-01-01&page=2",
      "GET /events?since=2024-01-04",
      "GET /events?since=2024-01-04&page=2",
    ]);
    // The record at the boundary comes again, as in the CDK.
    expect(recordsOf(ms).map((r) => r.id)).toEqual([1, 2, 3, 4, 4, 5]);
  });

  test("the error handler's RESET_PAGINATION restarts the slice once; a second time on the same slice fails", async () => {
    let failures = 1;
    const api = eventsByDay(3, (page) => {
      if (page === 2 && failures-- > 0) return Response.json({ error: "cursor expired" }, { status: 400 });
      return null;
    });
    const handler = `        error_handler:
          type: DefaultErrorHandler
          response_filters: [{ type: HttpResponseFilter, http_codes: [400], action: RESET_PAGINATION }]`;
    const ms = await readManifest(
      source(stream("{ type: PaginationReset, action: RESET }", handler)),
      api.hostMap,
    );
    expect(errorsOf(ms)).toEqual([]);
    expect(recordsOf(ms).map((r) => r.id)).toEqual([1, 2, 1, 2, 3]);
    failures = 2;
    const again = await readManifest(
      source(stream("{ type: PaginationReset, action: RESET }", handler)),
      api.hostMap,
    );
    expect(errorsOf(again)[0]).toContain(
      "There were 2 attempts with the same slice already while the max allowed is 2",
    );
  });
});

/** Tasks per project (a substream), per-partition by `updated`, with the legacy state migration. */
function legacyTasks(): string {
  return source(`
  - type: DeclarativeStream
    name: items
    primary_key: id
    schema_loader: { type: InlineSchemaLoader, schema: { type: object } }
    state_migrations: [{ type: LegacyToPerPartitionStateMigration }]
    retriever:
      type: SimpleRetriever
      requester:
        $ref: "#/definitions/requester"
        path: "/projects/{{ stream_partition.project_id }}/tasks"
        request_parameters: { since: "{{ stream_interval.start_time }}" }
      record_selector: { $ref: "#/definitions/selector" }
      partition_router:
        type: SubstreamPartitionRouter
        parent_stream_configs:
          - type: ParentStreamConfig
            parent_key: id
            partition_field: project_id
            stream:
              type: DeclarativeStream
              name: projects
              schema_loader: { type: InlineSchemaLoader, schema: { type: object } }
              retriever:
                type: SimpleRetriever
                requester: { $ref: "#/definitions/requester", path: /projects }
                record_selector: { $ref: "#/definitions/selector" }
    incremental_sync:
      type: DatetimeBasedCursor
      cursor_field: updated
      datetime_format: "%Y-%m-%d"
      start_datetime: "2024-01-01"
      end_datetime: "2024-03-01"`);
}

describe("LegacyToPerPartitionStateMigration", () => {
  test("a legacy per-parent state is read as the per-partition state it stands for", async () => {
    const api = serveApi((url) => {
      if (url.pathname === "/projects") return { data: [{ id: "p1" }, { id: "p2" }] };
      return { data: [{ id: `${url.pathname}?${url.searchParams.get("since")}`, updated: "2024-02-20" }] };
    });
    const text = legacyTasks();
    const ms = await readManifest(text, api.hostMap, {
      mode: "incremental",
      state: [
        {
          type: "STREAM",
          stream: { stream_descriptor: { name: "items" }, stream_state: { p1: { updated: "2024-02-10" } } },
        },
      ],
    });
    expect(errorsOf(ms)).toEqual([]);
    // p1 from its migrated cursor; p2, new, from the start; the legacy entry replaced, not kept.
    const last = ms.filter((m) => m.type === "STATE").at(-1);
    expect(JSON.stringify(last)).not.toContain('"partition":{"project_id":"p1"}');
    expect(api.requests).toEqual([
      "GET /projects",
      "GET /projects/p1/tasks?since=2024-02-10",
      "GET /projects/p2/tasks?since=2024-01-01",
    ]);
  });
});

describe("LegacyToPerPartitionStateMigration with numeric parent ids", () => {
  test("the legacy state's text keys stand for the ids they were written from", async () => {
    const api = serveApi((url) => {
      if (url.pathname === "/projects") return { data: [{ id: 101 }] };
      return { data: [] };
    });
    const text = legacyTasks();
    await readManifest(text, api.hostMap, {
      mode: "incremental",
      state: [
        {
          type: "STREAM",
          stream: {
            stream_descriptor: { name: "items" },
            stream_state: { "101": { updated: "2024-02-10" } },
          },
        },
      ],
    });
    expect(api.requests).toEqual(["GET /projects", "GET /projects/101/tasks?since=2024-02-10"]);
  });
});

describe("a StateDelegatingStream as a dynamic stream's template", () => {
  test("each generated stream is chosen by its own saved state", async () => {
    const api = serveApi((url) => ({ data: [{ id: url.pathname, updated: "2024-02-20" }] }));
    const sub = (path: string) => `
        type: DeclarativeStream
        name: placeholder
        schema_loader: { type: InlineSchemaLoader, schema: { type: object } }
        retriever:
          type: SimpleRetriever
          requester: { $ref: "#/definitions/requester", path: ${path} }
          record_selector: { $ref: "#/definitions/selector" }
        incremental_sync: { type: DatetimeBasedCursor, cursor_field: updated, datetime_format: "%Y-%m-%d", start_datetime: "2024-01-01", end_datetime: "2024-03-01" }`;
    const text = `
version: 6.0.0
type: DeclarativeSource
check: { type: CheckStream, stream_names: [] }
definitions:
  requester: { type: HttpRequester, url_base: https://api.example.com }
  selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [data] } }
dynamic_streams:
  - type: DynamicDeclarativeStream
    stream_template:
      type: StateDelegatingStream
      name: placeholder
      full_refresh_stream:${sub("/all")}
      incremental_stream:${sub("/changes")}
    components_resolver:
      type: ConfigComponentsResolver
      stream_config: { type: StreamConfig, configs_pointer: [objects] }
      components_mapping:
        - { type: ComponentMappingDefinition, field_path: [name], value: "{{ components_values.name }}" }
        - { type: ComponentMappingDefinition, field_path: [full_refresh_stream, name], value: "{{ components_values.name }}" }
        - { type: ComponentMappingDefinition, field_path: [incremental_stream, name], value: "{{ components_values.name }}" }
spec: { type: Spec, connection_specification: { type: object } }
`;
    const ms = await readManifest(text, api.hostMap, {
      config: { objects: [{ name: "a" }, { name: "b" }] },
      streams: ["a", "b"],
      mode: "incremental",
      state: [
        {
          type: "STREAM",
          stream: { stream_descriptor: { name: "b" }, stream_state: { updated: "2024-02-01" } },
        },
      ],
    });
    expect(errorsOf(ms)).toEqual([]);
    expect(api.requests).toEqual(["GET /all", "GET /changes"]);
  });
});

describe("PaginationReset as source-freshdesk uses it", () => {
  test("an API that refuses pages past a cap: the slice is split at the latest date read, and every record is read", async () => {
    // Tickets a day apart, oldest first, 2 a page, filtered by updated_since; page 4 and later are refused.
    const tickets = Array.from({ length: 11 }, (_, i) => ({
      id: i + 1,
      updated_at: new Date(Date.UTC(2024, 0, 1 + i)).toISOString().slice(0, 10),
    }));
    const api = serveApi((url) => {
      const page = Number(url.searchParams.get("page") ?? 1);
      if (page > 3)
        return Response.json(
          { description: "You cannot access tickets beyond the 300th page" },
          { status: 400 },
        );
      const since = url.searchParams.get("updated_since") ?? "";
      return tickets.filter((t) => t.updated_at >= since).slice((page - 1) * 2, page * 2);
    });
    const text = source(`
  - type: DeclarativeStream
    name: items
    primary_key: id
    schema_loader: { type: InlineSchemaLoader, schema: { type: object } }
    retriever:
      type: SimpleRetriever
      requester:
        $ref: "#/definitions/requester"
        path: /tickets
        request_parameters: { updated_since: "{{ stream_interval.start_time }}" }
        error_handler:
          type: CompositeErrorHandler
          error_handlers:
            - type: DefaultErrorHandler
              response_filters:
                - type: HttpResponseFilter
                  action: RESET_PAGINATION
                  http_codes: [400]
                  error_message_contains: You cannot access tickets beyond the 300th page
      record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [] } }
      paginator:
        type: DefaultPaginator
        page_token_option: { type: RequestOption, inject_into: request_parameter, field_name: page }
        pagination_strategy: { type: PageIncrement, page_size: 2, start_from_page: 1 }
      pagination_reset: { type: PaginationReset, action: SPLIT_USING_CURSOR }
    incremental_sync:
      type: DatetimeBasedCursor
      cursor_field: updated_at
      datetime_format: "%Y-%m-%d"
      start_datetime: "2024-01-01"
      end_datetime: "2024-02-01"`);
    const ms = await readManifest(text, api.hostMap, { mode: "incremental" });
    expect(errorsOf(ms)).toEqual([]);
    const ids = recordsOf(ms).map((r) => r.id as number);
    expect([...new Set(ids)]).toEqual(tickets.map((t) => t.id));
    // Each split restarts at page 1 from the latest date read.
    expect(api.requests.filter((r) => !r.includes("page="))).toEqual([
      "GET /tickets?updated_since=2024-01-01",
      "GET /tickets?updated_since=2024-01-06",
      "GET /tickets?updated_since=2024-01-11",
    ]);
  });
});
