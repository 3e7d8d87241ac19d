// A connector program for the tests: speaks the Airbyte protocol on stdout, with switches (env
// FAKE_MODE) for the ways real connectors misbehave.
//   ok | garbage | trace-error | crash-mid | huge | hang | orphan (leaves a child holding stdout)
// FAKE_RECORDS: records per stream (default 5). FAKE_CHILD_PID_FILE: spawn a sleeping grandchild
// and write its pid there (to prove the whole process tree is stopped). Each switch can also be
// given as a leading argument, --fake-mode=X, --fake-records=N, --fake-child-pid-file=P (for
// executors that take a command line rather than an environment).
// FAKE_HANG_STREAM (--fake-hang-stream=NAME): in hang mode, hang only while reading that stream.
// `check` reports FAILED when the api_key starts with "bad".
// For syncs: `read` resumes each stream after the `id` in its --state; FAKE_STATE_EVERY
// (--fake-state-every=N) emits a STATE every N records; FAKE_INTERLEAVE=1 alternates the streams'
// records; FAKE_EXTRA_FIELD=1 adds a declared property `email`; FAKE_UNDECLARED=1 adds a key the
// schema does not declare; FAKE_BAD_VALUE=1 sends a string where the schema says integer;
// FAKE_BIG_VALUE=1 sends 2^63-1 as record 2's score (an integer beyond a double's precision). In
// crash-mid mode the process dies halfway through the records (FAKE_CRASH_AT=N: after N records).

import { readFileSync, statSync, writeFileSync } from "node:fs";

const argv = process.argv.slice(2);
while (argv[0]?.startsWith("--fake-")) {
  const [key, value = ""] = (argv.shift() as string).slice(7).split("=");
  process.env[`FAKE_${(key as string).toUpperCase().replaceAll("-", "_")}`] = value;
}
const [command, ...rest] = argv;
const arg = (name: string) => {
  const i = rest.indexOf(name);
  return i >= 0 ? rest[i + 1] : undefined;
};
const mode = process.env.FAKE_MODE ?? "ok";
const count = Number(process.env.FAKE_RECORDS ?? "5");
const emit = (m: unknown) => process.stdout.write(`${JSON.stringify(m)}\n`);
const log = (message: string) => emit({ type: "LOG", log: { level: "INFO", message } });
const spec = {
  type: "object",
  required: ["api_key"],
  properties: { api_key: { type: "string", airbyte_secret: true }, start: { type: "integer", default: 0 } },
};
const extraField = process.env.FAKE_EXTRA_FIELD === "1";
const streams = ["users", "orders"].map((name) => ({
  name,
  json_schema: {
    type: "object",
    properties: {
      id: { type: "integer" },
      name: { type: "string" },
      score: { type: ["null", "integer"] },
      ...(extraField ? { email: { type: ["null", "string"] } } : {}),
    },
  },
  supported_sync_modes: ["full_refresh", "incremental"],
  source_defined_cursor: true,
  default_cursor_field: ["id"],
  source_defined_primary_key: [["id"]],
}));

if (process.env.FAKE_CHILD_PID_FILE) {
  const child = Bun.spawn(["sleep", "300"], { stdio: ["ignore", "ignore", "ignore"] });
  writeFileSync(process.env.FAKE_CHILD_PID_FILE, String(child.pid));
}
if (mode === "garbage") {
  console.log("Starting fake connector (not JSON)");
  console.log('{"not":"a message"}');
  console.log('{"type":"RECORD","record":{"stream":"users"}}');
}

const configPath = arg("--config");
if (configPath) {
  const mode8 = (statSync(configPath).mode & 0o777).toString(8);
  log(`config file mode ${mode8}`);
  const config = JSON.parse(readFileSync(configPath, "utf8"));
  if (mode === "trace-error") {
    emit({
      type: "TRACE",
      trace: {
        type: "ERROR",
        emitted_at: Date.now(),
        error: { message: `Invalid API key ${config.api_key}`, failure_type: "config_error" },
      },
    });
    console.error(`Traceback: auth failed with key ${config.api_key}`);
    process.exit(1);
  }
}

