// When the Cloud client tries a request again, and how long it waits in between.
//
// What is retried (decided here so that no request can create an object twice):
// - idempotent requests (GET, PUT, DELETE, PATCH bodies that set absolute values, the Config API's
//   read-like POSTs, the token request): 429, 408, 409 try-again-later, every 5xx except 501, a
//   timeout, and any network failure except an unknown host;
// - object-creating POSTs (sources, destinations, connections, jobs, definitions): only answers that
//   prove the server did nothing (429, 409 try-again-later) and a refused connection (the request
//   never left). A 5xx, a timeout or a reset may come after the object was created, so those fail
//   with a hint to list the objects before trying again.

export interface RetryOptions {
  /** Tries in all, the first included (default 4). */
  maxAttempts?: number;
  /** Backoff before the 2nd try; doubles each time (default 1000 ms). */
  baseDelayMs?: number;
  /** Longest backoff between tries (default 30 s). */
  maxDelayMs?: number;
  /** A Retry-After longer than this is not waited for: the call fails and says when to retry (default 60 s). */
  maxRetryAfterMs?: number;
  /** Random source in [0, 1) for the jitter (default Math.random). */
  random?: () => number;
}

export type RetryPolicy = Required<RetryOptions>;

export function retryPolicy(options: RetryOptions = {}): RetryPolicy {
  return {
    maxAttempts: Math.max(1, Math.floor(options.maxAttempts ?? 4)),
    baseDelayMs: Math.max(0, options.baseDelayMs ?? 1000),
    maxDelayMs: Math.max(0, options.maxDelayMs ?? 30_000),
    maxRetryAfterMs: Math.max(0, options.maxRetryAfterMs ?? 60_000),
    random: options.random ?? Math.random,
  };
}

/** Exponential backoff with "equal jitter": half the delay fixed, half random, so clients spread out. */
export function backoffDelayMs(policy: RetryPolicy, retry: number): number {
  const full = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retry - 1));
  return full / 2 + policy.random() * (full / 2);
}

/** Retry-After as milliseconds from `now`: delta-seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | null {
  if (value === null) return null;
  const text = value.trim();
  if (text === "") return null;
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  // An HTTP date names its day and month ("Wed, 21 Oct 2015 07:28:00 GMT"); Date.parse reads "-5" too.
  if (!/[a-z]{3}/i.test(text)) return null;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - now);
}

/** A status the server answers when it did nothing and asks to come back: safe to repeat any request. */
export function isRefusal(status: number, problemTitle: string | undefined): boolean {
  return status === 429 || (status === 409 && problemTitle === "try-again-later");
}

/** A status worth retrying for a request that may be repeated. */
export function isTransientStatus(status: number, problemTitle: string | undefined): boolean {
  return isRefusal(status, problemTitle) || status === 408 || (status >= 500 && status !== 501);
}

/** Waits `ms`, or rejects with `onAbort()` as soon as the signal aborts. */
export function sleep(ms: number, signal: AbortSignal | undefined, onAbort: () => Error): Promise<void> {
  if (signal?.aborted) return Promise.reject(onAbort());
  return new Promise((resolve, reject) => {
    const done = () => {
      signal?.removeEventListener("abort", stop);
      resolve();
    };
    const timer = setTimeout(done, Math.max(0, ms));
    const stop = () => {
      clearTimeout(timer);
      reject(onAbort());
    };
    signal?.addEventListener("abort", stop, { once: true });
  });
}
