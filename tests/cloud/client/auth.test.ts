import { afterEach, describe, expect, test } from "bun:test";
import { Hono } from "hono";
import { CloudApiError, createCloudClient } from "../../../src/cloud/client/index.ts";
import { Redactor } from "../../../src/core/redact.ts";
import type { Settings } from "../../../src/core/settings.ts";
import {
  type ApiServer,
  BEARER,
  CLIENT_ID,
  CLIENT_SECRET,
  cloudSettings,
  FAST_RETRY,
  problem,
  recordingLogger,
  rejection,
  startApi,
} from "./helpers.ts";

const WORKSPACE = {
  workspaceId: "11111111-1111-4111-8111-111111111111",
  name: "ws",
  dataResidency: "auto",
  notifications: {},
};

/**
 * A token endpoint issuing "token-1", "token-2"… and a workspace endpoint that accepts only tokens
 * not revoked. `expiresIn` is what the token endpoint says; `hold` delays token answers.
 */
function authServer(options: { expiresIn?: number | null; hold?: Promise<void> } = {}) {
  let issued = 0;
  const revoked = new Set<string>();
  const app = new Hono();
  app.post("/v1/applications/token", async (c) => {
    const body = await c.req.json();
    if (body.client_id !== CLIENT_ID || body.client_secret !== CLIENT_SECRET) {
      return c.json(problem(401, "invalid-api-key", "The client credentials are invalid."), 401);
    }
    if (options.hold) await options.hold;
    issued++;
    const token: Record<string, unknown> = { access_token: `token-${issued}`, token_type: "Bearer" };
    if (options.expiresIn !== null) token.expires_in = options.expiresIn ?? 900;
    return c.json(token);
  });
  app.get("/v1/workspaces/:id", (c) => {
    const auth = c.req.header("authorization") ?? "";
    const token = auth.replace(/^Bearer /, "");
    if (!/^(token-\d+|bearer-token-.*)$/.test(token) || revoked.has(token)) return c.body(null, 401);
    return c.json({ ...WORKSPACE, workspaceId: c.req.param("id") });
  });
  return { app, revoke: (t: string) => revoked.add(t), issued: () => issued };
}

let api: ApiServer | null = null;
afterEach(async () => {
  await api?.stop();
  api = null;
});

function clientFor(
  server: ApiServer,
  env: Record<string, string>,
  extra: { now?: () => number; redactor?: Redactor; log?: ReturnType<typeof recordingLogger> } = {},
) {
  const settings = cloudSettings({ AIRBYTE_CLOUD_API_URL: `${server.origin}/v1`, ...env });
  return createCloudClient({
    settings,
    retry: FAST_RETRY,
    tokens: extra.now ? { now: extra.now } : {},
    ...(extra.redactor ? { redactor: extra.redactor } : {}),
    ...(extra.log ? { log: extra.log } : {}),
  });
}

const credentials = { AIRBYTE_CLOUD_CLIENT_ID: CLIENT_ID, AIRBYTE_CLOUD_CLIENT_SECRET: CLIENT_SECRET };

