// Paged lists against a server that pages like the real API: a next link after every non-empty page
// (so the last page is followed by an empty one), limit capped at 100.

import { afterEach, describe, expect, test } from "bun:test";
import { Hono } from "hono";
import { type CloudApiError, collect, createCloudClient } from "../../../src/cloud/client/index.ts";
import { type ApiServer, BEARER, cloudSettings, FAST_RETRY, rejection, startApi } from "./helpers.ts";

const WS = "11111111-1111-4111-8111-111111111111";

function sources(n: number) {
  return Array.from({ length: n }, (_, i) => ({
    sourceId: `source-${String(i).padStart(3, "0")}`,
    name: `Source ${i}`,
    sourceType: "pokeapi",
    definitionId: "6371b14b-bc68-4236-bfbd-468e8df8e968",
    workspaceId: WS,
    configuration: {},
    createdAt: 1_700_000_000 + i,
  }));
}

/** GET /v1/sources paged per cloud-api.md §4; `nextHost` replaces the host of the next links. */
function pagedServer(items: unknown[], options: { nextHost?: string } = {}) {
  const app = new Hono();
  app.get("/v1/sources", (c) => {
    const limit = Math.min(100, Number(c.req.query("limit") ?? 20));
    const offset = Number(c.req.query("offset") ?? 0);
    const data = items.slice(offset, offset + limit);
    const host = options.nextHost ?? new URL(c.req.url).origin;
    const link = (o: number) =>
      `${host}/v1/sources?workspaceIds=${c.req.query("workspaceIds")}&limit=${limit}&offset=${o}`;
    return c.json({
      data,
      next: data.length > 0 ? link(offset + limit) : "",
      previous: offset !== 0 ? link(Math.max(offset - limit, 0)) : "",
    });
  });
  return app;
}

let api: ApiServer | null = null;
afterEach(async () => {
  await api?.stop();
  api = null;
});

function client(server: ApiServer, pageSize: number) {
  return createCloudClient({
    settings: cloudSettings({
      AIRBYTE_CLOUD_API_URL: `${server.origin}/v1`,
      AIRBYTE_CLOUD_BEARER_TOKEN: BEARER,
    }),
    retry: FAST_RETRY,
    pageSize,
  });
}

const offsets = (server: ApiServer) => server.to("/v1/sources").map((r) => Number(r.query.get("offset")));

