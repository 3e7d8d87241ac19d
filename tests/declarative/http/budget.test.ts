// api_budget (the CDK's HTTPAPIBudget and call_rate.py policies) against a paged API, with a clock
// that the runner's waits move: how long the runner waits, and when, is what the policies say.

import { describe, expect, test } from "bun:test";
import { matches } from "../../../src/declarative/http/budget.ts";
import { errorsOf, readManifest, recordsOf, serveApi } from "../../helpers/manifest-run.ts";

const START = Date.UTC(2024, 2, 1, 12, 0, 0);

/** A clock the sleeps move forward, and the waits asked for. */
function clock() {
  let t = START;
  const waits: number[] = [];
  return {
    waits,
    now: () => new Date(t),
    sleep: async (ms: number) => {
      waits.push(ms);
      t += ms;
    },
    at: () => t,
  };
}

/** Five pages of two items each; every answer may carry rate-limit headers. */
function pagedApi(headers: (n: number) => Record<string, string> = () => ({})): ReturnType<typeof serveApi> {
  let n = 0;
  const api = serveApi((url) => {
    n++;
    const page = Number(url.searchParams.get("page") ?? 1);
    return Response.json(
      { data: [{ id: page * 2 - 1 }, { id: page * 2 }], next: page < 5 ? page + 1 : null },
      { headers: headers(n) },
    );
  });
  return api;
}

const manifest = (budget: string) => `
version: 6.0.0
type: DeclarativeSource
check: { type: CheckStream, stream_names: [items] }
api_budget:
${budget}
streams:
  - type: DeclarativeStream
    name: items
    schema_loader: { type: InlineSchemaLoader, schema: { type: object } }
    retriever:
      type: SimpleRetriever
      requester: { type: HttpRequester, url_base: https://api.example.com, path: /items }
      record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [data] } }
      paginator:
        type: DefaultPaginator
        page_token_option: { type: RequestOption, inject_into: request_parameter, field_name: page }
        pagination_strategy: { type: CursorPagination, cursor_value: "{{ response.next }}", stop_condition: "{{ not response.next }}" }
spec: { type: Spec, connection_specification: { type: object } }
`;

describe("HTTPAPIBudget", () => {
  test("a fixed window: two calls a minute, then a wait for the next window", async () => {
    const api = pagedApi();
    const c = clock();
    const ms = await readManifest(
      manifest(`  type: HTTPAPIBudget
  policies:
    - type: FixedWindowCallRatePolicy
      period: PT1M
      call_limit: 2
      matchers: [{ url_base: "https://api.example.com", url_path_pattern: "^/items" }]`),
      api.hostMap,
      c,
    );
    expect(errorsOf(ms)).toEqual([]);
    expect(recordsOf(ms)).toHaveLength(10);
    // Calls 1-2 in the first minute; 3-4 once it ends; 5 after the next.
    expect(c.waits).toEqual([60_000, 60_000]);
  });

  test("a moving window: three calls in any ten seconds", async () => {
    const api = pagedApi();
    const c = clock();
    await readManifest(
      manifest(`  type: HTTPAPIBudget
  policies:
    - type: MovingWindowCallRatePolicy
      rates: [{ limit: 3, interval: PT10S }]
      matchers: []`),
      api.hostMap,
      c,
    );
    expect(api.requests).toHaveLength(5);
    expect(c.waits).toEqual([10_000]);
  });

  test("the API's remaining and reset headers move the window; a request no policy matches is not paced", async () => {
    const reset = String((START + 30_000) / 1000);
    const limited: Record<string, string> = { "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset };
    const api = pagedApi((n) => (n === 1 ? limited : {}));
    const c = clock();
    await readManifest(
      manifest(`  type: HTTPAPIBudget
  ratelimit_remaining_header: X-RateLimit-Remaining
  ratelimit_reset_header: X-RateLimit-Reset
  policies:
    - type: UnlimitedCallRatePolicy
      matchers: [{ method: GET, params: { page: "5" } }]
    - type: FixedWindowCallRatePolicy
      period: PT1H
      call_limit: 100
      matchers: []`),
      api.hostMap,
      c,
    );
    expect(api.requests).toHaveLength(5);
    // None left after the first answer: the next call waits for the reset it named.
    expect(c.waits).toEqual([30_000]);
  });

  test("matchers: method, base, path pattern, query parameters and headers, as HttpRequestRegexMatcher", () => {
    const m = {
      method: "GET",
      urlBase: "https://api.example.com",
      pathPattern: /^\/v1\/items/,
      params: { kind: "x" },
      headers: { "x-tenant": "a" },
      weight: null,
    };
    const request = {
      method: "get",
      url: "https://api.example.com/v1/items/?kind=x&page=2",
      headers: { "X-Tenant": "a" },
    };
    expect(matches(m, request)).toBe(true);
    expect(matches(m, { ...request, method: "POST" })).toBe(false);
    expect(matches(m, { ...request, url: "https://other.example.com/v1/items?kind=x" })).toBe(false);
    expect(matches(m, { ...request, url: "https://api.example.com/v2/items?kind=x" })).toBe(false);
    expect(matches(m, { ...request, url: "https://api.example.com/v1/items?kind=y" })).toBe(false);
    expect(matches(m, { ...request, headers: {} })).toBe(false);
  });
});

describe("HTTPAPIBudget: a request that can never fit", () => {
  test("a weight above the limit fails the read instead of waiting forever (the CDK's ValueError)", async () => {
    const api = pagedApi();
    const c = clock();
    for (const policy of [
      "{ type: FixedWindowCallRatePolicy, period: PT1M, call_limit: 2, matchers: [{ weight: 3 }] }",
      "{ type: MovingWindowCallRatePolicy, rates: [{ limit: 2, interval: PT1M }], matchers: [{ weight: 3 }] }",
    ]) {
      const ms = await readManifest(
        manifest(`  type: HTTPAPIBudget\n  policies: [${policy}]`),
        api.hostMap,
        c,
      );
      expect(errorsOf(ms).join(" ")).toContain("can never fit a limit of 2 calls");
    }
    expect(api.requests).toEqual([]);
    expect(c.waits).toEqual([]);
  });
});
