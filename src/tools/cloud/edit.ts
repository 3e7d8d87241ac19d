// Cloud tools that change existing objects: renames, config updates, a connection's prefix, streams,
// status and schedule. Safe mode allows them only on objects this server created.

import { z } from "zod";
import {
  renameObject,
  setSelectedStreams,
  setTablePrefix,
  updateConfig,
  updateConnection,
} from "../../cloud/edit.ts";
import { type AnyToolDef, defineTool } from "../../core/tool.ts";
import {
  CLOUD_DESTROY,
  CLOUD_WRITE,
  configParam,
  idParam,
  streamListParam,
  workspaceIdParam,
} from "./common.ts";

const SAFE_MODE_NOTE =
  "Safe mode (on unless AIRBYTE_CLOUD_MCP_SAFE_MODE=0) allows this only on objects this server created.";

const newNameParam = (what: string) => z.string().describe(`New name for the ${what}`);

const renamed = (prefix: "source" | "destination" | "connection") =>
  z.object({
    message: z.string(),
    [`${prefix}_id`]: z.string(),
    [`${prefix}_name`]: z.string(),
    [`${prefix}_url`]: z.string(),
  });

function renameTool(kind: "source" | "destination" | "connection") {
  return defineTool({
    name: `rename_cloud_${kind}`,
    title: `Rename a Cloud ${kind}`,
    description: `Rename a ${kind} of the Airbyte Cloud workspace. ${SAFE_MODE_NOTE}`,
    domain: "cloud",
    input: z
      .object({
        [`${kind}_id`]: idParam(`${kind} to rename`),
        name: newNameParam(kind),
        workspace_id: workspaceIdParam,
      })
      .strict(),
    output: renamed(kind),
    hints: CLOUD_WRITE,
    needsFilesystem: false,
    async handler(input, ctx) {
      const r = await renameObject(
        kind,
        {
          id: String(input[`${kind}_id`]),
          name: String(input.name),
          workspaceId: input.workspace_id as string | null,
        },
        ctx,
      );
      return {
        message: `Successfully renamed ${kind} '${r.id}' to '${r.name}'. URL: ${r.url}`,
        [`${kind}_id`]: r.id,
        [`${kind}_name`]: r.name,
        [`${kind}_url`]: r.url,
      };
    },
  });
}

const configSecretNameParam = z
  .string()
  .nullable()
  .default(null)
  .describe(
    "Name of a variable in the server's env file or environment holding config values (JSON or YAML object), merged on top of config",
  );

function updateConfigTool(kind: "source" | "destination") {
  return defineTool({
    name: `update_cloud_${kind}_config`,
    title: `Update a Cloud ${kind}'s config`,
    description:
      `Change the config of a ${kind} of the workspace. The fields given are merged into the stored config: ` +
      "fields not given keep their values, nested objects are merged field by field, lists and other values are " +
      "replaced; a field cannot be removed this way. Cloud checks the result against the connector's spec, and " +
      `a wrong value can break the ${kind}'s connections. A secret field given must be a ` +
      "'secret_reference::ENV_VAR' value (resolved on the server before sending; plain-text secrets are refused) " +
      "or come from config_secret_name; leave it out (or send '**********') to keep the stored value. " +
      SAFE_MODE_NOTE,
    domain: "cloud",
    input: z
      .object({
        [`${kind}_id`]: idParam(`${kind} to update`),
        config: configParam,
        config_secret_name: configSecretNameParam,
        workspace_id: workspaceIdParam,
      })
      .strict(),
    output: z.object({ message: z.string(), [`${kind}_id`]: z.string(), [`${kind}_url`]: z.string() }),
    hints: CLOUD_DESTROY,
    needsFilesystem: false,
    async handler(input, ctx) {
      const r = await updateConfig(
        kind,
        {
          id: String(input[`${kind}_id`]),
          config: input.config as Record<string, unknown> | string,
          configSecretName: input.config_secret_name as string | null,
          workspaceId: input.workspace_id as string | null,
        },
        ctx,
      );
      return {
        message: `Successfully updated ${kind} '${r.id}'. URL: ${r.url}`,
        [`${kind}_id`]: r.id,
        [`${kind}_url`]: r.url,
      };
    },
  });
}

