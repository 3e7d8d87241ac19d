// The registry index embedded in the binary at build time (scripts/registry-snapshot.ts writes it,
// scripts/build.ts embeds it with --asset). Used when there is no cache and no network.

import { readFileSync } from "node:fs";
import { embeddedFile } from "../core/embedded.ts";
import { isRegistryIndex, type RegistryIndex } from "./model.ts";

export const SNAPSHOT_FILE = "registry-index.json";
/** Where scripts/registry-snapshot.ts writes the index, relative to the repository root. */
export const SNAPSHOT_BUILD_PATH = `.build/${SNAPSHOT_FILE}`;

let memo: Promise<RegistryIndex | null> | null = null;

export function embeddedSnapshot(): Promise<RegistryIndex | null> {
  memo ??= (async () => {
    const blob = embeddedFile(SNAPSHOT_FILE);
    let text: string | null = blob ? await blob.text() : null;
    if (text === null) {
      // Running from source: use the index the build would embed, if it has been made.
      try {
        text = readFileSync(new URL(`../../${SNAPSHOT_BUILD_PATH}`, import.meta.url), "utf8");
      } catch {
        return null;
      }
    }
    try {
      const parsed = JSON.parse(text) as unknown;
      return isRegistryIndex(parsed) ? parsed : null;
    } catch {
      return null;
    }
  })();
  return memo;
}
