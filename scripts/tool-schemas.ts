// Writes every tool's JSON Schemas (input and output) for the build to embed in the binary
// (src/core/describe.ts reads them there instead of converting the zod schemas at start-up).
//   bun scripts/tool-schemas.ts [--out .build/tool-schemas.json]

import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { parseArgs } from "node:util";
import { SCHEMAS_BUILD_PATH, toolSchemas } from "../src/core/describe.ts";
import { ALL_TOOLS } from "../src/tools/index.ts";

export function writeToolSchemas(path: string): number {
  const schemas = toolSchemas(ALL_TOOLS);
  mkdirSync(dirname(path), { recursive: true });
  // Whole or not at all: two builds at once (tests, benchmarks) must never embed half a file.
  const partial = `${path}.${process.pid}.tmp`;
  writeFileSync(partial, JSON.stringify(schemas));
  renameSync(partial, path);
  return Object.keys(schemas).length;
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Bun.argv.slice(2),
    options: { out: { type: "string", default: SCHEMAS_BUILD_PATH } },
    strict: true,
  });
  console.error(`tool schemas: ${writeToolSchemas(values.out as string)} tools -> ${values.out}`);
}
