// Workspaces, organizations, users, sources, destinations, streams, connections, connector definitions and
// declarative definitions of the fake Cloud: happy paths and error paths, every response checked against
// the OpenAPI file by the suite (a drifted response fails the test).

import { describe, expect, test } from "bun:test";
import { skipWithoutFixtures } from "../../helpers/fixtures.ts";
import { fakeCloudSuite, RawApi } from "./harness.ts";
import { SECRET_MASK } from "./secrets.ts";

const skip = skipWithoutFixtures("fake Cloud resource tests");
const POSTGRES = {
  host: "db.internal",
  port: 5432,
  database: "analytics",
  username: "loader",
  schema: "public",
};
const manifest = (streams: string[] = ["rows"]) => ({
  version: "6.44.0",
  type: "DeclarativeSource",
  check: { type: "CheckStream", stream_names: streams },
  streams: streams.map((name) => ({
    type: "DeclarativeStream",
    name,
    primary_key: "id",
    schema_loader: {
      type: "InlineSchemaLoader",
      schema: { type: "object", properties: { id: { type: "string" } } },
    },
  })),
  spec: {
    type: "Spec",
    connection_specification: {
      type: "object",
      required: ["api_key"],
      properties: { api_key: { type: "string", airbyte_secret: true } },
    },
  },
});

describe.skipIf(skip)("workspaces, organizations, users", () => {
  const s = fakeCloudSuite();

  test("the default seed: one accessible workspace in the caller's organization", async () => {
    const { defaults } = s.fake.store;
    const list = await s.api.get("/workspaces");
    expect(list.body.data.map((w: { workspaceId: string }) => w.workspaceId)).toEqual([defaults.workspaceId]);
    const one = await s.api.get(`/workspaces/${defaults.workspaceId}`);
    expect(one.body.name).toBe("Default Workspace");
    expect(one.body.dataResidency).toBe("auto");
    const orgs = await s.api.get("/organizations");
    expect(orgs.body.data.map((o: { organizationId: string }) => o.organizationId)).toEqual([
      defaults.organizationId,
    ]);
    const users = await s.api.get(`/users?organizationId=${defaults.organizationId}`);
    expect(users.body.data.map((u: { id: string }) => u.id)).toEqual([defaults.userId]);
  });

  test("the foreign workspace answers 403, an unknown one 404, a malformed id 400", async () => {
    const { defaults } = s.fake.store;
    const foreign = await s.api.get(`/workspaces/${defaults.foreignWorkspaceId}`);
    expect(foreign.status).toBe(403);
    expect(foreign.body.title).toBe("forbidden");
    expect((await s.api.get(`/workspaces?workspaceIds=${defaults.foreignWorkspaceId}`)).status).toBe(403);
    expect((await s.api.get(`/sources?workspaceIds=${defaults.foreignWorkspaceId}`)).status).toBe(403);
    expect((await s.api.get(`/users?organizationId=${defaults.foreignOrganizationId}`)).status).toBe(403);
    const unknown = await s.api.get(`/workspaces/${crypto.randomUUID()}`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.data.resourceType).toBe("workspace");
    expect((await s.api.get("/workspaces/not-a-uuid")).status).toBe(400);
  });

  test("objects in the foreign workspace are forbidden too", async () => {
    const { store } = s.fake;
    const src = store.addSource({ workspaceId: store.defaults.foreignWorkspaceId });
    const dst = store.addDestination({ workspaceId: store.defaults.foreignWorkspaceId });
    const conn = store.addConnection({ sourceId: src.id, destinationId: dst.id });
    expect((await s.api.get(`/sources/${src.id}`)).status).toBe(403);
    expect((await s.api.get(`/destinations/${dst.id}`)).status).toBe(403);
    expect((await s.api.get(`/connections/${conn.connectionId}`)).status).toBe(403);
    expect((await s.api.post("/jobs", { connectionId: conn.connectionId, jobType: "sync" })).status).toBe(
      403,
    );
    const listed = await s.api.get("/sources");
    expect(listed.body.data).toEqual([]);
  });

  test("seeded workspaces and organizations show up", async () => {
    const { store } = s.fake;
    const org = store.addOrganization({ organizationName: "Second Org" });
    const ws = store.addWorkspace({ organizationId: org.organizationId, name: "Analytics" });
    const list = await s.api.get("/workspaces");
    expect(list.body.data.map((w: { name: string }) => w.name)).toEqual(["Default Workspace", "Analytics"]);
    const orgs = await s.api.get("/organizations");
    expect(orgs.body.data.map((o: { organizationName: string }) => o.organizationName)).toContain(
      "Second Org",
    );
    expect((await s.api.get(`/workspaces/${ws.workspaceId}`)).status).toBe(200);
  });
});

