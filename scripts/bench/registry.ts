// Registry benchmark: `airbyte-mcp call list_connectors` with a keyword filter, against the time of
// `airbyte-mcp --version` (the process start floor), median of repeated runs. Cases: warm cache
// (the target: within 30 ms of the floor), expired cache revalidated with a 304, and the embedded
// snapshot (no cache, no network). The registry is served locally from a registry JSON file.
//   bun scripts/bench/registry.ts [--runs 31] [--registry ../shared/fixtures/oss_registry.json]

import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";

const root = new URL("../..", import.meta.url).pathname;
const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    runs: { type: "string", default: "31" },
    registry: { type: "string", default: join(root, "..", "shared", "fixtures", "oss_registry.json") },
    binary: { type: "string" },
  },
});
const runs = Number(values.runs);
if (!existsSync(values.registry ?? ""))
  throw new Error(`no registry file at ${values.registry}; pass --registry`);

const binary = values.binary ?? join(root, "dist", "airbyte-mcp");
if (!values.binary) {
  const r = Bun.spawnSync([process.execPath, "scripts/build.ts"], {
    cwd: root,
    stdout: "inherit",
    stderr: "inherit",
  });
  if (r.exitCode !== 0) throw new Error("build failed");
}

const body = readFileSync(values.registry ?? "", "utf8");
const etag = `"${createHash("sha1").update(body).digest("hex")}"`;
const server = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  fetch: (req) =>
    req.headers.get("if-none-match") === etag
      ? new Response(null, { status: 304, headers: { etag } })
      : new Response(body, { headers: { etag, "content-type": "application/json" } }),
});
const home = mkdtempSync(join(tmpdir(), "airbyte-mcp-bench-"));
const baseEnv = {
  PATH: process.env.PATH ?? "",
  HOME: home,
  AIRBYTE_PROJECT_DIR: join(home, "project"),
  AIRBYTE_LOCAL_REGISTRY: `http://127.0.0.1:${server.port}/oss_registry.json`,
};

// Async spawns: the registry server runs in this process and must keep answering.
async function time(args: string[], env: Record<string, string>): Promise<number> {
  const started = performance.now();
  const proc = Bun.spawn([binary, ...args], { env, stdout: "pipe", stderr: "pipe" });
  const [code, , stderr] = await Promise.all([
    proc.exited,
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
  ]);
  const elapsed = performance.now() - started;
  if (code !== 0) throw new Error(`${args.join(" ")} exited ${code}: ${stderr}`);
  return elapsed;
}
function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
}
async function series(args: string[], env: Record<string, string>, before?: () => void): Promise<number[]> {
  await time(args, env);
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    before?.();
    out.push(await time(args, env));
  }
  return out;
}

const call = ["call", "list_connectors", "--json", '{"keyword_filter": "github"}'];
await time(call, baseEnv); // warm the cache
const floor = await series(["--version"], baseEnv);
const warm = await series(call, baseEnv);
const revalidate = await series(call, { ...baseEnv, AIRBYTE_REGISTRY_CACHE_TTL: "0" });
const snapshot = await series(call, {
  ...baseEnv,
  AIRBYTE_PROJECT_DIR: join(home, "empty"),
  AIRBYTE_LOCAL_REGISTRY: "http://127.0.0.1:9/oss_registry.json",
});
const cold = await series(call, { ...baseEnv, AIRBYTE_PROJECT_DIR: join(home, "cold") }, () =>
  rmSync(join(home, "cold"), { recursive: true, force: true }),
);

console.log(
  `list_connectors keyword_filter=github through 'airbyte-mcp call', ${runs} runs each, medians (ms)`,
);
const rows: [string, number[]][] = [
  ["--version (floor)", floor],
  ["warm cache", warm],
  ["expired cache, 304", revalidate],
  ["embedded snapshot", snapshot],
  ["cold: download + index", cold],
];
for (const [label, xs] of rows) {
  const m = median(xs);
  console.log(
    `${label.padEnd(24)} ${m.toFixed(1).padStart(7)}   (+${(m - median(floor)).toFixed(1)} over the floor)`,
  );
}
await server.stop(true);
rmSync(home, { recursive: true, force: true });
