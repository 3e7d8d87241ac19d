// One request to the public or the Config API: JSON in and out, the bearer token, a timeout per try,
// retries (retry.ts says which), a new token after a 401, immediate cancellation, and errors that
// say what failed and what to do.

import type { z } from "zod";
import type { Logger } from "../../core/log.ts";
import { displayUrl } from "../../core/url.ts";
import {
  type AuthKind,
  bodyExcerpt,
  CloudApiError,
  type CloudResource,
  createdHint,
  describeProblem,
  hintFor,
  maskProblem,
  type Problem,
  ProblemSchema,
} from "./errors.ts";
import {
  backoffDelayMs,
  isRefusal,
  isTransientStatus,
  parseRetryAfter,
  type RetryPolicy,
  sleep,
} from "./retry.ts";
import type { CloudRoots } from "./roots.ts";

export type HttpMethod = "GET" | "POST" | "PATCH" | "PUT" | "DELETE";
export type QueryValue = string | number | boolean | readonly string[] | null | undefined;

export interface CallSpec {
  api: "public" | "config";
  method: HttpMethod;
  /** From the API root, starting with "/", ids already made path segments (segment()). */
  path: string;
  query?: Record<string, QueryValue>;
  body?: unknown;
  /**
   * "idempotent": repeating it cannot do harm; "create": it creates something, so it is repeated only
   * when the server provably did nothing.
   */
  safety: "idempotent" | "create";
  /** What the call does, as a verb phrase for messages: "get source 1234". */
  action: string;
  resource: CloudResource;
  id?: string;
  /** A 404 on a repeated DELETE means an earlier try deleted it: the call succeeded. */
  goneIsDone?: boolean;
  /** Send the bearer token (every call but the token request). */
  authenticated?: boolean;
}

export interface IssuedToken {
  value: string;
  /** Minted for this call (a 401 then means the credentials, not an old token). */
  fresh: boolean;
}

export interface Authenticator {
  readonly kind: AuthKind;
  /** The cached token, or a new one (one request in flight at a time, shared by all callers). */
  token(): Promise<IssuedToken>;
  /** Forgets `value` if it is still the cached token; false when there is no way to get another. */
  invalidate(value: string): boolean;
}

export interface TransportOptions {
  roots: CloudRoots;
  fetch: typeof fetch;
  timeoutMs: number;
  retry: RetryPolicy;
  log: Logger;
  userAgent: string;
  /**
   * Masks the secrets the client and the server know in any text it builds into an error or a log
   * line; API text is masked whole, before anything flattens or cuts it.
   */
  scrub: (text: string) => string;
  /** The authenticator, or the error explaining why there is none (looked up at each call). */
  auth: () => Authenticator | CloudApiError;
}

export interface Transport {
  call<S extends z.ZodType>(spec: CallSpec, schema: S, signal?: AbortSignal): Promise<z.output<S>>;
  call(spec: CallSpec, schema: null, signal?: AbortSignal): Promise<void>;
}

type Outcome =
  | { kind: "response"; response: Response; text: string }
  | { kind: "failure"; error: CloudApiError; neverSent: boolean; retry: boolean };

