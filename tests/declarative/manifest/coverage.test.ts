// scripts/manifest-coverage.ts run as a process on a folder of small manifests written here.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";

const SCRIPT = join(import.meta.dir, "..", "..", "..", "scripts", "manifest-coverage.ts");

function manifest(retriever: Record<string, unknown>, extraStream?: Record<string, unknown>): string {
  const stream = {
    name: "users",
    retriever: {
      requester: { url_base: "https://api.example.com", path: "/users" },
      record_selector: { extractor: { field_path: [] } },
      ...retriever,
    },
  };
  return stringify({
    version: "6.0.0",
    check: { stream_names: ["users"] },
    streams: extraStream ? [stream, extraStream] : [stream],
  });
}

/** A stream whose schema loader the runner refuses (it reads a file of the connector's package). */
const EXPORT = {
  name: "export",
  retriever: {
    requester: { url_base: "https://api.example.com", path: "/export" },
    record_selector: { extractor: { field_path: [] } },
  },
  schema_loader: { type: "JsonFileSchemaLoader" },
};

let folder = "";
beforeAll(() => {
  folder = mkdtempSync(join(tmpdir(), "manifest-coverage-"));
  writeFileSync(join(folder, "source-good.yaml"), manifest({}));
  writeFileSync(
    join(folder, "source-custom.yaml"),
    manifest(
      {
        paginator: {
          type: "DefaultPaginator",
          pagination_strategy: { class_name: "source_custom.components.Pages" },
        },
      },
      EXPORT,
    ),
  );
  writeFileSync(
    join(folder, "source-broken.yml"),
    manifest({ record_selector: { extractor: { field_path: "data" } } }),
  );
  writeFileSync(join(folder, "source-partial.yaml"), manifest({}, EXPORT));
  writeFileSync(join(folder, "source-good.metadata.yaml"), "data: {name: good}\n");
  writeFileSync(join(folder, "notes.txt"), "not a manifest");
});
afterAll(() => rmSync(folder, { recursive: true, force: true }));

async function run(...args: string[]) {
  const child = Bun.spawn(["bun", SCRIPT, ...args], { stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  return { stdout, stderr, code };
}

describe("manifest-coverage", () => {
  test("prints a line per manifest, the totals and the most-missed types", async () => {
    const { stdout, code } = await run(folder);
    expect(code).toBe(0);
    expect(stdout.split("\n")).toEqual([
      "source-broken   fails  streams[0] (users).retriever.record_selector.extractor.field_path: expected a list, got string",
      "source-custom   fails  CustomPaginationStrategy×1, JsonFileSchemaLoader×1",
      "source-good     loads",
      "source-partial  runs 1 of 2 streams  JsonFileSchemaLoader×1",
      "",
      "2 of 4 load (50.0%), 1 of them without some streams",
      "most-missed component types (manifests, occurrences):",
      "  JsonFileSchemaLoader  2, 2",
      "  CustomPaginationStrategy  1, 1",
      "",
    ]);
  });

  test("--json gives the same facts as data", async () => {
    const { stdout, code } = await run(folder, "--json");
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report).toMatchObject({ total: 4, loaded: 2, crashed: 0 });
    expect(report.manifests.map((m: { name: string; loads: boolean }) => [m.name, m.loads])).toEqual([
      ["source-broken", false],
      ["source-custom", false],
      ["source-good", true],
      ["source-partial", true],
    ]);
    expect(report.manifests[3]).toMatchObject({ streams: 2, streamsLeftOut: 1 });
    expect(report.manifests[1].missing).toEqual({ CustomPaginationStrategy: 1, JsonFileSchemaLoader: 1 });
    expect(report.mostMissed).toEqual([
      { type: "JsonFileSchemaLoader", manifests: 2, occurrences: 2 },
      { type: "CustomPaginationStrategy", manifests: 1, occurrences: 1 },
    ]);
  });

  test("without a folder it prints its usage and exits 2", async () => {
    const { stderr, code } = await run();
    expect(code).toBe(2);
    expect(stderr).toContain("usage: bun scripts/manifest-coverage.ts <folder> [--json]");
  });
});
