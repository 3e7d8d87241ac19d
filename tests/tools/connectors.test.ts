// The local connector tools through the real call path: the built-in source-faker in-process, and
// the fake connector program as a real child process (path executor) for every way a connector
// misbehaves. After each call the connector temp dir must be empty and no process left.

import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { aliveAfter } from "../helpers/binary.ts";
import { FIXTURES, skipWithoutFixtures } from "../helpers/fixtures.ts";
import { failed, fakeExecutable, type LocalHarness, localHarness, ok } from "../helpers/local.ts";

const SECRET = "sk-live-2b8f0c1e9d7a";
const harnesses: LocalHarness[] = [];
const envFiles: string[] = [];
afterAll(() => {
  for (const h of harnesses) h.cleanup();
  for (const f of envFiles) rmSync(f, { force: true });
});
function harness(env: Record<string, string> = {}, envFile?: string): LocalHarness {
  const h = localHarness(env);
  if (envFile !== undefined) {
    // A second runtime that reads the env file (it must exist before settings load).
    h.cleanup();
    const path = join(h.dir, "..", `${h.dir.split("/").pop()}.env`);
    writeFileSync(path, envFile, { mode: 0o600 });
    envFiles.push(path);
    const withFile = localHarness({ ...env, AIRBYTE_MCP_ENV_FILE: path });
    harnesses.push(withFile);
    return withFile;
  }
  harnesses.push(h);
  return h;
}

describe("built-in source-faker", () => {
  const h = harness();

  test("lists its streams and says it ran built in", async () => {
    const r = ok(await h.call("list_source_streams", { source_connector_name: "source-faker" }));
    expect(r.streams).toEqual(["users", "products", "purchases"]);
    expect(r.executor).toMatchObject({ kind: "builtin" });
  });

  test("reads max_records records, the same ones for the same seed", async () => {
    const args = {
      source_connector_name: "source-faker",
      stream_name: "users",
      max_records: 7,
      config: { count: 100, seed: 11 },
    };
    const a = ok(await h.call("read_source_stream_records", args));
    const b = ok(await h.call("read_source_stream_records", args));
    expect(a.record_count).toBe(7);
    expect(a.max_records_reached).toBe(true);
    const strip = (rs: unknown) => (rs as Record<string, unknown>[]).map(({ updated_at, ...rest }) => rest);
    expect(strip(a.records)).toEqual(strip(b.records));
    const other = ok(
      await h.call("read_source_stream_records", { ...args, config: { count: 100, seed: 12 } }),
    );
    expect(strip(other.records)).not.toEqual(strip(a.records));
  });

  test("a stream shorter than max_records is read to its end", async () => {
    const r = ok(
      await h.call("read_source_stream_records", {
        source_connector_name: "source-faker",
        stream_name: "users",
        config: { count: 25 },
      }),
    );
    expect(r.record_count).toBe(25);
    expect(r.max_records_reached).toBe(false);
  });

  test("the JSON schema of a stream, and a helpful error for a misspelt one", async () => {
    const r = ok(
      await h.call("get_source_stream_json_schema", {
        source_connector_name: "source-faker",
        stream_name: "purchases",
      }),
    );
    expect(Object.keys((r.json_schema as { properties: object }).properties)).toContain("user_id");
    expect(r.primary_key).toEqual([["id"]]);
    const message = failed(
      await h.call("get_source_stream_json_schema", {
        source_connector_name: "source-faker",
        stream_name: "user",
      }),
    );
    expect(message).toContain("no stream named 'user'");
    expect(message).toContain("Closest: users");
  });

  test("previews cover every stream by default, or the ones named", async () => {
    const all = ok(await h.call("get_stream_previews", { source_name: "source-faker", limit: 2 }));
    const previews = all.previews as Record<string, { records: unknown[]; error: string | null }>;
    expect(Object.keys(previews)).toEqual(["users", "products", "purchases"]);
    for (const p of Object.values(previews)) expect(p.records.length).toBe(2);
    for (const streams of ["users, purchases", '["users","purchases"]', ["users", "purchases"]]) {
      const some = ok(
        await h.call("get_stream_previews", { source_name: "source-faker", streams, limit: 1 }),
      );
      expect(Object.keys(some.previews as object)).toEqual(["users", "purchases"]);
    }
    expect(
      failed(await h.call("get_stream_previews", { source_name: "source-faker", streams: "users,nope" })),
    ).toContain("no stream named 'nope'");
  });

  test("validation names each bad field", async () => {
    const r = ok(
      await h.call("validate_connector_config", {
        connector_name: "source-faker",
        config: { count: "many", seed: 1.5 },
      }),
    );
    expect(r.is_valid).toBe(false);
    const fields = (r.problems as { field: string }[]).map((p) => p.field).sort();
    expect(fields).toEqual(["count", "seed"]);
    const good = ok(
      await h.call("validate_connector_config", { connector_name: "source-faker", config: { count: 5 } }),
    );
    expect(good).toMatchObject({ is_valid: true, problems: [] });
  });
});

