// How auto mode chooses an executor, and how explicit modes refuse what they cannot run. PATH is
// a real folder of stub programs per test, so "found on PATH" is a real lookup.

import { afterAll, describe, expect, test } from "bun:test";
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ExecutionMode } from "../../src/connectors/executor.ts";
import { type ConnectorRequest, selectExecutor } from "../../src/connectors/select.ts";
import { ToolError } from "../../src/core/errors.ts";
import { createLogger } from "../../src/core/log.ts";
import { Redactor } from "../../src/core/redact.ts";
import { loadSettings } from "../../src/core/settings.ts";
import type { IndexEntry } from "../../src/registry/model.ts";
import { tempDir } from "../helpers/binary.ts";

const dir = tempDir();
afterAll(() => dir.cleanup());

function binDir(name: string, programs: string[]): string {
  const bin = join(dir.path, name);
  mkdirSync(bin, { recursive: true });
  for (const p of programs) {
    writeFileSync(join(bin, p), "#!/bin/sh\nexit 0\n");
    chmodSync(join(bin, p), 0o755);
  }
  return bin;
}

function entry(name: string, overrides: Partial<IndexEntry> = {}): IndexEntry {
  return {
    name,
    connector_type: "source",
    display_name: name,
    definition_id: "00000000-0000-0000-0000-000000000000",
    docker_repository: `airbyte/${name}`,
    docker_image_tag: "1.2.3",
    language: "python",
    install_types: ["docker", "python"],
    pypi_package_name: `airbyte-${name}`,
    support_level: null,
    release_stage: null,
    source_type: null,
    documentation_url: null,
    release_date: null,
    github_issue_label: null,
    suggested_streams: null,
    external_documentation_urls: null,
    last_published: null,
    release_candidates: [],
    breaking_changes: [],
    has_spec: true,
    ...overrides,
  } as IndexEntry;
}

const settings = loadSettings({
  env: { AIRBYTE_PROJECT_DIR: join(dir.path, "project"), AIRBYTE_NO_UV: "1" },
  prepareDirs: false,
});

async function select(
  name: string,
  options: { mode?: ExecutionMode; entry?: IndexEntry | null; path: string; req?: Partial<ConnectorRequest> },
) {
  return selectExecutor(
    {
      name,
      mode: options.mode ?? "auto",
      connectorVersion: null,
      dockerImage: null,
      pipUrl: null,
      executable: null,
      manifestPath: null,
      ...options.req,
    },
    {
      settings,
      redactor: new Redactor([]),
      log: createLogger({ level: "silent", structured: false, redactor: new Redactor([]) }),
      lookup: async () => (options.entry === undefined ? entry(name) : options.entry),
      lookupError: () => new ToolError(`No connector named '${name}' in the registry.`),
      which: (command) => Bun.which(command, { PATH: options.path }),
      registryManifest: (e, version) => ({
        origin: `registry:${e.name}@${version ?? e.docker_image_tag}`,
        load: async () => "version: 6.0.0\n",
      }),
    },
  );
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ToolError) return error.text;
    throw error;
  }
  throw new Error("expected a ToolError");
}

const everything = binDir("all", ["python3", "docker", "source-onpath"]);
/** A python3 that cannot make a venv (Debian's without python3-venv): the probe fails. */
function brokenPythonDir(name: string, programs: string[]): string {
  const bin = binDir(name, programs);
  writeFileSync(
    join(bin, "python3"),
    "#!/bin/sh\necho \"ModuleNotFoundError: No module named 'ensurepip'\" >&2\nexit 1\n",
  );
  chmodSync(join(bin, "python3"), 0o755);
  return bin;
}
const dockerOnly = binDir("docker-only", ["docker"]);
const nothing = binDir("empty", []);

