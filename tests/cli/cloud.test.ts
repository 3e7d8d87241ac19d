// `airbyte-mcp cloud sync` in-process against the fake Cloud: exit codes, the JSON report, what is
// left running or cancelled in Cloud, and that no credential reaches the output.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { ALL_TOOLS } from "../../src/tools/index.ts";
import { type FakeCloud, startFakeCloud } from "../fakes/cloud/server.ts";
import { tempDir } from "../helpers/binary.ts";
import { runCliCaptured } from "../helpers/cli.ts";
import { CLIENT_ID, CLIENT_SECRET } from "../helpers/cloud.ts";

const dir = tempDir();
let fake: FakeCloud;

beforeAll(async () => {
  fake = await startFakeCloud({ validateResponses: true, jobTimings: { pendingMs: 20, runningMs: 40 } });
});
afterAll(async () => {
  await fake.close();
  dir.cleanup();
});

function connection(): string {
  const source = fake.store.addSource({ name: "cli source" });
  const destination = fake.store.addDestination({ name: "cli destination" });
  return fake.store.addConnection({ sourceId: source.id, destinationId: destination.id }).connectionId;
}

async function cli(args: string[], env: Record<string, string> = {}) {
  const r = await runCliCaptured(args, ALL_TOOLS, {
    HOME: dir.path,
    AIRBYTE_PROJECT_DIR: dir.path,
    AIRBYTE_MCP_LOG_LEVEL: "silent",
    AIRBYTE_CLOUD_API_URL: fake.apiUrl,
    AIRBYTE_CLOUD_CONFIG_API_URL: fake.configApiUrl,
    AIRBYTE_CLOUD_CLIENT_ID: CLIENT_ID,
    AIRBYTE_CLOUD_CLIENT_SECRET: CLIENT_SECRET,
    AIRBYTE_CLOUD_WORKSPACE_ID: fake.store.defaults.workspaceId,
    AIRBYTE_CLOUD_POLL_INTERVAL: "0.01",
    ...env,
  });
  expect(r.stdout + r.stderr).not.toContain(CLIENT_SECRET);
  expect(r.stdout + r.stderr).not.toMatch(/eyJ[\w-]+\.[\w-]+/); // no access token (a JWT)
  return r;
}

describe("cloud sync", () => {
  test("--wait --json: exit 0 and the job's figures when it succeeds", async () => {
    const id = connection();
    fake.store.setJobOutcome(id, "succeeded", { records: 1234, bytes: 56789 });
    const r = await cli(["cloud", "sync", "--connection-id", id, "--wait", "--json"]);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    const job = fake.store.jobs.get(report.job_id);
    expect(job?.connectionId).toBe(id);
    expect(fake.store.jobStatus(report.job_id)).toBe("succeeded");
    expect(report).toMatchObject({
      connection_id: id,
      status: "succeeded",
      records_synced: 1234,
      bytes_synced: 56789,
      waited: true,
      timed_out: false,
      error: null,
    });
    expect(report.duration_seconds).toBeGreaterThanOrEqual(0);
    expect(report.job_url).toContain(id);
    expect(r.stderr).toContain(`started job ${report.job_id}`);
  });

  test("a failed job exits 1 and says where to read why", async () => {
    const id = connection();
    fake.store.setJobOutcome(id, "failed", { failureMessage: "source said no" });
    const r = await cli(["cloud", "sync", "--connection-id", id, "--wait", "--json"]);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.status).toBe("failed");
    expect(fake.store.jobStatus(report.job_id)).toBe("failed");
    expect(report.error).toContain("get_cloud_sync_logs");
  });

  test("without --wait: exit 0 once the job is started; it keeps running", async () => {
    const id = connection();
    const r = await cli(["cloud", "sync", "--connection-id", id]);
    expect(r.code).toBe(0);
    const jobId = Number(/job (\d+):/.exec(r.stdout)?.[1]);
    expect(fake.store.jobs.get(jobId)?.connectionId).toBe(id);
    expect(r.stdout).toContain(`connection: ${id}`);
  });

  test("a timeout exits 3 and leaves the job running, or cancels it with --cancel-on-stop", async () => {
    const id = connection();
    fake.store.setJobOutcome(id, "succeeded", { runningMs: 60_000 });
    const r = await cli(["cloud", "sync", "--connection-id", id, "--wait", "--timeout", "0.2", "--json"]);
    expect(r.code).toBe(3);
    const report = JSON.parse(r.stdout);
    expect(report.timed_out).toBe(true);
    expect(fake.store.jobStatus(report.job_id)).toBe("running");
    expect(r.stderr).toContain("keeps running");
    // The running job blocks a second sync (409): cancel it, then time out again with --cancel-on-stop.
    await cli([
      "call",
      "cancel_cloud_sync",
      "--json",
      JSON.stringify({ connection_id: id, job_id: report.job_id }),
    ]);
    fake.store.setJobOutcome(id, "succeeded", { runningMs: 60_000 });
    const again = await cli([
      "cloud",
      "sync",
      "--connection-id",
      id,
      "--wait",
      "--timeout",
      "0.2",
      "--cancel-on-stop",
      "--json",
    ]);
    expect(again.code).toBe(3);
    const second = JSON.parse(again.stdout);
    expect(second.cancelled_by_cli).toBe(true);
    expect(fake.store.jobStatus(second.job_id)).toBe("cancelled");
  });

  test("an unknown connection exits 1 with the API's reason", async () => {
    const r = await cli(["cloud", "sync", "--connection-id", crypto.randomUUID(), "--json"]);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.job_id).toBeNull();
    expect(report.status).toBe("not_started");
    expect(report.error).toMatch(/not found|404/i);
  });

  test("bad usage and hiding settings exit 2", async () => {
    expect((await cli(["cloud", "sync"])).code).toBe(2);
    expect((await cli(["cloud", "run"])).code).toBe(2);
    expect((await cli(["cloud", "sync", "--connection-id", "x", "--timeout", "5"])).code).toBe(2);
    const id = connection();
    const hidden = await cli(["cloud", "sync", "--connection-id", id, "--json"], {
      MCP_EXCLUDE_TOOLS: "run_cloud_sync",
    });
    expect(hidden.code).toBe(2);
    expect(JSON.parse(hidden.stdout).error).toContain("MCP_EXCLUDE_TOOLS");
    expect([...fake.store.jobs.values()].some((j) => j.connectionId === id)).toBe(false);
    // Read-only mode keeps syncs allowed, as the issue asks.
    const readOnly = await cli(["cloud", "sync", "--connection-id", id], {
      AIRBYTE_CLOUD_MCP_READONLY_MODE: "1",
    });
    expect(readOnly.code).toBe(0);
  });
});
