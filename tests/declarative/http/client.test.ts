import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { createServer } from "node:http";
import { Hono } from "hono";

import { sleep as abortableSleep } from "../../../src/declarative/http/abort.ts";
import { ConstantBackoffStrategy, WaitTimeFromHeader } from "../../../src/declarative/http/backoff.ts";
import {
  HttpClient,
  type HttpClientOptions,
  HttpRequestError,
  PaginationResetRequiredError,
  ResponseNotJsonError,
} from "../../../src/declarative/http/client.ts";
import {
  CompositeErrorHandler,
  DefaultErrorHandler,
  type ErrorHandler,
  HttpResponseFilter,
} from "../../../src/declarative/http/error-handler.ts";
import { parseHostMap } from "../../../src/declarative/http/host-map.ts";
import { deferred, serve, type TestServer } from "./test-server.ts";

// Per-path scripts: the n-th request to a path gets the n-th response (the last one repeats).
type Reply = { status: number; body?: unknown; headers?: Record<string, string> } | "hang";
const scripts = new Map<string, Reply[]>();
const arrived = new Map<string, () => void>();
const seenAuth: (string | null)[] = [];

let server: TestServer;

beforeAll(() => {
  const app = new Hono();
  app.all("/script/:name", async (c) => {
    const path = new URL(c.req.url).pathname;
    seenAuth.push(c.req.header("authorization") ?? null);
    arrived.get(path)?.();
    const script = scripts.get(path) ?? [{ status: 200, body: {} }];
    const n = server.hits(path) - 1;
    const reply = script[Math.min(n, script.length - 1)] as Reply;
    if (reply === "hang") return new Promise<Response>(() => {});
    const body = typeof reply.body === "string" ? reply.body : JSON.stringify(reply.body ?? {});
    return new Response(body, { status: reply.status, headers: reply.headers });
  });
  app.get("/redirect/relative", (c) => c.redirect("/script/after-redirect?x=1", 302));
  app.get("/redirect/absolute", (c) => c.redirect("https://api.example.com/script/after-redirect", 301));
  app.get("/secret", (c) => c.json({ error: { message: "nope" } }, 400));
  server = serve(app);
});
afterAll(() => server.stop());

beforeEach(() => {
  scripts.clear();
  arrived.clear();
  seenAuth.length = 0;
});

let counter = 0;
/** A fresh path with a script of replies. */
function scripted(...replies: Reply[]): string {
  const path = `/script/s${++counter}`;
  scripts.set(path, replies);
  return path;
}

interface Harness {
  client: HttpClient;
  waits: number[];
  logs: string[];
  rateLimited: (string | undefined)[];
}

function harness(options: Partial<HttpClientOptions> = {}): Harness {
  const waits: number[] = [];
  const logs: string[] = [];
  const rateLimited: (string | undefined)[] = [];
  const client = new HttpClient({
    hostMap: parseHostMap(`https://api.example.com=${server.url}`),
    maxConcurrency: 4,
    timeoutMs: 5000,
    sleep: async (ms, signal) => {
      waits.push(ms);
      if (signal.aborted) throw signal.reason;
    },
    log: { debug: (m) => logs.push(m), info: (m) => logs.push(m), warn: (m) => logs.push(m) },
    onRateLimited: (d) => rateLimited.push(d),
    ...options,
  });
  return { client, waits, logs, rateLimited };
}

const signal = () => new AbortController().signal;
const url = (path: string) => `${server.url}${path}`;

async function failure(p: Promise<unknown>): Promise<HttpRequestError> {
  try {
    await p;
  } catch (error) {
    if (error instanceof HttpRequestError) return error;
    throw error;
  }
  throw new Error("expected the request to fail");
}

