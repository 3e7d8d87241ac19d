// How a response (or a request error) is judged: the CDK's ErrorResolution model with its
// DefaultErrorHandler, HttpResponseFilter and CompositeErrorHandler
// (airbyte_cdk/sources/declarative/requesters/error_handlers/*). Templates are the caller's business:
// predicates and error messages come in as callbacks.

import type { BackoffStrategy } from "./backoff.ts";
import {
  createFallbackErrorResolution,
  DEFAULT_ERROR_MAPPING,
  defaultMappedResolution,
} from "./default-error-mapping.ts";
import { parseResponseErrorMessage } from "./error-message.ts";
import { caseInsensitiveHeaders } from "./headers.ts";

export { createFallbackErrorResolution, DEFAULT_ERROR_MAPPING };

/**
 * What to do with an outcome. The CDK's enum also has REDUCE_PAGE_SIZE and SPLIT_REQUEST_WINDOW, which
 * no manifest can ask for (HttpResponseFilter.action in the schema lists exactly these).
 */
export type ResponseAction =
  | "SUCCESS"
  | "RETRY"
  | "FAIL"
  | "IGNORE"
  | "RESET_PAGINATION"
  | "RATE_LIMITED"
  | "REFRESH_TOKEN_THEN_RETRY";

export const RESPONSE_ACTIONS: readonly ResponseAction[] = [
  "SUCCESS",
  "RETRY",
  "FAIL",
  "IGNORE",
  "RESET_PAGINATION",
  "RATE_LIMITED",
  "REFRESH_TOKEN_THEN_RETRY",
];

export type FailureType = "system_error" | "config_error" | "transient_error";

export interface ErrorResolution {
  action: ResponseAction;
  failureType: FailureType | null;
  message: string | null;
}

export const SUCCESS_RESOLUTION: ErrorResolution = Object.freeze({
  action: "SUCCESS",
  failureType: null,
  message: null,
});

/** A response as the handlers see it; its body is already read. */
export interface HttpResponseView {
  status: number;
  /** The reason phrase ("Not Found"); used in the fallback message. */
  statusText?: string;
  /** The URL the caller asked for (before host mapping); shown without credentials or query. */
  url?: string;
  headers: Headers;
  text: string;
  /** The body parsed as JSON; throws when it is not JSON. */
  json(): unknown;
  /**
   * The decoder streams the body (JSON lines, CSV, gzip): as in the CDK, a 2xx body is left to it,
   * so predicates and error_message_contains do not match it and messages see it as {}.
   */
  streamed?: boolean;
}

/** One attempt's result: a response, or the error that stopped it (network error, timeout). */
export interface HttpOutcome {
  response: HttpResponseView | null;
  error: Error | null;
}

export interface ErrorHandler {
  interpret(outcome: HttpOutcome): ErrorResolution;
  /** Some filter reads a successful response's body (a predicate or error_message_contains). */
  readonly readsBody?: boolean;
  /** Retries after the first attempt (the CDK's max_retries). */
  readonly maxRetries: number;
  /** Give up retrying once this long has passed since the first attempt; null = the client's default (600). */
  readonly maxTimeSeconds: number | null;
  /**
   * Seconds to wait before the next attempt from the configured backoff strategies (the first that
   * gives a non-zero wait), or null when none does and the client's default backoff applies.
   * `attempt` is the number of attempts made so far (1 after the first). May throw a
   * WaitTooLongError (a strategy's max waiting time).
   */
  backoffSeconds(outcome: HttpOutcome, attempt: number): number | null;
  /**
   * When no strategy is configured: the server's own Retry-After (a 429 or 503), honoured unlike
   * in the CDK (it is the API saying when to come back, and guessing sooner only earns more 429s).
   * The retry still counts as the CDK's default retry or rate-limit retry, not as a strategy's.
   */
  serverWaitSeconds(outcome: HttpOutcome): number | null;
}

/** What a predicate or an error-message template sees: the body as JSON ({} when it is not JSON), headers. */
export interface ResponseFilterContext {
  response: unknown;
  /** Response headers; lookups ignore case, as in the CDK. */
  headers: Record<string, string>;
}

