// The public description of a tool: what tools/list, `airbyte-mcp tools --json` and the snapshots show.

import { z } from "zod";
import type { AnyToolDef } from "./tool.ts";

export interface ToolDescription {
  name: string;
  title: string;
  description: string;
  domain: string;
  inputSchema: Record<string, unknown>;
  outputSchema: Record<string, unknown>;
  annotations: {
    title: string;
    readOnlyHint: boolean;
    destructiveHint: boolean;
    idempotentHint: boolean;
    openWorldHint: boolean;
    /** PyAirbyte's extra annotations, kept for clients that read them. */
    requiresClientFilesystem: boolean;
    mcp_module: string;
  };
}

const cache = new WeakMap<AnyToolDef, ToolDescription>();

export function describeTool(tool: AnyToolDef): ToolDescription {
  const hit = cache.get(tool);
  if (hit) return hit;
  const d: ToolDescription = {
    name: tool.name,
    title: tool.title,
    description: tool.description,
    domain: tool.domain,
    inputSchema: jsonSchema(tool.input, "input"),
    outputSchema: jsonSchema(tool.output, "output"),
    annotations: {
      title: tool.title,
      readOnlyHint: tool.hints.readOnlyHint,
      destructiveHint: tool.hints.destructiveHint,
      idempotentHint: tool.hints.idempotentHint,
      openWorldHint: tool.hints.openWorldHint,
      requiresClientFilesystem: tool.needsFilesystem,
      mcp_module: tool.domain,
    },
  };
  cache.set(tool, d);
  return d;
}

function jsonSchema(schema: z.ZodType, io: "input" | "output"): Record<string, unknown> {
  const json = z.toJSONSchema(schema, { target: "draft-2020-12", io }) as Record<string, unknown>;
  delete json.$schema;
  if (json.type !== "object")
    throw new Error(`tool schemas must describe objects (got ${String(json.type)})`);
  return json;
}