describe("retries", () => {
  test("429 with Retry-After, then 200: waits the header's seconds (+1, as the CDK) with WaitTimeFromHeader", async () => {
    const path = scripted(
      { status: 429, headers: { "Retry-After": "3" } },
      { status: 200, body: { ok: true } },
    );
    const h = harness();
    const handler = new DefaultErrorHandler({
      backoffStrategies: [new WaitTimeFromHeader({ header: "Retry-After" })],
    });
    const result = await h.client.send(
      { method: "GET", url: url(path), headers: {} },
      handler,
      signal(),
      "users",
    );
    expect(result.json()).toEqual({ ok: true });
    expect(result.ignored).toBe(false);
    expect(server.hits(path)).toBe(2);
    expect(h.waits).toEqual([(3 + 1) * 1000]);
    expect(h.rateLimited).toEqual(["users"]);
  });

  test("429 without a backoff strategy: Retry-After is honoured (unlike the CDK), plus the CDK's extra second", async () => {
    const path = scripted({ status: 429, headers: { "Retry-After": "30" } }, { status: 200 });
    const h = harness();
    await h.client.send({ method: "GET", url: url(path), headers: {} }, new DefaultErrorHandler(), signal());
    expect(h.waits).toEqual([31_000]);
  });

  test("Retry-After without a strategy counts as a rate-limit retry: running out of them stays transient", async () => {
    const path = scripted({ status: 429, headers: { "Retry-After": "2" } });
    const h = harness();
    const error = await failure(
      h.client.send(
        { method: "GET", url: url(path), headers: {} },
        new DefaultErrorHandler({ maxRetries: 2 }),
        signal(),
      ),
    );
    expect(h.waits).toEqual([3000, 3000]);
    expect(server.hits(path)).toBe(3);
    expect(error.failureType).toBe("transient_error");
  });

  test("429s and 500s are counted apart, as the CDK's nested backoff decorators count them", async () => {
    // http_client_default_backoff_handler ⊃ rate_limit_default_backoff_handler: a 500 is a retry of
    // the outer decorator, which calls the rate-limit one afresh (its count and waits start over).
    const mixed = scripted({ status: 429 }, ...Array(5).fill({ status: 500 }), {
      status: 200,
      body: { ok: 1 },
    });
    const h = harness();
    const result = await h.client.send(
      { method: "GET", url: url(mixed), headers: {} },
      new DefaultErrorHandler(),
      signal(),
    );
    expect(result.json()).toEqual({ ok: 1 });
    expect(server.hits(mixed)).toBe(7);
    expect(h.waits).toEqual([1000, 1000, 2000, 4000, 8000, 16000]);

    // Alternating: each 500 starts the rate limit's count again, so only the 500s run out (6 of them).
    const alternating = scripted(
      ...Array.from({ length: 12 }, (_, i) => ({ status: i % 2 === 0 ? 500 : 429 })),
      { status: 200 },
    );
    const g = harness();
    const error = await failure(
      g.client.send(
        { method: "GET", url: url(alternating), headers: {} },
        new DefaultErrorHandler(),
        signal(),
      ),
    );
    expect(server.hits(alternating)).toBe(11);
    expect(g.waits).toEqual([1000, 1000, 2000, 1000, 4000, 1000, 8000, 1000, 16000, 1000]);
    expect(error.status).toBe(500);
  });

  test("429 without a backoff strategy and without Retry-After: the default backoff waits 1 s", async () => {
    const path = scripted({ status: 429 }, { status: 200 });
    const h = harness();
    await h.client.send({ method: "GET", url: url(path), headers: {} }, new DefaultErrorHandler(), signal());
    expect(h.waits).toEqual([1000]);
  });

  test("500 then 200 is retried once", async () => {
    const path = scripted({ status: 500 }, { status: 200, body: [1, 2] });
    const h = harness();
    const result = await h.client.send(
      { method: "GET", url: url(path), headers: {} },
      new DefaultErrorHandler(),
      signal(),
    );
    expect(result.status).toBe(200);
    expect(result.json()).toEqual([1, 2]);
    expect(server.hits(path)).toBe(2);
  });

  test("500 forever: max_retries + 1 attempts, 1-2-4-8-16 s apart, then the CDK's exhausted message", async () => {
    const path = scripted({ status: 500, body: { message: "boom" } });
    const h = harness();
    const error = await failure(
      h.client.send({ method: "GET", url: url(path), headers: {} }, new DefaultErrorHandler(), signal()),
    );
    expect(server.hits(path)).toBe(6);
    expect(h.waits).toEqual([1000, 2000, 4000, 8000, 16000]);
    expect(error.message).toBe(
      "Exhausted available request attempts. Please see logs for more details. Exception: HTTP Status Code: 500. Error: Internal server error.",
    );
    expect(error.failureType).toBe("transient_error");
    expect(error.status).toBe(500);
    expect(error.attempts).toBe(6);
    expect(error.hint).toContain("try again later");
  });

  test("max_retries 0 makes one attempt", async () => {
    const path = scripted({ status: 503 });
    const h = harness();
    const error = await failure(
      h.client.send(
        { method: "GET", url: url(path), headers: {} },
        new DefaultErrorHandler({ maxRetries: 0 }),
        signal(),
      ),
    );
    expect(server.hits(path)).toBe(1);
    expect(h.waits).toEqual([]);
    expect(error.message).toContain("HTTP Status Code: 503. Error: Service unavailable.");
  });

  test("a backoff strategy's wait is used for every retry; running out of them is a system error (as in the CDK)", async () => {
    const path = scripted({ status: 502 });
    const h = harness();
    const handler = new DefaultErrorHandler({
      maxRetries: 2,
      backoffStrategies: [new ConstantBackoffStrategy(2)],
    });
    const error = await failure(
      h.client.send({ method: "GET", url: url(path), headers: {} }, handler, signal()),
    );
    expect(h.waits).toEqual([3000, 3000]);
    expect(server.hits(path)).toBe(3);
    expect(error.failureType).toBe("system_error");
  });

  test("max_time: a RETRY gives up once it has run out, a RATE_LIMITED still retries", async () => {
    const retry = scripted({ status: 500 }, { status: 200 });
    const h = harness();
    const handler = new DefaultErrorHandler({ maxTimeSeconds: 0 });
    const error = await failure(
      h.client.send({ method: "GET", url: url(retry), headers: {} }, handler, signal()),
    );
    expect(server.hits(retry)).toBe(1);
    expect(error.message).toContain("Exhausted available request attempts");

    const limited = scripted({ status: 429 }, { status: 200 });
    const result = await h.client.send({ method: "GET", url: url(limited), headers: {} }, handler, signal());
    expect(result.status).toBe(200);
    expect(server.hits(limited)).toBe(2);
  });

  test("an unmapped error status is retried as a system error with requests' wording", async () => {
    const path = scripted({ status: 418, body: "short and stout" });
    const h = harness();
    const error = await failure(
      h.client.send(
        { method: "GET", url: url(`${path}?key=hunter2`), headers: {} },
        new DefaultErrorHandler({ maxRetries: 1 }),
        signal(),
      ),
    );
    expect(server.hits(path)).toBe(2);
    expect(error.failureType).toBe("system_error");
    expect(error.message).toContain(
      `Response was not ok: \`418 Client Error: I'm a Teapot for url: ${server.url}${path}?…\`. Response content is: short and stout`,
    );
    expect(error.message).not.toContain("hunter2");
  });
});

