// Error answers turned into messages an agent can act on, with no secret in them.

import { afterEach, describe, expect, test } from "bun:test";
import { Hono } from "hono";
import { CloudApiError, createCloudClient } from "../../../src/cloud/client/index.ts";
import { Redactor } from "../../../src/core/redact.ts";
import {
  type ApiServer,
  BEARER,
  CLIENT_ID,
  CLIENT_SECRET,
  cloudSettings,
  FAST_RETRY,
  problem,
  recordingLogger,
  rejection,
  startApi,
} from "./helpers.ts";

let api: ApiServer | null = null;
afterEach(async () => {
  await api?.stop();
  api = null;
});

const WS = "11111111-1111-4111-8111-111111111111";
const SOURCE_ID = "22222222-2222-4222-8222-222222222222";
const CONNECTION_ID = "33333333-3333-4333-8333-333333333333";

/** A server answering every request with this status and body. */
function answering(status: number, body: unknown, headers: Record<string, string> = {}) {
  const app = new Hono();
  app.all("*", () =>
    typeof body === "string"
      ? new Response(body, { status, headers })
      : Response.json(body, { status, headers }),
  );
  api = startApi(app);
  return createCloudClient({
    settings: cloudSettings({
      AIRBYTE_CLOUD_API_URL: `${api.origin}/v1`,
      AIRBYTE_CLOUD_CONFIG_API_URL: `${api.origin}/config/v1`,
      AIRBYTE_CLOUD_BEARER_TOKEN: BEARER,
    }),
    retry: FAST_RETRY,
  });
}

