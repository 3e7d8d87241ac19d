// Cloud tools that read a workspace's sources, destinations and connections.

import { z } from "zod";
import {
  describeConnection,
  describeDestination,
  describeSource,
  listConnections,
  listConnectors,
} from "../../cloud/inventory.ts";
import { type AnyToolDef, defineTool } from "../../core/tool.ts";
import { CLOUD_READ, idParam, workspaceIdParam } from "./common.ts";

const nameContainsParam = (what: string) =>
  z.string().nullable().default(null).describe(`Case-insensitive substring of the ${what} name to keep`);

const limitParam = z
  .number()
  .int()
  .min(1)
  .nullable()
  .default(null)
  .describe("Return at most this many (after filtering); null for all");

const listed = z.object({ id: z.string(), name: z.string(), url: z.string() });

export const listDeployedCloudSourceConnectors = defineTool({
  name: "list_deployed_cloud_source_connectors",
  title: "List Cloud sources",
  description:
    "List the sources deployed in an Airbyte Cloud workspace: id, name and web URL of each, optionally filtered by " +
    "a case-insensitive name substring and truncated to limit.",
  domain: "cloud",
  input: z
    .object({ workspace_id: workspaceIdParam, name_contains: nameContainsParam("source"), limit: limitParam })
    .strict(),
  output: z.object({ sources: z.array(listed), count: z.number().int() }),
  hints: CLOUD_READ,
  needsFilesystem: false,
  async handler(input, ctx) {
    const sources = await listConnectors(
      "source",
      { workspaceId: input.workspace_id, nameContains: input.name_contains, limit: input.limit },
      ctx,
    );
    return { sources, count: sources.length };
  },
});

export const listDeployedCloudDestinationConnectors = defineTool({
  name: "list_deployed_cloud_destination_connectors",
  title: "List Cloud destinations",
  description:
    "List the destinations deployed in an Airbyte Cloud workspace: id, name and web URL of each, optionally " +
    "filtered by a case-insensitive name substring and truncated to limit.",
  domain: "cloud",
  input: z
    .object({
      workspace_id: workspaceIdParam,
      name_contains: nameContainsParam("destination"),
      limit: limitParam,
    })
    .strict(),
  output: z.object({ destinations: z.array(listed), count: z.number().int() }),
  hints: CLOUD_READ,
  needsFilesystem: false,
  async handler(input, ctx) {
    const destinations = await listConnectors(
      "destination",
      { workspaceId: input.workspace_id, nameContains: input.name_contains, limit: input.limit },
      ctx,
    );
    return { destinations, count: destinations.length };
  },
});

export const listDeployedCloudConnections = defineTool({
  name: "list_deployed_cloud_connections",
  title: "List Cloud connections",
  description:
    "List the connections of an Airbyte Cloud workspace: id, name, web URL, source and destination ids, optionally " +
    "filtered by a case-insensitive name substring and truncated to limit. with_connection_status=true adds each " +
    "connection's last finished sync (status, job id, start time, skipping syncs still running) and the sync " +
    "running now, at the cost of one request per connection. failing_connections_only=true keeps only connections " +
    "whose last finished sync failed or was cancelled (it implies with_connection_status).",
  domain: "cloud",
  input: z
    .object({
      workspace_id: workspaceIdParam,
      name_contains: nameContainsParam("connection"),
      limit: limitParam,
      with_connection_status: z
        .boolean()
        .nullable()
        .default(false)
        .describe("Add the status of each connection's last finished sync and of the sync running now"),
      failing_connections_only: z
        .boolean()
        .nullable()
        .default(false)
        .describe("Keep only connections whose last finished sync failed or was cancelled"),
    })
    .strict(),
  output: z.object({
    connections: z.array(
      listed.extend({
        source_id: z.string(),
        destination_id: z.string(),
        last_job_status: z.string().nullable(),
        last_job_id: z.number().int().nullable(),
        last_job_time: z.string().nullable(),
        currently_running_job_id: z.number().int().nullable(),
        currently_running_job_start_time: z.string().nullable(),
      }),
    ),
    count: z.number().int(),
  }),
  hints: CLOUD_READ,
  needsFilesystem: false,
  async handler(input, ctx) {
    const connections = await listConnections(
      {
        workspaceId: input.workspace_id,
        nameContains: input.name_contains,
        limit: input.limit,
        withConnectionStatus: input.with_connection_status === true,
        failingConnectionsOnly: input.failing_connections_only === true,
      },
      ctx,
    );
    return { connections, count: connections.length };
  },
});

export const describeCloudSource = defineTool({
  name: "describe_cloud_source",
  title: "Describe a Cloud source",
  description:
    "Describe one source of the workspace: its name, web URL and connector definition id. Its config is not " +
    "returned. A source of another workspace is refused.",
  domain: "cloud",
  input: z.object({ source_id: idParam("source to describe"), workspace_id: workspaceIdParam }).strict(),
  output: z.object({
    source_id: z.string(),
    source_name: z.string(),
    source_url: z.string(),
    connector_definition_id: z.string(),
  }),
  hints: CLOUD_READ,
  needsFilesystem: false,
  handler: (input, ctx) =>
    describeSource({ sourceId: input.source_id, workspaceId: input.workspace_id }, ctx),
});

export const describeCloudDestination = defineTool({
  name: "describe_cloud_destination",
  title: "Describe a Cloud destination",
  description:
    "Describe one destination of the workspace: its name, web URL and connector definition id. Its config is not " +
    "returned. A destination of another workspace is refused.",
  domain: "cloud",
  input: z
    .object({ destination_id: idParam("destination to describe"), workspace_id: workspaceIdParam })
    .strict(),
  output: z.object({
    destination_id: z.string(),
    destination_name: z.string(),
    destination_url: z.string(),
    connector_definition_id: z.string(),
  }),
  hints: CLOUD_READ,
  needsFilesystem: false,
  handler: (input, ctx) =>
    describeDestination({ destinationId: input.destination_id, workspaceId: input.workspace_id }, ctx),
});

export const describeCloudConnection = defineTool({
  name: "describe_cloud_connection",
  title: "Describe a Cloud connection",
  description:
    "Describe one connection of the workspace: its name and web URL, its source and destination (ids and names), " +
    "the streams it syncs and its table prefix. A connection of another workspace is refused.",
  domain: "cloud",
  input: z
    .object({ connection_id: idParam("connection to describe"), workspace_id: workspaceIdParam })
    .strict(),
  output: z.object({
    connection_id: z.string(),
    connection_name: z.string(),
    connection_url: z.string(),
    source_id: z.string(),
    source_name: z.string(),
    destination_id: z.string(),
    destination_name: z.string(),
    selected_streams: z.array(z.string()),
    table_prefix: z.string().nullable(),
  }),
  hints: CLOUD_READ,
  needsFilesystem: false,
  handler: (input, ctx) =>
    describeConnection({ connectionId: input.connection_id, workspaceId: input.workspace_id }, ctx),
});

export const INVENTORY_TOOLS: readonly AnyToolDef[] = [
  listDeployedCloudSourceConnectors,
  listDeployedCloudDestinationConnectors,
  listDeployedCloudConnections,
  describeCloudSource,
  describeCloudDestination,
  describeCloudConnection,
];