describe("the byte cap", () => {
  test("cuts at a record boundary and counts what was left out", async () => {
    const h = harness({ AIRBYTE_MCP_MAX_RESULT_BYTES: "3000" });
    const r = ok(
      await h.call("read_source_stream_records", {
        source_connector_name: "source-faker",
        stream_name: "users",
        max_records: 50,
        config: { count: 500 },
      }),
    );
    const kept = r.records as unknown[];
    expect(kept.length).toBeGreaterThan(0);
    expect(JSON.stringify(kept).length).toBeLessThanOrEqual(3000 + kept.length + 2);
    expect(r.omitted_records).toBe(50 - kept.length);
    expect(r.note as string).toContain(`${50 - kept.length} record(s) were read but left out`);
  });
});

describe("path executor with the fake connector program", () => {
  const h = harness({}, `FAKE_API_KEY=${SECRET}\nBAD_KEY=bad-${SECRET}\n`);
  const base = (switches: string[] = []) => ({
    source_connector_name: "source-fake",
    executable: fakeExecutable(...switches),
    config: { api_key: "secret_reference::FAKE_API_KEY" },
  });

  test("discover and read through a real process, with the reason", async () => {
    const streams = ok(await h.call("list_source_streams", base()));
    expect(streams.streams).toEqual(["users", "orders"]);
    expect(streams.executor).toMatchObject({ kind: "path", reason: "executable was given" });
    const r = ok(
      await h.call("read_source_stream_records", {
        ...base(["--fake-records=40"]),
        stream_name: "orders",
        max_records: 15,
      }),
    );
    expect(r.records).toEqual(
      Array.from({ length: 15 }, (_, i) => ({ id: i, name: `orders-${i}`, score: i * 10 })),
    );
    expect(h.leftovers()).toEqual([]);
  });

  test("validate: missing required fields, plain secrets, failed and passed checks", async () => {
    const missing = ok(
      await h.call("validate_connector_config", {
        connector_name: "source-fake",
        executable: fakeExecutable(),
        config: { start: 1 },
      }),
    );
    expect(missing).toMatchObject({
      is_valid: false,
      problems: [{ field: "api_key", problem: "is required" }],
    });

    const plain = ok(
      await h.call("validate_connector_config", {
        connector_name: "source-fake",
        executable: fakeExecutable(),
        config: { api_key: "typed-into-the-chat-123" },
      }),
    );
    expect(plain.is_valid).toBe(false);
    expect(plain.message as string).toContain("api_key");
    expect(plain.message as string).toContain("secret_reference::");

    const refused = ok(
      await h.call("validate_connector_config", {
        connector_name: "source-fake",
        executable: fakeExecutable(),
        config: { api_key: "secret_reference::BAD_KEY" },
      }),
    );
    expect(refused).toMatchObject({ is_valid: false });
    expect(refused.message as string).toContain("401 Unauthorized");

    const { source_connector_name, ...rest } = base();
    const good = ok(
      await h.call("validate_connector_config", { ...rest, connector_name: source_connector_name }),
    );
    expect(good).toMatchObject({ is_valid: true, executor: { kind: "path" } });
    expect(JSON.stringify([missing, plain, refused, good])).not.toContain(SECRET);
    expect(h.leftovers()).toEqual([]);
  });

  test("a TRACE ERROR is the connector's message, with the secret masked", async () => {
    const message = failed(
      await h.call("read_source_stream_records", {
        ...base(["--fake-mode=trace-error"]),
        stream_name: "users",
      }),
    );
    expect(message).toContain("Invalid API key");
    expect(message).not.toContain(SECRET);
    expect(h.leftovers()).toEqual([]);
  });

  test("a crash mid-stream is an error with the exit code and the stderr tail", async () => {
    const message = failed(
      await h.call("read_source_stream_records", {
        ...base(["--fake-mode=crash-mid", "--fake-records=10"]),
        stream_name: "users",
      }),
    );
    expect(message).toContain("exited with code 139");
    expect(message).toContain("Segmentation fault");
    expect(h.leftovers()).toEqual([]);
  });

  test("garbage lines are skipped as logs, not errors", async () => {
    const r = ok(
      await h.call("read_source_stream_records", { ...base(["--fake-mode=garbage"]), stream_name: "users" }),
    );
    expect(r.record_count).toBe(5);
  });

  test("a cancelled call stops the whole process tree and leaves no files", async () => {
    const pidFile = join(h.dir, "grandchild.pid");
    const abort = new AbortController();
    const pending = h.call(
      "read_source_stream_records",
      { ...base(["--fake-mode=hang", `--fake-child-pid-file=${pidFile}`]), stream_name: "users" },
      abort.signal,
    );
    for (let i = 0; i < 100 && !existsSync(pidFile); i++) await Bun.sleep(50);
    await Bun.sleep(200);
    abort.abort();
    const message = failed(await pending);
    expect(message).toContain("cancelled");
    const grandchild = Number(readFileSync(pidFile, "utf8"));
    expect(await aliveAfter(grandchild, 2000)).toBe(false);
    expect(h.leftovers()).toEqual([]);
  });

  test("a call past AIRBYTE_MCP_CONNECTOR_TIMEOUT is stopped and says so", async () => {
    const slow = harness({ AIRBYTE_MCP_CONNECTOR_TIMEOUT: "1" });
    const message = failed(
      await slow.call("read_source_stream_records", {
        source_connector_name: "source-fake",
        executable: fakeExecutable("--fake-mode=hang"),
        config: { api_key: "secret_reference::NOPE" },
        stream_name: "users",
      }),
    );
    // The reference cannot resolve: that error comes first, before anything runs.
    expect(message).toContain("NOPE");
    const timed = failed(
      await slow.call("read_source_stream_records", {
        source_connector_name: "source-fake",
        executable: fakeExecutable("--fake-mode=hang"),
        stream_name: "users",
      }),
    );
    expect(timed).toContain("did not finish within 1 s");
    expect(timed).toContain("AIRBYTE_MCP_CONNECTOR_TIMEOUT");
    expect(slow.leftovers()).toEqual([]);
  });

  test("previews keep what was read when the deadline stops a later stream", async () => {
    const slow = harness({ AIRBYTE_MCP_CONNECTOR_TIMEOUT: "2" });
    const r = ok(
      await slow.call("get_stream_previews", {
        source_name: "source-fake",
        executable: fakeExecutable("--fake-mode=hang", "--fake-hang-stream=orders"),
        streams: "users,orders",
        limit: 3,
      }),
    );
    const previews = r.previews as Record<string, { records: unknown[]; error: string | null }>;
    expect(previews.users?.records.length).toBe(3);
    expect(previews.orders?.error).toContain("deadline");
    expect(r.note as string).toContain("AIRBYTE_MCP_CONNECTOR_TIMEOUT");
    expect(slow.leftovers()).toEqual([]);
  });

  test("a child left holding stdout after the connector exits cannot outlast the deadline", async () => {
    const slow = harness({ AIRBYTE_MCP_CONNECTOR_TIMEOUT: "2" });
    const started = Date.now();
    const message = failed(
      await slow.call("read_source_stream_records", {
        source_connector_name: "source-fake",
        executable: fakeExecutable("--fake-mode=orphan"),
        stream_name: "users",
      }),
    );
    expect(message).toContain("did not finish within 2 s");
    expect(Date.now() - started).toBeLessThan(20_000); // the orphan sleeps 30 s
    expect(slow.leftovers()).toEqual([]);
  });

  test("pip_url credentials never show, and pip options are refused", async () => {
    const url = "git+https://alice:ghp_pipTokenSecret42@git.example.invalid/x/source-y.git";
    const r = ok(
      await h.call("validate_connector_config", {
        connector_name: "source-y",
        override_execution_mode: "python",
        pip_url: "-r /etc/passwd",
      }),
    );
    expect(r.message as string).toContain("not a pip option");
    const shown = await h.call("list_source_streams", {
      source_connector_name: "source-y",
      override_execution_mode: "python",
      pip_url: url,
      executable: null,
    });
    expect(JSON.stringify(shown)).not.toContain("ghp_pipTokenSecret42");
  }, 120_000);

  test("a program that does not exist is a clear error", async () => {
    const message = failed(
      await h.call("list_source_streams", {
        source_connector_name: "source-fake",
        executable: "/nonexistent/source-fake",
      }),
    );
    expect(message).toContain("was not found or is not executable");
  });
});

describe("list_connector_config_secrets", () => {
  const skip = skipWithoutFixtures("list_connector_config_secrets");
  test.skipIf(skip)(
    "lists env-file names that mention the connector or a secret field of its spec",
    async () => {
      const registry = JSON.parse(readFileSync(join(FIXTURES, "oss_registry.json"), "utf8"));
      const gh = registry.sources.find(
        (s: { dockerRepository: string }) => s.dockerRepository === "airbyte/source-github",
      );
      const specText = JSON.stringify(gh.spec.connectionSpecification);
      expect(specText).toContain('"access_token"');
      const h = harness({}, `GITHUB_PAT=${SECRET}\nMY_ACCESS_TOKEN=${SECRET}x\nSLACK_TOKEN=zzzzzzzz\n`);
      const r = ok(await h.call("list_connector_config_secrets", { connector_name: "source-github" }));
      const names = (r.variables as { name: string; matched: string }[]).map((v) => v.name);
      expect(names).toEqual(["GITHUB_PAT", "MY_ACCESS_TOKEN"]);
      expect(JSON.stringify(r)).not.toContain(SECRET);
    },
  );
});
