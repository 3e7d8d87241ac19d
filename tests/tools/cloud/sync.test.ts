// The sync tools against the fake Cloud, through the real call path: run (at once, waiting, failing,
// timing out, cancelled), cancel, status, job lists, logs, state and catalog, connector checks, and the
// refusals and API failures around them. Expected values come from the fake's store.

import { beforeAll, describe, expect, test } from "bun:test";
import type { Progress } from "../../../src/core/tool.ts";
import { jobInfoRead } from "../../fakes/cloud/jobs.ts";
import type { FakeConnection } from "../../fakes/cloud/store.ts";
import { type CloudHarness, cloudHarness, expectNoSecrets, fileCloudHarness } from "../../helpers/cloud.ts";
import { failed, ok } from "../../helpers/local.ts";

function scene(h: CloudHarness, workspaceId = h.workspaceId): FakeConnection {
  const source = h.fake.store.addSource({ workspaceId, name: "Faker source" });
  const destination = h.fake.store.addDestination({ workspaceId, name: "Null destination" });
  return h.fake.store.addConnection({ sourceId: source.id, destinationId: destination.id });
}

const jobGets = (h: CloudHarness, jobId: number) =>
  h.fake.requests.filter((r) => r.method === "GET" && r.path.endsWith(`/jobs/${jobId}`)).length;

const h = await fileCloudHarness();