describe("failures", () => {
  test("401 fails at once as a config error with the CDK's message", async () => {
    const path = scripted({ status: 401, body: { error: "invalid token" } });
    const h = harness();
    const error = await failure(
      h.client.send({ method: "GET", url: url(path), headers: {} }, new DefaultErrorHandler(), signal()),
    );
    expect(server.hits(path)).toBe(1);
    expect(error.failureType).toBe("config_error");
    expect(error.status).toBe(401);
    expect(error.message).toBe(
      "HTTP Status Code: 401. Error: Unauthorized. Please ensure you are authenticated correctly.",
    );
    expect(error.internalMessage).toContain("error message: 'invalid token'");
    expect(error.hint).toContain("credentials");
    expect(error.text).toContain(error.hint as string);
  });

  test("404 fails as a system error; a response filter can IGNORE it instead", async () => {
    const path = scripted({ status: 404, body: { detail: "no such thing" } });
    const h = harness();
    const error = await failure(
      h.client.send({ method: "GET", url: url(path), headers: {} }, new DefaultErrorHandler(), signal()),
    );
    expect(error.failureType).toBe("system_error");
    expect(error.message).toContain("HTTP Status Code: 404. Error: Not found.");

    const ignoring = new DefaultErrorHandler({
      responseFilters: [new HttpResponseFilter({ action: "IGNORE", httpCodes: [404] })],
    });
    const result = await h.client.send({ method: "GET", url: url(path), headers: {} }, ignoring, signal());
    expect(result.ignored).toBe(true);
    expect(result.status).toBe(404);
    expect(server.hits(path)).toBe(2);
  });

  test("a FAIL filter's failure type and error message (from the body) are used", async () => {
    const path = scripted({ status: 400, body: { detail: "date range too wide" } });
    const h = harness();
    const handler = new DefaultErrorHandler({
      responseFilters: [
        new HttpResponseFilter({
          action: "FAIL",
          httpCodes: [400],
          failureType: "config_error",
          errorMessage: (ctx) => `Bad request: ${(ctx.response as { detail: string }).detail}`,
        }),
      ],
    });
    const error = await failure(
      h.client.send({ method: "GET", url: url(path), headers: {} }, handler, signal()),
    );
    expect(error.message).toBe("Bad request: date range too wide");
    expect(error.failureType).toBe("config_error");
  });

  test("a filter's failure type only counts with FAIL; without one the mapping's applies", async () => {
    const h = harness();
    const serverError = scripted({ status: 500 });
    const failing = new DefaultErrorHandler({
      responseFilters: [new HttpResponseFilter({ action: "FAIL", httpCodes: [500] })],
    });
    const error = await failure(
      h.client.send({ method: "GET", url: url(serverError), headers: {} }, failing, signal()),
    );
    expect(server.hits(serverError)).toBe(1);
    expect(error.failureType).toBe("transient_error");
    expect(error.message).toBe("HTTP Status Code: 500. Error: Internal server error.");

    const teapot = scripted({ status: 418 });
    const retrying = new DefaultErrorHandler({
      maxRetries: 1,
      responseFilters: [
        new HttpResponseFilter({ action: "RETRY", httpCodes: [418], failureType: "config_error" }),
      ],
    });
    const error2 = await failure(
      h.client.send({ method: "GET", url: url(teapot), headers: {} }, retrying, signal()),
    );
    expect(error2.failureType).toBe("system_error");
  });

  test("a filter without an action matches nothing", async () => {
    const path = scripted({ status: 404 });
    const h = harness();
    const handler = new DefaultErrorHandler({
      responseFilters: [new HttpResponseFilter({ httpCodes: [404], failureType: "config_error" })],
    });
    const error = await failure(
      h.client.send({ method: "GET", url: url(path), headers: {} }, handler, signal()),
    );
    expect(error.failureType).toBe("system_error");
    expect(error.message).toContain("HTTP Status Code: 404");
  });

  test("RESET_PAGINATION is handed to the caller", async () => {
    const path = scripted({ status: 400, body: { error: "cursor expired" } });
    const h = harness();
    const handler = new DefaultErrorHandler({
      responseFilters: [
        new HttpResponseFilter({ action: "RESET_PAGINATION", errorMessageContains: "cursor expired" }),
      ],
    });
    await expect(
      h.client.send({ method: "GET", url: url(path), headers: {} }, handler, signal()),
    ).rejects.toBeInstanceOf(PaginationResetRequiredError);
  });

  test("a URL that is not http(s) fails as a config error (InvalidSchema); one that is not a URL as a system error", async () => {
    const h = harness();
    const error = await failure(
      h.client.send(
        { method: "GET", url: "ftp://example.com/x", headers: {} },
        new DefaultErrorHandler(),
        signal(),
      ),
    );
    expect(error.failureType).toBe("config_error");
    expect(error.message).toContain("Invalid Protocol Schema");
    const error2 = await failure(
      h.client.send({ method: "GET", url: "/relative", headers: {} }, new DefaultErrorHandler(), signal()),
    );
    expect(error2.failureType).toBe("system_error");
    expect(error2.message).toContain("not an absolute URL");
  });

  test("a body on a GET is sent, as requests sends it (fetch cannot; node:http does)", async () => {
    // Bun.serve drops a GET's body, so a node:http server checks what went over the wire.
    const seen: { method: string; body: string; type: string | undefined }[] = [];
    const raw = createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        seen.push({ method: req.method ?? "", body, type: req.headers["content-type"] });
        res.writeHead(200, { "content-type": "application/json" }).end('{"ok": true}');
      });
    });
    await new Promise<void>((r) => raw.listen(0, "127.0.0.1", () => r()));
    try {
      const port = (raw.address() as { port: number }).port;
      const h = harness();
      const result = await h.client.send(
        {
          method: "get",
          url: `http://127.0.0.1:${port}/x?a=1`,
          headers: { "Content-Type": "application/x-www-form-urlencoded" },
          body: "page_size=50",
        },
        new DefaultErrorHandler(),
        signal(),
      );
      expect(result.json()).toEqual({ ok: true });
      expect(seen).toEqual([
        { method: "GET", body: "page_size=50", type: "application/x-www-form-urlencoded" },
      ]);
    } finally {
      raw.close();
    }
  });

  test("a refused connection is retried, then fails with advice about reaching the host", async () => {
    const gone = serve(new Hono());
    const port = gone.port;
    await gone.stop();
    const h = harness();
    const error = await failure(
      h.client.send(
        { method: "GET", url: `http://127.0.0.1:${port}/x`, headers: {} },
        new DefaultErrorHandler({ maxRetries: 1 }),
        signal(),
      ),
    );
    expect(h.waits).toEqual([1000]);
    expect(error.status).toBeNull();
    expect(error.failureType).toBe("system_error");
    expect(error.message).toContain("Exception: ConnectionError: ");
    expect(error.hint).toContain("reachable");
  });
});

