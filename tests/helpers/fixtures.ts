// Tests that read ../shared/fixtures skip with a clear message where the folder is absent, except in
// CI, where its absence is a failure.

import { existsSync } from "node:fs";
import { join } from "node:path";

export const FIXTURES = join(import.meta.dir, "..", "..", "..", "shared", "fixtures");
export const haveFixtures = existsSync(join(FIXTURES, "oss_registry.json"));

/** Call at the top of a test file; returns true when its fixture tests should be skipped. */
export function skipWithoutFixtures(what: string): boolean {
  if (haveFixtures) return false;
  if (process.env.CI === "true")
    throw new Error(`${FIXTURES} is missing: ${what} cannot run in CI without it`);
  console.warn(
    `skipping ${what}: ${FIXTURES} not found (the shared fixtures folder sits beside the project)`,
  );
  return true;
}
