// The Config API endpoints of the fake Cloud (organization info and billing, workspaces of an organization,
// job attempts and logs, connection state and catalog, builder projects, connection checks), each answer
// held to the shapes of the platform's config.yaml by the suite.

import { describe, expect, test } from "bun:test";
import { skipWithoutFixtures } from "../../helpers/fixtures.ts";
import { fakeCloudSuite, RawApi } from "./harness.ts";
import { SECRET_MASK } from "./secrets.ts";

const skip = skipWithoutFixtures("fake Cloud Config API tests");
const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);

const manifest = {
  version: "6.44.0",
  type: "DeclarativeSource",
  streams: [{ type: "DeclarativeStream", name: "rows", primary_key: "id" }],
  spec: {
    type: "Spec",
    connection_specification: {
      type: "object",
      properties: { api_key: { type: "string", airbyte_secret: true }, region: { type: "string" } },
    },
  },
};

describe.skipIf(skip)("organizations and workspaces", () => {
  const s = fakeCloudSuite();

  test("workspace → organization info with billing; foreign 403, unknown 404, bad body 422", async () => {
    const { defaults } = s.fake.store;
    const r = await s.api.config("/workspaces/get_organization_info", { workspaceId: defaults.workspaceId });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      organizationId: defaults.organizationId,
      organizationName: "Fake Organization",
      sso: false,
      billing: { paymentStatus: "okay", subscriptionStatus: "subscribed" },
    });
    expect(
      (await s.api.config("/workspaces/get_organization_info", { workspaceId: defaults.foreignWorkspaceId }))
        .status,
    ).toBe(403);
    const unknown = await s.api.config("/workspaces/get_organization_info", {
      workspaceId: crypto.randomUUID(),
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body.message).toContain("workspace");
    expect((await s.api.config("/workspaces/get_organization_info", {})).status).toBe(422);
    expect((await s.api.call("GET", `${s.fake.configApiUrl}/workspaces/get_organization_info`)).status).toBe(
      405,
    );
  });

  test("organization info shows a locked account; non-members get 403", async () => {
    const org = s.fake.store.addOrganization({
      organizationName: "Locked",
      paymentStatus: "locked",
      subscriptionStatus: "unsubscribed",
    });
    const r = await s.api.config("/organizations/get_organization_info", {
      organizationId: org.organizationId,
    });
    expect(r.body.billing).toEqual({ paymentStatus: "locked", subscriptionStatus: "unsubscribed" });
    const foreign = await s.api.config("/organizations/get_organization_info", {
      organizationId: s.fake.store.defaults.foreignOrganizationId,
    });
    expect(foreign.status).toBe(403);
  });

  test("workspaces of an organization: name filter (any case) and pageSize/rowOffset pages", async () => {
    const { store } = s.fake;
    for (const name of ["Alpha", "Beta", "alphabet"]) store.addWorkspace({ name });
    const orgId = store.defaults.organizationId;
    const page = async (body: object) =>
      (
        await s.api.config("/workspaces/list_by_organization_id", { organizationId: orgId, ...body })
      ).body.workspaces.map((w: { name: string }) => w.name);
    expect(await page({ nameContains: "ALPHA" })).toEqual(["Alpha", "alphabet"]);
    expect(await page({ pagination: { pageSize: 2, rowOffset: 0 } })).toEqual(["Alpha", "alphabet"]);
    expect(await page({ pagination: { pageSize: 2, rowOffset: 2 } })).toEqual(["Beta", "Default Workspace"]);
    expect(await page({ pagination: { pageSize: 2, rowOffset: 4 } })).toEqual([]);
  });
});

