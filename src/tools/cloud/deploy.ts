// Cloud tools that create: sources, destinations (the no-op one included) and connections.

import { z } from "zod";
import { createConnection, deployConnector, deployNoopDestination } from "../../cloud/deploy.ts";
import { type AnyToolDef, defineTool } from "../../core/tool.ts";
import { CLOUD_WRITE, configParam, idParam, streamListParam, workspaceIdParam } from "./common.ts";

const SAFE_MODE_NOTE =
  "The new object is recorded as created by this server, so safe mode lets later tools change or delete it.";

const configSecretNameParam = z
  .string()
  .nullable()
  .default(null)
  .describe(
    "Name of a variable in the server's env file or environment holding a whole config (JSON or YAML object), merged on top of config",
  );

const uniqueParam = z
  .boolean()
  .default(true)
  .describe("Refuse when the workspace already has one with this exact name");

export const deploySourceToCloud = defineTool({
  name: "deploy_source_to_cloud",
  title: "Deploy a source to Airbyte Cloud",
  description:
    "Create a source in an Airbyte Cloud workspace from a registry connector (e.g. 'source-faker'). Nothing runs " +
    "locally: the config is checked against the connector's spec from the registry (every bad field is reported " +
    "by name) before anything is sent. Secret fields must be 'secret_reference::ENV_VAR' values (resolved on the " +
    "server; plain-text secrets are refused) or come from config_secret_name. " +
    SAFE_MODE_NOTE,
  domain: "cloud",
  input: z
    .object({
      source_name: z.string().describe("The name to use when deploying the source"),
      source_connector_name: z.string().min(1).describe("The registry connector, e.g. 'source-faker'"),
      workspace_id: workspaceIdParam,
      config: configParam.nullable().default(null),
      config_secret_name: configSecretNameParam,
      unique: uniqueParam,
    })
    .strict(),
  output: z.object({
    message: z.string(),
    source_id: z.string(),
    source_name: z.string(),
    source_url: z.string(),
  }),
  hints: CLOUD_WRITE,
  needsFilesystem: false,
  async handler(input, ctx) {
    const d = await deployConnector(
      "source",
      {
        name: input.source_name,
        connectorName: input.source_connector_name,
        workspaceId: input.workspace_id,
        config: input.config,
        configSecretName: input.config_secret_name,
        unique: input.unique,
      },
      ctx,
    );
    return {
      message: `Successfully deployed source '${d.name}' with ID '${d.id}' and URL: ${d.url}`,
      source_id: d.id,
      source_name: d.name,
      source_url: d.url,
    };
  },
});

export const deployDestinationToCloud = defineTool({
  name: "deploy_destination_to_cloud",
  title: "Deploy a destination to Airbyte Cloud",
  description:
    "Create a destination in an Airbyte Cloud workspace from a registry connector (e.g. 'destination-postgres'). " +
    "The config is checked against the connector's spec from the registry (every bad field is reported by name) " +
    "before anything is sent. Secret fields must be 'secret_reference::ENV_VAR' values (resolved on the server; " +
    "plain-text secrets are refused) or come from config_secret_name. " +
    SAFE_MODE_NOTE,
  domain: "cloud",
  input: z
    .object({
      destination_name: z.string().describe("The name to use when deploying the destination"),
      destination_connector_name: z
        .string()
        .min(1)
        .describe("The registry connector, e.g. 'destination-postgres'"),
      workspace_id: workspaceIdParam,
      config: configParam.nullable().default(null),
      config_secret_name: configSecretNameParam,
      unique: uniqueParam,
    })
    .strict(),
  output: z.object({
    message: z.string(),
    destination_id: z.string(),
    destination_name: z.string(),
    destination_url: z.string(),
  }),
  hints: CLOUD_WRITE,
  needsFilesystem: false,
  async handler(input, ctx) {
    const d = await deployConnector(
      "destination",
      {
        name: input.destination_name,
        connectorName: input.destination_connector_name,
        workspaceId: input.workspace_id,
        config: input.config,
        configSecretName: input.config_secret_name,
        unique: input.unique,
      },
      ctx,
    );
    return {
      message: `Successfully deployed destination '${d.name}' with ID: ${d.id}`,
      destination_id: d.id,
      destination_name: d.name,
      destination_url: d.url,
    };
  },
});

export const deployNoopDestinationToCloud = defineTool({
  name: "deploy_noop_destination_to_cloud",
  title: "Deploy a no-op destination to Airbyte Cloud",
  description:
    "Create a destination that discards everything it receives (destination-dev-null, silent mode), for testing " +
    `sources and connections without writing data anywhere. ${SAFE_MODE_NOTE}`,
  domain: "cloud",
  input: z
    .object({
      name: z.string().default("No-op Destination").describe("The destination's name"),
      workspace_id: workspaceIdParam,
      unique: uniqueParam,
    })
    .strict(),
  output: z.object({
    message: z.string(),
    destination_id: z.string(),
    destination_name: z.string(),
    destination_url: z.string(),
  }),
  hints: CLOUD_WRITE,
  needsFilesystem: false,
  async handler(input, ctx) {
    const d = await deployNoopDestination(
      { name: input.name, workspaceId: input.workspace_id, unique: input.unique },
      ctx,
    );
    return {
      message: `Successfully deployed No-op Destination with ID '${d.id}' and URL: ${d.url}`,
      destination_id: d.id,
      destination_name: d.name,
      destination_url: d.url,
    };
  },
});

export const createConnectionOnCloud = defineTool({
  name: "create_connection_on_cloud",
  title: "Create a connection on Airbyte Cloud",
  description:
    "Create a connection from a deployed source to a deployed destination of the workspace, syncing the streams " +
    "named in selected_streams (a list, a JSON array string, or a comma-separated string; it cannot be empty or " +
    "'*'). Cloud picks each stream's sync mode. table_prefix is put in front of every table name in the " +
    `destination. ${SAFE_MODE_NOTE}`,
  domain: "cloud",
  input: z
    .object({
      connection_name: z.string().describe("The name of the connection"),
      source_id: idParam("deployed source"),
      destination_id: idParam("deployed destination"),
      selected_streams: streamListParam,
      workspace_id: workspaceIdParam,
      table_prefix: z
        .string()
        .nullable()
        .default(null)
        .describe("Prefix of the destination tables; null for none"),
    })
    .strict(),
  output: z.object({
    message: z.string(),
    connection_id: z.string(),
    connection_name: z.string(),
    connection_url: z.string(),
    source_id: z.string(),
    destination_id: z.string(),
    selected_streams: z.array(z.string()),
  }),
  hints: CLOUD_WRITE,
  needsFilesystem: false,
  async handler(input, ctx) {
    const c = await createConnection(
      {
        connectionName: input.connection_name,
        sourceId: input.source_id,
        destinationId: input.destination_id,
        selectedStreams: input.selected_streams,
        workspaceId: input.workspace_id,
        tablePrefix: input.table_prefix,
      },
      ctx,
    );
    return {
      message: `Successfully created connection '${c.name}' with ID '${c.id}' and URL: ${c.url}`,
      connection_id: c.id,
      connection_name: c.name,
      connection_url: c.url,
      source_id: c.sourceId,
      destination_id: c.destinationId,
      selected_streams: c.streams,
    };
  },
});

export const DEPLOY_TOOLS: readonly AnyToolDef[] = [
  deploySourceToCloud,
  deployDestinationToCloud,
  deployNoopDestinationToCloud,
  createConnectionOnCloud,
];
