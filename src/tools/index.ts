// Every tool, in one list: both front-ends serve exactly this.

import type { AnyToolDef } from "../core/tool.ts";
import { CACHE_TOOLS } from "./cache.ts";
import { CLOUD_TOOLS } from "./cloud/index.ts";
import { CONNECTOR_TOOLS } from "./connectors.ts";
import { listDotenvSecrets } from "./local.ts";
import { getApiDocsUrls, getConnectorInfo, getConnectorVersionHistory, listConnectors } from "./registry.ts";

export const ALL_TOOLS: readonly AnyToolDef[] = [
  listConnectors,
  getConnectorInfo,
  getApiDocsUrls,
  getConnectorVersionHistory,
  listDotenvSecrets,
  ...CONNECTOR_TOOLS,
  ...CACHE_TOOLS,
  ...CLOUD_TOOLS,
];
