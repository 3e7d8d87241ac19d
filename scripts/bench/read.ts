// Read benchmark: records per second through read_source_stream_records' parser path (path
// executor -> process runner -> line splitter -> protocol parser -> stream filter -> byte budget),
// against the floor of the same bytes piped through a bare line-splitting JSON.parse loop, in the
// same run. The records are source-faker's, written once by the binary's `connector source-faker`
// command, then replayed by `cat` for both sides, so only the consumer differs. Each measurement
// runs in its own process, which reports its peak RSS: it should stay flat as the count grows.
// Also printed: the live end to end rate (the binary producing, the parser path consuming).
//   bun scripts/bench/read.ts [--records 1000000] [--runs 3]   (also runs a tenth and three times as many)

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";

const root = new URL("../..", import.meta.url).pathname;
const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    records: { type: "string", default: "1000000" },
    runs: { type: "string", default: "3" },
    child: { type: "string" },
    file: { type: "string" },
    binary: { type: "string" },
  },
});

const STREAM = "purchases";

if (values.child) {
  // One measurement in this process; prints JSON {records, seconds, maxRssMb}.
  const file = values.file as string;
  const producer = values.binary
    ? [values.binary, "connector", "source-faker"]
    : ["sh", "-c", 'exec cat "$0"', file];
  let started = performance.now();
  let records = 0;
  if (values.child === "floor") {
    const proc = Bun.spawn(producer, { stdout: "pipe" });
    const decoder = new TextDecoder();
    let pending = "";
    for await (const chunk of proc.stdout) {
      const text = pending + decoder.decode(chunk, { stream: true });
      let start = 0;
      let nl = text.indexOf("\n");
      while (nl >= 0) {
        const m = JSON.parse(text.slice(start, nl));
        if (m.type === "RECORD" && m.record.stream === STREAM) records++;
        start = nl + 1;
        nl = text.indexOf("\n", start);
      }
      pending = text.slice(start);
    }
    await proc.exited;
  } else {
    const { PathExecutor } = await import("../../src/connectors/executors/path.ts");
    const { ByteBudget, readStreamRecords } = await import("../../src/connectors/read.ts");
    const { FAKER_STREAMS, fakerConfig } = await import("../../src/connectors/builtin/source-faker.ts");
    const { Redactor } = await import("../../src/core/redact.ts");
    const { createLogger } = await import("../../src/core/log.ts");
    const redactor = new Redactor([]);
    const tempRoot = mkdtempSync(join(tmpdir(), "airbyte-mcp-bench-"));
    const executor = new PathExecutor(
      { kind: "path", reason: "benchmark", target: producer.join(" "), version: null },
      {
        tempRoot,
        which: (c) => Bun.which(c),
        redactor,
        log: createLogger({ level: "silent", structured: false, redactor }),
      },
      producer,
    );
    const stream = FAKER_STREAMS.find((s) => s.name === STREAM);
    if (!stream) throw new Error("no stream");
    const count = Number(values.records);
    started = performance.now(); // Module loading is start-up, not reading.
    const result = await readStreamRecords(executor, {
      config: { ...fakerConfig({ count }), count, seed: 7 },
      stream,
      maxRecords: Number.MAX_SAFE_INTEGER,
      budget: new ByteBudget(250_000),
      signal: new AbortController().signal,
    });
    records = result.records.length + result.omitted;
    rmSync(tempRoot, { recursive: true, force: true });
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(JSON.stringify({ records, seconds, maxRssMb: process.resourceUsage().maxRSS / 1024 }));
  process.exit(0);
}

// Parent: build, write the records once per count, measure.
const build = Bun.spawnSync([process.execPath, "scripts/build.ts"], {
  cwd: root,
  stdout: "ignore",
  stderr: "inherit",
});
if (build.exitCode !== 0) throw new Error("build failed");
const binary = join(root, "dist", "airbyte-mcp");
const dir = mkdtempSync(join(tmpdir(), "airbyte-mcp-bench-read-"));
const runs = Number(values.runs);
const max = Number(values.records);
// A tenth, the target count, three times it: peak RSS should plateau, not follow the count.
const counts = [Math.round(max / 10), max, max * 3];

function child(mode: string, file: string, records: number, live = false) {
  const args = [
    process.execPath,
    import.meta.path,
    "--child",
    mode,
    "--file",
    file,
    "--records",
    String(records),
  ];
  if (live) args.push("--binary", binary);
  const r = Bun.spawnSync(args, { cwd: root, stdout: "pipe", stderr: "inherit" });
  if (r.exitCode !== 0) throw new Error(`${mode} run failed`);
  return JSON.parse(r.stdout.toString().trim().split("\n").pop() as string) as {
    records: number;
    seconds: number;
    maxRssMb: number;
  };
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

try {
  console.log(`read benchmark: source-faker '${STREAM}' records, median of ${runs} runs, ${Bun.version}`);
  console.log("| records | floor rec/s | parser path rec/s | ratio | floor peak RSS | parser peak RSS |");
  console.log("|---:|---:|---:|---:|---:|---:|");
  for (const n of counts) {
    const catalog = join(dir, "catalog.json");
    const config = join(dir, "config.json");
    writeFileSync(config, JSON.stringify({ count: n, seed: 7 }));
    writeFileSync(
      catalog,
      JSON.stringify({
        streams: [
          {
            stream: { name: STREAM, json_schema: {}, supported_sync_modes: ["full_refresh"] },
            sync_mode: "full_refresh",
            destination_sync_mode: "overwrite",
          },
        ],
      }),
    );
    const file = join(dir, `records-${n}.ndjson`);
    const out = Bun.file(file);
    const gen = Bun.spawnSync(
      [binary, "connector", "source-faker", "read", "--config", config, "--catalog", catalog],
      {
        stdout: out,
      },
    );
    if (gen.exitCode !== 0) throw new Error("generating records failed");
    const floor: number[] = [];
    const parser: number[] = [];
    let floorRss = 0;
    let parserRss = 0;
    for (let i = 0; i < runs; i++) {
      const f = child("floor", file, n);
      const p = child("parser", file, n);
      if (f.records !== n || p.records !== n)
        throw new Error(`expected ${n} records, got ${f.records} / ${p.records}`);
      floor.push(n / f.seconds);
      parser.push(n / p.seconds);
      floorRss = Math.max(floorRss, f.maxRssMb);
      parserRss = Math.max(parserRss, p.maxRssMb);
    }
    const fm = median(floor);
    const pm = median(parser);
    console.log(
      `| ${n} | ${Math.round(fm)} | ${Math.round(pm)} | ${(pm / fm).toFixed(2)} | ${floorRss.toFixed(0)} MB | ${parserRss.toFixed(0)} MB |`,
    );
    rmSync(file, { force: true });
  }
  const live = child("parser", "", max, true);
  console.log(
    `\nlive end to end (binary 'connector source-faker' producing, parser path consuming): ${Math.round(live.records / live.seconds)} rec/s, peak RSS ${live.maxRssMb.toFixed(0)} MB`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
