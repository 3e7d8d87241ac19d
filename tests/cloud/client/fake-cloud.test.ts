// The client against the fake Cloud (tests/fakes/cloud), whose every answer is checked against the
// OpenAPI file: the whole flow the Cloud tools make, plus token expiry, injected failures, paging with
// the extra empty page, self-managed roots and the Config API calls.

import { afterEach, describe, expect, test } from "bun:test";
import {
  type CloudApiError,
  type CloudClient,
  collect,
  createCloudClient,
  FINAL_JOB_STATUSES,
  type Job,
} from "../../../src/cloud/client/index.ts";
import { Redactor } from "../../../src/core/redact.ts";
import {
  DEFAULT_CLIENT_ID,
  DEFAULT_CLIENT_SECRET,
  type FakeCloud,
  type FakeCloudOptions,
  startFakeCloud,
} from "../../fakes/cloud/server.ts";
import { skipWithoutFixtures } from "../../helpers/fixtures.ts";
import { cloudSettings, FAST_RETRY, recordingLogger, rejection } from "./helpers.ts";

const skip = skipWithoutFixtures("Cloud client tests against the fake Cloud");
const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);

let fake: FakeCloud | null = null;
afterEach(async () => {
  if (fake) expect(fake.validationErrors).toEqual([]);
  await fake?.close();
  fake = null;
});

/** A fake on a test clock and a client with client credentials against it. */
async function setUp(
  options: FakeCloudOptions = {},
  env: Record<string, string> = {},
  extra: { pageSize?: number } = {},
) {
  let now = T0;
  const f = await startFakeCloud({
    clock: () => now,
    jobTimings: { pendingMs: 1_000, runningMs: 60_000 },
    ...options,
  });
  fake = f;
  const redactor = new Redactor([]);
  const log = recordingLogger();
  const client = createCloudClient({
    settings: cloudSettings({
      AIRBYTE_CLOUD_API_URL: f.apiUrl,
      AIRBYTE_CLOUD_CONFIG_API_URL: f.configApiUrl,
      AIRBYTE_CLOUD_CLIENT_ID: DEFAULT_CLIENT_ID,
      AIRBYTE_CLOUD_CLIENT_SECRET: DEFAULT_CLIENT_SECRET,
      ...env,
    }),
    retry: FAST_RETRY,
    tokens: { now: () => now },
    redactor,
    log,
    ...(extra.pageSize ? { pageSize: extra.pageSize } : {}),
  });
  return { fake: f, client, redactor, log, advance: (ms: number) => (now += ms) };
}

const POKEAPI = "6371b14b-bc68-4236-bfbd-468e8df8e968";
const DEV_NULL = "a7bcc9d8-13b3-4e49-b80d-d020b90045e3";

