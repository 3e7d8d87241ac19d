// Sends a manifest's requests the way the CDK's HttpClient does (airbyte_cdk/sources/streams/http/
// http_client.py and rate_limiting.py): each outcome is judged by the stream's error handler, and
// retryable ones are retried after a backoff, within max_retries and max_time. Plus what a runner
// needs around it: the host map, a per-attempt timeout, a cap on requests in flight, cancellation.
//
// Retry rules (the CDK's three nested backoff decorators, as one loop):
// - a backoff strategy that answers (non-zero) → wait its answer + 1 second; counts toward max_retries
//   and max_time;
// - else RATE_LIMITED → wait 1, 2, 4, 8... seconds; counts toward max_retries but not max_time;
// - else RETRY (and REFRESH_TOKEN_THEN_RETRY) → wait 1, 2, 4, 8... seconds, cut to what is left of
//   max_time; counts toward both.
// max_retries counts per kind, as the CDK's decorators do: a default retry calls the rate-limit and
// strategy ones afresh (their counts, waits and max_time start over), and a rate-limit retry the
// strategy's. max_time is measured to the start of the attempt that failed, as `backoff` does.
// Unlike the CDK, a server's Retry-After is waited for when no strategy is configured.
// Never logged: request headers and bodies, response bodies, query strings (they carry credentials).

import { ToolError } from "../../core/errors.ts";
import { parseJson } from "../../core/json.ts";
import { displayUrl } from "../../core/url.ts";
import { sleep as abortableSleep, abortError, isAbortError } from "./abort.ts";
import { WaitTooLongError } from "./backoff.ts";
import { fetchWithBody } from "./body-on-get.ts";
import type { ApiBudget } from "./budget.ts";
import { Semaphore } from "./concurrency.ts";
import { clip } from "./default-error-mapping.ts";
import type {
  ErrorHandler,
  ErrorResolution,
  FailureType,
  HttpOutcome,
  HttpResponseView,
} from "./error-handler.ts";
import { parseResponseErrorMessage } from "./error-message.ts";
import type { HostMap } from "./host-map.ts";

export interface HttpLog {
  debug(message: string): void;
  info?(message: string): void;
  warn?(message: string): void;
}

export interface HttpClientOptions {
  hostMap: HostMap;
  /** Requests in flight at once across every stream using this client; more wait for a slot. */
  maxConcurrency: number;
  /** Time allowed for one attempt (connect, redirects, whole body); a timeout is retried like a network error. */
  timeoutMs: number;
  /** Waits between attempts; injectable so tests need not wait. Must reject with an AbortError on abort. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  log: HttpLog;
  /** Called when a response is RATE_LIMITED (the CDK then emits a RUNNING stream status with reason RATE_LIMITED). */
  onRateLimited?: (describe: string | undefined) => void;
  /** The manifest's api_budget: each attempt waits for a call from it; each response updates it. */
  budget?: ApiBudget | null;
}

export interface HttpRequest {
  method: string;
  /** The URL as the manifest builds it; the host map applies when sending. */
  url: string;
  headers: Record<string, string>;
  body?: string | undefined;
  /** Keep the body's bytes (a gzip, zip or CSV decoder reads them); the text is decoded on demand. */
  binary?: boolean;
  /**
   * Leave a 2xx body unread, for the caller to read as it arrives (`HttpResult.body`); an error
   * status is read as usual. The attempt's timeout covers the headers only.
   */
  stream?: boolean;
  /**
   * The decoder reads the body as the CDK streams it: a 2xx body is not read by the error
   * handler's predicates (see HttpResponseView.streamed).
   */
  streamed?: boolean;
  /**
   * Authentication headers, asked for before every attempt and merged over `headers`, so a token that
   * expires during retries is renewed (the CDK re-applies its authenticator on each retry).
   * `forceRefresh` is true after a REFRESH_TOKEN_THEN_RETRY resolution.
   */
  authenticate?: (options: { forceRefresh: boolean; signal: AbortSignal }) => Promise<Record<string, string>>;
}

