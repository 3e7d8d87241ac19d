// Custom manifest-only (Connector Builder) source definitions: publishing a manifest, updating it as a
// new version, reading it with its Builder draft, deleting it. The definitions themselves are the
// public API's declarative_sources; their Builder project (id, link, draft, testing values) is only in
// the Config API.
//
// A manifest is given as YAML text, or on a single line as a path to a file on the server (as in
// PyAirbyte). Reading the server's files is what lets a remote caller publish any of them to Cloud and
// read it back, so paths are refused unless local files are allowed (manifestPathsAllowed).

import { readFileSync, statSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { parse as parseYamlPackage } from "yaml";
import { ToolError } from "../core/errors.ts";
import type { ToolContext } from "../core/tool.ts";
import { ManifestError, type ManifestProblem } from "../declarative/manifest/errors.ts";
import {
  CloudApiError,
  type CloudClient,
  collect,
  type DeclarativeSourceDefinition,
} from "./client/index.ts";
import { type JsonObject, resolveConfigInput } from "./config-input.ts";
import { requireDefinitionUnused } from "./delete.ts";
import { requireCreatedHere, requireExactName } from "./safe-mode.ts";
import { workspaceOf } from "./session.ts";

type Ctx = Pick<ToolContext, "settings" | "cloud" | "signal" | "secrets" | "redactor" | "log">;

/** The manifest loader, imported when a manifest is given: its component schemas cost every start-up time. */
type Loader = typeof import("../declarative/manifest/load.ts");
const manifestLoader = (): Promise<Loader> => import("../declarative/manifest/load.ts");

const KIND = "custom source definition";

// ---------- the manifest argument ----------

/**
 * Whether manifest_yaml may name a file on the server: never over HTTP (invokeTool puts the
 * transport on the context), and only with trusted execution on and the filesystem not withdrawn
 * (AIRBYTE_MCP_TRUSTED_EXECUTION, MCP_NO_CLIENT_FILESYSTEM).
 */
export function manifestPathsAllowed(ctx: Pick<ToolContext, "settings" | "transport">): boolean {
  if (ctx.transport?.kind === "http") return false;
  return ctx.settings.trustedExecution && !ctx.settings.noClientFilesystem;
}

export interface ManifestInput {
  /** The manifest as parsed from YAML, sent to Airbyte as it is. */
  manifest: JsonObject;
  /** The YAML text (for the project's own validation). */
  text: string;
  /** "manifest_yaml" or the file's path, for messages. */
  origin: string;
}

/** The manifest_yaml argument as a manifest: YAML text, or (one line) a file on the server. */
export function readManifestArgument(
  value: string,
  ctx: Pick<ToolContext, "settings" | "transport">,
  load: Loader,
): ManifestInput {
  if (value.trim() === "") {
    throw new ToolError("manifest_yaml is empty.", {
      hint: "Pass the manifest's YAML text (or, where the server allows it, a path to a manifest file).",
    });
  }
  const oneLine = !/\r?\n/.test(value.trim());
  // A single line in flow style ("{version: ...}") is a manifest, not a file name.
  if (oneLine && !value.trim().startsWith("{")) return readManifestFile(value.trim(), ctx, load);
  return { manifest: parseManifestText(value, "manifest_yaml", load), text: value, origin: "manifest_yaml" };
}

/** Real manifests are well under a megabyte; a bigger file is not one. */
const MAX_MANIFEST_BYTES = 5 * 1024 * 1024;

function readManifestFile(
  path: string,
  ctx: Pick<ToolContext, "settings" | "transport">,
  load: Loader,
): ManifestInput {
  if (!manifestPathsAllowed(ctx)) {
    throw new ToolError(
      "manifest_yaml is a single line, which names a file on the server, and this server does not read its files for callers.",
      {
        hint: "Pass the manifest's YAML text itself (several lines) as manifest_yaml. Reading files needs a stdio server with AIRBYTE_MCP_TRUSTED_EXECUTION=1 (and MCP_NO_CLIENT_FILESYSTEM unset).",
      },
    );
  }
  const full = isAbsolute(path) ? path : resolve(ctx.settings.projectDir, path);
  let text: string;
  try {
    const st = statSync(full);
    if (!st.isFile() || st.size > MAX_MANIFEST_BYTES) throw new Error("not a manifest file");
    text = readFileSync(full, "utf8");
  } catch {
    throw new ToolError(
      `manifest_yaml names the file ${full}, which cannot be read (or is not a regular file under 5 MB).`,
      {
        hint: "A single-line manifest_yaml is read as a file path (relative ones from AIRBYTE_PROJECT_DIR): fix the path, or pass the manifest's YAML text itself.",
      },
    );
  }
  return { manifest: parseManifestText(text, full, load), text, origin: full };
}

/** YAML text as an object; errors give a line and column, never the text (a file may hold anything). */
function parseManifestText(text: string, origin: string, load: Loader): JsonObject {
  let raw: unknown;
  try {
    raw = Bun.YAML.parse(text);
  } catch {
    try {
      // The CDK's own reading (duplicate keys allowed, merge keys): throws with a line and column.
      load.resolveManifest(text, origin);
      raw = parseYamlPackage(text, { uniqueKeys: false, merge: true, prettyErrors: false });
    } catch (error) {
      if (error instanceof ManifestError) throw manifestRefusal(origin, error.problems, false);
      throw new ToolError(`${origin} is not valid YAML.`, {
        hint: "Fix the manifest's YAML syntax and try again.",
      });
    }
  }
  if (!isObject(raw)) {
    throw new ToolError(
      `${origin} is not a manifest: its YAML is not a mapping (an object) at the top level.`,
      {
        hint: "A declarative manifest starts with keys such as version, type: DeclarativeSource, streams and spec.",
      },
    );
  }
  return raw;
}

// ---------- pre-validation ----------

/** Problems that stop a publish: the native runner's own gaps ("unsupported") are left to Airbyte. */
const BLOCKING: ReadonlySet<ManifestProblem["kind"]> = new Set(["invalid", "reference", "yaml", "custom"]);

/**
 * PyAirbyte's checks (a `version`, `type: DeclarativeSource`), the spec Airbyte copies into the
 * definition, and the project's own manifest validation, every problem with its path.
 */
export function manifestProblemsForCloud(input: ManifestInput, load: Loader): ManifestProblem[] {
  const { manifest } = input;
  const problems: ManifestProblem[] = [];
  const add = (path: string, message: string) => problems.push({ path, type: "", message, kind: "invalid" });
  if (typeof manifest.version !== "string" || manifest.version.trim() === "") {
    add("version", "the manifest needs a version (the CDK version it was written for, e.g. '6.51.0')");
  }
  if (manifest.type !== "DeclarativeSource") {
    add(
      "type",
      `must be 'DeclarativeSource' (got ${manifest.type === undefined ? "nothing" : JSON.stringify(manifest.type)})`,
    );
  }
  const spec = isObject(manifest.spec) ? manifest.spec : null;
  if (!spec || !isObject(spec.connection_specification)) {
    add(
      "spec.connection_specification",
      "Airbyte needs the connector's config schema here to create the definition",
    );
  }
  // The project's own validation, less what the checks above already said about the same place.
  const said = new Set(problems.map((p) => p.path));
  let found: readonly ManifestProblem[];
  try {
    found = load
      .manifestProblems(load.resolveManifest(input.text, input.origin))
      .filter((p) => BLOCKING.has(p.kind));
  } catch (error) {
    if (!(error instanceof ManifestError)) throw error;
    found = error.problems;
  }
  const seen = new Set<string>();
  for (const p of found) {
    const key = `${p.path}\n${p.message}`;
    if (said.has(p.path) || seen.has(key)) continue;
    seen.add(key);
    problems.push(p);
  }
  return problems;
}

const LISTED = 10;

function manifestRefusal(origin: string, problems: readonly ManifestProblem[], canSkip: boolean): ToolError {
  const line = (p: ManifestProblem) => `  - ${p.path ? `${p.path}: ` : ""}${p.message}`;
  const listed = problems.slice(0, LISTED).map(line);
  if (problems.length > LISTED) listed.push(`  … and ${problems.length - LISTED} more`);
  const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
  return new ToolError(`The manifest (${origin}) was not sent: ${count}:\n${listed.join("\n")}`, {
    hint: canSkip
      ? "Fix the manifest at the paths named (the Airbyte CDK's declarative_component_schema.yaml describes each component). If you are sure Airbyte accepts it as it is, pass pre_validate=false."
      : "Fix the manifest at the paths named and try again.",
  });
}

async function prepareManifest(value: string, preValidate: boolean, ctx: Ctx): Promise<ManifestInput> {
  const load = await manifestLoader();
  const input = readManifestArgument(value, ctx, load);
  if (preValidate) {
    const problems = manifestProblemsForCloud(input, load);
    if (problems.length > 0) throw manifestRefusal(input.origin, problems, true);
  }
  return input;
}

// ---------- Builder projects and testing values ----------

interface BuilderRef {
  id: string | null;
  url: string | null;
}

/** The definition's Builder project; null fields when it has none or the Config API refuses. */
async function builderProject(
  ctx: Ctx,
  client: CloudClient,
  workspaceId: string,
  definitionId: string,
): Promise<BuilderRef> {
  try {
    const ref = await client.config.builderProjectForDefinition(workspaceId, definitionId, ctx.signal);
    const id = ref.builderProjectId ?? null;
    return { id, url: id ? client.web.builderProject(workspaceId, id) : null };
  } catch (error) {
    if (ctx.signal.aborted || (error instanceof CloudApiError && error.kind === "cancelled")) throw error;
    ctx.log.debug(`Cloud: no Builder project for definition ${definitionId}`, {
      error: error instanceof Error ? error.message : String(error),
    });
    return { id: null, url: null };
  }
}

interface TestingValuesInput {
  testing_values: JsonObject | string | null;
  testing_values_secret_name: string | null;
}

/** The testing values to send (secret references and the named secret resolved), or null for none. */
function resolveTestingValues(
  ctx: Ctx,
  input: TestingValuesInput,
  manifest: JsonObject | null,
): JsonObject | null {
  if (input.testing_values === null && input.testing_values_secret_name === null) return null;
  const spec = connectionSpecification(manifest);
  return resolveConfigInput(input.testing_values, input.testing_values_secret_name, ctx, "testing_values", {
    spec,
  });
}

function connectionSpecification(manifest: JsonObject | null): JsonObject | null {
  const spec = manifest && isObject(manifest.spec) ? manifest.spec : null;
  return spec && isObject(spec.connection_specification) ? spec.connection_specification : null;
}

/** Replaces the Builder project's testing values wholesale (Config API). */
async function setTestingValues(
  ctx: Ctx,
  client: CloudClient,
  workspaceId: string,
  definitionId: string,
  builder: BuilderRef,
  manifest: JsonObject,
  values: JsonObject,
): Promise<void> {
  if (!builder.id) {
    throw new ToolError(
      `Custom source definition ${definitionId} has no Connector Builder project that these credentials can reach, so its testing values cannot be set.`,
      {
        hint: "Set them in the Connector Builder of the Airbyte web app, or check that the Config API is reachable (AIRBYTE_CLOUD_CONFIG_API_URL).",
      },
    );
  }
  const spec = isObject(manifest.spec) ? manifest.spec : {};
  const connectionSpec = connectionSpecification(manifest);
  if (!connectionSpec) {
    throw new ToolError("Testing values need the manifest's spec.connection_specification, which it lacks.", {
      hint: "Add spec.connection_specification to the manifest (the JSON Schema of the connector's config).",
    });
  }
  await client.config.updateBuilderTestingValues(
    {
      workspaceId,
      builderProjectId: builder.id,
      testingValues: values,
      spec: {
        connectionSpecification: connectionSpec,
        ...(typeof spec.documentation_url === "string" ? { documentationUrl: spec.documentation_url } : {}),
        ...(spec.advanced_auth !== undefined ? { advancedAuth: spec.advanced_auth } : {}),
      },
    },
    ctx.signal,
  );
}

// ---------- tools ----------

export interface DefinitionSummary {
  definition_id: string;
  name: string;
  version: number;
  connector_builder_project_id: string | null;
  connector_builder_project_url: string | null;
}

function describe(d: DefinitionSummary): string {
  return [
    ` - Custom Source Name: ${d.name}`,
    ` - Definition ID: ${d.definition_id}`,
    ` - Definition Version: ${d.version}`,
    ` - Connector Builder Project ID: ${d.connector_builder_project_id ?? "(none)"}`,
    ` - Connector Builder Project URL: ${d.connector_builder_project_url ?? "(none)"}`,
  ].join("\n");
}

function summary(def: DeclarativeSourceDefinition, builder: BuilderRef): DefinitionSummary {
  return {
    definition_id: def.id,
    name: def.name,
    version: def.version,
    connector_builder_project_id: builder.id,
    connector_builder_project_url: builder.url,
  };
}

export interface PublishInput extends TestingValuesInput {
  name: string;
  workspace_id: string | null;
  manifest_yaml: string | null;
  unique: boolean;
  pre_validate: boolean;
}

export type PublishResult = DefinitionSummary & { message: string; testing_values_set: boolean };

/** publish_custom_source_definition: creates the definition (and its Builder project) from a manifest. */
export async function publishDefinition(ctx: Ctx, input: PublishInput): Promise<PublishResult> {
  const workspaceId = workspaceOf(input.workspace_id, ctx.settings);
  const name = input.name.trim();
  if (name === "")
    throw new ToolError("name is empty.", { hint: "Give the custom source definition a name." });
  if (input.manifest_yaml === null) {
    throw new ToolError(
      "manifest_yaml is required: only manifest-only (YAML) custom sources can be published.",
      {
        hint: "Pass the connector's declarative manifest as YAML text. Docker-image custom connectors are not supported here.",
      },
    );
  }
  const { manifest } = await prepareManifest(input.manifest_yaml, input.pre_validate, ctx);
  // Resolved before anything is created: a wrong secret name must not leave a half-done definition.
  const testingValues = resolveTestingValues(ctx, input, manifest);
  const client = ctx.cloud.client();
  if (input.unique) {
    const same = (await client.declarativeSources.list(workspaceId, ctx.signal)).filter(
      (d) => d.name === name,
    );
    if (same.length > 0) {
      throw new ToolError(
        `A custom source definition named '${name}' already exists in workspace ${workspaceId} (id ${same.map((d) => d.id).join(", ")}).`,
        {
          hint: "Pick another name, change that definition with update_custom_source_definition, or pass unique=false to publish another one with the same name.",
        },
      );
    }
  }
  const created = await client.declarativeSources.create(workspaceId, { name, manifest }, ctx.signal);
  ctx.cloud.created.add(KIND, created.id);
  const builder = await builderProject(ctx, client, workspaceId, created.id);
  const result = summary(created, builder);
  if (testingValues) {
    try {
      await setTestingValues(ctx, client, workspaceId, created.id, builder, manifest, testingValues);
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      throw new ToolError(
        `The custom source definition was published (id ${created.id}, version ${created.version}), but its testing values were not set: ${text}`,
        {
          hint: `Set them with update_custom_source_definition(definition_id='${created.id}', testing_values=...) once the cause is fixed; do not publish it again.`,
          cause: error,
        },
      );
    }
  }
  return {
    message: `Successfully published custom YAML source definition:\n${describe(result)}\n`,
    ...result,
    testing_values_set: testingValues !== null,
  };
}

/** list_custom_source_definitions: the workspace's definitions with their Builder links (one lookup each). */
export async function listDefinitions(
  ctx: Ctx,
  workspaceIdArg: string | null,
): Promise<{ definitions: Omit<DefinitionSummary, "connector_builder_project_id">[]; count: number }> {
  const workspaceId = workspaceOf(workspaceIdArg, ctx.settings);
  const client = ctx.cloud.client();
  const defs = await client.declarativeSources.list(workspaceId, ctx.signal);
  const builders = await mapLimited(defs, 8, (d) => builderProject(ctx, client, workspaceId, d.id));
  const definitions = defs.map((d, i) => ({
    definition_id: d.id,
    name: d.name,
    version: d.version,
    connector_builder_project_url: builders[i]?.url ?? null,
  }));
  return { definitions, count: definitions.length };
}

async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  f: (item: T) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await f(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

interface Draft {
  has_draft: boolean;
  draft_manifest: JsonObject | null;
}

/** The Builder project's unpublished draft, if it has one. */
async function draftOf(
  ctx: Ctx,
  client: CloudClient,
  workspaceId: string,
  builder: BuilderRef,
): Promise<Draft> {
  if (!builder.id) return { has_draft: false, draft_manifest: null };
  const project = await client.config.builderProjectWithManifest(workspaceId, builder.id, ctx.signal);
  const hasDraft = project.builderProject.hasDraft === true;
  const draft = project.declarativeManifest?.manifest ?? null;
  return { has_draft: hasDraft, draft_manifest: hasDraft ? draft : null };
}

export type DefinitionDetails = DefinitionSummary & {
  manifest: JsonObject;
  has_draft?: boolean;
  draft_manifest?: JsonObject | null;
};

/** get_custom_source_definition: the published manifest, and the Builder draft on request. */
export async function getDefinition(
  ctx: Ctx,
  input: { definition_id: string; workspace_id: string | null; include_draft: boolean },
): Promise<DefinitionDetails> {
  const workspaceId = workspaceOf(input.workspace_id, ctx.settings);
  const client = ctx.cloud.client();
  const def = await client.declarativeSources.get(workspaceId, input.definition_id, ctx.signal);
  const builder = await builderProject(ctx, client, workspaceId, def.id);
  const details: DefinitionDetails = { ...summary(def, builder), manifest: def.manifest };
  if (input.include_draft) Object.assign(details, await draftOf(ctx, client, workspaceId, builder));
  return details;
}

/** get_connector_builder_draft_manifest: the draft beside the published manifest. */
export async function getDraftManifest(
  ctx: Ctx,
  input: { definition_id: string; workspace_id: string | null },
): Promise<Omit<DefinitionSummary, "version"> & Draft & { published_manifest: JsonObject }> {
  const workspaceId = workspaceOf(input.workspace_id, ctx.settings);
  const client = ctx.cloud.client();
  const def = await client.declarativeSources.get(workspaceId, input.definition_id, ctx.signal);
  const builder = await builderProject(ctx, client, workspaceId, def.id);
  const draft = await draftOf(ctx, client, workspaceId, builder);
  return {
    definition_id: def.id,
    name: def.name,
    connector_builder_project_id: builder.id,
    connector_builder_project_url: builder.url,
    ...draft,
    published_manifest: def.manifest,
  };
}

export interface UpdateInput extends TestingValuesInput {
  definition_id: string;
  manifest_yaml: string | null;
  workspace_id: string | null;
  pre_validate: boolean;
}

/** update_custom_source_definition (safe mode): a new manifest version and/or new testing values. */
export async function updateDefinition(
  ctx: Ctx,
  input: UpdateInput,
): Promise<DefinitionSummary & { message: string; manifest_updated: boolean; testing_values_set: boolean }> {
  requireCreatedHere(ctx.settings.safeMode, ctx.cloud.created, KIND, input.definition_id, "update");
  if (
    input.manifest_yaml === null &&
    input.testing_values === null &&
    input.testing_values_secret_name === null
  ) {
    throw new ToolError(
      "Nothing to update: give manifest_yaml, testing_values or testing_values_secret_name.",
      {
        hint: "Pass the new manifest as YAML text, or the Builder testing values (they replace the current ones).",
      },
    );
  }
  const workspaceId = workspaceOf(input.workspace_id, ctx.settings);
  const prepared =
    input.manifest_yaml === null ? null : await prepareManifest(input.manifest_yaml, input.pre_validate, ctx);
  const client = ctx.cloud.client();
  let def = await client.declarativeSources.get(workspaceId, input.definition_id, ctx.signal);
  const testingValues = resolveTestingValues(ctx, input, prepared?.manifest ?? def.manifest);
  if (prepared) {
    def = await client.declarativeSources.update(
      workspaceId,
      def.id,
      { manifest: prepared.manifest },
      ctx.signal,
    );
  }
  const builder = await builderProject(ctx, client, workspaceId, def.id);
  if (testingValues) {
    try {
      await setTestingValues(
        ctx,
        client,
        workspaceId,
        def.id,
        builder,
        prepared?.manifest ?? def.manifest,
        testingValues,
      );
    } catch (error) {
      if (!prepared) throw error;
      const text = error instanceof Error ? error.message : String(error);
      throw new ToolError(
        `The new manifest was published (definition ${def.id}, version ${def.version}), but the testing values were not set: ${text}`,
        {
          hint: "Once the cause is fixed, call update_custom_source_definition again with the testing values only.",
          cause: error,
        },
      );
    }
  }
  const result = summary(def, builder);
  const changed = [
    prepared ? `manifest (now version ${def.version})` : null,
    testingValues ? "testing values" : null,
  ]
    .filter((x) => x !== null)
    .join(" and ");
  return {
    message: `Successfully updated custom YAML source definition (${changed}):\n${describe(result)}`,
    ...result,
    manifest_updated: prepared !== null,
    testing_values_set: testingValues !== null,
  };
}

/** permanently_delete_custom_source_definition (safe mode and the exact name). */
export async function deleteDefinition(
  ctx: Ctx,
  input: { definition_id: string; name: string; workspace_id: string | null },
): Promise<{ message: string; definition_id: string; name: string }> {
  requireCreatedHere(
    ctx.settings.safeMode,
    ctx.cloud.created,
    KIND,
    input.definition_id,
    "permanently delete",
  );
  const workspaceId = workspaceOf(input.workspace_id, ctx.settings);
  const client = ctx.cloud.client();
  const def = await client.declarativeSources.get(workspaceId, input.definition_id, ctx.signal);
  requireExactName(KIND, def.id, def.name, input.name);
  // Airbyte deletes the definition's sources and their connections with it: refuse while any exists.
  const sources = await collect(client.sources.list(workspaceId, {}, ctx.signal));
  if (sources.some((s) => s.definitionId === def.id)) {
    const connections = await collect(client.connections.list(workspaceId, {}, ctx.signal));
    requireDefinitionUnused(def, sources, connections);
  }
  await client.declarativeSources.delete(workspaceId, def.id, ctx.signal);
  ctx.cloud.created.forget(def.id);
  return {
    message: `Successfully deleted custom source definition '${def.name}' (ID: ${def.id})`,
    definition_id: def.id,
    name: def.name,
  };
}

function isObject(v: unknown): v is JsonObject {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}
