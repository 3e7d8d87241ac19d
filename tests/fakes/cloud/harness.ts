// For tests of the fake Cloud itself (and anyone who wants raw HTTP against it): a fresh fake per test,
// closed after it, with every response checked against the OpenAPI file and the test failed if any
// drifted; and a small raw-fetch caller that holds a token. No Cloud client here on purpose: the fake is
// tested on the wire.

import { afterEach, beforeEach, expect } from "bun:test";
import type { Json } from "./definitions.ts";
import {
  DEFAULT_CLIENT_ID,
  DEFAULT_CLIENT_SECRET,
  type FakeCloud,
  type FakeCloudOptions,
  startFakeCloud,
} from "./server.ts";

export interface Call {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are inspected freely in tests
  body: any;
  headers: Headers;
}

export interface CallOptions {
  /** false: no Authorization header; a string: that bearer token instead of the held one. */
  auth?: boolean | string;
  contentType?: string;
  /** A raw body (sent as is) instead of JSON. */
  raw?: string;
}

export class RawApi {
  token: string | undefined;

  constructor(readonly fake: FakeCloud) {}

  /** Gets a token with the default client credentials and holds it. */
  async login(): Promise<string> {
    const r = await this.post(
      "/applications/token",
      { client_id: DEFAULT_CLIENT_ID, client_secret: DEFAULT_CLIENT_SECRET },
      { auth: false },
    );
    expect(r.status).toBe(200);
    this.token = r.body.access_token as string;
    return this.token;
  }

  async call(method: string, url: string, body?: unknown, o: CallOptions = {}): Promise<Call> {
    const headers: Record<string, string> = {};
    const token = typeof o.auth === "string" ? o.auth : o.auth === false ? undefined : this.token;
    if (token) headers.authorization = `Bearer ${token}`;
    let payload: string | undefined;
    if (o.raw !== undefined) payload = o.raw;
    else if (body !== undefined) payload = JSON.stringify(body);
    if (payload !== undefined) headers["content-type"] = o.contentType ?? "application/json";
    const res = await fetch(url, { method, headers, body: payload });
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text === "" ? undefined : JSON.parse(text);
    } catch {
      parsed = text;
    }
    return { status: res.status, body: parsed, headers: res.headers };
  }

  get(path: string, o?: CallOptions) {
    return this.call("GET", this.url(path), undefined, o);
  }
  post(path: string, body?: unknown, o?: CallOptions) {
    return this.call("POST", this.url(path), body, o);
  }
  patch(path: string, body?: unknown, o?: CallOptions) {
    return this.call("PATCH", this.url(path), body, o);
  }
  put(path: string, body?: unknown, o?: CallOptions) {
    return this.call("PUT", this.url(path), body, o);
  }
  delete(path: string, o?: CallOptions) {
    return this.call("DELETE", this.url(path), undefined, o);
  }
  /** A Config API call (always POST). */
  config(path: string, body: Json, o?: CallOptions) {
    return this.call("POST", `${this.fake.configApiUrl}${path}`, body, o);
  }

  private url(path: string): string {
    return /^https?:/.test(path) ? path : `${this.fake.apiUrl}${path}`;
  }
}

export interface FakeSuite {
  readonly fake: FakeCloud;
  readonly api: RawApi;
  /** Another fake with other options, closed and checked after the test like the main one. */
  open(options?: FakeCloudOptions): Promise<{ fake: FakeCloud; api: RawApi }>;
}

/**
 * Call at the top of a test file (or describe block): each test gets a fresh fake (validating every
 * response) and a logged-in RawApi; after it the fake is closed and must have answered within contract.
 */
export function fakeCloudSuite(options: FakeCloudOptions = {}): FakeSuite {
  let current: { fake: FakeCloud; api: RawApi } | undefined;
  const opened: FakeCloud[] = [];
  const open = async (o: FakeCloudOptions = {}) => {
    const fake = await startFakeCloud({ validateResponses: true, ...o });
    opened.push(fake);
    return { fake, api: new RawApi(fake) };
  };
  beforeEach(async () => {
    current = await open(options);
    await current.api.login();
  });
  afterEach(async () => {
    const fakes = opened.splice(0);
    await Promise.all(fakes.map((f) => f.close()));
    for (const f of fakes) expect(f.validationErrors).toEqual([]);
  });
  return {
    get fake() {
      if (!current) throw new Error("fakeCloudSuite: no fake outside a test");
      return current.fake;
    },
    get api() {
      if (!current) throw new Error("fakeCloudSuite: no fake outside a test");
      return current.api;
    },
    open,
  };
}

/** Follows `next` links from `path` until a page comes back empty; returns every page body. */
export async function allPages(api: RawApi, path: string): Promise<Json[]> {
  const pages: Json[] = [];
  let url: string | undefined = `${api.fake.apiUrl}${path}`;
  for (let i = 0; url && i < 1000; i++) {
    const r = await api.call("GET", url);
    expect(r.status).toBe(200);
    pages.push(r.body);
    url = r.body.data.length > 0 && r.body.next ? r.body.next : undefined;
  }
  return pages;
}