describe("run_cloud_sync", () => {
  test("wait=false returns the job id at once", async () => {
    const conn = scene(h);
    const out = await h.call("run_cloud_sync", { connection_id: conn.connectionId });
    const result = ok(out);
    const jobId = result.job_id as number;
    const job = h.fake.store.jobs.get(jobId);
    expect(job?.connectionId).toBe(conn.connectionId);
    expect(job?.jobType).toBe("sync");
    expect(result.message).toBe(`Sync started. Job ID is '${jobId}' and job URL is: ${result.job_url}`);
    expect(result.job_url).toBe(h.rt.cloud.client().web.job(h.workspaceId, conn.connectionId));
    expect(["pending", "running"]).toContain(result.status as string);
    expectNoSecrets(out);
  });

  test("wait=true follows the job to success, reporting progress", async () => {
    const conn = scene(h);
    h.fake.store.setJobOutcome(conn.connectionId, "succeeded", { records: 4321, bytes: 98765 });
    const reports: Progress[] = [];
    const out = await h.call(
      "run_cloud_sync",
      { connection_id: conn.connectionId, wait: true, wait_timeout: 30 },
      undefined,
      (p) => reports.push(p),
    );
    const result = ok(out);
    expect(result.status).toBe("succeeded");
    expect(result.records_synced).toBe(4321);
    expect(result.bytes_synced).toBe(98765);
    expect(h.fake.store.jobStatus(result.job_id as number)).toBe("succeeded");
    expect(result.message).toStartWith(`Sync completed with status: succeeded. Job ID is '${result.job_id}'`);
    expect(reports.length).toBeGreaterThan(0);
    expect(reports.map((r) => r.progress)).toEqual(reports.map((_, i) => i + 1));
    expect(reports.at(-1)?.message).toContain("succeeded");
    expectNoSecrets(out);
  });

  test("a failed job is an error naming the job and how to read why", async () => {
    const conn = scene(h);
    h.fake.store.setJobOutcome(conn.connectionId, "failed");
    const message = failed(
      await h.call("run_cloud_sync", { connection_id: conn.connectionId, wait: true, wait_timeout: 30 }),
    );
    const job = [...h.fake.store.jobs.values()].find((j) => j.connectionId === conn.connectionId);
    expect(job).toBeDefined();
    expect(message).toContain(`Sync job ${job?.jobId} ended with status failed`);
    expect(message).toContain(
      `get_cloud_sync_logs(connection_id='${conn.connectionId}', job_id=${job?.jobId})`,
    );
  });

  test("a job still running at wait_timeout is an error; the job keeps running", async () => {
    const conn = scene(h);
    h.fake.store.setJobOutcome(conn.connectionId, "succeeded", { runningMs: 60_000 });
    const message = failed(
      await h.call("run_cloud_sync", { connection_id: conn.connectionId, wait: true, wait_timeout: 1 }),
    );
    const job = [...h.fake.store.jobs.values()].find((j) => j.connectionId === conn.connectionId);
    expect(message).toContain(`Sync job ${job?.jobId} is still running after waiting 1 s`);
    expect(message).toContain("cancel_cloud_sync");
    expect(h.fake.store.jobStatus(job?.jobId ?? -1)).toBe("running");
  });

  test("cancelling the call stops polling at once", async () => {
    const conn = scene(h);
    h.fake.store.setJobOutcome(conn.connectionId, "succeeded", { runningMs: 60_000 });
    const abort = new AbortController();
    const out = await h.call(
      "run_cloud_sync",
      { connection_id: conn.connectionId, wait: true, wait_timeout: 60 },
      abort.signal,
      (p) => {
        if (p.progress >= 2) abort.abort();
      },
    );
    const message = failed(out);
    const job = [...h.fake.store.jobs.values()].find((j) => j.connectionId === conn.connectionId);
    const jobId = job?.jobId ?? -1;
    expect(message).toContain(`Stopped waiting for sync job ${jobId}`);
    const polls = jobGets(h, jobId);
    expect(polls).toBe(2);
    await Bun.sleep(60);
    expect(jobGets(h, jobId)).toBe(polls);
    expect(h.fake.store.jobStatus(jobId)).toBe("running");
  });

  test("polls ride out injected 503 and 429 answers", async () => {
    const conn = scene(h);
    h.fake.injectFailure({ method: "GET", path: /\/jobs\/\d+$/, status: 503, times: 2 });
    h.fake.injectFailure({ method: "GET", path: /\/jobs\/\d+$/, status: 429, retryAfter: "0" });
    const result = ok(
      await h.call("run_cloud_sync", { connection_id: conn.connectionId, wait: true, wait_timeout: 30 }),
    );
    expect(result.status).toBe("succeeded");
  });

  test("a sync already running is refused with what to do", async () => {
    const conn = scene(h);
    h.fake.store.setJobOutcome(conn.connectionId, "succeeded", { runningMs: 60_000 });
    ok(await h.call("run_cloud_sync", { connection_id: conn.connectionId }));
    const message = failed(await h.call("run_cloud_sync", { connection_id: conn.connectionId }));
    expect(message).toContain("409");
    expect(message).toContain("already running");
  });

  test("a connection of another workspace is refused", async () => {
    const other = h.fake.store.addWorkspace({ name: "Second workspace" });
    const conn = scene(h, other.workspaceId);
    const message = failed(await h.call("run_cloud_sync", { connection_id: conn.connectionId }));
    expect(message).toContain(`belongs to workspace ${other.workspaceId}`);
    expect(message).toContain(`workspace_id='${other.workspaceId}'`);
    expect([...h.fake.store.jobs.values()].some((j) => j.connectionId === conn.connectionId)).toBe(false);
    ok(await h.call("run_cloud_sync", { connection_id: conn.connectionId, workspace_id: other.workspaceId }));
  });

  test("an unknown connection is a 404 with a hint", async () => {
    const message = failed(await h.call("run_cloud_sync", { connection_id: crypto.randomUUID() }));
    expect(message).toContain("404");
    expect(message).toMatch(/list/i);
  });

  test("a 403 on starting the job says what is wrong", async () => {
    const conn = scene(h);
    h.fake.injectFailure({ method: "POST", path: /\/jobs$/, status: 403 });
    const out = await h.call("run_cloud_sync", { connection_id: conn.connectionId });
    expect(failed(out)).toContain("403");
    expectNoSecrets(out);
  });
});