describe("paged lists", () => {
  test("every item once, in order; the extra empty page ends the walk", async () => {
    const all = sources(7);
    api = startApi(pagedServer(all));
    const got = await collect(client(api, 3).sources.list(WS));
    expect(got.map((s) => s.sourceId)).toEqual(all.map((s) => s.sourceId));
    // Pages of 3, 3, 1 (offset += items received), then the empty page after the last next link.
    expect(offsets(api)).toEqual([0, 3, 6, 7]);
    expect(api.to("/v1/sources").every((r) => r.query.get("workspaceIds") === WS)).toBe(true);
    expect(api.to("/v1/sources").every((r) => r.query.get("limit") === "3")).toBe(true);
  });

  test("an exact multiple of the page size: one empty page after the last full one", async () => {
    api = startApi(pagedServer(sources(4)));
    expect(await collect(client(api, 2).sources.list(WS))).toHaveLength(4);
    expect(offsets(api)).toEqual([0, 2, 4]);
  });

  test("an empty workspace: one request", async () => {
    api = startApi(pagedServer([]));
    expect(await collect(client(api, 100).sources.list(WS))).toEqual([]);
    expect(api.requests).toHaveLength(1);
  });

  test("the caller's limit stops the walk and shrinks the last request", async () => {
    api = startApi(pagedServer(sources(10)));
    const got = await collect(client(api, 4).sources.list(WS, { limit: 6 }));
    expect(got.map((s) => s.name)).toEqual([
      "Source 0",
      "Source 1",
      "Source 2",
      "Source 3",
      "Source 4",
      "Source 5",
    ]);
    expect(api.to("/v1/sources").map((r) => [r.query.get("offset"), r.query.get("limit")])).toEqual([
      ["0", "4"],
      ["4", "2"],
    ]);
  });

  test("the iterator is lazy: breaking early sends no more requests", async () => {
    api = startApi(pagedServer(sources(10)));
    for await (const s of client(api, 2).sources.list(WS)) {
      if (s.name === "Source 1") break;
    }
    expect(api.requests).toHaveLength(1);
  });

  test("next links to another host are never followed: the client keeps asking its own API root", async () => {
    const all = sources(5);
    api = startApi(pagedServer(all, { nextHost: "http://evil.invalid" }));
    const got = await collect(client(api, 2).sources.list(WS));
    expect(got).toHaveLength(5);
    expect(offsets(api)).toEqual([0, 2, 4, 5]);
  });

  test("a missing next link ends the walk even after a full page", async () => {
    const app = new Hono();
    app.get("/v1/sources", (c) => c.json({ data: sources(2) }));
    api = startApi(app);
    expect(await collect(client(api, 2).sources.list(WS))).toHaveLength(2);
    expect(api.requests).toHaveLength(1);
  });

  test("a limit below 1 is refused before any request", async () => {
    api = startApi(pagedServer(sources(1)));
    const e = (await rejection(collect(client(api, 2).sources.list(WS, { limit: 0 })))) as CloudApiError;
    expect(e.kind).toBe("invalid-argument");
    expect(api.requests).toHaveLength(0);
  });

  test("jobs pass their filters on every page", async () => {
    const jobs = Array.from({ length: 3 }, (_, i) => ({
      jobId: 100 - i,
      status: "succeeded",
      jobType: "sync",
      startTime: "2024-06-09T21:50Z",
      connectionId: "c1",
    }));
    const app = new Hono();
    app.get("/v1/jobs", (c) => {
      const offset = Number(c.req.query("offset"));
      const limit = Number(c.req.query("limit"));
      const data = jobs.slice(offset, offset + limit);
      return c.json({ data, next: data.length > 0 ? "more" : "" });
    });
    api = startApi(app);
    const got = await collect(
      client(api, 2).jobs.list({ connectionId: "c1", jobType: "sync", orderBy: "createdAt|DESC" }),
    );
    expect(got.map((j) => j.jobId)).toEqual([100, 99, 98]);
    for (const r of api.to("/v1/jobs")) {
      expect(r.query.get("connectionId")).toBe("c1");
      expect(r.query.get("jobType")).toBe("sync");
      expect(r.query.get("orderBy")).toBe("createdAt|DESC");
    }
    expect(api.to("/v1/jobs")).toHaveLength(3);
  });
});

describe("the Config API's workspace list (pageSize/rowOffset, no next link)", () => {
  test("pages until a short page, with the name filter on each request", async () => {
    const all = Array.from({ length: 5 }, (_, i) => ({
      workspaceId: `ws-${i}`,
      name: `prod ${i}`,
      organizationId: "org",
    }));
    const app = new Hono();
    app.post("/api/v1/workspaces/list_by_organization_id", async (c) => {
      const body = await c.req.json();
      const { pageSize, rowOffset } = body.pagination;
      return c.json({ workspaces: all.slice(rowOffset, rowOffset + pageSize) });
    });
    api = startApi(app);
    const c = createCloudClient({
      settings: cloudSettings({
        AIRBYTE_CLOUD_API_URL: `${api.origin}/api/public/v1`,
        AIRBYTE_CLOUD_BEARER_TOKEN: BEARER,
      }),
      retry: FAST_RETRY,
      pageSize: 2,
    });
    const got = await collect(c.config.listWorkspacesByOrganization("org", { nameContains: "prod" }));
    expect(got.map((w) => w.workspaceId)).toEqual(["ws-0", "ws-1", "ws-2", "ws-3", "ws-4"]);
    const bodies = api.requests.map((r) => JSON.parse(r.body));
    expect(bodies).toEqual([
      { organizationId: "org", pagination: { pageSize: 2, rowOffset: 0 }, nameContains: "prod" },
      { organizationId: "org", pagination: { pageSize: 2, rowOffset: 2 }, nameContains: "prod" },
      { organizationId: "org", pagination: { pageSize: 2, rowOffset: 4 }, nameContains: "prod" },
    ]);
  });
});
