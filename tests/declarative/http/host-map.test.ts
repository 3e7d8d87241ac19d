import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Hono } from "hono";

import { HttpClient } from "../../../src/declarative/http/client.ts";
import { DefaultErrorHandler } from "../../../src/declarative/http/error-handler.ts";
import { parseHostMap } from "../../../src/declarative/http/host-map.ts";
import { serve, type TestServer } from "./test-server.ts";

describe("parseHostMap", () => {
  test("no text, or only spaces and commas, maps nothing", () => {
    for (const text of [undefined, "", " , ,"]) {
      const map = parseHostMap(text);
      expect(map.size).toBe(0);
      expect(map.rewrite("https://api.example.com/v1?a=1")).toBe("https://api.example.com/v1?a=1");
    }
  });

  test("a mapped origin is replaced; path, query and fragment are kept", () => {
    const map = parseHostMap(
      "https://api.example.com=http://127.0.0.1:9000, https://auth.example.com/=http://localhost:9001",
    );
    expect(map.size).toBe(2);
    expect(map.rewrite("https://api.example.com/v1/users?page=2&q=a%20b#top")).toBe(
      "http://127.0.0.1:9000/v1/users?page=2&q=a%20b#top",
    );
    expect(map.rewrite("https://auth.example.com/oauth/token")).toBe("http://localhost:9001/oauth/token");
    // The default port is the same origin as no port.
    expect(map.rewrite("https://api.example.com:443/x")).toBe("http://127.0.0.1:9000/x");
    // Host names are case-insensitive.
    expect(map.rewrite("https://API.Example.com/x")).toBe("http://127.0.0.1:9000/x");
  });

  test("another scheme, port or host is left alone", () => {
    const map = parseHostMap("https://api.example.com=http://127.0.0.1:9000");
    for (const url of [
      "http://api.example.com/x",
      "https://api.example.com:8443/x",
      "https://other.example.com/x",
      "https://sub.api.example.com/x",
      "not a url",
    ]) {
      expect(map.rewrite(url)).toBe(url);
    }
  });

  test("a path on the right is a prefix for the request's path", () => {
    const map = parseHostMap("https://api.x.com=http://127.0.0.1:9000/mirror/");
    expect(map.rewrite("https://api.x.com/v2/items?limit=5")).toBe(
      "http://127.0.0.1:9000/mirror/v2/items?limit=5",
    );
    expect(map.rewrite("https://api.x.com")).toBe("http://127.0.0.1:9000/mirror/");
  });

  test("invalid text is refused with the bad pair and the expected form", () => {
    const cases: [string, string][] = [
      ["https://api.example.com", "is not a FROM=TO pair"],
      ["=http://127.0.0.1:9000", "is not a FROM=TO pair"],
      ["https://api.example.com=", "is not a FROM=TO pair"],
      ["api.example.com=http://127.0.0.1:9000", "is not a URL"],
      ["https://api.example.com/v1=http://127.0.0.1:9000", "must be an origin only"],
      ["https://api.example.com=http://127.0.0.1:9000/?x=1", "must not have a query"],
      ["ftp://api.example.com=http://127.0.0.1:9000", "is not an http(s) URL"],
      ["https://api.example.com=http://user:pw@127.0.0.1:9000", "must not carry user info"],
    ];
    for (const [text, why] of cases) {
      let message = "";
      try {
        parseHostMap(`https://ok.example.com=http://127.0.0.1:1,${text}`);
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toContain(`"${text}"`);
      expect(message).toContain(why);
      expect(message).toContain("Expected FROM=TO pairs separated by commas");
    }
  });

  test("an origin mapped twice is refused", () => {
    expect(() =>
      parseHostMap("https://a.example.com=http://127.0.0.1:1,https://a.example.com:443=http://127.0.0.1:2"),
    ).toThrow("https://a.example.com is mapped twice");
  });
});

describe("HttpClient with a host map", () => {
  let server: TestServer;
  const seen: string[] = [];

  beforeAll(() => {
    const app = new Hono();
    app.get("/mirror/*", (c) => {
      const u = new URL(c.req.url);
      seen.push(`${u.pathname}${u.search}`);
      return c.json({ path: u.pathname, query: u.search });
    });
    server = serve(app);
  });
  afterAll(() => server.stop());

  test("requests for the real host reach the mapped server, path and query intact", async () => {
    const client = new HttpClient({
      hostMap: parseHostMap(`https://api.example.com=${server.url}/mirror`),
      maxConcurrency: 2,
      timeoutMs: 5000,
      log: { debug() {} },
    });
    const result = await client.send(
      { method: "GET", url: "https://api.example.com/v1/users?page=2&fields=a,b", headers: {} },
      new DefaultErrorHandler(),
      new AbortController().signal,
    );
    expect(result.status).toBe(200);
    expect(result.json()).toEqual({ path: "/mirror/v1/users", query: "?page=2&fields=a,b" });
    expect(seen).toEqual(["/mirror/v1/users?page=2&fields=a,b"]);
    // The result speaks in the caller's terms.
    expect(result.url).toBe("https://api.example.com/v1/users?page=2&fields=a,b");
  });
});
