// Behaviours a review against the CDK's source found different, each read end to end against a
// small real server: what the runner requests and emits must be what the CDK's code does (the CDK
// function is named in each test).

import { afterEach, describe, expect, test } from "bun:test";
import type { AirbyteMessage } from "../../src/connectors/protocol.ts";
import { flattenFields, keysToSnakeCase } from "../../src/declarative/records.ts";
import {
  answerOf,
  errorsOf,
  oneStreamManifest,
  type ReadOptions,
  readManifest,
  recordsOf,
} from "../helpers/manifest-run.ts";

type Json = Record<string, unknown>;

const NOW = new Date("2024-03-01T00:00:00Z");
const servers: ReturnType<typeof Bun.serve>[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.stop(true);
});

/**
 * A server answering with `answer(url, request)`: a Response as it is, anything else as JSON. Every
 * request URL (path and query) is logged.
 */
function serve(answer: (url: URL, req: Request) => unknown) {
  const requests: string[] = [];
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(req) {
      const url = new URL(req.url);
      requests.push(`${url.pathname}${url.search}`);
      const out = await answer(url, req);
      return out instanceof Response ? out : Response.json(out);
    },
  });
  servers.push(server);
  return { requests, port: server.port, hostMap: `https://api.example.com=http://127.0.0.1:${server.port}` };
}

/** A one-stream manifest: `stream` is the stream's YAML below `name: items` (indented by 4). */
const manifest = (stream: string) => oneStreamManifest(stream);

/** A read of `streams` (default: items) at NOW; backoff waits are skipped. */
const read = (text: string, hostMap: string, options: ReadOptions = {}): Promise<AirbyteMessage[]> =>
  readManifest(text, hostMap, { now: () => NOW, ...options });

describe("offset and page-number pagination count the page as extracted, before the record filter", () => {
  // OffsetIncrement.next_page_token and PageIncrement.next_page_token:
  // `last_page_size = len(list(self.extractor.extract_records(response=response)))`.
  const rows = Array.from({ length: 25 }, (_, i) => ({ id: i + 1 }));
  const paging = (strategy: string, token: string) => `
    retriever:
      type: SimpleRetriever
      requester: { type: HttpRequester, url_base: https://api.example.com, path: /items }
      record_selector:
        type: RecordSelector
        extractor: { type: DpathExtractor, field_path: [data] }
        record_filter: { type: RecordFilter, condition: "{{ record.id % 2 == 0 }}" }
      paginator:
        type: DefaultPaginator
        page_token_option: { type: RequestOption, inject_into: request_parameter, field_name: ${token} }
        page_size_option: { type: RequestOption, inject_into: request_parameter, field_name: limit }
        pagination_strategy: ${strategy}`;

  test("OffsetIncrement: every page is read and each offset skips a whole page", async () => {
    const api = serve((url) => {
      const offset = Number(url.searchParams.get("offset") ?? 0);
      return { data: rows.slice(offset, offset + Number(url.searchParams.get("limit"))) };
    });
    const ms = await read(
      manifest(paging("{ type: OffsetIncrement, page_size: 10 }", "offset")),
      api.hostMap,
    );
    expect(errorsOf(ms)).toEqual([]);
    expect(api.requests).toEqual([
      "/items?limit=10",
      "/items?offset=10&limit=10",
      "/items?offset=20&limit=10",
    ]);
    expect(recordsOf(ms).map((r) => r.id)).toEqual(rows.filter((r) => r.id % 2 === 0).map((r) => r.id));
  });

  test("PageIncrement: a filtered page is still a full page", async () => {
    const api = serve((url) => {
      const page = Number(url.searchParams.get("page") ?? 1);
      return { data: rows.slice((page - 1) * 10, page * 10) };
    });
    const ms = await read(
      manifest(paging("{ type: PageIncrement, page_size: 10, start_from_page: 1 }", "page")),
      api.hostMap,
    );
    expect(errorsOf(ms)).toEqual([]);
    expect(api.requests).toEqual(["/items?limit=10", "/items?page=2&limit=10", "/items?page=3&limit=10"]);
    expect(recordsOf(ms)).toHaveLength(12);
  });
});

describe("request inputs are interpolated as the CDK's request options providers do", () => {
  // InterpolatedRequestOptionsProvider: parameters and body_data values literal-eval only to a str or
  // a list (ValidRequestTypes), else they stay as rendered; None values are dropped from the mapping.
  // request_body_json: InterpolatedNestedMapping, None dropped at every level, plain strings kept.
  const stream = (requester: string) => `
    retriever:
      type: SimpleRetriever
      requester:
        type: HttpRequester
        url_base: https://api.example.com
        path: /items
${requester}
      record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [data] } }`;
  const config = { price: "1.50", tags: ["a", "b"], code: "0x1F", nothing: null };

  test("query parameters keep their rendered text unless it reads as a str or a list", async () => {
    const api = serve(() => ({ data: [{ id: 1 }] }));
    const requester = `
        request_parameters:
          price: "{{ config['price'] }}"
          code: "{{ config['code'] }}"
          falsy: "{{ 0.0 }}"
          none: "{{ None }}"
          empty: "{{ '' }}"
          tags: "{{ config['tags'] }}"
          count: "5"`;
    const ms = await read(manifest(stream(requester)), api.hostMap, { config });
    expect(errorsOf(ms)).toEqual([]);
    const sent = new URL(`http://x${api.requests[0]}`).searchParams;
    expect([...sent]).toEqual([
      ["price", "1.50"],
      ["code", "0x1F"],
      ["falsy", "0.0"],
      ["none", "None"],
      ["tags", "a"],
      ["tags", "b"],
      ["count", "5"],
    ]);
  });

  test("a form body follows the same rule; a JSON body drops None at any depth and keeps plain strings", async () => {
    const bodies: string[] = [];
    const server = serve(async (_url: URL, req: Request) => {
      bodies.push(await req.text());
      return Response.json({ data: [{ id: 1 }] });
    });
    const hostMap = server.hostMap;
    const form = `
        http_method: POST
        request_body_data:
          price: "{{ config['price'] }}"
          none: "{{ config['nothing'] }}"`;
    await read(manifest(stream(form)), hostMap, { config });
    expect(bodies[0]).toBe("price=1.50&none=None");
    const json = `
        http_method: POST
        request_body_json:
          filter:
            status: "{{ config['nothing'] }}"
            code: "478"
            "{{ 'k' ~ 'ey' }}": v
          price: "{{ config['price'] }}"`;
    await read(manifest(stream(json)), hostMap, { config });
    expect(JSON.parse(bodies[1] as string)).toEqual({ filter: { code: "478", key: "v" }, price: 1.5 });
  });

  test("a form body given as one template drops its None values, as a mapping's are", async () => {
    // eval_request_inputs: a dict from the one template loses its None values; requests' own
    // _encode_params leaves out None inside a list too. A dict of None alone is no body at all.
    const bodies: string[] = [];
    const types: (string | null)[] = [];
    const server = serve(async (_url: URL, req: Request) => {
      bodies.push(await req.text());
      types.push(req.headers.get("content-type"));
      return Response.json({ data: [{ id: 1 }] });
    });
    const form = (template: string) => `
        http_method: POST
        request_body_data: "${template}"`;
    await read(manifest(stream(form("{{ {'a': 1, 'b': None, 'c': [2, None, 3]} }}"))), server.hostMap);
    await read(manifest(stream(form("{{ {'b': None} }}"))), server.hostMap);
    expect(bodies).toEqual(["a=1&c=2&c=3", ""]);
    expect(types).toEqual(["application/x-www-form-urlencoded", null]);
  });

  test("a None inside a list parameter is left out, as requests encodes a query", async () => {
    const api = serve(() => ({ data: [{ id: 1 }] }));
    const requester = `
        request_parameters:
          ids: "{{ [1, None, 2] }}"`;
    const ms = await read(manifest(stream(requester)), api.hostMap);
    expect(errorsOf(ms)).toEqual([]);
    expect(api.requests).toEqual(["/items?ids=1&ids=2"]);
  });
});

describe("query strings and form bodies are written as requests writes them", () => {
  // requests' urlencode (quote_plus): '*' and '!' are escaped, '~' is not, a space is '+'.
  // HttpClient._dedupe_query_params: a parameter a next-page link already carries with the same
  // value is not sent twice; one with another value is appended after the link's own query, which
  // requests keeps as written.
  test("parameters and form bodies use Python's escaping", async () => {
    const bodies: string[] = [];
    const urls: string[] = [];
    const server = serve(async (_url: URL, req: Request) => {
      urls.push(req.url.slice(req.url.indexOf("?")));
      bodies.push(await req.text());
      return Response.json({ data: [{ id: 1 }] });
    });
    const ms = await read(
      manifest(`
    retriever:
      type: SimpleRetriever
      requester:
        type: HttpRequester
        url_base: https://api.example.com
        path: /items
        http_method: POST
        request_parameters: { q: "a*b ~c!", "x y": "é" }
        request_body_data: { q: "a*b ~c!" }
      record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [data] } }`),
      server.hostMap,
    );
    expect(errorsOf(ms)).toEqual([]);
    expect(urls).toEqual(["?q=a%2Ab+~c%21&x+y=%C3%A9"]);
    expect(bodies).toEqual(["q=a%2Ab+~c%21"]);
  });

  test("a next-page link keeps its query as written; a parameter it has with the same value is not sent twice", async () => {
    const next = "https://api.example.com/items?cursor=ab%2B%3D&since=2024-01-01T00:00:00Z&limit=2&fields=id";
    const api = serve((url) =>
      url.searchParams.has("cursor") ? { data: [{ id: 2 }] } : { data: [{ id: 1 }], next },
    );
    const ms = await read(
      manifest(`
    retriever:
      type: SimpleRetriever
      requester:
        type: HttpRequester
        url_base: https://api.example.com
        path: /items
        request_parameters: { limit: "2", fields: "id name", sort: asc }
      record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [data] } }
      paginator:
        type: DefaultPaginator
        page_token_option: { type: RequestPath }
        pagination_strategy: { type: CursorPagination, cursor_value: "{{ response.next }}" }`),
      api.hostMap,
    );
    expect(errorsOf(ms)).toEqual([]);
    expect(recordsOf(ms)).toEqual([{ id: 1 }, { id: 2 }]);
    expect(api.requests).toEqual([
      "/items?limit=2&fields=id+name&sort=asc",
      "/items?cursor=ab%2B%3D&since=2024-01-01T00:00:00Z&limit=2&fields=id&fields=id+name&sort=asc",
    ]);
  });
});

