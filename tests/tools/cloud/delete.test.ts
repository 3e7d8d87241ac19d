// The permanent deletes against the fake Cloud, through the real call path: safe mode and the exact-
// name gate on every object (cascaded ones included), no delete that would take another connection
// with it, nothing deleted when any check fails, and API failures part-way through a cascade.

import { describe, expect, test } from "bun:test";
import { type CloudHarness, cloudToolSuite } from "../../helpers/cloud.ts";
import { failed, ok } from "../../helpers/local.ts";

const { start } = cloudToolSuite();

const deletes = (h: CloudHarness) => h.fake.requests.filter((r) => r.method === "DELETE").length;

/** A source (seeded, then adopted by a connection created here), a no-op destination and a connection, all but the source created through the tools. */
async function pipeline(h: CloudHarness) {
  const seeded = h.fake.store.addSource({ name: "Seeded faker" });
  const dest = ok(await h.call("deploy_noop_destination_to_cloud", { name: "Null delete-me" }));
  const conn = ok(
    await h.call("create_connection_on_cloud", {
      connection_name: "Pipeline delete-me",
      source_id: seeded.id,
      destination_id: dest.destination_id,
      selected_streams: ["users"],
    }),
  );
  const store = h.fake.store;
  const connection = store.connections.get(String(conn.connection_id));
  const destination = store.destinations.get(String(dest.destination_id));
  if (!connection || !destination) throw new Error("pipeline not stored");
  return { source: seeded, destination, connection };
}