describe.skipIf(skip)("sources and destinations", () => {
  const s = fakeCloudSuite();
  const ws = () => s.fake.store.defaults.workspaceId;

  test("create by sourceType (PyAirbyte's body, nulls included), read, list", async () => {
    const created = await s.api.post("/sources", {
      name: "My Faker",
      workspaceId: ws(),
      configuration: { sourceType: "faker", count: 10 },
      definitionId: null,
      secretId: null,
    });
    expect(created.status).toBe(200);
    expect(created.body.sourceType).toBe("faker");
    expect(created.body.definitionId).toBe("dfd88b22-b603-4c3d-aad7-3701784586b1");
    expect(created.body.configuration).toEqual({ count: 10 });
    const got = await s.api.get(`/sources/${created.body.sourceId}`);
    expect(got.body).toEqual(created.body);
    const list = await s.api.get(`/sources?workspaceIds=${ws()}&limit=100`);
    expect(list.body.data).toEqual([created.body]);
  });

  test("create by definitionId; secrets come back masked, or as coordinates when asked", async () => {
    const created = await s.api.post("/destinations", {
      name: "Warehouse",
      workspaceId: ws(),
      definitionId: "25c5221d-dce2-4163-ade9-739ef790f503",
      configuration: { ...POSTGRES, password: "p4ssw0rd-secret" },
    });
    expect(created.status).toBe(200);
    expect(created.body.destinationType).toBe("postgres");
    expect(created.body.configuration.password).toBe(SECRET_MASK);
    expect(JSON.stringify(created.body)).not.toContain("p4ssw0rd-secret");
    const coords = await s.api.get(
      `/destinations/${created.body.destinationId}?includeSecretCoordinates=true`,
    );
    expect(coords.body.configuration.password._secret).toMatch(/^airbyte_workspace_/);
    // The stored value is the real one.
    expect(s.fake.store.destinations.get(created.body.destinationId)?.configuration.password).toBe(
      "p4ssw0rd-secret",
    );
  });

  test("create errors: no connector named, unknown type, unknown definition, missing required field, bad body", async () => {
    const noType = await s.api.post("/sources", {
      name: "x",
      workspaceId: ws(),
      configuration: { count: 1 },
    });
    expect(noType.status).toBe(400);
    expect(noType.body.detail).toContain("configuration.sourceType or definitionId");
    const unknownType = await s.api.post("/sources", {
      name: "x",
      workspaceId: ws(),
      configuration: { sourceType: "nope" },
    });
    expect(unknownType.status).toBe(400);
    expect(unknownType.body.title).toBe("value-not-found");
    expect(unknownType.body.data.value).toBe("nope");
    const unknownDef = await s.api.post("/destinations", {
      name: "x",
      workspaceId: ws(),
      definitionId: crypto.randomUUID(),
      configuration: {},
    });
    expect(unknownDef.status).toBe(404);
    const missing = await s.api.post("/destinations", {
      name: "x",
      workspaceId: ws(),
      configuration: { destinationType: "postgres", host: "h" },
    });
    expect(missing.status).toBe(400);
    expect(missing.body.detail).toContain("'database'");
    const noName = await s.api.post("/sources", {
      workspaceId: ws(),
      configuration: { sourceType: "faker", count: 1 },
    });
    expect(noName.status).toBe(400);
    expect(noName.body.detail).toContain("name");
    const foreign = await s.api.post("/sources", {
      name: "x",
      workspaceId: s.fake.store.defaults.foreignWorkspaceId,
      configuration: { sourceType: "faker", count: 1 },
    });
    expect(foreign.status).toBe(403);
  });

  test("patch renames and merges the configuration; a masked secret sent back keeps the stored one", async () => {
    const { store } = s.fake;
    const dst = store.addDestination({
      connectorType: "postgres",
      configuration: { ...POSTGRES, password: "old-secret" },
    });
    const renamed = await s.api.patch(`/destinations/${dst.id}`, { name: "Renamed" });
    expect(renamed.body.name).toBe("Renamed");
    expect(renamed.body.configuration.host).toBe("db.internal");
    const shown = renamed.body.configuration;
    const patched = await s.api.patch(`/destinations/${dst.id}`, {
      configuration: { ...shown, host: "db2.internal" },
    });
    expect(patched.status).toBe(200);
    expect(store.destinations.get(dst.id)?.configuration).toEqual({
      ...POSTGRES,
      host: "db2.internal",
      password: "old-secret",
    });
    const replaced = await s.api.patch(`/destinations/${dst.id}`, {
      configuration: { ...shown, password: "new-secret" },
    });
    expect(replaced.body.configuration.password).toBe(SECRET_MASK);
    expect(store.destinations.get(dst.id)?.configuration.password).toBe("new-secret");
    // Only the fields sent change; the others (and the secret, sent masked or not at all) are kept.
    const partial = await s.api.patch(`/destinations/${dst.id}`, {
      configuration: { host: "only", password: SECRET_MASK },
    });
    expect(partial.status).toBe(200);
    expect(store.destinations.get(dst.id)?.configuration).toEqual({
      ...POSTGRES,
      host: "only",
      password: "new-secret",
    });
    // A stored configuration missing a required field stays invalid after a merge that does not add it.
    const { host: _host, ...withoutHost } = POSTGRES;
    const broken = store.addDestination({ connectorType: "postgres", configuration: withoutHost });
    const invalid = await s.api.patch(`/destinations/${broken.id}`, { configuration: { port: 1 } });
    expect(invalid.status).toBe(400);
    expect(JSON.stringify(invalid.body)).toContain("host");
    expect(store.destinations.get(broken.id)?.configuration).toEqual(withoutHost);
  });

  test("patch merges nested objects field by field and replaces lists; put replaces the configuration", async () => {
    const { store } = s.fake;
    const src = store.addSource({
      configuration: {
        count: 1,
        seed: 7,
        tunnel: { method: "SSH", host: "bastion", key: "ssh-secret" },
        streams: ["a", "b"],
      },
    });
    const patched = await s.api.patch(`/sources/${src.id}`, {
      configuration: { count: 9, tunnel: { host: "bastion2" }, streams: ["c"] },
    });
    expect(patched.status).toBe(200);
    expect(store.sources.get(src.id)?.configuration).toEqual({
      count: 9,
      seed: 7,
      tunnel: { method: "SSH", host: "bastion2", key: "ssh-secret" },
      streams: ["c"],
    });
    const put = await s.api.put(`/sources/${src.id}`, { name: "Replaced", configuration: { count: 2 } });
    expect(put.status).toBe(200);
    expect(store.sources.get(src.id)?.configuration).toEqual({ count: 2 });
  });

  test("put needs name and configuration; delete answers 204, then 404, and takes the connections with it", async () => {
    const { store } = s.fake;
    const src = store.addSource({ connectorType: "pokeapi" });
    const dst = store.addDestination();
    const conn = store.addConnection({ sourceId: src.id, destinationId: dst.id });
    expect((await s.api.put(`/sources/${src.id}`, { name: "only name" })).status).toBe(400);
    const put = await s.api.put(`/sources/${src.id}`, {
      name: "Pokemon",
      configuration: { pokemon_name: "pikachu" },
    });
    expect(put.body).toMatchObject({ name: "Pokemon", configuration: { pokemon_name: "pikachu" } });
    const del = await s.api.delete(`/sources/${src.id}`);
    expect(del.status).toBe(204);
    expect(del.body).toBeUndefined();
    expect((await s.api.get(`/sources/${src.id}`)).status).toBe(404);
    expect((await s.api.delete(`/sources/${src.id}`)).status).toBe(404);
    expect((await s.api.get(`/connections/${conn.connectionId}`)).status).toBe(404);
    const withDeleted = await s.api.get("/sources?includeDeleted=true");
    expect(withDeleted.body.data.map((x: { sourceId: string }) => x.sourceId)).toEqual([src.id]);
  });

  test("unknown and malformed ids", async () => {
    const unknown = await s.api.get(`/sources/${crypto.randomUUID()}`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.data.resourceType).toBe("source");
    expect((await s.api.patch(`/destinations/${crypto.randomUUID()}`, { name: "x" })).status).toBe(404);
    expect((await s.api.get("/destinations/42")).status).toBe(400);
  });

  test("streams: the source's catalog, with sync modes only when a destination is given", async () => {
    const { store } = s.fake;
    const src = store.addSource({ connectorType: "faker" });
    const dst = store.addDestination({ connectorType: "dev-null" });
    const bare = await s.api.get(`/streams?sourceId=${src.id}`);
    expect(bare.body.map((x: { streamName: string }) => x.streamName)).toEqual([
      "users",
      "products",
      "purchases",
    ]);
    expect(bare.body[0].syncModes).toBeUndefined();
    expect(bare.body[0].propertyFields).toContainEqual(["address", "city"]);
    const withDest = await s.api.get(`/streams?sourceId=${src.id}&destinationId=${dst.id}`);
    expect(withDest.body[0].syncModes).toContain("incremental_deduped_history");
    // A full-refresh-only source gets no incremental modes whatever the destination allows.
    const poke = store.addSource({ connectorType: "pokeapi" });
    const pokeStreams = await s.api.get(`/streams?sourceId=${poke.id}&destinationId=${dst.id}`);
    expect(pokeStreams.body[0].syncModes.every((m: string) => m.startsWith("full_refresh_"))).toBe(true);
    expect(pokeStreams.body[0].syncModes).toContain("full_refresh_overwrite");
    expect((await s.api.get("/streams")).status).toBe(400);
    expect((await s.api.get(`/streams?sourceId=${crypto.randomUUID()}`)).status).toBe(404);
  });

  test("connector definitions come from the registry", async () => {
    const sources = await s.api.get("/connector_definitions?type=source");
    expect(sources.body.data.length).toBeGreaterThan(100);
    expect(sources.body.data).toContainEqual({
      id: "6371b14b-bc68-4236-bfbd-468e8df8e968",
      name: "PokeAPI",
      connectorDefinitionType: "source",
      version: expect.any(String),
    });
    expect((await s.api.get("/connector_definitions")).status).toBe(400);
  });
});

