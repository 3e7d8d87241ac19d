// Start-up benchmark: time from process start to the first tools/list answer, for the compiled
// airbyte-mcp binary and for a minimal compiled SDK server with one tool (the floor), in both
// protocol eras. Prints medians and spreads; asserts nothing.
//   bun scripts/bench/startup.ts [--runs 31] [--binary dist/airbyte-mcp]

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: { runs: { type: "string", default: "31" }, binary: { type: "string" } },
});
const runs = Number(values.runs);
const root = new URL("../..", import.meta.url).pathname;

function build(entry: string, outfile: string): void {
  const r = Bun.spawnSync([process.execPath, "scripts/build.ts", "--entry", entry, "--outfile", outfile], {
    cwd: root,
    stdout: "inherit",
    stderr: "inherit",
  });
  if (r.exitCode !== 0) throw new Error(`build of ${entry} failed`);
}

const binary = values.binary ?? join(root, "dist", "airbyte-mcp");
if (!values.binary) build("main.ts", binary);
const floor = join(root, "dist", "bench", "minimal-server");
build("scripts/bench/minimal-server.ts", floor);

const clientInfo = { name: "bench", version: "1" };
const meta = {
  "io.modelcontextprotocol/protocolVersion": "2026-07-28",
  "io.modelcontextprotocol/clientInfo": clientInfo,
  "io.modelcontextprotocol/clientCapabilities": {},
};
const OPENINGS = {
  "2025-11-25": [
    {
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo },
    },
    { jsonrpc: "2.0", method: "notifications/initialized" },
    { jsonrpc: "2.0", id: 2, method: "tools/list", params: {} },
  ],
  "2026-07-28": [
    { jsonrpc: "2.0", id: 1, method: "server/discover", params: { _meta: meta } },
    { jsonrpc: "2.0", id: 2, method: "tools/list", params: { _meta: meta } },
  ],
} as const;

const home = mkdtempSync(join(tmpdir(), "airbyte-mcp-bench-"));
const env = { PATH: process.env.PATH ?? "", HOME: home, AIRBYTE_PROJECT_DIR: join(home, "project") };

async function once(bin: string, era: keyof typeof OPENINGS): Promise<number> {
  const started = performance.now();
  const proc = Bun.spawn([bin], { env, cwd: home, stdin: "pipe", stdout: "pipe", stderr: "ignore" });
  for (const m of OPENINGS[era]) proc.stdin.write(`${JSON.stringify(m)}\n`);
  await proc.stdin.flush();
  const reader = proc.stdout.getReader();
  const decoder = new TextDecoder();
  let out = "";
  let elapsed = Number.NaN;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    out += decoder.decode(value, { stream: true });
    if (out.split("\n").some((l) => l.includes('"id":2') && l.includes('"tools"'))) {
      elapsed = performance.now() - started;
      break;
    }
  }
  proc.stdin.end();
  proc.kill();
  await proc.exited;
  if (Number.isNaN(elapsed)) throw new Error(`${bin} (${era}) gave no tools/list answer:\n${out}`);
  return elapsed;
}

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * (s.length - 1)))] ?? Number.NaN;
  return { median: at(0.5), p10: at(0.1), p90: at(0.9) };
};

console.log(
  `start-up to first tools/list answer, ${runs} runs each (ms), ${process.platform}-${process.arch}`,
);
console.log("binary            era         median    p10    p90");
const medians: Record<string, number> = {};
for (const era of Object.keys(OPENINGS) as (keyof typeof OPENINGS)[]) {
  for (const [label, bin] of [
    ["airbyte-mcp", binary],
    ["minimal (floor)", floor],
  ] as const) {
    await once(bin, era); // warm the page cache
    const times: number[] = [];
    // Interleaving would be fairer on a busy machine; sequential keeps each series self-consistent.
    for (let i = 0; i < runs; i++) times.push(await once(bin, era));
    const s = stats(times);
    medians[`${label} ${era}`] = s.median;
    console.log(
      `${label.padEnd(17)} ${era}  ${s.median.toFixed(1).padStart(6)} ${s.p10.toFixed(1).padStart(6)} ${s.p90.toFixed(1).padStart(6)}`,
    );
  }
  const diff = (medians[`airbyte-mcp ${era}`] ?? 0) - (medians[`minimal (floor) ${era}`] ?? 0);
  console.log(`  airbyte-mcp - floor (${era}): ${diff.toFixed(1)} ms`);
}
rmSync(home, { recursive: true, force: true });
