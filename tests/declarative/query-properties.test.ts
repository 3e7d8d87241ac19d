// QueryProperties against an API shaped like HubSpot's CRM: a record has many properties, a request
// names those it wants (`properties=a,b`, within a limit), pages follow `paging.next.after`, and the
// list of properties comes from its own endpoint. As the CDK's SimpleRetriever._read_pages with
// QueryProperties: one request per chunk of properties for each page, merged by key.

import { describe, expect, test } from "bun:test";
import type { AirbyteMessage } from "../../src/connectors/protocol.ts";
import { runManifest } from "../../src/declarative/source.ts";
import { errorsOf, readManifest, recordsOf, serveApi } from "../helpers/manifest-run.ts";

type Json = Record<string, unknown>;

const PROPERTIES = ["email", "firstname", "lastname", "phone", "company"];

/** Five contacts with every property; pages of `pageSize`; at most `limit` properties a request. */
function crmApi(options: { pageSize?: number; limit?: number } = {}) {
  const contacts = Array.from({ length: 5 }, (_, i) => {
    const c: Json = { id: String(i + 1) };
    for (const p of PROPERTIES) c[p] = `${p}-${i + 1}`;
    return c;
  });
  const api = serveApi((url) => {
    if (url.pathname === "/properties")
      return { results: PROPERTIES.map((name) => ({ name, type: "string" })) };
    const asked = (url.searchParams.get("properties") ?? "").split(",").filter(Boolean);
    if (asked.length > (options.limit ?? 100))
      return Response.json({ message: "too many properties" }, { status: 414 });
    const after = Number(url.searchParams.get("after") ?? 0);
    const size = options.pageSize ?? 2;
    const page = contacts.slice(after, after + size);
    return {
      results: page.map((c) => ({ id: c.id, properties: Object.fromEntries(asked.map((p) => [p, c[p]])) })),
      ...(after + size < contacts.length ? { paging: { next: { after: String(after + size) } } } : {}),
    };
  });
  return { ...api, contacts };
}

const manifest = (properties: string, selector = "") => `
version: 6.0.0
type: DeclarativeSource
check: { type: CheckStream, stream_names: [items] }
streams:
  - type: DeclarativeStream
    name: items
    primary_key: id
    schema_loader: { type: InlineSchemaLoader, schema: { type: object } }
    retriever:
      type: SimpleRetriever
      requester:
        type: HttpRequester
        url_base: https://api.example.com
        path: /contacts
        request_parameters:
          archived: "false"
          properties:
${properties}
      record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [results] } }
      paginator:
        type: DefaultPaginator
        page_token_option: { type: RequestOption, inject_into: request_parameter, field_name: after }
        pagination_strategy: { type: CursorPagination, cursor_value: "{{ response.get('paging', {}).get('next', {}).get('after') }}", stop_condition: "{{ not response.get('paging') }}" }
${selector}
spec: { type: Spec, connection_specification: { type: object } }
`;

const chunked = (limit: string, extra = "") => `            type: QueryProperties
            property_list: [${PROPERTIES.join(", ")}]
            always_include_properties: [email]
            property_chunking:
              type: PropertyChunking
              ${limit}
              record_merge_strategy: { type: GroupByKeyMergeStrategy, key: id }
${extra}`;

