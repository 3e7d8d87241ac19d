// The corpus manifests that load natively, each with a config made up from its spec: what the
// whole-corpus test runs against fakes derived from the manifests (generic.ts).

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { loadManifest } from "../../../src/declarative/manifest/load.ts";
import { CORPUS } from "./fixtures.ts";
import { configKeysReferenced, dummyConfig } from "./generic-config.ts";
import { NOW } from "./harness.ts";

type Json = Record<string, unknown>;

export interface CorpusCase {
  file: string;
  text: string;
  /** As loadManifest resolves it. */
  manifest: Json;
  config: Json;
}

/** Where made-up start dates begin: three days before the fakes' "now". */
const START = new Date(NOW.getTime() - 3 * 86_400_000);

/** The corpus's manifest files, in name order. */
export function corpusFiles(): string[] {
  return readdirSync(CORPUS)
    .filter((f) => f.endsWith(".yaml"))
    .sort();
}

/** A corpus manifest with its config; null when it does not load natively (the coverage script says why). */
export function corpusCase(file: string): CorpusCase | null {
  const text = readFileSync(join(CORPUS, file), "utf8");
  let manifest: Json;
  try {
    manifest = loadManifest(text, file);
  } catch {
    return null;
  }
  const spec = (manifest.spec as Json | undefined)?.connection_specification as Json | undefined;
  return { file, text, manifest, config: dummyConfig(spec ?? {}, START, configKeysReferenced(text)) };
}
