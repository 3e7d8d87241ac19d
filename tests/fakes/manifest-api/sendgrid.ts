// SendGrid v3 as source-sendgrid's manifest uses it: a bearer API key (401 "authorization required"
// otherwise); suppression lists paged by offset / limit (at most 500), newest first, filtered by
// start_time / end_time (epoch seconds, inclusive) on `created`; /v3/asm/groups and /v3/asm/suppressions;
// Marketing Campaigns lists paged by `page_size` and an opaque page_token, the next page's absolute URL
// in `_metadata.next` (absent on the last page); templates by `generations` (page_size required); and
// the contacts export (POST a job, poll it until it is ready, download the gzip-compressed CSV files it
// names from S3 (gzip, as application/gzip), without the API key).

import { gzipSync } from "node:zlib";
import type { Context } from "hono";
import { bearerToken, FakeApi, intParam, pageToken, type Reply, readPageToken } from "./common.ts";
import { epochSeconds, Rand, recordFor, spread } from "./generate.ts";

type Json = Record<string, unknown>;

export const SENDGRID_ORIGINS = ["https://api.sendgrid.com", "https://sendgrid-export.s3.amazonaws.com"];
const BASE = "https://api.sendgrid.com";
const EXPORTS = "https://sendgrid-export.s3.amazonaws.com";

const sgError = (status: number, message: string, field: string | null = null): Reply => ({
  status,
  body: { errors: [{ field, message }] },
});

/** Suppression streams: path, and the epoch field the time window applies to. */
export const SUPPRESSIONS = {
  bounces: { path: "/v3/suppression/bounces", field: "created" },
  spam_reports: { path: "/v3/suppression/spam_reports", field: "created" },
  global_suppressions: { path: "/v3/suppression/unsubscribes", field: "created" },
  blocks: { path: "/v3/suppression/blocks", field: "created" },
  invalid_emails: { path: "/v3/suppression/invalid_emails", field: "created" },
  suppression_group_members: { path: "/v3/asm/suppressions", field: "created_at" },
} as const;
export type SuppressionStream = keyof typeof SUPPRESSIONS;

/** Marketing streams paged by page_token: path, body key, and the largest page_size allowed. */
export const MARKETING = {
  lists: { path: "/v3/marketing/lists", key: "result", max: 1000 },
  singlesend_stats: { path: "/v3/marketing/stats/singlesends", key: "results", max: 50 },
  stats_automations: { path: "/v3/marketing/stats/automations", key: "results", max: 50 },
  singlesends: { path: "/v3/marketing/singlesends", key: "result", max: 100 },
  templates: { path: "/v3/templates", key: "result", max: 200 },
  campaigns: { path: "/v3/marketing/campaigns", key: "result", max: 100 },
} as const;
export type MarketingStream = keyof typeof MARKETING;

export class SendgridApi extends FakeApi {
  /** Every stream's records, in the order the API lists them (suppressions: newest first). */
  readonly data = new Map<string, Json[]>();
  readonly exports = new Map<string, { polls: number; contacts: Json[] }>();
  private seq = 0;

