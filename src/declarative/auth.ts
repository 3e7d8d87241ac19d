// Authenticators: each adds its credentials to a request being built. OAuth and session tokens
// fetch a token first and keep it until it expires.

import { DeclarativeError } from "./errors.ts";
import { abortError } from "./http/abort.ts";
import { parseDatetime, parseIsoLike } from "./interpolation/datetime.ts";
import type { RequestOption, RequestParts } from "./request.ts";
import { dpathGet, type Obj, pyStr } from "./values.ts";

export interface Authenticator {
  /** Synchronous for static credentials (no await per page); a promise while a token is fetched. */
  apply(parts: RequestParts, signal: AbortSignal): Promise<void> | undefined;
  /** apply() adds the same credentials to every request, at once (no token that expires or is signed per request). */
  readonly fixed?: boolean;
}

export const NO_AUTH: Authenticator = { apply: () => undefined, fixed: true };

/**
 * One token request shared by every request waiting for it. It runs on a signal of its own, which
 * aborts only when every waiter has given up: a slice that stops early must not fail the others'
 * wait, while each waiter still stops waiting the moment its own signal aborts.
 */
class SharedFetch {
  private current: { done: Promise<void>; controller: AbortController; waiting: number } | null = null;

  wait(fetch: (signal: AbortSignal) => Promise<void>, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.reject(abortError(signal));
    let c = this.current;
    if (c === null) {
      const controller = new AbortController();
      const entry = { controller, waiting: 0, done: Promise.resolve() };
      entry.done = fetch(controller.signal).finally(() => {
        if (this.current === entry) this.current = null;
      });
      this.current = c = entry;
    }
    const shared = c;
    shared.waiting++;
    return new Promise<void>((resolve, reject) => {
      const leave = () => {
        signal.removeEventListener("abort", onAbort);
        shared.waiting--;
      };
      const onAbort = () => {
        leave();
        if (shared.waiting === 0) shared.controller.abort(signal.reason);
        reject(abortError(signal));
      };
      signal.addEventListener("abort", onAbort, { once: true });
      shared.done.then(
        () => {
          if (signal.aborted) return;
          leave();
          resolve();
        },
        (error: unknown) => {
          if (signal.aborted) return;
          leave();
          reject(error);
        },
      );
    });
  }
}

/** What a token request needs from the runner: a POST, with the runner's host map and retries. */
export type TokenPost = (
  url: string,
  /** A form body, the same fields in the query string, or a JSON body. */
  body: { form?: Obj; query?: Obj; json?: Obj },
  headers: Record<string, string>,
  signal: AbortSignal,
  /** What the request is, for logs and errors. */
  what?: string,
) => Promise<unknown>;

export class ApiKeyAuthenticator implements Authenticator {
  readonly fixed = true;
  constructor(
    private readonly token: string,
    private readonly option: RequestOption,
    private readonly ctx: Obj,
  ) {}
  apply(parts: RequestParts): undefined {
    parts.inject(this.option, this.token, this.ctx);
  }
}

export class HeaderTokenAuthenticator implements Authenticator {
  readonly fixed = true;
  constructor(private readonly headerValue: string) {}
  apply(parts: RequestParts): undefined {
    parts.headers.Authorization = this.headerValue;
  }
}

export function bearer(token: string): Authenticator {
  return new HeaderTokenAuthenticator(`Bearer ${token}`);
}

export function basic(username: string, password: string): Authenticator {
  return new HeaderTokenAuthenticator(`Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`);
}

/** The CDK's default lifetime of an access token whose response gives none (one hour). */
const DEFAULT_TOKEN_LIFETIME_MS = 3_600_000;

export interface OAuthSettings {
  endpoint: string;
  grantType: string;
  clientId: string;
  clientSecret: string;
  refreshToken: string | null;
  /** Field names of the refresh request (client_id_name, …). */
  names: { clientId: string; clientSecret: string; refreshToken: string; grantType: string };
  /** send_refresh_request_as_query_params. */
  asQuery: boolean;
  /** When the initial access token expires (token_expiry_date), in ms; null when unknown. */
  initialExpiry: number | null;
  /** refresh_token_updater: rotating refresh tokens are kept and reported after every refresh. */
  rotation: {
    field: string;
    onRotate: (refreshToken: string, accessToken: string, expiresAt: number) => void;
  } | null;
  scopes: string[] | null;
  extraBody: Obj;
  headers: Record<string, string>;
  accessTokenName: string;
  expiresInName: string;
  expiryDateFormat: string | null;
  /** A token already there (access_token_value, or the updater's stored token), used until it expires. */
  initialToken: string | null;
  now: () => Date;
  /** Tokens obtained at run time are handed here, to be masked in every output. */
  onSecret: (value: string) => void;
  /**
   * use_profile_assertion: the token request is the JWT bearer grant, its only fields the grant
   * type and this signed assertion (the profile_assertion authenticator's token).
   */
  assertion?: (() => string) | null;
}