export interface HttpResult {
  status: number;
  headers: Headers;
  text: string;
  /** The body's bytes, kept when the request asked for them (`binary`). */
  bytes?: Uint8Array;
  /** A 2xx body left unread (`stream`); `text` and `json()` then see an empty body. */
  body?: ReadableStream<Uint8Array> | null;
  /** The body as JSON, parsed once on first use; throws a ResponseNotJsonError when it is not JSON. */
  json(): unknown;
  /** The error handler said IGNORE: the caller should treat the response as carrying no data. */
  ignored: boolean;
  /** The URL that answered, in the caller's terms (before host mapping; after redirects). */
  url: string;
}

const HINTS: Record<FailureType, string> = {
  config_error:
    "Check the connector configuration: the credentials, their permissions, and the account settings the API depends on.",
  transient_error:
    "The API is unavailable or limiting the request rate: try again later, or lower the concurrency.",
  system_error:
    "The request does not suit the API: check the manifest's request (path, parameters, method) and its error handler against the API's documentation, and the config values they use.",
};

/** A request that failed for good: the handler said FAIL, or the retries ran out. */
export class HttpRequestError extends ToolError {
  readonly failureType: FailureType;
  /** The last response's status; null when the last attempt got no response. */
  readonly status: number | null;
  /** The request URL without credentials; its query, which may hold an API key, only as "?…". */
  readonly url: string;
  readonly method: string;
  readonly attempts: number;
  /** The detailed account, for logs (the CDK's internal_message). */
  readonly internalMessage: string;
  readonly describe: string | undefined;

  constructor(init: {
    message: string;
    internalMessage: string;
    failureType: FailureType;
    status: number | null;
    url: string;
    method: string;
    attempts: number;
    describe?: string | undefined;
    cause?: unknown;
    /** What to do next, when the failure type's usual advice does not fit. */
    hint?: string;
  }) {
    super(init.message, { hint: init.hint ?? HINTS[init.failureType], cause: init.cause });
    this.name = "HttpRequestError";
    this.failureType = init.failureType;
    this.status = init.status;
    this.url = displayUrl(init.url);
    this.method = init.method;
    this.attempts = init.attempts;
    this.internalMessage = init.internalMessage;
    this.describe = init.describe;
  }
}

/** The body of a response the caller expected to be JSON is not JSON. */
export class ResponseNotJsonError extends ToolError {
  constructor(
    readonly url: string,
    readonly status: number,
    contentType: string | null,
    reason: string,
  ) {
    super(
      `The response to ${displayUrl(url)} (HTTP ${status}${contentType ? `, ${contentType}` : ""}) is not JSON: ${reason}.`,
      {
        hint: "Check that the manifest's url_base and path point at the API's JSON endpoint; an API that answers in another format needs the matching decoder in the manifest.",
      },
    );
    this.name = "ResponseNotJsonError";
  }
}

/** The handler resolved RESET_PAGINATION: the caller should restart the partition's pagination. */
export class PaginationResetRequiredError extends Error {
  constructor(readonly url: string) {
    super(`The response to ${displayUrl(url)} asks to restart pagination (RESET_PAGINATION).`);
    this.name = "PaginationResetRequiredError";
  }
}

/** For a request that never got an answer, whatever the failure type says. */
const NETWORK_HINT =
  "Check that the API host is reachable from here (network, proxy, AIRBYTE_HTTP_HOST_MAP) and answers in time; a slow API may need a longer request timeout.";

const DEFAULT_MAX_TIME_SECONDS = 600;
/** requests' limit. */
const MAX_REDIRECTS = 30;
/** Names of the errors an attempt reports when it got no response. */
const NETWORK_ERRORS = { ConnectionError: true, Timeout: true } as const;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

type RetryKind = "strategy" | "rate_limited" | "retry";

/** What a final failure says; the request's URL and method are added where it is built. */
interface FailInit {
  message: string;
  internalMessage: string;
  failureType: FailureType;
  status: number | null;
  attempts: number;
  cause?: unknown;
}

export class HttpClient {
  private readonly slots: Semaphore;
  private readonly attempts: Attempts;
  private readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;

  constructor(private readonly options: HttpClientOptions) {
    this.slots = new Semaphore(options.maxConcurrency);
    this.attempts = new Attempts(options.timeoutMs);
    this.sleep = options.sleep ?? abortableSleep;
  }

  /** Requests holding a concurrency slot now. */
  get inFlight(): number {
    return this.slots.inFlight;
  }

