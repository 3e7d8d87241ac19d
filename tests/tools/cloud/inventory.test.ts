// The inventory tools against the fake Cloud, through the real call path. Expected values are read
// from the fake's store (what was seeded) or through the real client, never typed in.

import { describe, expect, test } from "bun:test";
import { cloudToolSuite } from "../../helpers/cloud.ts";
import { failed, ok } from "../../helpers/local.ts";

// Seeded configs hold a password; no inventory result carries a config.
const { start, texts } = cloudToolSuite({ secrets: ["hunter2-fake-password"] });

type Row = { id: string; name: string; url: string };
const rows = (r: Record<string, unknown>, key: string) => r[key] as Row[];

describe("list_deployed_cloud_source_connectors / destination_connectors", () => {
  test("list every source of the workspace over several pages, and none of another workspace", async () => {
    const h = await start();
    const mine = Array.from({ length: 130 }, (_, i) => h.fake.store.addSource({ name: `Source ${i}` }));
    const other = h.fake.store.addWorkspace({ name: "Other" });
    h.fake.store.addSource({ name: "Source elsewhere", workspaceId: other.workspaceId });
    const r = ok(await h.call("list_deployed_cloud_source_connectors", {}));
    expect(r.count).toBe(mine.length);
    expect(new Set(rows(r, "sources").map((s) => s.id))).toEqual(new Set(mine.map((s) => s.id)));
    const first = rows(r, "sources").find((s) => s.id === mine[0]?.id);
    expect(first).toEqual({
      id: mine[0]?.id ?? "",
      name: mine[0]?.name ?? "",
      url: `${h.fake.origin}/workspaces/${h.workspaceId}/source/${mine[0]?.id}`,
    });
    // More than one page was read (the client asks 100 at a time).
    expect(
      h.fake.requests.filter((q) => q.method === "GET" && q.path.endsWith("/sources")).length,
    ).toBeGreaterThan(1);
  });

  test("name_contains is case-insensitive and limit truncates after filtering", async () => {
    const h = await start();
    const named = ["Prod Postgres", "prod mysql", "Staging Postgres", "PRODUCTION api"].map((name) =>
      h.fake.store.addDestination({ name }),
    );
    const r = ok(await h.call("list_deployed_cloud_destination_connectors", { name_contains: "PROD" }));
    const expected = named.filter((d) => d.name.toLowerCase().includes("prod"));
    expect(
      rows(r, "destinations")
        .map((d) => d.id)
        .sort(),
    ).toEqual(expected.map((d) => d.id).sort());
    expect(r.count).toBe(expected.length);
    const limited = ok(
      await h.call("list_deployed_cloud_destination_connectors", { name_contains: "prod", limit: 2 }),
    );
    expect(limited.count).toBe(2);
    const all = ok(await h.call("list_deployed_cloud_destination_connectors", { limit: 1 }));
    expect(all.count).toBe(1);
  });

  test("limit must be a whole number of at least 1", async () => {
    const h = await start();
    const outcome = await h.call("list_deployed_cloud_source_connectors", { limit: 0 });
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expect(outcome.kind).toBe("invalid");
  });

  test("without a workspace, says how to give one; a foreign workspace is a 403", async () => {
    const h = await start({ noDefaultWorkspace: true });
    expect(failed(await h.call("list_deployed_cloud_source_connectors", {}))).toContain(
      "AIRBYTE_CLOUD_WORKSPACE_ID",
    );
    const foreign = failed(
      await h.call("list_deployed_cloud_source_connectors", {
        workspace_id: h.fake.store.defaults.foreignWorkspaceId,
      }),
    );
    expect(foreign).toContain("403");
  });

  test("a transient 503 is retried; a persistent one fails saying what to do", async () => {
    const h = await start();
    const seeded = h.fake.store.addSource({ name: "Only one" });
    h.fake.injectFailure({ method: "GET", path: /\/sources$/, status: 503 });
    const r = ok(await h.call("list_deployed_cloud_source_connectors", {}));
    expect(rows(r, "sources").map((s) => s.id)).toEqual([seeded.id]);
    h.fake.injectFailure({ method: "GET", path: /\/sources$/, status: 503, times: 20 });
    const message = failed(await h.call("list_deployed_cloud_source_connectors", {}));
    expect(message).toContain("503");
    expect(message).toContain("try again");
  });

  test("credentials Cloud refuses give a 401 naming the variables to check", async () => {
    const h = await start({ fake: { clients: { "test-client-id": "not-the-configured-secret" } } });
    const message = failed(await h.call("list_deployed_cloud_destination_connectors", {}));
    expect(message).toContain("401");
    expect(message).toContain("AIRBYTE_CLOUD_CLIENT_ID");
  });
});

