// How long to wait before retrying: the CDK's backoff strategies
// (airbyte_cdk/sources/declarative/requesters/error_handlers/backoff_strategies/*). Values that the
// manifest may interpolate from the config (factor, seconds, header name, regex) come in evaluated.
//
// A strategy answering null or 0 passes: the next strategy is asked, and when none answers the client
// uses its default backoff (HttpClient: 1, 2, 4, 8... seconds). The client waits one second more than
// a strategy's answer, as the CDK does ("to cover any fractions of second").

import type { FailureType, HttpOutcome } from "./error-handler.ts";

export interface BackoffStrategy {
  /** Seconds to wait, or null to leave it to the next strategy. `attempt`: attempts made so far (1 after the first). */
  backoffSeconds(outcome: HttpOutcome, attempt: number): number | null;
}

/** A strategy refused to wait as long as the API asked (max_waiting_time_in_seconds): the stream stops. */
export class WaitTooLongError extends Error {
  readonly failureType: FailureType = "transient_error";
  constructor(
    message: string,
    /** The detail for logs: the wait asked for and the limit. */
    readonly internalMessage: string,
  ) {
    super(message);
    this.name = "WaitTooLongError";
  }
}

export interface JitterOptions {
  /** Adds a uniformly random 0..2×range seconds (the schema's jitter_range_in_seconds). */
  jitterRangeSeconds?: number | null;
  /** Random source in [0, 1), for tests; Math.random by default. */
  random?: () => number;
}

function withJitter(seconds: number, options: JitterOptions): number {
  const range = options.jitterRangeSeconds ?? 0;
  if (!(range > 0)) return seconds;
  return seconds + (options.random ?? Math.random)() * 2 * range;
}

/** factor × 2^attempt seconds: 10, 20, 40... with the default factor 5 (the first retry is after attempt 1). */
export class ExponentialBackoffStrategy implements BackoffStrategy {
  constructor(
    readonly factor = 5,
    private readonly options: JitterOptions = {},
  ) {}

  backoffSeconds(_outcome: HttpOutcome, attempt: number): number | null {
    return withJitter(this.factor * 2 ** attempt, this.options);
  }
}

export class ConstantBackoffStrategy implements BackoffStrategy {
  constructor(
    readonly seconds: number,
    private readonly options: JitterOptions = {},
  ) {}

  backoffSeconds(_outcome: HttpOutcome, _attempt: number): number | null {
    return withJitter(this.seconds, this.options);
  }
}

export interface WaitTimeFromHeaderOptions {
  /** Header holding the number of seconds to wait (e.g. Retry-After). */
  header: string;
  /** Applied at the start of the value (Python re.match); the whole match is the number. */
  regex?: string | null;
  /** Stop instead of waiting when the header asks for this long or longer (0 = never wait). */
  maxWaitingTimeSeconds?: number | null;
}

/** The wait is the number in a response header; null when the header is absent or not a number. */
export class WaitTimeFromHeader implements BackoffStrategy {
  private readonly regex: RegExp | null;

  constructor(private readonly options: WaitTimeFromHeaderOptions) {
    this.regex = options.regex ? compilePythonRegex(options.regex) : null;
  }

  backoffSeconds(outcome: HttpOutcome): number | null {
    if (!outcome.response) return null;
    const value = numericHeader(outcome.response.headers, this.options.header, this.regex);
    const max = this.options.maxWaitingTimeSeconds;
    // A header of 0 asks for no wait, which no cap refuses (the CDK checks the value's truthiness).
    if (max !== null && max !== undefined && value && value >= max) {
      throw new WaitTooLongError(
        "The rate limit is greater than max waiting time has been reached.",
        `Rate limit wait time ${value} is greater than max waiting time of ${max} seconds. Stopping the stream...`,
      );
    }
    return value;
  }
}

export interface WaitUntilTimeFromHeaderOptions {
  /** Header holding the epoch time (seconds) at which to retry. */
  header: string;
  /** Wait at least this long; also the wait when the header is absent. */
  minWait?: number | null;
  regex?: string | null;
  /** Stop instead of waiting when the computed wait is this long or longer (0 = never wait). */
  maxWaitingTimeSeconds?: number | null;
  /** Current epoch time in seconds, for tests; Date.now()/1000 by default. */
  now?: () => number;
}

/** The wait lasts until the epoch time in a response header. */
export class WaitUntilTimeFromHeader implements BackoffStrategy {
  private readonly regex: RegExp | null;

  constructor(private readonly options: WaitUntilTimeFromHeaderOptions) {
    this.regex = options.regex ? compilePythonRegex(options.regex) : null;
  }

  backoffSeconds(outcome: HttpOutcome): number | null {
    const now = this.options.now?.() ?? Date.now() / 1000;
    const minWait = this.options.minWait || null;
    const until = outcome.response
      ? numericHeader(outcome.response.headers, this.options.header, this.regex)
      : null;
    if (!until) return minWait ? this.capped(minWait) : null;
    const wait = until - now;
    if (minWait) return this.capped(Math.max(wait, minWait));
    if (wait < 0) return null;
    return this.capped(wait);
  }

  private capped(wait: number): number {
    const max = this.options.maxWaitingTimeSeconds;
    if (max !== null && max !== undefined && wait >= max) {
      throw new WaitTooLongError(
        "The rate limit wait time is longer than the connector is allowed to wait.",
        `Rate limit wait time ${wait}s is greater than the maximum of ${max}s this stream is allowed to wait. Stopping the stream...`,
      );
    }
    return wait;
  }
}

/** A header's value as a number (Python float()), after the regex if one is given and matches. */
export function numericHeader(headers: Headers, name: string, regex: RegExp | null): number | null {
  let value = headers.get(name);
  if (!value) return null;
  if (regex) {
    regex.lastIndex = 0;
    const match = regex.exec(value);
    if (match) value = match[0];
  }
  return pythonFloat(value);
}

/** Python's float() of a string: decimal or exponent notation, surrounding spaces, "_" between digits, inf/nan. */
export function pythonFloat(text: string): number | null {
  const s = text.trim().toLowerCase();
  if (/^[+-]?(inf|infinity)$/.test(s)) return s.startsWith("-") ? -Infinity : Infinity;
  if (/^[+-]?nan$/.test(s)) return Number.NaN;
  if (!/^[+-]?(\d(_?\d)*(\.(\d(_?\d)*)?)?|\.\d(_?\d)*)(e[+-]?\d(_?\d)*)?$/.test(s)) return null;
  return Number(s.replace(/_/g, ""));
}

/**
 * A Python regex as a JavaScript one anchored like re.match (at the start, not the end). Named groups
 * are translated; other Python-only syntax makes a clear error.
 */
export function compilePythonRegex(pattern: string): RegExp {
  const js = pattern.replace(/\(\?P<(\w+)>/g, "(?<$1>").replace(/\(\?P=(\w+)\)/g, "\\k<$1>");
  try {
    return new RegExp(js, "y");
  } catch (error) {
    throw new Error(
      `The backoff strategy's regex ${JSON.stringify(pattern)} is not a valid regular expression (${(error as Error).message}). Fix the regex in the manifest.`,
    );
  }
}
