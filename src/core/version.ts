import pkg from "../../package.json" with { type: "json" };

// Set by scripts/build.ts with --define; absent when running from source.
declare const __AIRBYTE_MCP_COMMIT__: string | undefined;

export const NAME = "airbyte-mcp";
export const VERSION: string = pkg.version;
export const COMMIT: string | null =
  typeof __AIRBYTE_MCP_COMMIT__ === "string" ? __AIRBYTE_MCP_COMMIT__ : null;
