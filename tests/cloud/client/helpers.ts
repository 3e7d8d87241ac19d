// Shared set-up of the Cloud client tests: settings from env vars, a real Hono server on 127.0.0.1
// that records what it receives, and retry settings that keep every test in milliseconds.

import type { Hono } from "hono";
import type { Logger } from "../../../src/core/log.ts";
import { loadSettings, type Settings } from "../../../src/core/settings.ts";

export const CLIENT_ID = "client-id-0001";
export const CLIENT_SECRET = "client-secret-s3cr3t-value";
export const BEARER = "bearer-token-s3cr3t-value";

/** Settings as the server would load them from these variables (no directories are created). */
export function cloudSettings(env: Record<string, string>): Settings {
  return loadSettings({ env: { HOME: "/nonexistent-home", ...env }, prepareDirs: false });
}

/** Retries in milliseconds. */
export const FAST_RETRY = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 4 } as const;

export interface Recorded {
  method: string;
  path: string;
  query: URLSearchParams;
  authorization: string | null;
  contentType: string | null;
  body: string;
}

export interface ApiServer {
  /** http://127.0.0.1:<port> */
  readonly origin: string;
  readonly requests: Recorded[];
  /** Requests whose path is exactly `path`. */
  to(path: string, method?: string): Recorded[];
  stop(): Promise<void>;
}

export function startApi(app: Hono): ApiServer {
  const requests: Recorded[] = [];
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    idleTimeout: 0,
    async fetch(req) {
      const url = new URL(req.url);
      const body = await req.clone().text();
      requests.push({
        method: req.method,
        path: url.pathname,
        query: url.searchParams,
        authorization: req.headers.get("authorization"),
        contentType: req.headers.get("content-type"),
        body,
      });
      return app.fetch(req);
    },
  });
  return {
    origin: `http://127.0.0.1:${server.port}`,
    requests,
    to: (path, method) =>
      requests.filter((r) => r.path === path && (method === undefined || r.method === method)),
    stop: () => server.stop(true),
  };
}

/** A logger that keeps its lines, to check that no secret reaches a log. */
export function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const add = (level: string) => (message: string, fields?: Record<string, unknown>) => {
    lines.push(`${level} ${message} ${fields ? JSON.stringify(fields) : ""}`);
  };
  return { lines, debug: add("debug"), info: add("info"), warn: add("warn"), error: add("error") };
}

/** A promise and its resolve function, to let a test and a handler wait for each other. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** The rejection of a promise (fails the test when it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to fail");
}

/** Wraps the real fetch to count the requests the client made (including those that never connected). */
export function countingFetch(): { fetch: typeof fetch; count: () => number } {
  let n = 0;
  const wrapped = ((input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) => {
    n++;
    return fetch(input, init);
  }) as typeof fetch;
  return { fetch: wrapped, count: () => n };
}

export const problem = (status: number, title: string, detail: string, data?: unknown) => ({
  status,
  type: `https://reference.airbyte.com/reference/errors#${title}`,
  title,
  detail,
  ...(data === undefined ? {} : { data }),
});
