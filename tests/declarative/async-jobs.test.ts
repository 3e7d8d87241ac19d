// AsyncRetriever against a small report API that behaves like the real ones: a POST creates a job,
// polls move it through its statuses, the finished job names the files to download, and files
// and jobs can be deleted. Each test names the CDK code it follows (AsyncHttpJobRepository,
// AsyncJobOrchestrator).

import { describe, expect, test } from "bun:test";
import { gzipSync } from "node:zlib";
import type { AirbyteMessage } from "../../src/connectors/protocol.ts";
import { pandasCsvStream } from "../../src/declarative/decoders.ts";
import { answerOf, errorsOf, readManifest, recordsOf, serveApi, tracesOf } from "../helpers/manifest-run.ts";

type Json = Record<string, unknown>;

interface Job {
  id: string;
  body: Json;
  /** The statuses the job answers poll after poll; the last one stays. */
  statuses: string[];
  polls: number;
  deleted: boolean;
  aborted: boolean;
}

/**
 * The report API. `plans` gives each new job its statuses (default: pending, then done); a done
 * job lists its files; `files` are the rows each file holds.
 */
function reportApi(
  options: {
    plans?: string[][];
    rows?: Json[][];
    /** The rows of a job's one file, from what its creation asked (instead of `rows`). */
    rowsOf?: (body: Json) => Json[];
    creationStatus?: number[];
  } = {},
) {
  const jobs: Job[] = [];
  const rows = options.rows ?? [
    [
      { id: "1", name: "a" },
      { id: "2", name: "b" },
    ],
    [{ id: "3", name: "c" }],
  ];
  const api = serveApi(async (url, req) => {
    if (req.headers.get("authorization") !== "Bearer KEY" && !url.pathname.startsWith("/files/"))
      return Response.json({ message: "unauthorized" }, { status: 401 });
    const path = url.pathname;
    if (req.method === "POST" && path === "/reports") {
      const status = options.creationStatus?.shift();
      if (status) return Response.json({ message: "busy" }, { status });
      const job: Job = {
        id: `job-${jobs.length + 1}`,
        body: JSON.parse((await req.text()) || "{}"),
        statuses: options.plans?.[jobs.length] ?? ["pending", "done"],
        polls: 0,
        deleted: false,
        aborted: false,
      };
      jobs.push(job);
      return Response.json({ report: { id: job.id } }, { status: 202, headers: { "x-job": job.id } });
    }
    const match = /^\/reports\/(job-\d+)(\/abort|\/delete)?$/.exec(path);
    const job = jobs.find((j) => j.id === match?.[1]);
    if (match && !job) return Response.json({ message: "no such job" }, { status: 404 });
    if (job && match?.[2] === "/delete") {
      job.deleted = true;
      return Response.json({ deleted: true });
    }
    if (job && match?.[2] === "/abort") {
      job.aborted = true;
      return Response.json({ ok: true });
    }
    if (job) {
      const status = job.statuses[Math.min(job.polls, job.statuses.length - 1)] as string;
      job.polls++;
      const count = options.rowsOf ? 1 : rows.length;
      const files =
        status === "done"
          ? Array.from({ length: count }, (_, i) => `https://api.example.com/files/${job.id}-${i}.csv.gz`)
          : [];
      return { id: job.id, state: status, files };
    }
    const file = /^\/files\/(job-\d+)-(\d+)\.csv\.gz$/.exec(path);
    if (file) {
      const owner = jobs.find((j) => j.id === file[1]);
      const part = options.rowsOf && owner ? options.rowsOf(owner.body) : (rows[Number(file[2])] ?? []);
      const header = Object.keys(part[0] ?? { id: "" });
      const csv = [header.join(","), ...part.map((r) => header.map((h) => r[h] ?? "").join(","))].join("\n");
      return new Response(gzipSync(csv), { headers: { "content-type": "application/octet-stream" } });
    }
    return Response.json({ message: "not found" }, { status: 404 });
  });
  return { ...api, jobs, rows };
}