export class OAuthAuthenticator implements Authenticator {
  private token: string | null;
  private expiresAt = 0;
  private readonly fetching = new SharedFetch();

  constructor(
    private readonly s: OAuthSettings,
    private readonly post: TokenPost,
  ) {
    this.s = { ...s };
    this.token = s.initialToken;
    // As the CDK: a token with no known expiry is refreshed at once when there is an endpoint to
    // refresh it from (its expiry defaults to a day ago), and used as it is when there is none.
    if (this.token) this.expiresAt = s.initialExpiry ?? (s.endpoint ? 0 : Number.POSITIVE_INFINITY);
  }

  apply(parts: RequestParts, signal: AbortSignal): Promise<void> | undefined {
    // token_has_expired: now > expiry, with no margin (at the same millisecond too: the CDK's
    // clock counts microseconds, so a token that lives 0 s has expired by the next request).
    if (!this.token || this.s.now().getTime() >= this.expiresAt) {
      return this.fetching.wait((s) => this.refresh(s), signal).then(() => this.applyToken(parts));
    }
    this.applyToken(parts);
  }

  private applyToken(parts: RequestParts): void {
    parts.headers.Authorization = `Bearer ${this.token}`;
  }

  /** build_refresh_request_body: the standard arguments, then the manifest's extra ones. */
  private refreshBody(): Obj {
    const n = this.s.names;
    if (this.s.assertion)
      return { [n.grantType]: "urn:ietf:params:oauth:grant-type:jwt-bearer", assertion: this.s.assertion() };
    const form: Obj = {
      [n.grantType]: this.s.grantType,
      [n.clientId]: this.s.clientId,
      [n.clientSecret]: this.s.clientSecret,
    };
    if (this.s.refreshToken !== null && this.s.refreshToken !== "")
      form[n.refreshToken] = this.s.refreshToken;
    if (this.s.scopes) form.scopes = this.s.scopes;
    // "We defer to existing oauth constructs over custom configured fields."
    for (const [k, v] of Object.entries(this.s.extraBody)) if (!(k in form)) form[k] = v;
    return form;
  }

  private async refresh(signal: AbortSignal): Promise<void> {
    const form = this.refreshBody();
    let body: unknown;
    try {
      body = await this.post(
        this.s.endpoint,
        this.s.asQuery ? { query: form } : { form },
        this.s.headers,
        signal,
      );
    } catch (error) {
      if ((error as { name?: string }).name === "AbortError") throw error;
      throw refreshFailure(error);
    }
    const token = findValue(body, this.s.accessTokenName);
    if (typeof token !== "string" || token === "") {
      throw new DeclarativeError(
        `The OAuth token endpoint answered without '${this.s.accessTokenName}'. Check the credentials in the config.`,
        "config_error",
      );
    }
    this.s.onSecret(token);
    this.token = token;
    this.expiresAt = this.expiry(findValue(body, this.s.expiresInName));
    const rotation = this.s.rotation;
    if (rotation) {
      const next = findValue(body, rotation.field);
      if (typeof next === "string" && next !== "") {
        this.s.onSecret(next);
        this.s.refreshToken = next;
      }
      // SingleUseRefreshTokenOauth2Authenticator reports the config after every refresh.
      rotation.onRotate(this.s.refreshToken ?? "", token, this.expiresAt);
    }
  }

