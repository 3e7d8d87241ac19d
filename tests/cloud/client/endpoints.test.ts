// Each endpoint method sends the request the API documents (method, path, query, body; cloud-api.md §5
// and pyairbyte-mcp.md §6) and reads the answer leniently (extra fields kept) but strictly on the
// fields the tools use.

import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { Hono } from "hono";
import {
  type CloudApiError,
  type CloudClient,
  collect,
  createCloudClient,
} from "../../../src/cloud/client/index.ts";
import { type ApiServer, BEARER, cloudSettings, FAST_RETRY, rejection, startApi } from "./helpers.ts";

const WS = "11111111-1111-4111-8111-111111111111";
const SRC = "22222222-2222-4222-8222-222222222222";
const DST = "33333333-3333-4333-8333-333333333333";
const CONN = "44444444-4444-4444-8444-444444444444";
const DEF = "55555555-5555-4555-8555-555555555555";
const ORG = "66666666-6666-4666-8666-666666666666";

const source = {
  sourceId: SRC,
  name: "poke",
  sourceType: "pokeapi",
  definitionId: DEF,
  workspaceId: WS,
  configuration: { pokemon_name: "ditto" },
  createdAt: 1_700_000_000,
  resourceAllocation: {},
};
const destination = {
  destinationId: DST,
  name: "dev-null",
  destinationType: "dev-null",
  definitionId: DEF,
  workspaceId: WS,
  configuration: {},
  createdAt: 1_700_000_000,
};
const connection = {
  connectionId: CONN,
  name: "poke → null",
  sourceId: SRC,
  destinationId: DST,
  workspaceId: WS,
  status: "active",
  schedule: { scheduleType: "cron", cronExpression: "0 0 12 * * ? UTC" },
  configurations: { streams: [{ name: "pokemon", syncMode: "full_refresh_overwrite" }] },
  createdAt: 1_700_000_000,
  tags: [],
  prefix: "raw_",
};
const job = {
  jobId: 42,
  status: "running",
  jobType: "sync",
  startTime: "2024-06-09T21:50Z",
  connectionId: CONN,
  bytesSynced: 10,
  rowsSynced: 2,
  duration: null,
};
const definition = {
  id: DEF,
  name: "my-api",
  manifest: { version: "6.0.0", type: "DeclarativeSource" },
  version: 1,
};

/** Canned answers by "METHOD path"; the test server records every request. */
const answers = new Map<string, { status?: number; body?: unknown }>();
let api: ApiServer;
let client: CloudClient;

beforeAll(() => {
  const app = new Hono();
  app.all("*", (c) => {
    const key = `${c.req.method} ${new URL(c.req.url).pathname}`;
    const a = answers.get(key);
    if (!a)
      return c.json({ status: 404, type: "about:blank", title: "resource-not-found", detail: key }, 404);
    if (a.status === 204) return c.body(null, 204);
    return c.json(a.body ?? {}, (a.status ?? 200) as 200);
  });
  api = startApi(app);
  client = createCloudClient({
    settings: cloudSettings({
      AIRBYTE_CLOUD_API_URL: `${api.origin}/v1`,
      AIRBYTE_CLOUD_CONFIG_API_URL: `${api.origin}/api/v1`,
      AIRBYTE_CLOUD_BEARER_TOKEN: BEARER,
    }),
    retry: FAST_RETRY,
  });
});
afterAll(() => api.stop());
beforeEach(() => {
  answers.clear();
  api.requests.length = 0;
});

const answer = (key: string, body: unknown, status?: number) =>
  answers.set(key, { body, ...(status ? { status } : {}) });
const only = () => {
  expect(api.requests).toHaveLength(1);
  const r = api.requests[0];
  if (!r) throw new Error("no request");
  return {
    method: r.method,
    path: r.path,
    query: Object.fromEntries(r.query),
    body: r.body ? JSON.parse(r.body) : undefined,
    auth: r.authorization,
  };
};