describe.skipIf(skip)("the Cloud tools' flow", () => {
  test("deploy a source and a destination, connect them, sync, read status, logs and state, clean up", async () => {
    const { fake, client, advance, redactor, log } = await setUp();
    const ws = fake.store.defaults.workspaceId;

    const workspace = await client.workspaces.get(ws);
    expect(workspace.name).toBe("Default Workspace");
    const orgs = await client.organizations.list();
    expect(orgs.map((o) => o.organizationId)).toContain(fake.store.defaults.organizationId);
    const org = await client.config.workspaceOrganizationInfo(ws);
    expect(org.organizationId).toBe(fake.store.defaults.organizationId);

    const definitions = await client.connectorDefinitions.list("source", ws);
    expect(definitions.some((d) => d.id === POKEAPI)).toBe(true);

    const source = await client.sources.create({
      name: "poke (delete-me)",
      workspaceId: ws,
      configuration: { sourceType: "pokeapi", pokemon_name: "ditto" },
    });
    expect(source.definitionId).toBe(POKEAPI);
    const destination = await client.destinations.create({
      name: "null (delete-me)",
      workspaceId: ws,
      configuration: { test_destination: { test_destination_type: "SILENT" } },
      definitionId: DEV_NULL,
    });
    expect(destination.destinationType).toBe("dev-null");

    const streams = await client.streams.list(source.sourceId, { destinationId: destination.destinationId });
    expect(streams.length).toBeGreaterThan(0);
    const first = streams[0];
    if (!first) throw new Error("no stream");
    expect(first.syncModes?.length ?? 0).toBeGreaterThan(0);

    const connection = await client.connections.create({
      sourceId: source.sourceId,
      destinationId: destination.destinationId,
      name: "poke → null",
      configurations: { streams: [{ name: first.streamName }] },
      prefix: "raw_",
    });
    expect(connection.configurations.streams?.map((s) => s.name)).toEqual([first.streamName]);
    expect(connection.prefix).toBe("raw_");

    fake.store.setJobOutcome(connection.connectionId, "succeeded", { records: 150, bytes: 4_000 });
    const started = await client.jobs.create({ connectionId: connection.connectionId, jobType: "sync" });
    expect(started.status).toBe("pending");
    const again = (await rejection(
      client.jobs.create({ connectionId: connection.connectionId, jobType: "sync" }),
    )) as CloudApiError;
    expect(again.status).toBe(409);
    expect(again.hint).toContain("already running");

    let job: Job = started;
    const seen = new Set<string>([job.status]);
    while (!FINAL_JOB_STATUSES.has(job.status)) {
      advance(10_000);
      job = await client.jobs.get(started.jobId);
      seen.add(job.status);
    }
    expect(job).toMatchObject({ status: "succeeded", rowsSynced: 150, bytesSynced: 4_000 });
    expect(seen.has("running")).toBe(true);

    const history = await collect(
      client.jobs.list({ connectionId: connection.connectionId, orderBy: "createdAt|DESC", limit: 5 }),
    );
    expect(history[0]?.jobId).toBe(started.jobId);

    const info = await client.config.jobInfo(started.jobId);
    expect(info.job.id).toBe(started.jobId);
    const attempt = info.attempts?.at(-1);
    const logCount = (attempt?.logs?.events?.length ?? 0) + (attempt?.logs?.logLines?.length ?? 0);
    expect(logCount).toBeGreaterThan(0);

    const state = await client.config.connectionState(connection.connectionId);
    expect(["stream", "global", "legacy", "not_set"]).toContain(state.stateType);
    const catalog = await client.config.webBackendConnection(connection.connectionId);
    expect(catalog.syncCatalog.streams.length).toBeGreaterThan(0);

    expect((await client.config.checkSource(source.sourceId)).status).toBe("succeeded");
    fake.store.setCheckOutcome(destination.destinationId, { status: "failed", message: "no route to host" });
    expect(await client.config.checkDestination(destination.destinationId)).toMatchObject({
      status: "failed",
      message: "no route to host",
    });

    const renamed = await client.connections.patch(connection.connectionId, {
      name: "renamed",
      status: "inactive",
      schedule: { scheduleType: "manual" },
    });
    expect(renamed).toMatchObject({ name: "renamed", status: "inactive" });
    expect((await client.sources.patch(source.sourceId, { name: "poke 2 (delete-me)" })).name).toBe(
      "poke 2 (delete-me)",
    );

    await client.connections.delete(connection.connectionId);
    await client.sources.delete(source.sourceId);
    await client.destinations.delete(destination.destinationId);
    const gone = (await rejection(client.sources.get(source.sourceId))) as CloudApiError;
    expect(gone.status).toBe(404);
    expect(gone.hint).toContain("List the workspace's sources");

    expect(fake.tokensIssued).toBe(1);
    // Every access token went to the server's redactor; none reached a log line.
    const tokenRequests = fake.requests.filter((r) => r.path.endsWith("/applications/token"));
    expect(tokenRequests).toHaveLength(1);
    expect(redactor.isEmpty).toBe(false);
    expect(log.lines.join("\n")).not.toContain(DEFAULT_CLIENT_SECRET);
  });

  test("cancelling a running job", async () => {
    const { fake, client, advance } = await setUp();
    const src = fake.store.addSource();
    const dst = fake.store.addDestination();
    const conn = fake.store.addConnection({ sourceId: src.id, destinationId: dst.id });
    const job = await client.jobs.create({ connectionId: conn.connectionId, jobType: "sync" });
    advance(5_000);
    expect((await client.jobs.get(job.jobId)).status).toBe("running");
    const cancelled = await client.jobs.cancel(job.jobId);
    expect(cancelled.status).toBe("cancelled");
    expect((await client.jobs.get(job.jobId)).status).toBe("cancelled");
  });

  test("custom declarative definitions and their Connector Builder project", async () => {
    const { fake, client } = await setUp();
    const ws = fake.store.defaults.workspaceId;
    const manifest = {
      version: "6.0.0",
      type: "DeclarativeSource",
      check: { type: "CheckStream", stream_names: ["items"] },
      streams: [],
      spec: {
        type: "Spec",
        connection_specification: {
          type: "object",
          properties: { api_key: { type: "string", airbyte_secret: true } },
        },
      },
    };
    const def = await client.declarativeSources.create(ws, { name: "my-api (delete-me)", manifest });
    expect(def.version).toBe(1);
    expect((await client.declarativeSources.list(ws)).map((d) => d.id)).toContain(def.id);
    const updated = await client.declarativeSources.update(ws, def.id, {
      manifest: { ...manifest, version: "6.1.0" },
    });
    expect(updated.version).toBe(2);
    expect((await client.declarativeSources.get(ws, def.id)).manifest.version).toBe("6.1.0");

    const ref = await client.config.builderProjectForDefinition(ws, def.id);
    const projectId = ref.builderProjectId;
    if (!projectId) throw new Error("the definition has no builder project");
    const project = await client.config.builderProjectWithManifest(ws, projectId);
    expect(project.builderProject.builderProjectId).toBe(projectId);
    const values = await client.config.updateBuilderTestingValues({
      workspaceId: ws,
      builderProjectId: projectId,
      testingValues: { api_key: "k-123456" },
      spec: { connectionSpecification: manifest.spec.connection_specification },
    });
    expect(Object.keys(values)).toContain("api_key");
    expect(client.web.builderProject(ws, projectId)).toBe(
      `${fake.origin}/workspaces/${ws}/connector-builder/edit/${projectId}`,
    );

    expect((await client.declarativeSources.delete(ws, def.id)).id).toBe(def.id);
    expect(((await rejection(client.declarativeSources.get(ws, def.id))) as CloudApiError).status).toBe(404);
  });
});

