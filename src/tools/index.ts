// Every tool, in one list: both front-ends serve exactly this.

import type { AnyToolDef } from "../core/tool.ts";
import { listDotenvSecrets } from "./local.ts";
import { getApiDocsUrls, getConnectorInfo, getConnectorVersionHistory, listConnectors } from "./registry.ts";

export const ALL_TOOLS: readonly AnyToolDef[] = [
  listConnectors,
  getConnectorInfo,
  getApiDocsUrls,
  getConnectorVersionHistory,
  listDotenvSecrets,
];
