import { NAME, VERSION } from "../core/version.ts";

export const MAIN_HELP = `${NAME} ${VERSION}: Airbyte connectors for AI agents (MCP) and scripts (CLI).

Usage:
  ${NAME}                       serve MCP over stdio (same as "serve")
  ${NAME} serve                 serve MCP over stdio
  ${NAME} tools [--json] [--all]
                                list the tools visible under the current settings
  ${NAME} call <tool> [--json '<arguments object>' | --json-file PATH | --json -]
                                run one tool and print its result as JSON
  ${NAME} sync <connector> [--config JSON | --config-file PATH] [--streams S] [...]
                                sync a source into the local cache (sync_source_to_cache)
  ${NAME} sql "<query>" [--max-records N]
                                query the local cache, read-only (run_sql_query)
  ${NAME} cloud sync --connection-id ID [--wait] [--timeout S] [--json]
                                run an Airbyte Cloud connection's sync (for CI)
  ${NAME} connector <name> <spec|check|discover|read> [--config F] [--catalog F] [--state F]
                                run a built-in connector (source-faker) speaking the
                                Airbyte protocol on stdout, like a connector image
  ${NAME} --version             print the version
  ${NAME} <command> --help      help for one command

Settings come from the environment and from the dotenv file named by AIRBYTE_MCP_ENV_FILE
(an absolute path). See the README for every variable.

Exit codes: 0 success, 1 the tool failed, 2 bad usage, invalid arguments or configuration.
`;

export const COMMAND_HELP: Record<string, string> = {
  connector: `Usage: ${NAME} connector <name> <spec|check|discover|read> [--config F] [--catalog F] [--state F]

Run a connector built into the binary (source-faker) as an Airbyte protocol program: its
messages go to stdout as JSON lines, exactly as a connector image would print them, so the
binary can stand in for the connector in a container or a pipeline. Needs no settings.
Exit codes: 0 success; 1 the connector failed (a TRACE ERROR message says why); 2 bad usage.
`,
  sync: `Usage: ${NAME} sync <connector> [options]

Sync a source's streams into the local cache: the friendly form of
'call sync_source_to_cache'. Prints the tool's JSON result; on a terminal, a progress
line on stderr while it runs.

  --config JSON            the config as a JSON object (use secret_reference::NAME for secrets)
  --config-file PATH       a YAML or JSON config file
  --config-secret-name N   an env-file variable holding a whole config
  --streams S              'suggested' (default), '*', or names separated by commas
  --write-strategy W       auto (default), merge, append or replace
  --full-refresh           ignore the saved state and read everything again
  --mode M                 executor: auto (default), builtin, yaml, path, python, docker
  --version V              connector version to run
  --docker-image I, --pip-url U, --executable CMD, --manifest-path PATH
                           run the connector this way instead

Exit codes: 0 success; 1 the sync failed (what was committed is kept; rerun to continue);
2 bad usage or invalid arguments.
`,
  sql: `Usage: ${NAME} sql "<query>" [--max-records N]

Run one read-only SQL query on the local cache: the friendly form of 'call run_sql_query'.
Prints the JSON result (columns, rows, truncated). Writes are refused.

Exit codes: 0 success; 1 the query failed or was refused; 2 bad usage.
`,
  cloud: `Usage: ${NAME} cloud sync --connection-id ID [options]

Start a sync of an Airbyte Cloud connection; with --wait, follow it to the end. Made for CI:
the exit code says how the job ended, stdout has the outcome (job id, status, records,
bytes, duration, URL), and stderr a line at each status change.

  --connection-id ID     the connection to sync (required)
  --workspace-id ID      its workspace (default: AIRBYTE_CLOUD_WORKSPACE_ID)
  --wait                 wait for the job to end (default: start it and exit)
  --timeout S            seconds to wait with --wait (default 3600)
  --cancel-on-stop       cancel the job when the wait ends early (timeout or interrupt);
                         without it the job keeps running in Airbyte Cloud
  --json                 print the outcome as a JSON object

Credentials: AIRBYTE_CLOUD_CLIENT_ID and AIRBYTE_CLOUD_CLIENT_SECRET, or
AIRBYTE_CLOUD_BEARER_TOKEN (AIRBYTE_CLOUD_API_URL for a self-managed instance).

Exit codes: 0 the job succeeded (or, without --wait, started); 1 it failed or was
cancelled, or Airbyte could not be reached; 2 bad usage or configuration, or the
setting that hides run_cloud_sync; 3 --timeout passed while the job was still running;
130 interrupted while waiting.
`,
  serve: `Usage: ${NAME} serve

Serve the Model Context Protocol over stdio, for an MCP client (Claude, Cursor, VS Code, ...).
Both protocol eras are served: 2025-11-25 (initialize handshake) and 2026-07-28 (stateless).
Stdout carries only JSON-RPC; logs go to stderr (AIRBYTE_MCP_LOG_LEVEL).
`,
  tools: `Usage: ${NAME} tools [--json] [--all]

List the tools visible under the current settings, with their hints
(RO read-only, D destructive, I idempotent, OW open world, FS needs the local filesystem).

  --json   print a JSON array of objects: name, title, domain, the four hints,
           requiresClientFilesystem, description, inputSchema, outputSchema
  --all    include hidden tools, each with the setting that hides it (hidden_by)
`,
  call: `Usage: ${NAME} call <tool> [--json '<arguments object>' | --json-file PATH | --json -]

Validate the arguments with the tool's schema, run the tool and print its structured
result as JSON on stdout.

  --json ARGS       the arguments as a JSON object (default: {})
  --json -          read the arguments object from stdin
  --json-file PATH  read the arguments object from a file

Exit codes: 0 success; 1 the tool failed (message on stderr); 2 bad usage, unknown or
hidden tool, or invalid arguments (the message names the bad field).
`,
};
