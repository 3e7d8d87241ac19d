// The custom source definition tools against the fake Cloud, through the real call path: publishing
// (text, file, pre-validation, uniqueness, testing values with secrets), listing, reading drafts,
// updating and deleting under safe mode and the name gate, and API failures. Expected values come from
// the fake's store or from what the tools created.

import { describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { invokeTool } from "../../../src/core/invoke.ts";
import { ALL_TOOLS } from "../../../src/tools/index.ts";
import { cloudHarness, expectNoSecrets, fileCloudHarness } from "../../helpers/cloud.ts";
import { failed, ok } from "../../helpers/local.ts";

const API_KEY = "testing-api-key-value-31415";

const MANIFEST = `version: 6.51.0
type: DeclarativeSource
check:
  type: CheckStream
  stream_names: [items]
definitions:
  requester:
    type: HttpRequester
    url_base: https://api.example.com
    http_method: GET
    authenticator:
      type: ApiKeyAuthenticator
      api_token: "{{ config['api_key'] }}"
      inject_into:
        type: RequestOption
        inject_into: header
        field_name: X-Api-Key
streams:
  - type: DeclarativeStream
    name: items
    primary_key: [id]
    retriever:
      type: SimpleRetriever
      requester:
        $ref: "#/definitions/requester"
        path: /items
      record_selector:
        type: RecordSelector
        extractor:
          type: DpathExtractor
          field_path: [data]
    schema_loader:
      type: InlineSchemaLoader
      schema:
        type: object
        properties:
          id: {type: string}
spec:
  type: Spec
  connection_specification:
    type: object
    required: [api_key]
    properties:
      api_key:
        type: string
        airbyte_secret: true
      region:
        type: string
`;

const h = await fileCloudHarness({ env: { MY_API_KEY: API_KEY } });

let n = 0;
const unique = (base: string) => `${base} ${++n} ${crypto.randomUUID().slice(0, 8)}`;

async function publish(extra: Record<string, unknown> = {}, harness = h) {
  const name = unique("Custom items");
  const out = await harness.call("publish_custom_source_definition", {
    name,
    manifest_yaml: MANIFEST,
    ...extra,
  });
  return { name, out };
}

describe("publish_custom_source_definition", () => {
  test("publishes the manifest as written, with its Builder project", async () => {
    const { name, out } = await publish();
    const result = ok(out);
    const id = result.definition_id as string;
    const stored = h.fake.store.declarativeDefinitions.get(id);
    expect(stored?.name).toBe(name);
    expect(stored?.versions).toEqual([parseYaml(MANIFEST)]);
    expect(result).toMatchObject({
      name,
      version: 1,
      connector_builder_project_id: stored?.builderProjectId,
      connector_builder_project_url: h.rt.cloud
        .client()
        .web.builderProject(h.workspaceId, stored?.builderProjectId ?? ""),
      testing_values_set: false,
    });
    expect(result.message).toContain(`Definition ID: ${id}`);
    expectNoSecrets(out, API_KEY);
  });

  test("testing values: secret references resolved on the server, never echoed", async () => {
    const { out } = await publish({
      testing_values: { api_key: "secret_reference::MY_API_KEY", region: "eu" },
    });
    const result = ok(out);
    expect(result.testing_values_set).toBe(true);
    const stored = h.fake.store.declarativeDefinitions.get(result.definition_id as string);
    const project = h.fake.store.builderProjects.get(stored?.builderProjectId ?? "");
    expect(project?.testingValues).toEqual({ api_key: API_KEY, region: "eu" });
    expectNoSecrets(out, API_KEY);
  });

  test("testing values: a plain-text secret is refused before anything is created", async () => {
    const before = h.fake.store.declarativeDefinitions.size;
    const { out } = await publish({ testing_values: JSON.stringify({ api_key: API_KEY }) });
    expect(failed(out)).toContain("secret_reference::");
    expectNoSecrets(out, API_KEY);
    expect(h.fake.store.declarativeDefinitions.size).toBe(before);
  });

  test("testing values: an unknown variable is refused before anything is created", async () => {
    const before = h.fake.store.declarativeDefinitions.size;
    const { out } = await publish({ testing_values_secret_name: "NO_SUCH_VARIABLE_HERE" });
    expect(failed(out)).toContain("NO_SUCH_VARIABLE_HERE");
    expect(h.fake.store.declarativeDefinitions.size).toBe(before);
  });

  test("pre-validation names every problem with its path; pre_validate=false sends it anyway", async () => {
    const broken = MANIFEST.replace("version: 6.51.0\n", "").replace(
      "http_method: GET",
      "http_method: FETCH",
    );
    const name = unique("Broken");
    const message = failed(await h.call("publish_custom_source_definition", { name, manifest_yaml: broken }));
    expect(message).toContain("2 problems");
    expect(message).toContain("  - version:");
    expect(message).toContain("streams[0] (items).retriever.requester.http_method");
    expect(message).toContain("pre_validate=false");
    expect([...h.fake.store.declarativeDefinitions.values()].some((d) => d.name === name)).toBe(false);

    const wrongType = MANIFEST.replace("type: DeclarativeSource", "type: Something");
    expect(
      failed(await h.call("publish_custom_source_definition", { name, manifest_yaml: wrongType })),
    ).toContain("  - type: must be 'DeclarativeSource'");

    const sent = ok(
      await h.call("publish_custom_source_definition", { name, manifest_yaml: broken, pre_validate: false }),
    );
    expect(h.fake.store.declarativeDefinitions.get(sent.definition_id as string)?.name).toBe(name);
  });

  test("text that is not a manifest is refused without echoing it", async () => {
    const message = failed(
      await h.call("publish_custom_source_definition", { name: unique("x"), manifest_yaml: "- a\n- b: [\n" }),
    );
    expect(message).toContain("line");
    const list = failed(
      await h.call("publish_custom_source_definition", {
        name: unique("x"),
        manifest_yaml: "- one\n- two\n",
      }),
    );
    expect(list).toContain("not a mapping");
    expect(failed(await h.call("publish_custom_source_definition", { name: unique("x") }))).toContain(
      "manifest_yaml",
    );
  });

  test("unique refuses a name already used; unique=false allows it", async () => {
    const { name, out } = await publish();
    const first = ok(out);
    const message = failed(
      await h.call("publish_custom_source_definition", { name, manifest_yaml: MANIFEST }),
    );
    expect(message).toContain(first.definition_id as string);
    expect(message).toContain("unique=false");
    const second = ok(
      await h.call("publish_custom_source_definition", { name, manifest_yaml: MANIFEST, unique: false }),
    );
    expect(second.definition_id).not.toBe(first.definition_id);
  });

  test("a single line is a file on the server, read only with trusted execution", async () => {
    const dir = join(h.rt.settings.projectDir, "manifests");
    mkdirSync(dir, { recursive: true });
    const file = join(dir, "items.yaml");
    writeFileSync(file, MANIFEST);
    const byPath = ok(
      await h.call("publish_custom_source_definition", { name: unique("From file"), manifest_yaml: file }),
    );
    expect(h.fake.store.declarativeDefinitions.get(byPath.definition_id as string)?.versions[0]).toEqual(
      parseYaml(MANIFEST),
    );
    const relative = ok(
      await h.call("publish_custom_source_definition", {
        name: unique("Relative"),
        manifest_yaml: "manifests/items.yaml",
      }),
    );
    expect(relative.version).toBe(1);
    expect(
      failed(
        await h.call("publish_custom_source_definition", {
          name: unique("x"),
          manifest_yaml: join(dir, "nope.yaml"),
        }),
      ),
    ).toContain("cannot be read");

    // Over HTTP a path is never read, whatever the settings.
    const ctx = { ...h.rt.context(), transport: { kind: "http" as const } };
    const overHttp = await invokeTool(
      ALL_TOOLS,
      "publish_custom_source_definition",
      { name: unique("x"), manifest_yaml: file },
      ctx,
      { kind: "http" },
    );
    expect(failed(overHttp)).toContain("does not read its files");

    const untrusted = await cloudHarness({ env: { AIRBYTE_MCP_TRUSTED_EXECUTION: "0" } });
    try {
      const message = failed(
        await untrusted.call("publish_custom_source_definition", { name: unique("x"), manifest_yaml: file }),
      );
      expect(message).toContain("AIRBYTE_MCP_TRUSTED_EXECUTION=1");
      expect(untrusted.fake.store.declarativeDefinitions.size).toBe(0);
      ok(
        await untrusted.call("publish_custom_source_definition", {
          name: unique("Inline"),
          manifest_yaml: MANIFEST,
        }),
      );
    } finally {
      await untrusted.cleanup();
    }
  });

  test("a 500 on create says the definition may exist and how to check", async () => {
    h.fake.injectFailure({ method: "POST", path: /\/definitions\/declarative_sources$/, status: 500 });
    const { out } = await publish();
    const message = failed(out);
    expect(message).toContain("500");
    expect(message.toLowerCase()).toContain("may have been created");
    expectNoSecrets(out, API_KEY);
  });

  test("no workspace is refused with what to set", async () => {
    const bare = await cloudHarness({ noDefaultWorkspace: true });
    try {
      const { out } = await publish({}, bare);
      expect(failed(out)).toContain("AIRBYTE_CLOUD_WORKSPACE_ID");
    } finally {
      await bare.cleanup();
    }
  });
});

describe("reading definitions", () => {
  test("list_custom_source_definitions lists the workspace's definitions with Builder links", async () => {
    const a = ok((await publish()).out);
    const b = ok((await publish()).out);
    const result = ok(await h.call("list_custom_source_definitions", {}));
    const listed = result.definitions as Array<Record<string, unknown>>;
    const inStore = [...h.fake.store.declarativeDefinitions.values()].filter(
      (d) => d.workspaceId === h.workspaceId && !d.deleted,
    );
    expect(result.count).toBe(inStore.length);
    for (const made of [a, b]) {
      expect(listed).toContainEqual({
        definition_id: made.definition_id,
        name: made.name,
        version: 1,
        connector_builder_project_url: made.connector_builder_project_url,
      });
    }
  });

  test("get_custom_source_definition, with and without the draft", async () => {
    const made = ok((await publish()).out);
    const id = made.definition_id as string;
    const plain = ok(await h.call("get_custom_source_definition", { definition_id: id }));
    expect(plain.manifest).toEqual(parseYaml(MANIFEST));
    expect(plain).not.toHaveProperty("has_draft");
    const noDraft = ok(
      await h.call("get_custom_source_definition", { definition_id: id, include_draft: true }),
    );
    expect(noDraft).toMatchObject({ has_draft: false, draft_manifest: null });
    const draft = { ...(parseYaml(MANIFEST) as Record<string, unknown>), version: "7.0.0" };
    h.fake.store.setBuilderDraft(id, draft);
    const withDraft = ok(
      await h.call("get_custom_source_definition", { definition_id: id, include_draft: true }),
    );
    expect(withDraft).toMatchObject({
      has_draft: true,
      draft_manifest: draft,
      manifest: parseYaml(MANIFEST),
    });
  });

  test("get_connector_builder_draft_manifest puts draft and published side by side", async () => {
    const made = ok((await publish()).out);
    const id = made.definition_id as string;
    expect(ok(await h.call("get_connector_builder_draft_manifest", { definition_id: id }))).toMatchObject({
      definition_id: id,
      has_draft: false,
      draft_manifest: null,
      published_manifest: parseYaml(MANIFEST),
      connector_builder_project_id: made.connector_builder_project_id,
    });
    const draft = { ...(parseYaml(MANIFEST) as Record<string, unknown>), streams: [] };
    h.fake.store.setBuilderDraft(id, draft);
    expect(ok(await h.call("get_connector_builder_draft_manifest", { definition_id: id }))).toMatchObject({
      has_draft: true,
      draft_manifest: draft,
    });
  });

  test("an unknown definition is a 404 with a hint", async () => {
    const message = failed(
      await h.call("get_custom_source_definition", { definition_id: crypto.randomUUID() }),
    );
    expect(message).toContain("404");
    expect(message).toMatch(/custom source definition/);
  });
});

describe("update_custom_source_definition", () => {
  test("a new manifest version, then testing values alone", async () => {
    const made = ok((await publish()).out);
    const id = made.definition_id as string;
    const next = MANIFEST.replace("url_base: https://api.example.com", "url_base: https://api2.example.com");
    const updated = ok(
      await h.call("update_custom_source_definition", { definition_id: id, manifest_yaml: next }),
    );
    expect(updated).toMatchObject({ version: 2, manifest_updated: true, testing_values_set: false });
    const stored = h.fake.store.declarativeDefinitions.get(id);
    expect(stored?.versions.length).toBe(2);
    expect(stored?.versions[1]).toEqual(parseYaml(next));

    const out = await h.call("update_custom_source_definition", {
      definition_id: id,
      testing_values: { api_key: "secret_reference::MY_API_KEY" },
    });
    expect(ok(out)).toMatchObject({ version: 2, manifest_updated: false, testing_values_set: true });
    expect(h.fake.store.builderProjects.get(stored?.builderProjectId ?? "")?.testingValues).toEqual({
      api_key: API_KEY,
    });
    expect(stored?.versions.length).toBe(2);
    expectNoSecrets(out, API_KEY);
  });

  test("testing values that fail after a new version was published say so", async () => {
    const own = await cloudHarness({ env: { MY_API_KEY: API_KEY } });
    try {
      const id = ok((await publish({}, own)).out).definition_id as string;
      own.fake.injectFailure({ path: /\/update_testing_values$/, status: 500, times: 100 });
      const out = await own.call("update_custom_source_definition", {
        definition_id: id,
        manifest_yaml: MANIFEST,
        testing_values: { api_key: "secret_reference::MY_API_KEY" },
      });
      const message = failed(out);
      expect(message).toContain("The new manifest was published");
      expect(message).toContain("version 2");
      expect(own.fake.store.declarativeDefinitions.get(id)?.versions.length).toBe(2);
      expectNoSecrets(out, API_KEY);
    } finally {
      await own.cleanup();
    }
  });

  test("nothing to update is refused", async () => {
    const made = ok((await publish()).out);
    expect(
      failed(await h.call("update_custom_source_definition", { definition_id: made.definition_id })),
    ).toContain("Nothing to update");
  });

  test("a broken new manifest is refused and the definition left as it was", async () => {
    const made = ok((await publish()).out);
    const id = made.definition_id as string;
    const broken = MANIFEST.replace("type: DeclarativeStream", "type: DeclarativeStreem");
    const message = failed(
      await h.call("update_custom_source_definition", { definition_id: id, manifest_yaml: broken }),
    );
    expect(message).toContain("streams[0]");
    expect(h.fake.store.declarativeDefinitions.get(id)?.versions.length).toBe(1);
  });

  test("safe mode refuses a definition this server did not publish", async () => {
    const other = h.fake.store.addDeclarativeDefinition({
      name: "Made elsewhere",
      manifest: parseYaml(MANIFEST),
    });
    const message = failed(
      await h.call("update_custom_source_definition", { definition_id: other.id, manifest_yaml: MANIFEST }),
    );
    expect(message).toContain("Safe mode");
    expect(message).toContain("AIRBYTE_CLOUD_MCP_SAFE_MODE=0");
    expect(h.fake.store.declarativeDefinitions.get(other.id)?.versions.length).toBe(1);
  });

  test("with safe mode off any definition may be updated", async () => {
    const open = await cloudHarness({ env: { AIRBYTE_CLOUD_MCP_SAFE_MODE: "0" } });
    try {
      const other = open.fake.store.addDeclarativeDefinition({
        name: "Made elsewhere",
        manifest: parseYaml(MANIFEST),
      });
      ok(
        await open.call("update_custom_source_definition", {
          definition_id: other.id,
          manifest_yaml: MANIFEST,
        }),
      );
      expect(open.fake.store.declarativeDefinitions.get(other.id)?.versions.length).toBe(2);
    } finally {
      await open.cleanup();
    }
  });
});

describe("permanently_delete_custom_source_definition", () => {
  test("needs the exact name; then deletes, and safe mode forgets it", async () => {
    const { name, out } = await publish();
    const id = ok(out).definition_id as string;
    const wrong = failed(
      await h.call("permanently_delete_custom_source_definition", {
        definition_id: id,
        name: name.toUpperCase(),
      }),
    );
    expect(wrong).toContain("exact current name");
    expect(h.fake.store.declarativeDefinitions.get(id)?.deleted).toBe(false);

    const done = ok(await h.call("permanently_delete_custom_source_definition", { definition_id: id, name }));
    expect(done.message).toBe(`Successfully deleted custom source definition '${name}' (ID: ${id})`);
    expect(h.fake.store.declarativeDefinitions.get(id)?.deleted).toBe(true);
    expect(
      failed(await h.call("update_custom_source_definition", { definition_id: id, manifest_yaml: MANIFEST })),
    ).toContain("Safe mode");
  });

  test("refused while sources use it (Airbyte would delete them and their connections), naming each", async () => {
    const { name, out } = await publish();
    const id = ok(out).definition_id as string;
    // A colleague's source and connection on the definition, not created by this server.
    const source = h.fake.store.addSource({ name: "Prod items", definitionId: id, configuration: {} });
    const idle = h.fake.store.addSource({ name: "Idle items", definitionId: id, configuration: {} });
    const destination = h.fake.store.addDestination({ name: "Warehouse" });
    const connection = h.fake.store.addConnection({
      sourceId: source.id,
      destinationId: destination.id,
      name: "Prod pipeline",
    });
    const unrelated = h.fake.store.addSource({ name: "Other" });
    const message = failed(
      await h.call("permanently_delete_custom_source_definition", { definition_id: id, name }),
    );
    expect(message).toContain(`'Prod items' (ID: ${source.id})`);
    expect(message).toContain(`'Idle items' (ID: ${idle.id})`);
    expect(message).toContain(`'Prod pipeline' (ID: ${connection.connectionId})`);
    expect(message).not.toContain(unrelated.id);
    expect(message).toContain("Nothing was deleted");
    expect(message).toContain("permanently_delete_cloud_connection");
    expect(message).toContain("permanently_delete_cloud_source");
    expect(h.fake.store.declarativeDefinitions.get(id)?.deleted).toBe(false);
    expect(h.fake.store.sources.get(source.id)?.deleted).toBe(false);
    expect(h.fake.store.connections.get(connection.connectionId)?.deleted).toBe(false);
    expect(h.fake.requests.filter((r) => r.method === "DELETE" && r.path.includes(id))).toHaveLength(0);

    // Once they are gone (deleted by their owner), the definition can be deleted.
    for (const s of [source, idle]) s.deleted = true;
    connection.deleted = true;
    ok(await h.call("permanently_delete_custom_source_definition", { definition_id: id, name }));
    expect(h.fake.store.declarativeDefinitions.get(id)?.deleted).toBe(true);
    expect(h.fake.store.sources.get(unrelated.id)?.deleted).toBe(false);
  });

  test("safe mode refuses a definition this server did not publish, even with its name", async () => {
    const other = h.fake.store.addDeclarativeDefinition({ name: "Keep me", manifest: parseYaml(MANIFEST) });
    const message = failed(
      await h.call("permanently_delete_custom_source_definition", {
        definition_id: other.id,
        name: "Keep me",
      }),
    );
    expect(message).toContain("AIRBYTE_CLOUD_MCP_SAFE_MODE");
    expect(h.fake.store.declarativeDefinitions.get(other.id)?.deleted).toBe(false);
  });

  test("a 403 on delete is an error and nothing is forgotten", async () => {
    const { name, out } = await publish();
    const id = ok(out).definition_id as string;
    h.fake.injectFailure({ method: "DELETE", path: /\/declarative_sources\//, status: 403 });
    expect(
      failed(await h.call("permanently_delete_custom_source_definition", { definition_id: id, name })),
    ).toContain("403");
    ok(await h.call("permanently_delete_custom_source_definition", { definition_id: id, name }));
  });

  test("read-only mode hides the definition writers", async () => {
    const ro = await cloudHarness({ env: { AIRBYTE_CLOUD_MCP_READONLY_MODE: "1" } });
    try {
      for (const name of [
        "publish_custom_source_definition",
        "update_custom_source_definition",
        "permanently_delete_custom_source_definition",
      ]) {
        const outcome = await ro.call(name, {});
        expect(outcome).toMatchObject({ ok: false, kind: "hidden" });
        if (!outcome.ok) expect(outcome.message).toContain("AIRBYTE_CLOUD_MCP_READONLY_MODE");
      }
      ok(await ro.call("list_custom_source_definitions", {}));
    } finally {
      await ro.cleanup();
    }
  });
});