switch (command) {
  case "spec":
    emit({ type: "SPEC", spec: { connectionSpecification: spec } });
    break;
  case "check": {
    const key = String(JSON.parse(readFileSync(arg("--config") ?? "", "utf8")).api_key ?? "");
    emit({
      type: "CONNECTION_STATUS",
      connectionStatus: key.startsWith("bad")
        ? { status: "FAILED", message: "401 Unauthorized: the API key was refused" }
        : { status: "SUCCEEDED" },
    });
    break;
  }
  case "discover":
    emit({ type: "CATALOG", catalog: { streams } });
    break;
  case "read": {
    const catalog = JSON.parse(readFileSync(arg("--catalog") ?? "", "utf8"));
    const statePath = arg("--state");
    const after = new Map<string, number>();
    for (const st of statePath ? JSON.parse(readFileSync(statePath, "utf8")) : []) {
      after.set(st.stream.stream_descriptor.name, st.stream.stream_state.id);
    }
    const every = Number(process.env.FAKE_STATE_EVERY ?? "0");
    const crashAt = Number(process.env.FAKE_CRASH_AT ?? String(Math.floor(count / 2)));
    const state = (name: string, id: number) =>
      emit({
        type: "STATE",
        state: { type: "STREAM", stream: { stream_descriptor: { name }, stream_state: { id } } },
      });
    // Each stream yields ids after its cursor, up to count - 1, as a list of steps to interleave.
    const plans = catalog.streams.map((configured: { stream: { name: string }; sync_mode: string }) => {
      const name = configured.stream.name;
      const start =
        configured.sync_mode === "incremental" && after.has(name) ? (after.get(name) as number) + 1 : 0;
      return { name, next: start, sent: 0 };
    });
    const order =
      process.env.FAKE_INTERLEAVE === "1"
        ? () => plans.filter((p: { next: number }) => p.next < count)
        : () => plans.filter((p: { next: number }) => p.next < count).slice(0, 1);
    let emitted = 0;
    for (let active = order(); active.length > 0; active = order()) {
      for (const p of active) {
        const i = p.next++;
        if (mode === "crash-mid" && emitted === crashAt) {
          console.error("Segmentation fault (core dumped) while reading page 3");
          process.exit(139);
        }
        const data: Record<string, unknown> = { id: i, name: `${p.name}-${i}`, score: i * 10 };
        if (extraField) data.email = `${p.name}-${i}@example.com`;
        if (process.env.FAKE_UNDECLARED === "1") data.nickname = `nick-${i}`;
        if (process.env.FAKE_BAD_VALUE === "1" && i === 1) data.score = "not a number";
        if (mode === "huge") data.blob = "x".repeat(5 * 1024 * 1024);
        const record = { type: "RECORD", record: { stream: p.name, data, emitted_at: Date.now() } };
        // A 64-bit integer no double holds, written as its digits (JSON.stringify cannot).
        if (process.env.FAKE_BIG_VALUE === "1" && i === 2) {
          data.score = "__BIG__";
          process.stdout.write(`${JSON.stringify(record).replace('"__BIG__"', "9223372036854775807")}\n`);
        } else emit(record);
        emitted++;
        p.sent++;
        if (every > 0 && p.sent % every === 0) state(p.name, i);
        const hangHere = !process.env.FAKE_HANG_STREAM || process.env.FAKE_HANG_STREAM === p.name;
        if (mode === "hang" && i === 1 && hangHere) await new Promise(() => setInterval(() => {}, 1000));
        // A leftover background process that keeps stdout open after the connector exits.
        if (mode === "orphan" && i === 0)
          Bun.spawn(["sleep", "30"], { stdio: ["ignore", "inherit", "inherit"] });
      }
    }
    for (const p of plans) if (p.sent > 0 || !after.has(p.name)) state(p.name, p.next - 1);
    break;
  }
  case "write": {
    // Like a destination: reads messages on stdin, acknowledges each STATE once the records
    // before it are "written", and reports the count.
    let written = 0;
    for await (const line of console) {
      if (line.trim() === "") continue;
      const m = JSON.parse(line);
      if (m.type === "RECORD") written++;
      if (m.type === "STATE") emit(m);
    }
    log(`wrote ${written} records`);
    break;
  }
  default:
    console.error(`unknown command ${command}`);
    process.exit(2);
}