describe("cancel_cloud_sync", () => {
  test("cancels a running job of the connection", async () => {
    const conn = scene(h);
    h.fake.store.setJobOutcome(conn.connectionId, "succeeded", { runningMs: 60_000 });
    const started = ok(await h.call("run_cloud_sync", { connection_id: conn.connectionId }));
    const out = await h.call("cancel_cloud_sync", {
      connection_id: conn.connectionId,
      job_id: started.job_id,
    });
    const result = ok(out);
    expect(result.cancelled).toBe(true);
    expect(result.status).toBe("cancelled");
    expect(h.fake.store.jobStatus(started.job_id as number)).toBe("cancelled");
    expectNoSecrets(out);
  });

  test("a finished job is left alone", async () => {
    const conn = scene(h);
    const job = h.fake.store.addJob(conn.connectionId, { outcome: "succeeded" });
    const result = ok(
      await h.call("cancel_cloud_sync", { connection_id: conn.connectionId, job_id: job.jobId }),
    );
    expect(result.cancelled).toBe(false);
    expect(result.status).toBe("succeeded");
    expect(h.fake.requests.some((r) => r.method === "DELETE" && r.path.endsWith(`/jobs/${job.jobId}`))).toBe(
      false,
    );
  });

  test("a job of another connection is refused and keeps running", async () => {
    const conn = scene(h);
    const other = scene(h);
    h.fake.store.setJobOutcome(other.connectionId, "succeeded", { runningMs: 60_000 });
    const started = ok(await h.call("run_cloud_sync", { connection_id: other.connectionId }));
    const message = failed(
      await h.call("cancel_cloud_sync", { connection_id: conn.connectionId, job_id: started.job_id }),
    );
    expect(message).toContain(`belongs to connection ${other.connectionId}`);
    expect(h.fake.store.jobStatus(started.job_id as number)).not.toBe("cancelled");
  });

  test("an unknown job is a 404", async () => {
    const conn = scene(h);
    expect(
      failed(await h.call("cancel_cloud_sync", { connection_id: conn.connectionId, job_id: 987654 })),
    ).toContain("404");
  });
});

describe("get_cloud_sync_status", () => {
  test("a connection that never ran reports nulls", async () => {
    const conn = scene(h);
    const result = ok(await h.call("get_cloud_sync_status", { connection_id: conn.connectionId }));
    expect(result).toMatchObject({ status: null, job_id: null, attempts: [] });
  });

  test("the latest job by default, with its attempts on request", async () => {
    const conn = scene(h);
    const now = Date.now();
    h.fake.store.addJob(conn.connectionId, { outcome: "failed", createdAt: now - 600_000 });
    const latest = h.fake.store.addJob(conn.connectionId, {
      outcome: "succeeded",
      failedAttempts: 1,
      records: 77,
      createdAt: now - 120_000,
    });
    const out = await h.call("get_cloud_sync_status", {
      connection_id: conn.connectionId,
      include_attempts: true,
    });
    const result = ok(out);
    expect(result.job_id).toBe(latest.jobId);
    expect(result.status).toBe("succeeded");
    expect(result.records_synced).toBe(77);
    expect(result.start_time).toBe(
      new Date(Math.floor(latest.createdAt / 1000) * 1000).toISOString().replace(".000Z", "Z"),
    );
    const info = jobInfoRead(latest, Date.now()) as {
      attempts: Array<{ attempt: { id: number; status: string } }>;
    };
    const attempts = result.attempts as Array<Record<string, unknown>>;
    expect(attempts.map((a) => [a.attempt_number, a.attempt_id, a.status])).toEqual(
      info.attempts.map((a, i) => [i, a.attempt.id, a.attempt.status]),
    );
    expectNoSecrets(out);
  });

  test("a given job id must be the connection's", async () => {
    const conn = scene(h);
    const other = scene(h);
    const job = h.fake.store.addJob(other.connectionId);
    const message = failed(
      await h.call("get_cloud_sync_status", { connection_id: conn.connectionId, job_id: job.jobId }),
    );
    expect(message).toContain(`belongs to connection ${other.connectionId}`);
    const own = ok(
      await h.call("get_cloud_sync_status", { connection_id: other.connectionId, job_id: job.jobId }),
    );
    expect(own.job_id).toBe(job.jobId);
  });
});