export interface HttpResponseFilterOptions {
  /** What to do on a match. Without one the filter never matches (the CDK returns no resolution). */
  action?: ResponseAction | null;
  /** Used only with action FAIL; otherwise the default mapping's failure type (or system_error) applies. */
  failureType?: FailureType | null;
  httpCodes?: readonly number[];
  errorMessageContains?: string | null;
  predicate?: ((ctx: ResponseFilterContext) => boolean) | null;
  /** The message to report on a match; "" falls back to the default mapping's message for the status. */
  errorMessage?: ((ctx: ResponseFilterContext) => string) | string | null;
}

/**
 * Selects responses by status code, by a substring of their error message, or by a predicate (any of
 * the three). Request errors (no response) never match a filter.
 */
export class HttpResponseFilter {
  readonly action: ResponseAction | null;
  readonly failureType: FailureType | null;
  readonly httpCodes: ReadonlySet<number>;
  readonly errorMessageContains: string | null;
  private readonly predicate: ((ctx: ResponseFilterContext) => boolean) | null;
  private readonly errorMessage: ((ctx: ResponseFilterContext) => string) | string | null;

  constructor(options: HttpResponseFilterOptions = {}) {
    this.action = options.action ?? null;
    this.failureType = options.failureType ?? null;
    this.httpCodes = new Set(options.httpCodes ?? []);
    this.errorMessageContains = options.errorMessageContains || null;
    this.predicate = options.predicate ?? null;
    this.errorMessage = options.errorMessage ?? null;
  }

  get readsBody(): boolean {
    return this.predicate !== null || this.errorMessageContains !== null;
  }

  matches(outcome: HttpOutcome): ErrorResolution | null {
    const response = outcome.response;
    if (!response) return null;
    const action = this.matchingAction(response);
    if (action === null) return null;
    const mapped = DEFAULT_ERROR_MAPPING.get(response.status) ?? null;
    const own =
      typeof this.errorMessage === "function"
        ? this.errorMessage(filterContext(response))
        : this.errorMessage;
    const message = own || mapped?.message || null;
    const failureType: FailureType =
      this.failureType && action === "FAIL" ? this.failureType : (mapped?.failureType ?? "system_error");
    return { action, failureType, message };
  }

  private matchingAction(response: HttpResponseView): ResponseAction | null {
    if (this.httpCodes.has(response.status)) return this.action;
    if (streamedSuccess(response)) return null;
    if (this.predicate?.(filterContext(response))) return this.action;
    if (this.errorMessageContains) {
      const message = parseResponseErrorMessage(response);
      if (message?.includes(this.errorMessageContains)) return this.action;
    }
    return null;
  }
}

function streamedSuccess(response: HttpResponseView): boolean {
  return response.streamed === true && response.status >= 200 && response.status < 300;
}

function filterContext(response: HttpResponseView): ResponseFilterContext {
  let body: unknown = {};
  if (!streamedSuccess(response)) {
    try {
      body = response.json();
    } catch {
      body = {};
    }
  }
  return { response: body, headers: caseInsensitiveHeaders(response.headers) };
}

export interface DefaultErrorHandlerOptions {
  responseFilters?: readonly HttpResponseFilter[];
  backoffStrategies?: readonly BackoffStrategy[];
  /** Default 5, as in the CDK. */
  maxRetries?: number;
  /** Default 600 (10 minutes), as in the CDK. */
  maxTimeSeconds?: number;
}

/**
 * The filters first (in order; the first match decides, even for a 2xx response), then: a response
 * below 400 is a success, anything else goes by DEFAULT_ERROR_MAPPING, and what the mapping does not
 * name is retried as a system error.
 */
export class DefaultErrorHandler implements ErrorHandler {
  readonly responseFilters: readonly HttpResponseFilter[];
  readonly backoffStrategies: readonly BackoffStrategy[];
  readonly maxRetries: number;
  readonly maxTimeSeconds: number;

  get readsBody(): boolean {
    return this.responseFilters.some((f) => f.readsBody);
  }

