// What every fake API behind a fixture manifest shares: routes that log what they served, fault
// injection (a 429 with Retry-After, a 500, once each, on a named route), credential parsing, the
// OAuth refresh-token grant, opaque page tokens and Link headers, and a real server on 127.0.0.1.
// Tests derive their expected records from `served(stream)`, never from typed-in copies.

import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { type Context, Hono } from "hono";

type Json = Record<string, unknown>;

/** One answer of a route: a JSON body (a string goes out as text, bytes as they are), and the records it carries. */
export interface Reply {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Records this reply carries, logged as served for the route's stream. */
  records?: Json[];
}

export interface LoggedRequest {
  route: string;
  stream: string | null;
  method: string;
  path: string;
  /** Every query pair in order, duplicates kept (so a test can see a parameter sent twice). */
  query: [string, string][];
  authorization: string | null;
  status: number;
  records: Json[];
  /** The fault answered instead of the route, if any. */
  fault: Fault | null;
}

export type Fault = { status: 429; retryAfter: number } | { status: 500 | 502 | 503 };

/**
 * Faults answered instead of a route's reply, on its next hits (after `afterHits` normal ones), in
 * order. A fault is answered before any credential check, as a gateway would.
 */
export class Faults {
  private plans = new Map<string, { skip: number; queue: Fault[] }>();

  inject(route: string, faults: Fault[], afterHits = 0): void {
    this.plans.set(route, { skip: afterHits, queue: [...faults] });
  }

  /** The fault for this hit of `route`, if one is due. */
  take(route: string): Fault | null {
    const plan = this.plans.get(route);
    if (!plan) return null;
    if (plan.skip > 0) {
      plan.skip--;
      return null;
    }
    return plan.queue.shift() ?? null;
  }
}

function faultReply(fault: Fault): Response {
  if (fault.status === 429) {
    return Response.json(
      { errors: [{ message: "Too many requests: slow down" }] },
      { status: 429, headers: { "Retry-After": String(fault.retryAfter) } },
    );
  }
  return Response.json({ error: "Internal Server Error" }, { status: fault.status });
}

function toResponse(reply: Reply): Response {
  const status = reply.status ?? 200;
  const headers = new Headers(reply.headers);
  if (typeof reply.body === "string") {
    if (!headers.has("content-type")) headers.set("content-type", "text/plain; charset=utf-8");
    return new Response(reply.body, { status, headers });
  }
  if (reply.body instanceof Uint8Array) return new Response(reply.body, { status, headers });
  if (reply.body === undefined) return new Response(null, { status, headers });
  headers.set("content-type", "application/json; charset=utf-8");
  return new Response(JSON.stringify(reply.body), { status, headers });
}

export type RouteHandler = (c: Context) => Reply | Promise<Reply>;

/** A hono app whose routes log every request with the records they served. */
export class FakeApi {
  readonly app = new Hono<{ Bindings: FakeBindings }>();
  /** The API reads a body sent with a GET (as some real ones do): served by node:http, see serve(). */
  readsGetBodies = false;
  readonly log: LoggedRequest[] = [];
  readonly faults = new Faults();

  /**
   * Registers a route; `route` names it for faults and the log, `stream` labels the records it serves
   * (a function when one path serves several streams).
   */
  route(
    method: "GET" | "POST",
    path: string,
    route: string,
    handler: RouteHandler,
    stream: string | null | ((c: Context) => string | null) = null,
  ): void {
    this.app.on(method, path, async (c) => {
      const url = new URL(c.req.url);
      const entry: LoggedRequest = {
        route,
        stream: typeof stream === "function" ? stream(c) : stream,
        method,
        path: url.pathname,
        query: [...url.searchParams.entries()],
        authorization: c.req.header("authorization") ?? null,
        status: 0,
        records: [],
        fault: null,
      };
      this.log.push(entry);
      const fault = this.faults.take(route);
      if (fault) {
        entry.fault = fault;
        entry.status = fault.status;
        return faultReply(fault);
      }
      const reply = await handler(c);
      entry.status = reply.status ?? 200;
      if (entry.status < 300) entry.records = reply.records ?? [];
      return toResponse(reply);
    });
  }

