// The deploy tools against the fake Cloud, through the real call path: what reaches Cloud (read back
// from the fake's store), what safe mode records, and every refusal and API failure. Connector specs
// come from the real registry snapshot in ../shared/fixtures.

import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { type CloudHarness, cloudToolSuite } from "../../helpers/cloud.ts";
import { FIXTURES, skipWithoutFixtures } from "../../helpers/fixtures.ts";
import { failed, ok } from "../../helpers/local.ts";

const skip = skipWithoutFixtures("Cloud deploy tool tests (connector specs from the registry snapshot)");

const PG_PASSWORD = "pg-secret-Hx7Lw2Qe9";
const PG_CONFIG_VAR = JSON.stringify({ username: "loader", password: PG_PASSWORD });

const { start } = cloudToolSuite({
  env: { AIRBYTE_LOCAL_REGISTRY: join(FIXTURES, "oss_registry.json"), PG_PASSWORD, PG_CONFIG: PG_CONFIG_VAR },
  secrets: [PG_PASSWORD],
});

const pgConfig = (extra: Record<string, unknown> = {}) => ({
  host: "db.example.com",
  port: 5432,
  database: "analytics",
  schema: "public",
  username: "loader",
  password: "secret_reference::PG_PASSWORD",
  ssl_mode: { mode: "disable" },
  ...extra,
});

const posts = (h: CloudHarness, path: string) =>
  h.fake.requests.filter((r) => r.method === "POST" && r.path.endsWith(path)).length;

