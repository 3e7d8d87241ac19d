// A fake Airbyte Cloud and a runtime pointed at it, for Cloud tool tests: calls take the real path
// (filters, validation, handler, output check, redactor), with retries and polls in milliseconds.

import { afterAll, afterEach, expect } from "bun:test";
import { join } from "node:path";
import { type CallOutcome, invokeTool } from "../../src/core/invoke.ts";
import { createRuntime, type Runtime } from "../../src/core/runtime.ts";
import type { Progress } from "../../src/core/tool.ts";
import { ALL_TOOLS } from "../../src/tools/index.ts";
import { type FakeCloud, type FakeCloudOptions, startFakeCloud } from "../fakes/cloud/server.ts";
import { tempDir } from "./binary.ts";

export const CLIENT_ID = "test-client-id";
export const CLIENT_SECRET = "test-client-secret-value";

export interface CloudHarnessOptions {
  /** Extra or overriding environment (e.g. AIRBYTE_CLOUD_MCP_SAFE_MODE, an env file). */
  env?: Record<string, string>;
  /** Leave AIRBYTE_CLOUD_WORKSPACE_ID unset. */
  noDefaultWorkspace?: boolean;
  /** Authenticate with this bearer token instead of client credentials. */
  bearerToken?: string;
  fake?: FakeCloudOptions;
}

export interface CloudHarness {
  fake: FakeCloud;
  rt: Runtime;
  /** The fake's default workspace (the one AIRBYTE_CLOUD_WORKSPACE_ID names unless told not to). */
  workspaceId: string;
  call(
    name: string,
    input: Record<string, unknown>,
    signal?: AbortSignal,
    progress?: (p: Progress) => void,
  ): Promise<CallOutcome>;
  cleanup(): Promise<void>;
}

export async function cloudHarness(options: CloudHarnessOptions = {}): Promise<CloudHarness> {
  const fake = await startFakeCloud({
    ...(options.bearerToken ? { bearerTokens: [options.bearerToken] } : {}),
    validateResponses: true,
    ...options.fake,
  });
  const dir = tempDir();
  const workspaceId = fake.store.defaults.workspaceId;
  const auth: Record<string, string> = options.bearerToken
    ? { AIRBYTE_CLOUD_BEARER_TOKEN: options.bearerToken }
    : { AIRBYTE_CLOUD_CLIENT_ID: CLIENT_ID, AIRBYTE_CLOUD_CLIENT_SECRET: CLIENT_SECRET };
  const rt = createRuntime({
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: dir.path,
      AIRBYTE_PROJECT_DIR: join(dir.path, "project"),
      AIRBYTE_LOCAL_REGISTRY: "http://127.0.0.1:9/files/registries/v0/oss_registry.json",
      AIRBYTE_CONNECTOR_METADATA_URL: "http://127.0.0.1:9/files/metadata/airbyte",
      AIRBYTE_DOCS_URL: "http://127.0.0.1:9",
      AIRBYTE_MCP_LOG_LEVEL: "silent",
      AIRBYTE_CLOUD_API_URL: fake.apiUrl,
      AIRBYTE_CLOUD_CONFIG_API_URL: fake.configApiUrl,
      ...(options.noDefaultWorkspace ? {} : { AIRBYTE_CLOUD_WORKSPACE_ID: workspaceId }),
      ...auth,
      ...options.env,
    },
    tools: ALL_TOOLS,
    snapshot: async () => null,
    cloud: {
      client: { retry: { baseDelayMs: 1, maxDelayMs: 5 } },
      pollIntervalMs: 5,
      maxPollIntervalMs: 20,
    },
  });
  return {
    fake,
    rt,
    workspaceId,
    call: (name, input, signal, progress) =>
      invokeTool(ALL_TOOLS, name, input, rt.context(signal, progress), { kind: "cli" }),
    async cleanup() {
      await fake.close();
      dir.cleanup();
    },
  };
}

/**
 * One harness for a whole test file (top-level await). After the file's tests, none of the fake's
 * answers may have broken the OpenAPI file (the fake checks its own responses), and it is closed.
 */
export async function fileCloudHarness(options: CloudHarnessOptions = {}): Promise<CloudHarness> {
  const h = await cloudHarness(options);
  afterAll(async () => {
    try {
      expect(h.fake.validationErrors).toEqual([]);
    } finally {
      await h.cleanup();
    }
  });
  return h;
}

const JWT = /eyJ[\w-]+\.[\w-]+\.[\w-]+/;

/**
 * Nothing a call gave back holds the client secret, an access token (a JWT), one of `values`, or
 * the redactor's mask: the tools never echo a secret in the first place.
 */
export function expectNoSecrets(outcome: CallOutcome, ...values: string[]): void {
  const text = JSON.stringify(outcome);
  for (const secret of [CLIENT_SECRET, ...values]) expect(text).not.toContain(secret);
  expect(text).not.toMatch(JWT);
  expect(text).not.toMatch(/eyJ[\w-]+\.eyJ/); // a token's header and claims, even cut short
  expect(text).not.toContain("****");
}

export interface CloudToolSuite {
  /** A harness for one test; `options.env` goes over the suite's env. Closed after the test. */
  start(options?: CloudHarnessOptions): Promise<CloudHarness>;
  /** Every result and error text of the current test, in order. */
  texts(): string[];
}

/**
 * The set-up of a Cloud tool test file. After each test the harness is closed and none of the
 * test's results or errors may hold the client secret, an access token (a JWT), one of `secrets`,
 * or the redactor's mask: the tools never echo a secret in the first place.
 */
export function cloudToolSuite(
  base: { env?: Record<string, string>; secrets?: string[] } = {},
): CloudToolSuite {
  let harness: CloudHarness | null = null;
  let texts: string[] = [];
  afterEach(async () => {
    const all = texts.join("\n");
    texts = [];
    await harness?.cleanup();
    harness = null;
    for (const secret of [CLIENT_SECRET, ...(base.secrets ?? [])]) expect(all).not.toContain(secret);
    expect(all).not.toMatch(JWT);
    expect(all).not.toContain("****");
  });
  return {
    async start(options = {}) {
      const h = await cloudHarness({ ...options, env: { ...base.env, ...options.env } });
      harness = h;
      const call = h.call;
      h.call = async (...args) => {
        const outcome = await call(...args);
        texts.push(outcome.ok ? JSON.stringify(outcome.result) : outcome.message);
        return outcome;
      };
      return h;
    },
    texts: () => texts,
  };
}
