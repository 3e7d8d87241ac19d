// Checking a deployed source or destination: Airbyte runs the connector's `check` with the stored
// configuration. The public API has no check, so this is the Config API's check_connection; the
// connector is found by id among sources first, then destinations (unless its type is given).

import { ToolError } from "../core/errors.ts";
import type { ToolContext } from "../core/tool.ts";
import { CloudApiError, type CloudClient } from "./client/index.ts";
import { workspaceOf } from "./session.ts";

type Ctx = Pick<ToolContext, "settings" | "cloud" | "signal">;

export interface CheckInput {
  connector_id: string;
  connector_type: "source" | "destination" | null;
  workspace_id: string | null;
}

export interface CheckResult {
  connector_id: string;
  connector_type: "source" | "destination";
  connector_name: string;
  succeeded: boolean;
  status: "succeeded" | "failed";
  /** The connector's failure message; null when it succeeded. */
  message: string | null;
}

const NO_MESSAGE = "Connector check failed without a failure message.";

const notFound = (error: unknown) => error instanceof CloudApiError && error.status === 404;

interface Found {
  type: "source" | "destination";
  name: string;
  workspaceId: string;
}

async function findConnector(
  client: CloudClient,
  id: string,
  type: CheckInput["connector_type"],
  signal: AbortSignal,
): Promise<Found> {
  if (type !== "destination") {
    try {
      const s = await client.sources.get(id, signal);
      return { type: "source", name: s.name, workspaceId: s.workspaceId };
    } catch (error) {
      if (type === "source" || !notFound(error)) throw error;
    }
  }
  try {
    const d = await client.destinations.get(id, signal);
    return { type: "destination", name: d.name, workspaceId: d.workspaceId };
  } catch (error) {
    if (type === null && notFound(error)) {
      throw new ToolError(`No source or destination with id ${id} is visible to these credentials.`, {
        hint: "List the workspace's connectors with list_deployed_cloud_source_connectors or list_deployed_cloud_destination_connectors and pass one of their ids.",
        cause: error,
      });
    }
    throw error;
  }
}

/** check_cloud_connector: runs the connector's check in Airbyte and says whether it passed and why not. */
export async function checkCloudConnector(ctx: Ctx, input: CheckInput): Promise<CheckResult> {
  const workspaceId = workspaceOf(input.workspace_id, ctx.settings);
  const client = ctx.cloud.client();
  const found = await findConnector(client, input.connector_id, input.connector_type, ctx.signal);
  if (found.workspaceId !== workspaceId) {
    throw new ToolError(
      `The ${found.type} ${input.connector_id} belongs to workspace ${found.workspaceId}, not to workspace ${workspaceId}.`,
      { hint: `Pass workspace_id='${found.workspaceId}' to check it.` },
    );
  }
  const result =
    found.type === "source"
      ? await client.config.checkSource(input.connector_id, ctx.signal)
      : await client.config.checkDestination(input.connector_id, ctx.signal);
  const succeeded = result.status === "succeeded";
  return {
    connector_id: input.connector_id,
    connector_type: found.type,
    connector_name: found.name,
    succeeded,
    status: result.status,
    message: succeeded ? null : result.message?.trim() || NO_MESSAGE,
  };
}
