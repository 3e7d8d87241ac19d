// The edit tools against the fake Cloud, through the real call path: renames, config updates (secret
// references resolved before sending), a connection's prefix, streams, status and schedule; safe mode
// on objects this server did not create; workspace checks and API failures. Expected values come
// from the fake's store.

import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { type CloudHarness, type CloudHarnessOptions, cloudToolSuite } from "../../helpers/cloud.ts";
import { FIXTURES, haveFixtures } from "../../helpers/fixtures.ts";
import { failed, ok } from "../../helpers/local.ts";

const NEW_PASSWORD = "rotated-pw-Zq81Lm40";
const SEEDED_PASSWORD = "hunter2-fake-password";

const { start } = cloudToolSuite({ env: { NEW_PASSWORD }, secrets: [NEW_PASSWORD, SEEDED_PASSWORD] });

const unsafe = (options: CloudHarnessOptions = {}) =>
  start({ ...options, env: { AIRBYTE_CLOUD_MCP_SAFE_MODE: "0", ...options.env } });

const patches = (h: CloudHarness) => h.fake.requests.filter((r) => r.method === "PATCH").length;

/** A connection created through the tools (so safe mode allows changing it), from a seeded source. */
async function createdConnection(h: CloudHarness, streams: string[] = ["users", "products"]) {
  const source = h.fake.store.addSource({ name: "Faker" });
  const destination = ok(await h.call("deploy_noop_destination_to_cloud", { name: "Null" }));
  const r = ok(
    await h.call("create_connection_on_cloud", {
      connection_name: "Faker to null",
      source_id: source.id,
      destination_id: destination.destination_id,
      selected_streams: streams,
    }),
  );
  const id = String(r.connection_id);
  const stored = h.fake.store.connections.get(id);
  if (!stored) throw new Error("connection not stored");
  return { id, stored, source, destinationId: String(destination.destination_id) };
}

describe("safe mode", () => {
  test.each([
    ["rename_cloud_source", "source", { name: "New" }],
    ["update_cloud_source_config", "source", { config: { count: 1 } }],
    ["rename_cloud_destination", "destination", { name: "New" }],
    ["update_cloud_destination_config", "destination", { config: { test_destination: {} } }],
    ["rename_cloud_connection", "connection", { name: "New" }],
    ["set_cloud_connection_table_prefix", "connection", { prefix: "x_" }],
    ["set_cloud_connection_selected_streams", "connection", { stream_names: "users" }],
    ["update_cloud_connection", "connection", { enabled: false }],
  ] as const)(
    "%s refuses an object this server did not create, naming the setting",
    async (tool, kind, args) => {
      const h = await start();
      const source = h.fake.store.addSource({ name: "Theirs" });
      const destination = h.fake.store.addDestination({ name: "Theirs too" });
      const conn = h.fake.store.addConnection({
        sourceId: source.id,
        destinationId: destination.id,
        name: "Not mine",
      });
      const id = kind === "source" ? source.id : kind === "destination" ? destination.id : conn.connectionId;
      const before = JSON.stringify([...h.fake.store.connections.values(), source, destination]);
      const message = failed(await h.call(tool, { [`${kind}_id`]: id, ...args }));
      expect(message).toContain("Safe mode refused");
      expect(message).toContain(id);
      expect(message).toContain("AIRBYTE_CLOUD_MCP_SAFE_MODE=0");
      expect(h.fake.requests.length).toBe(0);
      expect(JSON.stringify([...h.fake.store.connections.values(), source, destination])).toBe(before);
    },
  );
});

