// Pagination of the fake Cloud as the real PaginationMapper does it: absolute `next` links built from the
// request's host whenever a page is not empty (so following links ends on one empty page), `previous`
// links from the second page on, filters carried over, limits checked.

import { describe, expect, test } from "bun:test";
import { skipWithoutFixtures } from "../../helpers/fixtures.ts";
import { allPages, fakeCloudSuite } from "./harness.ts";

const skip = skipWithoutFixtures("fake Cloud pagination tests");

describe.skipIf(skip)("pagination", () => {
  const s = fakeCloudSuite();

  test("following next links visits every item once and ends on an empty page", async () => {
    const seeded = Array.from({ length: 5 }, (_, i) => s.fake.store.addSource({ name: `src-${i}` }).id);
    const pages = await allPages(s.api, "/sources?limit=2");
    expect(pages.map((p) => (p.data as unknown[]).length)).toEqual([2, 2, 1, 0]);
    expect(pages.flatMap((p) => (p.data as Array<{ sourceId: string }>).map((x) => x.sourceId))).toEqual(
      seeded,
    );
    expect(pages.at(-1)?.next).toBe("");
  });

  test("a full last page still links to the next, empty one", async () => {
    for (let i = 0; i < 4; i++) s.fake.store.addDestination();
    const pages = await allPages(s.api, "/destinations?limit=2");
    expect(pages.map((p) => (p.data as unknown[]).length)).toEqual([2, 2, 0]);
  });

  test("links are absolute, built from the request host, and carry limit, offset and filters", async () => {
    const ws = s.fake.store.defaults.workspaceId;
    for (let i = 0; i < 3; i++) s.fake.store.addSource();
    const first = await s.api.get(`/sources?workspaceIds=${ws}&limit=1`);
    const next = new URL(first.body.next);
    expect(next.origin).toBe(s.fake.origin);
    expect(next.pathname).toBe("/v1/sources");
    expect(next.searchParams.get("workspaceIds")).toBe(ws);
    expect(next.searchParams.get("limit")).toBe("1");
    expect(next.searchParams.get("offset")).toBe("1");
    expect(first.body.previous).toBe("");
    const second = await s.api.call("GET", first.body.next);
    expect(new URL(second.body.previous).searchParams.get("offset")).toBe("0");
    const third = await s.api.get(`/sources?workspaceIds=${ws}&limit=2&offset=3`);
    expect(third.body.data).toEqual([]);
    expect(new URL(third.body.previous).searchParams.get("offset")).toBe("1");
  });

  test("array filters go out comma-joined, repeated or not on the way in", async () => {
    const other = s.fake.store.addWorkspace({ name: "Other" });
    const ws = s.fake.store.defaults.workspaceId;
    s.fake.store.addSource({ workspaceId: ws });
    s.fake.store.addSource({ workspaceId: other.workspaceId });
    const repeated = await s.api.get(`/sources?workspaceIds=${ws}&workspaceIds=${other.workspaceId}&limit=1`);
    const joined = await s.api.get(`/sources?workspaceIds=${ws},${other.workspaceId}&limit=1`);
    expect(repeated.body.next).toBe(joined.body.next);
    expect(joined.body.next).toContain(`workspaceIds=${ws},${other.workspaceId}`);
    const pages = await allPages(s.api, `/sources?workspaceIds=${ws},${other.workspaceId}&limit=1`);
    expect(pages.map((p) => (p.data as unknown[]).length)).toEqual([1, 1, 0]);
  });

  test("the default page is 20; limits outside 1..100 and negative offsets are 400s", async () => {
    for (let i = 0; i < 21; i++) s.fake.store.addSource();
    expect((await s.api.get("/sources")).body.data).toHaveLength(20);
    expect((await s.api.get("/sources?limit=100")).body.data).toHaveLength(21);
    for (const q of ["limit=101", "limit=0", "offset=-1", "limit=many"]) {
      const r = await s.api.get(`/sources?${q}`);
      expect(r.status).toBe(400);
      expect(r.body.title).toBe("bad-request");
    }
  });

  test("jobs pages keep their connection, type and order filters", async () => {
    const src = s.fake.store.addSource();
    const dst = s.fake.store.addDestination();
    const conn = s.fake.store.addConnection({ sourceId: src.id, destinationId: dst.id });
    const base = Date.now() - 600_000;
    const ids = [0, 1, 2].map(
      (i) => s.fake.store.addJob(conn.connectionId, { createdAt: base + i * 60_000 }).jobId,
    );
    const pages = await allPages(
      s.api,
      `/jobs?connectionId=${conn.connectionId}&jobType=sync&orderBy=createdAt|ASC&limit=2`,
    );
    expect(pages.flatMap((p) => (p.data as Array<{ jobId: number }>).map((j) => j.jobId))).toEqual(ids);
    const next = new URL(String(pages[0]?.next));
    expect(next.searchParams.get("connectionId")).toBe(conn.connectionId);
    expect(next.searchParams.get("orderBy")).toBe("createdAt|ASC");
    expect(next.searchParams.get("jobType")).toBe("sync");
  });
});