describe("client credentials", () => {
  test("the token request is a JSON body with the id, the secret and the grant type, sent without a token", async () => {
    const s = authServer();
    api = startApi(s.app);
    const client = clientFor(api, credentials);
    expect(client.authKind).toBe("client_credentials");
    await client.workspaces.get(WORKSPACE.workspaceId);
    const [tokenRequest] = api.to("/v1/applications/token", "POST");
    expect(tokenRequest?.authorization).toBeNull();
    expect(tokenRequest?.contentType).toBe("application/json");
    expect(JSON.parse(tokenRequest?.body ?? "")).toEqual({
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      "grant-type": "client_credentials",
    });
    expect(api.to(`/v1/workspaces/${WORKSPACE.workspaceId}`)[0]?.authorization).toBe("Bearer token-1");
  });

  test("the token is reused until shortly before it expires, then renewed", async () => {
    const s = authServer({ expiresIn: 900 });
    api = startApi(s.app);
    let clock = 1_000_000;
    const client = clientFor(api, credentials, { now: () => clock });
    await client.workspaces.get(WORKSPACE.workspaceId);
    clock += 800_000; // 100 s left: still outside the 60 s margin
    await client.workspaces.get(WORKSPACE.workspaceId);
    expect(s.issued()).toBe(1);
    clock += 45_000; // 55 s left: inside the margin
    await client.workspaces.get(WORKSPACE.workspaceId);
    expect(s.issued()).toBe(2);
    const used = api.to(`/v1/workspaces/${WORKSPACE.workspaceId}`).map((r) => r.authorization);
    expect(used).toEqual(["Bearer token-1", "Bearer token-1", "Bearer token-2"]);
  });

  test("a token without expires_in is kept for good", async () => {
    const s = authServer({ expiresIn: null });
    api = startApi(s.app);
    let clock = 0;
    const client = clientFor(api, credentials, { now: () => clock });
    await client.workspaces.get(WORKSPACE.workspaceId);
    clock += 10 * 24 * 3600 * 1000;
    await client.workspaces.get(WORKSPACE.workspaceId);
    expect(s.issued()).toBe(1);
  });

  test("a short-lived token is renewed halfway through its life, not on every call", async () => {
    const s = authServer({ expiresIn: 60 });
    api = startApi(s.app);
    let clock = 0;
    const client = clientFor(api, credentials, { now: () => clock });
    await client.workspaces.get(WORKSPACE.workspaceId);
    clock += 20_000;
    await client.workspaces.get(WORKSPACE.workspaceId);
    expect(s.issued()).toBe(1);
    clock += 15_000;
    await client.workspaces.get(WORKSPACE.workspaceId);
    expect(s.issued()).toBe(2);
  });

  test("concurrent calls share one token request", async () => {
    let release!: () => void;
    const hold = new Promise<void>((r) => {
      release = r;
    });
    const s = authServer({ hold });
    api = startApi(s.app);
    const client = clientFor(api, credentials);
    const calls = Array.from({ length: 6 }, () => client.workspaces.get(WORKSPACE.workspaceId));
    // Let every call reach the token wait before the token comes.
    while (api.to("/v1/applications/token").length === 0) await Bun.sleep(1);
    release();
    await Promise.all(calls);
    expect(api.to("/v1/applications/token")).toHaveLength(1);
    expect(s.issued()).toBe(1);
  });

  test("a 401 with a cached token gets one new token and one more try", async () => {
    const s = authServer();
    api = startApi(s.app);
    const client = clientFor(api, credentials);
    await client.workspaces.get(WORKSPACE.workspaceId);
    s.revoke("token-1");
    const ws = await client.workspaces.get(WORKSPACE.workspaceId);
    expect(ws.workspaceId).toBe(WORKSPACE.workspaceId);
    expect(s.issued()).toBe(2);
    const used = api.to(`/v1/workspaces/${WORKSPACE.workspaceId}`).map((r) => r.authorization);
    expect(used).toEqual(["Bearer token-1", "Bearer token-1", "Bearer token-2"]);
  });

  test("a 401 for a token just minted is final: no loop, and the hint names the credential variables", async () => {
    const app = new Hono();
    let issued = 0;
    app.post("/v1/applications/token", (c) =>
      c.json({ access_token: `token-${++issued}`, token_type: "Bearer", expires_in: 900 }),
    );
    app.get("/v1/workspaces/:id", (c) =>
      c.json(problem(401, "invalid-api-key", "The API key in the Authorization header is invalid."), 401),
    );
    api = startApi(app);
    const client = clientFor(api, credentials);
    const error = await rejection(client.workspaces.get(WORKSPACE.workspaceId));
    expect(error).toBeInstanceOf(CloudApiError);
    const e = error as CloudApiError;
    expect(e.status).toBe(401);
    expect(e.hint).toContain("AIRBYTE_CLOUD_CLIENT_ID");
    expect(e.hint).toContain("AIRBYTE_CLOUD_CLIENT_SECRET");
    expect(issued).toBe(1);
    expect(api.to(`/v1/workspaces/${WORKSPACE.workspaceId}`)).toHaveLength(1);
  });

  test("a 401 that persists after the renewal fails after exactly one renewal", async () => {
    const app = new Hono();
    let issued = 0;
    app.post("/v1/applications/token", (c) =>
      c.json({ access_token: `token-${++issued}`, token_type: "Bearer", expires_in: 900 }),
    );
    let calls = 0;
    app.get("/v1/workspaces/:id", (c) => (++calls === 1 ? c.json(WORKSPACE) : c.body(null, 401)));
    api = startApi(app);
    const client = clientFor(api, credentials);
    await client.workspaces.get(WORKSPACE.workspaceId);
    const e = (await rejection(client.workspaces.get(WORKSPACE.workspaceId))) as CloudApiError;
    expect(e.status).toBe(401);
    expect(issued).toBe(2);
    expect(calls).toBe(3);
  });

  test("refused client credentials: the error names the variables and never shows the secret", async () => {
    const s = authServer();
    api = startApi(s.app);
    const log = recordingLogger();
    const client = clientFor(
      api,
      { AIRBYTE_CLOUD_CLIENT_ID: CLIENT_ID, AIRBYTE_CLOUD_CLIENT_SECRET: "wrong-secret-value-xyz" },
      { log },
    );
    const e = (await rejection(client.workspaces.get(WORKSPACE.workspaceId))) as CloudApiError;
    expect(e).toBeInstanceOf(CloudApiError);
    expect(e.message).toContain("access token");
    expect(e.message).toContain("401");
    expect(e.hint).toContain("AIRBYTE_CLOUD_CLIENT_SECRET");
    const everything = [e.text, ...log.lines].join("\n");
    expect(everything).not.toContain("wrong-secret-value-xyz");
    expect(api.to(`/v1/workspaces/${WORKSPACE.workspaceId}`)).toHaveLength(0);
  });

  test("a token of another type than bearer is refused", async () => {
    const app = new Hono();
    app.post("/v1/applications/token", (c) =>
      c.json({ access_token: "mac-token", token_type: "mac", expires_in: 900 }),
    );
    api = startApi(app);
    const e = (await rejection(
      clientFor(api, credentials).workspaces.get(WORKSPACE.workspaceId),
    )) as CloudApiError;
    expect(e.kind).toBe("invalid-response");
    expect(e.message).toContain("'mac'");
    expect(e.message).not.toContain("mac-token");
  });

  test("the client secret and every access token are taught to the server's redactor", async () => {
    const s = authServer();
    api = startApi(s.app);
    const redactor = new Redactor([]);
    const client = clientFor(api, credentials, { redactor });
    await client.workspaces.get(WORKSPACE.workspaceId);
    expect(redactor.text(`secret ${CLIENT_SECRET} token token-1`)).toBe("secret **** token ****");
  });
});

