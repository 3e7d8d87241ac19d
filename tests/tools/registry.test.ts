// The four registry tools through the real call path, against the fake registry built on the real
// registry snapshot. Expected answers are computed from the fixture JSON here, not typed in.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { invokeTool } from "../../src/core/invoke.ts";
import { createRuntime } from "../../src/core/runtime.ts";
import { buildIndex } from "../../src/registry/model.ts";
import { ALL_TOOLS } from "../../src/tools/index.ts";
import {
  changelogRows,
  FakeRegistryServer,
  FIXTURES,
  REGISTRY_FIXTURE,
  REGISTRY_PATH,
} from "../fakes/registry-server.ts";
import { tempDir } from "../helpers/binary.ts";
import { skipWithoutFixtures } from "../helpers/fixtures.ts";

const skip = skipWithoutFixtures("registry tool tests");
let server: FakeRegistryServer;
const dir = tempDir();
afterAll(async () => {
  await server?.stop();
  dir.cleanup();
});
beforeAll(() => {
  if (!skip) server = new FakeRegistryServer().start();
});

interface Raw {
  dockerRepository: string;
  dockerImageTag: string;
  language?: string;
  tags?: string[];
  remoteRegistries?: { pypi?: { enabled?: boolean; packageName?: string } };
  spec?: { connectionSpecification?: unknown };
  documentationUrl?: string;
  releases?: {
    breakingChanges?: Record<string, { message: string }>;
    releaseCandidates?: Record<string, unknown>;
  };
}
const registry = skip
  ? { sources: [] as Raw[], destinations: [] as Raw[] }
  : (JSON.parse(readFileSync(REGISTRY_FIXTURE, "utf8")) as { sources: Raw[]; destinations: Raw[] });
