// Jobs of the fake Cloud: pending → running → succeeded/failed by the clock (a test clock makes each phase
// exact), retried attempts shown as `incomplete`, one job at a time per connection (409), cancel, refresh
// refused, the list's filters and order, and the Java time formats of the real API.

import { describe, expect, test } from "bun:test";
import { skipWithoutFixtures } from "../../helpers/fixtures.ts";
import { fakeCloudSuite, RawApi } from "./harness.ts";

const skip = skipWithoutFixtures("fake Cloud job tests");
const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);

describe.skipIf(skip)("job progression by the clock", () => {
  const s = fakeCloudSuite();

  async function clocked(jobTimings = { pendingMs: 1_000, runningMs: 62_000 }) {
    let now = T0;
    const { fake } = await s.open({ clock: () => now, jobTimings });
    const api = new RawApi(fake);
    await api.login();
    const src = fake.store.addSource();
    const dst = fake.store.addDestination();
    const conn = fake.store.addConnection({ sourceId: src.id, destinationId: dst.id, streams: undefined });
    return { fake, api, conn, advance: (ms: number) => (now += ms) };
  }

  test("pending, then running with a growing duration, then succeeded with its totals", async () => {
    const { fake, api, conn, advance } = await clocked();
    fake.store.setJobOutcome(conn.connectionId, "succeeded", { records: 300, bytes: 9_000 });
    const created = await api.post("/jobs", { connectionId: conn.connectionId, jobType: "sync" });
    expect(created.body).toEqual({
      jobId: expect.any(Number),
      status: "pending",
      jobType: "sync",
      startTime: "2025-01-01T12:00Z",
      connectionId: conn.connectionId,
      bytesSynced: 0,
      rowsSynced: 0,
    });
    const path = `/jobs/${created.body.jobId}`;
    advance(1_000 + 31_000);
    const running = (await api.get(path)).body;
    expect(running.status).toBe("running");
    expect(running.duration).toBe("PT32S");
    expect(running.lastUpdatedAt).toBeUndefined();
    expect(running.rowsSynced).toBeGreaterThan(0);
    expect(running.rowsSynced).toBeLessThan(300);
    advance(31_000);
    const done = (await api.get(path)).body;
    expect(done).toMatchObject({
      status: "succeeded",
      rowsSynced: 300,
      bytesSynced: 9_000,
      duration: "PT1M3S",
    });
    expect(done.lastUpdatedAt).toBe("2025-01-01T12:01:03Z");
  });

  test("a failed outcome ends failed; failed attempts before it read `incomplete` between retries", async () => {
    const { fake, api, conn, advance } = await clocked({ pendingMs: 0, runningMs: 40_000 });
    fake.store.setJobOutcome(conn.connectionId, "failed", {
      failedAttempts: 1,
      failureMessage: "403 from the API",
    });
    const { jobId } = (await api.post("/jobs", { connectionId: conn.connectionId, jobType: "sync" })).body;
    advance(10_000);
    expect((await api.get(`/jobs/${jobId}`)).body.status).toBe("running");
    advance(12_000); // second attempt, first half
    expect((await api.get(`/jobs/${jobId}`)).body.status).toBe("incomplete");
    advance(10_000); // second attempt, second half
    expect((await api.get(`/jobs/${jobId}`)).body.status).toBe("running");
    advance(10_000);
    expect((await api.get(`/jobs/${jobId}`)).body).toMatchObject({ status: "failed", rowsSynced: 0 });
    const info = await api.config("/jobs/get", { id: jobId });
    expect(info.body.attempts.map((a: { attempt: { status: string } }) => a.attempt.status)).toEqual([
      "failed",
      "failed",
    ]);
    expect(JSON.stringify(info.body.attempts[1].attempt.failureSummary)).toContain("403 from the API");
  });

  test("settleJob ends a long job at once", async () => {
    const { fake, api, conn } = await clocked({ pendingMs: 0, runningMs: 3_600_000 });
    const { jobId } = (await api.post("/jobs", { connectionId: conn.connectionId, jobType: "sync" })).body;
    expect((await api.get(`/jobs/${jobId}`)).body.status).toBe("running");
    fake.store.settleJob(jobId);
    expect((await api.get(`/jobs/${jobId}`)).body.status).toBe("succeeded");
  });
});

describe.skipIf(skip)("jobs in real time", () => {
  const s = fakeCloudSuite({ jobTimings: { pendingMs: 20, runningMs: 40 } });

  test("a sync moves forward on its own and ends succeeded", async () => {
    const src = s.fake.store.addSource();
    const dst = s.fake.store.addDestination();
    const conn = s.fake.store.addConnection({ sourceId: src.id, destinationId: dst.id });
    const { jobId, status } = (
      await s.api.post("/jobs", { connectionId: conn.connectionId, jobType: "sync" })
    ).body;
    const seen = [status];
    for (let i = 0; i < 500 && !["succeeded", "failed", "cancelled"].includes(seen.at(-1) ?? ""); i++) {
      await Bun.sleep(5);
      const now = (await s.api.get(`/jobs/${jobId}`)).body.status;
      if (now !== seen.at(-1)) seen.push(now);
    }
    expect(seen.at(-1)).toBe("succeeded");
    // Statuses only move forward.
    const order = ["pending", "running", "succeeded"];
    expect(seen.every((x) => order.includes(x))).toBe(true);
    expect(seen.map((x) => order.indexOf(x))).toEqual(
      [...seen.map((x) => order.indexOf(x))].sort((a, b) => a - b),
    );
  });
});