describe("bearer token", () => {
  test("is sent as is, with no token request", async () => {
    const s = authServer();
    api = startApi(s.app);
    const client = clientFor(api, { AIRBYTE_CLOUD_BEARER_TOKEN: BEARER });
    expect(client.authKind).toBe("bearer");
    await client.workspaces.get(WORKSPACE.workspaceId);
    expect(api.to("/v1/applications/token")).toHaveLength(0);
    expect(api.requests[0]?.authorization).toBe(`Bearer ${BEARER}`);
  });

  test("a 401 is final and the hint says the token may have expired", async () => {
    const app = new Hono();
    app.get("/v1/workspaces/:id", (c) =>
      c.json(
        problem(401, "invalid-api-key", `The API key in the Authorization header is invalid: ${BEARER}`),
        401,
      ),
    );
    api = startApi(app);
    const e = (await rejection(
      clientFor(api, { AIRBYTE_CLOUD_BEARER_TOKEN: BEARER }).workspaces.get("w"),
    )) as CloudApiError;
    expect(e.status).toBe(401);
    expect(e.hint).toContain("AIRBYTE_CLOUD_BEARER_TOKEN");
    expect(e.hint).toContain("expired");
    expect(e.text).not.toContain(BEARER);
    expect(api.requests).toHaveLength(1);
  });
});

describe("credentials from the settings", () => {
  const settingsWith = (env: Record<string, string>): Settings =>
    cloudSettings({ AIRBYTE_CLOUD_API_URL: "http://127.0.0.1:9/v1", ...env });

  test("none: the client is built, and each call fails naming the variables to set", async () => {
    const client = createCloudClient({ settings: settingsWith({}) });
    expect(client.authKind).toBeNull();
    expect(client.web.workspace("w")).toBe("http://127.0.0.1:9/workspaces/w");
    const e = (await rejection(client.sources.get("s"))) as CloudApiError;
    expect(e.kind).toBe("credentials");
    for (const name of [
      "AIRBYTE_CLOUD_CLIENT_ID",
      "AIRBYTE_CLOUD_CLIENT_SECRET",
      "AIRBYTE_CLOUD_BEARER_TOKEN",
    ]) {
      expect(e.text).toContain(name);
    }
  });

  test("half a pair: the error names the missing variable", async () => {
    const client = createCloudClient({ settings: settingsWith({ AIRBYTE_CLOUD_CLIENT_ID: CLIENT_ID }) });
    const e = (await rejection(client.workspaces.get("w"))) as CloudApiError;
    expect(e.message).toContain("AIRBYTE_CLOUD_CLIENT_SECRET is not");
  });

  test("both kinds at once are refused by the settings and by the client", () => {
    expect(() => cloudSettings({ AIRBYTE_CLOUD_BEARER_TOKEN: BEARER, ...credentials })).toThrow(
      /AIRBYTE_CLOUD_BEARER_TOKEN/,
    );
    // Settings built another way (tests, embedders) are checked again by the client.
    const settings = settingsWith(credentials);
    const both = { ...settings, env: { ...settings.env, AIRBYTE_CLOUD_BEARER_TOKEN: BEARER } };
    let thrown: unknown;
    try {
      createCloudClient({ settings: both });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(CloudApiError);
    expect((thrown as CloudApiError).kind).toBe("credentials");
    expect((thrown as CloudApiError).text).not.toContain(BEARER);
    expect((thrown as CloudApiError).text).not.toContain(CLIENT_SECRET);
  });
});