describe("list_cloud_sync_jobs", () => {
  let conn: FakeConnection;
  let ids: number[];
  beforeAll(() => {
    conn = scene(h);
    const base = Date.now() - 10 * 60_000;
    ids = [0, 1, 2, 3, 4].map(
      (i) => h.fake.store.addJob(conn.connectionId, { createdAt: base + i * 60_000 }).jobId,
    );
    h.fake.store.addJob(conn.connectionId, { jobType: "clear", createdAt: base + 5 * 60_000 });
  });

  test("newest first by default", async () => {
    const result = ok(await h.call("list_cloud_sync_jobs", { connection_id: conn.connectionId }));
    expect((result.jobs as Array<{ job_id: number }>).map((j) => j.job_id)).toEqual([...ids].reverse());
    expect(result).toMatchObject({ jobs_count: 5, jobs_offset: 0, from_tail: true });
  });

  test("max_jobs, oldest first and offsets", async () => {
    const two = ok(await h.call("list_cloud_sync_jobs", { connection_id: conn.connectionId, max_jobs: 2 }));
    expect((two.jobs as Array<{ job_id: number }>).map((j) => j.job_id)).toEqual(ids.slice(3).reverse());
    const oldest = ok(
      await h.call("list_cloud_sync_jobs", { connection_id: conn.connectionId, from_tail: false }),
    );
    expect((oldest.jobs as Array<{ job_id: number }>).map((j) => j.job_id)).toEqual(ids);
    const offset = ok(
      await h.call("list_cloud_sync_jobs", {
        connection_id: conn.connectionId,
        jobs_offset: 3,
        max_jobs: 10,
      }),
    );
    expect((offset.jobs as Array<{ job_id: number }>).map((j) => j.job_id)).toEqual(ids.slice(3));
    expect(offset).toMatchObject({ jobs_offset: 3, from_tail: false });
  });

  test("job_type picks other kinds of jobs", async () => {
    const result = ok(
      await h.call("list_cloud_sync_jobs", { connection_id: conn.connectionId, job_type: "clear" }),
    );
    expect(result.jobs_count).toBe(1);
  });

  test("from_tail=true with jobs_offset is refused", async () => {
    const message = failed(
      await h.call("list_cloud_sync_jobs", {
        connection_id: conn.connectionId,
        from_tail: true,
        jobs_offset: 1,
      }),
    );
    expect(message).toContain("jobs_offset");
  });

  test("a transient 502 on the list is retried", async () => {
    h.fake.injectFailure({ method: "GET", path: /\/jobs$/, status: 502 });
    expect(ok(await h.call("list_cloud_sync_jobs", { connection_id: conn.connectionId })).jobs_count).toBe(5);
  });
});

describe("get_cloud_sync_logs", () => {
  const lines = Array.from({ length: 50 }, (_, i) => `log line ${i + 1}`);
  let conn: FakeConnection;
  let jobId: number;
  beforeAll(() => {
    conn = scene(h);
    jobId = h.fake.store.addJob(conn.connectionId, {
      logLines: lines,
      logFormat: "lines",
      failedAttempts: 1,
    }).jobId;
  });
  // The fake formats each line "<date> <time> platform > INFO <message>".
  const tails = (text: string) => text.split("\n").map((l) => l.replace(/^.* > \w+ /, ""));

  test("the end of the last attempt by default", async () => {
    const out = await h.call("get_cloud_sync_logs", { connection_id: conn.connectionId, max_lines: 10 });
    const result = ok(out);
    expect(result).toMatchObject({
      job_id: jobId,
      attempt_number: 1,
      log_text_start_line: 41,
      log_text_line_count: 10,
      total_log_lines_available: 50,
    });
    expect(tails(result.log_text as string)).toEqual(lines.slice(40));
    expectNoSecrets(out);
  });

  test("pages from line_offset, never more than max_lines", async () => {
    const result = ok(
      await h.call("get_cloud_sync_logs", { connection_id: conn.connectionId, line_offset: 5, max_lines: 7 }),
    );
    expect(result).toMatchObject({ log_text_start_line: 6, log_text_line_count: 7 });
    expect(tails(result.log_text as string)).toEqual(lines.slice(5, 12));
    const all = ok(await h.call("get_cloud_sync_logs", { connection_id: conn.connectionId, max_lines: 0 }));
    expect(all.log_text_line_count).toBe(50);
    const past = ok(
      await h.call("get_cloud_sync_logs", { connection_id: conn.connectionId, line_offset: 80 }),
    );
    expect(past).toMatchObject({ log_text: "", log_text_line_count: 0, total_log_lines_available: 50 });
  });

  test("an earlier attempt by its 0-based number; structured events as [time] LEVEL: message", async () => {
    const events = scene(h);
    const job = h.fake.store.addJob(events.connectionId, {
      outcome: "failed",
      failureMessage: "boom from upstream",
    });
    const result = ok(
      await h.call("get_cloud_sync_logs", { connection_id: events.connectionId, job_id: job.jobId }),
    );
    const text = result.log_text as string;
    expect(text).toMatch(/^\[\d{4}-\d\d-\d\dT[\d:.]+Z\] INFO: /);
    expect(text).toContain("ERROR: boom from upstream");
    const first = ok(
      await h.call("get_cloud_sync_logs", {
        connection_id: conn.connectionId,
        job_id: jobId,
        attempt_number: 0,
      }),
    );
    expect(first.attempt_number).toBe(0);
    expect(first.log_text).toContain("Attempt 1 failed");
  });

  test("bad combinations and missing attempts or jobs are refused", async () => {
    expect(
      failed(
        await h.call("get_cloud_sync_logs", {
          connection_id: conn.connectionId,
          from_tail: true,
          line_offset: 3,
        }),
      ),
    ).toContain("line_offset");
    expect(
      failed(await h.call("get_cloud_sync_logs", { connection_id: conn.connectionId, attempt_number: 5 })),
    ).toContain("has 2");
    expect(failed(await h.call("get_cloud_sync_logs", { connection_id: scene(h).connectionId }))).toContain(
      "no sync jobs",
    );
    expect(
      (await h.call("get_cloud_sync_logs", { connection_id: conn.connectionId, max_lines: -1 })).ok,
    ).toBe(false);
  });
});