export function createTransport(options: TransportOptions): Transport {
  const { retry, log, scrub } = options;

  async function call(spec: CallSpec, schema: z.ZodType | null, signal?: AbortSignal): Promise<unknown> {
    const url = requestUrl(options.roots, spec);
    const where = `${spec.method} ${baseUrl(options.roots, spec)}${spec.path}`;
    const authenticated = spec.authenticated ?? true;
    let auth: Authenticator | null = null;
    if (authenticated) {
      const a = options.auth();
      if (a instanceof CloudApiError) throw a;
      auth = a;
    }
    const cancelled = (inFlight: boolean) =>
      new CloudApiError({
        kind: "cancelled",
        message: scrub(`Cancelled: ${spec.action} (${where}).`),
        hint:
          inFlight && spec.safety === "create"
            ? createdHint(spec.resource)
            : "Nothing more was sent; call again to retry.",
        method: spec.method,
        url: where,
      });

    let refreshed = false;
    for (let attempt = 1; ; attempt++) {
      if (signal?.aborted) throw cancelled(false);
      let token: IssuedToken | null = null;
      if (auth) token = await raceAbort(auth.token(), signal, () => cancelled(false));

      const started = performance.now();
      const outcome = await once(spec, url, where, token?.value ?? null, attempt, signal, cancelled);
      if (outcome.kind === "failure") {
        const mayRepeat = outcome.neverSent || spec.safety === "idempotent";
        if (outcome.retry && mayRepeat && attempt < retry.maxAttempts) {
          const wait = backoffDelayMs(retry, attempt);
          log.info(
            scrub(
              `Cloud API: ${where} failed (${outcome.error.message}); retry ${attempt + 1} of ${retry.maxAttempts}`,
            ),
            { waitMs: Math.round(wait) },
          );
          await sleep(wait, signal, () => cancelled(false));
          continue;
        }
        throw outcome.error;
      }

      const { response, text } = outcome;
      const status = response.status;
      log.debug(`Cloud API: ${where} → ${status}`, {
        attempt,
        ms: Math.round(performance.now() - started),
      });
      if (response.ok) return parseBody(spec, where, status, text, schema, scrub);

      if (status >= 300 && status < 400) throw redirectError(spec, where, response, scrub);
      const problem = parseProblem(text);
      if (status === 401 && auth && token && !token.fresh && !refreshed && auth.invalidate(token.value)) {
        // The cached token expired early or was revoked: one new token, one more try.
        refreshed = true;
        attempt--;
        continue;
      }
      if (status === 404 && spec.goneIsDone && attempt > 1) return undefined;

      const title = problem?.title;
      const repeatable =
        isRefusal(status, title) || (spec.safety === "idempotent" && isTransientStatus(status, title));
      const retryAfterMs = parseRetryAfter(response.headers.get("retry-after"));
      const tooLong = retryAfterMs !== null && retryAfterMs > retry.maxRetryAfterMs;
      if (repeatable && !tooLong && attempt < retry.maxAttempts) {
        const wait = retryAfterMs ?? backoffDelayMs(retry, attempt);
        log.info(`Cloud API: ${where} answered ${status}; retry ${attempt + 1} of ${retry.maxAttempts}`, {
          waitMs: Math.round(wait),
        });
        await sleep(wait, signal, () => cancelled(false));
        continue;
      }
      throw httpError(spec, where, status, problem, text, response, {
        attempts: attempt,
        auth: auth?.kind ?? null,
        retryAfterMs: repeatable ? retryAfterMs : null,
        scrub,
      });
    }
  }

  async function once(
    spec: CallSpec,
    url: string,
    where: string,
    token: string | null,
    attempt: number,
    signal: AbortSignal | undefined,
    cancelled: (inFlight: boolean) => CloudApiError,
  ): Promise<Outcome> {
    const timeout = AbortSignal.timeout(options.timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    const headers: Record<string, string> = {
      Accept: "application/json",
      "User-Agent": options.userAgent,
    };
    if (token !== null) headers.Authorization = `Bearer ${token}`;
    if (spec.body !== undefined) headers["Content-Type"] = "application/json";
    try {
      const response = await options.fetch(url, {
        method: spec.method,
        headers,
        body: spec.body === undefined ? undefined : JSON.stringify(spec.body),
        signal: combined,
        // A redirect would carry the token wherever it points: report it instead (call()).
        redirect: "manual",
      });
      const text = await response.text();
      return { kind: "response", response, text };
    } catch (error) {
      if (signal?.aborted) throw cancelled(true);
      const tries = attempt > 1 ? ` (try ${attempt})` : "";
      if (timeout.aborted) {
        const seconds = Number((options.timeoutMs / 1000).toFixed(3));
        return {
          kind: "failure",
          neverSent: false,
          retry: true,
          error: new CloudApiError({
            kind: "timeout",
            message: scrub(`Could not ${spec.action}: ${where} got no answer within ${seconds} s${tries}.`),
            hint:
              spec.safety === "create"
                ? createdHint(spec.resource)
                : "Airbyte's API is slow or unreachable; try again later, or raise AIRBYTE_HTTP_TIMEOUT.",
            method: spec.method,
            url: where,
            cause: error,
          }),
        };
      }
      const code = (error as { code?: unknown } | null)?.code;
      const reason = typeof code === "string" ? code : error instanceof Error ? error.message : String(error);
      const unknownHost = /ENOTFOUND/.test(reason);
      const neverSent = unknownHost || /ECONNREFUSED|ConnectionRefused|EAI_AGAIN/.test(reason);
      const hint = unknownHost
        ? "The API host name does not resolve: check AIRBYTE_CLOUD_API_URL (and AIRBYTE_CLOUD_CONFIG_API_URL)."
        : spec.safety === "create" && !neverSent
          ? createdHint(spec.resource)
          : "Check the network and AIRBYTE_CLOUD_API_URL, then try again.";
      return {
        kind: "failure",
        neverSent,
        retry: !unknownHost,
        error: new CloudApiError({
          kind: "network",
          message: scrub(`Could not ${spec.action}: ${where} failed (${reason})${tries}.`),
          hint,
          method: spec.method,
          url: where,
          cause: error,
        }),
      };
    }
  }

  return { call } as Transport;
}

function baseUrl(roots: CloudRoots, spec: CallSpec): string {
  if (spec.api === "public") return roots.apiUrl;
  if (roots.configApiUrl === null) {
    throw new CloudApiError({
      kind: "invalid-argument",
      message: `Could not ${spec.action}: it needs Airbyte's Config API, whose address cannot be derived from AIRBYTE_CLOUD_API_URL=${roots.apiUrl}.`,
      hint: "Set AIRBYTE_CLOUD_CONFIG_API_URL to the Config API root (for a self-managed install: https://<host>/api/v1) and restart.",
    });
  }
  return roots.configApiUrl;
}

function requestUrl(roots: CloudRoots, spec: CallSpec): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(spec.query ?? {})) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) {
      // The server's own next links join list parameters with commas (cloud-api.md §3).
      if (value.length > 0) params.set(name, value.join(","));
    } else {
      params.set(name, String(value));
    }
  }
  const query = params.toString();
  return `${baseUrl(roots, spec)}${spec.path}${query ? `?${query}` : ""}`;
}

