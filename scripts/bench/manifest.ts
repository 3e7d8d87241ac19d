// Native manifest runner benchmark: records per second of a declarative stream paginated over a
// local server (100 records a page, bearer auth, cursor pagination from the body), against the
// floor of the same pages fetched and parsed by a bare fetch + JSON.parse loop, in the same run.
// The server runs in its own process with every page pre-rendered, so both sides pay the same
// HTTP cost; each measurement runs in its own process (median of --runs): a fresh process's read
// (the CLI's case), or a second read in the same process (the MCP server, a long-lived process).
// The runner is measured as the binary ships it: minified, with precompiled bytecode
// (--from-source runs the TypeScript sources instead, which spends about 6 ms more before the first
// request on transpiling and compiling them), and under the binary's JIT policies
// (src/core/jit-policy.ts): a CLI process runs with the one-shot policy, the stdio server with the
// normal one. So each run measures both sides twice: one read under the one-shot policy (the fresh
// read's figures) and two under the normal one (the second read's), the floor in the same
// conditions as the runner.
//   bun scripts/bench/manifest.ts [--records 100000] [--page-size 100] [--runs 3] [--from-source]

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { ONE_SHOT_JIT_POLICY, setJitPolicy } from "../../src/core/jit-policy.ts";
import { median, runChild } from "./common.ts";

const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    records: { type: "string", default: "100000" },
    "page-size": { type: "string", default: "100" },
    runs: { type: "string", default: "3" },
    serve: { type: "boolean", default: false },
    child: { type: "string" },
    port: { type: "string" },
    "from-source": { type: "boolean", default: false },
    // Set by the parent: the bytecode build of the runner the child loads.
    module: { type: "string" },
    // Set by the parent: the JIT policy the child runs under, from its start.
    "jit-policy": { type: "string", default: "1" },
    // Set by the parent: 1 when only the fresh read is wanted (the second would go unused).
    reads: { type: "string", default: "2" },
  },
});

const RECORDS = Number(values.records);
const PAGE = Number(values["page-size"]);
const TOKEN = "bench-token-123456";
const SCRIPT = fileURLToPath(import.meta.url);

const MANIFEST = `
version: 6.0.0
type: DeclarativeSource
check: { type: CheckStream, stream_names: [items] }
definitions:
  requester:
    type: HttpRequester
    url_base: https://api.bench.example/v1
    http_method: GET
    authenticator: { type: BearerAuthenticator, api_token: "{{ config['api_key'] }}" }
streams:
  - type: DeclarativeStream
    name: items
    primary_key: id
    retriever:
      type: SimpleRetriever
      requester: { $ref: "#/definitions/requester", path: /items }
      record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [data] } }
      paginator:
        type: DefaultPaginator
        page_token_option: { type: RequestOption, inject_into: request_parameter, field_name: page }
        page_size_option: { type: RequestOption, inject_into: request_parameter, field_name: per_page }
        pagination_strategy:
          type: CursorPagination
          page_size: ${PAGE}
          cursor_value: "{{ response.meta.next_page }}"
          stop_condition: "{{ not response.meta.next_page }}"
    schema_loader:
      type: InlineSchemaLoader
      schema: { type: object, properties: { id: { type: integer } } }
spec:
  type: Spec
  connection_specification:
    type: object
    required: [api_key]
    properties: { api_key: { type: string, airbyte_secret: true } }
`;

function record(i: number) {
  return {
    id: i,
    name: `Item ${i}`,
    email: `user${i}@example.com`,
    created_at: new Date(Date.UTC(2024, 0, 1) + i * 60_000).toISOString(),
    status: i % 3 === 0 ? "active" : "inactive",
    amount: Math.round(i * 137.31) / 100,
    tags: ["alpha", "beta", `t${i % 10}`],
    address: { city: `City ${i % 50}`, zip: String(10000 + (i % 9000)), country: "NL" },
  };
}