describe.skipIf(skip)("jobs, state and catalog", () => {
  const s = fakeCloudSuite();

  async function clocked() {
    let now = T0;
    const { fake } = await s.open({ clock: () => now, jobTimings: { pendingMs: 0, runningMs: 10_000 } });
    const api = new RawApi(fake);
    await api.login();
    const src = fake.store.addSource({ connectorType: "faker" });
    const dst = fake.store.addDestination({ connectorType: "postgres" });
    const conn = fake.store.addConnection({
      sourceId: src.id,
      destinationId: dst.id,
      streams: [
        { name: "users", syncMode: "incremental_append", cursorField: ["updated_at"], primaryKey: [["id"]] },
        { name: "products", syncMode: "full_refresh_overwrite", cursorField: [], primaryKey: [["id"]] },
      ],
    });
    return { fake, api, conn, advance: (ms: number) => (now += ms) };
  }

  test("job attempts with structured log events, growing while the job runs", async () => {
    const { fake, api, conn, advance } = await clocked();
    fake.store.setJobOutcome(conn.connectionId, "succeeded", { records: 42 });
    const { jobId } = (await api.post("/jobs", { connectionId: conn.connectionId, jobType: "sync" })).body;
    advance(3_000);
    const running = (await api.config("/jobs/get", { id: jobId })).body;
    expect(running.job).toMatchObject({
      id: jobId,
      configType: "sync",
      configId: conn.connectionId,
      status: "running",
    });
    expect(running.attempts).toHaveLength(1);
    const partial = running.attempts[0].logs.events.length;
    expect(running.attempts[0].logType).toBe("structured");
    advance(10_000);
    const done = (await api.config("/jobs/get", { id: jobId })).body;
    const events = done.attempts[0].logs.events;
    expect(events.length).toBeGreaterThan(partial);
    expect(events[0]).toEqual({
      timestamp: expect.any(Number),
      message: expect.any(String),
      level: "info",
      logSource: "platform",
    });
    expect(events.map((e: { message: string }) => e.message).join("\n")).toContain("Committed 42 records");
    expect(done.attempts[0].attempt).toMatchObject({ id: 0, status: "succeeded", recordsSynced: 42 });
  });

  test("given log lines come back as formatted lines of the last attempt", async () => {
    const { fake, api, conn, advance } = await clocked();
    const lines = Array.from({ length: 12 }, (_, i) => `line ${i + 1}`);
    fake.store.setJobOutcome(conn.connectionId, "failed", { logLines: lines, logFormat: "lines" });
    const { jobId } = (await api.post("/jobs", { connectionId: conn.connectionId, jobType: "sync" })).body;
    advance(20_000);
    const info = (await api.config("/jobs/get", { id: jobId })).body;
    expect(info.job.status).toBe("failed");
    expect(info.attempts[0].logType).toBe("formatted");
    expect(info.attempts[0].logs.logLines).toEqual(lines);
    expect((await api.config("/jobs/get", { id: 424242 })).status).toBe(404);
    expect((await api.config("/jobs/get", { id: "1" })).status).toBe(422);
  });

  test("state: not_set, then the cursor of each incremental stream after a sync, cleared by a reset", async () => {
    const { fake, api, conn, advance } = await clocked();
    const state = () => api.config("/state/get", { connectionId: conn.connectionId });
    expect((await state()).body).toEqual({ stateType: "not_set", connectionId: conn.connectionId });
    await api.post("/jobs", { connectionId: conn.connectionId, jobType: "sync" });
    advance(10_000);
    expect((await state()).body).toEqual({
      stateType: "stream",
      connectionId: conn.connectionId,
      streamState: [
        {
          streamDescriptor: { name: "users" },
          streamState: { updated_at: new Date(T0 + 10_000).toISOString() },
        },
      ],
    });
    await api.post("/jobs", { connectionId: conn.connectionId, jobType: "reset" });
    advance(10_000);
    expect((await state()).body.stateType).toBe("not_set");
    fake.store.setConnectionState(conn.connectionId, {
      stateType: "global",
      globalState: {
        shared_state: { lsn: 7 },
        streamStates: [{ streamDescriptor: { name: "users" }, streamState: {} }],
      },
    });
    expect((await state()).body.globalState.shared_state).toEqual({ lsn: 7 });
  });

  test("catalog: every discovered stream with its config, selected or not; secrets masked; syncing flag", async () => {
    const { fake, api, conn } = await clocked();
    const secret = fake.store.destinations.get(conn.destinationId)?.configuration.password;
    expect(typeof secret).toBe("string");
    const r = (
      await api.config("/web_backend/connections/get", {
        connectionId: conn.connectionId,
        withRefreshedCatalog: false,
      })
    ).body;
    expect(r.syncCatalog.streams.map((x: { stream: { name: string } }) => x.stream.name)).toEqual([
      "users",
      "products",
      "purchases",
    ]);
    expect(r.syncCatalog.streams.map((x: { config: { selected: boolean } }) => x.config.selected)).toEqual([
      true,
      true,
      false,
    ]);
    expect(r.syncCatalog.streams[0].config).toMatchObject({
      syncMode: "incremental",
      destinationSyncMode: "append",
      cursorField: ["updated_at"],
    });
    expect(r.destination.connectionConfiguration.password).toBe(SECRET_MASK);
    expect(JSON.stringify(r)).not.toContain(String(secret));
    expect(r.isSyncing).toBe(false);
    await api.post("/jobs", { connectionId: conn.connectionId, jobType: "sync" });
    const syncing = await api.config("/web_backend/connections/get", { connectionId: conn.connectionId });
    expect(syncing.body.isSyncing).toBe(true);
    expect(
      (await api.config("/web_backend/connections/get", { connectionId: crypto.randomUUID() })).status,
    ).toBe(404);
  });
});

