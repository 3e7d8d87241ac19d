// Writes the compact registry index that the build embeds in the binary (used when there is no
// cache and no network).
//   bun scripts/registry-snapshot.ts [--from URL|PATH] [--out .build/registry-index.json]
// Default source: the live Airbyte OSS registry.

import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { parseArgs } from "node:util";
import { buildIndex } from "../src/registry/model.ts";
import { SNAPSHOT_BUILD_PATH } from "../src/registry/snapshot.ts";

export const LIVE_REGISTRY = "https://connectors.airbyte.com/files/registries/v0/oss_registry.json";
const root = new URL("..", import.meta.url).pathname;

export async function writeSnapshot(from: string, out = join(root, SNAPSHOT_BUILD_PATH)): Promise<string> {
  let text: string;
  if (/^https?:\/\//.test(from)) {
    const response = await fetch(from, { signal: AbortSignal.timeout(30_000) });
    if (!response.ok) throw new Error(`GET ${from}: HTTP ${response.status}`);
    text = await response.text();
  } else {
    text = readFileSync(from, "utf8");
  }
  // A file is named by its base name: the builder's directories are nobody's business.
  const index = buildIndex(text, /^https?:\/\//.test(from) ? from : basename(from));
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(index));
  return `${out}: ${index.connectors.length} connectors from ${from}`;
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Bun.argv.slice(2),
    options: { from: { type: "string", default: LIVE_REGISTRY }, out: { type: "string" } },
    strict: true,
  });
  console.error(await writeSnapshot(values.from ?? LIVE_REGISTRY, values.out));
}