  /**
   * Sends `request`, retrying as `handler` decides. Resolves on SUCCESS or IGNORE; throws an
   * HttpRequestError on FAIL or when retries run out, a PaginationResetRequiredError on
   * RESET_PAGINATION, and an AbortError (DOMException) as soon as `signal` aborts.
   */
  async send(
    request: HttpRequest,
    handler: ErrorHandler,
    signal: AbortSignal,
    describe?: string,
  ): Promise<HttpResult> {
    // The common case, one attempt that succeeds, reads straight through; what follows any other
    // outcome (IGNORE, FAIL, retries) is resolve()'s business.
    const method = request.method.toUpperCase();
    if (!this.parses(request.url)) throw this.invalidUrl(request, method, describe);
    if (signal.aborted) throw abortError(signal);
    const started = performance.now();
    const first = await this.attempt(request, method, signal, false);
    const resolution = handler.interpret(first.outcome);
    if (resolution.action === "SUCCESS") return result(first.outcome, first.url, false);
    return this.resolve(request, method, handler, signal, describe, started, first, resolution);
  }

  // Whether a URL parses depends only on what precedes its query or fragment (the URL standard
  // never fails on those), and every page of a stream shares that part: checked once.
  private lastValidHead = "";
  private parses(url: string): boolean {
    const known = this.lastValidHead;
    if (known !== "" && url.startsWith(known)) {
      const next = url.charCodeAt(known.length);
      if (Number.isNaN(next) || next === 63 /* "?" */ || next === 35 /* "#" */) return true;
    }
    const q = url.search(/[?#]/);
    const head = q < 0 ? url : url.slice(0, q);
    if (!URL.canParse(url)) return false;
    this.lastValidHead = head;
    return true;
  }

  private invalidUrl(request: HttpRequest, method: string, describe: string | undefined): HttpRequestError {
    return new HttpRequestError({
      message: `Invalid URL '${displayUrl(request.url)}': it is not an absolute URL.`,
      internalMessage: `Invalid URL for ${describe ? `${describe}: ` : ""}${method} ${displayUrl(request.url)}.`,
      failureType: "system_error",
      status: null,
      attempts: 0,
      url: request.url,
      method,
      describe,
    });
  }

  /** What follows an attempt that did not simply succeed: IGNORE, FAIL, or retries within the limits. */
  private async resolve(
    request: HttpRequest,
    method: string,
    handler: ErrorHandler,
    signal: AbortSignal,
    describe: string | undefined,
    started: number,
    first: { outcome: HttpOutcome; url: string },
    firstResolution: ErrorResolution,
  ): Promise<HttpResult> {
    // Built only when a message needs it: displayUrl costs more than a fast request.
    const where = () => `${describe ? `${describe}: ` : ""}${method} ${displayUrl(request.url)}`;
    const fail = (init: FailInit) =>
      new HttpRequestError({
        ...init,
        url: request.url,
        method,
        describe,
        ...(init.status === null && init.cause instanceof Error && init.cause.name in NETWORK_ERRORS
          ? { hint: NETWORK_HINT }
          : {}),
      });

    const maxTries = Math.max(0, handler.maxRetries) + 1;
    const maxTime = handler.maxTimeSeconds ?? DEFAULT_MAX_TIME_SECONDS;
    const log = this.options.log;
    const info = (m: string) => (log.info ? log.info(m) : log.debug(m));
    // The CDK's three nested backoff decorators: default retries (outermost) ⊃ rate limit ⊃ a
    // strategy's (innermost). Each counts the tries of its own call, and a retry of an outer one
    // calls the inner ones afresh: their counts (and waits, and max_time) start over.
    const tries: Record<RetryKind, number> = { strategy: 1, rate_limited: 1, retry: 1 };
    let strategySince = started;
    let restartStrategy = false;
    let { outcome, url } = first;
    let resolution = firstResolution;
    let attemptStarted = started;

    for (let attempt = 1; ; attempt++) {
      if (attempt > 1) {
        if (signal.aborted) throw abortError(signal);
        attemptStarted = performance.now();
        if (restartStrategy) {
          strategySince = attemptStarted;
          restartStrategy = false;
        }
        ({ outcome, url } = await this.attempt(
          request,
          method,
          signal,
          resolution.action === "REFRESH_TOKEN_THEN_RETRY",
        ));
        resolution = handler.interpret(outcome);
      }
      const status = outcome.response?.status ?? null;
      // A first-try success is the common case and not worth a line (its text costs a URL parse).
      if (resolution.action !== "SUCCESS" || attempt > 1) {
        log.debug(
          `${where()} → ${status ?? outcome.error?.name ?? "no response"} (attempt ${attempt} of at most ${maxTries})`,
        );
      }

      switch (resolution.action) {
        case "SUCCESS":
          return result(outcome, url, false);
        case "IGNORE":
          info(
            `${where()}: ` +
              (resolution.message ??
                (outcome.response
                  ? `Ignoring response for '${method}' request to '${displayUrl(url)}' with response code '${status}'`
                  : `Ignoring response for '${method}' request to '${displayUrl(url)}' with error '${outcome.error?.message}'`)),
          );
          return result(outcome, url, true);
        case "RESET_PAGINATION":
          throw new PaginationResetRequiredError(url);
        case "FAIL": {
          const internalMessage = failureDetail(method, url, outcome);
          log.warn?.(internalMessage);
          throw fail({
            message: resolution.message || internalMessage,
            internalMessage,
            failureType: resolution.failureType ?? "system_error",
            status,
            attempts: attempt,
            cause: outcome.error ?? undefined,
          });
        }
        default:
          break;
      }

      // RETRY, RATE_LIMITED, REFRESH_TOKEN_THEN_RETRY.
      if (resolution.action === "RATE_LIMITED") this.options.onRateLimited?.(describe);
      const retryMessage =
        resolution.message ||
        `Request to ${displayUrl(url)} failed with failure type ${resolution.failureType}, response action ${resolution.action}.`;
      let strategySeconds: number | null;
      try {
        strategySeconds = handler.backoffSeconds(outcome, attempt) || null;
      } catch (error) {
        if (!(error instanceof WaitTooLongError)) throw error;
        log.warn?.(`${where()}: ${error.internalMessage}`);
        throw fail({
          message: error.message,
          internalMessage: error.internalMessage,
          failureType: error.failureType,
          status,
          attempts: attempt,
          cause: error,
        });
      }
      const kind: RetryKind =
        strategySeconds !== null
          ? "strategy"
          : resolution.action === "RATE_LIMITED"
            ? "rate_limited"
            : "retry";
      // max_time: the strategy's from its own call, the default retries' from the first attempt;
      // the rate limit has none.
      const elapsed = (attemptStarted - (kind === "strategy" ? strategySince : started)) / 1000;
      if (tries[kind] >= maxTries || (kind !== "rate_limited" && elapsed >= maxTime)) {
        throw exhausted(fail, resolution, kind, retryMessage, status, attempt, outcome.error);
      }
      const server = strategySeconds === null ? handler.serverWaitSeconds(outcome) : null;

      let seconds: number;
      if (kind === "strategy") {
        seconds = (strategySeconds as number) + 1; // the CDK's extra second "to cover any fractions of second"
        info(`${where()}: retrying. Sleeping for ${strategySeconds} seconds (+1). ${retryMessage}`);
      } else if (server !== null) {
        seconds = server + 1; // as a strategy's wait
        info(`${where()}: the server asks to retry after ${server} seconds (+1). ${retryMessage}`);
      } else if (kind === "rate_limited") {
        seconds = 2 ** (tries.rate_limited - 1);
        info(
          `${where()}: rate limit hit after ${attempt} tries. Waiting ${seconds} seconds then retrying. Try decreasing concurrency or the number of workers to stay within API rate limits.`,
        );
      } else {
        seconds = Math.min(2 ** (tries.retry - 1), maxTime - elapsed);
        info(
          `${where()}: caught retryable error '${retryMessage}' after ${attempt} tries. Waiting ${seconds} seconds then retrying...`,
        );
      }
      tries[kind]++;
      if (kind !== "strategy") {
        tries.strategy = 1;
        restartStrategy = true;
      }
      if (kind === "retry") tries.rate_limited = 1;
      await this.sleep(Math.max(0, seconds) * 1000, signal);
    }
  }

  /** One attempt: a slot, the host map, redirects, the timeout; network errors become the outcome's error. */
  private async attempt(
    request: HttpRequest,
    method: string,
    signal: AbortSignal,
    forceRefresh: boolean,
  ): Promise<{ outcome: HttpOutcome; url: string }> {
    const budget = this.options.budget;
    const info = budget ? { method, url: request.url, headers: request.headers } : null;
    if (budget && info) await budget.acquire(info, this.sleep, signal);
    if (!this.slots.tryAcquire()) await this.slots.acquire(signal);
    const attempt = this.attempts.start(signal);
    try {
      let headers = request.headers;
      if (request.authenticate) {
        headers = { ...headers, ...(await request.authenticate({ forceRefresh, signal: attempt.signal })) };
      }
      const { url, body, binary, streamed, stream } = request;
      const exchanged = await this.exchange(
        { url, method, headers, body, binary, streamed, stream },
        attempt,
      );
      const answer = exchanged.outcome.response;
      if (budget && info && answer) budget.update(info, answer.status, answer.headers);
      return exchanged;
    } finally {
      this.attempts.end(attempt);
      this.slots.release();
    }
  }

  /**
   * The request and its redirects, followed by hand so that the host map applies at each hop. As
   * requests does: 303 (and 301/302 of a POST) become a GET without a body; credentials are not
   * sent to another host.
   */
  private async exchange(first: Hop, attempt: AttemptSignal): Promise<{ outcome: HttpOutcome; url: string }> {
    let hop = first;
    for (let redirects = 0; ; redirects++) {
      // A prefix test, not a parse: this runs for every page.
      if (!isHttpUrl(hop.url)) {
        const message = `No connection adapters were found for '${displayUrl(hop.url)}'`;
        return { outcome: errorOutcome("InvalidSchema", message), url: hop.url };
      }
      let response: Response;
      try {
        response = await this.fetchHop(hop, attempt.signal);
      } catch (error) {
        return { outcome: this.networkOutcome(error, attempt, hop.method, hop.url), url: hop.url };
      }
      const location = response.headers.get("location");
      if (!REDIRECT_STATUSES.has(response.status) || !location) {
        if (hop.stream && response.status >= 200 && response.status < 300) {
          const unread = new ReadResponse(response, hop.url, "");
          unread.body = response.body;
          unread.streamed = true;
          return { outcome: { response: unread, error: null }, url: hop.url };
        }
        let read: ReadResponse;
        try {
          read = hop.binary
            ? new ReadResponse(response, hop.url, null, new Uint8Array(await response.arrayBuffer()))
            : new ReadResponse(response, hop.url, await bodyText(response));
        } catch (error) {
          return { outcome: this.networkOutcome(error, attempt, hop.method, hop.url), url: hop.url };
        }
        read.streamed = hop.streamed === true;
        return { outcome: { response: read, error: null }, url: hop.url };
      }
      await response.body?.cancel().catch(() => {});
      if (redirects >= MAX_REDIRECTS) {
        return {
          outcome: errorOutcome("TooManyRedirects", `Exceeded ${MAX_REDIRECTS} redirects.`),
          url: hop.url,
        };
      }
      const next = new URL(location, hop.url);
      let { method, body, headers } = hop;
      if (
        (response.status === 303 && method !== "HEAD") ||
        ((response.status === 301 || response.status === 302) && method === "POST")
      ) {
        method = "GET";
        body = undefined;
        headers = withoutHeaders(headers, ["content-type", "content-length"]);
      }
      if (next.hostname !== new URL(hop.url).hostname)
        headers = withoutHeaders(headers, ["authorization", "cookie"]);
      hop = { ...hop, url: next.href, method, headers, body };
    }
  }

  private fetchHop(hop: Hop, signal: AbortSignal): Promise<Response> {
    const target = this.options.hostMap.rewrite(hop.url);
    if (hop.body !== undefined && (hop.method === "GET" || hop.method === "HEAD"))
      return fetchWithBody(target, { method: hop.method, headers: hop.headers, body: hop.body, signal });
    return fetch(target, {
      method: hop.method,
      headers: hop.headers,
      body: hop.body,
      signal,
      redirect: "manual",
    });
  }

  private networkOutcome(error: unknown, attempt: AttemptSignal, method: string, url: string): HttpOutcome {
    if (attempt.caller.aborted) throw abortError(attempt.caller);
    if (attempt.timedOut) {
      return errorOutcome(
        "Timeout",
        `${method} ${displayUrl(url)} got no complete response within ${this.options.timeoutMs} ms`,
      );
    }
    if (isAbortError(error)) throw error;
    const message = error instanceof Error ? error.message : String(error);
    return errorOutcome("ConnectionError", `${message} (${method} ${displayUrl(url)})`);
  }
}

/**
 * One attempt's signal: aborted by the caller's cancel or by the attempt's timeout, whichever
 * comes first. Each attempt has its own controller (a timeout stops that attempt alone), but no
 * timer or listener of its own: for a request answered in a fraction of a millisecond those cost
 * more than the rest of the client (see Attempts).
 */
class AttemptSignal {
  private readonly link = new AbortController();
  readonly signal = this.link.signal;
  /** The timeout fired (rather than the caller cancelling). */
  timedOut = false;

  constructor(
    readonly caller: AbortSignal,
    /** performance.now() by which the attempt must be over. */
    readonly deadline: number,
  ) {}

  abort(reason: unknown): void {
    this.link.abort(reason);
  }
}

/** The longest delay setTimeout can hold (a 32-bit signed count of milliseconds). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The attempts in flight, with one timer and one listener per caller signal for all of them. Every
 * attempt has the same timeout, so they are due in the order they started: the timer is set for
 * the oldest, and when it fires it stops those that are due and is set again for the next one.
 * It is not cleared when an attempt ends early (most do); it then finds nothing due and waits
 * for the next. Linked by hand rather than with AbortSignal.any: Bun keeps every signal made by
 * any() alive as long as the caller's (a whole read), which grew the heap by a few dozen objects
 * a page.
 */
class Attempts {
  private readonly live = new Set<AttemptSignal>();
  private readonly linked = new WeakSet<AbortSignal>();
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly timeoutMs: number) {}

  start(caller: AbortSignal): AttemptSignal {
    const attempt = new AttemptSignal(caller, performance.now() + this.timeoutMs);
    if (caller.aborted) {
      attempt.abort(caller.reason);
      return attempt;
    }
    if (!this.linked.has(caller)) {
      this.linked.add(caller);
      caller.addEventListener("abort", () => this.cancel(caller), { once: true });
    }
    this.live.add(attempt);
    this.timer ??= this.arm(this.timeoutMs);
    return attempt;
  }

  end(attempt: AttemptSignal): void {
    this.live.delete(attempt);
  }

  private cancel(caller: AbortSignal): void {
    for (const attempt of this.live) {
      if (attempt.caller !== caller) continue;
      this.live.delete(attempt);
      attempt.abort(caller.reason);
    }
  }

  private arm(ms: number): ReturnType<typeof setTimeout> {
    // Unref'd: a pending fetch keeps the process alive, not this timer. A longer delay than a
    // timer can hold would fire at once (and again, and again): it is set for the longest one
    // instead, and set again from there.
    const timer = setTimeout(() => this.expire(), Math.min(Math.max(0, ms), MAX_TIMER_MS));
    timer.unref?.();
    return timer;
  }

  private expire(): void {
    this.timer = null;
    const now = performance.now();
    for (const attempt of this.live) {
      // Within a millisecond counts as due: a timer may fire that much early.
      if (attempt.deadline > now + 1) {
        this.timer = this.arm(attempt.deadline - now);
        return;
      }
      this.live.delete(attempt);
      attempt.timedOut = true;
      attempt.abort(new DOMException("The attempt timed out.", "TimeoutError"));
    }
  }
}

/** One request of an attempt: the first, or one after a redirect. */
interface Hop {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string | undefined;
  binary?: boolean | undefined;
  streamed?: boolean | undefined;
  stream?: boolean | undefined;
}

const HTTP_URL = /^https?:\/\//i;

/** An http(s) URL: the usual spelling checked without the pattern, which any case also matches. */
function isHttpUrl(url: string): boolean {
  return url.startsWith("https://") || url.startsWith("http://") || HTTP_URL.test(url);
}

const CHARSET = /;\s*charset\s*=\s*"?([^";\s]+)/i;