describe("response filters", () => {
  test("a predicate can send a 200 back for another try", async () => {
    const path = scripted(
      { status: 200, body: { status: "pending" } },
      { status: 200, body: { status: "done", items: [1] } },
    );
    const h = harness();
    const handler = new DefaultErrorHandler({
      responseFilters: [
        new HttpResponseFilter({
          action: "RETRY",
          predicate: (ctx) =>
            (ctx.response as { status?: string }).status === "pending" &&
            ctx.headers["Content-Type"] !== undefined,
        }),
      ],
    });
    const result = await h.client.send({ method: "GET", url: url(path), headers: {} }, handler, signal());
    expect(result.json()).toEqual({ status: "done", items: [1] });
    expect(server.hits(path)).toBe(2);
  });

  test("error_message_contains reads the error message out of the body", async () => {
    const path = scripted({
      status: 403,
      body: { errors: [{ message: "This API operation is not enabled for this site" }] },
    });
    const h = harness();
    const handler = new DefaultErrorHandler({
      responseFilters: [
        new HttpResponseFilter({ action: "IGNORE", errorMessageContains: "not enabled for this site" }),
      ],
    });
    const result = await h.client.send({ method: "GET", url: url(path), headers: {} }, handler, signal());
    expect(result.ignored).toBe(true);
  });
});

