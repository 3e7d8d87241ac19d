// What the record benchmarks (read.ts, sync.ts) share: the build, the recorded source-faker
// records, the bare line-splitting JSON.parse loop of their floors, the path executor that replays
// the records through the real process runner, one measurement per child process, and the median.

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { PathExecutor } from "../../src/connectors/executors/path.ts";

export const ROOT = new URL("../..", import.meta.url).pathname;

/** Builds dist/airbyte-mcp for this machine and returns its path. */
export function buildBinary(): string {
  const build = Bun.spawnSync([process.execPath, "scripts/build.ts"], {
    cwd: ROOT,
    stdout: "ignore",
    stderr: "inherit",
  });
  if (build.exitCode !== 0) throw new Error("build failed");
  return join(ROOT, "dist", "airbyte-mcp");
}

/** The command line that replays a recorded file on stdout. */
export const replay = (file: string) => ["sh", "-c", 'exec cat "$0"', file];

/** Writes `count` source-faker records of one stream, as the binary's connector prints them. */
export function writeFakerRecords(
  binary: string,
  dir: string,
  stream: string,
  count: number,
  seed: number,
): string {
  const catalog = join(dir, "catalog.json");
  const config = join(dir, "config.json");
  writeFileSync(config, JSON.stringify({ count, seed }));
  writeFileSync(
    catalog,
    JSON.stringify({
      streams: [
        {
          stream: { name: stream, json_schema: {}, supported_sync_modes: ["full_refresh"] },
          sync_mode: "full_refresh",
          destination_sync_mode: "overwrite",
        },
      ],
    }),
  );
  const file = join(dir, `records-${count}.ndjson`);
  const gen = Bun.spawnSync(
    [binary, "connector", "source-faker", "read", "--config", config, "--catalog", catalog],
    { stdout: Bun.file(file) },
  );
  if (gen.exitCode !== 0) throw new Error("generating records failed");
  return file;
}

/** The floors' bare loop: split the program's stdout into lines and JSON.parse each. */
// biome-ignore lint/suspicious/noExplicitAny: the floors read parsed JSON field by field, unchecked, as a bare loop does.
export async function eachMessage(argv: string[], onMessage: (m: any) => void): Promise<void> {
  const proc = Bun.spawn(argv, { stdout: "pipe" });
  const decoder = new TextDecoder();
  let pending = "";
  for await (const chunk of proc.stdout) {
    const text = pending + decoder.decode(chunk, { stream: true });
    let start = 0;
    let nl = text.indexOf("\n");
    while (nl >= 0) {
      onMessage(JSON.parse(text.slice(start, nl)));
      start = nl + 1;
      nl = text.indexOf("\n", start);
    }
    pending = text.slice(start);
  }
  if ((await proc.exited) !== 0) throw new Error(`${argv.join(" ")} failed`);
}

/**
 * A path executor running `producer`, as local tools run a connector program. Loaded on demand,
 * so a floor's process does not carry the code it is measured against.
 */
export async function pathExecutor(producer: string[], tempRoot: string): Promise<PathExecutor> {
  const { PathExecutor } = await import("../../src/connectors/executors/path.ts");
  const { Redactor } = await import("../../src/core/redact.ts");
  const { createLogger } = await import("../../src/core/log.ts");
  const redactor = new Redactor([]);
  return new PathExecutor(
    { kind: "path", reason: "benchmark", target: producer.join(" "), version: null },
    {
      tempRoot,
      which: (c) => Bun.which(c),
      redactor,
      log: createLogger({ level: "silent", structured: false, redactor }),
    },
    producer,
  );
}

/** Runs this script again as a child for one measurement; its last stdout line is the JSON result. */
export function runChild<T>(script: string, args: string[]): T {
  const r = Bun.spawnSync([process.execPath, script, ...args], {
    cwd: ROOT,
    stdout: "pipe",
    stderr: "inherit",
  });
  if (r.exitCode !== 0) throw new Error(`${args.join(" ")}: the run failed`);
  return JSON.parse(r.stdout.toString().trim().split("\n").pop() as string) as T;
}

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
