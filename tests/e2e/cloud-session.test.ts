// The "checked by": a scripted agent session over MCP stdio against the compiled binary and
// the fake Cloud. Create a source, a destination and a connection; run a sync and wait for it; read
// its status and logs; be refused when deleting what the session did not create; delete what it
// created; and in read-only mode see no tool that writes. No secret in any byte the server writes.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { FakeCloud } from "../fakes/cloud/server.ts";
import { startFakeCloud } from "../fakes/cloud/server.ts";
import { e2eFixture } from "../helpers/binary.ts";
import { CLIENT_ID, CLIENT_SECRET } from "../helpers/cloud.ts";
import { FIXTURES, skipWithoutFixtures } from "../helpers/fixtures.ts";
import { connect, ERAS, type Session } from "../helpers/mcp-client.ts";

const skip = skipWithoutFixtures("the Cloud agent session (connector specs from the registry file)");
const PG_PASSWORD = "pg-session-secret-Qm4Zt8";
const JWT = /eyJ[\w-]+\.[\w-]+\.[\w-]+/;
const fx = e2eFixture(`PG_PASSWORD=${PG_PASSWORD}\n`);
let fake: FakeCloud;

beforeAll(async () => {
  fake = await startFakeCloud({ validateResponses: true, jobTimings: { pendingMs: 50, runningMs: 300 } });
});
afterAll(async () => {
  await fake?.close();
});

const env = (extra: Record<string, string> = {}) =>
  fx.env({
    AIRBYTE_LOCAL_REGISTRY: join(FIXTURES, "oss_registry.json"),
    AIRBYTE_CLOUD_API_URL: fake.apiUrl,
    AIRBYTE_CLOUD_CONFIG_API_URL: fake.configApiUrl,
    AIRBYTE_CLOUD_CLIENT_ID: CLIENT_ID,
    AIRBYTE_CLOUD_CLIENT_SECRET: CLIENT_SECRET,
    AIRBYTE_CLOUD_WORKSPACE_ID: fake.store.defaults.workspaceId,
    AIRBYTE_CLOUD_POLL_INTERVAL: "0.05",
    ...extra,
  });

type Result = { isError?: boolean; structuredContent?: unknown; content?: unknown };

async function tool(
  s: Session,
  name: string,
  args: Record<string, unknown>,
  onprogress?: (p: unknown) => void,
) {
  const r = (await s.client.callTool(
    { name, arguments: args },
    onprogress ? { onprogress } : undefined,
  )) as Result;
  const text = (r.content as { text: string }[] | undefined)?.[0]?.text ?? "";
  return { ok: !r.isError, data: (r.structuredContent ?? {}) as Record<string, unknown>, text };
}

function noSecrets(s: Session): void {
  const everything = s.transport.rawStdout + s.transport.rawStderr;
  for (const secret of [PG_PASSWORD, CLIENT_SECRET]) expect(everything).not.toContain(secret);
  expect(everything).not.toMatch(JWT);
}