  /** _extract_token_expiry_date: seconds to live, or a date in token_expiry_date_format. */
  private expiry(value: unknown): number {
    const now = this.s.now().getTime();
    if (value === undefined || value === null || value === "") {
      // No lifetime given: the current expiry while it holds, else the CDK's default hour.
      return this.expiresAt > now ? this.expiresAt : now + DEFAULT_TOKEN_LIFETIME_MS;
    }
    if (this.s.expiryDateFormat) {
      const at = parseDatetime(pyStr(value), this.s.expiryDateFormat) ?? parseIsoLike(pyStr(value));
      if (at) return at.timestamp() * 1000;
    }
    const seconds = typeof value === "number" || typeof value === "string" ? Number(value) : Number.NaN;
    if (!Number.isFinite(seconds)) {
      throw new DeclarativeError(
        `Invalid ${this.s.expiresInName} value: ${pyStr(value)}. Expected a number of seconds${this.s.expiryDateFormat ? ` or a date in the format ${this.s.expiryDateFormat}` : ""}.`,
        "system_error",
      );
    }
    return now + seconds * 1000;
  }
}

/**
 * A failed token refresh: a 4xx (but a 429) says the credentials are wrong; anything else (a 429,
 * a 5xx, the network) keeps the request's own failure type, as the CDK does not turn those into a
 * config error.
 */
function refreshFailure(error: unknown): DeclarativeError {
  const status = (error as { status?: unknown }).status;
  const message = (error as Error).message ?? String(error);
  if (typeof status === "number" && status >= 400 && status < 500 && status !== 429) {
    return new DeclarativeError(
      `The OAuth token refresh failed: ${message.replace(/\.?$/, ".")} Check client_id, client_secret and the refresh token in the config.`,
      "config_error",
    );
  }
  const type = (error as { failureType?: unknown }).failureType;
  return new DeclarativeError(
    `The OAuth token refresh failed: ${message}`,
    type === "transient_error" || type === "config_error" ? type : "system_error",
  );
}

/**
 * _find_and_get_value_from_response: the first value under `key` at any depth (up to 5), objects
 * before their children and lists in order. A dotted name that no key spells out is also read as
 * a path, as earlier versions of this runner did.
 */
export function findValue(body: unknown, key: string, depth = 0): unknown {
  if (depth > 5) return undefined;
  if (Array.isArray(body)) {
    for (const item of body) {
      const v = findValue(item, key, depth + 1);
      if (v !== undefined && v !== null) return v;
    }
  } else if (body !== null && typeof body === "object") {
    const o = body as Obj;
    if (Object.hasOwn(o, key)) return o[key];
    for (const value of Object.values(o)) {
      const v = findValue(value, key, depth + 1);
      if (v !== undefined && v !== null) return v;
    }
  }
  return depth === 0 && key.includes(".") ? dpathGet(body, key.split(".")) : undefined;
}

/** SessionTokenAuthenticator: logs in with its own requester, then sends the token as an API key or bearer. */
export class SessionTokenAuthenticator implements Authenticator {
  private token: string | null = null;
  private expiresAt = 0;
  private readonly fetching = new SharedFetch();

  constructor(
    private readonly login: (signal: AbortSignal) => Promise<unknown>,
    private readonly tokenPath: string[],
    /** expiration_duration; without one, the CDK logs in again before every request. */
    private readonly expirationMs: number | null,
    private readonly use:
      | { kind: "bearer" }
      | {
          kind: "api_key";
          option: RequestOption;
          ctx: Obj;
          /** api_token ("Token {{ session_token }}"): the value sent for a token. */
          value: (token: string) => string;
        },
    private readonly now: () => Date,
    private readonly onSecret: (value: string) => void,
  ) {}

  apply(parts: RequestParts, signal: AbortSignal): Promise<void> | undefined {
    if (!this.token || this.expirationMs === null || this.now().getTime() >= this.expiresAt) {
      // Requests that start while a login runs share it; without an expiration each request
      // after it logs in again.
      return this.fetching.wait((s) => this.fetch(s), signal).then(() => this.applyToken(parts));
    }
    this.applyToken(parts);
  }

  private applyToken(parts: RequestParts): void {
    if (this.use.kind === "bearer") parts.headers.Authorization = `Bearer ${this.token}`;
    else parts.inject(this.use.option, this.use.value(this.token as string), this.use.ctx);
  }

  private async fetch(signal: AbortSignal): Promise<void> {
    const body = await this.login(signal);
    const token = dpathGet(body, this.tokenPath);
    if (token === undefined || token === null || token === "") {
      throw new DeclarativeError(
        `The login response has no session token at '${this.tokenPath.join(".")}'. Check the credentials in the config.`,
        "config_error",
      );
    }
    this.token = pyStr(token);
    this.onSecret(this.token);
    this.expiresAt =
      this.expirationMs === null ? Number.POSITIVE_INFINITY : this.now().getTime() + this.expirationMs;
  }
}

