import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { createHttpClient, HttpError } from "../../src/core/http.ts";
import { HttpCache, OfflineMissError } from "../../src/core/http-cache.ts";
import { parseRegistry } from "../../src/registry/model.ts";
import { FakeRegistryServer, REGISTRY_PATH } from "../fakes/registry-server.ts";
import { tempDir } from "../helpers/binary.ts";
import { skipWithoutFixtures } from "../helpers/fixtures.ts";

const skip = skipWithoutFixtures("HTTP cache tests against the fake registry");
let server: FakeRegistryServer;
const dirs: { cleanup: () => void }[] = [];
beforeAll(() => {
  if (!skip) server = new FakeRegistryServer().start();
});
afterAll(async () => {
  await server?.stop();
  for (const d of dirs) d.cleanup();
});
afterEach(() => {
  if (server) server.faults = { registry: "ok", metadata: "ok", docs: "ok" };
});

let clock = Date.parse("2026-11-25T12:00:00Z");
function cache(opts: { dir?: string; ttlMs?: number; offline?: boolean; timeoutMs?: number } = {}) {
  const dir =
    opts.dir ??
    (() => {
      const d = tempDir();
      dirs.push(d);
      return d.path;
    })();
  const http = createHttpClient({ timeoutMs: opts.timeoutMs ?? 2000, userAgent: "test", retryDelayMs: 10 });
  return {
    dir,
    cache: new HttpCache({
      dir,
      ttlMs: opts.ttlMs ?? 60_000,
      http,
      offline: opts.offline ?? false,
      now: () => clock,
    }),
  };
}
const validate = (body: string) => {
  parseRegistry(body);
};

describe.skipIf(skip)("HttpCache", () => {
  test("downloads once, then serves from disk within the TTL", async () => {
    const before = server.count(REGISTRY_PATH);
    const { dir, cache: c1 } = cache();
    const first = await c1.get(server.registryUrl, validate);
    expect(first.origin).toBe("network");
    expect(first.text()).toBe(server.registryText);
    expect((await c1.get(server.registryUrl)).origin).toBe("network"); // memoised in-process
    const second = await cache({ dir }).cache.get(server.registryUrl);
    expect(second.origin).toBe("cache");
    expect(second.stale).toBe(false);
    expect(server.count(REGISTRY_PATH) - before).toBe(1);
  });

  test("after the TTL it revalidates with the ETag and a 304 keeps the cached body", async () => {
    const { dir, cache: c1 } = cache({ ttlMs: 1000 });
    await c1.get(server.registryUrl, validate);
    clock += 5000;
    const before = server.requests.length;
    const again = await cache({ dir, ttlMs: 1000 }).cache.get(server.registryUrl, validate);
    const sent = server.requests.slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.status).toBe(304);
    expect(sent[0]?.ifNoneMatch).toStartWith('"');
    expect(again.origin).toBe("cache");
    expect(again.stale).toBe(false);
    expect(again.text()).toBe(server.registryText);
  });

  test.each(["500", "hang", "cut", "garbage"] as const)(
    "a %s answer serves the stale cached copy with a note, or fails without one",
    async (fault) => {
      const { dir, cache: warm } = cache({ ttlMs: 1000, timeoutMs: 300 });
      await warm.get(server.registryUrl, validate);
      clock += 5000;
      server.faults.registry = fault;
      const stale = await cache({ dir, ttlMs: 1000, timeoutMs: 300 }).cache.get(server.registryUrl, validate);
      expect(stale.origin).toBe("cache");
      expect(stale.stale).toBe(true);
      expect(stale.note).toContain("may be stale");
      expect(stale.text()).toBe(server.registryText);

      const cold = cache({ timeoutMs: 300 });
      const error = await cold.cache.get(server.registryUrl, validate).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Error);
      if (fault === "hang") expect((error as HttpError).reason).toContain("no answer within");
      if (fault === "500") expect((error as HttpError).status).toBe(500);
      // Nothing half-downloaded was kept: once the server recovers, a fresh download happens.
      server.faults.registry = "ok";
      const recovered = await cache({ dir: cold.dir }).cache.get(server.registryUrl, validate);
      expect(recovered.origin).toBe("network");
    },
    10_000,
  );

  test("offline mode serves whatever is cached and never calls the network", async () => {
    const { dir, cache: warm } = cache({ ttlMs: 1 });
    await warm.get(server.registryUrl, validate);
    clock += 60_000;
    const before = server.requests.length;
    const offline = await cache({ dir, ttlMs: 1, offline: true }).cache.get(server.registryUrl);
    expect(offline.origin).toBe("cache");
    expect(offline.note).toContain("offline mode");
    const miss = await cache({ offline: true })
      .cache.get(server.registryUrl)
      .catch((e: unknown) => e);
    expect(miss).toBeInstanceOf(OfflineMissError);
    expect(server.requests.length).toBe(before);
  });

  test("an unreachable host is reported without retrying forever", async () => {
    const { cache: c } = cache({ timeoutMs: 500 });
    const error = await c.get("http://127.0.0.1:9/nothing").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).message).toContain("http://127.0.0.1:9/nothing");
  });
});
