// Every Airbyte Cloud tool, grouped by what it works on.

import type { AnyToolDef } from "../../core/tool.ts";
import { DEFINITION_TOOLS } from "./definitions.ts";
import { DELETE_TOOLS } from "./delete.ts";
import { DEPLOY_TOOLS } from "./deploy.ts";
import { EDIT_TOOLS } from "./edit.ts";
import { INVENTORY_TOOLS } from "./inventory.ts";
import { SYNC_TOOLS } from "./sync.ts";
import { WORKSPACE_TOOLS } from "./workspace.ts";

export const CLOUD_TOOLS: readonly AnyToolDef[] = [
  ...WORKSPACE_TOOLS,
  ...DEPLOY_TOOLS,
  ...INVENTORY_TOOLS,
  ...SYNC_TOOLS,
  ...EDIT_TOOLS,
  ...DELETE_TOOLS,
  ...DEFINITION_TOOLS,
];