/** A manifest with one async stream; `retriever` adds to (or replaces) the retriever's keys. */
function asyncManifest(retriever: string, stream = ""): string {
  return `
version: 6.0.0
type: DeclarativeSource
check: { type: CheckStream, stream_names: [items] }
definitions:
  requester:
    type: HttpRequester
    url_base: https://api.example.com
    authenticator: { type: BearerAuthenticator, api_token: "{{ config['key'] }}" }
streams:
  - type: DeclarativeStream
    name: items
    primary_key: id
    schema_loader: { type: InlineSchemaLoader, schema: { type: object } }
${stream}
    retriever:
      type: AsyncRetriever
      record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [] } }
      status_mapping: { type: AsyncJobStatusMap, running: [pending], completed: [done], failed: [error], timeout: [expired], skipped: [empty] }
      status_extractor: { type: DpathExtractor, field_path: [state] }
      download_target_extractor: { type: DpathExtractor, field_path: [files] }
      download_extractor: { type: ResponseToFileExtractor }
      creation_requester: { $ref: "#/definitions/requester", path: /reports, http_method: POST }
      polling_requester: { $ref: "#/definitions/requester", path: "/reports/{{ creation_response['report']['id'] }}" }
      download_requester: { type: HttpRequester, url_base: "", path: "{{ download_target }}" }
${retriever}
spec:
  type: Spec
  connection_specification: { type: object }
`;
}

/** An async stream with a report job per month up to `end` (its creation asks for the month). */
function monthlyReports(end: string): string {
  return asyncManifest(
    `      creation_requester:
        $ref: "#/definitions/requester"
        path: /reports
        http_method: POST
        request_body_json: { from: "{{ stream_slice.start_time }}", to: "{{ stream_slice.end_time }}" }`,
    `    incremental_sync:
      type: DatetimeBasedCursor
      cursor_field: day
      datetime_format: "%Y-%m-%d"
      start_datetime: "2024-01-01"
      end_datetime: "${end}"
      step: P1M
      cursor_granularity: P1D`,
  );
}

const config = { key: "KEY" };

/** A read whose sleeps are recorded, not waited. */
async function readAsync(text: string, hostMap: string, extra: Parameters<typeof readManifest>[2] = {}) {
  const waits: number[] = [];
  const ms = await readManifest(text, hostMap, {
    config,
    sleep: async (ms) => {
      waits.push(ms);
    },
    ...extra,
  });
  return { ms, waits };
}

const statusesOf = (ms: AirbyteMessage[]) =>
  ms.flatMap((m) =>
    m.type === "TRACE" && m.trace.type === "STREAM_STATUS" ? [m.trace.stream_status?.status] : [],
  );

describe("a job's life (AsyncHttpJobRepository, AsyncJobOrchestrator)", () => {
  test("create, poll every 5 s until done, download each file, records through the stream's selector", async () => {
    const api = reportApi();
    const { ms, waits } = await readAsync(
      asyncManifest(
        `      delete_requester: { $ref: "#/definitions/requester", path: "/reports/{{ creation_response['report']['id'] }}/delete", http_method: POST }`,
        `    transformations:
      - { type: AddFields, fields: [{ path: [source], value: "reports" }] }`,
      ),
      api.hostMap,
    );
    expect(errorsOf(ms)).toEqual([]);
    expect(api.requests).toEqual([
      "POST /reports",
      "GET /reports/job-1",
      "GET /reports/job-1",
      "GET /files/job-1-0.csv.gz",
      "GET /files/job-1-1.csv.gz",
      "POST /reports/job-1/delete",
    ]);
    expect(waits).toEqual([5000]);
    expect(recordsOf(ms)).toEqual(api.rows.flat().map((r) => ({ ...r, source: "reports" })));
    expect(api.jobs[0]?.deleted).toBe(true);
    expect(statusesOf(ms)).toEqual(["STARTED", "RUNNING", "COMPLETE"]);
  });

  test("CDK 6.x templates: stream_slice['create_job_response'].json(), urls_extractor and extra_fields['url']", async () => {
    const api = reportApi();
    const text = asyncManifest(
      `      urls_extractor: { type: DpathExtractor, field_path: [files] }
      polling_requester: { $ref: "#/definitions/requester", path: "/reports/{{ stream_slice['create_job_response'].json()['report']['id'] }}" }
      download_requester: { type: HttpRequester, url_base: "", path: "{{ stream_slice.extra_fields['url'] }}" }`,
    ).replace("      download_target_extractor: { type: DpathExtractor, field_path: [files] }\n", "");
    const { ms } = await readAsync(text, api.hostMap);
    expect(errorsOf(ms)).toEqual([]);
    expect(recordsOf(ms)).toEqual(api.rows.flat());
  });

  test("CDK 6.0 templates: the URL also in the partition, `stream_slice['url']`", async () => {
    const api = reportApi();
    const { ms } = await readAsync(
      asyncManifest(
        `      download_requester: { type: HttpRequester, url_base: "", path: "{{ stream_slice['url'] }}" }`,
      ),
      api.hostMap,
    );
    expect(errorsOf(ms)).toEqual([]);
    expect(recordsOf(ms)).toEqual(api.rows.flat());
  });

  test("a download_target_requester names the files from the polling response", async () => {
    const api = reportApi();
    const { ms } = await readAsync(
      asyncManifest(
        `      download_target_requester: { $ref: "#/definitions/requester", path: "/reports/{{ polling_response['id'] }}" }`,
      ),
      api.hostMap,
    );
    expect(errorsOf(ms)).toEqual([]);
    expect(api.requests.filter((r) => r === "GET /reports/job-1")).toHaveLength(3);
    expect(recordsOf(ms)).toEqual(api.rows.flat());
  });

  test("the creation request sees the slice: one job per date range of an incremental cursor, and the state moves", async () => {
    // Each report holds one row, dated the last day it covers.
    const api = reportApi({ rowsOf: (body) => [{ id: `r-${body.to}`, day: String(body.to) }] });
    const text = monthlyReports("2024-02-29");
    const { ms } = await readAsync(text, api.hostMap, { mode: "incremental" });
    expect(errorsOf(ms)).toEqual([]);
    expect(api.jobs.map((j) => j.body)).toEqual([
      { from: "2024-01-01", to: "2024-01-31" },
      { from: "2024-02-01", to: "2024-02-29" },
    ]);
    expect(recordsOf(ms).map((r) => r.day)).toEqual(["2024-01-31", "2024-02-29"]);
    const states = ms.flatMap((m) => (m.type === "STATE" ? [m.state] : []));
    expect(JSON.stringify(states.at(-1))).toContain('"stream_state":{"day":"2024-02-29"}');
  });
});

