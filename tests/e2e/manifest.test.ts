// The native manifest runner through the compiled binary: `sync` of a manifest given by path
// against a local API reached through AIRBYTE_HTTP_HOST_MAP, an incremental rerun that fetches
// only what is new, then `sql` on what was synced. No Python, no Docker, no network.

import { afterAll, beforeAll, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Hono } from "hono";
import { e2eFixture, runBinary } from "../helpers/binary.ts";

const fx = e2eFixture("UNUSED=1\n");
const KEY = "e2e-api-key-7781";
const orders = Array.from({ length: 45 }, (_, i) => ({
  id: i + 1,
  total: (i + 1) * 10,
  updated: new Date(Date.UTC(2024, 4, 1) + i * 3_600_000).toISOString().replace(".000Z", "Z"),
}));
const seen: string[] = [];

const app = new Hono();
app.get("/v2/orders", (c) => {
  seen.push(c.req.url);
  if (c.req.header("x-api-key") !== KEY) return c.json({ error: "bad key" }, 401);
  const since = c.req.query("updated_since") ?? "";
  const page = Number(c.req.query("page") ?? 1);
  const rows = orders.filter((o) => o.updated >= since);
  return c.json({ orders: rows.slice((page - 1) * 20, page * 20) });
});
let server: ReturnType<typeof Bun.serve>;
beforeAll(() => {
  server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: app.fetch });
});
afterAll(() => server.stop(true));

const MANIFEST = `
version: 6.0.0
type: DeclarativeSource
check: { type: CheckStream, stream_names: [orders] }
streams:
  - type: DeclarativeStream
    name: orders
    primary_key: id
    retriever:
      type: SimpleRetriever
      requester:
        type: HttpRequester
        url_base: https://shop.example.com/v2
        path: /orders
        authenticator:
          type: ApiKeyAuthenticator
          api_token: "{{ config['api_key'] }}"
          inject_into: { type: RequestOption, inject_into: header, field_name: X-Api-Key }
      record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [orders] } }
      paginator:
        type: DefaultPaginator
        page_token_option: { type: RequestOption, inject_into: request_parameter, field_name: page }
        pagination_strategy: { type: PageIncrement, page_size: 20, start_from_page: 1 }
    incremental_sync:
      type: DatetimeBasedCursor
      cursor_field: updated
      datetime_format: "%Y-%m-%dT%H:%M:%SZ"
      start_datetime: "{{ config['start_date'] }}"
      start_time_option: { type: RequestOption, inject_into: request_parameter, field_name: updated_since }
    schema_loader:
      type: InlineSchemaLoader
      schema:
        type: object
        properties: { id: { type: integer }, total: { type: number }, updated: { type: string, format: date-time } }
spec:
  type: Spec
  connection_specification:
    type: object
    required: [api_key, start_date]
    properties:
      api_key: { type: string, airbyte_secret: true }
      start_date: { type: string }
`;

test("sync a manifest by path, rerun incrementally, query the cache", async () => {
  const manifestPath = join(fx.dir, "manifest.yaml");
  writeFileSync(manifestPath, MANIFEST);
  const env = fx.env({
    AIRBYTE_PROJECT_DIR: join(fx.dir, "project"),
    AIRBYTE_HTTP_HOST_MAP: `https://shop.example.com=http://127.0.0.1:${server.port}`,
    SHOP_KEY: KEY,
    WRONG_KEY: "wrong-key-123456",
  });
  const config = JSON.stringify({
    api_key: "secret_reference::SHOP_KEY",
    start_date: "2024-05-01T00:00:00Z",
  });
  const args = ["sync", "source-shop", "--manifest-path", manifestPath, "--config", config];
  const first = await runBinary(args, { env });
  expect(first.stderr).toBe("");
  expect(first.code).toBe(0);
  const r = JSON.parse(first.stdout);
  expect(r.executor.kind).toBe("yaml");
  expect(r.records).toBe(orders.length);
  expect(first.stdout).not.toContain(KEY);

  // New orders arrive; the rerun asks only from the saved cursor on.
  const last = orders.at(-1)?.updated as string;
  for (let i = 0; i < 5; i++) {
    orders.push({
      id: 100 + i,
      total: 1,
      updated: new Date(Date.parse(last) + (i + 1) * 60_000).toISOString().replace(".000Z", "Z"),
    });
  }
  seen.length = 0;
  const second = await runBinary(args, { env });
  expect(second.code).toBe(0);
  expect(new URL(seen[0] as string).searchParams.get("updated_since")).toBe(last);
  // The record at the cursor value is read again (the start is inclusive), then the five new ones.
  expect(JSON.parse(second.stdout).records).toBe(6);

  const sql = await runBinary(
    ["sql", "SELECT count(*) AS n, count(DISTINCT id) AS ids, max(updated) AS latest FROM orders"],
    { env },
  );
  expect(sql.code).toBe(0);
  // Merge on the primary key: the re-read record is not duplicated.
  expect(JSON.parse(sql.stdout).rows).toEqual([
    { n: orders.length, ids: orders.length, latest: orders.at(-1)?.updated },
  ]);

  const bad = await runBinary(
    [
      "sync",
      "source-shop",
      "--manifest-path",
      manifestPath,
      "--config",
      JSON.stringify({ api_key: "secret_reference::WRONG_KEY", start_date: "2024-05-01T00:00:00Z" }),
    ],
    { env },
  );
  expect(bad.code).toBe(1);
  expect(bad.stderr).not.toContain("wrong-key-123456");
  expect(bad.stderr).toContain("orders: HTTP Status Code: 401");
}, 120_000);
