// startSync and waitForJob (what `airbyte-mcp cloud sync` runs) with the real client against the fake
// Cloud, and the small readers of the API's job fields.

import { describe, expect, test } from "bun:test";
import {
  durationSeconds,
  isoInstant,
  JobWaitCancelled,
  startSync,
  summarizeJob,
  type WaitProgress,
  waitForJob,
} from "../../src/cloud/jobs.ts";
import { ToolError } from "../../src/core/errors.ts";
import type { FakeConnection } from "../fakes/cloud/store.ts";
import { fileCloudHarness } from "../helpers/cloud.ts";

const h = await fileCloudHarness();

function connection(): FakeConnection {
  const source = h.fake.store.addSource({});
  const destination = h.fake.store.addDestination({});
  return h.fake.store.addConnection({ sourceId: source.id, destinationId: destination.id });
}

const timing = { pollIntervalMs: 2, maxPollIntervalMs: 10 };

describe("startSync and waitForJob", () => {
  test("a job followed to success: status, records, bytes, duration, and a report per poll", async () => {
    const conn = connection();
    h.fake.store.setJobOutcome(conn.connectionId, "succeeded", {
      records: 250,
      bytes: 4096,
      failedAttempts: 1,
    });
    const client = h.rt.cloud.client();
    const job = await startSync(client, conn.connectionId);
    expect(h.fake.store.jobs.get(job.jobId)?.jobType).toBe("sync");
    const reports: WaitProgress[] = [];
    const outcome = await waitForJob(timing, client, job.jobId, {
      timeoutMs: 30_000,
      onProgress: (p) => reports.push(p),
    });
    expect(outcome.kind).toBe("finished");
    const summary = summarizeJob(outcome.job);
    expect(summary).toMatchObject({
      jobId: job.jobId,
      status: "succeeded",
      records: 250,
      bytes: 4096,
      jobType: "sync",
    });
    expect(summary.durationSeconds).toBe(durationSeconds(outcome.job.duration ?? ""));
    expect(reports.map((r) => r.polls)).toEqual(reports.map((_, i) => i + 1));
    expect(outcome.polls).toBe(reports.length);
    expect(reports.at(-1)?.job.status).toBe("succeeded");
  });

  test("a failed job is a finished outcome, not an exception (the caller decides)", async () => {
    const conn = connection();
    h.fake.store.setJobOutcome(conn.connectionId, "failed");
    const client = h.rt.cloud.client();
    const job = await startSync(client, conn.connectionId);
    const outcome = await waitForJob(timing, client, job.jobId, { timeoutMs: 30_000 });
    expect(outcome).toMatchObject({ kind: "finished", job: { status: "failed" } });
  });

  test("the deadline gives a timeout outcome with the last status; the job keeps running", async () => {
    const conn = connection();
    h.fake.store.setJobOutcome(conn.connectionId, "succeeded", { runningMs: 60_000 });
    const client = h.rt.cloud.client();
    const job = await startSync(client, conn.connectionId);
    const outcome = await waitForJob(timing, client, job.jobId, { timeoutMs: 30 });
    expect(outcome.kind).toBe("timeout");
    expect(["pending", "running"]).toContain(outcome.job.status);
    expect(h.fake.store.jobStatus(job.jobId)).not.toBe("cancelled");
  });

  test("an aborted signal stops the wait with JobWaitCancelled", async () => {
    const conn = connection();
    h.fake.store.setJobOutcome(conn.connectionId, "succeeded", { runningMs: 60_000 });
    const client = h.rt.cloud.client();
    const job = await startSync(client, conn.connectionId);
    const abort = new AbortController();
    const wait = waitForJob({ pollIntervalMs: 1_000, maxPollIntervalMs: 1_000 }, client, job.jobId, {
      timeoutMs: 60_000,
      signal: abort.signal,
      onProgress: () => abort.abort(),
    });
    const error = await wait.then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(JobWaitCancelled);
    expect((error as JobWaitCancelled).jobId).toBe(job.jobId);
    expect((error as JobWaitCancelled).text).toContain("cancel_cloud_sync");
  });

  test("a poll that keeps failing is an error naming the job", async () => {
    const conn = connection();
    const client = h.rt.cloud.client();
    const job = await startSync(client, conn.connectionId);
    h.fake.injectFailure({ method: "GET", path: new RegExp(`/jobs/${job.jobId}$`), status: 404 });
    const error = await waitForJob(timing, client, job.jobId, { timeoutMs: 30_000 }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ToolError);
    expect((error as ToolError).message).toContain(`sync job ${job.jobId}`);
    expect((error as ToolError).text).toContain("get_cloud_sync_status");
  });

  test("starting a sync while one runs is the API's 409", async () => {
    const conn = connection();
    h.fake.store.setJobOutcome(conn.connectionId, "succeeded", { runningMs: 60_000 });
    const client = h.rt.cloud.client();
    await startSync(client, conn.connectionId);
    const error = await startSync(client, conn.connectionId).then(
      () => null,
      (e: unknown) => e,
    );
    expect((error as ToolError).message).toContain("409");
  });
});

describe("job field readers", () => {
  test("ISO-8601 durations", () => {
    expect(durationSeconds("PT0S")).toBe(0);
    expect(durationSeconds("PT1M30S")).toBe(90);
    expect(durationSeconds("PT8H6M12.5S")).toBe(8 * 3600 + 6 * 60 + 12.5);
    expect(durationSeconds("P1DT2H")).toBe(26 * 3600);
    expect(durationSeconds("PT")).toBeNull();
    expect(durationSeconds("90 seconds")).toBeNull();
  });

  test("the API's Java instants as full ISO-8601", () => {
    expect(isoInstant("2024-06-09T21:50Z")).toBe("2024-06-09T21:50:00Z");
    expect(isoInstant("2024-06-09T21:50:30Z")).toBe("2024-06-09T21:50:30Z");
    expect(isoInstant("not a date")).toBe("not a date");
  });
});
