// Golden check: every interpolated string in the saved real manifests parses and compiles.

import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { checkTemplate } from "../../../src/declarative/interpolation/index.ts";
import { FIXTURES, skipWithoutFixtures } from "../../helpers/fixtures.ts";

const skip = skipWithoutFixtures("the interpolation golden test over the fixture manifests");

function templatesIn(dir: string): string[] {
  const found: string[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === "string") {
      if (v.includes("{{") || v.includes("{%")) found.push(v);
    } else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === "object")
      for (const [k, x] of Object.entries(v)) {
        if (k.includes("{{") || k.includes("{%")) found.push(k);
        walk(x);
      }
  };
  for (const f of readdirSync(dir)) {
    if (!f.endsWith(".yaml") || f.endsWith(".metadata.yaml")) continue;
    walk(parse(readFileSync(join(dir, f), "utf8")));
  }
  return found;
}

describe.skipIf(skip)("fixture manifests", () => {
  test("every {{ }} and {% %} string compiles", () => {
    const all = [
      ...templatesIn(join(FIXTURES, "manifests")),
      ...templatesIn(join(FIXTURES, "manifests-corpus")),
    ];
    const unique = [...new Set(all)];
    const failures: string[] = [];
    for (const t of unique) {
      try {
        checkTemplate(t);
      } catch (e) {
        failures.push((e as Error).message);
      }
    }
    expect(failures).toEqual([]);
    // 9,986 occurrences, 1,631 distinct templates in the saved set when this was written.
    expect(unique.length).toBeGreaterThan(1000);
    console.error(
      `interpolation golden: ${unique.length} distinct templates (${all.length} occurrences) compiled`,
    );
  }, 120_000); // parsing ~340 manifests of YAML takes seconds
});
