// Which tools the current settings show. One place decides, for tools/list and for calls alike.

import type { Settings } from "./settings.ts";
import type { AnyToolDef } from "./tool.ts";

export interface Transport {
  /** Local tools are never served over HTTP, whatever the settings say. */
  kind: "stdio" | "http" | "cli";
}

/** Why a tool is hidden, naming the setting and how to change it; undefined when visible. */
export function hiddenReason(tool: AnyToolDef, settings: Settings, transport: Transport): string | undefined {
  const is = `Tool '${tool.name}' is hidden by`;
  if (settings.excludedTools.includes(tool.name)) {
    return `${is} MCP_EXCLUDE_TOOLS. Remove it from that list in the server's configuration to use it.`;
  }
  for (const f of settings.includeDomains) {
    if (!f.domains.includes(tool.domain)) {
      return `${is} ${f.variable}=${f.domains.join(",")} (it belongs to the '${tool.domain}' domain). Add '${tool.domain}' to ${f.variable} to use it.`;
    }
  }
  for (const f of settings.excludeDomains) {
    if (f.domains.includes(tool.domain)) {
      return `${is} ${f.variable}=${f.domains.join(",")} (it belongs to the '${tool.domain}' domain). Remove '${tool.domain}' from ${f.variable} to use it.`;
    }
  }
  if (
    settings.readOnlyMode &&
    tool.domain === "cloud" &&
    !tool.hints.readOnlyHint &&
    tool.keepInReadOnlyMode !== true
  ) {
    return `${is} AIRBYTE_CLOUD_MCP_READONLY_MODE=1 (it changes Airbyte Cloud). Unset that variable to allow Cloud changes.`;
  }
  if (settings.genericReadOnlyMode && !tool.hints.readOnlyHint) {
    return `${is} MCP_READONLY_MODE=1 (it is not read-only). Unset that variable to use it.`;
  }
  if (settings.noDestructiveTools && tool.hints.destructiveHint) {
    return `${is} MCP_NO_DESTRUCTIVE_TOOLS=1 (it is destructive). Unset that variable to use it.`;
  }
  if (tool.needsFilesystem) {
    if (transport.kind === "http") {
      return `${is} the HTTP transport: tools that run connectors or read the server's files are served over stdio only.`;
    }
    if (!settings.trustedExecution) {
      return `${is} AIRBYTE_MCP_TRUSTED_EXECUTION=0 (it runs connectors or reads local files). Set it to 1 to use it.`;
    }
    if (settings.noClientFilesystem) {
      return `${is} MCP_NO_CLIENT_FILESYSTEM=1 (it needs the local filesystem). Unset that variable to use it.`;
    }
  }
  return undefined;
}

export function visibleTools(
  tools: readonly AnyToolDef[],
  settings: Settings,
  transport: Transport,
): AnyToolDef[] {
  return tools.filter((t) => hiddenReason(t, settings, transport) === undefined);
}
