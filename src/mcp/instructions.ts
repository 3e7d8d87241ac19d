// The MCP `instructions` field: what the server covers and the rules an agent must know.

import type { Settings } from "../core/settings.ts";

export function serverInstructions(settings: Settings): string {
  const modes: string[] = [];
  modes.push(
    settings.safeMode
      ? "Safe mode is ON: destructive Cloud tools only touch objects created by this server process."
      : "Safe mode is OFF.",
  );
  if (settings.readOnlyMode) {
    modes.push(
      "Read-only mode is ON: Cloud tools that write or destroy are hidden (run_cloud_sync and cancel_cloud_sync stay available).",
    );
  }
  return [
    "airbyte-mcp works with Airbyte connectors. Tools come in three domains:",
    "- registry: list and inspect every Airbyte connector, its config spec and docs (no credentials needed).",
    "- local: run connectors on this machine (validate configs, discover streams, read records, sync into the embedded SQLite cache, query it with read-only SQL).",
    "- cloud: deploy sources and destinations to Airbyte Cloud, create connections, run and watch syncs, read logs, manage custom connector definitions.",
    "",
    "Secrets: never ask the user to paste a secret into the conversation. Secrets live in the server's env file (AIRBYTE_MCP_ENV_FILE).",
    "Call list_dotenv_secrets to see the names available, and put 'secret_reference::NAME' where a config needs a secret value;",
    "the server substitutes the value when it runs, and masks every known secret value as **** in results and errors.",
    "",
    "Cloud: discover the organisation and workspace with list_cloud_organizations then list_cloud_workspaces, and ask the user to choose; never pick one yourself.",
    ...modes,
    "Errors are tool results with isError=true: read the message, it says what went wrong and what to do next.",
  ].join("\n");
}