describe("workspaces and organizations", () => {
  test("get", async () => {
    answer(`GET /v1/workspaces/${WS}`, {
      workspaceId: WS,
      name: "Main",
      dataResidency: "auto",
      notifications: {},
      extra: 1,
    });
    const ws = await client.workspaces.get(WS);
    expect(ws.name).toBe("Main");
    expect((ws as Record<string, unknown>).extra).toBe(1);
    expect(only()).toMatchObject({ method: "GET", path: `/v1/workspaces/${WS}`, auth: `Bearer ${BEARER}` });
  });

  test("list passes workspaceIds comma-joined", async () => {
    answer("GET /v1/workspaces", {
      data: [{ workspaceId: WS, name: "Main", dataResidency: "auto", notifications: {} }],
      next: "",
    });
    const list = await collect(
      client.workspaces.list({ workspaceIds: [WS, "other"], includeDeleted: false }),
    );
    expect(list.map((w) => w.workspaceId)).toEqual([WS]);
    expect(only().query).toEqual({
      workspaceIds: `${WS},other`,
      includeDeleted: "false",
      limit: "100",
      offset: "0",
    });
  });

  test("organizations (not paged)", async () => {
    answer("GET /v1/organizations", {
      data: [{ organizationId: ORG, organizationName: "Acme", email: "a@acme.io" }],
    });
    expect(await client.organizations.list()).toEqual([
      { organizationId: ORG, organizationName: "Acme", email: "a@acme.io" },
    ]);
    expect(only()).toMatchObject({ method: "GET", path: "/v1/organizations", query: {} });
  });
});

describe("sources and destinations", () => {
  test("list of a workspace", async () => {
    answer("GET /v1/sources", { data: [source], next: "" });
    const list = await collect(client.sources.list(WS));
    expect(list[0]?.configuration).toEqual({ pokemon_name: "ditto" });
    expect(only()).toMatchObject({
      method: "GET",
      path: "/v1/sources",
      query: { workspaceIds: WS, limit: "100", offset: "0" },
    });
  });

  test("create sends the body as JSON and keeps the answer's extra fields", async () => {
    answer("POST /v1/sources", source);
    const created = await client.sources.create({
      name: "poke",
      workspaceId: WS,
      configuration: { sourceType: "pokeapi", pokemon_name: "ditto" },
    });
    expect(created.sourceId).toBe(SRC);
    expect((created as Record<string, unknown>).resourceAllocation).toEqual({});
    expect(only()).toMatchObject({
      method: "POST",
      path: "/v1/sources",
      body: {
        name: "poke",
        workspaceId: WS,
        configuration: { sourceType: "pokeapi", pokemon_name: "ditto" },
      },
    });
    expect(api.requests[0]?.contentType).toBe("application/json");
  });

  test("patch and delete (204, no body)", async () => {
    answer(`PATCH /v1/sources/${SRC}`, { ...source, name: "renamed" });
    expect((await client.sources.patch(SRC, { name: "renamed" })).name).toBe("renamed");
    expect(only()).toMatchObject({ method: "PATCH", body: { name: "renamed" } });
    api.requests.length = 0;
    answer(`DELETE /v1/sources/${SRC}`, null, 204);
    expect(await client.sources.delete(SRC)).toBeUndefined();
    expect(only()).toMatchObject({ method: "DELETE", path: `/v1/sources/${SRC}` });
  });

  test("destinations: get, create, patch, delete", async () => {
    answer(`GET /v1/destinations/${DST}`, destination);
    answer("POST /v1/destinations", destination);
    answer(`PATCH /v1/destinations/${DST}`, { ...destination, name: "n2" });
    answer(`DELETE /v1/destinations/${DST}`, null, 204);
    answer("GET /v1/destinations", { data: [destination, destination], next: "" });
    expect((await client.destinations.get(DST)).destinationType).toBe("dev-null");
    await client.destinations.create({
      name: "dev-null",
      workspaceId: WS,
      configuration: {},
      definitionId: DEF,
    });
    await client.destinations.patch(DST, { configuration: { a: 1 } });
    await client.destinations.delete(DST);
    expect(await collect(client.destinations.list(WS, { limit: 1 }))).toHaveLength(1);
    expect(api.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      `GET /v1/destinations/${DST}`,
      "POST /v1/destinations",
      `PATCH /v1/destinations/${DST}`,
      `DELETE /v1/destinations/${DST}`,
      "GET /v1/destinations",
    ]);
    expect(JSON.parse(api.requests[1]?.body ?? "")).toEqual({
      name: "dev-null",
      workspaceId: WS,
      configuration: {},
      definitionId: DEF,
    });
    expect(api.requests[4]?.query.get("limit")).toBe("1");
  });

  test("a used field missing from the answer is an error naming it", async () => {
    const { definitionId: _, ...withoutDefinition } = source;
    answer(`GET /v1/sources/${SRC}`, withoutDefinition);
    const e = (await rejection(client.sources.get(SRC))) as CloudApiError;
    expect(e.kind).toBe("invalid-response");
    expect(e.message).toContain("definitionId");
  });
});