describe.skipIf(skip)("resilience against the fake", () => {
  test("paging walks every source and stops on the extra empty page", async () => {
    const { fake, client } = await setUp({}, {}, { pageSize: 2 });
    for (let i = 0; i < 5; i++) fake.store.addSource({ name: `s${i}` });
    const names = (await collect(client.sources.list(fake.store.defaults.workspaceId))).map((s) => s.name);
    expect(names.sort()).toEqual(["s0", "s1", "s2", "s3", "s4"]);
    const pages = fake.requests.filter((r) => r.method === "GET" && r.path.endsWith("/sources"));
    // Pages of 2, 2, 1, then the empty page the last next link points to.
    expect(pages).toHaveLength(4);
  });

  test("a token the server expired early: one new token, the call succeeds", async () => {
    const { fake, client } = await setUp();
    const ws = fake.store.defaults.workspaceId;
    await client.workspaces.get(ws);
    fake.expireTokens();
    await client.workspaces.get(ws);
    expect(fake.tokensIssued).toBe(2);
  });

  test("the token is renewed by the clock before it expires, without a 401", async () => {
    const { fake, client, advance } = await setUp({ tokenTtlSeconds: 900 });
    const ws = fake.store.defaults.workspaceId;
    await client.workspaces.get(ws);
    advance(850_000);
    await client.workspaces.get(ws);
    expect(fake.tokensIssued).toBe(2);
    expect(fake.requests.filter((r) => r.status === 401)).toHaveLength(0);
  });

  test("injected 503 with Retry-After, then success; a creating POST is not repeated after a 500", async () => {
    const { fake, client } = await setUp();
    const src = fake.store.addSource();
    fake.injectFailure({ method: "GET", path: /\/sources\//, status: 503, retryAfter: "0", times: 2 });
    expect((await client.sources.get(src.id)).sourceId).toBe(src.id);

    fake.injectFailure({ method: "POST", path: /\/sources$/, status: 500 });
    const e = (await rejection(
      client.sources.create({
        name: "x",
        workspaceId: fake.store.defaults.workspaceId,
        configuration: { sourceType: "pokeapi", pokemon_name: "ditto" },
      }),
    )) as CloudApiError;
    expect(e.status).toBe(500);
    expect(e.hint).toContain("may have been created");
    expect(fake.requests.filter((r) => r.method === "POST" && r.path.endsWith("/sources"))).toHaveLength(1);
  });

  test("a workspace of another organization: 403 with the workspace hint", async () => {
    const { fake, client } = await setUp();
    const e = (await rejection(
      client.workspaces.get(fake.store.defaults.foreignWorkspaceId),
    )) as CloudApiError;
    expect(e.status).toBe(403);
    expect(e.hint).toContain("workspace");
  });

  test("refused client credentials name the variables and never show the secret", async () => {
    const { client } = await setUp({}, { AIRBYTE_CLOUD_CLIENT_SECRET: "not-the-right-secret-42" });
    const e = (await rejection(client.organizations.list())) as CloudApiError;
    expect(e.hint).toContain("AIRBYTE_CLOUD_CLIENT_SECRET");
    expect(e.text).not.toContain("not-the-right-secret-42");
  });

  test("a static bearer token accepted by the fake", async () => {
    const { client, fake } = await setUp(
      { bearerTokens: ["static-bearer-token-xyz"] },
      {
        AIRBYTE_CLOUD_CLIENT_ID: "",
        AIRBYTE_CLOUD_CLIENT_SECRET: "",
        AIRBYTE_CLOUD_BEARER_TOKEN: "static-bearer-token-xyz",
      },
    );
    expect(client.authKind).toBe("bearer");
    expect((await client.organizations.list()).length).toBeGreaterThan(0);
    expect(fake.tokensIssued).toBe(0);
  });
});

describe.skipIf(skip)("self-managed roots", () => {
  test("/api/public/v1 for the public API, /api/v1 for the Config API, the host root for links", async () => {
    const f = await startFakeCloud({ basePath: "/api/public/v1", configBasePath: "/api/v1" });
    fake = f;
    const client: CloudClient = createCloudClient({
      settings: cloudSettings({
        AIRBYTE_CLOUD_API_URL: f.apiUrl,
        AIRBYTE_CLOUD_CLIENT_ID: DEFAULT_CLIENT_ID,
        AIRBYTE_CLOUD_CLIENT_SECRET: DEFAULT_CLIENT_SECRET,
      }),
      retry: FAST_RETRY,
    });
    expect(client.roots).toMatchObject({
      deployment: "self-managed",
      configApiUrl: f.configApiUrl,
      webUrl: f.origin,
    });
    const ws = f.store.defaults.workspaceId;
    expect((await client.workspaces.get(ws)).workspaceId).toBe(ws);
    expect((await client.config.workspaceOrganizationInfo(ws)).organizationId).toBe(
      f.store.defaults.organizationId,
    );
    expect(client.web.workspace(ws)).toBe(`${f.origin}/workspaces/${ws}`);
    expect(f.requests.map((r) => r.path)).toEqual([
      "/api/public/v1/applications/token",
      `/api/public/v1/workspaces/${ws}`,
      "/api/v1/workspaces/get_organization_info",
    ]);
  });
});