describe("a failed sync's errors", () => {
  // HttpClient._handle_error_resolution: the internal message names the request and carries the
  // API's own error text. ConcurrentReadProcessor.is_done: the closing error lists each failed
  // stream with its error, one a line, as a config error with internal message "Concurrent read failure".
  test("keep the API's error text and list every failed stream with its reason", async () => {
    const server = serve((_url: URL, req: Request) => {
      const path = new URL(req.url).pathname;
      if (path === "/denied") return Response.json({ message: "bad token" }, { status: 401 });
      if (path === "/gone") return Response.json({ error: "no such thing" }, { status: 404 });
      return Response.json({ data: [{ id: 1 }] });
    });
    const stream = (name: string) => `
  - type: DeclarativeStream
    name: ${name}
    schema_loader: { type: InlineSchemaLoader, schema: { type: object } }
    retriever:
      type: SimpleRetriever
      requester: { type: HttpRequester, url_base: https://api.example.com, path: /${name} }
      record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [data] } }`;
    const text = `
version: 6.0.0
type: DeclarativeSource
check: { type: CheckStream, stream_names: [ok] }
streams:${stream("denied")}${stream("ok")}${stream("gone")}
spec: { type: Spec, connection_specification: { type: object } }
`;
    const hostMap = server.hostMap;
    const out = await read(text, hostMap, { streams: ["denied", "ok", "gone"] });
    const errors = out.flatMap((m) =>
      m.type === "TRACE" && m.trace.type === "ERROR" ? [m.trace.error] : [],
    );
    const denied =
      "HTTP Status Code: 401. Error: Unauthorized. Please ensure you are authenticated correctly.";
    const gone =
      "HTTP Status Code: 404. Error: Not found. The requested resource was not found on the server.";
    expect(errors.map((e) => [e?.message, e?.internal_message, e?.failure_type])).toEqual([
      [
        denied,
        "'GET' request to 'https://api.example.com/denied' failed with status code '401' and error message: 'bad token'.",
        "config_error",
      ],
      [
        gone,
        "'GET' request to 'https://api.example.com/gone' failed with status code '404' and error message: 'no such thing'.",
        "system_error",
      ],
      [
        `During the sync, the following streams did not sync successfully: denied: ${denied}\ngone: ${gone}`,
        "Concurrent read failure",
        "config_error",
      ],
    ]);
    expect(recordsOf(out)).toEqual([{ id: 1 }]);
  });
});

describe("the Link header in cursor pagination", () => {
  // CursorPaginationStrategy: headers = dict(response.headers); headers["link"] = response.links.
  // Only `link` is the parsed dict; `Link` stays the header's text (source-bugsnag reads it so).
  test("`Link` is the header's text and `link` the parsed links", async () => {
    const requests: string[] = [];
    const server = serve((_url: URL, req: Request) => {
      const url = new URL(req.url);
      requests.push(`${url.pathname}${url.search}`);
      const page = Number(url.searchParams.get("page") ?? 1);
      const headers: Record<string, string> =
        page < 3 ? { Link: `<https://api.example.com/items?page=${page + 1}&per_page=2>; rel="next"` } : {};
      return Response.json([{ id: page }], { headers });
    });
    const hostMap = server.hostMap;
    const paginated = (cursor: string, stop: string) => `
    retriever:
      type: SimpleRetriever
      requester: { type: HttpRequester, url_base: https://api.example.com, path: /items }
      record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [] } }
      paginator:
        type: DefaultPaginator
        page_token_option: { type: RequestPath }
        pagination_strategy:
          type: CursorPagination
          cursor_value: '${cursor}'
          stop_condition: '${stop}'`;
    const bugsnag = await read(
      manifest(
        paginated(
          `{{ headers.get("Link", {}).split(";")[0][1:-1] }}`,
          // YAML's single quotes: '' is one quote.
          `{{ not headers.get("Link", {}) or ''rel="next"'' not in headers.get("Link", {}) }}`,
        ),
      ),
      hostMap,
    );
    expect(errorsOf(bugsnag)).toEqual([]);
    expect(recordsOf(bugsnag)).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }]);
    requests.length = 0;
    const parsed = await read(
      manifest(paginated(`{{ headers.link.next.url }}`, `{{ "next" not in headers["link"] }}`)),
      hostMap,
    );
    expect(recordsOf(parsed)).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }]);
    expect(requests).toEqual(["/items", "/items?page=2&per_page=2", "/items?page=3&per_page=2"]);
  });
});

describe("integers beyond 2^53", () => {
  // Python's json keeps every integer exact; a parent's 64-bit id must reach the child's URL, the
  // record and the templates with its own digits, not a double's rounding.
  test("are emitted, interpolated and used as partition values with their exact digits", async () => {
    const requests: string[] = [];
    const server = serve((_url: URL, req: Request) => {
      const path = new URL(req.url).pathname;
      requests.push(path);
      const body =
        path === "/parents"
          ? '{"data":[{"id":1234567890123456789,"n":1}]}'
          : '{"data":[{"id":18446744073709551615,"parent":1234567890123456789,"big":99999999999999999999,"small":7}]}';
      return new Response(body, { headers: { "content-type": "application/json" } });
    });
    const text = `
version: 6.0.0
type: DeclarativeSource
check: { type: CheckStream, stream_names: [children] }
definitions:
  requester: { type: HttpRequester, url_base: https://api.example.com }
  selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [data] } }
  parents:
    type: DeclarativeStream
    name: parents
    schema_loader: { type: InlineSchemaLoader, schema: { type: object } }
    retriever:
      type: SimpleRetriever
      requester: { $ref: "#/definitions/requester", path: /parents }
      record_selector: { $ref: "#/definitions/selector" }
streams:
  - type: DeclarativeStream
    name: children
    schema_loader:
      type: InlineSchemaLoader
      schema: { type: object, properties: { as_int: { type: integer } } }
    transformations:
      - type: RemoveFields
        field_pointers: [["*"]]
        condition: "{{ property|string|length > 18 and property != record.id and property != record.parent }}"
      - type: AddFields
        fields:
          - { path: [label], value: "child {{ record.id }} of {{ stream_partition.parent_id }}" }
          - { path: [same], value: "{{ record.parent == stream_partition.parent_id }}" }
          - { path: [as_config], value: "{{ record.parent == config.parent }}" }
          - { path: [copy], value: "{{ record.id }}" }
          - { path: [text], value: "{{ record.id|string }}" }
          - { path: [json], value: "{{ {'id': record.id}|tojson }}" } # literal_eval makes it a dict again
          - { path: [as_int], value: "{{ record.id|string }}" } # made an int by schema normalization
    retriever:
      type: SimpleRetriever
      requester: { $ref: "#/definitions/requester", path: "/parents/{{ stream_partition.parent_id }}/children" }
      record_selector: { $ref: "#/definitions/selector", schema_normalization: Default }
      partition_router:
        type: SubstreamPartitionRouter
        parent_stream_configs:
          - { type: ParentStreamConfig, parent_key: id, partition_field: parent_id, stream: "#/definitions/parents" }
spec: { type: Spec, connection_specification: { type: object } }
`;
    const hostMap = server.hostMap;
    // A config value is a double: compared with one, the exact id compares as a double too.
    const out = await read(text, hostMap, {
      streams: ["children"],
      config: { parent: Number("1234567890123456789") },
    });
    expect(errorsOf(out)).toEqual([]);
    expect(requests).toEqual(["/parents", "/parents/1234567890123456789/children"]);
    expect(recordsOf(out).map((r) => JSON.stringify(r))).toEqual([
      '{"id":18446744073709551615,"parent":1234567890123456789,"small":7,"label":"child 18446744073709551615 of 1234567890123456789","same":true,"as_config":true,"copy":18446744073709551615,"text":"18446744073709551615","json":{"id":18446744073709551615},"as_int":18446744073709551615}',
    ]);
  });
});

describe("a data feed (is_data_feed)", () => {
  // The CDK's schema: the last page fetched still holds records outside the cursor's window, and
  // those are filtered out as well, as are records dated in the future; they never reach the state.
  const rows = [
    { id: 6, updated_at: "2024-03-05T00:00:00Z" }, // after now (2024-03-01)
    { id: 5, updated_at: "2024-01-07T00:00:00Z" },
    { id: 4, updated_at: "2024-01-06T00:00:00Z" },
    { id: 3, updated_at: "2024-01-04T00:00:00Z" }, // before the state
    { id: 2, updated_at: "2024-01-03T00:00:00Z" },
    { id: 1, updated_at: "2024-01-02T00:00:00Z" },
  ];
  const feed = (start = "2024-01-01T00:00:00Z") => `
    retriever:
      type: SimpleRetriever
      requester: { type: HttpRequester, url_base: https://api.example.com, path: /events }
      record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [data] } }
      paginator:
        type: DefaultPaginator
        page_token_option: { type: RequestOption, inject_into: request_parameter, field_name: page }
        pagination_strategy: { type: PageIncrement, page_size: 2, start_from_page: 1 }
    incremental_sync:
      type: DatetimeBasedCursor
      cursor_field: updated_at
      datetime_format: "%Y-%m-%dT%H:%M:%SZ"
      start_datetime: "${start}"
      is_data_feed: true`;

  test("stops after the page that reaches the state, and emits only records inside the window", async () => {
    const api = serve((url) => {
      const page = Number(url.searchParams.get("page") ?? 1);
      return { data: rows.slice((page - 1) * 2, page * 2) };
    });
    const state = [
      {
        type: "STREAM",
        stream: {
          stream_descriptor: { name: "items" },
          stream_state: { updated_at: "2024-01-05T00:00:00Z" },
        },
      },
    ];
    const ms = await read(manifest(feed()), api.hostMap, { mode: "incremental", state });
    expect(errorsOf(ms)).toEqual([]);
    expect(api.requests).toEqual(["/events", "/events?page=2"]);
    expect(recordsOf(ms).map((r) => r.id)).toEqual([5, 4]);
    const states = ms.flatMap((m) => (m.type === "STATE" ? [m.state.stream?.stream_state] : []));
    expect(states.at(-1)).toEqual({ updated_at: "2024-01-07T00:00:00Z" });
  });

  test("a full refresh reads through the cursor too: the same stop, and the cursor's state at the end", async () => {
    // The CDK's concurrent source builds the stream's cursor whatever the sync mode; a full refresh
    // only starts without a saved state.
    const api = serve((url) => {
      const page = Number(url.searchParams.get("page") ?? 1);
      return { data: rows.slice((page - 1) * 2, page * 2) };
    });
    const ms = await read(manifest(feed("2024-01-05T00:00:00Z")), api.hostMap);
    expect(errorsOf(ms)).toEqual([]);
    expect(api.requests).toEqual(["/events", "/events?page=2"]);
    expect(recordsOf(ms).map((r) => r.id)).toEqual([5, 4]);
    const states = ms.flatMap((m) => (m.type === "STATE" ? [m.state.stream?.stream_state] : []));
    expect(states.at(-1)).toEqual({ updated_at: "2024-01-07T00:00:00Z" });
  });
});

describe("client-side incremental (is_client_side_incremental)", () => {
  // create_record_selector: with a client-side cursor, transform_before_filtering unset means true.
  const stream = (extra: string) => `
    transformations:
      - type: AddFields
        fields: [{ path: [kind], value: "{{ record.type }}" }]
    retriever:
      type: SimpleRetriever
      requester: { type: HttpRequester, url_base: https://api.example.com, path: /items }
      record_selector:
        type: RecordSelector
        extractor: { type: DpathExtractor, field_path: [data] }
        record_filter: { type: RecordFilter, condition: "{{ record.get('kind') == 'a' }}" }${extra}
    incremental_sync:
      type: DatetimeBasedCursor
      cursor_field: updated_at
      datetime_format: "%Y-%m-%d"
      start_datetime: "2024-01-01"
      is_client_side_incremental: true`;
  const rows = [
    { id: 1, type: "a", updated_at: "2024-01-02" },
    { id: 2, type: "b", updated_at: "2024-01-03" },
    { id: 3, type: "a", updated_at: "2023-12-31" },
  ];

  test("the record filter sees the transformed record unless the manifest says otherwise", async () => {
    const api = serve(() => ({ data: rows }));
    const ms = await read(manifest(stream("")), api.hostMap, { mode: "incremental" });
    expect(errorsOf(ms)).toEqual([]);
    // id 3 is before the start: left out by the client-side filter.
    expect(recordsOf(ms).map((r) => r.id)).toEqual([1]);
    const explicit = await read(
      manifest(stream("\n        transform_before_filtering: false")),
      api.hostMap,
      { mode: "incremental" },
    );
    expect(recordsOf(explicit)).toEqual([]);
  });
});