describe("connections, streams, jobs", () => {
  test("connection create, get, patch, delete", async () => {
    answer("POST /v1/connections", connection);
    answer(`GET /v1/connections/${CONN}`, connection);
    answer(`PATCH /v1/connections/${CONN}`, { ...connection, status: "inactive" });
    answer(`DELETE /v1/connections/${CONN}`, null, 204);
    const created = await client.connections.create({
      sourceId: SRC,
      destinationId: DST,
      name: "poke → null",
      configurations: { streams: [{ name: "pokemon" }] },
      prefix: "raw_",
    });
    expect(created.configurations.streams?.[0]?.name).toBe("pokemon");
    expect(created.schedule.cronExpression).toBe("0 0 12 * * ? UTC");
    expect((await client.connections.get(CONN)).prefix).toBe("raw_");
    expect(
      (await client.connections.patch(CONN, { status: "inactive", schedule: { scheduleType: "manual" } }))
        .status,
    ).toBe("inactive");
    await client.connections.delete(CONN);
    expect(JSON.parse(api.requests[0]?.body ?? "")).toEqual({
      sourceId: SRC,
      destinationId: DST,
      name: "poke → null",
      configurations: { streams: [{ name: "pokemon" }] },
      prefix: "raw_",
    });
    expect(JSON.parse(api.requests[2]?.body ?? "")).toEqual({
      status: "inactive",
      schedule: { scheduleType: "manual" },
    });
    expect(api.requests.map((r) => r.method)).toEqual(["POST", "GET", "PATCH", "DELETE"]);
  });

  test("connection list with tag filter", async () => {
    answer("GET /v1/connections", { data: [connection], next: "" });
    await collect(client.connections.list(WS, { tagIds: ["t1", "t2"] }));
    expect(only().query).toEqual({ workspaceIds: WS, tagIds: "t1,t2", limit: "100", offset: "0" });
  });

  test("streams: a bare array, with the destination and cache flags as query", async () => {
    answer("GET /v1/streams", [
      {
        streamName: "pokemon",
        streamnamespace: null,
        syncModes: ["full_refresh_overwrite"],
        propertyFields: [["id"], ["name"]],
      },
    ]);
    const streams = await client.streams.list(SRC, { destinationId: DST, ignoreCache: true });
    expect(streams.map((s) => s.streamName)).toEqual(["pokemon"]);
    expect(only().query).toEqual({ sourceId: SRC, destinationId: DST, ignoreCache: "true" });
  });

  test("jobs: create, get, cancel (DELETE answers the job)", async () => {
    answer("POST /v1/jobs", { ...job, status: "pending" });
    answer("GET /v1/jobs/42", job);
    answer("DELETE /v1/jobs/42", { ...job, status: "cancelled" });
    expect((await client.jobs.create({ connectionId: CONN, jobType: "sync" })).status).toBe("pending");
    expect((await client.jobs.get(42)).rowsSynced).toBe(2);
    expect((await client.jobs.cancel(42)).status).toBe("cancelled");
    expect(JSON.parse(api.requests[0]?.body ?? "")).toEqual({ connectionId: CONN, jobType: "sync" });
    expect(api.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      "POST /v1/jobs",
      "GET /v1/jobs/42",
      "DELETE /v1/jobs/42",
    ]);
  });

  test("an unknown job status is an invalid answer, not a silent guess", async () => {
    answer("GET /v1/jobs/42", { ...job, status: "exploded" });
    expect(((await rejection(client.jobs.get(42))) as CloudApiError).kind).toBe("invalid-response");
  });

  test("connector definitions", async () => {
    answer("GET /v1/connector_definitions", {
      data: [{ id: DEF, name: "PokeAPI", connectorDefinitionType: "source", version: "0.3.0" }],
    });
    expect((await client.connectorDefinitions.list("source", WS))[0]?.name).toBe("PokeAPI");
    expect(only().query).toEqual({ type: "source", workspaceId: WS });
  });
});

