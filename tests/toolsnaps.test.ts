// Every tool's public interface (name, description, schemas, hints) is checked in under
// tests/__toolsnaps__; a change fails here until the snapshot is updated on purpose:
//   UPDATE_TOOLSNAPS=1 bun test tests/toolsnaps.test.ts

import { describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describeTool } from "../src/core/describe.ts";
import { ALL_TOOLS } from "../src/tools/index.ts";

const SNAP_DIR = join(import.meta.dir, "__toolsnaps__");
const update = process.env.UPDATE_TOOLSNAPS === "1";

describe("tool snapshots", () => {
  test.each(ALL_TOOLS.map((t) => [t.name, t] as const))("%s matches its snapshot", (name, tool) => {
    const current = `${JSON.stringify(describeTool(tool), null, 2)}\n`;
    const file = join(SNAP_DIR, `${name}.json`);
    if (update || (!existsSync(file) && process.env.CI !== "true")) {
      mkdirSync(SNAP_DIR, { recursive: true });
      writeFileSync(file, current);
    }
    if (!existsSync(file))
      throw new Error(`no snapshot for ${name}: run UPDATE_TOOLSNAPS=1 bun test tests/toolsnaps.test.ts`);
    expect(current).toBe(readFileSync(file, "utf8"));
  });

  test("no snapshot is left for a tool that no longer exists", () => {
    const names = new Set(ALL_TOOLS.map((t) => `${t.name}.json`));
    const stale = readdirSync(SNAP_DIR).filter((f) => f.endsWith(".json") && !names.has(f));
    expect(stale).toEqual([]);
  });

  test("tool names are unique and hints are all explicit booleans", () => {
    expect(new Set(ALL_TOOLS.map((t) => t.name)).size).toBe(ALL_TOOLS.length);
    for (const t of ALL_TOOLS) {
      for (const v of Object.values(t.hints)) expect(typeof v).toBe("boolean");
      expect(Object.keys(t.hints).sort()).toEqual([
        "destructiveHint",
        "idempotentHint",
        "openWorldHint",
        "readOnlyHint",
      ]);
    }
  });

  test("input schemas stay flat and every optional parameter has an explicit default", () => {
    for (const t of ALL_TOOLS) {
      const schema = describeTool(t).inputSchema as {
        properties?: Record<string, Record<string, unknown>>;
        required?: string[];
      };
      const required = new Set(schema.required ?? []);
      for (const [param, prop] of Object.entries(schema.properties ?? {})) {
        if (!required.has(param))
          expect({ tool: t.name, param, hasDefault: "default" in prop }).toMatchObject({ hasDefault: true });
        // Flat: no nested unions of objects (anyOf/oneOf of object schemas) at the parameter level.
        const variants = (prop.anyOf ?? prop.oneOf ?? []) as Record<string, unknown>[];
        expect(variants.filter((v) => v.type === "object" && v.properties).length).toBeLessThanOrEqual(1);
      }
    }
  });
});