describe.skipIf(skip)("builder projects and checks", () => {
  const s = fakeCloudSuite();

  test("a published definition's builder project, its draft, a given version, and its testing values", async () => {
    const { store } = s.fake;
    const ws = store.defaults.workspaceId;
    const def = (
      await s.api.post(`/workspaces/${ws}/definitions/declarative_sources`, { name: "mine", manifest })
    ).body;
    const link = await s.api.config("/connector_builder_projects/get_for_definition_id", {
      actorDefinitionId: def.id,
      workspaceId: ws,
    });
    expect(link.body).toEqual({ builderProjectId: expect.any(String), workspaceId: ws });
    const builderProjectId = link.body.builderProjectId;
    const get = (extra: object = {}) =>
      s.api.config("/connector_builder_projects/get_with_manifest", {
        workspaceId: ws,
        builderProjectId,
        ...extra,
      });
    const published = (await get()).body;
    expect(published.builderProject).toMatchObject({
      name: "mine",
      hasDraft: false,
      sourceDefinitionId: def.id,
      activeDeclarativeManifestVersion: 1,
    });
    expect(published.declarativeManifest).toEqual({ manifest, isDraft: false, version: 1 });
    store.setBuilderDraft(def.id, { ...manifest, version: "7.0.0" });
    const draft = (await get()).body;
    expect(draft.builderProject.hasDraft).toBe(true);
    expect(draft.declarativeManifest).toMatchObject({ isDraft: true, manifest: { version: "7.0.0" } });
    expect((await get({ version: 1 })).body.declarativeManifest).toMatchObject({
      isDraft: false,
      version: 1,
    });
    expect((await get({ version: 9 })).status).toBe(404);

    const updated = await s.api.config("/connector_builder_projects/update_testing_values", {
      workspaceId: ws,
      builderProjectId,
      testingValues: { api_key: "sk-test-secret", region: "eu" },
      spec: { connectionSpecification: manifest.spec.connection_specification },
    });
    expect(updated.body).toEqual({ api_key: SECRET_MASK, region: "eu" });
    expect((await get()).body.testingValues).toEqual({ api_key: SECRET_MASK, region: "eu" });
    const noSpec = await s.api.config("/connector_builder_projects/update_testing_values", {
      workspaceId: ws,
      builderProjectId,
      testingValues: {},
    });
    expect(noSpec.status).toBe(422);
  });

  test("a definition without a builder project gives null ids; an unknown project 404", async () => {
    const ws = s.fake.store.defaults.workspaceId;
    const none = await s.api.config("/connector_builder_projects/get_for_definition_id", {
      actorDefinitionId: crypto.randomUUID(),
      workspaceId: ws,
    });
    expect(none.body).toEqual({ builderProjectId: null, workspaceId: null });
    const unknown = await s.api.config("/connector_builder_projects/get_with_manifest", {
      workspaceId: ws,
      builderProjectId: crypto.randomUUID(),
    });
    expect(unknown.status).toBe(404);
  });

  test("connection checks succeed by default and fail as told", async () => {
    const { store } = s.fake;
    const src = store.addSource();
    const dst = store.addDestination();
    const ok = await s.api.config("/sources/check_connection", { sourceId: src.id });
    expect(ok.body.status).toBe("succeeded");
    expect(ok.body.jobInfo.configType).toBe("check_connection_source");
    store.setCheckOutcome(dst.id, { status: "failed", message: "Could not connect: connection refused" });
    const bad = await s.api.config("/destinations/check_connection", { destinationId: dst.id });
    expect(bad.body).toMatchObject({ status: "failed", message: "Could not connect: connection refused" });
    expect((await s.api.config("/sources/check_connection", { sourceId: dst.id })).status).toBe(404);
  });
});
