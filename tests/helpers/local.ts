// A runtime for local-tool tests: a private project dir, the registry from the shared fixture file
// when present (else nothing reachable), and a call helper through the real invoke path.

import { expect } from "bun:test";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { type CallOutcome, invokeTool } from "../../src/core/invoke.ts";
import { createRuntime, type Runtime } from "../../src/core/runtime.ts";
import { ALL_TOOLS } from "../../src/tools/index.ts";
import { tempDir } from "./binary.ts";
import { FIXTURES, haveFixtures } from "./fixtures.ts";

export const FAKE_CONNECTOR = join(import.meta.dir, "..", "fakes", "fake-connector.ts");
/** The fake connector as an `executable` command line, with its switches. */
export const fakeExecutable = (...switches: string[]) =>
  [process.execPath, FAKE_CONNECTOR, ...switches].map((w) => `'${w}'`).join(" ");

export interface LocalHarness {
  rt: Runtime;
  dir: string;
  call(name: string, input: Record<string, unknown>, signal?: AbortSignal): Promise<CallOutcome>;
  /** Files left in the connector temp dir (should be none after any call). */
  leftovers(): string[];
  cleanup(): void;
}

export function localHarness(env: Record<string, string> = {}): LocalHarness {
  const dir = tempDir();
  const rt = createRuntime({
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: dir.path,
      AIRBYTE_PROJECT_DIR: join(dir.path, "project"),
      AIRBYTE_LOCAL_REGISTRY: haveFixtures
        ? join(FIXTURES, "oss_registry.json")
        : "http://127.0.0.1:9/files/registries/v0/oss_registry.json",
      AIRBYTE_CONNECTOR_METADATA_URL: "http://127.0.0.1:9/files/metadata/airbyte",
      AIRBYTE_DOCS_URL: "http://127.0.0.1:9",
      AIRBYTE_MCP_LOG_LEVEL: "silent",
      ...env,
    },
    tools: ALL_TOOLS,
    snapshot: async () => null,
  });
  return {
    rt,
    dir: dir.path,
    call: (name, input, signal) => invokeTool(ALL_TOOLS, name, input, rt.context(signal), { kind: "cli" }),
    leftovers: () => {
      const tmp = rt.settings.tempDir;
      return existsSync(tmp) ? readdirSync(tmp) : [];
    },
    cleanup: dir.cleanup,
  };
}

/** The result of a call that must succeed. */
export function ok(outcome: CallOutcome): Record<string, unknown> {
  if (!outcome.ok) throw new Error(`expected success, got ${outcome.kind}: ${outcome.message}`);
  return outcome.result as Record<string, unknown>;
}

/** The message of a call that must fail as a tool failure. */
export function failed(outcome: CallOutcome): string {
  if (outcome.ok) throw new Error(`expected a failure, got ${JSON.stringify(outcome.result).slice(0, 300)}`);
  expect(outcome.kind).toBe("failed");
  return outcome.message;
}
