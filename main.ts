// Entry point of the airbyte-mcp binary: argv -> CLI command or the stdio MCP server.

import { runCli } from "./src/cli/main.ts";
import { ALL_TOOLS } from "./src/tools/index.ts";

const code = await runCli(process.argv.slice(2), ALL_TOOLS);
if (code !== null) process.exitCode = code;