describe("declarative source definitions", () => {
  const root = `/v1/workspaces/${WS}/definitions/declarative_sources`;

  test("create, list, get, update, delete", async () => {
    answer(`POST ${root}`, definition);
    answer(`GET ${root}`, { data: [definition], next: "", previous: "" });
    answer(`GET ${root}/${DEF}`, definition);
    answer(`PUT ${root}/${DEF}`, { ...definition, version: 2 });
    answer(`DELETE ${root}/${DEF}`, definition);
    await client.declarativeSources.create(WS, { name: "my-api", manifest: definition.manifest });
    expect((await client.declarativeSources.list(WS)).map((d) => d.id)).toEqual([DEF]);
    expect((await client.declarativeSources.get(WS, DEF)).manifest.type).toBe("DeclarativeSource");
    expect((await client.declarativeSources.update(WS, DEF, { manifest: definition.manifest })).version).toBe(
      2,
    );
    expect((await client.declarativeSources.delete(WS, DEF)).id).toBe(DEF);
    expect(api.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      `POST ${root}`,
      `GET ${root}`,
      `GET ${root}/${DEF}`,
      `PUT ${root}/${DEF}`,
      `DELETE ${root}/${DEF}`,
    ]);
    expect(JSON.parse(api.requests[0]?.body ?? "")).toEqual({
      name: "my-api",
      manifest: definition.manifest,
    });
    expect(JSON.parse(api.requests[3]?.body ?? "")).toEqual({ manifest: definition.manifest });
  });
});