  constructor(
    readonly apiKey: string,
    private readonly schemas: Record<string, Json>,
    samples: Map<string, Json[]>,
  ) {
    super();
    for (const [stream, records] of samples)
      this.data.set(
        stream,
        records.map((r) => ({ ...r })),
      );
    for (const stream of Object.keys(SUPPRESSIONS)) this.sortSuppressions(stream as SuppressionStream);

    for (const [stream, { path, field }] of Object.entries(SUPPRESSIONS))
      this.route(
        "GET",
        path,
        stream,
        (c) => this.guard(c, () => this.suppressions(c, stream, field)),
        stream,
      );
    this.route(
      "GET",
      "/v3/asm/groups",
      "suppression_groups",
      (c) =>
        this.guard(c, () => {
          const records = this.list("suppression_groups");
          return { body: records, records };
        }),
      "suppression_groups",
    );
    this.route(
      "GET",
      "/v3/marketing/segments/2.0",
      "segments",
      (c) =>
        this.guard(c, () => {
          const records = this.list("segments");
          return { body: { results: records }, records };
        }),
      "segments",
    );
    for (const [stream, spec] of Object.entries(MARKETING))
      this.route(
        "GET",
        spec.path,
        stream,
        (c) => this.guard(c, () => this.marketing(c, stream, spec)),
        stream,
      );

    this.route("POST", "/v3/marketing/contacts/exports", "contacts_export", (c) =>
      this.guard(c, () => {
        const id = `export-${this.exports.size + 1}`;
        this.exports.set(id, { polls: 0, contacts: this.list("contacts") });
        return {
          status: 202,
          body: { id, _metadata: { self: `${BASE}/v3/marketing/contacts/exports/${id}` } },
        };
      }),
    );
    this.route("GET", "/v3/marketing/contacts/exports/:id", "contacts_export_status", (c) =>
      this.guard(c, () => {
        const id = c.req.param("id") ?? "";
        const job = this.exports.get(id);
        if (!job) return sgError(404, "export not found");
        job.polls++;
        const ready = job.polls > 1;
        return {
          body: {
            id,
            status: ready ? "ready" : "pending",
            ...(ready ? { urls: [`${EXPORTS}/${id}-1.csv.gz`, `${EXPORTS}/${id}-2.csv.gz`] } : {}),
            message: ready ? "" : "export in progress",
          },
        };
      }),
    );
    this.route(
      "GET",
      "/:file{export-[0-9]+-[0-9]+\\.csv\\.gz}",
      "contacts_download",
      (c) => {
        // A presigned S3 URL: its signature authorizes it; a bearer token is refused.
        if (c.req.header("authorization"))
          return { status: 400, body: "InvalidArgument: Only one auth mechanism allowed" };
        const [, id, part] = /^(export-[0-9]+)-([0-9]+)/.exec(c.req.param("file") ?? "") ?? [];
        const job = this.exports.get(id ?? "");
        if (!job) return { status: 403, body: "AccessDenied" };
        // Each file holds part of the export, with its own header row.
        const half = Math.ceil(job.contacts.length / 2);
        const rows = part === "1" ? job.contacts.slice(0, half) : job.contacts.slice(half);
        return {
          body: gzipSync(
            toCsv(
              rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k.toUpperCase(), v]))),
            ),
          ),
          headers: { "content-type": "application/gzip" },
          records: rows,
        };
      },
      "contacts",
    );
  }

  list(stream: string): Json[] {
    let list = this.data.get(stream);
    if (!list) {
      list = [];
      this.data.set(stream, list);
    }
    return list;
  }

  /** Adds generated records (from the stream's schema) with `fields` laid over each. */
  generate(stream: string, count: number, fields: (i: number) => Json): Json[] {
    const added = Array.from({ length: count }, (_, i) => ({
      ...recordFor(this.schemas[stream] ?? {}, new Rand(60_000 + this.seq++)),
      ...fields(i),
    }));
    this.list(stream).push(...added);
    if (stream in SUPPRESSIONS) this.sortSuppressions(stream as SuppressionStream);
    return added;
  }

  /** Adds `count` suppressions created evenly between `from` and `to`. */
  addSuppressions(stream: SuppressionStream, from: Date, to: Date, count: number): Json[] {
    const times = spread(from, to, count);
    const field = SUPPRESSIONS[stream].field;
    return this.generate(stream, count, (i) => ({
      email: `${stream}.${this.seq}.${i}@example.com`,
      [field]: epochSeconds(times[i] as Date),
      ...(stream === "suppression_group_members" ? { group_id: 14760 + (i % 3) } : {}),
    }));
  }

  private sortSuppressions(stream: SuppressionStream): void {
    const field = SUPPRESSIONS[stream].field;
    this.list(stream).sort((a, b) => Number(b[field]) - Number(a[field]));
  }

  private guard(c: Context, body: () => Reply): Reply {
    if (bearerToken(c) !== this.apiKey) return sgError(401, "authorization required");
    return body();
  }

  private suppressions(c: Context, stream: string, field: string): Reply {
    const limit = intParam(c, "limit", 500);
    const offset = intParam(c, "offset", 0);
    const start = intParam(c, "start_time", 0);
    const end = intParam(c, "end_time", Number.MAX_SAFE_INTEGER);
    if (limit === null || limit > 500)
      return sgError(400, "limit should be an integer between 1 and 500", "limit");
    if (offset === null) return sgError(400, "offset should be a non-negative integer", "offset");
    if (start === null || end === null)
      return sgError(400, "start_time and end_time must be unix timestamps");
    const items = this.list(stream).filter((r) => Number(r[field]) >= start && Number(r[field]) <= end);
    const records = items.slice(offset, offset + limit);
    return { body: records, records };
  }

  private marketing(c: Context, stream: string, spec: { path: string; key: string; max: number }): Reply {
    const size = intParam(c, "page_size", stream === "templates" ? -1 : Math.min(100, spec.max));
    if (size === -1) return sgError(400, "page_size is required", "page_size");
    if (size === null || size < 1 || size > spec.max)
      return sgError(400, `page_size should be an integer between 1 and ${spec.max}`, "page_size");
    let items = this.list(stream);
    if (stream === "templates") {
      const generations = (c.req.query("generations") ?? "legacy").split(",");
      items = items.filter((t) => generations.includes(String(t.generation)));
    }
    const token = c.req.query("page_token");
    const offset = token === undefined ? 0 : readPageToken("sg", token);
    if (offset === null) return sgError(400, "invalid page_token", "page_token");
    const records = items.slice(offset, offset + size);
    const self = new URL(`${BASE}${spec.path}`);
    for (const [k, v] of new URL(c.req.url).searchParams) self.searchParams.set(k, v);
    const metadata: Json = { self: self.toString(), count: items.length };
    if (offset + size < items.length) {
      const next = new URL(self);
      next.searchParams.set("page_token", pageToken("sg", offset + size));
      metadata.next = next.toString();
    }
    return { body: { [spec.key]: records, _metadata: metadata }, records };
  }
}

/** As SendGrid writes its exports: every value quoted, an empty one left bare. */
function toCsv(rows: Json[]): string {
  const headers = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cell = (v: unknown) => {
    if (v === null || v === undefined) return "";
    const s = typeof v === "string" ? v : JSON.stringify(v);
    return `"${s.replaceAll('"', '""')}"`;
  };
  return [headers.map(cell).join(","), ...rows.map((r) => headers.map((h) => cell(r[h])).join(","))].join(
    "\n",
  );
}