describe("CompositeErrorHandler", () => {
  test("the first handler that retries or ignores wins, with the strategies in handler order", async () => {
    const path = scripted({ status: 403 }, { status: 200 });
    const h = harness();
    const handler = new CompositeErrorHandler([
      new DefaultErrorHandler({
        responseFilters: [new HttpResponseFilter({ action: "RETRY", httpCodes: [403] })],
        backoffStrategies: [new ConstantBackoffStrategy(7)],
      }),
      new DefaultErrorHandler({ backoffStrategies: [new ConstantBackoffStrategy(11)] }),
    ]);
    const result = await h.client.send({ method: "GET", url: url(path), headers: {} }, handler, signal());
    expect(result.status).toBe(200);
    expect(h.waits).toEqual([8000]);
  });

  test("a FAIL from an earlier handler gives way to a later handler's resolution (the CDK's rule)", async () => {
    const path = scripted({ status: 403 });
    const h = harness();
    const handler = new CompositeErrorHandler([
      new DefaultErrorHandler({
        responseFilters: [
          new HttpResponseFilter({
            action: "FAIL",
            httpCodes: [403],
            errorMessage: "Plan does not include this",
          }),
        ],
      }),
      new DefaultErrorHandler({
        responseFilters: [new HttpResponseFilter({ action: "IGNORE", httpCodes: [403] })],
      }),
    ]);
    const result = await h.client.send({ method: "GET", url: url(path), headers: {} }, handler, signal());
    expect(result.ignored).toBe(true);

    const onlyFail: ErrorHandler = new CompositeErrorHandler([
      new DefaultErrorHandler({
        responseFilters: [new HttpResponseFilter({ action: "IGNORE", httpCodes: [404] })],
      }),
      new DefaultErrorHandler({
        responseFilters: [
          new HttpResponseFilter({
            action: "FAIL",
            httpCodes: [403],
            errorMessage: "Plan does not include this",
          }),
        ],
      }),
    ]);
    const error = await failure(
      h.client.send({ method: "GET", url: url(path), headers: {} }, onlyFail, signal()),
    );
    expect(error.message).toBe("Plan does not include this");
    expect(error.failureType).toBe("config_error");
  });
});