describe("Config API", () => {
  test("organization info of a workspace and of an organization", async () => {
    answer("POST /api/v1/workspaces/get_organization_info", {
      organizationId: ORG,
      organizationName: "Acme",
      sso: false,
    });
    answer("POST /api/v1/organizations/get_organization_info", {
      organizationId: ORG,
      organizationName: "Acme",
      sso: false,
      billing: { paymentStatus: "okay", subscriptionStatus: "subscribed", extra: true },
    });
    expect((await client.config.workspaceOrganizationInfo(WS)).organizationName).toBe("Acme");
    expect((await client.config.organizationInfo(ORG)).billing?.paymentStatus).toBe("okay");
    expect(api.requests.map((r) => JSON.parse(r.body))).toEqual([
      { workspaceId: WS },
      { organizationId: ORG },
    ]);
    expect(api.requests.every((r) => r.method === "POST" && r.authorization === `Bearer ${BEARER}`)).toBe(
      true,
    );
  });

  test("job info with attempts and both log shapes", async () => {
    answer("POST /api/v1/jobs/get", {
      job: { id: 42, configType: "sync", configId: CONN, createdAt: 1_700_000_000, status: "failed" },
      attempts: [
        {
          attempt: { id: 0, status: "failed", createdAt: 1_700_000_001, recordsSynced: 5 },
          logs: { logLines: ["line 1", "line 2"] },
        },
        {
          attempt: { id: 1, status: "failed", createdAt: 1_700_000_100 },
          logs: { events: [{ timestamp: 1_700_000_100_000, level: "INFO", message: "hello" }] },
          logType: "structured",
        },
      ],
    });
    const info = await client.config.jobInfo(42);
    expect(info.attempts?.[0]?.logs?.logLines).toEqual(["line 1", "line 2"]);
    expect(info.attempts?.[1]?.logs?.events?.[0]?.message).toBe("hello");
    expect(only()).toMatchObject({ method: "POST", path: "/api/v1/jobs/get", body: { id: 42 } });
  });

  test("state, catalog, builder project calls, testing values, checks", async () => {
    answer("POST /api/v1/state/get", {
      stateType: "stream",
      connectionId: CONN,
      streamState: [{ streamDescriptor: { name: "pokemon" }, streamState: { c: 1 } }],
    });
    answer("POST /api/v1/web_backend/connections/get", {
      connectionId: CONN,
      syncCatalog: {
        streams: [
          {
            stream: { name: "pokemon", jsonSchema: {} },
            config: { syncMode: "full_refresh", selected: true },
          },
        ],
      },
    });
    answer("POST /api/v1/connector_builder_projects/get_for_definition_id", {
      builderProjectId: "bp-1",
      workspaceId: WS,
    });
    answer("POST /api/v1/connector_builder_projects/get_with_manifest", {
      builderProject: { builderProjectId: "bp-1", name: "my-api", hasDraft: true },
      declarativeManifest: { manifest: { version: "6.0.0" }, isDraft: true },
    });
    answer("POST /api/v1/connector_builder_projects/update_testing_values", { api_key: "x" });
    answer("POST /api/v1/sources/check_connection", { status: "failed", message: "bad key", jobInfo: {} });
    answer("POST /api/v1/destinations/check_connection", { status: "succeeded" });

    expect((await client.config.connectionState(CONN)).stateType).toBe("stream");
    expect((await client.config.webBackendConnection(CONN)).syncCatalog.streams[0]?.stream.name).toBe(
      "pokemon",
    );
    expect((await client.config.builderProjectForDefinition(WS, DEF)).builderProjectId).toBe("bp-1");
    expect((await client.config.builderProjectWithManifest(WS, "bp-1")).builderProject.hasDraft).toBe(true);
    const spec = { connectionSpecification: { type: "object" } };
    expect(
      await client.config.updateBuilderTestingValues({
        workspaceId: WS,
        builderProjectId: "bp-1",
        testingValues: { api_key: "x" },
        spec,
      }),
    ).toEqual({ api_key: "x" });
    expect(await client.config.checkSource(SRC)).toMatchObject({ status: "failed", message: "bad key" });
    expect((await client.config.checkDestination(DST)).status).toBe("succeeded");

    expect(api.requests.map((r) => [r.path, JSON.parse(r.body)])).toEqual([
      ["/api/v1/state/get", { connectionId: CONN }],
      ["/api/v1/web_backend/connections/get", { connectionId: CONN, withRefreshedCatalog: false }],
      [
        "/api/v1/connector_builder_projects/get_for_definition_id",
        { actorDefinitionId: DEF, workspaceId: WS },
      ],
      ["/api/v1/connector_builder_projects/get_with_manifest", { workspaceId: WS, builderProjectId: "bp-1" }],
      [
        "/api/v1/connector_builder_projects/update_testing_values",
        { workspaceId: WS, builderProjectId: "bp-1", testingValues: { api_key: "x" }, spec },
      ],
      ["/api/v1/sources/check_connection", { sourceId: SRC }],
      ["/api/v1/destinations/check_connection", { destinationId: DST }],
    ]);
  });

  test("a definition without a builder project answers a null id", async () => {
    answer("POST /api/v1/connector_builder_projects/get_for_definition_id", {
      builderProjectId: null,
      workspaceId: WS,
    });
    expect((await client.config.builderProjectForDefinition(WS, DEF)).builderProjectId).toBeNull();
  });
});
