// Which manifests of a folder the native declarative runner can load, and what the others lack.
//   bun scripts/manifest-coverage.ts <folder> [--json]
// One line per manifest (*.yaml, *.yml; *.metadata.yaml skipped): its name, "loads", "runs N of M
// streams" (the runner leaves out the streams whose problems are their own) or "fails", and the
// component types it needs that the runner refuses (with counts), or else its first problem.
// Ends with the totals and the most-missed component types. Exit code 1 if a manifest made the
// loader throw anything but a ManifestError (a loader bug).

import { readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { parseArgs } from "node:util";
import { ManifestError, manifestProblems, resolveManifest } from "../src/declarative/manifest/load.ts";
import { loadRunnable } from "../src/declarative/manifest/runnable.ts";

interface Entry {
  name: string;
  loads: boolean;
  /** Streams the runner leaves out when it runs the rest (problems confined to them). */
  streamsLeftOut?: number;
  streams?: number;
  /** Refused component types (custom or unsupported) and how often each occurs. */
  missing: Record<string, number>;
  /** The first problem, when nothing is missing but the manifest still fails. */
  error?: string;
  /** Set when the loader threw something other than a ManifestError. */
  crash?: string;
}

const { values, positionals } = parseArgs({
  args: Bun.argv.slice(2),
  options: { json: { type: "boolean", default: false } },
  allowPositionals: true,
  strict: true,
});
const folder = positionals[0];
if (!folder || positionals.length > 1) {
  console.error("usage: bun scripts/manifest-coverage.ts <folder> [--json]");
  process.exit(2);
}

const files = readdirSync(folder)
  .filter((f) => /\.ya?ml$/.test(f) && !f.endsWith(".metadata.yaml"))
  .sort();
const entries = files.map((file) => check(join(folder, file)));

function check(path: string): Entry {
  const name = basename(path).replace(/\.ya?ml$/, "");
  const text = readFileSync(path, "utf8");
  try {
    const { refused, streamCount } = loadRunnable(text, basename(path));
    if (refused.size === 0) return { name, loads: true, missing: {} };
    // Runs, without the streams that need what the runner lacks: count what they lack.
    const missing: Record<string, number> = {};
    for (const p of manifestProblems(resolveManifest(text, basename(path))))
      if (p.kind === "custom" || p.kind === "unsupported") missing[p.type] = (missing[p.type] ?? 0) + 1;
    return { name, loads: true, missing, streamsLeftOut: refused.size, streams: streamCount };
  } catch (error) {
    if (!(error instanceof ManifestError))
      return {
        name,
        loads: false,
        missing: {},
        crash: error instanceof Error ? error.message : String(error),
      };
    const missing: Record<string, number> = {};
    for (const p of error.problems)
      if (p.kind === "custom" || p.kind === "unsupported") missing[p.type] = (missing[p.type] ?? 0) + 1;
    const first = error.problems[0];
    const entry: Entry = { name, loads: false, missing };
    if (Object.keys(missing).length === 0 && first)
      entry.error = first.path ? `${first.path}: ${first.message}` : first.message;
    return entry;
  }
}

// Across the folder: for each missing type, the manifests needing it and its occurrences.
const missed = new Map<string, { manifests: number; occurrences: number }>();
for (const entry of entries)
  for (const [type, count] of Object.entries(entry.missing)) {
    const m = missed.get(type) ?? { manifests: 0, occurrences: 0 };
    m.manifests += 1;
    m.occurrences += count;
    missed.set(type, m);
  }
const mostMissed = [...missed]
  .sort(
    (a, b) =>
      b[1].manifests - a[1].manifests || b[1].occurrences - a[1].occurrences || a[0].localeCompare(b[0]),
  )
  .map(([type, m]) => ({ type, ...m }));
const loaded = entries.filter((e) => e.loads).length;
const crashed = entries.filter((e) => e.crash).length;

if (values.json) {
  console.log(
    JSON.stringify(
      { folder, total: entries.length, loaded, crashed, manifests: entries, mostMissed },
      null,
      2,
    ),
  );
} else {
  const width = Math.max(0, ...entries.map((e) => e.name.length));
  for (const e of entries) {
    const detail = e.crash
      ? `LOADER CRASH: ${e.crash}`
      : Object.keys(e.missing).length
        ? Object.entries(e.missing)
            .map(([type, count]) => `${type}×${count}`)
            .join(", ")
        : (e.error ?? "");
    const status = !e.loads
      ? "fails"
      : e.streamsLeftOut
        ? `runs ${(e.streams ?? 0) - e.streamsLeftOut} of ${e.streams} streams`
        : "loads";
    console.log(`${e.name.padEnd(width)}  ${status}${detail ? `  ${detail}` : ""}`);
  }
  const percent = entries.length ? ((100 * loaded) / entries.length).toFixed(1) : "0";
  const partial = entries.filter((e) => e.streamsLeftOut).length;
  console.log(
    `\n${loaded} of ${entries.length} load (${percent}%)${partial ? `, ${partial} of them without some streams` : ""}${crashed ? `; ${crashed} crashed the loader` : ""}`,
  );
  if (mostMissed.length) {
    console.log("most-missed component types (manifests, occurrences):");
    for (const m of mostMissed) console.log(`  ${m.type}  ${m.manifests}, ${m.occurrences}`);
  }
}
process.exit(crashed ? 1 : 0);