describe("get_connection_artifact", () => {
  test("state: none, per stream, global and legacy, as protocol messages", async () => {
    const conn = scene(h);
    const none = ok(
      await h.call("get_connection_artifact", { connection_id: conn.connectionId, artifact_type: "state" }),
    );
    expect(none).toMatchObject({
      state: null,
      message: "No state is set for this connection (stateType: not_set)",
    });

    h.fake.store.setConnectionState(conn.connectionId, {
      stateType: "stream",
      streamState: [{ streamDescriptor: { name: "users" }, streamState: { updated_at: "2024-05-01" } }],
    });
    const stream = ok(
      await h.call("get_connection_artifact", { connection_id: conn.connectionId, artifact_type: "state" }),
    );
    expect(stream.state).toEqual([
      {
        type: "STREAM",
        stream: { stream_descriptor: { name: "users" }, stream_state: { updated_at: "2024-05-01" } },
      },
    ]);

    h.fake.store.setConnectionState(conn.connectionId, {
      stateType: "global",
      globalState: {
        sharedState: { lsn: 42 },
        streamStates: [{ streamDescriptor: { name: "t", namespace: "public" }, streamState: { c: 1 } }],
      },
    });
    const global = ok(
      await h.call("get_connection_artifact", { connection_id: conn.connectionId, artifact_type: "state" }),
    );
    expect(global.state).toEqual([
      {
        type: "GLOBAL",
        global: {
          shared_state: { lsn: 42 },
          stream_states: [{ stream_descriptor: { name: "t", namespace: "public" }, stream_state: { c: 1 } }],
        },
      },
    ]);

    h.fake.store.setConnectionState(conn.connectionId, { stateType: "legacy", state: { cursor: "x" } });
    const legacy = ok(
      await h.call("get_connection_artifact", { connection_id: conn.connectionId, artifact_type: "state" }),
    );
    expect(legacy.state).toEqual([{ type: "LEGACY", data: { cursor: "x" } }]);
  });

  test("a finished incremental sync leaves state behind", async () => {
    const source = h.fake.store.addSource({});
    const destination = h.fake.store.addDestination({ connectorType: "postgres" });
    const conn = h.fake.store.addConnection({ sourceId: source.id, destinationId: destination.id });
    const incremental = conn.streams
      .filter((s) => String(s.syncMode).startsWith("incremental"))
      .map((s) => s.name);
    expect(incremental.length).toBeGreaterThan(0);
    h.fake.store.addJob(conn.connectionId);
    const result = ok(
      await h.call("get_connection_artifact", { connection_id: conn.connectionId, artifact_type: "state" }),
    );
    const names = (
      result.state as Array<{ type: string; stream: { stream_descriptor: { name: string } } }>
    ).map((s) => `${s.type}:${s.stream.stream_descriptor.name}`);
    expect(names).toEqual(incremental.map((n) => `STREAM:${String(n)}`));
  });

  test("catalog: the selected streams with protocol field names", async () => {
    const source = h.fake.store.addSource({});
    const destination = h.fake.store.addDestination({ connectorType: "postgres" });
    const conn = h.fake.store.addConnection({
      sourceId: source.id,
      destinationId: destination.id,
      streams: [
        {
          name: "users",
          syncMode: "incremental_deduped_history",
          cursorField: ["updated_at"],
          primaryKey: [["id"]],
        },
      ],
    });
    const out = await h.call("get_connection_artifact", {
      connection_id: conn.connectionId,
      artifact_type: "catalog",
    });
    const result = ok(out);
    const streams = (result.catalog as { streams: Array<Record<string, unknown>> }).streams;
    expect(streams.length).toBe(1);
    expect(streams[0]).toMatchObject({
      stream: { name: "users", source_defined_cursor: true, default_cursor_field: ["updated_at"] },
      sync_mode: "incremental",
      destination_sync_mode: "append_dedup",
      cursor_field: ["updated_at"],
      primary_key: [["id"]],
    });
    expect(streams[0]?.stream).toHaveProperty("json_schema.properties.id");
    expectNoSecrets(out, "hunter2-fake-password");
  });
});