describe("jobs that do not complete", () => {
  test("a failed job is started again; the third attempt's records are read", async () => {
    const api = reportApi({ plans: [["error"], ["pending", "error"], ["done"]] });
    const { ms } = await readAsync(asyncManifest(""), api.hostMap);
    expect(errorsOf(ms)).toEqual([]);
    expect(api.jobs).toHaveLength(3);
    expect(recordsOf(ms)).toEqual(api.rows.flat());
  });

  test("three failed attempts fail the stream, with no record", async () => {
    const api = reportApi({ plans: [["error"], ["error"], ["error"], ["done"]] });
    const { ms } = await readAsync(asyncManifest(""), api.hostMap);
    expect(api.jobs).toHaveLength(3);
    expect(recordsOf(ms)).toEqual([]);
    const [error] = tracesOf(ms);
    expect(error?.message).toContain("Async job failed after exhausting all retry attempts.");
    expect(error?.failure_type).toBe("system_error");
    expect(statusesOf(ms).at(-1)).toBe("INCOMPLETE");
  });

  test("a job still running after polling_job_timeout is aborted and started again", async () => {
    const api = reportApi({ plans: [["pending"], ["done"]] });
    const { ms, waits } = await readAsync(
      asyncManifest(`      polling_job_timeout: 1
      abort_requester: { $ref: "#/definitions/requester", path: "/reports/{{ creation_response['report']['id'] }}/abort", http_method: POST }`),
      api.hostMap,
    );
    expect(errorsOf(ms)).toEqual([]);
    // Polls 5 s apart until a minute has passed; the job is then past its time, unpolled.
    expect(api.jobs[0]?.polls).toBe(12);
    expect(waits.filter((w) => w === 5000)).toHaveLength(12);
    expect(api.jobs[0]?.aborted).toBe(true);
    expect(recordsOf(ms)).toEqual(api.rows.flat());
  });

  test("failed_retry_wait_time_in_seconds waits before a failed job is started again", async () => {
    const api = reportApi({ plans: [["error"], ["done"]] });
    const { waits } = await readAsync(
      asyncManifest("      failed_retry_wait_time_in_seconds: 30"),
      api.hostMap,
    );
    expect(waits).toEqual([30_000]);
  });

  test("a skipped job gives no records and no error", async () => {
    const api = reportApi({ plans: [["empty"]] });
    const { ms } = await readAsync(asyncManifest(""), api.hostMap);
    expect(errorsOf(ms)).toEqual([]);
    expect(recordsOf(ms)).toEqual([]);
    expect(statusesOf(ms).at(-1)).toBe("COMPLETE");
  });

  test("a status the mapping does not know fails the stream with the CDK's words", async () => {
    const api = reportApi({ plans: [["queued"]] });
    const { ms } = await readAsync(asyncManifest(""), api.hostMap);
    expect(errorsOf(ms).join(" ")).toContain(
      "API status `queued` is unknown. Contact the connector developer to make sure this status is supported.",
    );
  });

  test("a creation that keeps failing with 500s counts as a failed attempt; a 401 stops at once", async () => {
    const busy = reportApi({ creationStatus: Array(6).fill(500) });
    const { ms } = await readAsync(asyncManifest(""), busy.hostMap);
    expect(errorsOf(ms)).toEqual([]);
    expect(busy.requests.filter((r) => r === "POST /reports")).toHaveLength(7);
    expect(recordsOf(ms)).toEqual(busy.rows.flat());

    const api = reportApi();
    const denied = await readAsync(asyncManifest(""), api.hostMap, { config: { key: "WRONG" } });
    expect(api.requests).toEqual(["POST /reports"]);
    expect(tracesOf(denied.ms)[0]?.failure_type).toBe("config_error");
  });

  test("check runs the job of the first slice and reads its first record", async () => {
    const api = reportApi();
    const ms = await answerOf(asyncManifest(""), "check", api.hostMap, config);
    expect(ms.find((m) => m.type === "CONNECTION_STATUS")).toMatchObject({
      connectionStatus: { status: "SUCCEEDED" },
    });
    expect(api.requests[0]).toBe("POST /reports");
  });
});