describe.skipIf(skip)("deploy_source_to_cloud", () => {
  test("creates the source with its sourceType and config, records it, and links to it", async () => {
    const h = await start();
    const r = ok(
      await h.call("deploy_source_to_cloud", {
        source_name: "Faker for tests",
        source_connector_name: "source-faker",
        config: { count: 25, seed: 7 },
      }),
    );
    const stored = h.fake.store.sources.get(String(r.source_id));
    expect(stored?.name).toBe("Faker for tests");
    expect(stored?.workspaceId).toBe(h.workspaceId);
    expect(stored?.connectorType).toBe("faker");
    expect(stored?.definitionId).toBe(h.fake.store.definitions.byType("source", "faker")?.id ?? "none");
    expect(stored?.configuration).toEqual({ count: 25, seed: 7 });
    expect(r.source_name).toBe("Faker for tests");
    expect(r.source_url).toBe(`${h.fake.origin}/workspaces/${h.workspaceId}/source/${r.source_id}`);
    expect(r.message).toBe(
      `Successfully deployed source 'Faker for tests' with ID '${r.source_id}' and URL: ${r.source_url}`,
    );
    expect(h.rt.cloud.created.has(String(r.source_id))).toBe(true);
  });

  test("takes the config as a JSON string and an explicit workspace_id", async () => {
    const h = await start({ noDefaultWorkspace: true });
    const r = ok(
      await h.call("deploy_source_to_cloud", {
        source_name: "Faker as JSON",
        source_connector_name: "source-faker",
        config: JSON.stringify({ count: 3 }),
        workspace_id: h.workspaceId,
      }),
    );
    expect(h.fake.store.sources.get(String(r.source_id))?.configuration).toEqual({ count: 3 });
  });

  test("reports every field that does not match the spec, and sends nothing", async () => {
    const h = await start();
    const message = failed(
      await h.call("deploy_source_to_cloud", {
        source_name: "Bad faker",
        source_connector_name: "source-faker",
        config: { count: "many", seed: "x" },
      }),
    );
    expect(message).toContain("does not match the spec of source-faker");
    expect(message).toContain("count expected");
    expect(message).toContain("seed expected");
    expect(posts(h, "/sources")).toBe(0);
    expect(h.fake.store.sources.size).toBe(0);
  });

  test("refuses a destination connector and an unknown connector name", async () => {
    const h = await start();
    const wrongKind = failed(
      await h.call("deploy_source_to_cloud", {
        source_name: "x",
        source_connector_name: "destination-postgres",
        config: pgConfig(),
      }),
    );
    expect(wrongKind).toContain("destination-postgres is a destination, not a source");
    expect(wrongKind).toContain("deploy_destination_to_cloud");
    const unknown = failed(
      await h.call("deploy_source_to_cloud", {
        source_name: "x",
        source_connector_name: "source-fakr",
        config: {},
      }),
    );
    expect(unknown).toContain("No connector named 'source-fakr'");
    expect(unknown).toContain("source-faker");
    expect(h.fake.requests.length).toBe(0);
  });

  test("unique refuses a name already used in the workspace, naming the existing id; unique=false allows it", async () => {
    const h = await start();
    const existing = h.fake.store.addSource({ name: "Taken name" });
    const message = failed(
      await h.call("deploy_source_to_cloud", {
        source_name: "Taken name",
        source_connector_name: "source-faker",
        config: { count: 1 },
      }),
    );
    expect(message).toContain(`A source named 'Taken name' already exists in workspace ${h.workspaceId}`);
    expect(message).toContain(existing.id);
    expect(message).toContain("unique=false");
    expect(posts(h, "/sources")).toBe(0);
    const r = ok(
      await h.call("deploy_source_to_cloud", {
        source_name: "Taken name",
        source_connector_name: "source-faker",
        config: { count: 1 },
        unique: false,
      }),
    );
    expect(r.source_id).not.toBe(existing.id);
    expect([...h.fake.store.sources.values()].filter((s) => s.name === "Taken name").length).toBe(2);
  });

  test("without a workspace, says how to give one", async () => {
    const h = await start({ noDefaultWorkspace: true });
    const message = failed(
      await h.call("deploy_source_to_cloud", {
        source_name: "x",
        source_connector_name: "source-faker",
        config: { count: 1 },
      }),
    );
    expect(message).toContain("No Airbyte Cloud workspace was given");
    expect(message).toContain("AIRBYTE_CLOUD_WORKSPACE_ID");
    expect(h.fake.requests.length).toBe(0);
  });

  test("a workspace the credentials cannot use is a 403 with what to check", async () => {
    const h = await start();
    const message = failed(
      await h.call("deploy_source_to_cloud", {
        source_name: "x",
        source_connector_name: "source-faker",
        config: { count: 1 },
        workspace_id: h.fake.store.defaults.foreignWorkspaceId,
      }),
    );
    expect(message).toContain("403");
    expect(message).toContain("not allowed");
    expect(h.fake.store.sources.size).toBe(0);
  });

  test("a 5xx on the create is not repeated, and says the source may exist anyway", async () => {
    const h = await start();
    h.fake.injectFailure({ method: "POST", path: /\/sources$/, status: 502 });
    const message = failed(
      await h.call("deploy_source_to_cloud", {
        source_name: "Flaky",
        source_connector_name: "source-faker",
        config: { count: 1 },
      }),
    );
    expect(message).toContain("502");
    expect(message).toContain("may have been created anyway");
    expect(posts(h, "/sources")).toBe(1);
    expect(h.rt.cloud.created.size).toBe(0);
  });

  test("a 429 with Retry-After on the name check is waited out and retried", async () => {
    const h = await start();
    h.fake.injectFailure({ method: "GET", path: /\/sources$/, status: 429, retryAfter: "0" });
    const r = ok(
      await h.call("deploy_source_to_cloud", {
        source_name: "Patient",
        source_connector_name: "source-faker",
        config: { count: 1 },
      }),
    );
    expect(h.fake.store.sources.has(String(r.source_id))).toBe(true);
    expect(h.fake.requests.filter((q) => q.status === 429).length).toBe(1);
  });

  test("credentials Cloud refuses give a 401 naming the variables to check", async () => {
    const h = await start({ fake: { clients: { "test-client-id": "another-secret" } } });
    const message = failed(
      await h.call("deploy_source_to_cloud", {
        source_name: "x",
        source_connector_name: "source-faker",
        config: { count: 1 },
      }),
    );
    expect(message).toContain("401");
    expect(message).toContain("AIRBYTE_CLOUD_CLIENT_SECRET");
    expect(h.fake.store.sources.size).toBe(0);
  });
});

