// Entry point of the airbyte-mcp binary: argv -> CLI command or the stdio MCP server.

import { QUERY_CHILD_COMMAND } from "./src/cache/sqlite-query.ts";

if (process.argv[2] === QUERY_CHILD_COMMAND) {
  // The child process of run_sql_query on the SQLite cache: loads nothing but the query code.
  const { queryChildMain } = await import("./src/cache/sqlite-query.ts");
  await queryChildMain(await Bun.stdin.text(), (s) => process.stdout.write(s));
} else {
  const { runCli } = await import("./src/cli/main.ts");
  const { ALL_TOOLS } = await import("./src/tools/index.ts");
  const code = await runCli(process.argv.slice(2), ALL_TOOLS);
  if (code !== null) process.exitCode = code;
}
