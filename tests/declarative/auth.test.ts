// LegacySessionTokenAuthenticator (source-metabase's) end to end against a real local server that
// behaves like Metabase: GET user/current accepts only a live session, POST session logs in with a
// JSON username and password and answers {"id": <session>}, and the API wants X-Metabase-Session.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Hono } from "hono";
import type { AirbyteMessage } from "../../src/connectors/protocol.ts";
import { LegacySessionTokenAuthenticator } from "../../src/declarative/auth.ts";
import { RequestParts } from "../../src/declarative/request.ts";
import { runManifest } from "../../src/declarative/source.ts";
import { serve, type TestServer } from "./http/test-server.ts";

// biome-ignore lint/suspicious/noExplicitAny: messages are read field by field in assertions
type Loose = any;

const USER = "ana@example.com";
const PASSWORD = "pa55-w0rd-value";
const LIVE_SESSION = "3f1c0d2e-live-session";
const ISSUED = "8b9e7a6c-issued-session";
const CARDS = Array.from({ length: 7 }, (_, i) => ({ id: i + 1, name: `Card ${i + 1}` }));

let checkStatus = 0; // 0: the real check; otherwise the status the check answers
const seen: { method: string; path: string; session: string | null; body: string }[] = [];
const sessions = new Set([LIVE_SESSION]);

const app = new Hono();
app.use(async (c, next) => {
  const body = c.req.method === "POST" ? await c.req.raw.clone().text() : "";
  seen.push({
    method: c.req.method,
    path: c.req.path,
    session: c.req.header("x-metabase-session") ?? null,
    body,
  });
  await next();
});
app.get("/api/user/current", (c) => {
  if (checkStatus) return c.json({ error: "check says no" }, checkStatus as 403);
  const session = c.req.header("x-metabase-session");
  return session && sessions.has(session) ? c.json({ id: 1, email: USER }) : c.text("Unauthenticated", 401);
});
app.post("/api/session", async (c) => {
  const { username, password } = (await c.req.json()) as { username?: string; password?: string };
  if (c.req.header("content-type")?.startsWith("application/json") !== true) return c.text("json only", 400);
  if (username !== USER || password !== PASSWORD)
    return c.json({ errors: { password: "did not match" } }, 401);
  sessions.add(ISSUED);
  return c.json({ id: ISSUED });
});
app.get("/api/card", (c) => {
  const session = c.req.header("x-metabase-session");
  if (!session || !sessions.has(session)) return c.text("Unauthenticated", 401);
  const offset = Number(c.req.query("offset") ?? 0);
  return c.json(CARDS.slice(offset, offset + 3));
});

const MANIFEST = `
version: 6.0.0
type: DeclarativeSource
check: { type: CheckStream, stream_names: [card] }
streams:
  - type: DeclarativeStream
    name: card
    primary_key: id
    retriever:
      type: SimpleRetriever
      requester:
        type: HttpRequester
        url_base: "{{ config['instance_api_url'] }}"
        path: card
        authenticator:
          type: LegacySessionTokenAuthenticator
          username: "{{ config['username'] }}"
          password: "{{ config['password'] }}"
          header: X-Metabase-Session
          session_token: "{{ config['session_token'] }}"
          session_token_response_key: id
          login_url: session
          validate_session_url: user/current
      record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [] } }
      paginator:
        type: DefaultPaginator
        page_token_option: { type: RequestOption, inject_into: request_parameter, field_name: offset }
        pagination_strategy: { type: OffsetIncrement, page_size: 3 }
    schema_loader: { type: InlineSchemaLoader, schema: { type: object } }
spec:
  type: Spec
  connection_specification:
    type: object
    required: [instance_api_url]
    properties:
      instance_api_url: { type: string }
      username: { type: string }
      password: { type: string, airbyte_secret: true }
      session_token: { type: string, airbyte_secret: true }
`;

