// Page plans (HttpRequester.sendPage): a slice's later pages are made from a plan with only the
// page token put in, when nothing else in the request can change from page to page. Each read
// here runs twice against an API that logs every request in full (method, URL, headers, body):
// once with plans, once with every request built in full. The two logs must be the same, and the
// plan must have been used exactly where the request allows it.

import { afterEach, describe, expect, test } from "bun:test";
import { plannedPageRequests, usePagePlans } from "../../src/declarative/requester.ts";
import { errorsOf, oneStreamManifest, readManifest, recordsOf } from "../helpers/manifest-run.ts";

type Json = Record<string, unknown>;

const servers: ReturnType<typeof Bun.serve>[] = [];
afterEach(() => {
  usePagePlans(true);
  for (const s of servers.splice(0)) s.stop(true);
});

/**
 * An API of `total` items per partition (the `region` parameter, if any), `size` a page, each page
 * naming the next by a token in the body: `token(n)` is the token of the page starting at item n.
 */
function pagedApi(token: (n: number) => string | number, total = 7, size = 3, delayMs = 0) {
  const log: string[] = [];
  const starts = new Map<string, number>();
  for (let n = 0; n < total; n += size) starts.set(String(token(n)), n);
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(req) {
      const url = new URL(req.url);
      const headers = [...req.headers.entries()]
        .filter(([k]) => !["host", "connection", "accept-encoding", "user-agent", "accept"].includes(k))
        .sort(([a], [b]) => a.localeCompare(b));
      if (delayMs > 0) await Bun.sleep(delayMs);
      log.push(`${req.method} ${url.pathname}${url.search} ${JSON.stringify(headers)} ${await req.text()}`);
      const given = url.searchParams.get("cursor") ?? req.headers.get("x-cursor");
      // "start": the first page, as a manifest may ask for it by name.
      const from = given === null || given === "start" ? 0 : starts.get(given);
      if (from === undefined) return Response.json({ message: `unknown cursor ${given}` }, { status: 400 });
      const region = url.searchParams.get("region") ?? "";
      const data = [];
      for (let i = from; i < Math.min(from + size, total); i++) data.push({ id: `${region}${i}` });
      const next = from + size < total ? token(from + size) : null;
      return Response.json({ data, next });
    },
  });
  servers.push(server);
  return { log, hostMap: `https://api.example.com=http://127.0.0.1:${server.port}` };
}

const PAGINATOR = `
      paginator:
        type: DefaultPaginator
        page_token_option: { type: RequestOption, inject_into: request_parameter, field_name: cursor }
        page_size_option: { type: RequestOption, inject_into: request_parameter, field_name: limit }
        pagination_strategy:
          type: CursorPagination
          page_size: 3
          cursor_value: "{{ response.next }}"
          stop_condition: "{{ not response.next }}"`;

function stream(requester: string, paginator = PAGINATOR, extra = ""): string {
  return oneStreamManifest(`    retriever:
      type: SimpleRetriever
      requester:
        type: HttpRequester
${requester}
      record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [data] } }
${paginator}
${extra}`);
}

/** The read with plans and without: its requests, records and how many requests a plan made. */
async function bothWays(
  manifest: string,
  token: (n: number) => string | number,
  options: Parameters<typeof readManifest>[2] = {},
  total = 7,
) {
  const runs = [];
  for (const plans of [true, false]) {
    usePagePlans(plans);
    const api = pagedApi(token, total);
    const before = plannedPageRequests();
    const messages = await readManifest(manifest, api.hostMap, options);
    expect(errorsOf(messages)).toEqual([]);
    runs.push({
      requests: api.log,
      ids: recordsOf(messages).map((r) => (r as Json).id),
      planned: plannedPageRequests() - before,
    });
  }
  const [planned, full] = runs as [(typeof runs)[0], (typeof runs)[0]];
  expect(planned.requests).toEqual(full.requests);
  expect(planned.ids).toEqual(full.ids);
  expect(full.planned).toBe(0);
  return planned;
}

const BEARER = `        authenticator: { type: BearerAuthenticator, api_token: "{{ config['key'] }}" }`;