if (values.serve) {
  const pages: string[] = [];
  const count = Math.ceil(RECORDS / PAGE);
  for (let p = 1; p <= count; p++) {
    const data = [];
    for (let i = (p - 1) * PAGE; i < Math.min(p * PAGE, RECORDS); i++) data.push(record(i));
    pages.push(JSON.stringify({ data, meta: { page: p, next_page: p < count ? p + 1 : null } }));
  }
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch(req) {
      if (req.headers.get("authorization") !== `Bearer ${TOKEN}`) return new Response("{}", { status: 401 });
      const u = new URL(req.url);
      const page = Number(u.searchParams.get("page") ?? "1");
      const body = pages[page - 1];
      if (!body) return new Response("{}", { status: 404 });
      return new Response(body, { headers: { "content-type": "application/json" } });
    },
  });
  console.log(server.port);
  await new Promise(() => {});
}

if (values.child) {
  setJitPolicy(Number(values["jit-policy"]));
  const base = `http://127.0.0.1:${values.port}`;
  // The runner's code is imported before the clock starts (binary startup is startup.ts's
  // business); loading and validating the manifest is inside the measurement.
  const { runManifestBatches } = (
    values.module ? require(values.module) : await import("../../src/declarative/source.ts")
  ) as typeof import("../../src/declarative/source.ts");
  const pass = async (): Promise<number> => {
    const t0 = performance.now();
    let n = 0;
    if (values.child === "floor") {
      for (let page = 1; ; page++) {
        const res = await fetch(`${base}/v1/items?per_page=${PAGE}&page=${page}`, {
          headers: { Authorization: `Bearer ${TOKEN}` },
        });
        const body = JSON.parse(await res.text()) as { data: unknown[]; meta: { next_page: number | null } };
        for (const r of body.data) if (r) n++;
        if (!body.meta.next_page) break;
      }
    } else {
      const batches = runManifestBatches(
        MANIFEST,
        "bench",
        {
          command: "read",
          config: { api_key: TOKEN },
          catalog: {
            streams: [
              {
                stream: { name: "items", json_schema: {}, supported_sync_modes: ["full_refresh"] },
                sync_mode: "full_refresh",
                destination_sync_mode: "overwrite",
              },
            ],
          } as never,
          signal: new AbortController().signal,
        },
        { hostMap: `https://api.bench.example=${base}` },
      );
      for await (const messages of batches) {
        for (const m of messages) {
          if (m.type === "RECORD") n++;
          else if (m.type === "TRACE" && m.trace.type === "ERROR") throw new Error(JSON.stringify(m.trace));
        }
      }
    }
    if (n !== RECORDS) throw new Error(`expected ${RECORDS} records, got ${n}`);
    return (performance.now() - t0) / 1000;
  };
  // A fresh process (the CLI's case) and the same read again in that process (the MCP server's
  // case: a long-lived process whose code is already compiled).
  // The process's CPU time per read, every thread (JIT compilers, GC, the HTTP thread): on a
  // 2-core machine shared with the server, CPU the runner spends is time the server waits.
  const cpuMs = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  const c0 = cpuMs();
  const cold = await pass();
  const c1 = cpuMs();
  const warm = values.reads === "1" ? null : await pass();
  const c2 = cpuMs();
  console.log(
    JSON.stringify({
      records: RECORDS,
      cold,
      warm,
      coldCpuMs: c1 - c0,
      warmCpuMs: warm === null ? null : c2 - c1,
      maxRssMb: Math.round(process.memoryUsage().rss / 1e6),
    }),
  );
  process.exit(0);
}

// The runner as the binary ships it: one minified module with its bytecode precompiled (as
// CommonJS, which bytecode outside a compiled binary needs; the binary's is an ES module).
const buildDir = mkdtempSync(join(tmpdir(), "airbyte-mcp-bench-"));
process.on("exit", () => rmSync(buildDir, { recursive: true, force: true }));
let runnerModule: string | null = null;
if (!values["from-source"]) {
  const built = await Bun.build({
    entrypoints: [fileURLToPath(new URL("../../src/declarative/source.ts", import.meta.url))],
    target: "bun",
    format: "cjs",
    bytecode: true,
    minify: true,
    outdir: buildDir,
  });
  if (!built.success) throw new AggregateError(built.logs, "building the runner failed");
  runnerModule = built.outputs.find((o) => o.kind === "entry-point")?.path ?? null;
  if (!runnerModule) throw new Error("the runner's build has no entry point");
}

