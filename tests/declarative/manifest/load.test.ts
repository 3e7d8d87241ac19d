// loadManifest end to end: YAML, the default top-level type, parameters reaching the components
// the runtime reads, and the real manifests of the shared fixtures.

import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { loadManifest, ManifestError, manifestVersion } from "../../../src/declarative/manifest/load.ts";
import { FIXTURES, skipWithoutFixtures } from "../../helpers/fixtures.ts";

const skip = skipWithoutFixtures("manifest fixture loading");

function thrown(run: () => unknown): ManifestError {
  try {
    run();
  } catch (error) {
    if (error instanceof ManifestError) return error;
    throw error;
  }
  throw new Error("expected a ManifestError");
}

const MINIMAL = `
version: 0.79.1
check:
  stream_names: [users]
definitions:
  base:
    retriever:
      requester:
        url_base: https://api.example.com
        path: "/{{ parameters.path }}"
      record_selector:
        extractor:
          field_path: ["{{ parameters.data_field }}"]
streams:
  - $ref: "#/definitions/base"
    $parameters:
      name: users
      path: v1/users
      primary_key: id
      data_field: items
`;

describe("loadManifest", () => {
  test("fills in types, resolves references and carries $parameters into the components", () => {
    const manifest = loadManifest(MINIMAL, "minimal.yaml");
    const parameters = { name: "users", path: "v1/users", primary_key: "id", data_field: "items" };
    expect(manifest).toMatchObject({
      type: "DeclarativeSource",
      check: { type: "CheckStream", stream_names: ["users"] },
      streams: [
        {
          type: "DeclarativeStream",
          name: "users",
          primary_key: "id",
          $parameters: parameters,
          retriever: {
            type: "SimpleRetriever",
            record_selector: {
              type: "RecordSelector",
              extractor: {
                type: "DpathExtractor",
                field_path: ["{{ parameters.data_field }}"],
                $parameters: parameters,
              },
            },
          },
        },
      ],
    });
    // A field already set keeps its value; the parameters stay available for {{ parameters... }}.
    const streams = manifest.streams as { retriever: { requester: unknown } }[];
    expect(streams[0]?.retriever.requester).toEqual({
      type: "HttpRequester",
      url_base: "https://api.example.com",
      path: "/{{ parameters.path }}",
      ...{ name: "users", primary_key: "id", data_field: "items" },
      $parameters: parameters,
    });
    expect(manifestVersion(manifest)).toBe("0.79.1");
  });

  test("accepts any version string", () => {
    const manifest = loadManifest(MINIMAL.replace("version: 0.79.1", "version: 99.1.0-dev"), "v.yaml");
    expect(manifestVersion(manifest)).toBe("99.1.0-dev");
  });

  test("a YAML syntax error names the origin, line and column", () => {
    const error = thrown(() => loadManifest("version: 1\nstreams:\n  - name: [a\n  b: c\n", "bad.yaml"));
    expect(error.problems[0]?.kind).toBe("yaml");
    expect(error.message).toStartWith("bad.yaml: YAML syntax error at line 4, column 3: ");
    expect(error.path).toBe("");
  });

  test("a YAML document that is not a mapping", () => {
    expect(thrown(() => loadManifest("- a\n- b\n", "list.yaml")).message).toBe(
      "list.yaml: a manifest is a YAML mapping (an object) at the top level, got array",
    );
  });

  test("YAML as PyYAML reads it: a later duplicate key wins, merge keys and anchors work", () => {
    const text = `${MINIMAL}
spec:
  connection_specification: &spec
    type: object
    properties: {}
  connection_specification: {<<: *spec, required: [token]}
`;
    const manifest = loadManifest(text, "dup.yaml");
    expect(manifest.spec).toEqual({
      type: "Spec",
      connection_specification: { type: "object", properties: {}, required: ["token"] },
    });
  });
});

describe.skipIf(skip)("the shared fixture manifests", () => {
  const dir = join(FIXTURES, "manifests");
  const files = skip
    ? []
    : readdirSync(dir).filter((f) => f.endsWith(".yaml") && !f.endsWith(".metadata.yaml"));

  test("are the seven expected", () => {
    expect(files).toHaveLength(7);
  });

  for (const file of files) {
    test(`${file} loads`, () => {
      const text = readFileSync(join(dir, file), "utf8");
      const manifest = loadManifest(text, file) as { streams: { name: string; type: string }[] };
      const names = manifest.streams.map((s) => s.name);
      expect(names.length).toBeGreaterThan(0);
      expect(new Set(names).size).toBe(names.length);
      expect(manifest.streams.every((s) => s.type === "DeclarativeStream")).toBe(true);
    });
  }

  test("every corpus manifest loads or fails with a ManifestError, never another exception", () => {
    const corpus = join(FIXTURES, "manifests-corpus");
    const outcomes = { loaded: 0, refused: 0 };
    for (const file of readdirSync(corpus).filter((f) => f.endsWith(".yaml"))) {
      try {
        loadManifest(readFileSync(join(corpus, file), "utf8"), file);
        outcomes.loaded++;
      } catch (error) {
        if (!(error instanceof ManifestError)) throw new Error(`${file}: ${String(error)}`);
        expect(error.problems.length, file).toBeGreaterThan(0);
        outcomes.refused++;
      }
    }
    expect(outcomes.loaded + outcomes.refused).toBe(331);
    // Most of the corpus is plain components; a collapse here means the loader broke.
    expect(outcomes.loaded).toBeGreaterThan(300);
  }, 120_000); // 25 MB of YAML

  test("corpus manifests with a components.py are refused as custom code", () => {
    const corpus = join(FIXTURES, "manifests-corpus");
    const index = JSON.parse(readFileSync(join(corpus, "INDEX.json"), "utf8")) as {
      manifests: { name: string; has_components_py: boolean }[];
    };
    const withCode = index.manifests.filter((m) => m.has_components_py);
    expect(withCode.length).toBeGreaterThan(0);
    for (const { name } of withCode) {
      const error = thrown(() => loadManifest(readFileSync(join(corpus, `${name}.yaml`), "utf8"), name));
      expect(
        error.problems.some((p) => p.kind === "custom"),
        name,
      ).toBe(true);
    }
  }, 60_000);
});