describe("KeysReplace", () => {
  // KeysReplaceTransformation._transform: nested dicts are renamed too, lists are left as they are.
  test("renames keys at every depth of nested objects", async () => {
    const api = serve(() => ({ data: [{ id: 1, "a b": { "c d": 1, list: [{ "e f": 2 }] } }] }));
    const stream = `
    transformations:
      - { type: KeysReplace, old: " ", new: "_" }
    retriever:
      type: SimpleRetriever
      requester: { type: HttpRequester, url_base: https://api.example.com, path: /items }
      record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [data] } }`;
    const ms = await read(manifest(stream), api.hostMap);
    expect(recordsOf(ms)).toEqual([{ id: 1, a_b: { c_d: 1, list: [{ "e f": 2 }] } }]);
  });
});

describe("a next-page token that stays the same", () => {
  // SimpleRetriever._read_pages follows any truthy token. A scroll API keeps its scroll id while its
  // pages move on: the runner follows it too; it stops only when the same token brings the same page.
  const stream = `
    retriever:
      type: SimpleRetriever
      requester: { type: HttpRequester, url_base: https://api.example.com, path: /search }
      record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [hits] } }
      paginator:
        type: DefaultPaginator
        page_token_option: { type: RequestOption, inject_into: request_parameter, field_name: scroll_id }
        pagination_strategy:
          type: CursorPagination
          cursor_value: "{{ response.scroll_id }}"
          stop_condition: "{{ not response.hits }}"`;

  test("a scroll id that stays the same is followed while the pages move on", async () => {
    let served = 0;
    const api = serve(() => {
      const page = served++;
      return { scroll_id: "scroll-1", hits: page < 3 ? [{ id: page * 2 + 1 }, { id: page * 2 + 2 }] : [] };
    });
    const ms = await read(manifest(stream), api.hostMap);
    expect(errorsOf(ms)).toEqual([]);
    expect(recordsOf(ms).map((r) => r.id)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(api.requests).toEqual(["/search", ...Array(3).fill("/search?scroll_id=scroll-1")]);
  });

  test("the same token answered with the same records stops the stream with an error", async () => {
    // Each answer carries its own request id, as many APIs stamp them: the records decide.
    let n = 0;
    const api = serve(() => ({ request_id: n++, scroll_id: "stuck", hits: [{ id: 1 }] }));
    const ms = await read(manifest(stream), api.hostMap);
    const stuck =
      "Stream 'items': the API answered the same next-page token with the same page again; stopping instead of looping forever.";
    expect(errorsOf(ms)).toEqual([
      stuck,
      `During the sync, the following streams did not sync successfully: items: ${stuck}`,
    ]);
    expect(api.requests).toHaveLength(3);
  });
});

describe("a partition that fails", () => {
  // The CDK's partition reader: a failed partition is not closed, the others are still read, and the
  // final state keeps every closed partition's cursor; the stream ends INCOMPLETE with the error.
  test("the other partitions are read and their states kept; the stream fails at the end", async () => {
    const api = serve((url) => {
      const team = url.pathname.split("/")[2];
      if (team === "b") return { error: "boom" };
      return { data: [{ id: `${team}1`, updated_at: "2024-01-02" }] };
    });
    const stream = `
    retriever:
      type: SimpleRetriever
      requester:
        type: HttpRequester
        url_base: https://api.example.com
        path: "/teams/{{ stream_partition.team }}/items"
        error_handler:
          type: DefaultErrorHandler
          response_filters:
            - { type: HttpResponseFilter, action: FAIL, predicate: "{{ 'error' in response }}", error_message: "team failed" }
      record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [data] } }
      partition_router: { type: ListPartitionRouter, values: [a, b, c, d], cursor_field: team }
    incremental_sync:
      type: DatetimeBasedCursor
      cursor_field: updated_at
      datetime_format: "%Y-%m-%d"
      start_datetime: "2024-01-01"`;
    const ms = await read(manifest(stream), api.hostMap, { mode: "incremental" });
    expect(recordsOf(ms).map((r) => r.id)).toEqual(["a1", "c1", "d1"]);
    expect(errorsOf(ms)[0]).toContain("team failed");
    const states = ms.flatMap((m) => (m.type === "STATE" ? [m.state.stream?.stream_state as Json] : []));
    const last = states.at(-1) as { states: { partition: Json; cursor: Json }[] };
    expect(last.states.map((s) => s.partition.team)).toEqual(["a", "c", "d"]);
    expect(last.states.every((s) => s.cursor.updated_at === "2024-01-02")).toBe(true);
    const statuses = ms.flatMap((m) =>
      m.type === "TRACE" && m.trace.type === "STREAM_STATUS" ? [m.trace.stream_status?.status] : [],
    );
    expect(statuses.at(-1)).toBe("INCOMPLETE");
  });
});

describe("a saved state the cursor cannot read", () => {
  // CustomFormatConcurrentStreamStateConverter.parse_timestamp tries the cursor's formats only and
  // raises "No format in ... matching ...": the CDK refuses the state rather than guess.
  const stream = `
    retriever:
      type: SimpleRetriever
      requester: { type: HttpRequester, url_base: https://api.example.com, path: /items }
      record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [data] } }
    incremental_sync:
      type: DatetimeBasedCursor
      cursor_field: updated_at
      datetime_format: "%Y-%m-%dT%H:%M:%SZ"
      start_datetime: "2024-01-01T00:00:00Z"
      start_time_option: { type: RequestOption, inject_into: request_parameter, field_name: since }`;
  const stateOf = (value: unknown) => [
    { type: "STREAM", stream: { stream_descriptor: { name: "items" }, stream_state: { updated_at: value } } },
  ];

  test("is refused with what to do, before any request; a readable one is read on from", async () => {
    const api = serve(() => ({ data: [{ id: 1, updated_at: "2024-02-02T00:00:00Z" }] }));
    for (const bad of ["garbage", "2024-02-01", 1706745600]) {
      const ms = await read(manifest(stream), api.hostMap, { mode: "incremental", state: stateOf(bad) });
      expect(errorsOf(ms)[0]).toContain(
        `The saved state's updated_at value ${JSON.stringify(bad)} is in none`,
      );
      expect(errorsOf(ms)[0]).toContain("Reset the stream's state");
    }
    expect(api.requests).toEqual([]);
    const ok = await read(manifest(stream), api.hostMap, {
      mode: "incremental",
      state: stateOf("2024-02-01T00:00:00Z"),
    });
    expect(errorsOf(ok)).toEqual([]);
    expect(api.requests).toEqual(["/items?since=2024-02-01T00%3A00%3A00Z"]);
  });
});

describe("partition routers", () => {
  const base = (router: string, path = "/items") => `
    retriever:
      type: SimpleRetriever
      requester: { type: HttpRequester, url_base: https://api.example.com, path: "${path}" }
      record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [data] } }
      partition_router: ${router}`;

  test("a falsy partition value is not injected (the CDK's `if value:`)", async () => {
    const api = serve(() => ({ data: [{ id: 1 }] }));
    const router = `{ type: ListPartitionRouter, values: ["0", "", x], cursor_field: v, request_option: { type: RequestOption, inject_into: request_parameter, field_name: v } }`;
    const ms = await read(manifest(base(router)), api.hostMap);
    expect(errorsOf(ms)).toEqual([]);
    // "0" is a non-empty string, so it is sent; "" is not.
    expect(api.requests).toEqual(["/items?v=0", "/items", "/items?v=x"]);
  });

  test("a cartesian product keeps the first router's value of a shared key (the CDK's ChainMap)", async () => {
    const api = serve(() => ({ data: [{ id: 1 }] }));
    // A list of routers is their cartesian product (CartesianProductStreamSlicer).
    const router = `
        - { type: ListPartitionRouter, values: [a1], cursor_field: q }
        - { type: ListPartitionRouter, values: [b1], cursor_field: q }`;
    const ms = await read(manifest(base(router, "/items/{{ stream_partition.q }}")), api.hostMap);
    expect(errorsOf(ms)).toEqual([]);
    expect(api.requests).toEqual(["/items/a1"]);
  });
});

describe("an IGNOREd response", () => {
  // SimpleRetriever._parse_response reads any truthy response (requests' `ok`: below 400), IGNOREd
  // or not; an IGNOREd error has no records and ends the pagination.
  const stream = (action: string) => `
    retriever:
      type: SimpleRetriever
      requester:
        type: HttpRequester
        url_base: https://api.example.com
        path: /items
        error_handler:
          type: DefaultErrorHandler
          response_filters:
            - { type: HttpResponseFilter, action: IGNORE, ${action} }
      record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [data] } }`;

  test("a success that is IGNOREd still gives its records; an IGNOREd error gives none", async () => {
    const ok = serve(() => ({ data: [{ id: 1 }, { id: 2 }], warning: "partial" }));
    const read1 = await read(manifest(stream(`predicate: "{{ 'warning' in response }}"`)), ok.hostMap);
    expect(errorsOf(read1)).toEqual([]);
    expect(recordsOf(read1).map((r) => r.id)).toEqual([1, 2]);
    const failing = serve(() => Response.json({ data: [{ id: 3 }] }, { status: 404 }));
    const read2 = await read(manifest(stream("http_codes: [404]")), failing.hostMap);
    expect(errorsOf(read2)).toEqual([]);
    expect(recordsOf(read2)).toEqual([]);
  });

  test("an error status a filter calls SUCCESS gives no records and ends the pagination", async () => {
    let calls = 0;
    const failing = serve(() => {
      calls++;
      return Response.json({ data: [{ id: 9 }], next: 2 }, { status: 400 });
    });
    const success = stream("http_codes: [400]")
      .replace("action: IGNORE", "action: SUCCESS")
      .concat(`
      paginator:
        type: DefaultPaginator
        page_token_option: { type: RequestOption, inject_into: request_parameter, field_name: page }
        pagination_strategy: { type: CursorPagination, cursor_value: "{{ response.next }}" }`);
    const ms = await read(manifest(success), failing.hostMap);
    expect(errorsOf(ms)).toEqual([]);
    expect(recordsOf(ms)).toEqual([]);
    expect(calls).toBe(1);
  });
});

describe("a rate limit", () => {
  // HttpClient._handle_error_resolution: every RATE_LIMITED resolution reports the stream RUNNING
  // with reason RATE_LIMITED.
  test("is reported as a RUNNING status with reason RATE_LIMITED, then the read goes on", async () => {
    let calls = 0;
    const server = serve(() =>
      ++calls === 1 ? Response.json({}, { status: 429 }) : Response.json({ data: [{ id: 1 }] }),
    );
    const stream = `
    retriever:
      type: SimpleRetriever
      requester: { type: HttpRequester, url_base: https://api.example.com, path: /items }
      record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [data] } }`;
    const out = await read(manifest(stream), server.hostMap);
    const statuses = out.flatMap((m) =>
      m.type === "TRACE" && m.trace.type === "STREAM_STATUS"
        ? [[m.trace.stream_status?.status, m.trace.stream_status?.reasons ?? null]]
        : [],
    );
    expect(statuses).toEqual([
      ["STARTED", null],
      ["RUNNING", [{ type: "RATE_LIMITED" }]],
      ["RUNNING", null],
      ["COMPLETE", null],
    ]);
    expect(recordsOf(out)).toEqual([{ id: 1 }]);
  });
});

describe("max_retries", () => {
  // DefaultErrorHandler: max_retries may be a template, rendered against the config.
  test("a template reads the config; a value that is no whole number is refused", async () => {
    let calls = 0;
    const server = serve(() => {
      calls++;
      return Response.json({}, { status: 500 });
    });
    const stream = `
    retriever:
      type: SimpleRetriever
      requester:
        type: HttpRequester
        url_base: https://api.example.com
        path: /items
        error_handler:
          type: DefaultErrorHandler
          max_retries: "{{ config['retries'] }}"
          backoff_strategies: [{ type: ConstantBackoffStrategy, backoff_time_in_seconds: 0.001 }]
      record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [data] } }`;
    const hostMap = server.hostMap;
    const out = await read(manifest(stream), hostMap, { config: { retries: 2 } });
    expect(calls).toBe(3);
    expect(errorsOf(out)[0]).toStartWith("Exhausted available request attempts.");
    // A key left out renders empty: refused too, as int("") is, rather than read as 0 retries.
    await expect(read(manifest(stream), hostMap, { config: {} })).rejects.toThrow("is not a whole number");
    await expect(read(manifest(stream), hostMap, { config: { retries: "many" } })).rejects.toThrow(
      "streams[0] (items).retriever.requester.error_handler.max_retries: '{{ config['retries'] }}' is not a whole number of retries; check the config value it reads.",
    );
  });
});

describe("check", () => {
  // CheckStream and DefaultStream.check_availability: a stream with no slice at all (a substream
  // whose parent is empty) is not available; check() sends the reason as repr(text).
  test("fails when the stream has no slices, with the CDK's reason", async () => {
    const api = serve(() => ({ data: [] }));
    const text = `
version: 6.0.0
type: DeclarativeSource
check: { type: CheckStream, stream_names: [children] }
definitions:
  requester: { type: HttpRequester, url_base: https://api.example.com }
  selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [data] } }
streams:
  - type: DeclarativeStream
    name: children
    schema_loader: { type: InlineSchemaLoader, schema: { type: object } }
    retriever:
      type: SimpleRetriever
      requester: { $ref: "#/definitions/requester", path: "/parents/{{ stream_partition.parent_id }}/children" }
      record_selector: { $ref: "#/definitions/selector" }
      partition_router:
        type: SubstreamPartitionRouter
        parent_stream_configs:
          - type: ParentStreamConfig
            parent_key: id
            partition_field: parent_id
            stream:
              type: DeclarativeStream
              name: parents
              schema_loader: { type: InlineSchemaLoader, schema: { type: object } }
              retriever:
                type: SimpleRetriever
                requester: { $ref: "#/definitions/requester", path: /parents }
                record_selector: { $ref: "#/definitions/selector" }
spec: { type: Spec, connection_specification: { type: object } }
`;
    const out = await answerOf(text, "check", api.hostMap);
    expect(out).toEqual([
      {
        type: "CONNECTION_STATUS",
        connectionStatus: {
          status: "FAILED",
          message:
            "'Stream children is not available: Cannot attempt to connect to stream children - no stream slices were found'",
        },
      },
    ]);
    expect(api.requests).toEqual(["/parents"]);
  });
});

describe("per-partition state (ConcurrentPerPartitionCursor)", () => {
  const stream = `
    retriever:
      type: SimpleRetriever
      requester: { type: HttpRequester, url_base: https://api.example.com, path: "/teams/{{ stream_partition.team }}/items" }
      record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [data] } }
      partition_router: { type: ListPartitionRouter, values: [red, blue], cursor_field: team }
    incremental_sync:
      type: DatetimeBasedCursor
      cursor_field: updated_at
      datetime_format: "%Y-%m-%d"
      start_datetime: "2024-01-01"`;
  const prior = {
    states: [{ partition: { team: "red" }, cursor: { updated_at: "2024-02-01" } }],
    state: { updated_at: "2024-01-10" },
    lookback_window: 7,
    use_global_cursor: false,
  };
  const stateIn = [{ type: "STREAM", stream: { stream_descriptor: { name: "items" }, stream_state: prior } }];
  const finalState = (ms: AirbyteMessage[]) =>
    ms.flatMap((m) => (m.type === "STATE" ? [m.state.stream?.stream_state as Json] : [])).at(-1) as Json;

  test("the global cursor takes the closed partitions' cursors too; a list router has no parent_state", async () => {
    const api = serve((url) =>
      url.pathname.includes("/blue/") ? { data: [{ id: 1, updated_at: "2024-01-20" }] } : { data: [] },
    );
    const ms = await read(manifest(stream), api.hostMap, { mode: "incremental", state: stateIn });
    expect(errorsOf(ms)).toEqual([]);
    const last = finalState(ms);
    // red's saved 02-01 beats blue's record of 01-20 (close_partition updates the global cursor).
    expect(last.state).toEqual({ updated_at: "2024-02-01" });
    expect(last.states).toEqual([
      { partition: { team: "red" }, cursor: { updated_at: "2024-02-01" } },
      { partition: { team: "blue" }, cursor: { updated_at: "2024-01-20" } },
    ]);
    expect("parent_state" in last).toBe(false);
  });

  test("with no data synced, the global cursor and the lookback window stay as they were", async () => {
    const api = serve(() => ({ data: [] }));
    const ms = await read(manifest(stream), api.hostMap, { mode: "incremental", state: stateIn });
    expect(errorsOf(ms)).toEqual([]);
    const last = finalState(ms);
    expect(last.state).toEqual({ updated_at: "2024-01-10" });
    expect(last.lookback_window).toBe(7);
  });
});

describe("AddFields", () => {
  // AddFields: InterpolatedString.create(value) (its default is the value itself) evaluated with
  // valid_types=(str|float|int|bool,) from value_type: a literal of another type stays as rendered.
  test("a missing value adds an empty string and value_type only limits what the text may become", async () => {
    const api = serve(() => ({ data: [{ id: 1, n: 5, meta: { a: 1 } }] }));
    const stream = `
    transformations:
      - type: AddFields
        fields:
          - { path: [missing], value: "{{ record.nothing }}" }
          - { path: [as_number], value: "{{ record.n }}", value_type: number }
          - { path: [as_integer], value: "{{ record.n * 2 }}", value_type: integer }
          - { path: [as_string], value: "{{ record.meta }}", value_type: string }
          - { path: [plain], value: "{{ record.n }}" }
    retriever:
      type: SimpleRetriever
      requester: { type: HttpRequester, url_base: https://api.example.com, path: /items }
      record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [data] } }`;
    const ms = await read(manifest(stream), api.hostMap);
    expect(errorsOf(ms)).toEqual([]);
    expect(recordsOf(ms)[0]).toEqual({
      id: 1,
      n: 5,
      meta: { a: 1 },
      missing: "",
      as_number: "5",
      as_integer: 10,
      as_string: "{'a': 1}",
      plain: 5,
    });
  });
});

describe("RemoveFields", () => {
  // RemoveFields.transform: dpath.delete(record, pointer, afilter=condition). With a filter dpath
  // deletes every leaf the condition holds for, wherever it is; a list element that is not the
  // last becomes None (the list keeps its order).
  const stream = (transformation: string) => `
    transformations:
      - ${transformation}
    retriever:
      type: SimpleRetriever
      requester: { type: HttpRequester, url_base: https://api.example.com, path: /items }
      record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [data] } }`;
  const row = { id: 1, empty: "", nested: { blank: "", keep: "v" }, list: ["", "x", ""] };

  test("with a condition, the leaves it holds for go wherever they are; the pointer's own field stays if it does not hold", async () => {
    const api = serve(() => ({ data: [row] }));
    const t = `{ type: RemoveFields, field_pointers: [[id]], condition: "{{ property == '' }}" }`;
    const ms = await read(manifest(stream(t)), api.hostMap);
    expect(errorsOf(ms)).toEqual([]);
    expect(recordsOf(ms)).toEqual([{ id: 1, nested: { keep: "v" }, list: [null, "x"] }]);
  });

  test("without one, a list element that is not the last becomes None", async () => {
    const api = serve(() => ({ data: [{ id: 1, k: ["x", "y", "z"], j: ["x", "y"] }] }));
    const t = `{ type: RemoveFields, field_pointers: [[k, "0"], [j, "1"]] }`;
    const ms = await read(manifest(stream(t)), api.hostMap);
    expect(recordsOf(ms)).toEqual([{ id: 1, k: [null, "y", "z"], j: ["x"] }]);
  });

  test("a list is walked in order, as dpath 2 walks it: only the element that is last then is removed", async () => {
    const api = serve(() => ({ data: [{ id: 1, xs: ["x", "x"], tags: ["a", "b", "c"] }] }));
    const withCondition = `{ type: RemoveFields, field_pointers: [[xs]], condition: "{{ property == 'x' }}" }`;
    expect(recordsOf(await read(manifest(stream(withCondition)), api.hostMap))).toEqual([
      { id: 1, xs: [null], tags: ["a", "b", "c"] },
    ]);
    const star = `{ type: RemoveFields, field_pointers: [[tags, "*"]] }`;
    expect(recordsOf(await read(manifest(stream(star)), api.hostMap))).toEqual([
      { id: 1, xs: ["x", "x"], tags: [null, null] },
    ]);
  });
});

describe("KeysToSnakeCase", () => {
  // KeyToSnakeCaseTransformation: unidecode, TOKEN_PATTERN, filter_tokens; cases from the CDK's tests.
  test.each([
    ["123Number", "_123_number"],
    ["MixedUPCase123", "mixed_upcase_123"],
    ["Café", "cafe"],
    ["Naïve", "naive"],
    ["HTTPServer", "httpserver"],
    ["IDs", "ids"],
    ["id_", "id_"],
    ["_id", "_id"],
    ["CamelCase", "camel_case"],
    ["a b  c", "a_b_c"],
    ["Straße", "strasse"],
    // Not transliterated as unidecode would, but never lost: each key stays a key of its own.
    ["名字", "名字"],
    ["Имя", "имя"],
    ["€", "€"],
  ])("%s becomes %s", (key, expected) => {
    const record: Json = { [key]: 1 };
    keysToSnakeCase(record, {});
    expect(Object.keys(record)).toEqual([expected]);
  });
});

describe("FlattenFields", () => {
  // FlattenFields.flatten_record; the cases of the CDK's test_flatten_fields.py.
  const nestedList = [{ Key: { Value: "test1" } }, { Key: { Value: "test2" } }];
  test.each([
    [true, { FirstName: "John", LastName: "Doe" }, { FirstName: "John", LastName: "Doe" }],
    [
      true,
      { NestedRecord: { FirstName: "John", LastName: "Doe" }, "456Another123": 456 },
      { FirstName: "John", LastName: "Doe", "456Another123": 456 },
    ],
    [true, { ListExample: [{ A: "a" }, { A: "b" }] }, { "ListExample.0.A": "a", "ListExample.1.A": "b" }],
    [
      true,
      { MixedCase123: { Nested: nestedList }, SimpleKey: "SimpleValue" },
      { "Nested.0.Key.Value": "test1", "Nested.1.Key.Value": "test2", SimpleKey: "SimpleValue" },
    ],
    [
      true,
      { List: ["Item1", "Item2", "Item3"] },
      { "List.0": "Item1", "List.1": "Item2", "List.2": "Item3" },
    ],
    [false, { List: ["Item1", "Item2", "Item3"] }, { List: ["Item1", "Item2", "Item3"] }],
    [
      false,
      { RootField: { NestedList: nestedList }, SimpleKey: "SimpleValue" },
      { NestedList: nestedList, SimpleKey: "SimpleValue" },
    ],
    [
      false,
      { RootField: { List: nestedList }, List: [1, 3, 6], SimpleKey: "SimpleValue" },
      { "RootField.List": nestedList, List: [1, 3, 6], SimpleKey: "SimpleValue" },
    ],
  ])("flatten_lists %p: %j", (flattenLists, input, expected) => {
    const record = structuredClone(input) as Json;
    flattenFields(flattenLists)(record, {});
    expect(record).toEqual(expected);
  });
});

describe("schema_normalization: Default", () => {
  // TypeTransformer.default_convert through the schema's properties and items, at any depth.
  test("values become their schema's type as Python's str(), int(), float() and strtobool make them", async () => {
    const api = serve(() => ({
      data: [
        {
          id: 5,
          name: null,
          note: null,
          tags: "a",
          labels: "b",
          meta: { count: "7", inner: [{ n: "1_000" }] },
          score: 5.7,
          ratio: " 1e3 ",
          flag: "yes",
          off: 0,
          multi: 5,
          bad: "x1",
        },
      ],
    }));
    const stream = `
    schema_loader:
      type: InlineSchemaLoader
      schema:
        type: object
        properties:
          id: { type: string }
          name: { type: string }
          note: { type: [string, "null"] }
          tags: { type: array, items: { type: [string] } }
          labels: { type: array, items: { type: string } }
          meta:
            type: object
            properties:
              count: { type: integer }
              inner: { type: array, items: { type: object, properties: { n: { type: integer } } } }
          score: { type: integer }
          ratio: { type: number }
          flag: { type: boolean }
          off: { type: boolean }
          multi: { type: [integer, boolean] }
          bad: { type: integer }
    retriever:
      type: SimpleRetriever
      requester: { type: HttpRequester, url_base: https://api.example.com, path: /items }
      record_selector:
        type: RecordSelector
        extractor: { type: DpathExtractor, field_path: [data] }
        schema_normalization: Default`;
    const ms = await read(
      manifest(stream).replace(
        "    schema_loader: { type: InlineSchemaLoader, schema: { type: object } }\n",
        "",
      ),
      api.hostMap,
    );
    expect(errorsOf(ms)).toEqual([]);
    expect(recordsOf(ms)).toEqual([
      {
        id: "5",
        name: "None",
        note: null,
        tags: ["a"],
        labels: "b", // items.type as a string is a set of characters to the CDK: no wrapping
        meta: { count: 7, inner: [{ n: 1000 }] },
        score: 5,
        ratio: 1000,
        flag: true,
        off: false,
        multi: 5,
        bad: "x1",
      },
    ]);
  });
});

describe("cursor request options", () => {
  const stream = (minMax: string) => `
    retriever:
      type: SimpleRetriever
      requester: { type: HttpRequester, url_base: https://api.example.com, path: /items }
      record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [data] } }
      partition_router:
        type: ListPartitionRouter
        values: [p1]
        cursor_field: since
        request_option: { type: RequestOption, inject_into: request_parameter, field_name: since }
    incremental_sync:
      type: DatetimeBasedCursor
      cursor_field: updated_at
      datetime_format: "%Y-%m-%d"
      start_datetime: { type: MinMaxDatetime, datetime: "2024-01-01", datetime_format: "%Y-%m-%d"${minMax} }
      start_time_option: { type: RequestOption, inject_into: request_parameter, field_name: since }`;

  test("the cursor's value wins over the partition's of the same name (the CDK merges partition | cursor)", async () => {
    const api = serve(() => ({ data: [] }));
    const ms = await read(manifest(stream("")), api.hostMap, { mode: "incremental" });
    expect(errorsOf(ms)).toEqual([]);
    expect(api.requests).toEqual(["/items?since=2024-01-01"]);
  });

  test("a min or max datetime that renders empty is no bound (MinMaxDatetime's `if max_time:`)", async () => {
    const api = serve(() => ({ data: [] }));
    const bounds = `, max_datetime: "{{ config.get('end', '') }}", min_datetime: "{{ config.get('floor', '') }}"`;
    const ms = await read(manifest(stream(bounds)), api.hostMap, { mode: "incremental" });
    expect(errorsOf(ms)).toEqual([]);
    expect(api.requests).toEqual(["/items?since=2024-01-01"]);
  });
});

describe("a per-partition state with a cursor the cursor cannot read", () => {
  test("is refused before any partition is read", async () => {
    const api = serve(() => ({ data: [{ id: 1, updated_at: "2024-01-02" }] }));
    const stream = `
    retriever:
      type: SimpleRetriever
      requester: { type: HttpRequester, url_base: https://api.example.com, path: "/items/{{ stream_partition.p }}" }
      record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [data] } }
      partition_router: { type: ListPartitionRouter, values: [red, blue], cursor_field: p }
    incremental_sync:
      type: DatetimeBasedCursor
      cursor_field: updated_at
      datetime_format: "%Y-%m-%d"
      start_datetime: "2024-01-01"`;
    const saved = {
      states: [
        { partition: { p: "red" }, cursor: { updated_at: "2024-01-05" } },
        { partition: { p: "blue" }, cursor: { updated_at: "2024-01-10T00:00:00Z" } },
      ],
    };
    const state = [{ type: "STREAM", stream: { stream_descriptor: { name: "items" }, stream_state: saved } }];
    const ms = await read(manifest(stream), api.hostMap, { mode: "incremental", state });
    expect(errorsOf(ms)[0]).toContain('value "2024-01-10T00:00:00Z" is in none of the cursor\'s formats');
    expect(api.requests).toEqual([]);
  });
});

describe("many partitions", () => {
  // ConcurrentPerPartitionCursor.SWITCH_TO_GLOBAL_LIMIT: past 10,000 partitions the state is one
  // global cursor (use_global_cursor true, no `states`).
  test("past 10,000 partitions the state switches to the global cursor", async () => {
    const api = serve(() => ({ data: [{ id: 1, updated_at: "2024-01-02" }] }));
    const values = Array.from({ length: 10_002 }, (_, i) => `p${i}`);
    const stream = `
    retriever:
      type: SimpleRetriever
      requester: { type: HttpRequester, url_base: https://api.example.com, path: "/items/{{ stream_partition.p }}" }
      record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [data] } }
      partition_router: { type: ListPartitionRouter, values: ${JSON.stringify(values)}, cursor_field: p }
    incremental_sync:
      type: DatetimeBasedCursor
      cursor_field: updated_at
      datetime_format: "%Y-%m-%d"
      start_datetime: "2024-01-01"`;
    const ms = await read(manifest(stream), api.hostMap, { mode: "incremental" });
    expect(errorsOf(ms)).toEqual([]);
    const last = ms.flatMap((m) => (m.type === "STATE" ? [m.state.stream?.stream_state as Json] : [])).at(-1);
    expect(last).toMatchObject({ use_global_cursor: true, state: { updated_at: "2024-01-02" } });
    expect(last && "states" in last).toBe(false);
  }, 60_000);
});

describe("ParentStreamConfig.extra_fields", () => {
  // SubstreamPartitionRouter._extract_extra_fields: each path of the parent record under its joined
  // name (None when missing), in the StreamSlice's extra_fields: read by templates as
  // stream_slice.extra_fields (and by name in url and path: get_interpolation_context), never part
  // of the partition (its key, state or requests).
  test("the parent's fields reach templates as stream_slice.extra_fields and stay out of the state", async () => {
    const api = serve((url) => {
      if (url.pathname === "/parents")
        return { data: [{ id: 1, name: "Ann", meta: { team: "red" } }, { id: 2 }] };
      return { data: [{ id: 10, updated_at: "2024-01-05" }] };
    });
    const text = `
version: 6.0.0
type: DeclarativeSource
check: { type: CheckStream, stream_names: [children] }
definitions:
  requester: { type: HttpRequester, url_base: https://api.example.com }
  selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [data] } }
streams:
  - type: DeclarativeStream
    name: children
    schema_loader: { type: InlineSchemaLoader, schema: { type: object } }
    retriever:
      type: SimpleRetriever
      requester:
        $ref: "#/definitions/requester"
        path: "/parents/{{ stream_partition.parent_id }}/children/{{ name }}"
        request_parameters: { who: "{{ stream_slice.extra_fields['name'] }}" }
      record_selector: { $ref: "#/definitions/selector" }
      partition_router:
        type: SubstreamPartitionRouter
        parent_stream_configs:
          - type: ParentStreamConfig
            parent_key: id
            partition_field: parent_id
            extra_fields: [[name], [meta, team]]
            stream:
              type: DeclarativeStream
              name: parents
              schema_loader: { type: InlineSchemaLoader, schema: { type: object } }
              retriever:
                type: SimpleRetriever
                requester: { $ref: "#/definitions/requester", path: /parents }
                record_selector: { $ref: "#/definitions/selector" }
    transformations:
      - type: AddFields
        fields:
          - { path: [team], value: "{{ stream_slice.extra_fields['meta.team'] }}" }
          - { path: [keys], value: "{{ stream_partition.keys() | list | sort }}" }
    incremental_sync:
      type: DatetimeBasedCursor
      cursor_field: updated_at
      datetime_format: "%Y-%m-%d"
      start_datetime: "2024-01-01"
spec: { type: Spec, connection_specification: { type: object } }
`;
    const ms = await read(text, api.hostMap, { streams: ["children"], mode: "incremental" });
    expect(errorsOf(ms)).toEqual([]);
    expect(api.requests.filter((r) => r.includes("/children"))).toEqual([
      "/parents/1/children/Ann?who=Ann",
      "/parents/2/children/None?who=None",
    ]);
    expect(recordsOf(ms).map((r) => [r.team, r.keys])).toEqual([
      ["red", ["end_time", "parent_id", "parent_slice", "start_time"]],
      [null, ["end_time", "parent_id", "parent_slice", "start_time"]],
    ]);
    const last = ms.flatMap((m) => (m.type === "STATE" ? [m.state.stream?.stream_state as Json] : [])).at(-1);
    expect(last?.states).toEqual([
      { partition: { parent_id: 1, parent_slice: {} }, cursor: { updated_at: "2024-01-05" } },
      { partition: { parent_id: 2, parent_slice: {} }, cursor: { updated_at: "2024-01-05" } },
    ]);
  });
});

describe("HttpRequester._request_params", () => {
  test("a dict as a query parameter's value is the CDK's error, not its keys", async () => {
    const api = serve((url) =>
      url.searchParams.has("page") ? { data: [] } : { data: [{ id: 1 }], next: { a: 1 } },
    );
    const ms = await read(
      manifest(`
    retriever:
      type: SimpleRetriever
      requester: { type: HttpRequester, url_base: https://api.example.com, path: /items }
      record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [data] } }
      paginator:
        type: DefaultPaginator
        page_token_option: { type: RequestOption, inject_into: request_parameter, field_name: page }
        pagination_strategy: { type: CursorPagination, cursor_value: "{{ response.next }}" }`),
      api.hostMap,
    );
    expect(api.requests).toEqual(["/items"]);
    expect(errorsOf(ms)[0]).toBe(
      "Invalid value for `page` parameter. The values of request params cannot be an object.",
    );
  });
});

describe("DatetimeBasedCursor.global_substream_cursor", () => {
  // create_concurrent_cursor_from_perpartition_cursor: use_global_cursor from the manifest, one
  // global state ({use_global_cursor, state, lookback_window}) with no `states`; a saved
  // per-partition state decides by its own use_global_cursor (_set_initial_state).
  const stream = `
    retriever:
      type: SimpleRetriever
      requester:
        type: HttpRequester
        url_base: https://api.example.com
        path: "/teams/{{ stream_partition.team }}/items"
        request_parameters: { since: "{{ stream_interval.start_time }}" }
      record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [data] } }
      partition_router: { type: ListPartitionRouter, values: [red, blue], cursor_field: team }
    incremental_sync:
      type: DatetimeBasedCursor
      cursor_field: updated_at
      datetime_format: "%Y-%m-%d"
      start_datetime: "2024-01-01"
      global_substream_cursor: true`;
  const finalState = (ms: AirbyteMessage[]) =>
    ms.flatMap((m) => (m.type === "STATE" ? [m.state.stream?.stream_state as Json] : [])).at(-1) as Json;
  const asState = (s: Json) => [
    { type: "STREAM", stream: { stream_descriptor: { name: "items" }, stream_state: s } },
  ];

  test("one cursor for every partition: the state holds no per-partition cursors", async () => {
    const api = serve((url) =>
      url.pathname.includes("/red/")
        ? { data: [{ id: 1, updated_at: "2024-01-20" }] }
        : { data: [{ id: 2, updated_at: "2024-01-10" }] },
    );
    const first = await read(manifest(stream), api.hostMap, { mode: "incremental" });
    expect(errorsOf(first)).toEqual([]);
    const state = finalState(first);
    expect(state).toMatchObject({ use_global_cursor: true, state: { updated_at: "2024-01-20" } });
    expect("states" in state).toBe(false);
    // From that state, every partition starts at the global cursor less the last run's duration
    // (lookback_window, whole seconds rounded up: 1 s, so the day before in this format).
    expect(state.lookback_window).toBe(1);
    api.requests.length = 0;
    const second = await read(manifest(stream), api.hostMap, { mode: "incremental", state: asState(state) });
    expect(errorsOf(second)).toEqual([]);
    expect(api.requests).toEqual(["/teams/red/items?since=2024-01-19", "/teams/blue/items?since=2024-01-19"]);
  });

  test("a saved per-partition state without use_global_cursor keeps a cursor per partition", async () => {
    const api = serve(() => ({ data: [{ id: 1, updated_at: "2024-01-20" }] }));
    const saved = { states: [{ partition: { team: "red" }, cursor: { updated_at: "2024-01-15" } }] };
    const ms = await read(manifest(stream), api.hostMap, { mode: "incremental", state: asState(saved) });
    expect(errorsOf(ms)).toEqual([]);
    expect(api.requests).toEqual(["/teams/red/items?since=2024-01-15", "/teams/blue/items?since=2024-01-01"]);
    expect(finalState(ms)).toMatchObject({ use_global_cursor: false });
    expect(finalState(ms).states).toHaveLength(2);
  });
});

describe("request_body", () => {
  // InterpolatedRequestOptionsProvider._resolve_request_body: a form or plain text is body data, a
  // JSON object or a GraphQL query (value.dict(exclude_none=True)) the JSON body; plain text that
  // reads as JSON is a JSON object, as HttpRequesterRequestBodyPlainTextJsonToRequestBodyJson makes it.
  const stream = (body: string) => `
    retriever:
      type: SimpleRetriever
      requester:
        type: HttpRequester
        url_base: https://api.example.com
        path: /items
        http_method: POST
        request_body: ${body}
      record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [data] } }`;
  const sent = async (body: string, config: Json = {}) => {
    const got: { type: string | null; body: string }[] = [];
    const api = serve(async (_url: URL, req: Request) => {
      got.push({ type: req.headers.get("content-type"), body: await req.text() });
      return { data: [{ id: 1 }] };
    });
    const ms = await read(manifest(stream(body)), api.hostMap, { config });
    return { got, errors: errorsOf(ms) };
  };

  test("each kind of body is sent as the CDK sends it", async () => {
    const config = { team: "red", limit: 5 };
    const json = await sent(
      `{ type: RequestBodyJsonObject, value: { team: "{{ config['team'] }}", n: "{{ config['limit'] }}", skip: "{{ None }}" } }`,
      config,
    );
    expect(json.got).toEqual([{ type: "application/json", body: '{"team":"red","n":5}' }]);
    const text = await sent(
      `{ type: RequestBodyJsonObject, value: "{\\"team\\": \\"{{ config['team'] }}\\", \\"ok\\": True}" }`,
      config,
    );
    expect(text.got).toEqual([{ type: "application/json", body: '{"team":"red","ok":true}' }]);
    const form = await sent(
      `{ type: RequestBodyUrlEncodedForm, value: { team: "{{ config['team'] }}", q: "a b" } }`,
      config,
    );
    expect(form.got).toEqual([{ type: "application/x-www-form-urlencoded", body: "team=red&q=a+b" }]);
    const plain = await sent(
      `{ type: RequestBodyPlainText, value: "select * from {{ config['team'] }}" }`,
      config,
    );
    expect(plain.got.map((g) => g.body)).toEqual(["select * from red"]);
    const jsonLike = await sent(
      `{ type: RequestBodyPlainText, value: "{\\"team\\": \\"{{ config['team'] }}\\"}" }`,
      config,
    );
    expect(jsonLike.got).toEqual([{ type: "application/json", body: '{"team":"red"}' }]);
    const graphql = await sent(
      `{ type: RequestBodyGraphQL, value: { query: "query { items(first: 5) { id } }", variables: { team: "{{ config['team'] }}" }, operationName: null } }`,
      config,
    );
    expect(graphql.got).toEqual([
      {
        type: "application/json",
        body: '{"query":"query { items(first: 5) { id } }","variables":{"team":"red"}}',
      },
    ]);
  });

  test("plain text that reads as JSON but not as a dict (JSON's true) is sent as written", async () => {
    const { got, errors } = await sent(`{ type: RequestBodyPlainText, value: "{\\"ok\\": true}" }`);
    expect(errors).toEqual([]);
    expect(got.map((g) => g.body)).toEqual(['{"ok": true}']);
  });

  test("a JSON body template that does not read as a dict is refused, with the reason", async () => {
    const { got, errors } = await sent(`{ type: RequestBodyJsonObject, value: "{\\"ok\\": true}" }`);
    expect(got).toEqual([]);
    expect(errors[0]).toContain("Request body json cannot be a string");
    expect(errors[0]).toContain("write True, False and None");
  });

  test("a JSON body and a form body at once is the CDK's error, at load", async () => {
    const api = serve(() => ({ data: [] }));
    const text = manifest(`
    retriever:
      type: SimpleRetriever
      requester:
        type: HttpRequester
        url_base: https://api.example.com
        path: /items
        http_method: POST
        request_body_json: { a: 1 }
        request_body: { type: RequestBodyUrlEncodedForm, value: { b: "2" } }
      record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [data] } }`);
    await expect(read(text, api.hostMap)).rejects.toThrow(
      "streams[0] (items).retriever.requester: RequestOptionsProvider should only contain either 'request_body_data' or 'request_body_json' not both",
    );
    expect(api.requests).toEqual([]);
  });
});

describe("GroupingPartitionRouter", () => {
  // GroupingPartitionRouter.stream_slices / _create_grouped_slice: the underlying partitions in
  // groups of group_size, each value a list; deduplicate skips a value seen before in the sync.
  const grouped = (
    options: string,
    router = "{ type: ListPartitionRouter, values: [a, b, a, c, d], cursor_field: team }",
  ) => `
    retriever:
      type: SimpleRetriever
      requester:
        type: HttpRequester
        url_base: https://api.example.com
        path: /items
        request_parameters: { teams: "{{ stream_partition.team | join(',') }}" }
      record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [data] } }
      partition_router:
        type: GroupingPartitionRouter
        underlying_partition_router: ${router}
        ${options}`;

  test("groups of group_size, the last one shorter; duplicates skipped unless deduplicate is false", async () => {
    const api = serve(() => ({ data: [] }));
    await read(manifest(grouped("group_size: 2")), api.hostMap);
    expect(api.requests).toEqual(["/items?teams=a%2Cb", "/items?teams=c%2Cd"]);
    api.requests.length = 0;
    await read(manifest(grouped("group_size: 2\n        deduplicate: false")), api.hostMap);
    expect(api.requests).toEqual(["/items?teams=a%2Cb", "/items?teams=a%2Cc", "/items?teams=d"]);
  });

  test("over a substream, parent_slice and extra fields are lists too; an incremental read keeps one global cursor", async () => {
    const api = serve((url) => {
      if (url.pathname === "/parents")
        return { data: [{ id: 1, name: "Ann" }, { id: 2 }, { id: 3, name: "Cy" }] };
      return { data: [{ id: 9, updated_at: "2024-01-05" }] };
    });
    const text = `
version: 6.0.0
type: DeclarativeSource
check: { type: CheckStream, stream_names: [children] }
definitions:
  requester: { type: HttpRequester, url_base: https://api.example.com }
  selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [data] } }
streams:
  - type: DeclarativeStream
    name: children
    schema_loader: { type: InlineSchemaLoader, schema: { type: object } }
    retriever:
      type: SimpleRetriever
      requester:
        $ref: "#/definitions/requester"
        path: /children
        request_parameters:
          ids: "{{ stream_partition.parent_id | join(',') }}"
          names: "{{ stream_slice.extra_fields['name'] | join(',') }}"
          slices: "{{ stream_partition.parent_slice | length }}"
      record_selector: { $ref: "#/definitions/selector" }
      partition_router:
        type: GroupingPartitionRouter
        group_size: 2
        underlying_partition_router:
          type: SubstreamPartitionRouter
          parent_stream_configs:
            - type: ParentStreamConfig
              parent_key: id
              partition_field: parent_id
              extra_fields: [[name]]
              stream:
                type: DeclarativeStream
                name: parents
                schema_loader: { type: InlineSchemaLoader, schema: { type: object } }
                retriever:
                  type: SimpleRetriever
                  requester: { $ref: "#/definitions/requester", path: /parents }
                  record_selector: { $ref: "#/definitions/selector" }
    incremental_sync:
      type: DatetimeBasedCursor
      cursor_field: updated_at
      datetime_format: "%Y-%m-%d"
      start_datetime: "2024-01-01"
spec: { type: Spec, connection_specification: { type: object } }
`;
    const ms = await read(text, api.hostMap, { streams: ["children"], mode: "incremental" });
    expect(errorsOf(ms)).toEqual([]);
    expect(api.requests.filter((r) => r.startsWith("/children"))).toEqual([
      "/children?ids=1%2C2&names=Ann%2CNone&slices=2",
      "/children?ids=3&names=Cy&slices=1",
    ]);
    const last = ms.flatMap((m) => (m.type === "STATE" ? [m.state.stream?.stream_state as Json] : [])).at(-1);
    expect(last).toMatchObject({ use_global_cursor: true, state: { updated_at: "2024-01-05" } });
    expect(last && "states" in last).toBe(false);
  });

  test("request options under it and a group size below 1 are the CDK's errors, at load", async () => {
    const api = serve(() => ({ data: [] }));
    await expect(read(manifest(grouped("group_size: 0")), api.hostMap)).rejects.toThrow(
      "Group size must be greater than 0, got 0",
    );
    const withOption =
      "{ type: ListPartitionRouter, values: [a], cursor_field: team, request_option: { type: RequestOption, inject_into: request_parameter, field_name: team } }";
    await expect(read(manifest(grouped("group_size: 2", withOption)), api.hostMap)).rejects.toThrow(
      "Request options are not supported for GroupingPartitionRouter.",
    );
    expect(api.requests).toEqual([]);
  });
});

describe("spec.config_normalization_rules", () => {
  // ConcurrentDeclarativeSource._migrate_and_transform_config: the migrations' transformations on a
  // copy, a CONTROL message with the migrated config when it changed, then the transformations
  // (for the run only); Spec.validate_config in streams(): check FAILED with "Encountered an error
  // while discovering streams", a TRACE error for discover and read.
  const text = `
version: 6.0.0
type: DeclarativeSource
check: { type: CheckStream, stream_names: [items] }
streams:
  - type: DeclarativeStream
    name: items
    schema_loader: { type: InlineSchemaLoader, schema: { type: object } }
    retriever:
      type: SimpleRetriever
      requester:
        type: HttpRequester
        url_base: https://api.example.com
        path: "/{{ config['region'] }}/items"
        request_headers: { X-Base: "{{ config['base'] }}" }
        request_parameters:
          legacy: "{{ config.get('legacy', 'gone') }}"
          size: "{{ config['settings']['page_size'] }}"
      record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [data] } }
spec:
  type: Spec
  connection_specification: { type: object, properties: { region: { type: string } } }
  config_normalization_rules:
    type: ConfigNormalizationRules
    config_migrations:
      - type: ConfigMigration
        description: the old region names, and a page size where there was none
        transformations:
          - { type: ConfigRemapField, field_path: [region], map: { eu: europe, us: america } }
          - type: ConfigAddFields
            fields: [{ type: AddedFieldDefinition, path: [settings, page_size], value: "50", value_type: integer }]
            condition: "{{ config.get('settings') is none }}"
    transformations:
      - type: ConfigAddFields
        fields: [{ type: AddedFieldDefinition, path: [base], value: "https://{{ config['region'] }}.example.com" }]
      - { type: ConfigRemoveFields, field_pointers: [[legacy]] }
    validations:
      - type: DpathValidator
        field_path: [filters]
        validation_strategy:
          type: ValidateAdheresToSchema
          base_schema: { type: object, required: [status], properties: { status: { type: string } } }
`;
  const run = async (command: "check" | "discover" | "read", config: Json) => {
    const seen: { url: string; base: string | null }[] = [];
    const api = serve((url, req) => {
      seen.push({ url: `${url.pathname}${url.search}`, base: req.headers.get("x-base") });
      return { data: [{ id: 1 }] };
    });
    if (command === "read") return { out: await read(text, api.hostMap, { config }), seen };
    return { out: await answerOf(text, command, api.hostMap, config), seen };
  };
  const controlsOf = (ms: AirbyteMessage[]) =>
    ms.flatMap((m) => (m.type === "CONTROL" ? [m.control.connectorConfig?.config] : []));

  test("the migrated config is reported first and the run uses it, transformed", async () => {
    const config = { region: "eu", legacy: "x", filters: '{"status": "open"}' };
    const { out, seen } = await run("read", config);
    expect(errorsOf(out)).toEqual([]);
    expect(out[0]?.type).toBe("CONTROL");
    // Migrated (remapped, page size added), not transformed: no `base`, `legacy` still there.
    expect(controlsOf(out)).toEqual([
      { region: "europe", legacy: "x", filters: '{"status": "open"}', settings: { page_size: 50 } },
    ]);
    expect(seen).toEqual([{ url: "/europe/items?legacy=gone&size=50", base: "https://europe.example.com" }]);
    expect(config).toEqual({ region: "eu", legacy: "x", filters: '{"status": "open"}' });
  });

  test("a config the migrations leave as it is gives no CONTROL", async () => {
    const { out } = await run("read", { region: "europe", settings: { page_size: 20 } });
    expect(errorsOf(out)).toEqual([]);
    expect(controlsOf(out)).toEqual([]);
  });

  test("a validation that fails: check FAILED with the CDK's words, discover and read a config error", async () => {
    const bad = { region: "europe", settings: { page_size: 20 }, filters: '{"status": 5}' };
    const check = await run("check", bad);
    const status = check.out.find((m) => m.type === "CONNECTION_STATUS");
    expect(status?.type === "CONNECTION_STATUS" && status.connectionStatus.status).toBe("FAILED");
    expect(status?.type === "CONNECTION_STATUS" && status.connectionStatus.message).toStartWith(
      "Encountered an error while discovering streams. Error: JSON schema validation error: the value at filters: status",
    );
    expect(check.seen).toEqual([]);
    // A string that is not JSON is validated as the string it is; the message never quotes it.
    for (const command of ["discover", "read"] as const) {
      const { out, seen } = await run(command, { ...bad, filters: "secret-ish text" });
      expect(errorsOf(out)).toEqual(["JSON schema validation error: the value at filters: expected object"]);
      expect(seen).toEqual([]);
    }
  });

  test("an empty config is left alone: no migration, no transformation", async () => {
    const { out } = await run("discover", {});
    expect(controlsOf(out)).toEqual([]);
    expect(out.map((m) => m.type)).toEqual(["CATALOG"]);
  });

  test("a schema as JSON text, a plain string checked as a string, a required key without a property", async () => {
    const rules = (schema: string, path: string) => `
version: 6.0.0
type: DeclarativeSource
check: { type: CheckStream, stream_names: [items] }
streams:
  - type: DeclarativeStream
    name: items
    schema_loader: { type: InlineSchemaLoader, schema: { type: object } }
    retriever:
      type: SimpleRetriever
      requester: { type: HttpRequester, url_base: https://api.example.com, path: /items }
      record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [data] } }
spec:
  type: Spec
  connection_specification: { type: object }
  config_normalization_rules:
    type: ConfigNormalizationRules
    validations:
      - type: DpathValidator
        field_path: ${path}
        validation_strategy: { type: ValidateAdheresToSchema, base_schema: ${schema} }
`;
    const check = async (text: string, config: Json) => {
      const api = serve(() => ({ data: [] }));
      const out = await answerOf(text, "check", api.hostMap, config);
      const status = out.find((m) => m.type === "CONNECTION_STATUS");
      return status?.type === "CONNECTION_STATUS" ? status.connectionStatus : null;
    };
    const domain = rules(`'{"type": "string", "pattern": "^[a-z-]+\\\\.example\\\\.net$"}'`, "[domain]");
    expect(await check(domain, { domain: "acme.example.net" })).toEqual({ status: "SUCCEEDED" });
    expect((await check(domain, { domain: "acme.example.org" }))?.status).toBe("FAILED");
    const required = rules("{ type: object, required: [status] }", "[filters, '*']");
    expect(await check(required, { filters: [{ status: "a" }] })).toEqual({ status: "SUCCEEDED" });
    expect((await check(required, { filters: [{ status: "a" }, { x: 1 }] }))?.message).toContain(
      "JSON schema validation error: the value at filters.*: status",
    );
  });
});

describe("spec and discover", () => {
  // Spec.generate_spec and DefaultStream.as_airbyte_stream, as the CDK's serializer writes them
  // (omit_none: a None is left out, a False default is written).
  test("the fields the CDK's serializer writes, false defaults included", async () => {
    const text = manifest(`
    retriever:
      type: SimpleRetriever
      requester: { type: HttpRequester, url_base: https://api.example.com, path: /items }
      record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [data] } }`).replace(
      "connection_specification: { type: object }",
      'connection_specification: { type: object }\n  documentation_url: ""',
    );
    const answer = async (command: "spec" | "discover") => (await answerOf(text, command))[0];
    const spec = await answer("spec");
    expect(spec?.type === "SPEC" && spec.spec).toEqual({
      connectionSpecification: { type: "object" },
      supportsNormalization: false,
      supportsDBT: false,
    });
    const catalog = await answer("discover");
    expect(catalog?.type === "CATALOG" && catalog.catalog.streams[0]).toEqual({
      name: "items",
      json_schema: { type: "object" },
      supported_sync_modes: ["full_refresh"],
      is_resumable: false,
      is_file_based: false,
      source_defined_primary_key: [["id"]],
    });
  });
});

describe("dynamic_streams", () => {
  // ConcurrentDeclarativeSource.dynamic_streams: each resolver's components, a deep copy of the
  // stream template each, the mappings set (HttpComponentsResolver: dpath.set on paths that exist;
  // ConfigComponentsResolver: also create_or_update), after the static streams.
  const template = `
    stream_template:
      type: DeclarativeStream
      name: placeholder
      schema_loader: { type: InlineSchemaLoader, schema: { type: object } }
      retriever:
        type: SimpleRetriever
        requester: { type: HttpRequester, url_base: https://api.example.com, path: /placeholder }
        record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [data] } }`;
  const source = (dynamic: string, check = "{ type: CheckStream, stream_names: [static] }") => `
version: 6.51.0
type: DeclarativeSource
check: ${check}
streams:
  - type: DeclarativeStream
    name: static
    schema_loader: { type: InlineSchemaLoader, schema: { type: object } }
    retriever:
      type: SimpleRetriever
      requester: { type: HttpRequester, url_base: https://api.example.com, path: /static }
      record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [data] } }
dynamic_streams:
${dynamic}
spec: { type: Spec, connection_specification: { type: object } }
`;
  const httpResolver = (mapping: string) => `
  - type: DynamicDeclarativeStream
${template}
    components_resolver:
      type: HttpComponentsResolver
      retriever:
        type: SimpleRetriever
        requester: { type: HttpRequester, url_base: https://api.example.com, path: /bases }
        record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [bases] } }
      components_mapping:${mapping}`;
  const api = () =>
    serve((url) => {
      if (url.pathname === "/bases")
        return {
          bases: [
            { id: "b1", name: "Sales Team" },
            { id: "b2", name: "Ops" },
          ],
        };
      return { data: [{ id: url.pathname }] };
    });
  const run = (command: "discover" | "check", text: string, hostMap: string, config: Json = {}) =>
    answerOf(text, command, hostMap, config);

  test("an HTTP resolver makes a stream of each record it reads; discover lists them after the static ones", async () => {
    const server = api();
    const text = source(
      httpResolver(`
        - { type: ComponentMappingDefinition, field_path: [name], value: "{{ components_values.name | lower | replace(' ', '_') }}" }
        - { type: ComponentMappingDefinition, field_path: [retriever, requester, path], value: "/bases/{{ components_values.id }}/rows" }
        - { type: ComponentMappingDefinition, field_path: [retriever, requester, missing], value: "not set: dpath.set needs the path" }`),
    );
    const discovered = await run("discover", text, server.hostMap);
    const catalog = discovered.find((m) => m.type === "CATALOG");
    expect(catalog?.type === "CATALOG" && catalog.catalog.streams.map((s) => s.name)).toEqual([
      "static",
      "sales_team",
      "ops",
    ]);
    server.requests.length = 0;
    const ms = await read(text, server.hostMap, { streams: ["ops"] });
    expect(errorsOf(ms)).toEqual([]);
    expect(recordsOf(ms)).toEqual([{ id: "/bases/b2/rows" }]);
    expect(server.requests).toEqual(["/bases", "/bases/b2/rows"]);
  });

  test("a config resolver makes a stream of each config entry; CheckDynamicStream checks the first streams", async () => {
    const server = api();
    const text = source(
      `
  - type: DynamicDeclarativeStream
${template}
    components_resolver:
      type: ConfigComponentsResolver
      stream_config: { type: StreamConfig, configs_pointer: [reports] }
      components_mapping:
        - { type: ComponentMappingDefinition, field_path: [name], value: "report_{{ components_values.name }}" }
        - { type: ComponentMappingDefinition, field_path: [retriever, requester, path], value: "/reports/{{ components_values.name }}" }
        - type: ComponentMappingDefinition
          field_path: [retriever, requester, request_parameters, dim]
          value: "{{ components_values.dim }}"
          create_or_update: true`,
      "{ type: CheckDynamicStream, stream_count: 2 }",
    );
    const config = {
      reports: [
        { name: "a", dim: "day" },
        { name: "b", dim: "week" },
      ],
    };
    const checked = await run("check", text, server.hostMap, config);
    expect(checked.find((m) => m.type === "CONNECTION_STATUS")).toEqual({
      type: "CONNECTION_STATUS",
      connectionStatus: { status: "SUCCEEDED" },
    });
    // The first two streams: the static one, then the first resolved.
    expect(server.requests).toEqual(["/static", "/reports/a?dim=day"]);
    const ms = await read(text, server.hostMap, { config, streams: ["report_b"] });
    expect(recordsOf(ms)).toEqual([{ id: "/reports/b" }]);
  });

  test("two resolved streams of the same name are the CDK's error; a resolver that fails fails the command", async () => {
    const server = api();
    const text = source(
      httpResolver(`
        - { type: ComponentMappingDefinition, field_path: [name], value: "same" }`),
    );
    expect(errorsOf(await run("discover", text, server.hostMap))).toEqual([
      "Dynamic streams list contains a duplicate name: same. Please contact Airbyte Support.",
    ]);
    const down = serve((url) =>
      url.pathname === "/bases" ? new Response("{}", { status: 403 }) : { data: [] },
    );
    const named = source(
      httpResolver(`
        - { type: ComponentMappingDefinition, field_path: [name], value: "{{ components_values.id }}" }`),
    );
    const discovered = await run("discover", named, down.hostMap);
    expect(discovered.map((m) => m.type)).toEqual(["TRACE"]);
    const checked = await run("check", named, down.hostMap);
    const status = checked.find((m) => m.type === "CONNECTION_STATUS");
    expect(status?.type === "CONNECTION_STATUS" && status.connectionStatus.status).toBe("FAILED");
  });
});

describe("DynamicSchemaLoader", () => {
  // DynamicSchemaLoader.get_json_schema: the first record's list at schema_pointer, a property per
  // item (key_pointer, type_pointer through types_mapping, default string), then the
  // transformations over the properties; read again for schema normalization.
  test("the schema is read from the API for the catalog and for normalizing records", async () => {
    const server = serve((url) => {
      if (url.pathname === "/meta")
        return {
          tables: [
            {
              fields: [
                { name: "Title", type: "singleLineText" },
                { name: "Count", type: "number" },
                { name: "Tags", type: "multipleSelects" },
                { name: "Notes" },
              ],
            },
          ],
        };
      return { data: [{ title: "x", count: "5", tags: ["a"] }] };
    });
    const text = manifest(`
    retriever:
      type: SimpleRetriever
      requester: { type: HttpRequester, url_base: https://api.example.com, path: /items }
      record_selector:
        type: RecordSelector
        schema_normalization: Default
        extractor: { type: DpathExtractor, field_path: [data] }`).replace(
      "    schema_loader: { type: InlineSchemaLoader, schema: { type: object } }\n",
      `    schema_loader:
      type: DynamicSchemaLoader
      retriever:
        type: SimpleRetriever
        requester: { type: HttpRequester, url_base: https://api.example.com, path: /meta }
        record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [tables] } }
      schema_type_identifier:
        schema_pointer: [fields]
        key_pointer: [name]
        type_pointer: [type]
        types_mapping:
          - { target_type: string, current_type: singleLineText }
          - { target_type: integer, current_type: number }
          - { target_type: { field_type: array, items: string }, current_type: multipleSelects }
      schema_transformations:
        - type: KeysToLower
`,
    );
    const out = await answerOf(text, "discover", server.hostMap);
    const catalog = out[0];
    expect(catalog?.type === "CATALOG" && catalog.catalog.streams[0]?.json_schema).toEqual({
      $schema: "https://json-schema.org/draft-07/schema#",
      type: "object",
      additionalProperties: true,
      properties: {
        title: { type: ["null", "string"] },
        count: { type: ["null", "integer"] },
        tags: { type: ["null", "array"], items: { type: ["null", "string"] } },
        notes: { type: ["null", "string"] },
      },
    });
    const ms = await read(text, server.hostMap);
    expect(errorsOf(ms)).toEqual([]);
    // Normalized by the schema read from the API: "5" becomes 5.
    expect(recordsOf(ms)).toEqual([{ title: "x", count: 5, tags: ["a"] }]);
  });
});

describe("dynamic streams and schemas: edge cases", () => {
  const stream = (name: string, path: string) => `
      type: DeclarativeStream
      name: ${name}
      schema_loader: { type: InlineSchemaLoader, schema: { type: object } }
      retriever:
        type: SimpleRetriever
        requester: { type: HttpRequester, url_base: https://api.example.com, path: ${path} }
        record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [data] } }`;
  const discoverNames = async (text: string, hostMap: string, config: Json = {}) => {
    const out = await answerOf(text, "discover", hostMap, config);
    const catalog = out.find((m) => m.type === "CATALOG");
    return catalog?.type === "CATALOG" ? catalog.catalog.streams.map((s) => s.name) : errorsOf(out);
  };

  test("an integer beyond 2^53 in a component keeps its digits; config values are read as PyYAML reads them", async () => {
    const server = serve((url) => ({ data: [{ id: url.pathname + url.search }] }));
    const text = `
version: 6.51.0
type: DeclarativeSource
check: { type: CheckStream, stream_names: [] }
streams: []
dynamic_streams:
  - type: DynamicDeclarativeStream
    stream_template:${stream("t", "/items")}
    components_resolver:
      type: ParametrizedComponentsResolver
      stream_parameters: { type: StreamParametersDefinition, list_of_parameters_for_stream: [{ id: "120210123456789012" }] }
      components_mapping:
        - { type: ComponentMappingDefinition, field_path: [name], value: "campaign_{{ components_values.id }}" }
        - { type: ComponentMappingDefinition, field_path: [retriever, requester, path], value: "{{ components_values.id }}" }
  - type: DynamicDeclarativeStream
    stream_template:${stream("t", "/accounts")}
    components_resolver:
      type: ConfigComponentsResolver
      stream_config: { type: StreamConfig, configs_pointer: [accounts] }
      components_mapping:
        - { type: ComponentMappingDefinition, field_path: [name], value: "account_{{ components_values.n }}" }
        - type: ComponentMappingDefinition
          field_path: [retriever, requester, request_parameters, account]
          value: "{{ components_values.id }}"
          create_or_update: true
spec: { type: Spec, connection_specification: { type: object } }
`;
    const config = {
      accounts: [
        { n: 1, id: "0123456789" },
        { n: 2, id: "NO" },
        { n: 3, id: "1:30" },
        { n: 4, id: "017" },
      ],
    };
    expect(await discoverNames(text, server.hostMap, config)).toEqual([
      "campaign_120210123456789012",
      "account_1",
      "account_2",
      "account_3",
      "account_4",
    ]);
    const ms = await read(text, server.hostMap, {
      config,
      streams: ["campaign_120210123456789012", "account_1", "account_2", "account_3", "account_4"],
    });
    expect(errorsOf(ms)).toEqual([]);
    expect(server.requests).toEqual([
      "/120210123456789012",
      "/accounts?account=0123456789",
      // NO is false to PyYAML, and create_or_update never creates a falsy value.
      "/accounts",
      "/accounts?account=90",
      "/accounts?account=15",
    ]);
  });

  test("a schema retriever with a partition router reads one empty slice, as read_records({}) does", async () => {
    const server = serve((url) =>
      url.pathname.startsWith("/meta") ? { fields: [{ name: url.pathname }] } : { data: [] },
    );
    const text = manifest(`
    retriever:
      type: SimpleRetriever
      requester: { type: HttpRequester, url_base: https://api.example.com, path: /items }
      record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [data] } }`).replace(
      "    schema_loader: { type: InlineSchemaLoader, schema: { type: object } }\n",
      `    schema_loader:
      type: DynamicSchemaLoader
      retriever:
        type: SimpleRetriever
        requester: { type: HttpRequester, url_base: https://api.example.com, path: "/meta/{{ stream_partition.get('p', '') }}" }
        record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [] } }
        partition_router: { type: ListPartitionRouter, values: [x, y], cursor_field: p }
      schema_type_identifier: { schema_pointer: [fields], key_pointer: [name] }
`,
    );
    const out = await answerOf(text, "discover", server.hostMap);
    const catalog = out[0];
    expect(
      catalog?.type === "CATALOG" &&
        Object.keys(((catalog.catalog.streams[0]?.json_schema ?? {}) as Json).properties as Json),
    ).toEqual(["/meta/"]);
    expect(server.requests).toEqual(["/meta/"]);
  });

  test("a schema endpoint that fails fails the check; the schema filter sees the loader's parameters", async () => {
    const server = serve((url) => {
      if (url.pathname === "/meta") return new Response("{}", { status: 403 });
      if (url.pathname === "/meta2") return { fields: [{ name: "keep" }, { name: "drop" }] };
      return { data: [{ id: 1 }] };
    });
    const text = (meta: string) =>
      manifest(`
    retriever:
      type: SimpleRetriever
      requester: { type: HttpRequester, url_base: https://api.example.com, path: /items }
      record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [data] } }`).replace(
        "    schema_loader: { type: InlineSchemaLoader, schema: { type: object } }\n",
        `    schema_loader:
      type: DynamicSchemaLoader
      $parameters: { excluded: drop }
      retriever:
        type: SimpleRetriever
        requester: { type: HttpRequester, url_base: https://api.example.com, path: ${meta} }
        record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [] } }
      schema_type_identifier: { schema_pointer: [fields], key_pointer: [name] }
      schema_filter: { type: RecordFilter, condition: "{{ parameters.excluded not in record }}" }
`,
      );
    const out = await answerOf(text("/meta"), "check", server.hostMap);
    const status = out.find((m) => m.type === "CONNECTION_STATUS");
    expect(status?.type === "CONNECTION_STATUS" && status.connectionStatus.status).toBe("FAILED");
    const out2 = await answerOf(text("/meta2"), "discover", server.hostMap);
    const catalog = out2[0];
    expect(
      catalog?.type === "CATALOG" &&
        Object.keys(((catalog.catalog.streams[0]?.json_schema ?? {}) as Json).properties as Json),
    ).toEqual(["keep"]);
  });
});
