// Reads the changelog table of a connector's docs page (Docusaurus HTML): one row per version with
// its date, pull request and subject.

export interface ChangelogRow {
  version: string;
  date: string | null;
  pr_url: string | null;
  pr_number: string | null;
  subject: string | null;
  parsing_errors: string[];
}

const VERSION = /^v?(\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]+)?)$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

export function parseChangelog(html: string): ChangelogRow[] {
  const rows: ChangelogRow[] = [];
  let columns: { version: number; date: number; pr: number; subject: number } | null = null;
  for (const tr of html.matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/gi)) {
    const cells = [...(tr[1] ?? "").matchAll(/<t([dh])[^>]*>([\s\S]*?)<\/t[dh]>/gi)].map((m) => m[2] ?? "");
    const texts = cells.map(text);
    const lower = texts.map((t) => t.toLowerCase());
    if (lower.includes("version")) {
      columns = {
        version: lower.indexOf("version"),
        date: lower.findIndex((t) => t.includes("date")),
        pr: lower.findIndex((t) => t.includes("pull request") || t === "pr"),
        subject: lower.findIndex((t) => t.includes("subject") || t.includes("description")),
      };
      continue;
    }
    const c = columns ?? { version: 0, date: 1, pr: 2, subject: 3 };
    const versionMatch = VERSION.exec(texts[c.version] ?? "");
    if (!versionMatch?.[1]) continue;
    const errors: string[] = [];
    const rawDate = c.date >= 0 ? (texts[c.date] ?? "") : "";
    let date: string | null = rawDate || null;
    if (date !== null && !ISO_DATE.test(date)) {
      errors.push(`date '${rawDate}' is not YYYY-MM-DD`);
      date = null;
    }
    const prCell = c.pr >= 0 ? (cells[c.pr] ?? "") : "";
    const href = /href="([^"]+)"/i.exec(prCell)?.[1];
    const prUrl = href ? decode(href) : null;
    const prNumber =
      /(\d+)\s*$/.exec(text(prCell))?.[1] ?? (prUrl ? /\/pull\/(\d+)/.exec(prUrl)?.[1] : null) ?? null;
    if (!prUrl && text(prCell) !== "") errors.push("pull request cell has no link");
    rows.push({
      version: versionMatch[1],
      date,
      pr_url: prUrl,
      pr_number: prNumber,
      subject: c.subject >= 0 ? text(cells[c.subject] ?? "") || null : null,
      parsing_errors: errors,
    });
  }
  return rows;
}

function text(html: string): string {
  return decode(html.replace(/<[^>]+>/g, ""))
    .replace(/\s+/g, " ")
    .trim();
}

function decode(s: string): string {
  return s
    .replace(/&#x([0-9a-f]+);/gi, (_, h: string) => String.fromCodePoint(Number.parseInt(h, 16)))
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&apos;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&nbsp;/g, " ")
    .replace(/&amp;/g, "&");
}

/** Orders versions newest first (semver, release candidates before their release). */
export function compareVersionsDesc(a: string, b: string): number {
  const pa = parseSemver(a);
  const pb = parseSemver(b);
  for (let i = 0; i < 3; i++) {
    const d = (pb.nums[i] ?? 0) - (pa.nums[i] ?? 0);
    if (d !== 0) return d;
  }
  if (pa.pre === pb.pre) return 0;
  if (pa.pre === null) return -1;
  if (pb.pre === null) return 1;
  return pb.pre.localeCompare(pa.pre, undefined, { numeric: true });
}

function parseSemver(v: string): { nums: number[]; pre: string | null } {
  const [core = "", ...pre] = v.replace(/^v/, "").split("-");
  return {
    nums: core.split(".").map((n) => Number.parseInt(n, 10) || 0),
    pre: pre.length > 0 ? pre.join("-") : null,
  };
}