describe("backoff from headers", () => {
  test("WaitTimeFromHeader applies its regex at the start of the value", async () => {
    const path = scripted({ status: 429, headers: { "X-Wait": "12s (quota)" } }, { status: 200 });
    const h = harness();
    const handler = new DefaultErrorHandler({
      backoffStrategies: [new WaitTimeFromHeader({ header: "x-wait", regex: "\\d+" })],
    });
    await h.client.send({ method: "GET", url: url(path), headers: {} }, handler, signal());
    expect(h.waits).toEqual([13000]);
  });

  test("WaitTimeFromHeader stops the stream, without retrying, when asked to wait too long", async () => {
    const path = scripted({ status: 429, headers: { "Retry-After": "3600" } }, { status: 200 });
    const h = harness();
    const handler = new DefaultErrorHandler({
      backoffStrategies: [new WaitTimeFromHeader({ header: "Retry-After", maxWaitingTimeSeconds: 600 })],
    });
    const error = await failure(
      h.client.send({ method: "GET", url: url(path), headers: {} }, handler, signal()),
    );
    expect(server.hits(path)).toBe(1);
    expect(error.failureType).toBe("transient_error");
    expect(error.message).toBe("The rate limit is greater than max waiting time has been reached.");
    expect(error.internalMessage).toContain("3600");
  });
});