describe("page plans", () => {
  test("a token in the query with fixed credentials: every page after the first from the plan", async () => {
    const run = await bothWays(
      stream(`        url_base: https://api.example.com/v1
        path: /items
        request_parameters: { sort: asc, fields: "id,name" }
        request_headers: { X-Client: bench }
${BEARER}`),
      (n) => n,
      { config: { key: "secret-1" } },
    );
    expect(run.ids).toEqual(["0", "1", "2", "3", "4", "5", "6"]);
    expect(run.planned).toBe(2);
    expect(run.requests[1]).toContain("GET /v1/items?sort=asc&fields=id%2Cname&cursor=3&limit=3");
    expect(run.requests[1]).toContain('["authorization","Bearer secret-1"]');
  });

  test("string tokens are encoded as a full build encodes them", async () => {
    const tokens = ["", "", "", "a b/c&d=é+~", "", "", "x*'()!%20"];
    const run = await bothWays(
      stream(`        url_base: https://api.example.com
        path: items`),
      (n) => tokens[n] as string,
    );
    expect(run.planned).toBe(2);
    expect(run.requests[1]).toContain("cursor=a+b%2Fc%26d%3D%C3%A9%2B~&limit=3");
    expect(run.requests[2]).toContain("cursor=x%2A%27%28%29%21%2520&limit=3");
  });

  test("an API key in the query and a manifest parameter the token replaces", async () => {
    const run = await bothWays(
      stream(`        url_base: https://api.example.com
        path: /items
        request_parameters: { cursor: start, limit: "50" }
        authenticator:
          type: ApiKeyAuthenticator
          api_token: "{{ config['key'] }}"
          inject_into: { type: RequestOption, inject_into: request_parameter, field_name: api_key }`),
      (n) => `c${n}`,
      { config: { key: "k-9" } },
    );
    expect(run.planned).toBe(2);
    expect(run.requests[0]).toContain("GET /items?cursor=start&limit=3&api_key=k-9");
    expect(run.requests[1]).toContain("GET /items?cursor=c3&limit=3&api_key=k-9");
  });

  test("a partition router and a datetime cursor: one plan per slice, with or without the slicer's parameters on later pages", async () => {
    for (const ignore of [false, true]) {
      const run = await bothWays(
        stream(
          `        url_base: https://api.example.com
        path: /items
${BEARER}`,
          PAGINATOR,
          `      ignore_stream_slicer_parameters_on_paginated_requests: ${ignore}
      partition_router:
        type: ListPartitionRouter
        values: [eu, us]
        cursor_field: region
        request_option: { type: RequestOption, inject_into: request_parameter, field_name: region }
    incremental_sync:
      type: DatetimeBasedCursor
      cursor_field: updated
      datetime_format: "%Y-%m-%d"
      start_datetime: "2024-01-01"
      end_datetime: "2024-01-02"
      step: P1D
      cursor_granularity: P1D
      start_time_option: { type: RequestOption, inject_into: request_parameter, field_name: since }
      end_time_option: { type: RequestOption, inject_into: request_parameter, field_name: until }`,
        ),
        (n) => n,
        { config: { key: "s" }, mode: "incremental" },
      );
      // A slice per partition, three pages each: two planned pages per slice.
      expect(run.requests).toHaveLength(6);
      expect(run.planned).toBe(4);
      expect(run.requests[3]).toContain("GET /items?limit=3&region=us&since=2024-01-01&until=2024-01-02 ");
      if (ignore) expect(run.requests[4]).toContain("GET /items?cursor=3&limit=3 ");
      else
        expect(run.requests[4]).toContain(
          "GET /items?cursor=3&limit=3&region=us&since=2024-01-01&until=2024-01-02 ",
        );
    }
  });

  test("no plan where a template runs while the request is built: every page built in full", async () => {
    const run = await bothWays(
      stream(`        url_base: https://api.example.com
        path: /items
        request_parameters: { account: "{{ config['account'] }}" }`),
      (n) => n,
      { config: { account: "acme" } },
    );
    expect(run.planned).toBe(0);
    expect(run.requests[2]).toContain("GET /items?account=acme&cursor=6&limit=3 ");
  });

  test("a template that reads the clock is evaluated for every page", async () => {
    // The API takes a few milliseconds a page, so the clock has moved by the next request.
    const api = pagedApi((n) => n, 7, 3, 5);
    const before = plannedPageRequests();
    const messages = await readManifest(
      stream(`        url_base: https://api.example.com
        path: /items
        request_parameters: { at: "{{ now_utc().strftime('%H%M%S%f') }}" }`),
      api.hostMap,
    );
    expect(errorsOf(messages)).toEqual([]);
    expect(plannedPageRequests() - before).toBe(0);
    const stamps = api.log.map((r) => /at=(\d+)/.exec(r)?.[1]);
    expect(new Set(stamps).size).toBe(3);
  });

  test("a template that fails on the placeholder token: the page is built in full with its real token", async () => {
    // timestamp() of a date token works for every real token and fails on the placeholder.
    const dates = new Map([
      [3, "2024-01-03T00:00:00Z"],
      [6, "2024-01-02T00:00:00Z"],
    ]);
    const run = await bothWays(
      stream(`        url_base: https://api.example.com
        path: /items
        request_parameters:
          before: "{{ timestamp(next_page_token['next_page_token']) if next_page_token else '' }}"`),
      (n) => dates.get(n) ?? "",
    );
    expect(run.planned).toBe(0);
    expect(run.requests[1]).toContain(
      "GET /items?before=1704240000.0&cursor=2024-01-03T00%3A00%3A00Z&limit=3 ",
    );
  });

  test("a lazily built authenticator: plans once it is known to be fixed, even from the first page", async () => {
    // PageIncrement with inject_on_first_request: the first page has a token before any request
    // has built the authenticator.
    const run = await bothWays(
      stream(
        `        url_base: https://api.example.com
        path: /items
${BEARER}`,
        `      paginator:
        type: DefaultPaginator
        page_token_option: { type: RequestOption, inject_into: request_parameter, field_name: cursor }
        pagination_strategy: { type: PageIncrement, page_size: 3, start_from_page: 0, inject_on_first_request: true }`,
      ),
      (n) => n / 3,
      { config: { key: "k" } },
    );
    expect(run.requests).toHaveLength(3);
    expect(run.planned).toBe(2);
    expect(run.requests[0]).toContain("GET /items?cursor=0 ");
  });

  test("no plan for a token that goes into a header, or that a header's template reads", async () => {
    const inHeader = PAGINATOR.replace(
      "inject_into: request_parameter, field_name: cursor",
      "inject_into: header, field_name: X-Cursor",
    );
    const a = await bothWays(
      stream(`        url_base: https://api.example.com\n        path: /items`, inHeader),
      (n) => n,
    );
    expect(a.planned).toBe(0);
    expect(a.requests[1]).toContain('["x-cursor","3"]');

    const b = await bothWays(
      stream(`        url_base: https://api.example.com
        path: /items
        request_headers: { X-Page: "{{ next_page_token.next_page_token if next_page_token else 'first' }}" }`),
      (n) => n,
    );
    expect(b.planned).toBe(0);
    expect(b.requests.map((r) => /"x-page","(\w+)"/.exec(r)?.[1])).toEqual(["first", "3", "6"]);
  });

  test("no plan for a URL with a query of its own (whether a parameter is sent depends on its value)", async () => {
    const run = await bothWays(
      stream(`        url_base: https://api.example.com
        path: "/items?limit=3"`),
      (n) => n,
    );
    expect(run.planned).toBe(0);
    // The page size equals the URL's own limit=3: not sent twice.
    expect(run.requests[1]).toContain("GET /items?limit=3&cursor=3 ");
  });

  test("no plan for credentials that are not fixed (a session token is asked for before it is used)", async () => {
    const run = await bothWays(
      stream(`        url_base: https://api.example.com
        path: /items
        authenticator:
          type: SessionTokenAuthenticator
          login_requester:
            type: HttpRequester
            url_base: https://api.example.com
            path: /items
            http_method: GET
          session_token_path: [next]
          request_authentication: { type: ApiKey, inject_into: { type: RequestOption, inject_into: header, field_name: X-Session } }`),
      (n) => n,
    );
    // A session token with no expiry is asked for before every request, as the CDK's
    // SessionTokenProvider does: a plan would keep the first.
    expect(run.planned).toBe(0);
    expect(run.requests.filter((r) => r.startsWith("GET /items [] "))).toHaveLength(3);
    expect(run.requests[5]).toContain('GET /items?cursor=6&limit=3 [["x-session","3"]]');
  });
});