describe.skipIf(skip)("deploy_destination_to_cloud", () => {
  test("resolves secret references before sending; the value reaches Cloud, never the result", async () => {
    const h = await start();
    const r = ok(
      await h.call("deploy_destination_to_cloud", {
        destination_name: "Warehouse",
        destination_connector_name: "destination-postgres",
        config: pgConfig(),
      }),
    );
    const stored = h.fake.store.destinations.get(String(r.destination_id));
    expect(stored?.connectorType).toBe("postgres");
    expect(stored?.configuration.password).toBe(PG_PASSWORD);
    expect(stored?.configuration.host).toBe("db.example.com");
    expect(r.message).toBe(`Successfully deployed destination 'Warehouse' with ID: ${r.destination_id}`);
    expect(r.destination_url).toBe(
      `${h.fake.origin}/workspaces/${h.workspaceId}/destination/${r.destination_id}`,
    );
    expect(h.rt.cloud.created.has(String(r.destination_id))).toBe(true);
  });

  test("merges the config held in config_secret_name on top of config", async () => {
    const h = await start();
    const { password: _drop, username: _user, ...rest } = pgConfig();
    const r = ok(
      await h.call("deploy_destination_to_cloud", {
        destination_name: "From a variable",
        destination_connector_name: "destination-postgres",
        config: rest,
        config_secret_name: "PG_CONFIG",
      }),
    );
    const stored = h.fake.store.destinations.get(String(r.destination_id))?.configuration;
    expect(stored?.password).toBe(PG_PASSWORD);
    expect(stored?.username).toBe("loader");
    expect(stored?.database).toBe("analytics");
  });

  test("refuses a plain-text password, naming the field but not the value, and sends nothing", async () => {
    const h = await start();
    const message = failed(
      await h.call("deploy_destination_to_cloud", {
        destination_name: "Leaky",
        destination_connector_name: "destination-postgres",
        config: pgConfig({ password: "typed-in-the-chat-42" }),
      }),
    );
    expect(message).toContain("secret values typed in plain text, in: password");
    expect(message).not.toContain("typed-in-the-chat-42");
    expect(h.fake.requests.length).toBe(0);
  });

  test("names every missing required field and a reference to an unset variable", async () => {
    const h = await start();
    const missing = failed(
      await h.call("deploy_destination_to_cloud", {
        destination_name: "Incomplete",
        destination_connector_name: "destination-postgres",
        config: { port: 5432, password: "secret_reference::PG_PASSWORD" },
      }),
    );
    // Every required field of the real spec that has no default and was not given.
    const spec =
      (await h.rt.registry.spec((await h.rt.registry.find("destination-postgres")).entry)).spec ?? {};
    const properties = spec.properties as Record<string, { default?: unknown }>;
    const expected = (spec.required as string[]).filter(
      (f) => f !== "port" && properties[f]?.default === undefined,
    );
    expect(expected.length).toBeGreaterThan(2);
    for (const field of expected) expect(missing).toContain(`${field} is required`);
    const unset = failed(
      await h.call("deploy_destination_to_cloud", {
        destination_name: "Unset",
        destination_connector_name: "destination-postgres",
        config: pgConfig({ password: "secret_reference::NOT_SET_ANYWHERE" }),
      }),
    );
    expect(unset).toContain("NOT_SET_ANYWHERE");
    expect(h.fake.requests.length).toBe(0);
  });
});

describe("deploy_noop_destination_to_cloud", () => {
  test("creates destination-dev-null with the silent config under its default name", async () => {
    const h = await start();
    const r = ok(await h.call("deploy_noop_destination_to_cloud", {}));
    const stored = h.fake.store.destinations.get(String(r.destination_id));
    expect(stored?.name).toBe("No-op Destination");
    expect(stored?.definitionId).toBe(
      h.fake.store.definitions.byType("destination", "dev-null")?.id ?? "none",
    );
    expect(stored?.configuration).toEqual({ test_destination: { test_destination_type: "SILENT" } });
    expect(r.message).toBe(
      `Successfully deployed No-op Destination with ID '${r.destination_id}' and URL: ${r.destination_url}`,
    );
    expect(h.rt.cloud.created.has(String(r.destination_id))).toBe(true);
    // A second one under the same name is refused unless unique=false.
    expect(failed(await h.call("deploy_noop_destination_to_cloud", {}))).toContain(
      "A destination named 'No-op Destination' already exists",
    );
    ok(await h.call("deploy_noop_destination_to_cloud", { unique: false }));
    expect(h.fake.store.destinations.size).toBe(2);
  });
});

