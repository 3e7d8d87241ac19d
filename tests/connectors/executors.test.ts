// The python and docker executors end to end: a real venv with a wheel installed by pip, and a
// real container run by Podman from a locally imported image. (The path executor is exercised with
// the fake connector program in tests/tools/connectors.test.ts; builtin there too.)

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { type ContainerSetup, podmanSetup, requireInCi } from "../helpers/container.ts";
import { failed, type LocalHarness, localHarness, ok } from "../helpers/local.ts";
import { usablePython, writeWheel } from "../helpers/python-package.ts";

const python = usablePython();
const skipPython = requireInCi(python ? null : "python3 with venv is not installed", "python executor tests");

describe.skipIf(skipPython)("python executor: a real venv and pip", () => {
  let h: LocalHarness;
  let wheel: string;
  beforeAll(() => {
    // AIRBYTE_NO_UV: this machine has no uv; the fallback (python3 -m venv + pip) is what runs.
    h = localHarness({ AIRBYTE_NO_UV: "1", TOKEN_FOR_PY: "py-token-value-123" });
    wheel = writeWheel(python as string, h.dir);
  });
  afterAll(() => h.cleanup());
  const args = () => ({
    source_connector_name: "source-pyfake",
    override_execution_mode: "python",
    pip_url: wheel,
    config: { token: "secret_reference::TOKEN_FOR_PY", rows: 4 },
  });

  test("installs into <install dir>/.venv-<name> and runs the console script", async () => {
    const r = ok(await h.call("list_source_streams", args()));
    expect(r.streams).toEqual(["rows"]);
    expect(r.executor).toMatchObject({ kind: "python", reason: "override_execution_mode is 'python'" });
    expect(existsSync(join(h.rt.settings.installDir, ".venv-source-pyfake", "bin", "source-pyfake"))).toBe(
      true,
    );
  }, 120_000);

  test("reads records and reuses the venv on the next call", async () => {
    const marker = join(h.rt.settings.installDir, ".venv-source-pyfake", ".airbyte-mcp-install.json");
    const before = statSync(marker).mtimeMs;
    const r = ok(await h.call("read_source_stream_records", { ...args(), stream_name: "rows" }));
    expect(r.records).toEqual([0, 1, 2, 3].map((n) => ({ n, python: 3 })));
    expect(statSync(marker).mtimeMs).toBe(before);
    expect(h.leftovers()).toEqual([]);
  }, 60_000);

  test("a failed install says why and leaves no half-made venv", async () => {
    const message = failed(
      await h.call("list_source_streams", {
        source_connector_name: "source-pybroken",
        override_execution_mode: "python",
        pip_url: join(h.dir, "missing-package.whl"),
      }),
    );
    expect(message).toContain("Could not install the package for source-pybroken");
    expect(existsSync(join(h.rt.settings.installDir, ".venv-source-pybroken"))).toBe(false);
  }, 120_000);
});

let setup: ContainerSetup | string = "not set up";
let h: LocalHarness;
const skipDocker = requireInCi(
  Bun.which("podman") && existsSync("/usr/sbin/runc") ? null : "podman and runc are not installed",
  "docker executor tests",
);

describe.skipIf(skipDocker)("docker executor: Podman and a locally imported image", () => {
  beforeAll(async () => {
    setup = await podmanSetup();
    if (typeof setup === "string") throw new Error(setup);
    h = localHarness({
      AIRBYTE_MCP_CONTAINER_CLI: setup.cli,
      AIRBYTE_MCP_CONTAINER_RUN_ARGS: "--network none --user 1000:1000",
    });
  }, 120_000);
  afterAll(() => h?.cleanup());
  const c = () => setup as ContainerSetup;
  const args = (extra: Record<string, unknown> = {}) => ({
    source_connector_name: "source-faker",
    override_execution_mode: "docker",
    docker_image: c().image,
    ...extra,
  });
  const ourContainers = () =>
    c().run(["ps", "-a", "--filter", "name=airbyte-mcp-", "--format", "{{.Names}}"]).stdout.trim();

  // --user 1000:1000 above: like Airbyte's images, the connector is not root and must still read its files.
  test("spec, check, discover and read run in the container, config through the mount", async () => {
    const { source_connector_name, ...rest } = args({ config: { count: 3 } });
    const valid = ok(
      await h.call("validate_connector_config", { ...rest, connector_name: source_connector_name }),
    );
    expect(valid).toMatchObject({ is_valid: true, executor: { kind: "docker" } });
    expect((valid.executor as { target: string }).target).toContain(c().image);
    const streams = ok(await h.call("list_source_streams", args()));
    expect(streams.streams).toEqual(["users", "products", "purchases"]);
    const r = ok(
      await h.call("read_source_stream_records", args({ stream_name: "users", config: { count: 3 } })),
    );
    // count 3 reached the connector only if the config file was readable at its /airbyte/tmp path.
    expect(r.record_count).toBe(3);
    expect(h.leftovers()).toEqual([]);
    expect(ourContainers()).toBe("");
  }, 60_000);

  test("stopping early at max_records removes the container", async () => {
    const r = ok(
      await h.call(
        "read_source_stream_records",
        args({ stream_name: "purchases", max_records: 5, config: { count: 2000000 } }),
      ),
    );
    expect(r).toMatchObject({ record_count: 5, max_records_reached: true });
    expect(ourContainers()).toBe("");
    expect(h.leftovers()).toEqual([]);
  }, 60_000);

  test("a cancelled read stops the container", async () => {
    const abort = new AbortController();
    const pending = h.call(
      "read_source_stream_records",
      args({ stream_name: "users", max_records: 100000000, config: { count: 100000000 } }),
      abort.signal,
    );
    await Bun.sleep(1500);
    abort.abort();
    expect(failed(await pending)).toContain("cancelled");
    expect(ourContainers()).toBe("");
    expect(h.leftovers()).toEqual([]);
  }, 60_000);

  test("an image that is not there is an error with the CLI's own words", async () => {
    const message = failed(
      await h.call("list_source_streams", args({ docker_image: "localhost/airbyte-mcp-no-such-image:0" })),
    );
    expect(message).toContain("exited with code");
    expect(message.toLowerCase()).toContain("no-such-image");
    expect(ourContainers()).toBe("");
  }, 60_000);
});
