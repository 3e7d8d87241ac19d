// The one outbound HTTP client: timeouts, a retry on transient failures, conditional GETs, and
// errors that say what failed without echoing credentials.

import { ToolError } from "./errors.ts";
import { displayUrl } from "./url.ts";

export interface HttpGetOptions {
  /** Send If-None-Match; a 304 answer comes back as { notModified: true }. */
  etag?: string | null;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export type HttpGetResult =
  | { notModified: false; status: number; body: string; etag: string | null }
  | { notModified: true; status: 304 };

export interface HttpClient {
  get(url: string, options?: HttpGetOptions): Promise<HttpGetResult>;
}

export class HttpError extends ToolError {
  constructor(
    readonly url: string,
    readonly reason: string,
    readonly status: number | null,
  ) {
    super(`GET ${displayUrl(url)} failed: ${reason}.`);
    this.name = "HttpError";
  }
}

export interface HttpClientOptions {
  timeoutMs: number;
  userAgent: string;
  /** Attempts for a network error, a timeout or a 5xx (default 2). */
  attempts?: number;
  retryDelayMs?: number;
  fetch?: typeof fetch;
}

export function createHttpClient(options: HttpClientOptions): HttpClient {
  const doFetch = options.fetch ?? fetch;
  const attempts = options.attempts ?? 2;
  const retryDelayMs = options.retryDelayMs ?? 200;

  async function once(url: string, o: HttpGetOptions): Promise<HttpGetResult> {
    const timeout = AbortSignal.timeout(options.timeoutMs);
    const signal = o.signal ? AbortSignal.any([o.signal, timeout]) : timeout;
    const headers: Record<string, string> = { "User-Agent": options.userAgent, ...(o.headers ?? {}) };
    if (o.etag) headers["If-None-Match"] = o.etag;
    let response: Response;
    try {
      response = await doFetch(url, { headers, signal, redirect: "follow" });
    } catch (error) {
      throw new HttpError(url, describeFetchError(error, timeout, options.timeoutMs), null);
    }
    if (response.status === 304) {
      await response.body?.cancel();
      return { notModified: true, status: 304 };
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new HttpError(
        url,
        `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ""}`,
        response.status,
      );
    }
    let bytes: ArrayBuffer;
    try {
      bytes = await response.arrayBuffer();
    } catch (error) {
      throw new HttpError(
        url,
        `the response body could not be read (${describeFetchError(error, timeout, options.timeoutMs)})`,
        response.status,
      );
    }
    // Compare bytes, not decoded text; a compressed body's length is that of the compressed form.
    const expected = response.headers.get("content-length");
    if (
      expected !== null &&
      response.headers.get("content-encoding") === null &&
      Number(expected) !== bytes.byteLength
    ) {
      throw new HttpError(
        url,
        `the response was cut short (${bytes.byteLength} of ${expected} bytes)`,
        response.status,
      );
    }
    const body = new TextDecoder().decode(bytes);
    return { notModified: false, status: response.status, body, etag: response.headers.get("etag") };
  }

  return {
    async get(url, o = {}) {
      let last: unknown;
      for (let attempt = 1; attempt <= attempts; attempt++) {
        try {
          return await once(url, o);
        } catch (error) {
          last = error;
          // Retry what may pass (timeouts, resets, 5xx), not what will not (unknown host, refused).
          const transient =
            error instanceof HttpError &&
            (error.status === null
              ? !/ENOTFOUND|ECONNREFUSED|EAI_AGAIN|cancelled/.test(error.reason)
              : error.status >= 500);
          if (!transient || attempt === attempts || o.signal?.aborted) throw error;
          await Bun.sleep(retryDelayMs * attempt);
        }
      }
      throw last;
    },
  };
}

function describeFetchError(error: unknown, timeout: AbortSignal, timeoutMs: number): string {
  if (timeout.aborted) return `no answer within ${Math.round(timeoutMs / 1000)} s`;
  if (error instanceof Error) {
    if (error.name === "AbortError") return "cancelled";
    const code = (error as { code?: string }).code;
    return code ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}
