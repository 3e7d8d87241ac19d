// OAuth and session tokens as the CDK keeps them, against a small provider that behaves like a
// real one: refresh tokens that work once (FreshBooks, Airtable), access tokens that expire, and
// an API that checks the bearer. Each test names the CDK code it follows.

import { afterEach, describe, expect, test } from "bun:test";
import type { AirbyteMessage } from "../../src/connectors/protocol.ts";
import { runManifest } from "../../src/declarative/source.ts";

type Json = Record<string, unknown>;

const servers: ReturnType<typeof Bun.serve>[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.stop(true);
});

/** A server answering with `fetch`; its host map sends https://api.example.com there. */
function serve(fetch: (req: Request) => Response | Promise<Response>): string {
  const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch });
  servers.push(server);
  return `https://api.example.com=http://127.0.0.1:${server.port}`;
}

/**
 * A provider: POST /oauth/token answers a refresh (each refresh token works once when `singleUse`,
 * and is replaced by a new one), and every other path is the API, which wants a live access token.
 */
function provider(
  options: {
    singleUse?: boolean;
    expiresIn?: number | null;
    tokenStatus?: number;
    /** Statuses the first token requests get before the provider answers them. */
    tokenFailures?: number[];
    /** The status the API answers instead of its records (a token it refuses). */
    apiStatus?: number;
    /** Pages of each stream (a `next` page number until the last). */
    pages?: number;
    /** Called for every API request (a test's clock moves here). */
    onApi?: () => void;
  } = {},
) {
  const live = new Set<string>();
  const refreshTokens = new Set(["RT0"]);
  const tokenRequests: Json[] = [];
  const api: { path: string; auth: string | null }[] = [];
  let issued = 0;
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(req) {
      const url = new URL(req.url);
      if (url.pathname === "/oauth/token") {
        const form = Object.fromEntries(new URLSearchParams(await req.text()));
        tokenRequests.push(form);
        if (options.tokenStatus)
          return Response.json({ error: "unavailable" }, { status: options.tokenStatus });
        const failure = options.tokenFailures?.shift();
        if (failure) return Response.json({ error: "slow down" }, { status: failure });
        const rt = String(form.refresh_token ?? "");
        if (!refreshTokens.has(rt)) return Response.json({ error: "invalid_grant" }, { status: 400 });
        if (options.singleUse) refreshTokens.delete(rt);
        issued++;
        const access = `AT${issued}`;
        live.add(access);
        const next = options.singleUse ? `RT${issued}` : rt;
        refreshTokens.add(next);
        const body: Json = { access_token: access, refresh_token: next };
        if (options.expiresIn !== null) body.expires_in = options.expiresIn ?? 3600;
        return Response.json(body);
      }
      const auth = req.headers.get("authorization");
      api.push({ path: url.pathname, auth });
      options.onApi?.();
      if (options.apiStatus) return Response.json({ message: "forbidden" }, { status: options.apiStatus });
      if (!auth || !live.has(auth.replace(/^Bearer /, "")))
        return Response.json({ message: "invalid token" }, { status: 401 });
      const page = Number(url.searchParams.get("page") ?? 1);
      const next = page < (options.pages ?? 1) ? page + 1 : null;
      return Response.json({ data: [{ id: `${url.pathname}${url.search}` }], next });
    },
  });
  servers.push(server);
  return { hostMap: `https://api.example.com=http://127.0.0.1:${server.port}`, tokenRequests, api, live };
}

const PAGINATOR = `
      paginator:
        type: DefaultPaginator
        page_token_option: { type: RequestOption, inject_into: request_parameter, field_name: page }
        pagination_strategy: { type: CursorPagination, cursor_value: "{{ response.next }}", stop_condition: "{{ not response.next }}" }`;

function manifest(streams: string[], authenticator: string, check = streams[0]): string {
  return `
version: 6.0.0
type: DeclarativeSource
check: { type: CheckStream, stream_names: [${check}] }
definitions:
  requester:
    type: HttpRequester
    url_base: https://api.example.com
    authenticator:
${authenticator}
streams:
${streams
  .map(
    (name) => `  - type: DeclarativeStream
    name: ${name}
    schema_loader: { type: InlineSchemaLoader, schema: { type: object } }
    retriever:
      type: SimpleRetriever
      requester: { $ref: "#/definitions/requester", path: /${name} }
      record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [data] } }${PAGINATOR}`,
  )
  .join("\n")}
spec: { type: Spec, connection_specification: { type: object } }
`;
}