describe("check_cloud_connector", () => {
  test("sources are found first, then destinations; failures carry the connector's message", async () => {
    const source = h.fake.store.addSource({ name: "Checked source" });
    const destination = h.fake.store.addDestination({ name: "Checked destination" });
    h.fake.store.setCheckOutcome(destination.id, { status: "failed", message: "could not reach host db" });
    const s = ok(await h.call("check_cloud_connector", { connector_id: source.id }));
    expect(s).toMatchObject({
      connector_type: "source",
      connector_name: "Checked source",
      succeeded: true,
      message: null,
    });
    const out = await h.call("check_cloud_connector", { connector_id: destination.id });
    expect(ok(out)).toMatchObject({
      connector_type: "destination",
      succeeded: false,
      status: "failed",
      message: "could not reach host db",
    });
    expectNoSecrets(out);
  });

  test("an unknown id, or the wrong type, is refused", async () => {
    expect(failed(await h.call("check_cloud_connector", { connector_id: crypto.randomUUID() }))).toContain(
      "No source or destination",
    );
    const source = h.fake.store.addSource({});
    expect(
      failed(
        await h.call("check_cloud_connector", { connector_id: source.id, connector_type: "destination" }),
      ),
    ).toContain("404");
  });
});

describe("settings around the sync tools", () => {
  test("no workspace configured or given is refused with what to set", async () => {
    const bare = await cloudHarness({ noDefaultWorkspace: true });
    try {
      const conn = scene(bare);
      for (const [name, input] of [
        ["run_cloud_sync", { connection_id: conn.connectionId }],
        ["get_cloud_sync_status", { connection_id: conn.connectionId }],
        ["get_cloud_sync_logs", { connection_id: conn.connectionId }],
      ] as const) {
        expect(failed(await bare.call(name, input))).toContain("AIRBYTE_CLOUD_WORKSPACE_ID");
      }
      ok(
        await bare.call("get_cloud_sync_status", {
          connection_id: conn.connectionId,
          workspace_id: bare.workspaceId,
        }),
      );
    } finally {
      await bare.cleanup();
    }
  });

  test("read-only mode keeps run and cancel", async () => {
    const ro = await cloudHarness({ env: { AIRBYTE_CLOUD_MCP_READONLY_MODE: "1" } });
    try {
      const conn = scene(ro);
      ro.fake.store.setJobOutcome(conn.connectionId, "succeeded", { runningMs: 60_000 });
      const started = ok(await ro.call("run_cloud_sync", { connection_id: conn.connectionId }));
      ok(await ro.call("cancel_cloud_sync", { connection_id: conn.connectionId, job_id: started.job_id }));
      const hidden = await ro.call("publish_custom_source_definition", {
        name: "x",
        manifest_yaml: "a: 1\nb: 2",
      });
      expect(hidden).toMatchObject({ ok: false, kind: "hidden" });
    } finally {
      await ro.cleanup();
    }
  });

  test("a refused bearer token is a 401 naming the variable, without the token", async () => {
    const wrong = "wrong-bearer-token-value-123";
    const bad = await cloudHarness({
      bearerToken: "accepted-token-value-456",
      env: { AIRBYTE_CLOUD_BEARER_TOKEN: wrong },
    });
    try {
      const conn = scene(bad);
      const out = await bad.call("get_cloud_sync_status", { connection_id: conn.connectionId });
      const message = failed(out);
      expect(message).toContain("401");
      expect(message).toContain("AIRBYTE_CLOUD_BEARER_TOKEN");
      expect(JSON.stringify(out)).not.toContain(wrong);
    } finally {
      await bad.cleanup();
    }
  });
});