describe("auto mode", () => {
  test("source-faker runs built in, with the reason", async () => {
    const ex = await select("source-faker", { path: everything });
    expect(ex.info.kind).toBe("builtin");
    expect(ex.info.reason).toContain("in-process");
  });

  test("a pinned version of source-faker needs the real connector", async () => {
    const ex = await select("source-faker", { path: everything, req: { connectorVersion: "6.2.1" } });
    expect(ex.info.kind).toBe("python");
    expect(ex.info.target).toContain("airbyte-source-faker==6.2.1");
  });

  test("an executable of that name on PATH comes before Python and Docker", async () => {
    const ex = await select("source-onpath", { path: everything });
    expect(ex.info.kind).toBe("path");
    expect(ex.info.target).toBe(join(everything, "source-onpath"));
    expect(ex.info.reason).toContain("on PATH");
  });

  test("a python3 that cannot make a venv is passed over for the container, with the reason", async () => {
    const ex = await select("source-py", { path: brokenPythonDir("broken-python", ["docker"]) });
    expect(ex.info.kind).toBe("docker");
    expect(ex.info.reason).toContain("cannot make a venv with pip");
    expect(ex.info.reason).toContain("python3-venv");
    const text = await refusal(select("source-py", { path: brokenPythonDir("broken-python-alone", []) }));
    expect(text).toContain("cannot make a venv with pip");
    expect(text).toContain("no container CLI");
  });

  test("a PyPI connector runs in a venv when python3 is there, else in a container", async () => {
    expect((await select("source-py", { path: everything })).info.kind).toBe("python");
    const ex = await select("source-py", { path: dockerOnly });
    expect(ex.info.kind).toBe("docker");
    expect(ex.info.target).toBe("airbyte/source-py:1.2.3 via docker");
    expect(ex.info.reason).toContain("neither uv nor python3");
  });

  test("a manifest-only connector runs natively from the registry's manifest, even with Docker and Python around", async () => {
    const manifest = entry("source-pokeapi", {
      language: "manifest-only",
      install_types: ["docker", "yaml"],
      pypi_package_name: null,
    });
    const ex = await select("source-pokeapi", { path: everything, entry: manifest });
    expect(ex.info.kind).toBe("yaml");
    expect(ex.info.reason).toContain("manifest-only");
    expect(ex.info.target).toBe(`registry:source-pokeapi@${manifest.docker_image_tag}`);
    const pinned = await select("source-pokeapi", {
      path: everything,
      entry: manifest,
      req: { connectorVersion: "0.3.0" },
    });
    expect(pinned.info).toMatchObject({
      kind: "yaml",
      target: "registry:source-pokeapi@0.3.0",
      version: "0.3.0",
    });
  });

  test("with no way to run it, the error lists every reason", async () => {
    const text = await refusal(select("source-py", { path: nothing }));
    expect(text).toContain("No way to run source-py");
    expect(text).toContain("neither uv nor python3");
    expect(text).toContain("no container CLI 'docker'");
  });

  test("a connector missing from the registry is the registry's error", async () => {
    expect(await refusal(select("source-nowhere", { path: everything, entry: null }))).toContain(
      "No connector named 'source-nowhere'",
    );
  });

  test("parameters decide first: executable, docker_image, pip_url", async () => {
    const exe = await select("source-x", {
      path: nothing,
      entry: null,
      req: { executable: "/opt/x/run --flag 'a b'" },
    });
    expect(exe.info.kind).toBe("path");
    expect(exe.info.target).toBe("/opt/x/run --flag a b");
    const img = await select("source-x", { path: nothing, entry: null, req: { dockerImage: "me/x:2.0" } });
    expect(img.info).toMatchObject({ kind: "docker", version: "2.0" });
    const pip = await select("source-x", { path: nothing, entry: null, req: { pipUrl: "/wheels/x.whl" } });
    expect(pip.info.kind).toBe("python");
  });
});

describe("explicit modes", () => {
  test("docker with a pinned version uses that tag", async () => {
    const ex = await select("source-py", {
      mode: "docker",
      path: nothing,
      req: { connectorVersion: "0.9.0" },
    });
    expect(ex.info).toMatchObject({
      kind: "docker",
      target: "airbyte/source-py:0.9.0 via docker",
      version: "0.9.0",
    });
  });

  test("python refuses a connector that is not on PyPI, and says what to do", async () => {
    const java = entry("source-java", { language: "java", pypi_package_name: null });
    const text = await refusal(select("source-java", { mode: "python", path: everything, entry: java }));
    expect(text).toContain("not published on PyPI");
    expect(text).toContain("pip_url");
  });

  test("builtin refuses other connectors; path needs the program", async () => {
    expect(await refusal(select("source-py", { mode: "builtin", path: everything }))).toContain(
      "not built into",
    );
    expect(await refusal(select("source-py", { mode: "path", path: everything }))).toContain(
      "no executable named",
    );
  });

  test("yaml needs a manifest: a connector that is not manifest-only is refused with what to do", async () => {
    const text = await refusal(select("source-py", { mode: "yaml", path: everything }));
    expect(text).toContain("not a manifest-only connector");
    expect(text).toContain("manifest_path");
  });

  test("manifest_path must be absolute, and a manifest beside a components.py is refused", async () => {
    expect(
      await refusal(select("source-x", { path: everything, req: { manifestPath: "manifest.yaml" } })),
    ).toContain("absolute path");
    const folder = join(dir.path, "custom");
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, "manifest.yaml"), "version: 6.0.0\n");
    writeFileSync(join(folder, "components.py"), "class X: pass\n");
    const ex = await select("source-x", {
      path: everything,
      req: { manifestPath: join(folder, "manifest.yaml") },
    });
    expect(ex.info.kind).toBe("yaml");
    const text = await refusal(ex.prepare(new AbortController().signal));
    expect(text).toContain("components.py");
    expect(text).toContain("'python' or 'docker'");
  });

  test("names that could escape the install dir are refused", async () => {
    expect(await refusal(select("../../etc", { path: everything }))).toContain("not a valid connector name");
  });
});