const ROTATING = `      type: OAuthAuthenticator
      token_refresh_endpoint: https://api.example.com/oauth/token
      client_id: "{{ config['credentials']['client_id'] }}"
      client_secret: "{{ config['credentials']['client_secret'] }}"
      refresh_token: "{{ config['credentials']['refresh_token'] }}"
      refresh_token_updater: {}`;

const credentials = (extra: Json = {}) => ({
  credentials: { client_id: "CID", client_secret: "CSECRET", refresh_token: "RT0", ...extra },
});

async function run(
  text: string,
  hostMap: string,
  command: "read" | "check",
  config: Json,
  options: { now?: () => Date; streams?: string[] } = {},
): Promise<AirbyteMessage[]> {
  const out: AirbyteMessage[] = [];
  const catalog = {
    streams: (options.streams ?? []).map((name) => ({
      stream: { name, json_schema: {}, supported_sync_modes: ["full_refresh"] },
      sync_mode: "full_refresh",
      destination_sync_mode: "append",
    })),
  } as never;
  const r = { command, config, catalog, signal: AbortSignal.timeout(10_000) };
  const deps = { hostMap, sleep: async () => {}, ...(options.now ? { now: options.now } : {}) };
  for await (const m of runManifest(text, "tokens.yaml", r, deps)) out.push(m);
  return out;
}

const recordsOf = (ms: AirbyteMessage[]) => ms.flatMap((m) => (m.type === "RECORD" ? [m.record.data] : []));
const errorsOf = (ms: AirbyteMessage[]) =>
  ms.flatMap((m) => (m.type === "TRACE" && m.trace.type === "ERROR" ? [m.trace.error] : []));
const savedConfigs = (ms: AirbyteMessage[]) =>
  ms.flatMap((m) => (m.type === "CONTROL" ? [m.control.connectorConfig?.config as Json] : []));

describe("a single-use refresh token (refresh_token_updater)", () => {
  // DeclarativeSingleUseRefreshTokenOauth2Authenticator keeps the tokens in the one config dict all
  // requesters share: a refresh token is spent once for the whole sync, and every refresh is
  // reported (_emit_control_message) so the platform saves the new one.
  test("is spent once for every stream of the sync, and the new one is reported", async () => {
    const p = provider({ singleUse: true });
    const streams = ["a", "b", "c"];
    const ms = await run(manifest(streams, ROTATING), p.hostMap, "read", credentials(), { streams });
    expect(errorsOf(ms)).toEqual([]);
    expect(recordsOf(ms)).toEqual([{ id: "/a" }, { id: "/b" }, { id: "/c" }]);
    expect(p.tokenRequests.map((r) => r.refresh_token)).toEqual(["RT0"]);
    const saved = savedConfigs(ms);
    expect(saved).toHaveLength(1);
    expect(saved[0]?.credentials).toMatchObject({ refresh_token: "RT1", access_token: "AT1" });
    // The CONTROL goes out before the records it made possible.
    expect(ms.findIndex((m) => m.type === "CONTROL")).toBeLessThan(ms.findIndex((m) => m.type === "RECORD"));
  });

  test("a live access token saved with the config is used without a refresh", async () => {
    const p = provider({ singleUse: true });
    p.live.add("SAVED");
    const config = credentials({ access_token: "SAVED", token_expiry_date: "2999-01-01T00:00:00Z" });
    const ms = await run(manifest(["a"], ROTATING), p.hostMap, "read", config, { streams: ["a"] });
    expect(errorsOf(ms)).toEqual([]);
    expect(p.tokenRequests).toEqual([]);
    expect(p.api.map((r) => r.auth)).toEqual(["Bearer SAVED"]);
    // An expired one is refreshed, with the refresh token saved with it.
    const expired = credentials({ access_token: "SAVED", token_expiry_date: "2000-01-01T00:00:00Z" });
    await run(manifest(["a"], ROTATING), p.hostMap, "read", expired, { streams: ["a"] });
    expect(p.tokenRequests.map((r) => r.refresh_token)).toEqual(["RT0"]);
  });

  test("a rotation is reported by a check, and by a stream that fails after it", async () => {
    const p = provider({ singleUse: true });
    const checked = await run(manifest(["a"], ROTATING), p.hostMap, "check", credentials());
    expect(checked.map((m) => m.type)).toEqual(["CONTROL", "CONNECTION_STATUS"]);
    expect(savedConfigs(checked)[0]?.credentials).toMatchObject({ refresh_token: "RT1" });

    // The API refuses the new token: the stream fails, and the new refresh token is still saved.
    const q = provider({ singleUse: true, apiStatus: 403 });
    const failing = await run(manifest(["a"], ROTATING), q.hostMap, "read", credentials(), {
      streams: ["a"],
    });
    expect(errorsOf(failing).map((e) => e?.failure_type)).toEqual(["config_error", "config_error"]);
    expect(savedConfigs(failing).map((c) => (c.credentials as Json).refresh_token)).toEqual(["RT1"]);
    const types = failing.map((m) => (m.type === "TRACE" ? m.trace.type : m.type));
    expect(types.indexOf("CONTROL")).toBeLessThan(types.indexOf("ERROR"));
  });
});