describe("ResponseToFileExtractor reads CSV as pandas does", () => {
  test("every value a string; pandas' NA strings as None unless preserve_na_values", async () => {
    const rows = [[{ id: "007", note: "NA", empty: "", text: "null" }]];
    const api = reportApi({ rows });
    const { ms } = await readAsync(asyncManifest(""), api.hostMap);
    expect(recordsOf(ms)).toEqual([{ id: "007", note: null, empty: null, text: null }]);
    const kept = await readAsync(
      asyncManifest("      download_extractor: { type: ResponseToFileExtractor, preserve_na_values: true }"),
      api.hostMap,
    );
    expect(recordsOf(kept.ms)).toEqual([{ id: "007", note: "NA", empty: null, text: "null" }]);
  });

  test("a download_decoder with a DpathExtractor instead: JSON lines, each a record", async () => {
    const api = serveApi((url, req) => {
      if (req.method === "POST") return { report: { id: "r1" } };
      if (url.pathname === "/reports/r1")
        return { state: "done", files: ["https://api.example.com/data.jsonl"] };
      return new Response('{"id":1}\n{"id":2}\n');
    });
    const { ms } = await readAsync(
      asyncManifest(`      download_extractor: { type: DpathExtractor, field_path: [] }
      download_decoder: { type: JsonlDecoder }`).replace(/authenticator: .*\n/, "\n"),
      api.hostMap,
    );
    expect(errorsOf(ms)).toEqual([]);
    expect(recordsOf(ms)).toEqual([{ id: 1 }, { id: 2 }]);
  });

  test("a status listed twice in the mapping is the CDK's error, at load", async () => {
    const text = asyncManifest("").replace("failed: [error]", "failed: [error, pending]");
    await expect(readAsync(text, "")).rejects.toThrow(
      "API status pending is already set for CDK status RUNNING. Please ensure API statuses are only provided once",
    );
  });
});

