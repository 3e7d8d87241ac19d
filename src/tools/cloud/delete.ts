// Cloud tools that permanently delete sources, destinations and connections.

import { z } from "zod";
import { deleteConnection, deleteConnector } from "../../cloud/delete.ts";
import { type AnyToolDef, defineTool } from "../../core/tool.ts";
import { CLOUD_DESTROY, idParam } from "./common.ts";

const GATES =
  "Two checks run first: safe mode (on unless AIRBYTE_CLOUD_MCP_SAFE_MODE=0) allows it only on objects this " +
  "server created, and `name` must be the object's exact current name (read it with the describe or list tool " +
  "and confirm with the user). This cannot be undone.";

const exactNameParam = (what: string) =>
  z.string().describe(`The ${what}'s exact current name, as a confirmation (compared exactly)`);

function deleteConnectorTool(kind: "source" | "destination") {
  return defineTool({
    name: `permanently_delete_cloud_${kind}`,
    title: `Delete a Cloud ${kind}`,
    description:
      `Permanently delete a ${kind} from Airbyte Cloud. ${GATES} A ${kind} still used by a connection is not ` +
      `deleted (Airbyte would delete the connection too): delete its connections first, or use ` +
      `permanently_delete_cloud_connection with cascade_delete_${kind}=true.`,
    domain: "cloud",
    input: z.object({ [`${kind}_id`]: idParam(`${kind} to delete`), name: exactNameParam(kind) }).strict(),
    output: z.object({ message: z.string(), [`${kind}_id`]: z.string(), [`${kind}_name`]: z.string() }),
    hints: CLOUD_DESTROY,
    needsFilesystem: false,
    async handler(input, ctx) {
      const d = await deleteConnector(
        kind,
        { id: String(input[`${kind}_id`]), name: String(input.name) },
        ctx,
      );
      return {
        message: `Successfully deleted ${kind} '${d.name}' (ID: ${d.id})`,
        [`${kind}_id`]: d.id,
        [`${kind}_name`]: d.name,
      };
    },
  });
}

export const permanentlyDeleteCloudSource = deleteConnectorTool("source");
export const permanentlyDeleteCloudDestination = deleteConnectorTool("destination");

const deletedRef = z.object({ id: z.string(), name: z.string() }).nullable();

export const permanentlyDeleteCloudConnection = defineTool({
  name: "permanently_delete_cloud_connection",
  title: "Delete a Cloud connection",
  description:
    `Permanently delete a connection from Airbyte Cloud, and with cascade_delete_source / ` +
    `cascade_delete_destination its source and destination too. ${GATES} A cascaded source or destination goes ` +
    "through both checks as well: pass its exact current name as source_name / destination_name " +
    "(describe_cloud_connection shows them); it is not deleted while another connection uses it. Every check runs " +
    "before the first delete, so a refusal deletes nothing.",
  domain: "cloud",
  input: z
    .object({
      connection_id: idParam("connection to delete"),
      name: exactNameParam("connection"),
      cascade_delete_source: z.boolean().default(false).describe("Also delete the connection's source"),
      cascade_delete_destination: z
        .boolean()
        .default(false)
        .describe("Also delete the connection's destination"),
      source_name: z
        .string()
        .nullable()
        .default(null)
        .describe("With cascade_delete_source: the source's exact current name"),
      destination_name: z
        .string()
        .nullable()
        .default(null)
        .describe("With cascade_delete_destination: the destination's exact current name"),
    })
    .strict(),
  output: z.object({
    message: z.string(),
    connection_id: z.string(),
    connection_name: z.string(),
    deleted_source: deletedRef,
    deleted_destination: deletedRef,
  }),
  hints: CLOUD_DESTROY,
  needsFilesystem: false,
  async handler(input, ctx) {
    const d = await deleteConnection(
      {
        connectionId: input.connection_id,
        name: input.name,
        cascadeDeleteSource: input.cascade_delete_source,
        cascadeDeleteDestination: input.cascade_delete_destination,
        sourceName: input.source_name,
        destinationName: input.destination_name,
      },
      ctx,
    );
    const also = [
      d.source && `source '${d.source.name}' (ID: ${d.source.id})`,
      d.destination && `destination '${d.destination.name}' (ID: ${d.destination.id})`,
    ].filter((s): s is string => typeof s === "string");
    return {
      message:
        `Successfully deleted connection '${d.name}' (ID: ${d.id})` +
        (also.length > 0 ? `, and its ${also.join(" and its ")}` : ""),
      connection_id: d.id,
      connection_name: d.name,
      deleted_source: d.source,
      deleted_destination: d.destination,
    };
  },
});

export const DELETE_TOOLS: readonly AnyToolDef[] = [
  permanentlyDeleteCloudSource,
  permanentlyDeleteCloudDestination,
  permanentlyDeleteCloudConnection,
];