describe.skipIf(skip)("connections", () => {
  const s = fakeCloudSuite();
  const pair = () => ({
    src: s.fake.store.addSource({ name: "Faker" }),
    dst: s.fake.store.addDestination({ name: "Null" }),
  });

  test("create as PyAirbyte does (stream names and a prefix): defaults filled in", async () => {
    const { src, dst } = pair();
    const r = await s.api.post("/connections", {
      name: "faker-to-null",
      sourceId: src.id,
      destinationId: dst.id,
      configurations: { streams: [{ name: "users" }, { name: "products" }] },
      prefix: "raw_",
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      name: "faker-to-null",
      status: "active",
      prefix: "raw_",
      schedule: { scheduleType: "manual" },
      namespaceDefinition: "destination",
      workspaceId: s.fake.store.defaults.workspaceId,
    });
    expect(r.body.configurations.streams.map((x: { name: string }) => x.name)).toEqual(["users", "products"]);
    // Given by name only, a stream gets the server's default: deduped when cursor and key allow it.
    expect(r.body.configurations.streams[0]).toEqual({
      name: "users",
      syncMode: "incremental_deduped_history",
      cursorField: ["updated_at"],
      primaryKey: [["id"]],
    });
    expect((await s.api.get(`/connections/${r.body.connectionId}`)).body).toEqual(r.body);
  });

  test("without configurations every stream is selected; the name defaults to source → destination", async () => {
    const { src, dst } = pair();
    const r = await s.api.post("/connections", { sourceId: src.id, destinationId: dst.id });
    expect(r.body.name).toBe("Faker → Null");
    expect(r.body.configurations.streams).toHaveLength(3);
  });

  test("create errors: unknown stream, bad sync mode, unknown actors, cron too frequent or malformed", async () => {
    const { src, dst } = pair();
    const base = { sourceId: src.id, destinationId: dst.id };
    const unknown = await s.api.post("/connections", {
      ...base,
      configurations: { streams: [{ name: "nope" }] },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.detail).toContain("users, products, purchases");
    const poke = s.fake.store.addSource({ connectorType: "pokeapi" });
    const mode = await s.api.post("/connections", {
      ...base,
      sourceId: poke.id,
      configurations: { streams: [{ name: "pokemon", syncMode: "incremental_append" }] },
    });
    expect(mode.status).toBe(400);
    expect(mode.body.detail).toContain("Valid sync modes");
    expect((await s.api.post("/connections", { ...base, sourceId: crypto.randomUUID() })).status).toBe(404);
    const frequent = await s.api.post("/connections", {
      ...base,
      schedule: { scheduleType: "cron", cronExpression: "0 */5 * * * ?" },
    });
    expect(frequent.status).toBe(400);
    expect(frequent.body.type).toBe("error:cron-validation/under-one-hour-not-allowed");
    const malformed = await s.api.post("/connections", {
      ...base,
      schedule: { scheduleType: "cron", cronExpression: "daily" },
    });
    expect(malformed.body.type).toBe("error:cron-validation/invalid-expression");
    const missing = await s.api.post("/connections", { ...base, schedule: { scheduleType: "cron" } });
    expect(missing.body.type).toBe("error:cron-validation/missing-cron-data");
    const badStatus = await s.api.post("/connections", { ...base, status: "paused" });
    expect(badStatus.status).toBe(400);
  });

  test("patch: rename, prefix, streams, schedule, status; list and delete", async () => {
    const { src, dst } = pair();
    const conn = s.fake.store.addConnection({ sourceId: src.id, destinationId: dst.id });
    const r = await s.api.patch(`/connections/${conn.connectionId}`, {
      name: "renamed",
      prefix: "p_",
      status: "inactive",
      schedule: { scheduleType: "cron", cronExpression: "0 0 12 * * ?" },
      configurations: { streams: [{ name: "purchases", syncMode: "full_refresh_append" }] },
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      name: "renamed",
      prefix: "p_",
      status: "inactive",
      schedule: { scheduleType: "cron", cronExpression: "0 0 12 * * ? UTC" },
    });
    expect(r.body.configurations.streams).toEqual([
      { name: "purchases", syncMode: "full_refresh_append", cursorField: [], primaryKey: [["id"]] },
    ]);
    const manual = await s.api.patch(`/connections/${conn.connectionId}`, {
      schedule: { scheduleType: "manual" },
    });
    expect(manual.body.schedule).toEqual({ scheduleType: "manual" });
    const rejected = await s.api.patch(`/connections/${conn.connectionId}`, {
      name: "x",
      configurations: { streams: [] },
    });
    expect(rejected.status).toBe(400);
    expect(s.fake.store.connections.get(conn.connectionId)?.name).toBe("renamed");
    const list = await s.api.get("/connections");
    expect(list.body.data).toHaveLength(1);
    expect((await s.api.delete(`/connections/${conn.connectionId}`)).status).toBe(204);
    expect((await s.api.get("/connections")).body.data).toEqual([]);
    expect((await s.api.get(`/connections/${conn.connectionId}`)).status).toBe(404);
  });
});

describe.skipIf(skip)("declarative source definitions", () => {
  const s = fakeCloudSuite();
  const path = () => `/workspaces/${s.fake.store.defaults.workspaceId}/definitions/declarative_sources`;

  test("publish, list, get, update (new version), delete (200 with the object)", async () => {
    const created = await s.api.post(path(), { name: "my-api", manifest: manifest() });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ name: "my-api", version: 1 });
    const id = created.body.id;
    expect((await s.api.get(path())).body.data.map((d: { id: string }) => d.id)).toEqual([id]);
    const updated = await s.api.put(`${path()}/${id}`, { manifest: manifest(["rows", "more"]) });
    expect(updated.body.version).toBe(2);
    expect((await s.api.get(`${path()}/${id}`)).body.manifest.streams).toHaveLength(2);
    const deleted = await s.api.delete(`${path()}/${id}`);
    expect(deleted.status).toBe(200);
    expect(deleted.body.id).toBe(id);
    expect((await s.api.get(`${path()}/${id}`)).status).toBe(404);
  });

  test("delete takes the definition's sources with it, and their connections, as the platform does", async () => {
    const def = (await s.api.post(path(), { name: "my-api", manifest: manifest() })).body;
    const store = s.fake.store;
    const src = store.addSource({ name: "on it", definitionId: def.id, configuration: { api_key: "k" } });
    const other = store.addSource({ name: "not on it" });
    const dst = store.addDestination({ name: "dst" });
    const conn = store.addConnection({ sourceId: src.id, destinationId: dst.id });
    const kept = store.addConnection({ sourceId: other.id, destinationId: dst.id });
    expect((await s.api.delete(`${path()}/${def.id}`)).status).toBe(200);
    expect((await s.api.get(`/sources/${src.id}`)).status).toBe(404);
    expect((await s.api.get(`/connections/${conn.connectionId}`)).status).toBe(404);
    expect((await s.api.get(`/sources/${other.id}`)).status).toBe(200);
    expect((await s.api.get(`/connections/${kept.connectionId}`)).status).toBe(200);
    expect((await s.api.get(`/destinations/${dst.id}`)).status).toBe(200);
  });

  test("a source on a custom definition: its manifest's streams and spec (secrets masked)", async () => {
    const def = (await s.api.post(path(), { name: "my-api", manifest: manifest(["a", "b"]) })).body;
    const src = await s.api.post("/sources", {
      name: "custom",
      workspaceId: s.fake.store.defaults.workspaceId,
      definitionId: def.id,
      configuration: { api_key: "sk-live-123" },
    });
    expect(src.status).toBe(200);
    expect(src.body.sourceType).toBe("");
    expect(src.body.configuration.api_key).toBe(SECRET_MASK);
    const streams = await s.api.get(`/streams?sourceId=${src.body.sourceId}`);
    expect(streams.body.map((x: { streamName: string }) => x.streamName)).toEqual(["a", "b"]);
    const missingKey = await s.api.post("/sources", {
      name: "custom",
      workspaceId: s.fake.store.defaults.workspaceId,
      definitionId: def.id,
      configuration: {},
    });
    expect(missingKey.status).toBe(400);
  });

  test("a manifest without spec.connection_specification is refused; unknown ids are 404", async () => {
    const { spec: _, ...noSpec } = manifest();
    const r = await s.api.post(path(), { name: "x", manifest: noSpec });
    expect(r.status).toBe(400);
    expect(r.body.detail).toContain("connection_specification");
    expect((await s.api.post(path(), { name: "x" })).status).toBe(400);
    expect((await s.api.get(`${path()}/${crypto.randomUUID()}`)).status).toBe(404);
    const foreign = `/workspaces/${s.fake.store.defaults.foreignWorkspaceId}/definitions/declarative_sources`;
    expect((await s.api.get(foreign)).status).toBe(403);
  });
});

describe.skipIf(skip)("self-managed base path", () => {
  const s = fakeCloudSuite();

  test("/api/public/v1 serves the same API, with links under it", async () => {
    const { fake } = await s.open({ basePath: "/api/public/v1" });
    expect(fake.apiUrl).toEndWith("/api/public/v1");
    const api = new RawApi(fake);
    await api.login();
    const r = await api.get("/workspaces");
    expect(r.status).toBe(200);
    expect(r.body.next).toStartWith(`${fake.origin}/api/public/v1/workspaces?`);
    expect((await api.call("GET", `${fake.origin}/v1/workspaces`)).status).toBe(404);
    expect(
      (
        await api.config("/workspaces/get_organization_info", {
          workspaceId: fake.store.defaults.workspaceId,
        })
      ).status,
    ).toBe(200);
  });
});