  /** Records served for `stream` by successful replies, in the order they were served. */
  served(stream: string): Json[] {
    return this.log.filter((e) => e.stream === stream && e.status < 300).flatMap((e) => e.records);
  }

  /** Requests that reached `route` (faulted ones included). */
  requests(route: string): LoggedRequest[] {
    return this.log.filter((e) => e.route === route);
  }

  clearLog(): void {
    this.log.length = 0;
  }
}

export interface Running {
  /** http://127.0.0.1:<port> */
  url: string;
  stop(): Promise<void>;
}

/** What a route sees besides the request: the body of a GET, which a fetch-API Request cannot hold. */
export interface FakeBindings {
  getBody?: string;
}

/** The body of a request; for a GET or HEAD, the one that came over the wire (see serve()). */
export async function bodyText(c: Context<{ Bindings: FakeBindings }>): Promise<string> {
  if (c.req.method === "GET" || c.req.method === "HEAD") return c.env?.getBody ?? "";
  return c.req.text().catch(() => "");
}

/**
 * Serves an app on an ephemeral port of 127.0.0.1. Bun.serve (like any fetch-API server) drops
 * the body of a GET, so an API that reads one is served by node:http, handing the body on beside
 * the request.
 */
export function serve(app: Hono<{ Bindings: FakeBindings }>, options: { getBodies?: boolean } = {}): Running {
  if (!options.getBodies) {
    const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: (req) => app.fetch(req, {}) });
    return { url: `http://127.0.0.1:${server.port}`, stop: () => server.stop(true) };
  }
  let origin = "";
  const server = createServer(async (req, res) => {
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const body = Buffer.concat(chunks);
      const method = req.method ?? "GET";
      const headers = new Headers();
      for (const [k, v] of Object.entries(req.headers))
        if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(", ") : v);
      const bodyless = method === "GET" || method === "HEAD";
      const request = new Request(`${origin}${req.url}`, {
        method,
        headers,
        ...(bodyless || body.length === 0 ? {} : { body }),
      });
      const response = await app.fetch(request, bodyless ? { getBody: body.toString("utf8") } : {});
      const out = Buffer.from(await response.arrayBuffer());
      res.statusCode = response.status;
      for (const [k, v] of response.headers) if (k !== "set-cookie") res.setHeader(k, v);
      const cookies = response.headers.getSetCookie();
      if (cookies.length > 0) res.setHeader("set-cookie", cookies);
      res.end(out);
    } catch (error) {
      // A client gone mid-request, or a body that failed: answer if still possible, never throw.
      if (!res.headersSent) {
        res.statusCode = 500;
        res.end(String(error));
      } else res.destroy(error as Error);
    }
  });
  server.listen(0, "127.0.0.1");
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: origin,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** AIRBYTE_HTTP_HOST_MAP text sending each real origin to the local server. */
export function hostMap(origins: string[], local: string): string {
  return origins.map((o) => `${o}=${local}`).join(",");
}

// ---- credentials ----

export function bearerToken(c: Context): string | null {
  const m = /^Bearer\s+(.+)$/i.exec(c.req.header("authorization") ?? "");
  return m?.[1]?.trim() ?? null;
}

export function basicCredentials(c: Context): { user: string; password: string } | null {
  const m = /^Basic\s+(.+)$/i.exec(c.req.header("authorization") ?? "");
  if (!m?.[1]) return null;
  const text = Buffer.from(m[1], "base64").toString("utf8");
  const colon = text.indexOf(":");
  if (colon < 0) return null;
  return { user: text.slice(0, colon), password: text.slice(colon + 1) };
}

/** Parameters of a token request, from a form, a JSON body, or the query string, merged. */
export async function tokenRequestParams(c: Context): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  const add = (k: string, v: unknown) => {
    const list = out[k] ?? [];
    out[k] = list;
    if (Array.isArray(v)) list.push(...v.map(String));
    else list.push(String(v));
  };
  for (const [k, v] of new URL(c.req.url).searchParams) add(k, v);
  const type = c.req.header("content-type") ?? "";
  const text = await c.req.text();
  if (type.includes("application/json") && text) {
    for (const [k, v] of Object.entries(JSON.parse(text) as Json)) add(k, v);
  } else if (text) {
    for (const [k, v] of new URLSearchParams(text)) add(k, v);
  }
  return out;
}

