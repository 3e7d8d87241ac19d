// Cloud tools for custom manifest-only (Connector Builder) source definitions.

import { z } from "zod";
import {
  deleteDefinition,
  getDefinition,
  getDraftManifest,
  listDefinitions,
  publishDefinition,
  updateDefinition,
} from "../../cloud/definitions.ts";
import { type AnyToolDef, defineTool } from "../../core/tool.ts";
import { CLOUD_DESTROY, CLOUD_READ, CLOUD_WRITE, idParam, workspaceIdParam } from "./common.ts";

const definitionId = idParam("custom source definition");
const manifestObject = z.record(z.string(), z.unknown());

const manifestYaml = z
  .string()
  .describe(
    "The declarative manifest as YAML text. A single line is read as a path to a manifest file on the server, " +
      "which only a stdio server with trusted execution allows.",
  );
const preValidate = z
  .boolean()
  .default(true)
  .describe(
    "Check the manifest here first (version, type DeclarativeSource, spec, components) and name every problem",
  );
const testingValues = z
  .union([z.record(z.string(), z.unknown()), z.string()])
  .nullable()
  .default(null)
  .describe(
    "Connector Builder testing values (an object or a JSON string); they replace the current ones. Secret values " +
      "should be 'secret_reference::ENV_VAR_NAME' strings, resolved on the server.",
  );
const testingValuesSecretName = z
  .string()
  .nullable()
  .default(null)
  .describe("Name of a server variable holding testing values as JSON or YAML, merged over testing_values");

const summary = {
  definition_id: z.string(),
  name: z.string(),
  version: z.number().int(),
  connector_builder_project_id: z.string().nullable(),
  connector_builder_project_url: z.string().nullable(),
};

export const publishCustomSourceDefinition = defineTool({
  name: "publish_custom_source_definition",
  title: "Publish a custom source definition to Airbyte Cloud",
  description:
    "Publish a declarative (YAML, Connector Builder) connector manifest to Airbyte Cloud as a custom source " +
    "definition, with its Builder project, and optionally set the Builder's testing values. With unique (the " +
    "default) a definition with the same name is refused. Then deploy a source from it with its definition id.",
  domain: "cloud",
  input: z
    .object({
      name: z.string().min(1).describe("Name of the custom source definition"),
      workspace_id: workspaceIdParam,
      manifest_yaml: manifestYaml.nullable().default(null),
      unique: z.boolean().default(true).describe("Refuse a name already used in the workspace"),
      pre_validate: preValidate,
      testing_values: testingValues,
      testing_values_secret_name: testingValuesSecretName,
    })
    .strict(),
  output: z.object({ message: z.string(), ...summary, testing_values_set: z.boolean() }),
  hints: CLOUD_WRITE,
  needsFilesystem: false,
  handler: (input, ctx) => publishDefinition(ctx, input),
});

export const listCustomSourceDefinitions = defineTool({
  name: "list_custom_source_definitions",
  title: "List custom source definitions",
  description:
    "List the custom declarative (YAML) source definitions of an Airbyte Cloud workspace, with their version " +
    "and Connector Builder link.",
  domain: "cloud",
  input: z.object({ workspace_id: workspaceIdParam }).strict(),
  output: z.object({
    definitions: z.array(
      z.object({
        definition_id: z.string(),
        name: z.string(),
        version: z.number().int(),
        connector_builder_project_url: z.string().nullable(),
      }),
    ),
    count: z.number().int(),
  }),
  hints: CLOUD_READ,
  needsFilesystem: false,
  handler: (input, ctx) => listDefinitions(ctx, input.workspace_id),
});

export const getCustomSourceDefinition = defineTool({
  name: "get_custom_source_definition",
  title: "Get a custom source definition",
  description:
    "Get a custom declarative source definition of Airbyte Cloud with its published manifest; with " +
    "include_draft, also whether its Connector Builder project has an unpublished draft, and the draft.",
  domain: "cloud",
  input: z
    .object({
      definition_id: definitionId,
      workspace_id: workspaceIdParam,
      include_draft: z
        .boolean()
        .default(false)
        .describe("Also return the Builder draft (has_draft, draft_manifest)"),
    })
    .strict(),
  output: z.object({
    ...summary,
    manifest: manifestObject,
    has_draft: z.boolean().optional(),
    draft_manifest: manifestObject.nullable().optional(),
  }),
  hints: CLOUD_READ,
  needsFilesystem: false,
  handler: (input, ctx) => getDefinition(ctx, input),
});

export const getConnectorBuilderDraftManifest = defineTool({
  name: "get_connector_builder_draft_manifest",
  title: "Get a Connector Builder draft manifest",
  description:
    "Get the unpublished Connector Builder draft of a custom source definition beside its published manifest " +
    "(draft_manifest is null when there is no draft).",
  domain: "cloud",
  input: z.object({ definition_id: definitionId, workspace_id: workspaceIdParam }).strict(),
  output: z.object({
    definition_id: z.string(),
    name: z.string(),
    connector_builder_project_id: z.string().nullable(),
    connector_builder_project_url: z.string().nullable(),
    has_draft: z.boolean(),
    draft_manifest: manifestObject.nullable(),
    published_manifest: manifestObject,
  }),
  hints: CLOUD_READ,
  needsFilesystem: false,
  handler: (input, ctx) => getDraftManifest(ctx, input),
});

export const updateCustomSourceDefinition = defineTool({
  name: "update_custom_source_definition",
  title: "Update a custom source definition",
  description:
    "Publish a new manifest version of a custom source definition and/or replace its Connector Builder testing " +
    "values (give at least one). Safe mode allows this only on definitions this server published.",
  domain: "cloud",
  input: z
    .object({
      definition_id: definitionId,
      manifest_yaml: manifestYaml.nullable().default(null),
      workspace_id: workspaceIdParam,
      pre_validate: preValidate,
      testing_values: testingValues,
      testing_values_secret_name: testingValuesSecretName,
    })
    .strict(),
  output: z.object({
    message: z.string(),
    ...summary,
    manifest_updated: z.boolean(),
    testing_values_set: z.boolean(),
  }),
  hints: CLOUD_DESTROY,
  needsFilesystem: false,
  handler: (input, ctx) => updateDefinition(ctx, input),
});

export const permanentlyDeleteCustomSourceDefinition = defineTool({
  name: "permanently_delete_custom_source_definition",
  title: "Permanently delete a custom source definition",
  description:
    "Permanently delete a custom source definition from Airbyte Cloud. name must be the definition's exact " +
    "current name (confirm it with the user first). Safe mode allows this only on definitions this server published. " +
    "Refused while a source uses the definition (Airbyte would delete it and its connections too): delete those first.",
  domain: "cloud",
  input: z
    .object({
      definition_id: definitionId,
      name: z.string().describe("The definition's exact current name, as a confirmation"),
      workspace_id: workspaceIdParam,
    })
    .strict(),
  output: z.object({ message: z.string(), definition_id: z.string(), name: z.string() }),
  hints: CLOUD_DESTROY,
  needsFilesystem: false,
  handler: (input, ctx) => deleteDefinition(ctx, input),
});

export const DEFINITION_TOOLS: readonly AnyToolDef[] = [
  publishCustomSourceDefinition,
  listCustomSourceDefinitions,
  getCustomSourceDefinition,
  getConnectorBuilderDraftManifest,
  updateCustomSourceDefinition,
  permanentlyDeleteCustomSourceDefinition,
];