let server: TestServer;
beforeAll(() => {
  server = serve(app);
});
afterAll(async () => {
  await server.stop();
});

async function read(config: Record<string, unknown>) {
  seen.length = 0;
  const secrets: string[] = [];
  const out: AirbyteMessage[] = [];
  const catalog = {
    streams: [
      {
        stream: { name: "card", json_schema: {}, supported_sync_modes: ["full_refresh"] },
        sync_mode: "full_refresh",
        destination_sync_mode: "overwrite",
      },
    ],
  } as Loose;
  const run = {
    command: "read" as const,
    config: { instance_api_url: "https://metabase.example.com/api/", ...config },
    catalog,
    signal: AbortSignal.timeout(10_000),
  };
  const deps = {
    hostMap: `https://metabase.example.com=${server.url}`,
    sleep: async () => {},
    onSecret: (v: string) => secrets.push(v),
  };
  for await (const m of runManifest(MANIFEST, "metabase-like", run, deps)) out.push(m);
  const records = out.filter((m) => m.type === "RECORD").map((m) => (m as Loose).record.data);
  const errors = out.filter((m) => m.type === "TRACE" && (m as Loose).trace.type === "ERROR");
  return { records, errors: errors.map((m) => (m as Loose).trace.error), secrets };
}

describe("LegacySessionTokenAuthenticator", () => {
  test("a live session token from the config is checked once, then sent on every request", async () => {
    checkStatus = 0;
    const { records, errors, secrets } = await read({ session_token: LIVE_SESSION });
    expect(errors).toEqual([]);
    expect(records).toEqual(CARDS);
    expect(seen.filter((r) => r.path === "/api/user/current")).toHaveLength(1);
    expect(seen.filter((r) => r.path === "/api/session")).toHaveLength(0);
    const pages = seen.filter((r) => r.path === "/api/card");
    expect(pages.length).toBe(3);
    for (const p of pages) expect(p.session).toBe(LIVE_SESSION);
    expect(secrets).toContain(LIVE_SESSION);
  });

  test("a session token the API refuses (401) falls back to logging in with username and password", async () => {
    checkStatus = 0;
    const { records, errors, secrets } = await read({
      session_token: "expired-session",
      username: USER,
      password: PASSWORD,
    });
    expect(errors).toEqual([]);
    expect(records).toEqual(CARDS);
    const logins = seen.filter((r) => r.path === "/api/session");
    expect(logins).toHaveLength(1);
    expect(JSON.parse(logins[0]?.body ?? "")).toEqual({ username: USER, password: PASSWORD });
    for (const p of seen.filter((r) => r.path === "/api/card")) expect(p.session).toBe(ISSUED);
    // The issued token is registered as a secret, so no log line or tool result can show it.
    expect(secrets).toContain(ISSUED);
  });

  test("no session token: logs in straight away, without a check", async () => {
    checkStatus = 0;
    const { records, errors } = await read({ username: USER, password: PASSWORD });
    expect(errors).toEqual([]);
    expect(records).toEqual(CARDS);
    expect(seen.filter((r) => r.path === "/api/user/current")).toHaveLength(0);
    expect(seen.filter((r) => r.path === "/api/session")).toHaveLength(1);
  });

  test("neither a valid session nor a username and password: the CDK's config error, before any page", async () => {
    checkStatus = 0;
    const { records, errors } = await read({ session_token: "expired-session" });
    expect(records).toEqual([]);
    expect(errors[0]).toMatchObject({
      message: "Invalid credentials: session token is not valid or provide username and password",
      failure_type: "config_error",
    });
    expect(seen.filter((r) => r.path === "/api/card")).toHaveLength(0);
  });

  test("a wrong password fails the stream with the login's 401, and no page is read", async () => {
    checkStatus = 0;
    const { records, errors } = await read({ username: USER, password: "wrong" });
    expect(records).toEqual([]);
    expect(errors[0]).toMatchObject({
      message: "HTTP Status Code: 401. Error: Unauthorized. Please ensure you are authenticated correctly.",
      failure_type: "config_error",
    });
    // The login body (the password) is in no message.
    expect(JSON.stringify(errors)).not.toContain(PASSWORD);
    expect(JSON.stringify(errors)).not.toContain('"wrong"');
    expect(seen.filter((r) => r.path === "/api/card")).toHaveLength(0);
  });

  test("a check that answers neither success nor 401 is an error naming the status, not a login", async () => {
    checkStatus = 403;
    const { records, errors } = await read({
      session_token: LIVE_SESSION,
      username: USER,
      password: PASSWORD,
    });
    checkStatus = 0;
    expect(records).toEqual([]);
    expect(errors[0]?.message).toContain("Error while validating session token");
    expect(errors[0]?.message).toContain("403");
    expect(seen.filter((r) => r.path === "/api/session")).toHaveLength(0);
  });
});