describe.skipIf(skip)("job rules", () => {
  const s = fakeCloudSuite({ jobTimings: { pendingMs: 60_000, runningMs: 60_000 } });
  const connection = () => {
    const src = s.fake.store.addSource();
    const dst = s.fake.store.addDestination();
    return s.fake.store.addConnection({ sourceId: src.id, destinationId: dst.id });
  };

  test("one job at a time per connection: 409 state-conflict while one is under way", async () => {
    const conn = connection();
    const first = await s.api.post("/jobs", { connectionId: conn.connectionId, jobType: "sync" });
    expect(first.status).toBe(200);
    for (const jobType of ["sync", "reset"]) {
      const again = await s.api.post("/jobs", { connectionId: conn.connectionId, jobType });
      expect(again.status).toBe(409);
      expect(again.body.title).toBe("state-conflict");
      expect(again.body.detail).toContain(String(first.body.jobId));
    }
    s.fake.store.settleJob(first.body.jobId);
    expect((await s.api.post("/jobs", { connectionId: conn.connectionId, jobType: "reset" })).status).toBe(
      200,
    );
    // Another connection is not blocked.
    expect(
      (await s.api.post("/jobs", { connectionId: connection().connectionId, jobType: "sync" })).status,
    ).toBe(200);
  });

  test("cancel: 200 with the cancelled job, 409 once it has ended, and a new job may start", async () => {
    const conn = connection();
    const { jobId } = (await s.api.post("/jobs", { connectionId: conn.connectionId, jobType: "sync" })).body;
    const cancelled = await s.api.delete(`/jobs/${jobId}`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ jobId, status: "cancelled" });
    expect(cancelled.body.lastUpdatedAt).toEqual(expect.any(String));
    const again = await s.api.delete(`/jobs/${jobId}`);
    expect(again.status).toBe(409);
    expect(again.body.detail).toContain("cancelled");
    expect((await s.api.post("/jobs", { connectionId: conn.connectionId, jobType: "sync" })).status).toBe(
      200,
    );
  });

  test("refresh is refused (422), other types and bodies are checked, unknown connection 404", async () => {
    const conn = connection();
    const refresh = await s.api.post("/jobs", { connectionId: conn.connectionId, jobType: "refresh" });
    expect(refresh.status).toBe(422);
    expect(refresh.body.detail).toContain("Refreshes are not supported");
    expect((await s.api.post("/jobs", { connectionId: conn.connectionId, jobType: "resync" })).status).toBe(
      400,
    );
    expect((await s.api.post("/jobs", { jobType: "sync" })).status).toBe(400);
    const unknown = await s.api.post("/jobs", { connectionId: crypto.randomUUID(), jobType: "sync" });
    expect(unknown.status).toBe(404);
    expect(unknown.body.data.resourceType).toBe("connection");
  });

  test("get: 404 unknown job, 400 non-numeric id, 403 for a job of the foreign workspace", async () => {
    expect((await s.api.get("/jobs/999999")).status).toBe(404);
    expect((await s.api.get("/jobs/abc")).status).toBe(400);
    const { store } = s.fake;
    const src = store.addSource({ workspaceId: store.defaults.foreignWorkspaceId });
    const dst = store.addDestination({ workspaceId: store.defaults.foreignWorkspaceId });
    const foreign = store.addConnection({ sourceId: src.id, destinationId: dst.id });
    const job = store.addJob(foreign.connectionId);
    expect((await s.api.get(`/jobs/${job.jobId}`)).status).toBe(403);
    expect((await s.api.delete(`/jobs/${job.jobId}`)).status).toBe(403);
  });

  test("list: newest first by default, sync and reset only unless asked, status filter, ascending order", async () => {
    const conn = connection();
    const base = Date.now() - 3_600_000;
    const a = s.fake.store.addJob(conn.connectionId, { createdAt: base });
    const b = s.fake.store.addJob(conn.connectionId, { createdAt: base + 60_000, outcome: "failed" });
    const c = s.fake.store.addJob(conn.connectionId, { createdAt: base + 120_000, jobType: "clear" });
    const d = s.fake.store.addJob(conn.connectionId, {
      createdAt: base + 180_000,
      jobType: "reset",
      outcome: "cancelled",
    });
    const ids = async (q: string) =>
      (await s.api.get(`/jobs?connectionId=${conn.connectionId}${q}`)).body.data.map(
        (j: { jobId: number }) => j.jobId,
      );
    expect(await ids("")).toEqual([d.jobId, b.jobId, a.jobId]);
    expect(await ids("&jobType=clear")).toEqual([c.jobId]);
    expect(await ids("&status=failed")).toEqual([b.jobId]);
    expect(await ids("&orderBy=createdAt|ASC")).toEqual([a.jobId, b.jobId, d.jobId]);
    expect(await ids(`&createdAtStart=${new Date(base + 30_000).toISOString()}`)).toEqual([d.jobId, b.jobId]);
    const all = await s.api.get(`/jobs?workspaceIds=${s.fake.store.defaults.workspaceId}`);
    expect(all.body.data).toHaveLength(3);
    expect((await s.api.get("/jobs?orderBy=name|UP")).status).toBe(400);
    expect((await s.api.get(`/jobs?connectionId=${crypto.randomUUID()}`)).status).toBe(404);
  });
});
