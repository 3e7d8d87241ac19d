// Authentication of the fake Cloud: tokens from client credentials (JSON and form bodies), static bearer
// tokens, expiry, and the 401 problems for everything else, on the public and the Config API.

import { describe, expect, test } from "bun:test";
import { skipWithoutFixtures } from "../../helpers/fixtures.ts";
import { fakeCloudSuite, RawApi } from "./harness.ts";
import { DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET } from "./server.ts";

const skip = skipWithoutFixtures("fake Cloud auth tests");

describe.skipIf(skip)("token endpoint", () => {
  const s = fakeCloudSuite();

  test("JSON body (as PyAirbyte mints tokens), with and without a grant type", async () => {
    const api = new RawApi(s.fake);
    for (const extra of [{}, { "grant-type": "client_credentials" }, { grant_type: "client_credentials" }]) {
      const r = await api.post(
        "/applications/token",
        { client_id: DEFAULT_CLIENT_ID, client_secret: DEFAULT_CLIENT_SECRET, ...extra },
        { auth: false },
      );
      expect(r.status).toBe(200);
      expect(r.body.token_type).toBe("Bearer");
      expect(r.body.expires_in).toBe(900);
      expect(typeof r.body.access_token).toBe("string");
    }
    // The suite logged in once before the test.
    expect(s.fake.tokensIssued).toBe(4);
  });

  test("form body (as the Python SDK sends it) and the token it gives works", async () => {
    const api = new RawApi(s.fake);
    const form = new URLSearchParams({
      grant_type: "client_credentials",
      client_id: DEFAULT_CLIENT_ID,
      client_secret: DEFAULT_CLIENT_SECRET,
    }).toString();
    const r = await api.post("/applications/token", undefined, {
      auth: false,
      raw: form,
      contentType: "application/x-www-form-urlencoded",
    });
    expect(r.status).toBe(200);
    api.token = r.body.access_token;
    expect((await api.get("/organizations")).status).toBe(200);
  });

  test("unknown client or wrong secret: 401 problem, no token issued", async () => {
    const api = new RawApi(s.fake);
    const before = s.fake.tokensIssued;
    for (const body of [
      { client_id: "nobody", client_secret: DEFAULT_CLIENT_SECRET },
      { client_id: DEFAULT_CLIENT_ID, client_secret: "wrong" },
    ]) {
      const r = await api.post("/applications/token", body, { auth: false });
      expect(r.status).toBe(401);
      expect(r.body.title).toBe("invalid-api-key");
      expect(JSON.stringify(r.body)).not.toContain(DEFAULT_CLIENT_SECRET);
    }
    expect(s.fake.tokensIssued).toBe(before);
  });

  test("malformed bodies: 400 bad-request", async () => {
    const api = new RawApi(s.fake);
    const missing = await api.post("/applications/token", { client_id: DEFAULT_CLIENT_ID }, { auth: false });
    expect(missing.status).toBe(400);
    expect(missing.body.detail).toContain("client_secret");
    const notJson = await api.post("/applications/token", undefined, { auth: false, raw: "{nope" });
    expect(notJson.status).toBe(400);
  });
});

describe.skipIf(skip)("bearer tokens", () => {
  const s = fakeCloudSuite();

  test("health needs no token; everything else does", async () => {
    const health = await s.api.get("/health", { auth: false });
    expect(health.status).toBe(200);
    expect(health.body).toBeUndefined();
    for (const path of [
      "/workspaces",
      "/organizations",
      "/jobs",
      `/workspaces/${s.fake.store.defaults.workspaceId}`,
    ]) {
      const r = await s.api.get(path, { auth: false });
      expect(r.status).toBe(401);
      expect(r.body.type).toBe("https://reference.airbyte.com/reference/errors#invalid-api-key");
    }
    const config = await s.api.config("/state/get", { connectionId: crypto.randomUUID() }, { auth: false });
    expect(config.status).toBe(401);
  });

  test("a token the server never issued is refused", async () => {
    const r = await s.api.get("/workspaces", { auth: "eyJhbGciOiJub25lIn0.e30.forged" });
    expect(r.status).toBe(401);
    expect(r.body.title).toBe("invalid-api-key");
  });

  test("expired tokens get a 401 problem that says so; a fresh token works again", async () => {
    expect((await s.api.get("/workspaces")).status).toBe(200);
    s.fake.expireTokens();
    const expired = await s.api.get("/workspaces");
    expect(expired.status).toBe(401);
    expect(expired.body.detail).toContain("expired");
    expect(
      (
        await s.api.config("/workspaces/get_organization_info", {
          workspaceId: s.fake.store.defaults.workspaceId,
        })
      ).status,
    ).toBe(401);
    await s.api.login();
    expect((await s.api.get("/workspaces")).status).toBe(200);
  });

  test("tokens expire by the clock after expires_in", async () => {
    let now = Date.UTC(2025, 0, 1);
    const { fake } = await s.open({ tokenTtlSeconds: 60, clock: () => now });
    const api = new RawApi(fake);
    await api.login();
    now += 59_000;
    expect((await api.get("/organizations")).status).toBe(200);
    now += 1_000;
    expect((await api.get("/organizations")).status).toBe(401);
  });

  test("static bearer tokens (AIRBYTE_CLOUD_BEARER_TOKEN) are accepted and never expire", async () => {
    const { fake } = await s.open({ bearerTokens: ["static-token-value"] });
    const api = new RawApi(fake);
    api.token = "static-token-value";
    expect((await api.get("/organizations")).status).toBe(200);
    fake.expireTokens();
    expect((await api.get("/organizations")).status).toBe(200);
    expect(fake.tokensIssued).toBe(0);
  });

  test("the request log says whether a bearer was sent, never the token", async () => {
    await s.api.get("/workspaces");
    await s.api.get("/health", { auth: false });
    const log = s.fake.requests;
    expect(log.map((r) => [r.method, r.path, r.status, r.auth])).toEqual([
      ["POST", "/v1/applications/token", 200, "none"],
      ["GET", "/v1/workspaces", 200, "bearer"],
      ["GET", "/v1/health", 200, "none"],
    ]);
    expect(JSON.stringify(log)).not.toContain(s.api.token ?? "no token");
    expect(JSON.stringify(log)).not.toContain(DEFAULT_CLIENT_SECRET);
  });
});