/**
 * The body as text in the charset its Content-Type declares, as requests' `response.text` reads
 * it (an XML feed in ISO-8859-1, say); UTF-8 when none is declared or the charset is unknown.
 */
async function bodyText(response: Response): Promise<string> {
  const decoder = charsetDecoder(response.headers);
  return decoder ? decoder.decode(await response.arrayBuffer()) : response.text();
}

/** The decoder of a declared charset other than UTF-8; null for UTF-8, none or an unknown one. */
function charsetDecoder(headers: Headers): TextDecoder | null {
  const charset = CHARSET.exec(headers.get("content-type") ?? "")?.[1]?.toLowerCase();
  if (!charset || charset === "utf-8" || charset === "utf8") return null;
  try {
    return new TextDecoder(charset as ConstructorParameters<typeof TextDecoder>[0]);
  } catch {
    return null;
  }
}

function errorOutcome(name: string, message: string): HttpOutcome {
  const error = new Error(message);
  error.name = name;
  return { response: null, error };
}

function withoutHeaders(headers: Record<string, string>, names: string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([k]) => !names.includes(k.toLowerCase())));
}

/** A response with its body read: what the handlers judge and, on success, what the caller gets. */
class ReadResponse implements HttpResponseView, HttpResult {
  readonly status: number;
  private readonly response: Response;
  readonly headers: Headers;
  readonly ignored = false;
  streamed = false;
  body: ReadableStream<Uint8Array> | null = null;
  private parsed: { value: unknown } | null = null;