/** The calls LegacySessionTokenAuthenticator makes through the runner's client (host map, retries). */
export interface LegacySessionHttp {
  /** A GET's status: a 4xx is an answer here, not a failure. */
  status(url: string, headers: Record<string, string>, signal: AbortSignal): Promise<number>;
  /** A JSON POST's decoded answer. */
  postJson(url: string, body: Obj, signal: AbortSignal): Promise<unknown>;
}

export interface LegacySessionSettings {
  /** The requester's url_base, which login_url and validate_session_url are appended to as text. */
  apiUrl: string;
  header: string;
  /** From the config; empty when the user logs in with username and password instead. */
  sessionToken: string;
  username: string;
  password: string;
  responseKey: string;
  loginUrl: string;
  validateUrl: string;
}

/**
 * LegacySessionTokenAuthenticator (deprecated in the CDK, still used by source-metabase): the
 * config's session token when the API accepts it (its validate_session_url answers other than 401),
 * else a token from logging in with username and password (a JSON POST to login_url); sent as is in
 * `header`. The CDK validates the configured token before every request and caches the login; here
 * the token, either way, is settled at the first request and kept for the run.
 */
export class LegacySessionTokenAuthenticator implements Authenticator {
  private token: string | null = null;
  private readonly fetching = new SharedFetch();

  constructor(
    private readonly s: LegacySessionSettings,
    private readonly http: LegacySessionHttp,
    private readonly onSecret: (value: string) => void,
  ) {}

  apply(parts: RequestParts, signal: AbortSignal): Promise<void> | undefined {
    if (this.token === null) {
      return this.fetching.wait((s) => this.settle(s), signal).then(() => this.applyToken(parts));
    }
    this.applyToken(parts);
  }

  private applyToken(parts: RequestParts): void {
    parts.headers[this.s.header] = this.token as string;
  }

  private async settle(signal: AbortSignal): Promise<void> {
    const s = this.s;
    if (s.sessionToken) {
      this.onSecret(s.sessionToken);
      const url = `${s.apiUrl}${s.validateUrl}`;
      const status = await this.http.status(url, { [s.header]: s.sessionToken }, signal);
      if (status < 400) {
        this.token = s.sessionToken;
        return;
      }
      if (status !== 401) {
        throw new DeclarativeError(
          `Error while validating session token: GET ${url} answered ${status}. Check the API URL in the config.`,
          "system_error",
        );
      }
    }
    if (s.username && s.password) {
      const body = await this.http.postJson(
        `${s.apiUrl}${s.loginUrl}`,
        { username: s.username, password: s.password },
        signal,
      );
      const token = body !== null && typeof body === "object" ? (body as Obj)[s.responseKey] : undefined;
      if (token === undefined || token === null) {
        throw new DeclarativeError(
          `The login response has no session token at '${s.responseKey}'. Check the username and password in the config.`,
          "config_error",
        );
      }
      this.token = pyStr(token);
      this.onSecret(this.token);
      return;
    }
    throw new DeclarativeError(
      "Invalid credentials: session token is not valid or provide username and password",
      "config_error",
    );
  }
}

/** SelectiveAuthenticator: the config value at a path picks one of several authenticators. */
export function selectAuthenticator(
  config: Obj,
  path: string[],
  choices: Record<string, () => Authenticator>,
): Authenticator {
  const value = dpathGet(config, path);
  const options = Object.keys(choices).join(", ");
  // The CDK's two messages (SelectiveAuthenticator.__new__), each with what to set.
  if (value === undefined) {
    throw new DeclarativeError(
      `The path from \`authenticator_selection_path\` is not found in the config. Set '${path.join(".")}' to one of: ${options}.`,
      "config_error",
    );
  }
  const key = typeof value === "string" ? value : pyStr(value);
  const make = Object.hasOwn(choices, key) ? choices[key] : undefined;
  if (!make) {
    throw new DeclarativeError(
      `The authenticator \`${key}\` is not found. Set '${path.join(".")}' to one of: ${options}.`,
      "config_error",
    );
  }
  return make();
}