describe("permanently_delete_cloud_destination / source", () => {
  test("deletes what this server created when given its exact name, and forgets it", async () => {
    const h = await start();
    const dest = ok(await h.call("deploy_noop_destination_to_cloud", { name: "Scratch" }));
    const id = String(dest.destination_id);
    const r = ok(
      await h.call("permanently_delete_cloud_destination", { destination_id: id, name: "Scratch" }),
    );
    expect(h.fake.store.destinations.get(id)?.deleted).toBe(true);
    expect(r).toEqual({
      message: `Successfully deleted destination 'Scratch' (ID: ${id})`,
      destination_id: id,
      destination_name: "Scratch",
    });
    expect(h.rt.cloud.created.has(id)).toBe(false);
  });

  test.each([
    ["a different name", "Other"],
    ["another case", "scratch"],
    ["extra spaces", " Scratch"],
  ])("refuses %s, deleting nothing and not echoing the real name", async (_label, given) => {
    const h = await start();
    const dest = ok(await h.call("deploy_noop_destination_to_cloud", { name: "Scratch" }));
    const id = String(dest.destination_id);
    const message = failed(
      await h.call("permanently_delete_cloud_destination", { destination_id: id, name: given }),
    );
    expect(message).toContain("is not its exact current name");
    expect(message).toContain(`('${given}')`);
    expect(message).not.toContain("'Scratch'");
    expect(h.fake.store.destinations.get(id)?.deleted).toBe(false);
    expect(deletes(h)).toBe(0);
  });

  test("safe mode refuses an object this server did not create, before reading it", async () => {
    const h = await start();
    const source = h.fake.store.addSource({ name: "Production source" });
    const message = failed(
      await h.call("permanently_delete_cloud_source", { source_id: source.id, name: "Production source" }),
    );
    expect(message).toContain("Safe mode refused to permanently delete source");
    expect(message).toContain("AIRBYTE_CLOUD_MCP_SAFE_MODE=0");
    expect(source.deleted).toBe(false);
    expect(h.fake.requests.length).toBe(0);
  });

  test("with safe mode off, the exact name still decides", async () => {
    const h = await start({ env: { AIRBYTE_CLOUD_MCP_SAFE_MODE: "0" } });
    const source = h.fake.store.addSource({ name: "Old source" });
    expect(
      failed(await h.call("permanently_delete_cloud_source", { source_id: source.id, name: "Old" })),
    ).toContain("exact current name");
    expect(source.deleted).toBe(false);
    ok(await h.call("permanently_delete_cloud_source", { source_id: source.id, name: "Old source" }));
    expect(source.deleted).toBe(true);
  });

  test("refuses a destination a connection still uses, naming the connection", async () => {
    const h = await start();
    const { destination, connection } = await pipeline(h);
    const message = failed(
      await h.call("permanently_delete_cloud_destination", {
        destination_id: destination.id,
        name: destination.name,
      }),
    );
    expect(message).toContain("a connection still uses it");
    expect(message).toContain(connection.connectionId);
    expect(message).toContain("permanently_delete_cloud_connection");
    expect(destination.deleted).toBe(false);
    expect(connection.deleted).toBe(false);
    expect(deletes(h)).toBe(0);
  });

  test("an unknown id is a 404 (safe mode off); a failing delete says why", async () => {
    const h = await start({ env: { AIRBYTE_CLOUD_MCP_SAFE_MODE: "0" } });
    const missing = crypto.randomUUID();
    const notFound = failed(
      await h.call("permanently_delete_cloud_source", { source_id: missing, name: "x" }),
    );
    expect(notFound).toContain("404");
    expect(notFound).toContain(missing);
    const source = h.fake.store.addSource({ name: "Stuck" });
    h.fake.injectFailure({ method: "DELETE", path: /\/sources\//, status: 500, times: 20 });
    const message = failed(
      await h.call("permanently_delete_cloud_source", { source_id: source.id, name: "Stuck" }),
    );
    expect(message).toContain("500");
    expect(source.deleted).toBe(false);
  });
});

describe("permanently_delete_cloud_connection", () => {
  test("deletes the connection alone by default", async () => {
    const h = await start();
    const { source, destination, connection } = await pipeline(h);
    const r = ok(
      await h.call("permanently_delete_cloud_connection", {
        connection_id: connection.connectionId,
        name: connection.name,
      }),
    );
    expect(connection.deleted).toBe(true);
    expect(source.deleted).toBe(false);
    expect(destination.deleted).toBe(false);
    expect(r.message).toBe(
      `Successfully deleted connection '${connection.name}' (ID: ${connection.connectionId})`,
    );
    expect(r.deleted_source).toBeNull();
    expect(r.deleted_destination).toBeNull();
    expect(h.rt.cloud.created.has(connection.connectionId)).toBe(false);
  });

  test("cascades to a destination created here when given its exact name", async () => {
    const h = await start();
    const { source, destination, connection } = await pipeline(h);
    const r = ok(
      await h.call("permanently_delete_cloud_connection", {
        connection_id: connection.connectionId,
        name: connection.name,
        cascade_delete_destination: true,
        destination_name: destination.name,
      }),
    );
    expect(connection.deleted).toBe(true);
    expect(destination.deleted).toBe(true);
    expect(source.deleted).toBe(false);
    expect(r.deleted_destination).toEqual({ id: destination.id, name: destination.name });
    expect(r.message).toBe(
      `Successfully deleted connection '${connection.name}' (ID: ${connection.connectionId}), and its destination '${destination.name}' (ID: ${destination.id})`,
    );
  });

  test("a cascade needs the cascaded object's name; a wrong one deletes nothing", async () => {
    const h = await start();
    const { destination, connection } = await pipeline(h);
    const missingName = failed(
      await h.call("permanently_delete_cloud_connection", {
        connection_id: connection.connectionId,
        name: connection.name,
        cascade_delete_destination: true,
      }),
    );
    expect(missingName).toContain("cascade_delete_destination=true needs destination_name");
    const wrongName = failed(
      await h.call("permanently_delete_cloud_connection", {
        connection_id: connection.connectionId,
        name: connection.name,
        cascade_delete_destination: true,
        destination_name: "Null",
      }),
    );
    expect(wrongName).toContain(`destination '${destination.id}'`);
    expect(wrongName).toContain("exact current name");
    expect(connection.deleted).toBe(false);
    expect(destination.deleted).toBe(false);
    expect(deletes(h)).toBe(0);
  });

  test("safe mode guards a cascaded source this server did not create: nothing is deleted", async () => {
    const h = await start();
    const { source, destination, connection } = await pipeline(h);
    const message = failed(
      await h.call("permanently_delete_cloud_connection", {
        connection_id: connection.connectionId,
        name: connection.name,
        cascade_delete_source: true,
        source_name: source.name,
        cascade_delete_destination: true,
        destination_name: destination.name,
      }),
    );
    expect(message).toContain(`Safe mode refused to permanently delete source '${source.id}'`);
    expect(connection.deleted).toBe(false);
    expect(source.deleted).toBe(false);
    expect(destination.deleted).toBe(false);
    expect(deletes(h)).toBe(0);
  });

  test("a cascaded destination another connection uses is not deleted, nor is anything else", async () => {
    const h = await start();
    const { destination, connection } = await pipeline(h);
    const second = h.fake.store.addConnection({
      sourceId: h.fake.store.addSource({ name: "Another" }).id,
      destinationId: destination.id,
      name: "Someone else's connection",
    });
    const message = failed(
      await h.call("permanently_delete_cloud_connection", {
        connection_id: connection.connectionId,
        name: connection.name,
        cascade_delete_destination: true,
        destination_name: destination.name,
      }),
    );
    expect(message).toContain(second.connectionId);
    expect(message).not.toContain(`(ID: ${connection.connectionId})`);
    expect(connection.deleted).toBe(false);
    expect(destination.deleted).toBe(false);
    expect(second.deleted).toBe(false);
  });

  test("with safe mode off, cascades to both ends by their names", async () => {
    const h = await start({ env: { AIRBYTE_CLOUD_MCP_SAFE_MODE: "0" } });
    const source = h.fake.store.addSource({ name: "S" });
    const destination = h.fake.store.addDestination({ name: "D" });
    const connection = h.fake.store.addConnection({
      sourceId: source.id,
      destinationId: destination.id,
      name: "C",
    });
    const r = ok(
      await h.call("permanently_delete_cloud_connection", {
        connection_id: connection.connectionId,
        name: "C",
        cascade_delete_source: true,
        source_name: "S",
        cascade_delete_destination: true,
        destination_name: "D",
      }),
    );
    expect([connection.deleted, source.deleted, destination.deleted]).toEqual([true, true, true]);
    expect(r.deleted_source).toEqual({ id: source.id, name: "S" });
  });

  test("when a cascaded delete fails after the connection's, it says what is done and how to finish", async () => {
    const h = await start();
    const { destination, connection } = await pipeline(h);
    h.fake.injectFailure({ method: "DELETE", path: /\/destinations\//, status: 503, times: 20 });
    const message = failed(
      await h.call("permanently_delete_cloud_connection", {
        connection_id: connection.connectionId,
        name: connection.name,
        cascade_delete_destination: true,
        destination_name: destination.name,
      }),
    );
    expect(message).toContain(`Deleted connection '${connection.name}'`);
    expect(message).toContain("deleting the destination failed");
    expect(message).toContain("503");
    expect(message).toContain(`permanently_delete_cloud_destination(destination_id='${destination.id}'`);
    expect(connection.deleted).toBe(true);
    expect(destination.deleted).toBe(false);
    // It stays recorded as created here, so the suggested call is allowed.
    expect(h.rt.cloud.created.has(destination.id)).toBe(true);
  });

  test("a connection this server did not create is refused by safe mode", async () => {
    const h = await start();
    const source = h.fake.store.addSource();
    const destination = h.fake.store.addDestination();
    const connection = h.fake.store.addConnection({
      sourceId: source.id,
      destinationId: destination.id,
      name: "C",
    });
    const message = failed(
      await h.call("permanently_delete_cloud_connection", {
        connection_id: connection.connectionId,
        name: "C",
      }),
    );
    expect(message).toContain("AIRBYTE_CLOUD_MCP_SAFE_MODE=0");
    expect(connection.deleted).toBe(false);
    expect(h.fake.requests.length).toBe(0);
  });
});