const all = [
  ...registry.sources.map((raw) => ({ type: "source" as const, raw })),
  ...registry.destinations.map((raw) => ({ type: "destination" as const, raw })),
];
const nameOf = (raw: Raw) => raw.dockerRepository.replace(/^airbyte\//, "");
const lang = (raw: Raw) =>
  raw.language ?? raw.tags?.find((t) => t.startsWith("language:"))?.slice(9) ?? "unknown";
const find = (pred: (x: (typeof all)[number]) => boolean) => {
  const hit = all.find(pred);
  if (!hit) throw new Error("no such connector in the fixture");
  return hit;
};

let n = 0;
function runtime(extra: Record<string, string> = {}, snapshot = false) {
  const project = join(dir.path, `p${n++}`);
  return createRuntime({
    env: {
      HOME: dir.path,
      AIRBYTE_PROJECT_DIR: project,
      AIRBYTE_LOCAL_REGISTRY: server.registryUrl,
      AIRBYTE_CONNECTOR_METADATA_URL: server.metadataUrl,
      AIRBYTE_DOCS_URL: server.url,
      AIRBYTE_HTTP_TIMEOUT: "1",
      ...extra,
    },
    tools: ALL_TOOLS,
    snapshot: async () =>
      snapshot ? buildIndex(server.registryText, "fixture", "2025-01-30T00:00:00Z") : null,
  });
}
async function call(rt: ReturnType<typeof runtime>, name: string, args: Record<string, unknown>) {
  const outcome = await invokeTool(rt.tools, name, args, rt.context(), { kind: "stdio" });
  if (!outcome.ok) throw new Error(`${name} failed: ${outcome.message}`);
  // biome-ignore lint/suspicious/noExplicitAny: results are checked field by field against the fixture.
  return outcome.result as Record<string, any>;
}
async function failure(rt: ReturnType<typeof runtime>, name: string, args: Record<string, unknown>) {
  const outcome = await invokeTool(rt.tools, name, args, rt.context(), { kind: "stdio" });
  if (outcome.ok) throw new Error(`${name} should have failed`);
  return outcome.message;
}

describe.skipIf(skip)("list_connectors", () => {
  const installTypes = ["docker", "python", "java", "yaml"] as const;
  const expected = (type: string | null, install: readonly string[] | null, keyword: string | null) =>
    all
      .filter(({ type: t, raw }) => {
        if (type && t !== type) return false;
        if (keyword && !nameOf(raw).toLowerCase().includes(keyword.toLowerCase())) return false;
        if (!install) return true;
        const pypi = raw.remoteRegistries?.pypi;
        return install.some(
          (i) =>
            i === "docker" ||
            (i === "python" && pypi?.enabled === true && !!pypi.packageName) ||
            (i === "java" && lang(raw) === "java") ||
            (i === "yaml" && lang(raw) === "manifest-only"),
        );
      })
      .map(({ raw }) => nameOf(raw))
      .sort();

  test("every connector type x install type agrees with a filter computed over the registry JSON", async () => {
    const rt = runtime();
    for (const type of [null, "source", "destination"]) {
      for (const install of [null, ...installTypes.map((i) => [i]), ["python", "java"], ["yaml", "python"]]) {
        const args = {
          connector_type_filter: type,
          install_types: install && install.length === 1 ? install[0] : install,
        };
        const result = await call(rt, "list_connectors", args);
        const want = expected(type, install, null);
        expect({ args, connectors: result.connectors }).toEqual({ args, connectors: want });
        expect(result.count).toBe(want.length);
      }
    }
    expect(server.count(REGISTRY_PATH)).toBeGreaterThanOrEqual(1);
  });

  test("keyword filter is a case-insensitive substring of the name; provenance says where the data came from", async () => {
    const rt = runtime();
    const result = await call(rt, "list_connectors", { keyword_filter: "PostGres" });
    expect(result.connectors).toEqual(expected(null, null, "postgres"));
    expect(result.connectors.length).toBeGreaterThan(1);
    expect(result.registry).toMatchObject({ source: "network", location: server.registryUrl, stale: false });
  });
});

describe.skipIf(skip)("get_connector_info", () => {
  const cases = [
    [
      "manifest-only source",
      (x: (typeof all)[number]) => x.type === "source" && lang(x.raw) === "manifest-only",
    ],
    ["python source", (x: (typeof all)[number]) => x.type === "source" && lang(x.raw) === "python"],
    ["java source", (x: (typeof all)[number]) => x.type === "source" && lang(x.raw) === "java"],
    ["destination", (x: (typeof all)[number]) => x.type === "destination" && lang(x.raw) === "java"],
    ["python destination", (x: (typeof all)[number]) => x.type === "destination" && lang(x.raw) === "python"],
  ] as const;

  test.each(cases)("%s", async (_label, pred) => {
    const { type, raw } = find(pred);
    const name = nameOf(raw);
    const rt = runtime();
    const info = await call(rt, "get_connector_info", { connector_name: name });
    expect(info.connector_name).toBe(name);
    expect(info.connector_metadata.connector_type).toBe(type);
    expect(info.connector_metadata.latest_available_version).toBe(raw.dockerImageTag);
    expect(info.connector_metadata.language).toBe(lang(raw));
    expect(info.config_spec_jsonschema).toEqual(raw.spec?.connectionSpecification ?? null);
    expect(info.documentation_url).toContain(`/integrations/${type}s/`);
    if (raw.documentationUrl) expect(info.documentation_url).toBe(raw.documentationUrl);
    if (lang(raw) === "manifest-only") {
      expect(info.manifest_url).toBe(`${server.metadataUrl}/${name}/${raw.dockerImageTag}/manifest.yaml`);
    } else {
      expect(info.manifest_url).toBeNull();
    }
  });

  test("a manifest_url points at a file the metadata service serves", async () => {
    const rt = runtime();
    const info = await call(rt, "get_connector_info", { connector_name: "source-pokeapi" });
    const response = await fetch(info.manifest_url);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("DeclarativeSource");
  });

  test("names are matched case-insensitively and with the airbyte/ prefix", async () => {
    const rt = runtime();
    const { raw } = find((x) => x.type === "source");
    const info = await call(rt, "get_connector_info", {
      connector_name: `airbyte/${nameOf(raw).toUpperCase()}`,
    });
    expect(info.connector_name).toBe(nameOf(raw));
  });

  test("an unknown connector is a tool error naming the closest names", async () => {
    const rt = runtime();
    const message = await failure(rt, "get_connector_info", { connector_name: "source-postgress" });
    expect(message).toContain("No connector named 'source-postgress'");
    expect(message).toContain("source-postgres");
  });

  test("with only the snapshot, the spec comes from the metadata service: cloud.json, else oss.json", async () => {
    const { raw } = find((x) => x.type === "destination" && !!x.raw.spec);
    const name = nameOf(raw);
    server.cloudMissing.add(name);
    try {
      const rt = runtime({ AIRBYTE_LOCAL_REGISTRY: "http://127.0.0.1:9/registry.json" }, true);
      const before = server.requests.length;
      const info = await call(rt, "get_connector_info", { connector_name: name });
      expect(info.registry.source).toBe("snapshot");
      expect(info.config_spec_jsonschema).toEqual(raw.spec?.connectionSpecification ?? null);
      const paths = server.requests.slice(before).map((r) => `${r.status} ${r.path.split("/").pop()}`);
      expect(paths).toEqual(["404 cloud.json", "200 oss.json"]);
      expect(info.notes.join(" ")).toContain("snapshot");
    } finally {
      server.cloudMissing.delete(name);
    }
  });

  test("when the spec cannot be fetched at all, it is null and a note says why", async () => {
    server.faults.metadata = "500";
    try {
      const rt = runtime({ AIRBYTE_LOCAL_REGISTRY: "http://127.0.0.1:9/registry.json" }, true);
      const info = await call(rt, "get_connector_info", { connector_name: "source-pokeapi" });
      expect(info.config_spec_jsonschema).toBeNull();
      expect(info.notes.join(" ")).toContain("config spec could not be fetched");
    } finally {
      server.faults.metadata = "ok";
    }
  });
});

describe.skipIf(skip)("get_api_docs_urls", () => {
  test("the docs page first, then metadata.yaml's external docs, deduplicated", async () => {
    const rt = runtime();
    const { raw } = find((x) => nameOf(x.raw) === "source-sendgrid");
    const result = await call(rt, "get_api_docs_urls", { connector_name: "source-sendgrid" });
    expect(result.docs_urls[0]).toEqual({
      title: expect.stringContaining("Airbyte documentation"),
      url: raw.documentationUrl,
      source: "registry",
      doc_type: "other",
      requires_login: false,
    });
    const urls = result.docs_urls.map((d: { url: string }) => d.url);
    expect(new Set(urls).size).toBe(urls.length);
  });

  test("external docs in the registry entry are listed (newer registry format)", async () => {
    const json = JSON.parse(server.registryText);
    const entry = json.sources.find((s: Raw) => nameOf(s) === "source-pokeapi");
    entry.externalDocumentationUrls = [
      { title: "PokeAPI reference", url: "https://pokeapi.co/docs/v2", type: "api_reference" },
      { title: "Duplicate of the docs page", url: entry.documentationUrl },
    ];
    const file = join(dir.path, "registry-with-external-docs.json");
    writeFileSync(file, JSON.stringify(json));
    const rt = runtime({ AIRBYTE_LOCAL_REGISTRY: file });
    const result = await call(rt, "get_api_docs_urls", { connector_name: "source-pokeapi" });
    expect(result.docs_urls.map((d: { url: string; source: string }) => [d.source, d.url])).toEqual([
      ["registry", entry.documentationUrl],
      ["registry_external_docs", "https://pokeapi.co/docs/v2"],
    ]);
    expect(result.registry.source).toBe("file");
  });
});

describe.skipIf(skip)("get_connector_version_history", () => {
  test("versions from the docs changelog, with breaking changes and the registry's publish time", async () => {
    const { raw } = find(
      (x) => !!x.raw.releases?.breakingChanges && x.raw.dockerImageTag.split(".")[2] !== "0",
    );
    const name = nameOf(raw);
    const rt = runtime();
    const result = await call(rt, "get_connector_version_history", { connector_name: name });
    const rows = changelogRows(raw);
    const rcs = Object.keys(raw.releases?.releaseCandidates ?? {});
    expect(result.changelog_available).toBe(true);
    expect(result.latest_version).toBe(raw.dockerImageTag);
    const fromChangelog = result.versions.filter(
      (v: { is_release_candidate: boolean }) => !v.is_release_candidate,
    );
    expect(fromChangelog.map((v: { version: string }) => v.version)).toEqual(rows.map((r) => r.version));
    expect(fromChangelog.map((v: { release_date: string }) => v.release_date)).toEqual(
      rows.map((r) => r.date),
    );
    expect(fromChangelog[0].pr_url).toBe(`https://github.com/airbytehq/airbyte/pull/${rows[0]?.pr}`);
    expect(fromChangelog[0].pr_title).toBe(rows[0]?.subject);
    expect(
      result.versions
        .filter((v: { is_release_candidate: boolean }) => v.is_release_candidate)
        .map((v: { version: string }) => v.version)
        .sort(),
    ).toEqual(rcs.sort());
    const latest = result.versions.find((v: { version: string }) => v.version === raw.dockerImageTag);
    expect(latest.registry_published_at).not.toBeNull();
    expect(latest.docker_image_url).toBe(
      `https://hub.docker.com/r/${raw.dockerRepository}/tags?name=${raw.dockerImageTag}`,
    );
    for (const [version, bc] of Object.entries(raw.releases?.breakingChanges ?? {})) {
      const v = result.versions.find((x: { version: string }) => x.version === version);
      if (v) expect(v.breaking_change).toContain(bc.message.slice(0, 40));
    }
    const limited = await call(rt, "get_connector_version_history", { connector_name: name, limit: 2 });
    expect(limited.versions).toHaveLength(2);
  });

  test("without the docs site, only what the registry knows is listed, and the note says so", async () => {
    server.faults.docs = "500";
    try {
      const { raw } = find((x) => !!x.raw.releases?.breakingChanges);
      const rt = runtime();
      const result = await call(rt, "get_connector_version_history", { connector_name: nameOf(raw) });
      expect(result.changelog_available).toBe(false);
      expect(result.notes.join(" ")).toContain("changelog");
      const expectedVersions = new Set([
        raw.dockerImageTag,
        ...Object.keys(raw.releases?.releaseCandidates ?? {}),
        ...Object.keys(raw.releases?.breakingChanges ?? {}),
      ]);
      expect(new Set(result.versions.map((v: { version: string }) => v.version))).toEqual(expectedVersions);
      for (const v of result.versions) {
        expect(v.release_date).toBeNull();
        expect(v.pr_url).toBeNull();
      }
    } finally {
      server.faults.docs = "ok";
    }
  });

  test("the registry is downloaded once per process, however many versions are checked", async () => {
    const rt = runtime();
    const before = server.count(REGISTRY_PATH);
    for (const name of ["source-sendgrid", "source-strava", "destination-postgres"]) {
      await call(rt, "get_connector_version_history", { connector_name: name, num_versions_to_validate: 20 });
      await call(rt, "get_connector_info", { connector_name: name });
    }
    expect(server.count(REGISTRY_PATH) - before).toBe(1);
  });
});

describe.skipIf(skip)("registry sources", () => {
  test("a disabled registry gives every registry tool a clear error", async () => {
    const rt = runtime({ AIRBYTE_LOCAL_REGISTRY: "0" });
    for (const [name, args] of [
      ["list_connectors", {}],
      ["get_connector_info", { connector_name: "source-github" }],
      ["get_api_docs_urls", { connector_name: "source-github" }],
      ["get_connector_version_history", { connector_name: "source-github" }],
    ] as const) {
      expect(await failure(rt, name, args)).toContain("registry is disabled (AIRBYTE_LOCAL_REGISTRY=0)");
    }
  });

  test("AIRBYTE_LOCAL_REGISTRY as a file", async () => {
    const rt = runtime({ AIRBYTE_LOCAL_REGISTRY: REGISTRY_FIXTURE });
    const result = await call(rt, "list_connectors", {});
    expect(result.count).toBe(all.length);
    expect(result.registry).toMatchObject({ source: "file", location: REGISTRY_FIXTURE });
    const bad = join(dir.path, "not-a-registry.json");
    writeFileSync(bad, "[1,2,3]");
    expect(await failure(runtime({ AIRBYTE_LOCAL_REGISTRY: bad }), "list_connectors", {})).toContain(
      "not a usable registry",
    );
    expect(
      await failure(runtime({ AIRBYTE_LOCAL_REGISTRY: "/no/such/registry.json" }), "list_connectors", {}),
    ).toContain("cannot be read");
  });

  test("with the network gone the tools keep answering: from the stale cache, then from the snapshot", async () => {
    const project = {
      AIRBYTE_PROJECT_DIR: join(dir.path, "offline-project"),
      AIRBYTE_REGISTRY_CACHE_TTL: "0",
    };
    await call(runtime(project), "get_connector_info", { connector_name: "source-sendgrid" });
    server.faults = { registry: "hang", metadata: "hang", docs: "hang" };
    try {
      const info = await call(runtime(project), "get_connector_info", { connector_name: "source-sendgrid" });
      expect(info.registry).toMatchObject({ source: "cache", stale: true });
      expect(info.registry.note).toContain("may be stale");
      expect(info.config_spec_jsonschema).not.toBeNull();
      const listed = await call(runtime({}, true), "list_connectors", { keyword_filter: "sendgrid" });
      expect(listed.registry.source).toBe("snapshot");
      expect(listed.connectors).toEqual(["source-sendgrid"]);
      const offline = await call(runtime({ ...project, AIRBYTE_OFFLINE_MODE: "1" }), "list_connectors", {});
      expect(offline.registry.source).toBe("cache");
    } finally {
      server.faults = { registry: "ok", metadata: "ok", docs: "ok" };
    }
  }, 20_000);
});

describe.skipIf(skip)("registry robustness", () => {
  test("credentials in a registry URL never appear in results, notes or the cache", async () => {
    const secretUrl = `${server.registryUrl.replace("http://", "http://reguser:regpass-123@")}?sig=signed-query-xyz`;
    const rt = runtime({ AIRBYTE_LOCAL_REGISTRY: secretUrl, AIRBYTE_MCP_LOG_LEVEL: "silent" });
    const result = await call(rt, "list_connectors", { keyword_filter: "github" });
    const dead = runtime(
      { AIRBYTE_LOCAL_REGISTRY: "http://u:dead-pass-99@127.0.0.1:9/r.json?token=tok-77" },
      true,
    );
    const fromSnapshot = await call(dead, "list_connectors", {});
    const text = JSON.stringify([result, fromSnapshot]);
    for (const secret of ["reguser", "regpass-123", "signed-query-xyz", "dead-pass-99", "tok-77"]) {
      expect(text).not.toContain(secret);
    }
    const cacheDir = join(rt.settings.cacheRoot, "http");
    const files = [...new Bun.Glob("*.json").scanSync(cacheDir)];
    for (const f of files) expect(readFileSync(join(cacheDir, f), "utf8")).not.toContain("regpass-123");
  });

  test("a failed first load is retried on the next call", async () => {
    server.faults.registry = "500";
    const rt = runtime();
    try {
      expect(await failure(rt, "list_connectors", {})).toContain("HTTP 500");
    } finally {
      server.faults.registry = "ok";
    }
    const result = await call(rt, "list_connectors", {});
    expect(result.registry.source).toBe("network");
  });

  test("a corrupt cached body is dropped and downloaded again", async () => {
    const project = { AIRBYTE_PROJECT_DIR: join(dir.path, "corrupt") };
    const first = runtime(project);
    await call(first, "list_connectors", {});
    const cacheDir = join(first.settings.cacheRoot, "http");
    for (const f of new Bun.Glob("*.body").scanSync(cacheDir)) {
      // Same size, broken content: a disk error the size check cannot see.
      const path = join(cacheDir, f);
      writeFileSync(path, "x".repeat(readFileSync(path).length));
      for (const idx of new Bun.Glob(`${f}.index.json`).scanSync(cacheDir))
        writeFileSync(join(cacheDir, idx), "{");
    }
    const again = await call(runtime(project), "list_connectors", {});
    expect(again.registry.source).toBe("network");
    expect(again.count).toBe(all.length);
  });
});

describe.skipIf(skip)("a manifest-only connector runs from the registry's manifest", () => {
  const manifestFor = (name: string) => join(FIXTURES, "manifests", `${name}.yaml`);

  test("fetched once from the metadata service (the same streams as the file itself), then cached for offline use", async () => {
    const project = { AIRBYTE_PROJECT_DIR: join(dir.path, "manifest-cache") };
    const name = "source-pokeapi";
    const online = await call(runtime(project), "list_source_streams", { source_connector_name: name });
    expect(online.executor.kind).toBe("yaml");
    expect(online.executor.target).toContain(`/${name}/`);
    const local = await call(runtime({ AIRBYTE_MCP_TRUSTED_EXECUTION: "1" }), "list_source_streams", {
      source_connector_name: name,
      manifest_path: manifestFor(name),
    });
    expect(local.streams.length).toBeGreaterThan(0);
    expect(online.streams).toEqual(local.streams);
    const offline = await call(runtime({ ...project, AIRBYTE_OFFLINE_MODE: "1" }), "list_source_streams", {
      source_connector_name: name,
    });
    expect(offline.streams).toEqual(local.streams);
  });

  test("a manifest that cannot be fetched says so and names the ways around it", async () => {
    const missing = find(
      ({ type, raw }) =>
        type === "source" && lang(raw) === "manifest-only" && !existsSync(manifestFor(nameOf(raw))),
    );
    const message = await failure(runtime(), "list_source_streams", {
      source_connector_name: nameOf(missing.raw),
    });
    expect(message).toContain(`The manifest of ${nameOf(missing.raw)} ${missing.raw.dockerImageTag}`);
    expect(message).toContain("HTTP 404");
    expect(message).toContain("manifest_path");
    expect(message).toContain("override_execution_mode 'docker'");
  });
});