  constructor(
    response: Response,
    readonly url: string,
    private content: string | null,
    readonly bytes?: Uint8Array,
  ) {
    this.status = response.status;
    this.response = response;
    this.headers = response.headers;
  }

  /** Read when a message needs it: most responses never are. */
  get statusText(): string {
    return this.response.statusText;
  }

  /** The body as text; decoded from the kept bytes (in the declared charset) on first use. */
  get text(): string {
    if (this.content === null)
      this.content = (charsetDecoder(this.headers) ?? new TextDecoder()).decode(this.bytes);
    return this.content;
  }

  json(): unknown {
    if (this.parsed === null) {
      try {
        this.parsed = { value: parseJson(this.text) };
      } catch (error) {
        throw new ResponseNotJsonError(
          this.url,
          this.status,
          this.headers.get("content-type"),
          this.text.trim() === "" ? "the body is empty" : (error as Error).message,
        );
      }
    }
    return this.parsed.value;
  }
}

function result(outcome: HttpOutcome, url: string, ignored: boolean): HttpResult {
  const r = outcome.response;
  // The common case: the response as read, already in the caller's shape.
  if (!ignored && r instanceof ReadResponse && r.url === url) return r;
  if (!r) {
    // Only an IGNORE of a request error gets here: no data.
    return { status: 0, headers: new Headers(), text: "", json: () => ({}), ignored, url };
  }
  const bytes = r instanceof ReadResponse ? r.bytes : undefined;
  const body = r instanceof ReadResponse ? r.body : null;
  return {
    status: r.status,
    headers: r.headers,
    text: r.text,
    bytes,
    body,
    json: () => r.json(),
    ignored,
    url,
  };
}

