// A fake Airbyte Cloud on 127.0.0.1: the public API v1 and the few Config API endpoints PyAirbyte uses,
// over in-memory state (store.ts), with the real status codes, problem bodies, pagination links, token
// expiry and jobs that move over time. Every response can be checked against the OpenAPI file as it goes
// out (validateResponses): a mismatch is recorded in `validationErrors`, printed to stderr and answered as
// a 500, so the fake cannot drift from the real API unnoticed. Failures can be injected per route.

import { Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { havePublicApi, type OpenApiDocument, publicApi } from "../../helpers/openapi.ts";
import { bearerOf, TokenBook } from "./auth.ts";
import { configApiRoutes } from "./config-api.ts";
import { validateConfigResponse } from "./config-api-schemas.ts";
import type { Json } from "./definitions.ts";
import { ApiError, type FakeEnv } from "./http.ts";
import { injectedProblem, problem } from "./problems.ts";
import { publicApiRoutes } from "./public-api.ts";
import { FakeCloudStore } from "./store.ts";

export interface FakeCloudOptions {
  /** client_id -> client_secret accepted by POST /applications/token. */
  clients?: Record<string, string>;
  /** Static bearer tokens also accepted (as AIRBYTE_CLOUD_BEARER_TOKEN would send). */
  bearerTokens?: string[];
  /** expires_in of issued tokens (default 900, like Cloud); expired tokens get a 401 problem. */
  tokenTtlSeconds?: number;
  /** "/v1" (default, like api.airbyte.com/v1) or "/api/public/v1" (self-managed). */
  basePath?: string;
  /** Config API root path (default "/api/v1"). */
  configBasePath?: string;
  /** How long a job stays pending, then running (default 30 and 60 ms). */
  jobTimings?: { pendingMs: number; runningMs: number };
  /** Check every response against the OpenAPI file (default: when the file is there). */
  validateResponses?: boolean;
  /** The clock jobs and tokens are read against (default Date.now). */
  clock?: () => number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: string;
  status: number;
  auth: "bearer" | "none";
}

export interface InjectedFailure {
  method?: string;
  path: RegExp;
  status: number;
  /** How many matching requests fail (default 1). */
  times?: number;
  retryAfter?: string;
  /** Body to send instead of the usual problem document for this status. */
  body?: unknown;
}

export interface FakeCloud {
  /** e.g. http://127.0.0.1:PORT/v1 */
  apiUrl: string;
  /** e.g. http://127.0.0.1:PORT/api/v1 */
  configApiUrl: string;
  /** e.g. http://127.0.0.1:PORT */
  origin: string;
  store: FakeCloudStore;
  /** Every request answered, in order; token values are never recorded. */
  requests: RecordedRequest[];
  readonly tokensIssued: number;
  /** Responses that did not match the OpenAPI file (each was answered as a 500). */
  validationErrors: string[];
  /** The next `times` (default 1) matching requests fail with `status` (problem JSON, optional Retry-After). */
  injectFailure(f: InjectedFailure): void;
  /** Every token issued so far is now expired. */
  expireTokens(): void;
  close(): Promise<void>;
}

export const DEFAULT_CLIENT_ID = "test-client-id";
export const DEFAULT_CLIENT_SECRET = "test-client-secret-value";

const trimSlash = (p: string) => (p.length > 1 ? p.replace(/\/+$/, "") : p);

export async function startFakeCloud(options: FakeCloudOptions = {}): Promise<FakeCloud> {
  const basePath = trimSlash(options.basePath ?? "/v1");
  const configBasePath = trimSlash(options.configBasePath ?? "/api/v1");
  const clock = options.clock ?? Date.now;
  const validate = options.validateResponses ?? havePublicApi;
  const openapi: OpenApiDocument | undefined = havePublicApi ? publicApi() : undefined;
  if (validate && !openapi)
    throw new Error("validateResponses needs ../shared/fixtures/airbyte-public-api.yaml");
  const store = new FakeCloudStore(options.jobTimings ?? { pendingMs: 30, runningMs: 60 }, clock);
  const tokens = new TokenBook(new Set(options.bearerTokens ?? []), clock);
  const requests: RecordedRequest[] = [];
  const validationErrors: string[] = [];
  const failures: Array<InjectedFailure & { remaining: number }> = [];

  const app = new Hono<FakeEnv>();

  app.use("*", async (c, next) => {
    const method = c.req.method;
    const path = c.req.path;
    const record = () =>
      requests.push({
        method,
        path,
        query: new URL(c.req.url).search.slice(1),
        status: c.res.status,
        auth: bearerOf(c) ? "bearer" : "none",
      });
    const failure = failures.find(
      (f) => f.remaining > 0 && (!f.method || f.method.toUpperCase() === method) && f.path.test(path),
    );
    if (failure) {
      failure.remaining--;
      const headers: Record<string, string> = failure.retryAfter ? { "Retry-After": failure.retryAfter } : {};
      c.res = c.json(
        (failure.body ?? injectedProblem(failure.status)) as Json,
        failure.status as ContentfulStatusCode,
        headers,
      );
      record();
      return c.res;
    }
    await next();
    if (validate && !c.get("unvalidated")) {
      const text = await c.res.clone().text();
      let body: unknown;
      try {
        body = text === "" ? undefined : JSON.parse(text);
      } catch {
        body = text;
      }
      let problems: string[] = [];
      if (path === basePath || path.startsWith(`${basePath}/`)) {
        problems =
          openapi?.validateResponse(method, path.slice(basePath.length) || "/", c.res.status, body) ?? [];
      } else if (path.startsWith(`${configBasePath}/`)) {
        problems = validateConfigResponse(path.slice(configBasePath.length), c.res.status, body);
      }
      if (problems.length) {
        validationErrors.push(...problems);
        console.error(`fake Cloud answered outside the API contract:\n  ${problems.join("\n  ")}`);
        c.res = c.json(
          problem(
            "unexpected",
            `fake Cloud response does not match the API contract: ${problems.join("; ")}`,
            {
              message: "response drift",
            },
          ),
          500,
        );
      }
    }
    record();
  });

  app.onError((err, c) => {
    if (err instanceof ApiError) return c.json(err.body, err.status as ContentfulStatusCode, err.headers);
    console.error("fake Cloud route failed:", err);
    return c.json(problem("unexpected", `fake Cloud bug: ${String(err)}`, { message: String(err) }), 500);
  });

  app.notFound((c) => {
    c.set("unvalidated", true);
    return c.json(
      {
        status: 404,
        type: "https://reference.airbyte.com/reference/errors#resource-not-found",
        title: "resource-not-found",
        detail: `No endpoint ${c.req.method} ${c.req.path}.`,
      },
      404,
    );
  });

  app.route(
    basePath,
    publicApiRoutes({
      store,
      tokens,
      clients: options.clients ?? { [DEFAULT_CLIENT_ID]: DEFAULT_CLIENT_SECRET },
      tokenTtlSeconds: options.tokenTtlSeconds ?? 900,
      basePath,
      openapi,
    }),
  );
  app.route(configBasePath, configApiRoutes(store, tokens));

  const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: app.fetch });
  const origin = `http://127.0.0.1:${server.port}`;
  return {
    apiUrl: `${origin}${basePath}`,
    configApiUrl: `${origin}${configBasePath}`,
    origin,
    store,
    requests,
    get tokensIssued() {
      return tokens.issued;
    },
    validationErrors,
    injectFailure(f) {
      failures.push({ ...f, remaining: f.times ?? 1 });
    },
    expireTokens() {
      tokens.expireAll();
    },
    async close() {
      await server.stop(true);
    },
  };
}