describe("problem JSON", () => {
  test("404: what was asked, the problem, and how to find the right id", async () => {
    const client = answering(
      404,
      problem(404, "resource-not-found", `Could not find a source with id ${SOURCE_ID}.`, {
        resourceId: SOURCE_ID,
        resourceType: "source",
      }),
    );
    const e = (await rejection(client.sources.get(SOURCE_ID))) as CloudApiError;
    expect(e).toBeInstanceOf(CloudApiError);
    expect(e.status).toBe(404);
    expect(e.problem?.title).toBe("resource-not-found");
    expect(e.message).toContain(`get source ${SOURCE_ID}`);
    expect(e.message).toContain(`GET ${api?.origin}/v1/sources/${SOURCE_ID}`);
    expect(e.message).toContain("404 resource-not-found");
    expect(e.message).toContain(`Could not find a source with id ${SOURCE_ID}`);
    expect(e.hint).toContain("List the workspace's sources");
  });

  test("403: the workspace and the permission", async () => {
    const client = answering(
      403,
      problem(403, "forbidden", "The request is forbidden.", { message: "User lacks WORKSPACE_READER." }),
    );
    const e = (await rejection(client.connections.get(CONNECTION_ID))) as CloudApiError;
    expect(e.message).toContain("403 forbidden");
    expect(e.message).toContain("User lacks WORKSPACE_READER.");
    expect(e.hint).toContain("workspace");
    expect(e.hint).toContain("role");
  });

  test("403 from the Config API mentions the organization-level role", async () => {
    const client = answering(403, problem(403, "forbidden", "The request is forbidden."));
    const e = (await rejection(client.config.organizationInfo("org-1"))) as CloudApiError;
    expect(e.message).toContain(`POST ${api?.origin}/config/v1/organizations/get_organization_info`);
    expect(e.hint).toContain("ORGANIZATION_READER");
  });

  test("409 on starting a sync: a job is already running", async () => {
    const client = answering(
      409,
      problem(409, "state-conflict", "A sync is already running for this connection.", {
        message: "Sync already running",
      }),
    );
    const e = (await rejection(
      client.jobs.create({ connectionId: CONNECTION_ID, jobType: "sync" }),
    )) as CloudApiError;
    expect(e.status).toBe(409);
    expect(e.message).toContain("state-conflict");
    expect(e.message).toContain("Sync already running");
    expect(e.hint).toContain("already running");
    expect(e.hint).toContain("cancel");
  });

  test("409 connection locked", async () => {
    const client = answering(409, {
      status: 409,
      type: "error:connection/locked",
      title: "Connection is locked",
      detail: "Locked.",
    });
    const e = (await rejection(
      client.jobs.create({ connectionId: CONNECTION_ID, jobType: "sync" }),
    )) as CloudApiError;
    expect(e.hint).toContain("locked");
  });

  test("422 and 400: the API's words about the invalid field, and a hint to fix it", async () => {
    const client = answering(
      422,
      problem(422, "unprocessable-entity", "The body of the request was not understood.", {
        message: "configuration.pokemon_name: must be a string",
      }),
    );
    const e = (await rejection(
      client.sources.create({
        name: "p",
        workspaceId: WS,
        configuration: { sourceType: "pokeapi", pokemon_name: 1 },
      }),
    )) as CloudApiError;
    expect(e.message).toContain("configuration.pokemon_name: must be a string");
    expect(e.hint).toContain("fix the field");
    const bad = answering(400, problem(400, "bad-request", "Refreshes are not supported in the public API"));
    const e2 = (await rejection(
      bad.jobs.create({ connectionId: CONNECTION_ID, jobType: "refresh" }),
    )) as CloudApiError;
    expect(e2.message).toContain("400 bad-request: Refreshes are not supported in the public API");
  });

  test("501 on a self-managed install", async () => {
    const client = answering(501, {
      status: 501,
      type: "error:implementation/not-implemented-in-oss",
      title: "API not implemented in Airbyte OSS",
    });
    const e = (await rejection(client.organizations.list())) as CloudApiError;
    expect(e.message).toContain("501 API not implemented in Airbyte OSS");
    expect(e.hint).toContain("not available on this Airbyte deployment");
    expect(api?.requests).toHaveLength(1);
  });

  test("the Config API's older error shape (message) is read too", async () => {
    const client = answering(422, {
      message: "Connection has no state.",
      exceptionClassName: "io.airbyte.SomeException",
      exceptionStack: ["at a", "at b"],
    });
    const e = (await rejection(client.config.connectionState(CONNECTION_ID))) as CloudApiError;
    expect(e.message).toContain("Connection has no state.");
    expect(e.message).not.toContain("exceptionStack");
  });

  test("a non-JSON error body: a short excerpt of text, nothing of an HTML page", async () => {
    const text = answering(502, "upstream connect error or disconnect/reset before headers", {
      "Content-Type": "text/plain",
    });
    const e = (await rejection(text.workspaces.get(WS))) as CloudApiError;
    expect(e.message).toContain("502: upstream connect error");
    const html = answering(502, "<html><body><h1>502 Bad Gateway</h1>...</body></html>", {
      "Content-Type": "text/html",
    });
    const e2 = (await rejection(html.workspaces.get(WS))) as CloudApiError;
    expect(e2.message).not.toContain("<html>");
    expect(e2.message).toMatch(/answered 502\.$/);
  });

  test("an empty 401 body (rejected by the auth filter) still gives the credentials hint", async () => {
    const client = answering(401, "");
    const e = (await rejection(client.workspaces.get(WS))) as CloudApiError;
    expect(e.message).toMatch(/answered 401\.$/);
    expect(e.hint).toContain("AIRBYTE_CLOUD_BEARER_TOKEN");
  });

  test("a success body that does not match the documented shape is an invalid-response error", async () => {
    const client = answering(200, { sourceId: SOURCE_ID, name: 42 });
    const e = (await rejection(client.sources.get(SOURCE_ID))) as CloudApiError;
    expect(e.kind).toBe("invalid-response");
    expect(e.message).toContain("name");
    expect(e.hint).toContain("report");
  });

  test("a success body that is not JSON is an invalid-response error", async () => {
    const client = answering(200, "<html>login</html>", { "Content-Type": "text/html" });
    const e = (await rejection(client.sources.get(SOURCE_ID))) as CloudApiError;
    expect(e.kind).toBe("invalid-response");
    expect(e.message).toContain("not JSON");
  });

  test("an id that would climb the path is refused before anything is sent", async () => {
    const client = answering(200, {});
    for (const bad of ["..", ".", "%2e%2E", " "]) {
      const e = (await rejection(client.sources.get(bad))) as CloudApiError;
      expect(e.kind).toBe("invalid-argument");
    }
    expect(((await rejection(client.jobs.get(1.5))) as CloudApiError).kind).toBe("invalid-argument");
    // Other characters are encoded into one segment.
    await rejection(client.sources.get("a/b?c"));
    expect(api?.requests.map((r) => r.path)).toEqual(["/v1/sources/a%2Fb%3Fc"]);
  });
});