describe("timeouts and cancellation", () => {
  test("an attempt that hangs times out and is retried", async () => {
    const path = scripted("hang", { status: 200, body: { late: false } });
    const h = harness({ timeoutMs: 150 });
    const result = await h.client.send(
      { method: "GET", url: url(path), headers: {} },
      new DefaultErrorHandler(),
      signal(),
    );
    expect(result.json()).toEqual({ late: false });
    expect(server.hits(path)).toBe(2);
    expect(h.waits).toEqual([1000]);
  });

  test("a server that always hangs ends in a timeout failure", async () => {
    const path = scripted("hang");
    const h = harness({ timeoutMs: 100 });
    const error = await failure(
      h.client.send(
        { method: "GET", url: url(path), headers: {} },
        new DefaultErrorHandler({ maxRetries: 1 }),
        signal(),
      ),
    );
    expect(server.hits(path)).toBe(2);
    expect(error.message).toContain("Timeout: GET");
    expect(error.message).toContain("within 100 ms");
    expect(error.hint).toContain("timeout");
  });

  test("cancelling during a backoff wait stops at once with an AbortError", async () => {
    const path = scripted({ status: 500 });
    const sleeping = deferred();
    const controller = new AbortController();
    const h = harness({
      sleep: (ms, s) => {
        sleeping.resolve();
        return abortableSleep(ms, s); // an hour: far longer than the test
      },
    });
    const pending = h.client.send(
      { method: "GET", url: url(path), headers: {} },
      new DefaultErrorHandler({ backoffStrategies: [new ConstantBackoffStrategy(3600)] }),
      controller.signal,
    );
    await sleeping.promise;
    controller.abort();
    const error = await pending.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DOMException);
    expect((error as DOMException).name).toBe("AbortError");
    expect(server.hits(path)).toBe(1);
  });

  test("cancelling while a request hangs stops at once and frees its slot", async () => {
    const path = scripted("hang");
    const reached = deferred();
    arrived.set(path, () => reached.resolve());
    const controller = new AbortController();
    const h = harness({ timeoutMs: 60_000 });
    const pending = h.client.send(
      { method: "GET", url: url(path), headers: {} },
      new DefaultErrorHandler(),
      controller.signal,
    );
    await reached.promise;
    expect(h.client.inFlight).toBe(1);
    controller.abort();
    const error = await pending.catch((e: unknown) => e);
    expect((error as DOMException).name).toBe("AbortError");
    expect(h.client.inFlight).toBe(0);
  });

  test("cancelling a request that waits for a slot", async () => {
    const path = scripted("hang");
    const reached = deferred();
    arrived.set(path, () => reached.resolve());
    const h = harness({ maxConcurrency: 1, timeoutMs: 60_000 });
    const first = new AbortController();
    const second = new AbortController();
    const p1 = h.client.send(
      { method: "GET", url: url(path), headers: {} },
      new DefaultErrorHandler(),
      first.signal,
    );
    await reached.promise;
    const other = scripted({ status: 200 });
    const p2 = h.client.send(
      { method: "GET", url: url(other), headers: {} },
      new DefaultErrorHandler(),
      second.signal,
    );
    second.abort();
    expect(((await p2.catch((e: unknown) => e)) as DOMException).name).toBe("AbortError");
    expect(server.hits(other)).toBe(0);
    first.abort();
    expect(((await p1.catch((e: unknown) => e)) as DOMException).name).toBe("AbortError");
    expect(h.client.inFlight).toBe(0);
  });

  test("each attempt gets its whole timeout, also one started after an earlier attempt ended", async () => {
    // The client's one timer is set for the first attempt's deadline; the second attempt, started
    // later, must not be cut short when that timer fires, and must still time out at its own.
    const quick = scripted({ status: 200, body: { n: 1 } });
    const hanging = scripted("hang");
    const h = harness({ timeoutMs: 300 });
    const handler = new DefaultErrorHandler({ maxRetries: 0 });
    await h.client.send({ method: "GET", url: url(quick), headers: {} }, handler, signal());
    await Bun.sleep(150);
    const started = performance.now();
    const error = await failure(
      h.client.send({ method: "GET", url: url(hanging), headers: {} }, handler, signal()),
    );
    const lasted = performance.now() - started;
    expect(error.message).toContain("within 300 ms");
    // Not stopped when the first attempt's deadline passed (about 150 ms in).
    expect(lasted).toBeGreaterThanOrEqual(290);
  });

  test("attempts in flight at once time out one by one, and one cancel stops only its own", async () => {
    const a = scripted("hang");
    const b = scripted("hang");
    const c = scripted({ status: 200, body: { c: true } });
    const h = harness({ timeoutMs: 400, maxConcurrency: 4 });
    const handler = new DefaultErrorHandler({ maxRetries: 0 });
    const cancelA = new AbortController();
    const pa = h.client
      .send({ method: "GET", url: url(a), headers: {} }, handler, cancelA.signal)
      .catch((e: unknown) => e);
    const pb = h.client
      .send({ method: "GET", url: url(b), headers: {} }, handler, signal())
      .catch((e: unknown) => e);
    const reachedA = deferred();
    if (server.hits(a) > 0) reachedA.resolve();
    else arrived.set(a, () => reachedA.resolve());
    await reachedA.promise;
    cancelA.abort();
    expect(((await pa) as DOMException).name).toBe("AbortError");
    // b is still waiting for its answer: c, sent now, is answered while b hangs.
    const rc = await h.client.send({ method: "GET", url: url(c), headers: {} }, handler, signal());
    expect(rc.json()).toEqual({ c: true });
    expect(h.client.inFlight).toBe(1);
    const eb = (await pb) as HttpRequestError;
    expect(eb).toBeInstanceOf(HttpRequestError);
    expect(eb.message).toContain("within 400 ms");
    expect(h.client.inFlight).toBe(0);
  });

  test("a timeout longer than a timer can hold does not cut a slow answer short", async () => {
    // 2^32 ms (about 50 days) overflows setTimeout, which would then fire at once.
    const app = new Hono();
    app.get("/slow", async (c) => {
      await Bun.sleep(50);
      return c.json({ slow: true });
    });
    const slow = serve(app);
    // An overflowing delay is reported as a warning: none may be (no timer set beyond the limit).
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on("warning", onWarning);
    try {
      const h = harness({ timeoutMs: 2 ** 32 });
      const result = await h.client.send(
        { method: "GET", url: `${slow.url}/slow`, headers: {} },
        new DefaultErrorHandler({ maxRetries: 0 }),
        signal(),
      );
      expect(result.json()).toEqual({ slow: true });
      await Bun.sleep(0);
      expect(warnings.filter((n) => n === "TimeoutOverflowWarning")).toEqual([]);
    } finally {
      process.off("warning", onWarning);
      slow.stop();
    }
  });

  test("an already aborted signal sends nothing", async () => {
    const path = scripted({ status: 200 });
    const h = harness();
    const controller = new AbortController();
    controller.abort();
    const error = await h.client
      .send({ method: "GET", url: url(path), headers: {} }, new DefaultErrorHandler(), controller.signal)
      .catch((e: unknown) => e);
    expect((error as DOMException).name).toBe("AbortError");
    expect(server.hits(path)).toBe(0);
  });
});

