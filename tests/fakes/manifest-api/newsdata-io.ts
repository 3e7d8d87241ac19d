// NewsData.io as source-newsdata-io's manifest uses it: the key in the `apikey` query parameter,
// `/latest` and `/archive` (archive only for paid plans: 403 otherwise), newest first, 10 a page with
// an opaque `nextPage` token, filters q / country / language / category / domain, and the archive's
// from_date / to_date (dates, inclusive) applied to `pubDate`.

import type { Context } from "hono";
import { FakeApi, pageToken, type Reply, readPageToken } from "./common.ts";
import { parseUtc, Rand, recordFor, spaceSeconds, spread } from "./generate.ts";

type Json = Record<string, unknown>;

export const NEWSDATA_ORIGINS = ["https://newsdata.io"];

const COUNTRIES: Record<string, string> = {
  us: "united states of america",
  gb: "united kingdom",
  fr: "france",
  jp: "japan",
};
const LANGUAGES = ["english", "french", "japanese"];
const LANGUAGE_CODES: Record<string, string> = { en: "english", fr: "french", jp: "japanese" };
const CATEGORIES = ["business", "science", "sports", "technology"];
const SOURCES = ["bbc", "lemonde", "nhk", "reuters"];

const error = (status: number, message: string, code: string): Reply => ({
  status,
  body: { status: "error", results: { message, code } },
});

export class NewsdataApi extends FakeApi {
  /** Keys and their plan. */
  readonly keys = new Map<string, "free" | "paid">();
  /** Newest first, as the API lists them. */
  readonly latest: Json[];
  readonly archive: Json[];
  private seq = 0;
  readonly pageSize = 10;

  constructor(schema: Json, opts: { latest: number; archive: { from: Date; to: Date; count: number } }) {
    super();
    const now = new Date(opts.archive.to);
    this.latest = spread(new Date(now.getTime() - 86_400_000), now, opts.latest)
      .map((d) => this.article(schema, d))
      .reverse();
    this.archive = spread(opts.archive.from, opts.archive.to, opts.archive.count)
      .map((d) => this.article(schema, d))
      .reverse();
    this.route("GET", "/api/1/latest", "latest", (c) => this.list(c, this.latest, false), "latest_news");
    this.route(
      "GET",
      "/api/1/archive",
      "archive",
      (c) => this.list(c, this.archive, true),
      "historical_news",
    );
  }

  /** An article published at `when`, with the schema's other fields. */
  article(schema: Json, when: Date): Json {
    const i = this.seq++;
    const r = new Rand(7000 + i);
    const code = Object.keys(COUNTRIES)[i % 4] as string;
    return {
      ...recordFor(schema, r),
      article_id: r.hex(32),
      title: `${r.words(3)} ${i}`,
      pubDate: spaceSeconds(when),
      pubDateTZ: "UTC",
      country: [COUNTRIES[code]],
      language: LANGUAGES[i % 3],
      category: [CATEGORIES[i % 4]],
      source_id: SOURCES[i % 4],
    };
  }

  /** Adds articles to the archive, keeping it newest first. */
  addArchive(articles: Json[]): void {
    this.archive.push(...articles);
    this.archive.sort((a, b) => String(b.pubDate).localeCompare(String(a.pubDate)));
  }

  private list(c: Context, all: Json[], archive: boolean): Reply {
    const key = c.req.query("apikey") ?? c.req.header("x-access-key");
    if (!key)
      return error(401, "Apikey parameter is missing. Please provide the apikey parameter.", "Unauthorized");
    const plan = this.keys.get(key);
    if (!plan) return error(401, "API key is invalid.", "Unauthorized");
    if (archive && plan !== "paid")
      return error(403, "Access Denied! To access this resource, upgrade to a paid plan.", "AccessDenied");

    let items = all;
    const csv = (name: string) =>
      c.req
        .query(name)
        ?.split(",")
        .map((s) => s.trim().toLowerCase());
    const q = c.req.query("q")?.toLowerCase();
    if (q) items = items.filter((a) => String(a.title).toLowerCase().includes(q));
    const countries = csv("country");
    if (countries) {
      const bad = countries.find((cc) => !COUNTRIES[cc]);
      if (bad) return error(422, `Unsupported country: ${bad}`, "UnsupportedFilter");
      const names = countries.map((cc) => COUNTRIES[cc]);
      items = items.filter((a) => (a.country as string[]).some((n) => names.includes(n)));
    }
    const languages = csv("language")?.map((l) => LANGUAGE_CODES[l] ?? l);
    if (languages) items = items.filter((a) => languages.includes(String(a.language)));
    const categories = csv("category");
    if (categories) items = items.filter((a) => (a.category as string[]).some((x) => categories.includes(x)));
    const domains = csv("domain");
    if (domains) items = items.filter((a) => domains.includes(String(a.source_id)));

    if (archive) {
      const bound = (name: string, end: boolean): Date | null | "bad" => {
        const v = c.req.query(name);
        if (v === undefined) return null;
        if (/^\d{4}-\d{2}-\d{2}$/.test(v)) return parseUtc(`${v}T${end ? "23:59:59" : "00:00:00"}Z`);
        if (/^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}$/.test(v)) return parseUtc(v);
        return "bad";
      };
      const from = bound("from_date", false);
      const to = bound("to_date", true);
      if (from === "bad" || to === "bad")
        return error(422, "from_date and to_date must be YYYY-MM-DD or YYYY-MM-DD HH:MM:SS", "InvalidDate");
      items = items.filter((a) => {
        const t = parseUtc(String(a.pubDate));
        return (!from || t >= from) && (!to || t <= to);
      });
    }

    const page = c.req.query("page");
    const offset = page === undefined ? 0 : readPageToken("nd", page);
    if (offset === null) return error(422, "The provided page parameter is invalid.", "InvalidPage");
    const results = items.slice(offset, offset + this.pageSize);
    const next = offset + this.pageSize < items.length ? pageToken("nd", offset + this.pageSize) : null;
    return {
      body: { status: "success", totalResults: items.length, results, nextPage: next },
      records: results,
    };
  }
}