describe("create_connection_on_cloud", () => {
  async function ends(h: CloudHarness) {
    const source = h.fake.store.addSource({ name: "Faker" });
    const destination = h.fake.store.addDestination({ name: "Null" });
    return { source, destination };
  }

  test.each([
    ["a list", ["users", "products"]],
    ["a CSV string", " users, products ,users"],
    ["a JSON array string", '["users", "products"]'],
  ])("creates the connection with the streams given as %s", async (_label, streams) => {
    const h = await start();
    const { source, destination } = await ends(h);
    const r = ok(
      await h.call("create_connection_on_cloud", {
        connection_name: "Faker to null",
        source_id: source.id,
        destination_id: destination.id,
        selected_streams: streams,
        table_prefix: "faker_",
      }),
    );
    const stored = h.fake.store.connections.get(String(r.connection_id));
    expect(stored?.streams.map((s) => s.name)).toEqual(["users", "products"]);
    expect(stored?.prefix).toBe("faker_");
    expect(stored?.sourceId).toBe(source.id);
    expect(stored?.destinationId).toBe(destination.id);
    expect(r.selected_streams).toEqual(["users", "products"]);
    expect(r.message).toBe(
      `Successfully created connection 'Faker to null' with ID '${r.connection_id}' and URL: ${r.connection_url}`,
    );
    expect(r.connection_url).toBe(
      `${h.fake.origin}/workspaces/${h.workspaceId}/connections/${r.connection_id}`,
    );
    expect(h.rt.cloud.created.has(String(r.connection_id))).toBe(true);
  });

  test("without table_prefix the prefix is empty", async () => {
    const h = await start();
    const { source, destination } = await ends(h);
    const r = ok(
      await h.call("create_connection_on_cloud", {
        connection_name: "No prefix",
        source_id: source.id,
        destination_id: destination.id,
        selected_streams: ["users"],
      }),
    );
    expect(h.fake.store.connections.get(String(r.connection_id))?.prefix).toBe("");
  });

  test.each([
    ["'*'", "*"],
    ["an empty list", []],
    ["an empty string", " , "],
  ])("refuses %s as the streams, sending nothing", async (_label, streams) => {
    const h = await start();
    const { source, destination } = await ends(h);
    const message = failed(
      await h.call("create_connection_on_cloud", {
        connection_name: "All",
        source_id: source.id,
        destination_id: destination.id,
        selected_streams: streams,
      }),
    );
    expect(message).toContain("selected_streams must name the streams to sync explicitly");
    expect(h.fake.requests.length).toBe(0);
  });

  test("refuses a source of another workspace, naming it", async () => {
    const h = await start();
    const other = h.fake.store.addWorkspace({ name: "Second" });
    const source = h.fake.store.addSource({ name: "Elsewhere", workspaceId: other.workspaceId });
    const destination = h.fake.store.addDestination({ name: "Here" });
    const message = failed(
      await h.call("create_connection_on_cloud", {
        connection_name: "Across",
        source_id: source.id,
        destination_id: destination.id,
        selected_streams: "users",
      }),
    );
    expect(message).toContain(`belongs to workspace ${other.workspaceId}, not to workspace ${h.workspaceId}`);
    expect(posts(h, "/connections")).toBe(0);
  });

  test("an unknown source is a 404 saying where to find the right id", async () => {
    const h = await start();
    const { destination } = await ends(h);
    const missing = crypto.randomUUID();
    const message = failed(
      await h.call("create_connection_on_cloud", {
        connection_name: "Ghost",
        source_id: missing,
        destination_id: destination.id,
        selected_streams: "users",
      }),
    );
    expect(message).toContain("404");
    expect(message).toContain(missing);
    expect(h.fake.store.connections.size).toBe(0);
  });

  test("a stream the source does not have is refused by Cloud, with its reason", async () => {
    const h = await start();
    const { source, destination } = await ends(h);
    const message = failed(
      await h.call("create_connection_on_cloud", {
        connection_name: "Typo",
        source_id: source.id,
        destination_id: destination.id,
        selected_streams: "userz",
      }),
    );
    expect(message).toContain("400");
    expect(message).toContain("userz");
    expect(h.rt.cloud.created.size).toBe(0);
  });
});