describe.skipIf(skip).each(ERAS)("a Cloud agent session over MCP stdio, protocol %s", (era) => {
  test("deploy, connect, sync and wait, status and logs, refusals, clean-up", async () => {
    const notMine = fake.store.addSource({ name: `created elsewhere ${era}` });
    const s = await connect(era, env());
    try {
      const ws = await tool(s, "check_airbyte_cloud_workspace", {});
      expect(ws.ok).toBe(true);
      expect(ws.data.workspace_id).toBe(fake.store.defaults.workspaceId);

      const source = await tool(s, "deploy_source_to_cloud", {
        source_name: `faker ${era}`,
        source_connector_name: "source-faker",
        config: { count: 500 },
      });
      expect(source.ok).toBe(true);
      const sourceId = source.data.source_id as string;
      expect(fake.store.sources.get(sourceId)?.name).toBe(`faker ${era}`);

      const destination = await tool(s, "deploy_destination_to_cloud", {
        destination_name: `warehouse ${era}`,
        destination_connector_name: "destination-postgres",
        config: {
          host: "db.example.com",
          port: 5432,
          database: "analytics",
          schema: "public",
          username: "loader",
          password: "secret_reference::PG_PASSWORD",
          ssl_mode: { mode: "disable" },
        },
      });
      expect(destination.ok).toBe(true);
      const destinationId = destination.data.destination_id as string;
      // The reference was resolved on the server: Cloud holds the value, the agent never saw it.
      expect(fake.store.destinations.get(destinationId)?.configuration.password).toBe(PG_PASSWORD);

      const connection = await tool(s, "create_connection_on_cloud", {
        connection_name: `faker to warehouse ${era}`,
        source_id: sourceId,
        destination_id: destinationId,
        selected_streams: "users",
      });
      expect(connection.ok).toBe(true);
      const connectionId = connection.data.connection_id as string;
      expect(fake.store.connections.get(connectionId)?.sourceId).toBe(sourceId);

      fake.store.setJobOutcome(connectionId, "succeeded", {
        records: 500,
        bytes: 64_000,
        logLines: ["replication starting", `read 500 records for ${era}`, "replication done"],
      });
      const progress: unknown[] = [];
      const sync = await tool(
        s,
        "run_cloud_sync",
        { connection_id: connectionId, wait: true, wait_timeout: 60 },
        (p) => progress.push(p),
      );
      expect(sync.ok).toBe(true);
      expect(sync.data.status).toBe("succeeded");
      const jobId = sync.data.job_id as number;
      expect(fake.store.jobs.get(jobId)?.connectionId).toBe(connectionId);
      expect(progress.length).toBeGreaterThan(0);

      const status = await tool(s, "get_cloud_sync_status", { connection_id: connectionId });
      expect(status.data).toMatchObject({ job_id: jobId, status: "succeeded", records_synced: 500 });

      const logs = await tool(s, "get_cloud_sync_logs", { connection_id: connectionId, max_lines: 2 });
      expect(logs.ok).toBe(true);
      expect(logs.data.log_text_line_count).toBeLessThanOrEqual(2);
      expect(logs.data.log_text as string).toContain("replication done");

      // Not created in this session: safe mode refuses, naming the setting, even with the right name.
      const refused = await tool(s, "permanently_delete_cloud_source", {
        source_id: notMine.id,
        name: notMine.name,
      });
      expect(refused.ok).toBe(false);
      expect(refused.text).toContain("AIRBYTE_CLOUD_MCP_SAFE_MODE");
      expect(fake.store.sources.get(notMine.id)?.deleted).toBe(false);

      // Created here, but the wrong name: the name gate refuses.
      const wrongName = await tool(s, "permanently_delete_cloud_connection", {
        connection_id: connectionId,
        name: "faker to warehouse",
      });
      expect(wrongName.ok).toBe(false);
      expect(wrongName.text).toContain("exact current name");
      expect(fake.store.connections.get(connectionId)?.status).not.toBe("deprecated");

      const deleted = await tool(s, "permanently_delete_cloud_connection", {
        connection_id: connectionId,
        name: `faker to warehouse ${era}`,
        cascade_delete_source: true,
        source_name: `faker ${era}`,
        cascade_delete_destination: true,
        destination_name: `warehouse ${era}`,
      });
      expect(deleted.ok).toBe(true);
      const listed = await tool(s, "list_deployed_cloud_source_connectors", {});
      const ids = ((listed.data.sources ?? []) as { id: string }[]).map((x) => x.id);
      expect(ids).not.toContain(sourceId);
      expect(ids).toContain(notMine.id);
      expect(fake.store.destinations.get(destinationId)?.deleted).toBe(true);
      noSecrets(s);
    } finally {
      await s.close();
    }
  });

  test("read-only mode lists no Cloud tool that writes, except starting and cancelling syncs", async () => {
    const s = await connect(era, env({ AIRBYTE_CLOUD_MCP_READONLY_MODE: "1" }));
    try {
      const { tools } = await s.client.listTools();
      const cloudWriters = tools
        .filter((t) => t.annotations?.readOnlyHint !== true)
        .map((t) => t.name)
        .filter(
          (n) => n.includes("cloud") || n.includes("custom_source_definition") || n.includes("connection"),
        );
      expect(cloudWriters.sort()).toEqual(["cancel_cloud_sync", "run_cloud_sync"]);
      expect(tools.map((t) => t.name)).toContain("list_deployed_cloud_connections");
      const blocked = await tool(s, "deploy_noop_destination_to_cloud", {});
      expect(blocked.ok).toBe(false);
      expect(blocked.text).toContain("AIRBYTE_CLOUD_MCP_READONLY_MODE");
      noSecrets(s);
    } finally {
      await s.close();
    }
  });
});
