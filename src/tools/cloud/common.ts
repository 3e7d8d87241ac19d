// What every Cloud tool definition shares: hints, the common parameters, and the way results say
// what happened. Tool modules stay a few lines per tool calling into src/cloud/.

import { z } from "zod";
import type { ToolHints } from "../../core/tool.ts";

/** Reads Airbyte Cloud: open world, no side effects. */
export const CLOUD_READ: ToolHints = {
  readOnlyHint: true,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: true,
};

/** Creates or changes something in Airbyte Cloud, nothing lost (deploy, rename, run a sync). */
export const CLOUD_WRITE: ToolHints = {
  readOnlyHint: false,
  destructiveHint: false,
  idempotentHint: false,
  openWorldHint: true,
};

/** Replaces or deletes something in Airbyte Cloud (config updates, deletes). */
export const CLOUD_DESTROY: ToolHints = {
  readOnlyHint: false,
  destructiveHint: true,
  idempotentHint: false,
  openWorldHint: true,
};

/** `workspace_id`, optional wherever AIRBYTE_CLOUD_WORKSPACE_ID can stand in. */
export const workspaceIdParam = z
  .string()
  .nullable()
  .default(null)
  .describe("Airbyte Cloud workspace ID; null uses AIRBYTE_CLOUD_WORKSPACE_ID");

/** An object's ID as the API gives it. */
export const idParam = (what: string) => z.string().trim().min(1).describe(`ID of the ${what}`);

/**
 * A config given as an object or as a JSON string (PyAirbyte accepts both). Values may be
 * `secret_reference::ENV_VAR` strings; they are resolved on the server before sending.
 */
export const configParam = z
  .union([z.record(z.string(), z.unknown()), z.string()])
  .describe(
    "Connector configuration: an object or a JSON string. Secret values should be 'secret_reference::ENV_VAR_NAME' strings, resolved on the server.",
  );

/** A list given as a list, a JSON array string or a comma-separated string (PyAirbyte accepts all). */
export const streamListParam = z
  .union([z.array(z.string()), z.string()])
  .describe("Stream names: a list, a JSON array string, or a comma-separated string");