function redirectError(
  spec: CallSpec,
  where: string,
  response: Response,
  scrub: (s: string) => string,
): CloudApiError {
  const location = response.headers.get("location");
  let to = "";
  try {
    if (location) to = ` to ${displayUrl(new URL(location, response.url || undefined).href)}`;
  } catch {
    // An unreadable Location says nothing useful.
  }
  return new CloudApiError({
    kind: "http",
    message: scrub(
      `Could not ${spec.action}: ${where} answered ${response.status} (a redirect${to}), which is not followed so that the token goes only to the configured API.`,
    ),
    hint: `Set ${spec.api === "config" ? "AIRBYTE_CLOUD_CONFIG_API_URL" : "AIRBYTE_CLOUD_API_URL"} to the final address (for example https:// rather than http://) and restart.`,
    method: spec.method,
    url: where,
    status: response.status,
  });
}

function parseProblem(text: string): Problem | null {
  if (text.trim() === "") return null;
  try {
    const parsed = ProblemSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

function parseBody(
  spec: CallSpec,
  where: string,
  status: number,
  text: string,
  schema: z.ZodType | null,
  scrub: (s: string) => string,
): unknown {
  if (schema === null) return undefined;
  const invalid = (why: string) =>
    new CloudApiError({
      kind: "invalid-response",
      message: scrub(`Could not ${spec.action}: ${where} answered ${status} with ${why}.`),
      hint: "This Airbyte deployment answers differently from the API airbyte-mcp was built for; please report this message.",
      method: spec.method,
      url: where,
      status,
    });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw invalid(text.trim() === "" ? "an empty body where JSON was expected" : "a body that is not JSON");
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .slice(0, 3)
      .map((i) => `${i.path.length > 0 ? i.path.join(".") : "body"}: ${i.message}`)
      .join("; ");
    throw invalid(`a body that does not match the documented shape (${issues})`);
  }
  return parsed.data;
}

function httpError(
  spec: CallSpec,
  where: string,
  status: number,
  problem: Problem | null,
  text: string,
  response: Response,
  ctx: { attempts: number; auth: AuthKind | null; retryAfterMs: number | null; scrub: (s: string) => string },
): CloudApiError {
  // Masked before describeProblem flattens and cuts it, and kept masked on the error.
  const masked = problem ? maskProblem(problem, ctx.scrub) : null;
  const said = describeProblem(
    status,
    masked,
    masked ? null : bodyExcerpt(text, response.headers.get("content-type"), ctx.scrub),
  );
  let hint = hintFor(status, problem, {
    action: spec.action,
    resource: spec.resource,
    id: spec.id,
    api: spec.api,
    auth: ctx.auth,
    attempts: ctx.attempts,
    mayHaveCreated: spec.safety === "create",
  });
  if (ctx.retryAfterMs !== null) {
    hint = `${hint} The API asked to wait ${Math.ceil(ctx.retryAfterMs / 1000)} s before retrying.`;
  }
  return new CloudApiError({
    kind: "http",
    message: ctx.scrub(`Could not ${spec.action}: ${where} answered ${said}.`),
    hint: ctx.scrub(hint),
    method: spec.method,
    url: where,
    status,
    problem: masked,
    retryAfterMs: ctx.retryAfterMs,
  });
}

/** `promise`, or `onAbort()` as soon as the signal aborts (the promise itself goes on for others). */
export function raceAbort<T>(
  promise: Promise<T>,
  signal: AbortSignal | undefined,
  onAbort: () => Error,
): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(onAbort());
  return new Promise<T>((resolve, reject) => {
    const stop = () => reject(onAbort());
    signal.addEventListener("abort", stop, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener("abort", stop);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener("abort", stop);
        reject(e);
      },
    );
  });
}

/** An id as one path segment: encoded, and never a dot segment that would climb the path. */
export function segment(value: string | number, what: CloudResource): string {
  const text = String(value);
  if (text.trim() === "" || /^(%2e|\.){1,2}$/i.test(text)) throw invalidId(text, what);
  return encodeURIComponent(text);
}

export function invalidId(text: string, what: CloudResource): CloudApiError {
  return new CloudApiError({
    kind: "invalid-argument",
    message: `'${text}' is not a valid ${what} id.`,
    hint: `Pass the ${what}'s id as Airbyte lists it (${what === "job" ? "a job id is a whole number" : "a UUID"}).`,
  });
}
