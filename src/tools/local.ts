// Local-domain tools: they run on the server's machine (connectors, files, the embedded cache).

import { statSync } from "node:fs";
import { z } from "zod";
import { defineTool } from "../core/tool.ts";

export const listDotenvSecrets = defineTool({
  name: "list_dotenv_secrets",
  title: "List env-file secret names",
  description:
    "List the variable names defined in the server's env file (AIRBYTE_MCP_ENV_FILE), never their values. " +
    "Reference one from a connector config as the string 'secret_reference::NAME'; the server substitutes " +
    "the value when it runs the connector, so the value never enters the conversation.",
  domain: "local",
  input: z.object({}).strict(),
  output: z.object({
    env_file: z
      .string()
      .nullable()
      .describe("Absolute path of the env file, or null when none is configured."),
    variable_names: z.array(z.string()).describe("Names defined in the env file, in file order."),
    note: z.string().nullable().describe("What to do when the list is empty or out of date."),
  }),
  hints: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  needsFilesystem: true,
  async handler(_input, { settings }) {
    const file = settings.envFile;
    if (!file) {
      return {
        env_file: null,
        variable_names: [],
        note: "No env file is configured. Set AIRBYTE_MCP_ENV_FILE to the absolute path of a dotenv file in the MCP client's server config, then restart the server.",
      };
    }
    let note: string | null = null;
    try {
      if (statSync(file.path).mtimeMs !== file.mtimeMs) {
        note = "The env file changed after the server started; restart the server to load the new names.";
      }
    } catch {
      note = "The env file can no longer be read; the names listed are those loaded at start-up.";
    }
    if (note === null && file.names.length === 0) note = "The env file defines no variables.";
    return { env_file: file.path, variable_names: file.names, note };
  },
});