describe("what a review against the CDK found", () => {
  test("a slice whose job keeps failing does not stop the next slice; the state stays before it", async () => {
    const api = reportApi({
      plans: [["error"], ["error"], ["error"], ["done"]],
      rowsOf: (body) => [{ id: `r-${body.to}`, day: String(body.to) }],
    });
    const text = monthlyReports("2024-02-29");
    const { ms } = await readAsync(text, api.hostMap, { mode: "incremental" });
    expect(api.jobs.map((j) => j.body.to)).toEqual(["2024-01-31", "2024-01-31", "2024-01-31", "2024-02-29"]);
    expect(recordsOf(ms).map((r) => r.day)).toEqual(["2024-02-29"]);
    expect(ms.filter((m) => m.type === "STATE")).toEqual([]);
    expect(errorsOf(ms)[0]).toContain("Async job failed after exhausting all retry attempts.");
  });

  test("a poll that fails with a 500 is tried again at the next round", async () => {
    let polls = 0;
    const api = serveApi((url, req) => {
      if (req.method === "POST") return { report: { id: "r1" } };
      if (url.pathname === "/reports/r1") {
        polls++;
        if (polls <= 6) return Response.json({ message: "unavailable" }, { status: 500 });
        return { state: "done", files: ["https://api.example.com/files/a.csv"] };
      }
      return new Response("id\n1\n");
    });
    const { ms, waits } = await readAsync(
      asyncManifest("").replace(/authenticator: .*\n/, "\n"),
      api.hostMap,
    );
    expect(errorsOf(ms)).toEqual([]);
    expect(recordsOf(ms)).toEqual([{ id: "1" }]);
    // The client's own retries first (5, with its backoff), then the next round 5 s later.
    expect(waits).toContain(5000);
  });

  test("the creation response's headers are read in any case (a 202 with Location)", async () => {
    const api = serveApi((url, req) => {
      if (req.method === "POST")
        return new Response("{}", { status: 202, headers: { Location: "/jobs/77" } });
      if (url.pathname === "/jobs/77")
        return { state: "done", files: ["https://api.example.com/files/a.csv"] };
      return new Response("id\n1\n");
    });
    const { ms } = await readAsync(
      asyncManifest(
        `      polling_requester: { type: HttpRequester, url_base: https://api.example.com, path: "{{ creation_response['headers']['Location'] }}" }`,
      ).replace(/authenticator: .*\n/, "\n"),
      api.hostMap,
    );
    expect(errorsOf(ms)).toEqual([]);
    expect(recordsOf(ms)).toEqual([{ id: "1" }]);
  });

  test("a download answered 200 with an error body fails through the download requester's predicate", async () => {
    const api = serveApi((url, req) => {
      if (req.method === "POST") return { report: { id: "r1" } };
      if (url.pathname === "/reports/r1")
        return { state: "done", files: ["https://api.example.com/files/a.csv"] };
      return { error: "report expired" };
    });
    const text = asyncManifest(`      download_requester:
        type: HttpRequester
        url_base: ""
        path: "{{ download_target }}"
        error_handler:
          type: DefaultErrorHandler
          response_filters: [{ type: HttpResponseFilter, action: FAIL, predicate: "{{ 'error' in response }}", error_message: "The report expired." }]`).replace(
      /authenticator: .*\n/,
      "\n",
    );
    const { ms } = await readAsync(text, api.hostMap);
    expect(errorsOf(ms)[0]).toContain("The report expired.");
  });

  test("a download paginator next to a ResponseToFileExtractor is checked against download_decoder", async () => {
    const api = reportApi();
    const { ms } = await readAsync(
      asyncManifest(`      download_paginator:
        type: DefaultPaginator
        pagination_strategy: { type: CursorPagination, cursor_value: "{{ response.next }}", stop_condition: "{{ not response.next }}" }`),
      api.hostMap,
    );
    expect(errorsOf(ms)).toEqual([]);
    expect(recordsOf(ms)).toEqual(api.rows.flat());
  });
});