describe("concurrency cap", () => {
  test("with a cap of 2, ten parallel sends never have more than 2 requests at the server", async () => {
    // The server holds the first request until a second one is in flight with it, so the most it sees at
    // once is the cap (2), not less; a cap that let more through would show as more.
    const pair = deferred();
    const app = new Hono();
    app.get("/gated/:i", async (c) => {
      if (own.inFlight >= 2) pair.resolve();
      await pair.promise;
      return c.json({ i: c.req.param("i") });
    });
    const own = serve(app);
    try {
      const h = harness({ maxConcurrency: 2 });
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          h.client.send(
            { method: "GET", url: `${own.url}/gated/${i}`, headers: {} },
            new DefaultErrorHandler(),
            signal(),
          ),
        ),
      );
      expect(results.map((r) => (r.json() as { i: string }).i)).toEqual(
        Array.from({ length: 10 }, (_, i) => String(i)),
      );
      expect(own.maxInFlight).toBe(2);
      expect(h.client.inFlight).toBe(0);
    } finally {
      await own.stop();
    }
  });
});

describe("requests", () => {
  test("redirects are followed through the host map; the result's URL is in the caller's terms", async () => {
    scripts.set("/script/after-redirect", [{ status: 200, body: { landed: true } }]);
    const h = harness();
    const relative = await h.client.send(
      { method: "GET", url: "https://api.example.com/redirect/relative", headers: {} },
      new DefaultErrorHandler(),
      signal(),
    );
    expect(relative.json()).toEqual({ landed: true });
    expect(relative.url).toBe("https://api.example.com/script/after-redirect?x=1");

    const absolute = await h.client.send(
      { method: "GET", url: `${server.url}/redirect/absolute`, headers: { Authorization: "Bearer t" } },
      new DefaultErrorHandler(),
      signal(),
    );
    expect(absolute.url).toBe("https://api.example.com/script/after-redirect");
    // The redirect went to another host: the credentials stayed behind.
    expect(seenAuth.at(-1)).toBeNull();
  });

  test("json() names the URL and status when the body is not JSON", async () => {
    const path = scripted({
      status: 200,
      body: "<html>maintenance</html>",
      headers: { "Content-Type": "text/html" },
    });
    const h = harness();
    const result = await h.client.send(
      { method: "GET", url: url(path), headers: {} },
      new DefaultErrorHandler(),
      signal(),
    );
    expect(result.text).toBe("<html>maintenance</html>");
    let error: unknown;
    try {
      result.json();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ResponseNotJsonError);
    expect((error as Error).message).toContain(`${server.url}${path}`);
    expect((error as Error).message).toContain("HTTP 200, text/html");
  });

  test("POST bodies and headers reach the server; authentication is asked for on every attempt", async () => {
    const app = new Hono();
    const bodies: string[] = [];
    app.post("/token-check", async (c) => {
      bodies.push(await c.req.text());
      if (c.req.header("authorization") !== "Bearer fresh") return c.json({ message: "expired" }, 401);
      return c.json({ ok: c.req.header("x-api-version") });
    });
    const own = serve(app);
    try {
      const h = harness();
      const calls: boolean[] = [];
      const handler = new DefaultErrorHandler({
        responseFilters: [new HttpResponseFilter({ action: "REFRESH_TOKEN_THEN_RETRY", httpCodes: [401] })],
      });
      const result = await h.client.send(
        {
          method: "POST",
          url: `${own.url}/token-check`,
          headers: { "x-api-version": "2", "content-type": "application/json" },
          body: '{"q":1}',
          authenticate: async ({ forceRefresh }) => {
            calls.push(forceRefresh);
            return { Authorization: forceRefresh ? "Bearer fresh" : "Bearer stale" };
          },
        },
        handler,
        signal(),
      );
      expect(result.json()).toEqual({ ok: "2" });
      expect(calls).toEqual([false, true]);
      expect(bodies).toEqual(['{"q":1}', '{"q":1}']);
    } finally {
      await own.stop();
    }
  });

  test("logs name the request without its query, headers or bodies", async () => {
    const path = scripted(
      { status: 500, body: { message: "db down" } },
      { status: 200, body: { token: "body-secret" } },
    );
    const h = harness();
    await h.client.send(
      {
        method: "POST",
        url: url(`${path}?api_key=query-secret`),
        headers: { Authorization: "Bearer header-secret" },
        body: "body-secret-in",
      },
      new DefaultErrorHandler(),
      signal(),
      "stream orders",
    );
    const all = h.logs.join("\n");
    expect(h.logs.length).toBeGreaterThan(1);
    expect(all).toContain(`stream orders: POST ${server.url}${path}?…`);
    for (const secret of ["query-secret", "header-secret", "body-secret"]) expect(all).not.toContain(secret);
  });
});
