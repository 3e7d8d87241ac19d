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

/**
 * The rows of the changelog tables: tables whose header names a Version and a Date column. Each
 * table is read on its own (a compatibility table before it or another table after it is ignored);
 * with several changelog tables, the one after the "changelog" heading comes first.
 */
export function parseChangelog(html: string): ChangelogRow[] {
  const anchor = html.search(/id="changelog"/i);
  const tables = [...html.matchAll(/<table[^>]*>([\s\S]*?)<\/table>/gi)].map((m) => ({
    at: m.index ?? 0,
    html: m[1] ?? "",
  }));
  tables.sort((a, b) => Number(b.at > anchor && anchor >= 0) - Number(a.at > anchor && anchor >= 0));
  const rows: ChangelogRow[] = [];
  const seen = new Set<string>();
  for (const table of tables) {
    for (const row of parseTable(table.html)) {
      if (seen.has(row.version)) continue;
      seen.add(row.version);
      rows.push(row);
    }
  }
  return rows;
}

function parseTable(html: string): ChangelogRow[] {
  const rows: ChangelogRow[] = [];
  let columns: { version: number; date: number; pr: number; subject: number } | null = null;
  for (const tr of html.matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/gi)) {
    const cells = [...(tr[1] ?? "").matchAll(/<t([dh])[^>]*>([\s\S]*?)<\/t[dh]>/gi)].map((m) => m[2] ?? "");
    const texts = cells.map(text);
    if (columns === null) {
      const words = texts.map((t) =>
        t
          .toLowerCase()
          .split(/[^a-z]+/)
          .filter(Boolean),
      );
      const col = (...names: string[]) =>
        words.findIndex((w) => names.some((n) => n.split(" ").every((part) => w.includes(part))));
      const version = col("version");
      const date = col("date");
      if (version < 0 || date < 0) return []; // not a changelog table
      columns = {
        version,
        date,
        pr: col("pull request", "pr"),
        subject: col("subject", "description", "changes", "notes"),
      };
      continue;
    }
    const c = columns;
    const versionMatch = VERSION.exec(texts[c.version] ?? "");
    if (!versionMatch?.[1]) continue;
    const errors: string[] = [];
    const rawDate = texts[c.date] ?? "";
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