describe("token lifetimes and refresh failures", () => {
  const PLAIN = `      type: OAuthAuthenticator
      token_refresh_endpoint: https://api.example.com/oauth/token
      client_id: CID
      client_secret: CSECRET
      refresh_token: RT0`;

  test("a token response without expires_in lives the CDK's default hour", async () => {
    // AbstractOauth2Authenticator._extract_token_expiry_date: no value, so now + 1 hour. Each API
    // request moves the clock on by 40 minutes: the third page finds the token expired.
    let now = Date.parse("2024-03-01T00:00:00Z");
    const p = provider({ expiresIn: null, pages: 3, onApi: () => (now += 40 * 60_000) });
    const ms = await run(
      manifest(["a"], PLAIN),
      p.hostMap,
      "read",
      {},
      { streams: ["a"], now: () => new Date(now) },
    );
    expect(errorsOf(ms)).toEqual([]);
    expect(recordsOf(ms)).toHaveLength(3);
    expect(p.api.map((r) => r.auth)).toEqual(["Bearer AT1", "Bearer AT1", "Bearer AT2"]);
  });

  test("a provider outage is a transient error; refused credentials are a config error", async () => {
    // _make_handled_request retries 429 and 5xx and raises them as transient; other 4xx re-raise.
    const down = provider({ tokenStatus: 503 });
    const outage = errorsOf(await run(manifest(["a"], PLAIN), down.hostMap, "read", {}, { streams: ["a"] }));
    expect(outage[0]?.failure_type).toBe("transient_error");
    expect(outage[0]?.message).toStartWith(
      "The OAuth token refresh failed: Exhausted available request attempts.",
    );
    expect(outage[0]?.message).not.toContain("client_secret");

    const refused = provider();
    const wrong = PLAIN.replace("refresh_token: RT0", "refresh_token: WRONG");
    const denied = errorsOf(
      await run(manifest(["a"], wrong), refused.hostMap, "read", {}, { streams: ["a"] }),
    );
    expect(denied[0]?.failure_type).toBe("config_error");
    expect(denied[0]?.message).toBe(
      "The OAuth token refresh failed: HTTP Status Code: 400. Error: Bad request. Please check your request parameters. Check client_id, client_secret and the refresh token in the config.",
    );
  });

  test("a rate-limited token request is retried, and reported as no stream's status", async () => {
    const p = provider({ tokenFailures: [429] });
    const ms = await run(manifest(["a"], PLAIN), p.hostMap, "read", {}, { streams: ["a"] });
    expect(errorsOf(ms)).toEqual([]);
    expect(p.tokenRequests).toHaveLength(2);
    const reasons = ms.flatMap((m) =>
      m.type === "TRACE" && m.trace.type === "STREAM_STATUS" && m.trace.stream_status?.reasons
        ? [m.trace.stream_status.stream_descriptor.name]
        : [],
    );
    expect(reasons).toEqual([]);
  });

  test("the refresh request: standard arguments win over refresh_request_body; refresh_token is always sent", async () => {
    // build_refresh_request_body: grant_type, client_id, client_secret, refresh_token, scopes, and
    // the custom fields only where no standard one has the name.
    const p = provider();
    const custom = `${PLAIN}
      grant_type: client_credentials
      refresh_request_body: { client_id: OTHER, audience: api }`;
    await run(manifest(["a"], custom), p.hostMap, "read", {}, { streams: ["a"] });
    expect(p.tokenRequests[0]).toEqual({
      grant_type: "client_credentials",
      client_id: "CID",
      client_secret: "CSECRET",
      refresh_token: "RT0",
      audience: "api",
    });
  });

  test("refresh_request_body: keys are interpolated too (an InterpolatedMapping in the CDK)", async () => {
    const p = provider();
    const custom = `${PLAIN}
      refresh_request_body: { "{{ config['audience_field'] }}": "{{ config['audience'] }}", plain: "1.50" }`;
    const ms = await run(
      manifest(["a"], custom),
      p.hostMap,
      "read",
      { audience_field: "aud", audience: "https://api.example.com" },
      { streams: ["a"] },
    );
    expect(errorsOf(ms)).toEqual([]);
    expect(p.tokenRequests[0]).toMatchObject({ aud: "https://api.example.com", plain: "1.5" });
    expect(Object.keys(p.tokenRequests[0] ?? {}).some((k) => k.includes("{{"))).toBe(false);
  });

  test("the access token is found wherever the response nests it", async () => {
    // _find_and_get_value_from_response: the key at any depth (up to 5).
    let calls = 0;
    const hostMap = serve((req) => {
      const path = new URL(req.url).pathname;
      if (path === "/oauth/token")
        return Response.json({ data: { token: { access_token: "DEEP", expires_in: 60 } } });
      calls++;
      return req.headers.get("authorization") === "Bearer DEEP"
        ? Response.json({ data: [{ id: 1 }] })
        : Response.json({}, { status: 401 });
    });
    const ms = await run(
      manifest(["a"], PLAIN),
      hostMap,
      "read",
      {},
      {
        streams: ["a"],
      },
    );
    expect(errorsOf(ms)).toEqual([]);
    expect(recordsOf(ms)).toEqual([{ id: 1 }]);
    expect(calls).toBe(1);
  });
});

