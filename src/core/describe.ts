// The public description of a tool: what tools/list, `airbyte-mcp tools --json` and the snapshots show.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { embeddedFile } from "./embedded.ts";
import type { AnyToolDef } from "./tool.ts";

/**
 * The tools' JSON Schemas, computed by the build (scripts/build.ts) and embedded in the binary:
 * converting every zod schema at start-up costs about 12 ms before the first tools/list answer.
 */
export const SCHEMAS_FILE = "tool-schemas.json";
export const SCHEMAS_BUILD_PATH = `.build/${SCHEMAS_FILE}`;

type ToolSchemas = Record<
  string,
  { inputSchema: Record<string, unknown>; outputSchema: Record<string, unknown> }
>;

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
  const built = builtSchemas()[tool.name];
  const d: ToolDescription = {
    name: tool.name,
    title: tool.title,
    description: tool.description,
    domain: tool.domain,
    inputSchema: built?.inputSchema ?? jsonSchema(tool.input, "input"),
    outputSchema: built?.outputSchema ?? jsonSchema(tool.output, "output"),
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

/** Every tool's schemas as JSON Schema: what the build embeds. */
export function toolSchemas(tools: readonly AnyToolDef[]): ToolSchemas {
  const out: ToolSchemas = {};
  for (const t of tools)
    out[t.name] = { inputSchema: jsonSchema(t.input, "input"), outputSchema: jsonSchema(t.output, "output") };
  return out;
}

let embedded: ToolSchemas | null = null;
let source: "embedded" | "computed" = "computed";

/** The schemas embedded in the binary; none when running from source (they are computed then). */
function builtSchemas(): ToolSchemas {
  if (embedded === null) {
    embedded = {};
    const name = embeddedFile(SCHEMAS_FILE)?.name;
    if (name) {
      try {
        // Embedded files sit beside the binary's own module in its virtual file system.
        embedded = JSON.parse(readFileSync(join(import.meta.dir, name), "utf8")) as ToolSchemas;
        source = "embedded";
      } catch {
        // Computed instead: slower to start, same answer (the server info resource says which).
      }
    }
  }
  return embedded;
}

/** Where tools/list's schemas come from: the build ("embedded") or the zod schemas at run time. */
export function toolSchemaSource(): "embedded" | "computed" {
  builtSchemas();
  return source;
}

function jsonSchema(schema: z.ZodType, io: "input" | "output"): Record<string, unknown> {
  const json = z.toJSONSchema(schema, { target: "draft-2020-12", io }) as Record<string, unknown>;
  delete json.$schema;
  if (json.type !== "object")
    throw new Error(`tool schemas must describe objects (got ${String(json.type)})`);
  return json;
}