describe("ResponseToFileExtractor's file, as it arrives", () => {
  const stream = (parts: (string | Uint8Array)[], pulled: { n: number }) =>
    new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = parts[pulled.n++];
        if (next === undefined) controller.close();
        else controller.enqueue(typeof next === "string" ? new TextEncoder().encode(next) : next);
      },
    });

  test("records come in batches while the body is still arriving, gzip inflated on the way", async () => {
    const rows = Array.from({ length: 5000 }, (_, i) => `${i},name ${i}\n`);
    const gz = gzipSync(`id,name\n${rows.join("")}`);
    const parts = Array.from({ length: 50 }, (_, i) =>
      gz.subarray(Math.floor((i * gz.length) / 50), Math.floor(((i + 1) * gz.length) / 50)),
    );
    const pulled = { n: 0 };
    const batches: number[] = [];
    let pulledAtFirst = -1;
    for await (const batch of pandasCsvStream(
      stream(parts, pulled),
      false,
      AbortSignal.timeout(10_000),
      10_000,
    )) {
      if (pulledAtFirst < 0) pulledAtFirst = pulled.n;
      batches.push(batch.length);
    }
    expect(batches.reduce((a, b) => a + b, 0)).toBe(5000);
    expect(batches.length).toBeGreaterThan(1);
    expect(pulledAtFirst).toBeLessThan(parts.length);
  });

  test("pandas' rules: the BOM dropped, blank lines (spaces too) skipped, duplicate names renamed", async () => {
    const csv = "\ufeffid,a,a.1,a,\n1,x,y,z,w\n   \n\n2,,NA,null,v\n";
    const pulled = { n: 0 };
    const out: Record<string, unknown>[] = [];
    for await (const batch of pandasCsvStream(
      stream([csv.slice(0, 7), csv.slice(7)], pulled),
      false,
      AbortSignal.timeout(5000),
      5000,
    ))
      out.push(...batch);
    expect(out).toEqual([
      { id: "1", a: "x", "a.1": "y", "a.1.1": "z", "Unnamed: 4": "w" },
      { id: "2", a: null, "a.1": null, "a.1.1": null, "Unnamed: 4": "v" },
    ]);
  });

  test("a body that stops arriving fails after the idle time, not the whole transfer's", async () => {
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode("id\n1\n"));
      },
    });
    const read = async () => {
      for await (const _ of pandasCsvStream(body, false, AbortSignal.timeout(5000), 50));
    };
    await expect(read()).rejects.toThrow("The download stalled: no data arrived for 50 ms.");
  });

  test("the end of the data inside quotes is pandas' error", async () => {
    const read = async () => {
      for await (const _ of pandasCsvStream(
        stream(['id,note\n1,"open'], { n: 0 }),
        false,
        AbortSignal.timeout(5000),
        5000,
      ));
    };
    await expect(read()).rejects.toThrow("EOF inside string");
  });
});

describe("max_concurrent_async_job_count", () => {
  const monthly = (top: string) => monthlyReports("2024-04-30").replace("streams:\n", `${top}\nstreams:\n`);

  test("jobs of the next slices run while a slice is read; records and state stay in slice order", async () => {
    const api = reportApi({ rowsOf: (body) => [{ id: `r-${body.to}`, day: String(body.to) }] });
    const { ms } = await readAsync(
      monthly("max_concurrent_async_job_count: \"{{ config['jobs'] }}\""),
      api.hostMap,
      {
        mode: "incremental",
        config: { ...config, jobs: "3" },
      },
    );
    expect(errorsOf(ms)).toEqual([]);
    const firstDownload = api.requests.findIndex((r) => r.startsWith("GET /files/"));
    // Three jobs were created before the first file was read.
    expect(api.requests.slice(0, firstDownload).filter((r) => r === "POST /reports")).toHaveLength(3);
    expect(recordsOf(ms).map((r) => r.day)).toEqual(["2024-01-31", "2024-02-29", "2024-03-31", "2024-04-30"]);
    const states = ms.flatMap((m) =>
      m.type === "STATE" ? [JSON.stringify(m.state.stream?.stream_state)] : [],
    );
    expect(states.at(-1)).toBe('{"day":"2024-04-30"}');
  });

  test("when the read stops, the jobs started ahead are aborted on the API and no new one is created", async () => {
    // The first job answers a status the mapping does not know: the stream fails.
    const api = reportApi({ plans: [["queued"], ["pending"], ["pending"], ["pending"]] });
    const text = monthly("max_concurrent_async_job_count: 3").replace(
      "      download_target_extractor:",
      `      abort_requester: { $ref: "#/definitions/requester", path: "/reports/{{ creation_response['report']['id'] }}/abort", http_method: POST }
      download_target_extractor:`,
    );
    const { ms } = await readAsync(text, api.hostMap, { mode: "incremental" });
    expect(errorsOf(ms).join(" ")).toContain("API status `queued` is unknown.");
    const created = api.jobs.length;
    expect(created).toBe(3);
    expect(api.jobs.slice(1).every((j) => j.aborted)).toBe(true);
    await Bun.sleep(100);
    expect(api.jobs).toHaveLength(created);
  });

  test("by default one job at a time: a slice's job is created once the previous slice is read", async () => {
    const api = reportApi({ rowsOf: (body) => [{ id: `r-${body.to}`, day: String(body.to) }] });
    await readAsync(monthly(""), api.hostMap, { mode: "incremental" });
    const creations = api.requests.flatMap((r, i) => (r === "POST /reports" ? [i] : []));
    const downloads = api.requests.flatMap((r, i) => (r.startsWith("GET /files/") ? [i] : []));
    for (let k = 1; k < creations.length; k++)
      expect(creations[k]).toBeGreaterThan(downloads[k - 1] as number);
  });
});