describe("SessionTokenAuthenticator without expiration_duration", () => {
  // SessionTokenProvider._refresh_if_necessary: with no expiration, it logs in for every request.
  test("logs in again before every request", async () => {
    let logins = 0;
    const seen: string[] = [];
    const hostMap = serve((req) => {
      const url = new URL(req.url);
      if (url.pathname === "/login") return Response.json({ token: `S${logins++}` });
      seen.push(req.headers.get("authorization") ?? "");
      const page = Number(url.searchParams.get("page") ?? 1);
      return Response.json({ data: [{ id: page }], next: page < 3 ? page + 1 : null });
    });
    const session = `      type: SessionTokenAuthenticator
      login_requester:
        type: HttpRequester
        url_base: https://api.example.com
        path: /login
        http_method: POST
      session_token_path: [token]
      request_authentication: { type: Bearer }`;
    const text = manifest(["a"], session);
    const ms = await run(
      text,
      hostMap,
      "read",
      {},
      {
        streams: ["a"],
      },
    );
    expect(errorsOf(ms)).toEqual([]);
    expect(recordsOf(ms)).toHaveLength(3);
    expect(seen).toEqual(["Bearer S0", "Bearer S1", "Bearer S2"]);
  });
});

describe("SessionTokenAuthenticator as an API key", () => {
  // SessionTokenRequestApiKeyAuthenticator.api_token: a template of the value sent, with session_token.
  test("sends the value its api_token template makes of the token", async () => {
    const seen: (string | null)[] = [];
    const hostMap = serve((req) => {
      if (new URL(req.url).pathname === "/login") return Response.json({ token: "S0" });
      seen.push(req.headers.get("authorization"));
      return Response.json({ data: [{ id: 1 }] });
    });
    const session = `      type: SessionTokenAuthenticator
      login_requester: { type: HttpRequester, url_base: https://api.example.com, path: /login, http_method: POST }
      session_token_path: [token]
      expiration_duration: PT1H
      request_authentication:
        type: ApiKey
        inject_into: { type: RequestOption, inject_into: header, field_name: Authorization }
        api_token: "Token {{ session_token }}"`;
    const ms = await run(
      manifest(["a"], session),
      hostMap,
      "read",
      {},
      {
        streams: ["a"],
      },
    );
    expect(errorsOf(ms)).toEqual([]);
    expect(seen).toEqual(["Token S0"]);
  });
});

describe("SelectiveAuthenticator", () => {
  // SelectiveAuthenticator.__new__: one message for a missing path, another for an unknown key.
  const selective = `      type: SelectiveAuthenticator
      authenticator_selection_path: [credentials, auth_type]
      authenticators:
        token: { type: BearerAuthenticator, api_token: "{{ config['credentials']['token'] }}" }
        basic: { type: BasicHttpAuthenticator, username: "{{ config['credentials']['user'] }}" }`;

  test("says whether the path is missing or names no authenticator, and what to set", async () => {
    const p = provider();
    const missing = await run(
      manifest(["a"], selective),
      p.hostMap,
      "read",
      { credentials: {} },
      { streams: ["a"] },
    );
    expect(errorsOf(missing)[0]?.message).toBe(
      "The path from `authenticator_selection_path` is not found in the config. Set 'credentials.auth_type' to one of: token, basic.",
    );
    const unknown = await run(
      manifest(["a"], selective),
      p.hostMap,
      "read",
      { credentials: { auth_type: "oauth" } },
      {
        streams: ["a"],
      },
    );
    expect(errorsOf(unknown)[0]?.message).toBe(
      "The authenticator `oauth` is not found. Set 'credentials.auth_type' to one of: token, basic.",
    );
    expect(p.api).toEqual([]);
  });
});