describe("a token request shared by concurrent requests", () => {
  function deferredLogin() {
    const calls: AbortSignal[] = [];
    let release: (body: unknown) => void = () => {};
    const http = {
      status: async () => 200,
      postJson: (_url: string, _body: unknown, signal: AbortSignal) => {
        calls.push(signal);
        return new Promise<unknown>((resolve, reject) => {
          release = resolve;
          signal.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError")), {
            once: true,
          });
        });
      },
    };
    return { http, calls, release: (body: unknown) => release(body) };
  }
  const settings = {
    apiUrl: "https://metabase.example.com/api/",
    header: "X-Metabase-Session",
    sessionToken: "",
    username: USER,
    password: PASSWORD,
    responseKey: "id",
    loginUrl: "session",
    validateUrl: "user/current",
  };

  test("one waiter giving up does not fail the others: the login goes on for them", async () => {
    const login = deferredLogin();
    const auth = new LegacySessionTokenAuthenticator(settings, login.http, () => {});
    const first = new AbortController();
    const second = new AbortController();
    const parts1 = new RequestParts();
    const parts2 = new RequestParts();
    const p1 = auth.apply(parts1, first.signal) as Promise<void>;
    const p2 = auth.apply(parts2, second.signal) as Promise<void>;
    first.abort();
    await expect(p1).rejects.toMatchObject({ name: "AbortError" });
    expect(login.calls).toHaveLength(1);
    expect(login.calls[0]?.aborted).toBe(false);
    login.release({ id: ISSUED });
    await p2;
    expect(parts2.headers["X-Metabase-Session"]).toBe(ISSUED);
    // The token is kept: the next request needs no login.
    const parts3 = new RequestParts();
    expect(auth.apply(parts3, new AbortController().signal)).toBeUndefined();
    expect(parts3.headers["X-Metabase-Session"]).toBe(ISSUED);
  });

  test("when every waiter gives up, the login itself is cancelled, and the next request starts a new one", async () => {
    const login = deferredLogin();
    const auth = new LegacySessionTokenAuthenticator(settings, login.http, () => {});
    const first = new AbortController();
    const second = new AbortController();
    const p1 = auth.apply(new RequestParts(), first.signal) as Promise<void>;
    const p2 = auth.apply(new RequestParts(), second.signal) as Promise<void>;
    const settled = Promise.allSettled([p1, p2]);
    first.abort();
    second.abort();
    for (const r of await settled) {
      expect(r.status).toBe("rejected");
      expect((r as PromiseRejectedResult).reason).toMatchObject({ name: "AbortError" });
    }
    expect(login.calls[0]?.aborted).toBe(true);
    const parts = new RequestParts();
    const p3 = auth.apply(parts, new AbortController().signal) as Promise<void>;
    expect(login.calls).toHaveLength(2);
    login.release({ id: ISSUED });
    await p3;
    expect(parts.headers["X-Metabase-Session"]).toBe(ISSUED);
  });
});
