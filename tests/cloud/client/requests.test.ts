// Retries, timeouts and cancellation of the client's requests, against real servers on 127.0.0.1.

import { afterEach, describe, expect, test } from "bun:test";
import { Hono } from "hono";
import {
  CloudApiError,
  type CloudClient,
  type CreateCloudClientOptions,
  createCloudClient,
} from "../../../src/cloud/client/index.ts";
import { backoffDelayMs, parseRetryAfter, retryPolicy } from "../../../src/cloud/client/retry.ts";
import {
  type ApiServer,
  BEARER,
  cloudSettings,
  countingFetch,
  deferred,
  FAST_RETRY,
  problem,
  rejection,
  startApi,
} from "./helpers.ts";

const SOURCE = {
  sourceId: "22222222-2222-4222-8222-222222222222",
  name: "pokeapi",
  sourceType: "pokeapi",
  definitionId: "6371b14b-bc68-4236-bfbd-468e8df8e968",
  workspaceId: "11111111-1111-4111-8111-111111111111",
  configuration: { pokemon_name: "ditto" },
  createdAt: 1_700_000_000,
};
const SOURCE_PATH = `/v1/sources/${SOURCE.sourceId}`;

let api: ApiServer | null = null;
const releases: Array<() => void> = [];
afterEach(async () => {
  for (const r of releases.splice(0)) r();
  await api?.stop();
  api = null;
});

/** A handler that never answers until the test ends. */
function hang(): Promise<Response> {
  const d = deferred();
  releases.push(d.resolve);
  return d.promise.then(() => new Response(null, { status: 503 }));
}

function client(
  server: { origin: string } | string,
  options: Partial<CreateCloudClientOptions> & { env?: Record<string, string> } = {},
): CloudClient {
  const origin = typeof server === "string" ? server : server.origin;
  const { env, ...rest } = options;
  return createCloudClient({
    settings: cloudSettings({
      AIRBYTE_CLOUD_API_URL: `${origin}/v1`,
      AIRBYTE_CLOUD_BEARER_TOKEN: BEARER,
      ...env,
    }),
    retry: FAST_RETRY,
    ...rest,
  });
}

/** Answers `statuses` in turn (then 200 with `ok`), with optional headers per answer. */
function sequence(
  statuses: Array<number | { status: number; headers?: Record<string, string>; body?: unknown }>,
  ok: unknown,
) {
  let i = 0;
  return () => {
    const next = statuses[i++];
    if (next === undefined) return Response.json(ok);
    const spec = typeof next === "number" ? { status: next } : next;
    return Response.json(spec.body ?? problem(spec.status, "unexpected-problem", "Something failed."), {
      status: spec.status,
      headers: spec.headers ?? {},
    });
  };
}

