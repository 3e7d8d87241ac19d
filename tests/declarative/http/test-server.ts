// A real HTTP server on 127.0.0.1 for the HTTP layer's tests: a Hono app, with counts of requests per
// path and of requests in flight (the most seen at once).

import type { Hono } from "hono";

export interface TestServer {
  /** http://127.0.0.1:<port> */
  readonly url: string;
  readonly port: number;
  /** Requests received, by path. */
  hits(path: string): number;
  /** Requests being handled now, and the most at once so far. */
  readonly inFlight: number;
  readonly maxInFlight: number;
  stop(): Promise<void>;
}

export function serve(app: Hono): TestServer {
  const hits = new Map<string, number>();
  let inFlight = 0;
  let maxInFlight = 0;
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    idleTimeout: 0,
    async fetch(req) {
      const path = new URL(req.url).pathname;
      hits.set(path, (hits.get(path) ?? 0) + 1);
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      try {
        return await app.fetch(req);
      } finally {
        inFlight--;
      }
    },
  });
  const port = server.port as number;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    hits: (path) => hits.get(path) ?? 0,
    get inFlight() {
      return inFlight;
    },
    get maxInFlight() {
      return maxInFlight;
    },
    stop: () => server.stop(true),
  };
}

/** A promise and its resolve function, to let a test and a server handler wait for each other. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}