/** The CDK's FAIL text, without the request body and headers it adds (they may hold secrets). */
function failureDetail(method: string, url: string, outcome: HttpOutcome): string {
  if (outcome.response) {
    const r = outcome.response;
    return `'${method}' request to '${displayUrl(url)}' failed with status code '${r.status}' and error message: '${clip(parseResponseErrorMessage(r) ?? "")}'.`;
  }
  return `'${method}' request to '${displayUrl(url)}' failed with exception: '${outcome.error?.name}: ${outcome.error?.message}'`;
}

function exhausted(
  fail: (init: FailInit) => HttpRequestError,
  resolution: ErrorResolution,
  kind: RetryKind,
  retryMessage: string,
  status: number | null,
  attempts: number,
  cause: Error | null,
): HttpRequestError {
  // The CDK's UserDefinedBackoffException drops the failure type, so running out of retries that a
  // backoff strategy timed ends as a system error; the other retries keep the resolution's type.
  const failureType: FailureType =
    kind === "strategy" ? "system_error" : (resolution.failureType ?? "system_error");
  return fail({
    message: `Exhausted available request attempts. Please see logs for more details. Exception: ${retryMessage}`,
    internalMessage: `Exhausted available request attempts after ${attempts}. Exception: ${retryMessage}`,
    failureType,
    status,
    attempts,
    cause: cause ?? undefined,
  });
}
