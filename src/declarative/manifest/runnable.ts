// What of a manifest can run: the whole of it, or all but the streams whose problems are their
// own (an AsyncRetriever in one stream). Custom components (components.py) refuse it whole. Shared by the runner and the
// coverage script, so the figure it prints is what the runner does.

import { ManifestError, type ManifestProblem, manifestProblems, resolveManifest } from "./load.ts";

export interface Runnable {
  manifest: Record<string, unknown>;
  /** Streams left out, by index in `streams`, with the first reason. */
  refused: Map<number, string>;
  streamCount: number;
}

/**
 * Loads and validates the manifest. A problem confined to one stream (an AsyncRetriever, say)
 * leaves that stream out instead of the whole connector; anything else fails the load.
 */
export function loadRunnable(text: string, origin: string): Runnable {
  const manifest = resolveManifest(text, origin);
  const problems = manifestProblems(manifest);
  const refused = new Map<number, string>();
  const global: ManifestProblem[] = [];
  for (const p of problems) {
    const m = /^streams\[(\d+)\]/.exec(p.path);
    // Custom Python code refuses the whole manifest (its connector ships components.py); a CDK
    // component the runner lacks only leaves out the streams that use it.
    if (m && p.kind === "unsupported") {
      const i = Number(m[1]);
      if (!refused.has(i)) refused.set(i, `${p.path}: ${p.message}`);
    } else global.push(p);
  }
  const count = Array.isArray(manifest.streams) ? manifest.streams.length : 0;
  if (global.length > 0 || (count > 0 && refused.size === count)) throw new ManifestError(origin, problems);
  return { manifest, refused, streamCount: count };
}