describe("retries", () => {
  test("a GET answered 503 then 200 succeeds", async () => {
    const app = new Hono();
    app.get(SOURCE_PATH, sequence([503, 502], SOURCE));
    api = startApi(app);
    const source = await client(api).sources.get(SOURCE.sourceId);
    expect(source.name).toBe("pokeapi");
    expect(api.to(SOURCE_PATH)).toHaveLength(3);
  });

  test("429 with Retry-After is honoured instead of the backoff", async () => {
    const app = new Hono();
    app.get(SOURCE_PATH, sequence([{ status: 429, headers: { "Retry-After": "0" } }], SOURCE));
    api = startApi(app);
    // A 10-minute backoff would time the test out: the answer's Retry-After: 0 must win.
    const c = client(api, { retry: { ...FAST_RETRY, baseDelayMs: 600_000, maxDelayMs: 600_000 } });
    expect((await c.sources.get(SOURCE.sourceId)).sourceId).toBe(SOURCE.sourceId);
    expect(api.to(SOURCE_PATH)).toHaveLength(2);
  });

  test("Retry-After as an HTTP date in the past means retry now", async () => {
    const app = new Hono();
    const past = new Date(Date.now() - 60_000).toUTCString();
    app.get(SOURCE_PATH, sequence([{ status: 503, headers: { "Retry-After": past } }], SOURCE));
    api = startApi(app);
    const c = client(api, { retry: { ...FAST_RETRY, baseDelayMs: 600_000, maxDelayMs: 600_000 } });
    await c.sources.get(SOURCE.sourceId);
    expect(api.to(SOURCE_PATH)).toHaveLength(2);
  });

  test("a Retry-After longer than allowed is not waited for: the error says how long to wait", async () => {
    const app = new Hono();
    app.get(SOURCE_PATH, sequence([{ status: 429, headers: { "Retry-After": "3600" } }], SOURCE));
    api = startApi(app);
    const e = (await rejection(client(api).sources.get(SOURCE.sourceId))) as CloudApiError;
    expect(e.status).toBe(429);
    expect(e.retryAfterMs).toBe(3_600_000);
    expect(e.hint).toContain("3600 s");
    expect(api.to(SOURCE_PATH)).toHaveLength(1);
  });

  test("503 on every try: CloudApiError after maxAttempts, with the number of tries and a hint", async () => {
    const app = new Hono();
    app.get(SOURCE_PATH, (c) =>
      c.json(problem(503, "service-unavailable", "The service is unavailable."), 503),
    );
    api = startApi(app);
    const e = (await rejection(client(api).sources.get(SOURCE.sourceId))) as CloudApiError;
    expect(e).toBeInstanceOf(CloudApiError);
    expect(e.kind).toBe("http");
    expect(e.status).toBe(503);
    expect(e.message).toContain(`GET ${api.origin}${SOURCE_PATH}`);
    expect(e.message).toContain("service-unavailable");
    expect(e.hint).toContain(`${FAST_RETRY.maxAttempts} tries`);
    expect(e.hint).toContain("try again");
    expect(api.to(SOURCE_PATH)).toHaveLength(FAST_RETRY.maxAttempts);
  });

  test("a 4xx other than 429 is not retried", async () => {
    const app = new Hono();
    app.get(SOURCE_PATH, (c) => c.json(problem(404, "resource-not-found", "Not found."), 404));
    api = startApi(app);
    await rejection(client(api).sources.get(SOURCE.sourceId));
    expect(api.to(SOURCE_PATH)).toHaveLength(1);
  });

  test("a POST that creates is not repeated after a 500: it may have created the source", async () => {
    const app = new Hono();
    app.post("/v1/sources", sequence([500], SOURCE));
    api = startApi(app);
    const e = (await rejection(
      client(api).sources.create({
        name: "pokeapi",
        workspaceId: SOURCE.workspaceId,
        configuration: { sourceType: "pokeapi" },
      }),
    )) as CloudApiError;
    expect(e.status).toBe(500);
    expect(e.hint).toContain("may have been created");
    expect(e.hint).toContain("sources");
    expect(api.to("/v1/sources", "POST")).toHaveLength(1);
  });

  test("a POST that creates is repeated after a 429: the server did nothing", async () => {
    const app = new Hono();
    app.post("/v1/sources", sequence([{ status: 429, headers: { "Retry-After": "0" } }], SOURCE));
    api = startApi(app);
    const created = await client(api).sources.create({
      name: "pokeapi",
      workspaceId: SOURCE.workspaceId,
      configuration: { sourceType: "pokeapi" },
    });
    expect(created.sourceId).toBe(SOURCE.sourceId);
    expect(api.to("/v1/sources", "POST")).toHaveLength(2);
  });

  test("starting a job is not repeated after a 502; the hint says to look at the jobs first", async () => {
    const app = new Hono();
    app.post("/v1/jobs", sequence([502], {}));
    api = startApi(app);
    const e = (await rejection(
      client(api).jobs.create({ connectionId: "c1", jobType: "sync" }),
    )) as CloudApiError;
    expect(e.hint).toContain("list the connection's sync jobs");
    expect(api.to("/v1/jobs", "POST")).toHaveLength(1);
  });

  test("a PATCH (absolute values) is retried after a 503", async () => {
    const app = new Hono();
    app.patch(SOURCE_PATH, sequence([503], { ...SOURCE, name: "renamed" }));
    api = startApi(app);
    const s = await client(api).sources.patch(SOURCE.sourceId, { name: "renamed" });
    expect(s.name).toBe("renamed");
    expect(api.to(SOURCE_PATH, "PATCH").map((r) => JSON.parse(r.body))).toEqual([
      { name: "renamed" },
      { name: "renamed" },
    ]);
  });

  test("a DELETE whose first try deleted but answered 500 succeeds when the retry finds nothing", async () => {
    const app = new Hono();
    let deleted = false;
    app.delete(SOURCE_PATH, (c) => {
      if (!deleted) {
        deleted = true;
        return c.json(problem(500, "unexpected-problem", "Lost the answer."), 500);
      }
      return c.json(problem(404, "resource-not-found", "No such source."), 404);
    });
    api = startApi(app);
    await client(api).sources.delete(SOURCE.sourceId);
    expect(api.to(SOURCE_PATH, "DELETE")).toHaveLength(2);
  });

  test("a DELETE of something that never existed is still a 404", async () => {
    const app = new Hono();
    app.delete(SOURCE_PATH, (c) => c.json(problem(404, "resource-not-found", "No such source."), 404));
    api = startApi(app);
    const e = (await rejection(client(api).sources.delete(SOURCE.sourceId))) as CloudApiError;
    expect(e.status).toBe(404);
  });

  test("a GET whose connection is reset is retried", async () => {
    // A raw TCP server: the first connection is closed without an answer, the next ones are answered.
    let connections = 0;
    const body = JSON.stringify(SOURCE);
    const tcp = Bun.listen({
      hostname: "127.0.0.1",
      port: 0,
      socket: {
        open() {},
        data(socket) {
          connections++;
          if (connections === 1) {
            socket.end();
            return;
          }
          socket.end(
            `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
          );
        },
      },
    });
    try {
      const s = await client(`http://127.0.0.1:${tcp.port}`).sources.get(SOURCE.sourceId);
      expect(s.sourceId).toBe(SOURCE.sourceId);
      expect(connections).toBe(2);
    } finally {
      tcp.stop(true);
    }
  });

  test("a POST that creates is repeated when the connection is refused (nothing was sent)", async () => {
    // A port nobody listens on: take one from a server and stop it.
    const probe = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response() });
    const origin = `http://127.0.0.1:${probe.port}`;
    probe.stop(true);
    const counting = countingFetch();
    const e = (await rejection(
      client(origin, { fetch: counting.fetch }).sources.create({
        name: "x",
        workspaceId: SOURCE.workspaceId,
        configuration: {},
      }),
    )) as CloudApiError;
    expect(e.kind).toBe("network");
    expect(e.message).toContain("ECONNREFUSED");
    expect(counting.count()).toBe(FAST_RETRY.maxAttempts);
  });
});

describe("timeouts", () => {
  const slow = { env: { AIRBYTE_HTTP_TIMEOUT: "0.05" } };

  test("a GET with no answer in time is tried again", async () => {
    const app = new Hono();
    let n = 0;
    app.get(SOURCE_PATH, async (c) => (++n === 1 ? hang() : c.json(SOURCE)));
    api = startApi(app);
    const s = await client(api, slow).sources.get(SOURCE.sourceId);
    expect(s.sourceId).toBe(SOURCE.sourceId);
    expect(n).toBe(2);
  });

  test("every try timing out: a timeout error that says how long it waited", async () => {
    const app = new Hono();
    app.get(SOURCE_PATH, () => hang());
    api = startApi(app);
    const e = (await rejection(client(api, slow).sources.get(SOURCE.sourceId))) as CloudApiError;
    expect(e.kind).toBe("timeout");
    expect(e.message).toContain("0.05 s");
    expect(e.hint).toContain("AIRBYTE_HTTP_TIMEOUT");
    expect(api.to(SOURCE_PATH)).toHaveLength(FAST_RETRY.maxAttempts);
  });

  test("a POST that creates is not repeated after a timeout", async () => {
    const app = new Hono();
    app.post("/v1/connections", () => hang());
    api = startApi(app);
    const e = (await rejection(
      client(api, slow).connections.create({ sourceId: "s", destinationId: "d", name: "c" }),
    )) as CloudApiError;
    expect(e.kind).toBe("timeout");
    expect(e.hint).toContain("connection may have been created");
    expect(api.to("/v1/connections", "POST")).toHaveLength(1);
  });
});

describe("cancellation", () => {
  test("aborting during a request ends the call at once", async () => {
    const app = new Hono();
    const arrived = deferred();
    app.get(SOURCE_PATH, () => {
      arrived.resolve();
      return hang();
    });
    api = startApi(app);
    const controller = new AbortController();
    const call = client(api).sources.get(SOURCE.sourceId, controller.signal);
    await arrived.promise;
    controller.abort();
    const e = (await rejection(call)) as CloudApiError;
    expect(e.kind).toBe("cancelled");
    expect(e.message).toContain("get source");
    expect(api.to(SOURCE_PATH)).toHaveLength(1);
  });

  test("aborting while waiting to retry ends the call at once and sends nothing more", async () => {
    const app = new Hono();
    const arrived = deferred();
    app.get(SOURCE_PATH, (c) => {
      arrived.resolve();
      return c.json(problem(503, "service-unavailable", "Busy."), 503, { "Retry-After": "50" });
    });
    api = startApi(app);
    const controller = new AbortController();
    const call = client(api).sources.get(SOURCE.sourceId, controller.signal);
    await arrived.promise;
    await Bun.sleep(5);
    controller.abort();
    const e = (await rejection(call)) as CloudApiError;
    expect(e.kind).toBe("cancelled");
    expect(e.hint).toContain("Nothing more was sent");
    expect(api.to(SOURCE_PATH)).toHaveLength(1);
  });

  test("a create cancelled in flight says the object may exist", async () => {
    const app = new Hono();
    const arrived = deferred();
    app.post("/v1/destinations", () => {
      arrived.resolve();
      return hang();
    });
    api = startApi(app);
    const controller = new AbortController();
    const call = client(api).destinations.create(
      { name: "d", workspaceId: SOURCE.workspaceId, configuration: {} },
      controller.signal,
    );
    await arrived.promise;
    controller.abort();
    const e = (await rejection(call)) as CloudApiError;
    expect(e.kind).toBe("cancelled");
    expect(e.hint).toContain("destination may have been created");
  });

  test("an already aborted signal sends nothing", async () => {
    const app = new Hono();
    app.get(SOURCE_PATH, (c) => c.json(SOURCE));
    api = startApi(app);
    const e = (await rejection(
      client(api).sources.get(SOURCE.sourceId, AbortSignal.abort()),
    )) as CloudApiError;
    expect(e.kind).toBe("cancelled");
    expect(api.requests).toHaveLength(0);
  });

  test("a caller giving up while the token is minted does not break the token for others", async () => {
    const app = new Hono();
    const tokenAsked = deferred();
    const release = deferred();
    app.post("/v1/applications/token", async (c) => {
      tokenAsked.resolve();
      await release.promise;
      return c.json({ access_token: "token-1", token_type: "Bearer", expires_in: 900 });
    });
    app.get(SOURCE_PATH, (c) => c.json(SOURCE));
    api = startApi(app);
    const c = client(api, {
      settings: cloudSettings({
        AIRBYTE_CLOUD_API_URL: `${api.origin}/v1`,
        AIRBYTE_CLOUD_CLIENT_ID: "id",
        AIRBYTE_CLOUD_CLIENT_SECRET: "secret-value-1234",
      }),
    });
    const controller = new AbortController();
    const first = c.sources.get(SOURCE.sourceId, controller.signal);
    const second = c.sources.get(SOURCE.sourceId);
    await tokenAsked.promise;
    controller.abort();
    expect(((await rejection(first)) as CloudApiError).kind).toBe("cancelled");
    release.resolve();
    expect((await second).sourceId).toBe(SOURCE.sourceId);
    expect(api.to("/v1/applications/token")).toHaveLength(1);
    expect(api.to(SOURCE_PATH)).toHaveLength(1);
  });
});

describe("retry arithmetic", () => {
  test("Retry-After: seconds, HTTP dates, garbage", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(parseRetryAfter("120", now)).toBe(120_000);
    expect(parseRetryAfter("1.5", now)).toBe(1500);
    expect(parseRetryAfter("Thu, 01 Jan 2026 00:00:30 GMT", now)).toBe(30_000);
    expect(parseRetryAfter("Wed, 31 Dec 2025 23:59:00 GMT", now)).toBe(0);
    expect(parseRetryAfter("soon", now)).toBeNull();
    expect(parseRetryAfter(null, now)).toBeNull();
    expect(parseRetryAfter("-5", now)).toBeNull();
  });

  test("backoff doubles from the base, stays under the cap, and half of it is jitter", () => {
    const low = retryPolicy({ baseDelayMs: 100, maxDelayMs: 1000, random: () => 0 });
    const high = retryPolicy({ baseDelayMs: 100, maxDelayMs: 1000, random: () => 0.999999 });
    expect([1, 2, 3, 4, 5].map((r) => backoffDelayMs(low, r))).toEqual([50, 100, 200, 400, 500]);
    for (const r of [1, 2, 3, 4, 5]) {
      expect(backoffDelayMs(high, r)).toBeLessThanOrEqual(Math.min(1000, 100 * 2 ** (r - 1)));
      expect(backoffDelayMs(high, r)).toBeGreaterThan(backoffDelayMs(low, r));
    }
  });
});