describe("list_deployed_cloud_connections", () => {
  async function scene() {
    const h = await start({ fake: { jobTimings: { pendingMs: 600_000, runningMs: 600_000 } } });
    const store = h.fake.store;
    const source = store.addSource({ name: "Faker" });
    const destination = store.addDestination({ name: "Null" });
    const connection = (name: string) =>
      store.addConnection({ sourceId: source.id, destinationId: destination.id, name });
    const healthy = connection("Healthy sync");
    const broken = connection("Broken sync");
    const cancelled = connection("Cancelled sync");
    const fresh = connection("Never synced");
    const minute = 60_000;
    const finished = (c: typeof healthy, outcome: "succeeded" | "failed" | "cancelled", minutesAgo: number) =>
      store.addJob(c.connectionId, {
        outcome,
        createdAt: Date.now() - minutesAgo * minute,
        pendingMs: 0,
        runningMs: 1000,
      });
    finished(healthy, "failed", 30);
    const healthyLast = finished(healthy, "succeeded", 10);
    finished(broken, "succeeded", 30);
    const brokenLast = finished(broken, "failed", 10);
    const cancelledLast = finished(cancelled, "cancelled", 10);
    // A sync under way now: skipped when finding the last finished one, reported as running.
    const running = store.createJob(broken, "sync");
    return { h, healthy, broken, cancelled, fresh, healthyLast, brokenLast, cancelledLast, running };
  }

  type ConnectionRow = Row & Record<string, unknown>;

  test("lists connections with their ends, without status by default", async () => {
    const { h, healthy, broken, cancelled, fresh } = await scene();
    const r = ok(await h.call("list_deployed_cloud_connections", {}));
    const list = r.connections as ConnectionRow[];
    expect(list.map((c) => c.id).sort()).toEqual(
      [healthy, broken, cancelled, fresh].map((c) => c.connectionId).sort(),
    );
    const row = list.find((c) => c.id === healthy.connectionId);
    expect(row).toMatchObject({
      name: healthy.name,
      url: `${h.fake.origin}/workspaces/${h.workspaceId}/connections/${healthy.connectionId}`,
      source_id: healthy.sourceId,
      destination_id: healthy.destinationId,
      last_job_status: null,
      currently_running_job_id: null,
    });
    expect(h.fake.requests.some((q) => q.path.endsWith("/jobs"))).toBe(false);
  });

  test("with_connection_status reports the last finished sync and the one running now", async () => {
    const { h, healthy, broken, fresh, healthyLast, brokenLast, running } = await scene();
    const r = ok(await h.call("list_deployed_cloud_connections", { with_connection_status: true }));
    const byId = new Map((r.connections as ConnectionRow[]).map((c) => [c.id, c]));
    const client = h.rt.cloud.client();
    const apiHealthy = await client.jobs.get(healthyLast.jobId);
    const apiRunning = await client.jobs.get(running.jobId);
    const healthyRow = byId.get(healthy.connectionId);
    expect(healthyRow?.last_job_status).toBe(apiHealthy.status);
    expect(healthyRow?.last_job_id).toBe(healthyLast.jobId);
    expect(Date.parse(String(healthyRow?.last_job_time))).toBe(Date.parse(apiHealthy.startTime));
    expect(String(healthyRow?.last_job_time)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    expect(healthyRow?.currently_running_job_id).toBeNull();
    const brokenRow = byId.get(broken.connectionId);
    expect(brokenRow?.last_job_status).toBe("failed");
    expect(brokenRow?.last_job_id).toBe(brokenLast.jobId);
    expect(brokenRow?.currently_running_job_id).toBe(running.jobId);
    expect(Date.parse(String(brokenRow?.currently_running_job_start_time))).toBe(
      Date.parse(apiRunning.startTime),
    );
    expect(byId.get(fresh.connectionId)?.last_job_status).toBeNull();
  });

  test("failing_connections_only keeps failed and cancelled last syncs, and limit applies after it", async () => {
    const { h, broken, cancelled } = await scene();
    const r = ok(await h.call("list_deployed_cloud_connections", { failing_connections_only: true }));
    const list = r.connections as ConnectionRow[];
    expect(list.map((c) => c.id).sort()).toEqual([broken.connectionId, cancelled.connectionId].sort());
    expect(new Set(list.map((c) => c.last_job_status))).toEqual(new Set(["failed", "cancelled"]));
    const one = ok(
      await h.call("list_deployed_cloud_connections", { failing_connections_only: true, limit: 1 }),
    );
    expect(one.count).toBe(1);
    expect([broken.connectionId, cancelled.connectionId]).toContain(
      (one.connections as ConnectionRow[])[0]?.id ?? "",
    );
  });

  test("name_contains filters connections case-insensitively", async () => {
    const { h, broken } = await scene();
    const r = ok(await h.call("list_deployed_cloud_connections", { name_contains: "BROKEN" }));
    expect((r.connections as ConnectionRow[]).map((c) => c.id)).toEqual([broken.connectionId]);
  });

  test("a failing jobs request fails the listing with the API's reason", async () => {
    const { h } = await scene();
    h.fake.injectFailure({ method: "GET", path: /\/jobs$/, status: 500, times: 50 });
    const message = failed(await h.call("list_deployed_cloud_connections", { with_connection_status: true }));
    expect(message).toContain("500");
  });
});

describe("describe_cloud_source / destination / connection", () => {
  test("describe a source and a destination from the store, without their configs", async () => {
    const h = await start();
    const source = h.fake.store.addSource({ name: "Described source" });
    const destination = h.fake.store.addDestination({
      name: "Described destination",
      connectorType: "postgres",
    });
    expect(ok(await h.call("describe_cloud_source", { source_id: source.id }))).toEqual({
      source_id: source.id,
      source_name: source.name,
      source_url: `${h.fake.origin}/workspaces/${h.workspaceId}/source/${source.id}`,
      connector_definition_id: source.definitionId,
    });
    expect(ok(await h.call("describe_cloud_destination", { destination_id: destination.id }))).toEqual({
      destination_id: destination.id,
      destination_name: destination.name,
      destination_url: `${h.fake.origin}/workspaces/${h.workspaceId}/destination/${destination.id}`,
      connector_definition_id: destination.definitionId,
    });
  });

  test("describe a connection with its ends' names, streams and prefix", async () => {
    const h = await start();
    const source = h.fake.store.addSource({ name: "Faker" });
    const destination = h.fake.store.addDestination({ name: "Null" });
    const conn = h.fake.store.addConnection({
      sourceId: source.id,
      destinationId: destination.id,
      name: "Described connection",
      prefix: "raw_",
    });
    const r = ok(await h.call("describe_cloud_connection", { connection_id: conn.connectionId }));
    expect(r).toEqual({
      connection_id: conn.connectionId,
      connection_name: conn.name,
      connection_url: `${h.fake.origin}/workspaces/${h.workspaceId}/connections/${conn.connectionId}`,
      source_id: source.id,
      source_name: source.name,
      destination_id: destination.id,
      destination_name: destination.name,
      selected_streams: conn.streams.map((s) => String(s.name)),
      table_prefix: "raw_",
    });
    expect((r.selected_streams as string[]).length).toBeGreaterThan(0);
  });

  test("an object of another workspace is refused with the workspace_id to use; with it, it is described", async () => {
    const h = await start();
    const other = h.fake.store.addWorkspace({ name: "Other" });
    const source = h.fake.store.addSource({ name: "S", workspaceId: other.workspaceId });
    const destination = h.fake.store.addDestination({ name: "D", workspaceId: other.workspaceId });
    const conn = h.fake.store.addConnection({ sourceId: source.id, destinationId: destination.id });
    const message = failed(await h.call("describe_cloud_connection", { connection_id: conn.connectionId }));
    expect(message).toContain(`belongs to workspace ${other.workspaceId}, not to workspace ${h.workspaceId}`);
    expect(message).toContain(`workspace_id='${other.workspaceId}'`);
    expect(failed(await h.call("describe_cloud_source", { source_id: source.id }))).toContain(
      "belongs to workspace",
    );
    expect(failed(await h.call("describe_cloud_destination", { destination_id: destination.id }))).toContain(
      "belongs to workspace",
    );
    const r = ok(
      await h.call("describe_cloud_connection", {
        connection_id: conn.connectionId,
        workspace_id: other.workspaceId,
      }),
    );
    expect(r.connection_url).toBe(
      `${h.fake.origin}/workspaces/${other.workspaceId}/connections/${conn.connectionId}`,
    );
  });

  test("an unknown id is a 404 naming it; an object in a workspace out of reach is a 403", async () => {
    const h = await start();
    const missing = crypto.randomUUID();
    const notFound = failed(await h.call("describe_cloud_source", { source_id: missing }));
    expect(notFound).toContain("404");
    expect(notFound).toContain(missing);
    const foreign = h.fake.store.addDestination({ workspaceId: h.fake.store.defaults.foreignWorkspaceId });
    expect(failed(await h.call("describe_cloud_destination", { destination_id: foreign.id }))).toContain(
      "403",
    );
    const notUuid = failed(await h.call("describe_cloud_connection", { connection_id: "../workspaces" }));
    // A malformed id stays one path segment; Cloud refuses it and says why.
    expect(notUuid).toContain("400");
    expect(notUuid).toContain("Invalid UUID string for connectionId");
    expect(h.fake.requests.some((q) => q.path.endsWith("/v1/workspaces"))).toBe(false);
  });

  test("with a bearer token instead of client credentials, the token never shows", async () => {
    const token = "static-bearer-token-for-tests-0123456789";
    const h = await start({ bearerToken: token });
    const source = h.fake.store.addSource({ name: "Via bearer" });
    ok(await h.call("describe_cloud_source", { source_id: source.id }));
    const message = failed(await h.call("describe_cloud_source", { source_id: crypto.randomUUID() }));
    expect(`${message}${texts().join("")}`).not.toContain(token);
  });
});

describe("read-only mode", () => {
  test("hides every tool that creates, changes or deletes, and keeps the inventory", async () => {
    const h = await start({ env: { AIRBYTE_CLOUD_MCP_READONLY_MODE: "1" } });
    const source = h.fake.store.addSource({ name: "Visible" });
    const writers = [
      "deploy_source_to_cloud",
      "deploy_destination_to_cloud",
      "deploy_noop_destination_to_cloud",
      "create_connection_on_cloud",
      "rename_cloud_source",
      "rename_cloud_destination",
      "rename_cloud_connection",
      "update_cloud_source_config",
      "update_cloud_destination_config",
      "set_cloud_connection_table_prefix",
      "set_cloud_connection_selected_streams",
      "update_cloud_connection",
      "permanently_delete_cloud_source",
      "permanently_delete_cloud_destination",
      "permanently_delete_cloud_connection",
    ];
    for (const name of writers) {
      const outcome = await h.call(name, {});
      expect(outcome.ok).toBe(false);
      if (!outcome.ok) {
        expect(outcome.kind).toBe("hidden");
        expect(outcome.message).toContain("AIRBYTE_CLOUD_MCP_READONLY_MODE");
      }
    }
    expect(h.fake.requests.length).toBe(0);
    const listed = ok(await h.call("list_deployed_cloud_source_connectors", {}));
    expect(rows(listed, "sources").map((s) => s.id)).toEqual([source.id]);
    ok(await h.call("describe_cloud_source", { source_id: source.id }));
  });
});