describe("QueryProperties", () => {
  test("one request per chunk for each page, the same page token for each, records merged by key", async () => {
    const api = crmApi({ limit: 3 });
    const ms = await readManifest(
      manifest(chunked("property_limit_type: property_count\n              property_limit: 2")),
      api.hostMap,
    );
    expect(errorsOf(ms)).toEqual([]);
    // [email] always, then two more at a time.
    expect(api.requests).toEqual([
      "GET /contacts?archived=false&properties=email%2Cemail%2Cfirstname",
      "GET /contacts?archived=false&properties=email%2Clastname%2Cphone",
      "GET /contacts?archived=false&properties=email%2Ccompany",
      "GET /contacts?archived=false&properties=email%2Cemail%2Cfirstname&after=2",
      "GET /contacts?archived=false&properties=email%2Clastname%2Cphone&after=2",
      "GET /contacts?archived=false&properties=email%2Ccompany&after=2",
      "GET /contacts?archived=false&properties=email%2Cemail%2Cfirstname&after=4",
      "GET /contacts?archived=false&properties=email%2Clastname%2Cphone&after=4",
      "GET /contacts?archived=false&properties=email%2Ccompany&after=4",
    ]);
    expect(recordsOf(ms)).toEqual(
      api.contacts.map((c) => ({
        id: c.id,
        properties: Object.fromEntries(
          ["email", "firstname", "lastname", "phone", "company"].map((p) => [p, c[p]]),
        ),
      })),
    );
  });

  test("a character limit counts each name and its encoded comma", async () => {
    const api = crmApi();
    await readManifest(
      manifest(chunked("property_limit_type: characters\n              property_limit: 20")),
      api.hostMap,
    );
    // email (always) is not counted; firstname (12) + lastname (11) > 20.
    expect(api.requests.slice(0, 4)).toEqual([
      "GET /contacts?archived=false&properties=email%2Cemail%2Cfirstname",
      "GET /contacts?archived=false&properties=email%2Clastname%2Cphone",
      "GET /contacts?archived=false&properties=email%2Ccompany",
      "GET /contacts?archived=false&properties=email%2Cemail%2Cfirstname&after=2",
    ]);
  });

  test("PropertiesFromEndpoint: the list read once per run, whatever the number of pages", async () => {
    const api = crmApi({ pageSize: 5 });
    const ms = await readManifest(
      manifest(`            type: QueryProperties
            property_list:
              type: PropertiesFromEndpoint
              property_field_path: [name]
              retriever:
                type: SimpleRetriever
                requester: { type: HttpRequester, url_base: https://api.example.com, path: /properties }
                record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [results] } }`),
      api.hostMap,
    );
    expect(errorsOf(ms)).toEqual([]);
    expect(api.requests).toEqual([
      "GET /properties",
      `GET /contacts?archived=false&properties=${PROPERTIES.join("%2C")}`,
    ]);
    expect(recordsOf(ms)).toHaveLength(5);
  });

  test("a property selector asks only for the properties the catalog selected", async () => {
    const api = crmApi({ pageSize: 5 });
    const text = manifest(`            type: QueryProperties
            property_list: [${PROPERTIES.join(", ")}]
            property_selector:
              type: JsonSchemaPropertySelector
              transformations: [{ type: KeysToLower }]`);
    const out: AirbyteMessage[] = [];
    const catalog = {
      streams: [
        {
          stream: {
            name: "items",
            json_schema: { type: "object", properties: { Email: {}, Phone: {} } },
            supported_sync_modes: ["full_refresh"],
          },
          sync_mode: "full_refresh",
          destination_sync_mode: "append",
        },
      ],
    };
    const run = {
      command: "read" as const,
      config: {},
      catalog: catalog as never,
      signal: AbortSignal.timeout(10_000),
    };
    for await (const m of runManifest(text, "qp.yaml", run, { hostMap: api.hostMap })) out.push(m);
    expect(errorsOf(out)).toEqual([]);
    expect(api.requests).toEqual(["GET /contacts?archived=false&properties=email%2Cphone"]);
  });
});

describe("QueryProperties: a chunk answered with an error status let through", () => {
  test("the other chunks' records still count, and only the last chunk's answer ends pagination", async () => {
    const contacts = Array.from({ length: 4 }, (_, i) => ({
      id: String(i + 1),
      a: `a${i + 1}`,
      b: `b${i + 1}`,
    }));
    const api = serveApi((url) => {
      const asked = (url.searchParams.get("properties") ?? "").split(",");
      // The first chunk (a) is not found on any page; the second (b) answers.
      if (asked.includes("a")) return Response.json({ message: "gone" }, { status: 404 });
      const after = Number(url.searchParams.get("after") ?? 0);
      const page = contacts.slice(after, after + 2);
      return {
        results: page.map((c) => ({ id: c.id, properties: { b: c.b } })),
        ...(after + 2 < contacts.length ? { paging: { next: { after: String(after + 2) } } } : {}),
      };
    });
    const text = manifest(`            type: QueryProperties
            property_list: [a, b]
            property_chunking:
              type: PropertyChunking
              property_limit_type: property_count
              property_limit: 1`).replace(
      "        path: /contacts\n",
      `        path: /contacts
        error_handler:
          type: DefaultErrorHandler
          response_filters: [{ type: HttpResponseFilter, http_codes: [404], action: IGNORE }]
`,
    );
    const ms = await readManifest(text, api.hostMap);
    expect(errorsOf(ms)).toEqual([]);
    expect(recordsOf(ms)).toEqual(contacts.map((c) => ({ id: c.id, properties: { b: c.b } })));
  });
});