describe("renames", () => {
  test("rename what this server created, with the new name in the store and the result", async () => {
    const h = await start();
    const { id, stored, destinationId } = await createdConnection(h);
    const conn = ok(
      await h.call("rename_cloud_connection", { connection_id: id, name: "Renamed connection" }),
    );
    expect(stored.name).toBe("Renamed connection");
    expect(conn.message).toBe(
      `Successfully renamed connection '${id}' to 'Renamed connection'. URL: ${conn.connection_url}`,
    );
    expect(conn.connection_url).toBe(`${h.fake.origin}/workspaces/${h.workspaceId}/connections/${id}`);
    const dest = ok(
      await h.call("rename_cloud_destination", { destination_id: destinationId, name: "Renamed null" }),
    );
    expect(h.fake.store.destinations.get(destinationId)?.name).toBe("Renamed null");
    expect(dest.destination_name).toBe("Renamed null");
  });

  test("with safe mode off, rename any source; an empty name is refused", async () => {
    const h = await unsafe();
    const source = h.fake.store.addSource({ name: "Old name" });
    const r = ok(await h.call("rename_cloud_source", { source_id: source.id, name: "  New name " }));
    expect(source.name).toBe("New name");
    expect(r).toEqual({
      message: `Successfully renamed source '${source.id}' to 'New name'. URL: ${r.source_url}`,
      source_id: source.id,
      source_name: "New name",
      source_url: `${h.fake.origin}/workspaces/${h.workspaceId}/source/${source.id}`,
    });
    expect(failed(await h.call("rename_cloud_source", { source_id: source.id, name: " " }))).toContain(
      "name is empty",
    );
    expect(source.name).toBe("New name");
  });

  test("an object of another workspace is refused; an unknown one is a 404", async () => {
    const h = await unsafe();
    const other = h.fake.store.addWorkspace({ name: "Other" });
    const source = h.fake.store.addSource({ name: "Elsewhere", workspaceId: other.workspaceId });
    const message = failed(await h.call("rename_cloud_source", { source_id: source.id, name: "x" }));
    expect(message).toContain(`belongs to workspace ${other.workspaceId}`);
    expect(source.name).toBe("Elsewhere");
    const missing = crypto.randomUUID();
    const notFound = failed(await h.call("rename_cloud_connection", { connection_id: missing, name: "x" }));
    expect(notFound).toContain("404");
    expect(notFound).toContain(missing);
    expect(patches(h)).toBe(0);
  });

  test("without a workspace, says how to give one", async () => {
    const h = await unsafe({ noDefaultWorkspace: true });
    const source = h.fake.store.addSource();
    expect(failed(await h.call("rename_cloud_source", { source_id: source.id, name: "x" }))).toContain(
      "AIRBYTE_CLOUD_WORKSPACE_ID",
    );
  });
});

