// Read benchmark: records per second through read_source_stream_records' parser path (path
// executor -> process runner -> line splitter -> protocol parser -> stream filter -> byte budget),
// against the floor of the same bytes piped through a bare line-splitting JSON.parse loop, in the
// same run. The records are source-faker's, written once by the binary's `connector source-faker`
// command, then replayed by `cat` for both sides, so only the consumer differs. Each measurement
// runs in its own process, which reports its peak RSS: it should stay flat as the count grows.
// Also printed: the live end to end rate (the binary producing, the parser path consuming).
//   bun scripts/bench/read.ts [--records 1000000] [--runs 3]   (also runs a tenth and three times as many)

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import {
  buildBinary,
  eachMessage,
  median,
  pathExecutor,
  replay,
  runChild,
  writeFakerRecords,
} from "./common.ts";

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
  const producer = values.binary ? [values.binary, "connector", "source-faker"] : replay(file);
  let started = performance.now();
  let records = 0;
  if (values.child === "floor") {
    await eachMessage(producer, (m) => {
      if (m.type === "RECORD" && m.record.stream === STREAM) records++;
    });
  } else {
    const { ByteBudget, readStreamRecords } = await import("../../src/connectors/read.ts");
    const { FAKER_STREAMS, fakerConfig } = await import("../../src/connectors/builtin/source-faker.ts");
    const tempRoot = mkdtempSync(join(tmpdir(), "airbyte-mcp-bench-"));
    const executor = await pathExecutor(producer, tempRoot);
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
const binary = buildBinary();
const dir = mkdtempSync(join(tmpdir(), "airbyte-mcp-bench-read-"));
const runs = Number(values.runs);
const max = Number(values.records);
// A tenth, the target count, three times it: peak RSS should plateau, not follow the count.
const counts = [Math.round(max / 10), max, max * 3];

interface Measurement {
  records: number;
  seconds: number;
  maxRssMb: number;
}
const child = (mode: string, file: string, records: number, live = false): Measurement =>
  runChild(import.meta.path, [
    "--child",
    mode,
    "--file",
    file,
    "--records",
    String(records),
    ...(live ? ["--binary", binary] : []),
  ]);

try {
  console.log(`read benchmark: source-faker '${STREAM}' records, median of ${runs} runs, ${Bun.version}`);
  console.log("| records | floor rec/s | parser path rec/s | ratio | floor peak RSS | parser peak RSS |");
  console.log("|---:|---:|---:|---:|---:|---:|");
  for (const n of counts) {
    const file = writeFakerRecords(binary, dir, STREAM, n, 7);
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
