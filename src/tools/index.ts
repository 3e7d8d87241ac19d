// Every tool, in one list: both front-ends serve exactly this.

import type { AnyToolDef } from "../core/tool.ts";
import { listDotenvSecrets } from "./local.ts";

export const ALL_TOOLS: readonly AnyToolDef[] = [listDotenvSecrets];