describe("config updates", () => {
  test("send the new config with secret references resolved; the value reaches Cloud, never the result", async () => {
    const h = await unsafe();
    const destination = h.fake.store.addDestination({ name: "Warehouse", connectorType: "postgres" });
    const config = { ...destination.configuration, password: "secret_reference::NEW_PASSWORD", port: 6432 };
    const r = ok(await h.call("update_cloud_destination_config", { destination_id: destination.id, config }));
    expect(destination.configuration.password).toBe(NEW_PASSWORD);
    expect(destination.configuration.port).toBe(6432);
    expect(r.message).toBe(`Successfully updated destination '${destination.id}'. URL: ${r.destination_url}`);
  });

  test("Cloud's mask keeps the stored secret; a JSON string config works", async () => {
    const h = await unsafe();
    const destination = h.fake.store.addDestination({ name: "Warehouse", connectorType: "postgres" });
    const config = JSON.stringify({
      ...destination.configuration,
      password: "**********",
      host: "db2.example.com",
    });
    ok(await h.call("update_cloud_destination_config", { destination_id: destination.id, config }));
    expect(destination.configuration.password).toBe(SEEDED_PASSWORD);
    expect(destination.configuration.host).toBe("db2.example.com");
  });

  test("refuse a plain-text value in a field Cloud answers masked, even with no registry", async () => {
    const h = await unsafe();
    const destination = h.fake.store.addDestination({ name: "Warehouse", connectorType: "postgres" });
    const before = structuredClone(destination.configuration);
    const message = failed(
      await h.call("update_cloud_destination_config", {
        destination_id: destination.id,
        config: { ...before, password: "typed-in-the-chat-77" },
      }),
    );
    expect(message).toContain("plain text, in: password");
    expect(message).not.toContain("typed-in-the-chat-77");
    expect(destination.configuration).toEqual(before);
    expect(patches(h)).toBe(0);
  });

  test.skipIf(!haveFixtures)(
    "refuse a plain-text value in a field the registry spec marks secret",
    async () => {
      const h = await unsafe({ env: { AIRBYTE_LOCAL_REGISTRY: join(FIXTURES, "oss_registry.json") } });
      // No password stored yet, so Cloud masks nothing: only the spec knows the field is secret.
      const { password: _none, ...withoutPassword } = h.fake.store.addDestination({
        connectorType: "postgres",
      }).configuration as Record<string, unknown>;
      const destination = h.fake.store.addDestination({
        connectorType: "postgres",
        configuration: withoutPassword,
      });
      const message = failed(
        await h.call("update_cloud_destination_config", {
          destination_id: destination.id,
          config: { ...withoutPassword, password: "typed-in-the-chat-88" },
        }),
      );
      expect(message).toContain("plain text, in: password");
      expect(destination.configuration).toEqual(withoutPassword);
    },
  );

  test("the fields given are merged into the stored config, the others kept; an empty config is refused", async () => {
    const h = await unsafe();
    const source = h.fake.store.addSource({
      name: "Faker",
      configuration: { count: 1, seed: 7, always_updated: true },
    });
    ok(await h.call("update_cloud_source_config", { source_id: source.id, config: { count: 9 } }));
    expect(source.configuration).toEqual({ count: 9, seed: 7, always_updated: true });
    expect(
      failed(await h.call("update_cloud_source_config", { source_id: source.id, config: {} })),
    ).toContain("nothing to update");

    // A secret left out keeps its stored value.
    const destination = h.fake.store.addDestination({ name: "Warehouse", connectorType: "postgres" });
    const before = structuredClone(destination.configuration);
    ok(
      await h.call("update_cloud_destination_config", {
        destination_id: destination.id,
        config: { host: "db3.example.com" },
      }),
    );
    expect(destination.configuration).toEqual({ ...before, host: "db3.example.com" });
    expect(destination.configuration.password).toBe(SEEDED_PASSWORD);
  });

  test("Cloud's own check failing on the merged config is reported with its reason", async () => {
    const h = await unsafe();
    const { host: _host, ...withoutHost } = h.fake.store.addDestination({ connectorType: "postgres" })
      .configuration as Record<string, unknown>;
    // Stored without a required field: a merge that does not add it still fails Cloud's check.
    const destination = h.fake.store.addDestination({
      name: "Broken",
      connectorType: "postgres",
      configuration: withoutHost,
    });
    const message = failed(
      await h.call("update_cloud_destination_config", {
        destination_id: destination.id,
        config: { port: 6543 },
      }),
    );
    expect(message).toContain("400");
    expect(message).toContain("host");
    expect(destination.configuration).toEqual(withoutHost);
  });

  test("a transient 502 on the update is retried; a persistent one fails with what to do", async () => {
    const h = await unsafe();
    const source = h.fake.store.addSource({ name: "Faker" });
    h.fake.injectFailure({ method: "PATCH", path: /\/sources\//, status: 502 });
    ok(await h.call("update_cloud_source_config", { source_id: source.id, config: { count: 5 } }));
    expect(source.configuration.count).toBe(5);
    h.fake.injectFailure({ method: "PATCH", path: /\/sources\//, status: 502, times: 20 });
    const message = failed(
      await h.call("update_cloud_source_config", { source_id: source.id, config: { count: 6 } }),
    );
    expect(message).toContain("502");
    expect(message).toContain("try again");
  });
});

describe("connection settings", () => {
  test("set_cloud_connection_table_prefix sets the prefix", async () => {
    const h = await start();
    const { id, stored } = await createdConnection(h);
    const r = ok(await h.call("set_cloud_connection_table_prefix", { connection_id: id, prefix: "raw_" }));
    expect(stored.prefix).toBe("raw_");
    expect(r.message).toBe(
      `Successfully set table prefix for connection '${id}' to 'raw_'. URL: ${r.connection_url}`,
    );
  });

  test("set_cloud_connection_selected_streams replaces the streams, keeping the settings of those that stay", async () => {
    const h = await start();
    const { id, stored } = await createdConnection(h);
    const users = stored.streams.find((s) => s.name === "users");
    if (!users) throw new Error("no users stream");
    users.syncMode = "full_refresh_append";
    const r = ok(
      await h.call("set_cloud_connection_selected_streams", {
        connection_id: id,
        stream_names: "users,purchases",
      }),
    );
    expect(stored.streams.map((s) => s.name)).toEqual(["users", "purchases"]);
    expect(stored.streams.find((s) => s.name === "users")?.syncMode).toBe("full_refresh_append");
    expect(r.selected_streams).toEqual(["users", "purchases"]);
    expect(r.message).toBe(
      `Successfully set selected streams for connection '${id}' to ['users', 'purchases']. URL: ${r.connection_url}`,
    );
    expect(
      failed(await h.call("set_cloud_connection_selected_streams", { connection_id: id, stream_names: "*" })),
    ).toContain("stream_names must name the streams");
    expect(stored.streams.map((s) => s.name)).toEqual(["users", "purchases"]);
  });

  test("update_cloud_connection sets status and schedule in one request, skipping a status it already has", async () => {
    const h = await start();
    const { id, stored } = await createdConnection(h);
    const before = patches(h);
    const r = ok(
      await h.call("update_cloud_connection", {
        connection_id: id,
        enabled: false,
        cron_expression: "0 0 12 * * ?",
      }),
    );
    expect(stored.status).toBe("inactive");
    expect(stored.schedule.scheduleType).toBe("cron");
    expect(stored.schedule.cronExpression).toStartWith("0 0 12 * * ?");
    expect(r.changes).toEqual(["status set to 'disabled'", "schedule set to '0 0 12 * * ?'"]);
    expect(r.message).toBe(
      `Successfully updated connection '${id}': status set to 'disabled', schedule set to '0 0 12 * * ?'. URL: ${r.connection_url}`,
    );
    expect(patches(h)).toBe(before + 1);
    // Already inactive: nothing is sent.
    ok(await h.call("update_cloud_connection", { connection_id: id, enabled: false }));
    expect(patches(h)).toBe(before + 1);
    ok(await h.call("update_cloud_connection", { connection_id: id, enabled: true, manual_schedule: true }));
    expect(stored.status).toBe("active");
    expect(stored.schedule.scheduleType).toBe("manual");
  });

  test.each([
    [{ cron_expression: "0 0 12 * * ?", manual_schedule: true }, "Cannot specify both"],
    [{}, "At least one setting must be provided"],
    [{ manual_schedule: false }, "At least one setting must be provided"],
    [{ cron_expression: " " }, "cron_expression is empty"],
  ])("update_cloud_connection refuses %p before sending anything", async (args, expected) => {
    const h = await start();
    const { id, stored } = await createdConnection(h);
    const before = JSON.stringify(stored);
    const requests = h.fake.requests.length;
    expect(failed(await h.call("update_cloud_connection", { connection_id: id, ...args }))).toContain(
      expected,
    );
    expect(h.fake.requests.length).toBe(requests);
    expect(JSON.stringify(stored)).toBe(before);
  });

  test("a cron expression Cloud refuses comes back with Cloud's reason", async () => {
    const h = await start();
    const { id, stored } = await createdConnection(h);
    const message = failed(
      await h.call("update_cloud_connection", { connection_id: id, cron_expression: "0 0 * * *" }),
    );
    expect(message).toContain("400");
    expect(message).toContain("Quartz");
    expect(stored.schedule.scheduleType).toBe("manual");
  });
});