export interface OAuthOptions {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  /** Lifetime announced to the client, in seconds. */
  lifetimeSeconds: number;
  /** Field of the token response holding the lifetime: seconds (`expires_in`) or an epoch (`expires_at`). */
  expiryField: "expires_in" | "expires_at";
  /** The server accepts a token this long past its announced expiry (clock skew). */
  graceSeconds?: number;
  /** Parameters the real endpoint insists on besides the client and the refresh token. */
  required: Record<string, string>;
  /** Token-endpoint error bodies of the real API. */
  invalidClient: Reply;
  invalidGrant: Reply;
}

/** The refresh-token grant: issues numbered access tokens, remembers each request, checks tokens. */
export class OAuthServer {
  readonly tokenRequests: Record<string, string[]>[] = [];
  private issued = new Map<string, number>();
  private counter = 0;

  constructor(
    readonly opts: OAuthOptions,
    private readonly clock: () => number = Date.now,
  ) {}

  async handle(c: Context): Promise<Reply> {
    const p = await tokenRequestParams(c);
    this.tokenRequests.push(p);
    const one = (k: string) => p[k]?.[0];
    if (one("client_id") !== this.opts.clientId || one("client_secret") !== this.opts.clientSecret)
      return this.opts.invalidClient;
    if (one("refresh_token") !== this.opts.refreshToken) return this.opts.invalidGrant;
    for (const [k, v] of Object.entries(this.opts.required)) if (one(k) !== v) return this.opts.invalidGrant;
    this.counter++;
    const token = `access-${this.counter}-${this.opts.clientId.slice(0, 4)}`;
    const now = this.clock();
    const expiresAt = now + this.opts.lifetimeSeconds * 1000;
    this.issued.set(token, expiresAt);
    const lifetime =
      this.opts.expiryField === "expires_in"
        ? { expires_in: this.opts.lifetimeSeconds }
        : { expires_at: Math.floor(expiresAt / 1000), expires_in: this.opts.lifetimeSeconds };
    return {
      body: { token_type: "Bearer", access_token: token, refresh_token: this.opts.refreshToken, ...lifetime },
    };
  }

  /** "ok", "expired" (past expiry plus grace) or "unknown" for a bearer token. */
  check(token: string | null): "ok" | "expired" | "unknown" {
    if (!token) return "unknown";
    const expiresAt = this.issued.get(token);
    if (expiresAt === undefined) return "unknown";
    return this.clock() > expiresAt + (this.opts.graceSeconds ?? 60) * 1000 ? "expired" : "ok";
  }

  get tokensIssued(): number {
    return this.counter;
  }
}

// ---- pagination ----

/** An opaque page token for `offset` (what cursor-paginated APIs hand out). */
export function pageToken(prefix: string, offset: number): string {
  return `${prefix}${Buffer.from(JSON.stringify({ o: offset })).toString("base64url")}`;
}

/** The offset in a token made by pageToken, or null when it is not one. */
export function readPageToken(prefix: string, token: string): number | null {
  if (!token.startsWith(prefix)) return null;
  try {
    const o = (JSON.parse(Buffer.from(token.slice(prefix.length), "base64url").toString()) as { o?: unknown })
      .o;
    return typeof o === "number" && Number.isInteger(o) && o >= 0 ? o : null;
  } catch {
    return null;
  }
}

/** An RFC 8288 Link header with a next relation. */
export function linkNext(url: string): Record<string, string> {
  return { Link: `<${url}>; rel="next"` };
}

/** A positive integer query parameter, its default when absent, or null when malformed. */
export function intParam(c: Context, name: string, fallback: number): number | null {
  const v = c.req.query(name);
  if (v === undefined) return fallback;
  return /^\d+$/.test(v) ? Number(v) : null;
}
