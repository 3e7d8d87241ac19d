// Finding a connector by the name a user or an agent typed, and suggesting the closest ones.

import { editDistance } from "../core/edit-distance.ts";
import type { IndexEntry } from "./model.ts";

/** Accepts "source-github", "airbyte/source-github" and "Source-GitHub" for the same connector. */
export function normalizeName(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/^airbyte\//, "");
}

export function closestNames(query: string, entries: readonly IndexEntry[], max = 5): string[] {
  const q = normalizeName(query);
  const bare = core(q);
  const scored = entries.map((e) => {
    const name = e.name.toLowerCase();
    const short = core(name);
    let score = Math.min(editDistance(q, name), editDistance(bare, short) + 1);
    if (bare.length >= 3 && (short.includes(bare) || e.display_name.toLowerCase().includes(bare))) {
      score = Math.min(score, 1 + Math.abs(short.length - bare.length) / 10);
    }
    return { name: e.name, score };
  });
  const limit = Math.max(2, Math.ceil(bare.length / 2));
  return scored
    .filter((s) => s.score <= limit)
    .sort((a, b) => a.score - b.score || a.name.localeCompare(b.name))
    .slice(0, max)
    .map((s) => s.name);
}

/** The distinctive part of a name: "source-github" -> "github", "farosai/airbyte-harness-source" -> "harness". */
function core(name: string): string {
  return name
    .replace(/^.*\//, "")
    .replace(/^(source|destination)-/, "")
    .replace(/^airbyte-/, "")
    .replace(/-(source|destination|connectors?)$/, "");
}
