// The registry tools through the compiled binary, against the fake registry, then with the
// network gone: the binary keeps answering from its cache, then from its embedded snapshot.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { FakeRegistryServer, REGISTRY_FIXTURE } from "../fakes/registry-server.ts";
import { binaryPath, cleanEnv, runBinary, tempDir } from "../helpers/binary.ts";
import { skipWithoutFixtures } from "../helpers/fixtures.ts";
import { connect, ERAS } from "../helpers/mcp-client.ts";

const skip = skipWithoutFixtures("registry end-to-end tests");
const dir = tempDir();
let server: FakeRegistryServer;
// Kept after the server stops: the same addresses, now refusing connections.
let urls = { registry: "", metadata: "", docs: "" };
beforeAll(async () => {
  await binaryPath();
  if (skip) return;
  server = new FakeRegistryServer().start();
  urls = { registry: server.registryUrl, metadata: server.metadataUrl, docs: server.url };
}, 60_000);
afterAll(async () => {
  await server?.stop();
  dir.cleanup();
});

const live = (project: string, extra: Record<string, string> = {}) =>
  cleanEnv(dir.path, {
    AIRBYTE_PROJECT_DIR: join(dir.path, project),
    AIRBYTE_LOCAL_REGISTRY: urls.registry,
    AIRBYTE_CONNECTOR_METADATA_URL: urls.metadata,
    AIRBYTE_DOCS_URL: urls.docs,
    AIRBYTE_HTTP_TIMEOUT: "1",
    ...extra,
  });
const call = async (env: Record<string, string>, tool: string, args: Record<string, unknown>) => {
  const r = await runBinary(["call", tool, "--json", JSON.stringify(args)], { env });
  if (r.code !== 0) throw new Error(`${tool} exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout);
};

describe.skipIf(skip)("registry through the binary", () => {
  test("answers over MCP in both eras", async () => {
    for (const era of ERAS) {
      const s = await connect(era, live("mcp"));
      try {
        const result = await s.client.callTool({
          name: "get_connector_info",
          arguments: { connector_name: "source-pokeapi" },
        });
        expect(result.isError).toBeFalsy();
        expect(
          (result.structuredContent as { connector_metadata: { language: string } }).connector_metadata
            .language,
        ).toBe("manifest-only");
        const missing = await s.client.callTool({
          name: "get_connector_info",
          arguments: { connector_name: "source-pokeap" },
        });
        expect(missing.isError).toBe(true);
        expect((missing.content as { text: string }[])[0]?.text).toContain("source-pokeapi");
      } finally {
        await s.close();
      }
    }
  });

  test("a missing connector exits 1 with the closest names", async () => {
    const r = await runBinary(
      ["call", "get_connector_info", "--json", '{"connector_name": "destination-postgress"}'],
      {
        env: live("missing"),
      },
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("destination-postgres");
  });

  test("with the network gone it keeps answering: stale cache first, then the embedded snapshot", async () => {
    const registry = JSON.parse(readFileSync(REGISTRY_FIXTURE, "utf8"));
    const expectedGithub = [...registry.sources, ...registry.destinations]
      .map((e: { dockerRepository: string }) => e.dockerRepository.replace(/^airbyte\//, ""))
      .filter((n: string) => n.includes("github"))
      .sort();
    const warm = await call(live("offline"), "list_connectors", { keyword_filter: "github" });
    expect(warm.registry.source).toBe("network");
    await call(live("offline"), "get_connector_info", { connector_name: "source-github" });

    await server.stop();
    const stale = await call(live("offline", { AIRBYTE_REGISTRY_CACHE_TTL: "0" }), "list_connectors", {
      keyword_filter: "github",
    });
    expect(stale.connectors).toEqual(expectedGithub);
    expect(stale.registry).toMatchObject({ source: "cache", stale: true });
    const info = await call(live("offline", { AIRBYTE_REGISTRY_CACHE_TTL: "0" }), "get_connector_info", {
      connector_name: "source-github",
    });
    expect(info.config_spec_jsonschema).not.toBeNull();

    const cold = await call(live("cold"), "list_connectors", { keyword_filter: "github" });
    expect(cold.connectors).toEqual(expectedGithub);
    expect(cold.registry.source).toBe("snapshot");
    expect(cold.registry.note).toContain("snapshot embedded in this binary");
    const history = await call(live("cold"), "get_connector_version_history", {
      connector_name: "source-github",
    });
    expect(history.changelog_available).toBe(false);
    expect(history.versions.map((v: { version: string }) => v.version)).toContain(
      registry.sources.find(
        (s: { dockerRepository: string }) => s.dockerRepository === "airbyte/source-github",
      ).dockerImageTag,
    );
  }, 30_000);
});
