// Injected failures (rate limits and server errors with Retry-After, a number of times, per method and
// path), and the contract guard: every route the fake serves is an operation of the OpenAPI file, and a
// response outside the file is caught and answered as a 500.

import { describe, expect, test } from "bun:test";
import { skipWithoutFixtures } from "../../helpers/fixtures.ts";
import { publicApi } from "../../helpers/openapi.ts";
import { TokenBook } from "./auth.ts";
import { fakeCloudSuite, RawApi } from "./harness.ts";
import { publicApiRoutes } from "./public-api.ts";
import { startFakeCloud } from "./server.ts";
import { FakeCloudStore } from "./store.ts";

const skip = skipWithoutFixtures("fake Cloud failure tests");

describe.skipIf(skip)("injected failures", () => {
  const s = fakeCloudSuite();

  test("429 with Retry-After, the given number of times, then the real answer", async () => {
    s.fake.injectFailure({ path: /\/v1\/workspaces$/, status: 429, times: 2, retryAfter: "3" });
    for (let i = 0; i < 2; i++) {
      const r = await s.api.get("/workspaces");
      expect(r.status).toBe(429);
      expect(r.headers.get("retry-after")).toBe("3");
      expect(r.body).toMatchObject({ status: 429, title: "rate-limited" });
    }
    expect((await s.api.get("/workspaces")).status).toBe(200);
    expect(s.fake.requests.slice(-3).map((r) => r.status)).toEqual([429, 429, 200]);
  });

  test("server errors as problem documents; only the matching method and path fail", async () => {
    const src = s.fake.store.addSource();
    s.fake.injectFailure({ method: "PATCH", path: /\/sources\//, status: 503 });
    expect((await s.api.get(`/sources/${src.id}`)).status).toBe(200);
    const failed = await s.api.patch(`/sources/${src.id}`, { name: "x" });
    expect(failed.status).toBe(503);
    expect(failed.body).toMatchObject({ status: 503, title: "service-unavailable" });
    expect(failed.headers.get("retry-after")).toBeNull();
    expect(s.fake.store.sources.get(src.id)?.name).not.toBe("x");
    expect((await s.api.patch(`/sources/${src.id}`, { name: "x" })).status).toBe(200);
  });

  test("a custom body, on the token endpoint, before any credential check", async () => {
    s.fake.injectFailure({
      path: /applications\/token/,
      status: 502,
      body: { error: "upstream connect error" },
    });
    const api = new RawApi(s.fake);
    const r = await api.post(
      "/applications/token",
      { client_id: "anyone", client_secret: "anything" },
      { auth: false },
    );
    expect(r.status).toBe(502);
    expect(r.body).toEqual({ error: "upstream connect error" });
    await api.login();
  });

  test("the Config API fails the same way", async () => {
    s.fake.injectFailure({ path: /\/api\/v1\/jobs\/get/, status: 500 });
    const r = await s.api.config("/jobs/get", { id: 1 });
    expect(r.status).toBe(500);
    expect(r.body.title).toBe("unexpected-problem");
  });
});

describe.skipIf(skip)("contract guard", () => {
  test("every public route of the fake is an operation of the OpenAPI file", () => {
    const app = publicApiRoutes({
      store: new FakeCloudStore(),
      tokens: new TokenBook(new Set(), Date.now),
      clients: {},
      tokenTtlSeconds: 900,
      basePath: "",
      openapi: publicApi(),
    });
    const routes = app.routes.filter((r) => r.method !== "ALL");
    expect(routes.length).toBeGreaterThan(25);
    const missing = routes.filter(
      (r) =>
        !publicApi().find(r.method, r.path.replace(/:[A-Za-z]+/g, "00000000-0000-4000-8000-000000000001")),
    );
    expect(missing.map((r) => `${r.method} ${r.path}`)).toEqual([]);
  });

  test("a response outside the file is recorded and answered as a 500", async () => {
    const fake = await startFakeCloud({ validateResponses: true });
    const errors: unknown[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => errors.push(args);
    try {
      const api = new RawApi(fake);
      await api.login();
      const src = fake.store.addSource();
      const dst = fake.store.addDestination();
      // A status the API does not have.
      const conn = fake.store.addConnection({
        sourceId: src.id,
        destinationId: dst.id,
        status: "paused" as "active",
      });
      const r = await api.get(`/connections/${conn.connectionId}`);
      expect(r.status).toBe(500);
      expect(fake.validationErrors.join()).toContain("status");
      // And on the Config API: a state type config.yaml does not have.
      fake.store.setConnectionState(conn.connectionId, { stateType: "partial" });
      expect((await api.config("/state/get", { connectionId: conn.connectionId })).status).toBe(500);
      expect(fake.validationErrors.join()).toContain("stateType");
      expect(errors.length).toBe(2);
    } finally {
      console.error = original;
      await fake.close();
    }
  });
});