  constructor(options: DefaultErrorHandlerOptions = {}) {
    this.responseFilters = options.responseFilters ?? [];
    this.backoffStrategies = options.backoffStrategies ?? [];
    this.maxRetries = options.maxRetries ?? 5;
    this.maxTimeSeconds = options.maxTimeSeconds ?? 600;
  }

  interpret(outcome: HttpOutcome): ErrorResolution {
    for (const filter of this.responseFilters) {
      const resolution = filter.matches(outcome);
      if (resolution) return resolution;
    }
    if (outcome.response && outcome.response.status < 400) return SUCCESS_RESOLUTION;
    return defaultMappedResolution(outcome) ?? createFallbackErrorResolution(outcome);
  }

  serverWaitSeconds(outcome: HttpOutcome): number | null {
    return this.backoffStrategies.length === 0 ? retryAfterSeconds(outcome, this.maxTimeSeconds) : null;
  }

  backoffSeconds(outcome: HttpOutcome, attempt: number): number | null {
    for (const strategy of this.backoffStrategies) {
      const seconds = strategy.backoffSeconds(outcome, attempt);
      if (seconds) return seconds;
    }
    return null;
  }
}

/** Retry-After of a 429 or 503 (seconds or an HTTP date), capped at the handler's max time. */
export function retryAfterSeconds(outcome: HttpOutcome, cap: number, now = Date.now()): number | null {
  const r = outcome.response;
  if (!r || (r.status !== 429 && r.status !== 503)) return null;
  const value = r.headers.get("retry-after")?.trim();
  if (!value) return null;
  let seconds = /^\d+(\.\d+)?$/.test(value) ? Number(value) : (Date.parse(value) - now) / 1000;
  if (!Number.isFinite(seconds)) return null;
  seconds = Math.max(0, Math.min(seconds, cap));
  return seconds > 0 ? seconds : null;
}

/**
 * Asks its handlers in order. The first SUCCESS, RETRY or IGNORE wins; any other resolution (FAIL,
 * RATE_LIMITED, ...) is only kept if no later handler has a say, so the last handler's resolution is
 * the answer when none of them succeeds, retries or ignores. This is the CDK's rule: a FAIL from the
 * first handler is overridden by the second handler's resolution of the same response.
 */
export class CompositeErrorHandler implements ErrorHandler {
  readonly errorHandlers: readonly ErrorHandler[];

  constructor(errorHandlers: readonly ErrorHandler[]) {
    if (errorHandlers.length === 0) {
      throw new Error("CompositeErrorHandler expects at least 1 underlying error handler");
    }
    this.errorHandlers = errorHandlers;
  }

  get readsBody(): boolean {
    return this.errorHandlers.some((h) => h.readsBody === true);
  }

  /** The first handler's, as in the CDK. */
  get maxRetries(): number {
    return (this.errorHandlers[0] as ErrorHandler).maxRetries;
  }

  /** The largest of the handlers' (a handler without one counts as 0), as in the CDK. */
  get maxTimeSeconds(): number {
    return Math.max(...this.errorHandlers.map((h) => h.maxTimeSeconds ?? 0));
  }

  interpret(outcome: HttpOutcome): ErrorResolution {
    let last: ErrorResolution | null = null;
    for (const handler of this.errorHandlers) {
      last = handler.interpret(outcome);
      if (last.action === "SUCCESS" || last.action === "RETRY" || last.action === "IGNORE") return last;
    }
    return last ?? createFallbackErrorResolution(outcome);
  }

  /**
   * The CDK flattens every handler's strategies into one list and takes the first non-zero wait, whichever
   * handler resolved the outcome; asking the handlers in order does the same.
   */
  backoffSeconds(outcome: HttpOutcome, attempt: number): number | null {
    for (const handler of this.errorHandlers) {
      const seconds = handler.backoffSeconds(outcome, attempt);
      if (seconds) return seconds;
    }
    return null;
  }

  /** Asked only when no handler's strategy answered: the first handler without strategies. */
  serverWaitSeconds(outcome: HttpOutcome): number | null {
    for (const handler of this.errorHandlers) {
      const seconds = handler.serverWaitSeconds(outcome);
      if (seconds) return seconds;
    }
    return null;
  }
}
