// Builds the binary once per test run and runs it with a controlled environment.

import { afterAll, beforeAll } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const ROOT = new URL("../..", import.meta.url).pathname;
let built: Promise<string> | null = null;

/** The compiled binary: $AIRBYTE_MCP_BINARY if set, else dist/airbyte-mcp built from this tree once per run. */
export function binaryPath(): Promise<string> {
  const given = process.env.AIRBYTE_MCP_BINARY;
  if (given) return Promise.resolve(given);
  built ??= (async () => {
    const proc = Bun.spawn([process.execPath, "scripts/build.ts"], {
      cwd: ROOT,
      stdout: "pipe",
      stderr: "pipe",
    });
    const [code, err] = await Promise.all([proc.exited, new Response(proc.stderr).text()]);
    if (code !== 0) throw new Error(`building the binary failed:\n${err}`);
    return join(ROOT, "dist", "airbyte-mcp");
  })();
  return built;
}

/** A private temp dir removed by the returned cleanup. */
export function tempDir(prefix = "airbyte-mcp-test-"): { path: string; cleanup: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

/** A minimal environment: nothing from the developer's shell leaks into the binary under test. */
export function cleanEnv(home: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: home,
    AIRBYTE_PROJECT_DIR: join(home, "project"),
    // Nothing under test reaches the internet: port 9 (discard) refuses, so the binary answers
    // from its embedded registry snapshot unless a test points these at a local fake.
    AIRBYTE_LOCAL_REGISTRY: "http://127.0.0.1:9/files/registries/v0/oss_registry.json",
    AIRBYTE_CONNECTOR_METADATA_URL: "http://127.0.0.1:9/files/metadata/airbyte",
    AIRBYTE_DOCS_URL: "http://127.0.0.1:9",
    ...extra,
  };
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runBinary(
  args: string[],
  options: { env: Record<string, string>; stdin?: string; cwd?: string },
): Promise<RunResult> {
  const bin = await binaryPath();
  const proc = Bun.spawn([bin, ...args], {
    env: options.env,
    cwd: options.cwd ?? options.env.HOME,
    stdin: options.stdin === undefined ? "ignore" : new TextEncoder().encode(options.stdin),
    stdout: "pipe",
    stderr: "pipe",
  });
  const [code, stdout, stderr] = await Promise.all([
    proc.exited,
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
  ]);
  return { code, stdout, stderr };
}

export interface E2eFixture {
  dir: string;
  envFile: string;
  /** cleanEnv with the fixture's env file, plus `extra`. */
  env: (extra?: Record<string, string>) => Record<string, string>;
}

/**
 * The usual set-up of a test file that drives the binary: a temp home with an env file holding
 * `envText`, the binary built before the first test, and the temp dir removed after the last.
 */
export function e2eFixture(envText: string): E2eFixture {
  const dir = tempDir();
  const envFile = join(dir.path, "secrets.env");
  writeFileSync(envFile, envText);
  beforeAll(async () => {
    await binaryPath();
  }, 60_000);
  afterAll(() => dir.cleanup());
  return {
    dir: dir.path,
    envFile,
    env: (extra = {}) => cleanEnv(dir.path, { AIRBYTE_MCP_ENV_FILE: envFile, ...extra }),
  };
}

/** Whether a process exists (a zombie not yet reaped counts). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Whether the process still exists after waiting up to `waitMs` for it to go (polled every 50 ms). */
export async function aliveAfter(pid: number, waitMs: number): Promise<boolean> {
  for (let waited = 0; waited < waitMs && alive(pid); waited += 50) await Bun.sleep(50);
  return alive(pid);
}