describe("no secret in errors or logs", () => {
  test("a server echoing the bearer token: masked in the message, the hint and the logs", async () => {
    const log = recordingLogger();
    const app = new Hono();
    app.all("*", (c) =>
      c.json(
        problem(503, "service-unavailable", `Bad header: ${c.req.header("authorization")}`, {
          message: BEARER,
        }),
        503,
      ),
    );
    api = startApi(app);
    const client = createCloudClient({
      settings: cloudSettings({
        AIRBYTE_CLOUD_API_URL: `${api.origin}/v1`,
        AIRBYTE_CLOUD_BEARER_TOKEN: BEARER,
      }),
      retry: FAST_RETRY,
      log,
    });
    const e = (await rejection(client.workspaces.get(WS))) as CloudApiError;
    expect(e.message).toContain("Bad header: Bearer ****");
    expect([e.text, ...log.lines].join("\n")).not.toContain(BEARER);
  });

  test("a token endpoint echoing the client secret, and an API echoing the access token", async () => {
    const log = recordingLogger();
    const app = new Hono();
    let first = true;
    app.post("/v1/applications/token", async (c) => {
      const body = await c.req.json();
      if (first) {
        first = false;
        return c.json(problem(400, "bad-request", `Unexpected secret ${body.client_secret}`), 400);
      }
      return c.json({ access_token: "access-token-abcdef-123456", token_type: "Bearer", expires_in: 900 });
    });
    app.get("*", (c) =>
      c.json(problem(404, "resource-not-found", `Token ${c.req.header("authorization")} sees nothing`), 404),
    );
    api = startApi(app);
    const client = createCloudClient({
      settings: cloudSettings({
        AIRBYTE_CLOUD_API_URL: `${api.origin}/v1`,
        AIRBYTE_CLOUD_CLIENT_ID: CLIENT_ID,
        AIRBYTE_CLOUD_CLIENT_SECRET: CLIENT_SECRET,
      }),
      retry: FAST_RETRY,
      log,
    });
    const tokenError = (await rejection(client.workspaces.get(WS))) as CloudApiError;
    expect(tokenError.message).toContain("Unexpected secret ****");
    expect(tokenError.hint).toContain("AIRBYTE_CLOUD_CLIENT_SECRET");
    const apiError = (await rejection(client.workspaces.get(WS))) as CloudApiError;
    expect(apiError.message).toContain("Token Bearer **** sees nothing");
    const all = [tokenError.text, apiError.text, ...log.lines].join("\n");
    expect(all).not.toContain(CLIENT_SECRET);
    expect(all).not.toContain("access-token-abcdef-123456");
  });

  // API text is masked whole, before it is flattened to one line and cut: a secret spread over lines
  // or straddling the cut would otherwise no longer match the masker and leak in part.
  const PEM =
    "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\nQWERTYUIOPasdfghjkl1234567890zxcvbnm\n-----END PRIVATE KEY-----";
  const LONG = "sk_live_ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghij0123456789";
  const PEM_PARTS = ["MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7", "QWERTYUIOPasdfghjkl"];

  /** A client whose server redactor knows `secrets` (as resolved secret references), on `app`. */
  function withServerSecrets(app: Hono, secrets: string[]) {
    api = startApi(app);
    const redactor = new Redactor(secrets);
    const client = createCloudClient({
      settings: cloudSettings({
        AIRBYTE_CLOUD_API_URL: `${api.origin}/v1`,
        AIRBYTE_CLOUD_BEARER_TOKEN: BEARER,
      }),
      retry: FAST_RETRY,
      redactor,
    });
    return client;
  }

  test("a multi-line secret the server's redactor knows, echoed in a 400 detail, is masked whole", async () => {
    const app = new Hono();
    app.all("*", (c) =>
      c.json(
        problem(400, "bad-request", `Invalid configuration: {"private_key": "${PEM}"}`, {
          message: `private_key=${PEM}`,
        }),
        400,
      ),
    );
    const client = withServerSecrets(app, [PEM]);
    const e = (await rejection(client.sources.get(SOURCE_ID))) as CloudApiError;
    expect(e.message).toContain('Invalid configuration: {"private_key": "****"}');
    const everything = [e.text, JSON.stringify(e.problem)].join("\n");
    for (const part of PEM_PARTS) expect(everything).not.toContain(part);
    expect(everything).not.toContain("BEGIN PRIVATE KEY");
  });

  test("a secret straddling the cut of a long detail leaves nothing of itself", async () => {
    const app = new Hono();
    app.all("*", (c) => c.json(problem(400, "bad-request", `${"x".repeat(580)} api_key=${LONG}`), 400));
    const client = withServerSecrets(app, [LONG]);
    const e = (await rejection(client.sources.get(SOURCE_ID))) as CloudApiError;
    expect(e.message).toContain("api_key=****");
    expect(e.message).not.toContain("sk_live");
  });

  test("a secret at the cut of a non-JSON body excerpt leaves nothing of itself", async () => {
    const app = new Hono();
    app.all(
      "*",
      () =>
        new Response(`${"y".repeat(185)}\nkey ${LONG}\n`, {
          status: 502,
          headers: { "Content-Type": "text/plain" },
        }),
    );
    const client = withServerSecrets(app, [LONG]);
    const e = (await rejection(client.sources.get(SOURCE_ID))) as CloudApiError;
    expect(e.message).toContain("key ****");
    expect(e.message).not.toContain("sk_live");
  });

  test("the client secret echoed by the token endpoint at the cut leaves nothing of itself", async () => {
    const app = new Hono();
    app.post("/v1/applications/token", (c) =>
      c.json(problem(400, "bad-request", `${"x".repeat(575)} client_secret=${CLIENT_SECRET}`), 400),
    );
    api = startApi(app);
    const client = createCloudClient({
      settings: cloudSettings({
        AIRBYTE_CLOUD_API_URL: `${api.origin}/v1`,
        AIRBYTE_CLOUD_CLIENT_ID: CLIENT_ID,
        AIRBYTE_CLOUD_CLIENT_SECRET: CLIENT_SECRET,
      }),
      retry: FAST_RETRY,
    });
    const e = (await rejection(client.workspaces.get(WS))) as CloudApiError;
    expect(e.message).toContain("client_secret=****");
    expect(e.message).not.toContain(CLIENT_SECRET.slice(0, 8));
  });
});