export const setCloudConnectionTablePrefix = defineTool({
  name: "set_cloud_connection_table_prefix",
  title: "Set a Cloud connection's table prefix",
  description:
    "Set the prefix put in front of every table the connection writes in its destination ('' for none). Later " +
    `syncs write to the new tables, which can break whatever reads the old ones. ${SAFE_MODE_NOTE}`,
  domain: "cloud",
  input: z
    .object({
      connection_id: idParam("connection to update"),
      prefix: z.string().describe("New table prefix ('' for none)"),
      workspace_id: workspaceIdParam,
    })
    .strict(),
  output: z.object({
    message: z.string(),
    connection_id: z.string(),
    table_prefix: z.string(),
    connection_url: z.string(),
  }),
  hints: CLOUD_DESTROY,
  needsFilesystem: false,
  async handler(input, ctx) {
    const r = await setTablePrefix(
      { connectionId: input.connection_id, prefix: input.prefix, workspaceId: input.workspace_id },
      ctx,
    );
    return {
      message: `Successfully set table prefix for connection '${r.id}' to '${input.prefix}'. URL: ${r.url}`,
      connection_id: r.id,
      table_prefix: input.prefix,
      connection_url: r.url,
    };
  },
});

export const setCloudConnectionSelectedStreams = defineTool({
  name: "set_cloud_connection_selected_streams",
  title: "Set a Cloud connection's streams",
  description:
    "Replace the streams a connection syncs (a list, a JSON array string, or a comma-separated string; not empty, " +
    "not '*'). Streams that stay selected keep their sync mode, cursor and primary key; new ones get Cloud's " +
    `defaults; streams left out stop syncing. ${SAFE_MODE_NOTE}`,
  domain: "cloud",
  input: z
    .object({
      connection_id: idParam("connection to update"),
      stream_names: streamListParam,
      workspace_id: workspaceIdParam,
    })
    .strict(),
  output: z.object({
    message: z.string(),
    connection_id: z.string(),
    selected_streams: z.array(z.string()),
    connection_url: z.string(),
  }),
  hints: CLOUD_DESTROY,
  needsFilesystem: false,
  async handler(input, ctx) {
    const r = await setSelectedStreams(
      { connectionId: input.connection_id, streamNames: input.stream_names, workspaceId: input.workspace_id },
      ctx,
    );
    return {
      message: `Successfully set selected streams for connection '${r.id}' to ${pythonList(r.streams)}. URL: ${r.url}`,
      connection_id: r.id,
      selected_streams: r.streams,
      connection_url: r.url,
    };
  },
});

export const updateCloudConnection = defineTool({
  name: "update_cloud_connection",
  title: "Update a Cloud connection",
  description:
    "Enable or disable a connection and set its schedule, in one call. enabled=true makes it active, false " +
    "inactive (no change when it already is). cron_expression (Quartz syntax, e.g. '0 0 12 * * ?'; Cloud refuses " +
    "schedules more frequent than hourly) schedules syncs; manual_schedule=true makes it sync only when started " +
    "by hand. At least one setting is required; cron_expression and manual_schedule=true exclude each other. " +
    SAFE_MODE_NOTE,
  domain: "cloud",
  input: z
    .object({
      connection_id: idParam("connection to update"),
      enabled: z
        .boolean()
        .nullable()
        .default(null)
        .describe("true: active; false: inactive; null: unchanged"),
      cron_expression: z
        .string()
        .nullable()
        .default(null)
        .describe("Quartz cron expression of the sync schedule; null: unchanged"),
      manual_schedule: z
        .boolean()
        .nullable()
        .default(null)
        .describe("true: sync only when started by hand; null or false: unchanged"),
      workspace_id: workspaceIdParam,
    })
    .strict(),
  output: z.object({
    message: z.string(),
    connection_id: z.string(),
    changes: z.array(z.string()),
    connection_url: z.string(),
  }),
  hints: CLOUD_DESTROY,
  needsFilesystem: false,
  async handler(input, ctx) {
    const r = await updateConnection(
      {
        connectionId: input.connection_id,
        enabled: input.enabled,
        cronExpression: input.cron_expression,
        manualSchedule: input.manual_schedule,
        workspaceId: input.workspace_id,
      },
      ctx,
    );
    return {
      message: `Successfully updated connection '${r.id}': ${r.changes.join(", ")}. URL: ${r.url}`,
      connection_id: r.id,
      changes: r.changes,
      connection_url: r.url,
    };
  },
});

/** A list as PyAirbyte's messages print it: ['a', 'b']. */
function pythonList(items: string[]): string {
  return `[${items.map((s) => `'${s}'`).join(", ")}]`;
}

export const renameCloudSource = renameTool("source");
export const renameCloudDestination = renameTool("destination");
export const renameCloudConnection = renameTool("connection");
export const updateCloudSourceConfig = updateConfigTool("source");
export const updateCloudDestinationConfig = updateConfigTool("destination");

export const EDIT_TOOLS: readonly AnyToolDef[] = [
  renameCloudSource,
  updateCloudSourceConfig,
  renameCloudDestination,
  updateCloudDestinationConfig,
  renameCloudConnection,
  setCloudConnectionTablePrefix,
  setCloudConnectionSelectedStreams,
  updateCloudConnection,
];
