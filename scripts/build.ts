// Builds the self-contained binary: `bun run build` -> dist/airbyte-mcp for this machine.
//   bun scripts/build.ts [--target bun-linux-x64] [--outfile dist/airbyte-mcp] [--entry main.ts]
// Never auto-load a stray ./.env or bunfig.toml at run time: that would be a secret leak.

import { existsSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { SCHEMAS_BUILD_PATH } from "../src/core/describe.ts";
import { ONE_SHOT_JIT_POLICY } from "../src/core/jit-policy.ts";
import { SNAPSHOT_BUILD_PATH } from "../src/registry/snapshot.ts";
import { LIVE_REGISTRY, writeSnapshot } from "./registry-snapshot.ts";
import { writeToolSchemas } from "./tool-schemas.ts";

const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    target: { type: "string" },
    outfile: { type: "string" },
    entry: { type: "string", default: "main.ts" },
    // Where the embedded registry snapshot comes from when .build/ has none yet.
    "registry-from": { type: "string" },
  },
  strict: true,
});

const root = new URL("..", import.meta.url).pathname;

// The registry snapshot to embed: made once, from the live registry, else the shared fixture.
const snapshotPath = join(root, SNAPSHOT_BUILD_PATH);
if (values["registry-from"] || !existsSync(snapshotPath)) {
  const fixture = join(root, "..", "shared", "fixtures", "oss_registry.json");
  const sources = values["registry-from"] ? [values["registry-from"]] : [LIVE_REGISTRY, fixture];
  for (const from of sources) {
    try {
      console.error(`registry snapshot: ${await writeSnapshot(from, snapshotPath)}`);
      break;
    } catch (error) {
      console.error(`registry snapshot: ${from} unavailable (${(error as Error).message})`);
    }
  }
  if (!existsSync(snapshotPath))
    console.error("registry snapshot: none; the binary will have no offline registry");
}
// The tools' JSON Schemas, made from this tree on every build of the binary (they change with the
// code); other entries (the start-up benchmark's floor) do not serve these tools.
const embedsToolSchemas = values.entry === "main.ts";
if (embedsToolSchemas) writeToolSchemas(join(root, SCHEMAS_BUILD_PATH));

const exe = values.target?.includes("windows") ? ".exe" : "";
const outfile = values.outfile ?? `dist/airbyte-mcp${exe}`;

const commit = (() => {
  const r = Bun.spawnSync(["git", "rev-parse", "--short", "HEAD"], { cwd: root, stderr: "ignore" });
  return r.exitCode === 0 ? r.stdout.toString().trim() : "unknown";
})();

const args = [
  process.execPath,
  "build",
  "--compile",
  "--minify",
  // Precompiled bytecode halves start-up (about 50 -> 27 ms to the first tools/list here).
  "--bytecode",
  "--format=esm",
  "--sourcemap=inline",
  "--no-compile-autoload-dotenv",
  "--no-compile-autoload-bunfig",
  // A CLI command is a short burst: JavaScriptCore's optimizing tiers start later (see
  // src/core/jit-policy.ts); the stdio server returns to the normal policy once it serves.
  `--compile-jit-policy=${ONE_SHOT_JIT_POLICY}`,
  `--define=__AIRBYTE_MCP_COMMIT__=${JSON.stringify(commit)}`,
  ...(values.target ? [`--target=${values.target}`] : []),
  ...(existsSync(snapshotPath) ? [`--asset=${SNAPSHOT_BUILD_PATH}`] : []),
  ...(embedsToolSchemas ? [`--asset=${SCHEMAS_BUILD_PATH}`] : []),
  values.entry ?? "main.ts",
  "--outfile",
  outfile,
];
const started = performance.now();
const proc = Bun.spawnSync(args, { cwd: root, stdout: "inherit", stderr: "inherit" });
if (proc.exitCode !== 0) {
  console.error(`build failed (exit ${proc.exitCode})`);
  process.exit(1);
}
console.error(`built ${outfile} (commit ${commit}) in ${Math.round(performance.now() - started)} ms`);