const server = Bun.spawn(
  [process.execPath, SCRIPT, "--serve", "--records", String(RECORDS), "--page-size", String(PAGE)],
  {
    stdout: "pipe",
    stderr: "inherit",
  },
);
const reader = (server.stdout as ReadableStream<Uint8Array>).getReader();
const port = new TextDecoder().decode((await reader.read()).value).trim();
try {
  const runs = Number(values.runs);
  const rates = {
    floor: { cold: [] as number[], warm: [] as number[] },
    runner: { cold: [] as number[], warm: [] as number[] },
  };
  const cpu = {
    floor: { cold: [] as number[], warm: [] as number[] },
    runner: { cold: [] as number[], warm: [] as number[] },
  };
  const rss: number[] = [];
  const args = (kind: string, policy: number, reads: number) => [
    "--child",
    kind,
    "--port",
    port,
    "--records",
    String(RECORDS),
    "--page-size",
    String(PAGE),
    "--jit-policy",
    String(policy),
    "--reads",
    String(reads),
    ...(runnerModule ? ["--module", runnerModule] : []),
  ];
  // The fresh read under the CLI's policy (one read is all it needs), the second read under the
  // long-lived server's.
  const policies = { cold: ONE_SHOT_JIT_POLICY, warm: 1 } as const;
  const reads = { cold: 1, warm: 2 } as const;
  for (let i = 0; i < runs; i++) {
    // Alternating order, so neither side always runs on a warmer server.
    const order = i % 2 === 0 ? (["floor", "runner"] as const) : (["runner", "floor"] as const);
    for (const phase of ["cold", "warm"] as const) {
      for (const kind of order) {
        const r = runChild<{
          records: number;
          cold: number;
          warm: number;
          coldCpuMs: number;
          warmCpuMs: number;
          maxRssMb: number;
        }>(SCRIPT, args(kind, policies[phase], reads[phase]));
        rates[kind][phase].push(r.records / r[phase]);
        cpu[kind][phase].push(phase === "cold" ? r.coldCpuMs : r.warmCpuMs);
        // Peak RSS after both reads, as before the reads were split by policy.
        if (kind === "runner" && phase === "warm") rss.push(r.maxRssMb);
      }
    }
  }
  const fmt = (x: number) => Math.round(x).toLocaleString("en-US");
  console.log(
    `records: ${RECORDS} in pages of ${PAGE}; median of ${runs} runs; runner ${runnerModule ? "as built (minified, bytecode)" : "from the TypeScript sources"}; JIT policy ${ONE_SHOT_JIT_POLICY} for the fresh read (the CLI's), 1 for the second read (the server's), both sides alike`,
  );
  for (const phase of ["cold", "warm"] as const) {
    const f = median(rates.floor[phase]);
    const m = median(rates.runner[phase]);
    const label = phase === "cold" ? "fresh process (CLI)" : "second read, same process (MCP server)";
    // Each run pairs a floor and a runner measurement taken back to back: the spread of those
    // ratios says how much of a difference between two invocations is the machine's noise.
    const pairs = rates.runner[phase]
      .map((r, i) => r / (rates.floor[phase][i] as number))
      .sort((a, b) => a - b);
    const q = (p: number) =>
      (pairs[Math.min(pairs.length - 1, Math.floor(p * pairs.length))] as number).toFixed(2);
    console.log(
      `${label}: floor ${fmt(f)} rec/s, runner ${fmt(m)} rec/s, ratio ${(m / f).toFixed(2)} (target >= 0.8); ratio per run ${q(0)} to ${q(1)}, middle half ${q(0.25)} to ${q(0.75)}; CPU (all threads) floor ${Math.round(median(cpu.floor[phase]))} ms, runner ${Math.round(median(cpu.runner[phase]))} ms`,
    );
  }
  console.log(`runner peak RSS: ${median(rss)} MB`);
} finally {
  server.kill();
}
