// Canary: known secret values in the env file and the process env; every tool and every error path
// we can reach, through both front-ends of the compiled binary; none of the values may come out.

import { afterAll, beforeAll, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { JSONRPCMessage } from "@modelcontextprotocol/client";
import { describeTool } from "../../src/core/describe.ts";
import { ALL_TOOLS } from "../../src/tools/index.ts";
import { type FakeCloud, startFakeCloud } from "../fakes/cloud/server.ts";
import { binaryPath, cleanEnv, runBinary, tempDir } from "../helpers/binary.ts";
import { connect, ERAS } from "../helpers/mcp-client.ts";

const dir = tempDir();
// Cloud calls go to a fake Cloud that knows the canary credentials, so they take their real paths
// (token, requests, API errors) quickly instead of waiting on an unreachable api.airbyte.com.
let cloud: FakeCloud;
afterAll(async () => {
  await cloud?.close();
  dir.cleanup();
});
beforeAll(async () => {
  cloud = await startFakeCloud({
    clients: { [PROCESS_SECRETS.AIRBYTE_CLOUD_CLIENT_ID]: PROCESS_SECRETS.AIRBYTE_CLOUD_CLIENT_SECRET },
  });
  await binaryPath();
}, 60_000);

const FILE_SECRETS = {
  GITHUB_TOKEN: "ghp_CANARYaaaaaaaaaaaaaa",
  MY_DB: "canary-db-password-bbbb", // an innocent-looking name: still a secret, it is in the env file
  QUOTED: 'canary "quoted" \\ value cccc',
  URLISH: "canary&value=with spaces/eeee",
};
const MULTILINE = "-----BEGIN CANARY-----\nline2dddddddd\n-----END CANARY-----";
const PROCESS_SECRETS = {
  STRIPE_API_KEY: "sk_canary_ffffffffffff",
  AIRBYTE_CLOUD_CLIENT_ID: "canary-client-id-gggg",
  AIRBYTE_CLOUD_CLIENT_SECRET: "canary-client-secret-hhhh",
};
const SECRETS = [...Object.values(FILE_SECRETS), MULTILINE, ...Object.values(PROCESS_SECRETS)];

const envFile = join(dir.path, "secrets.env");
writeFileSync(
  envFile,
  [
    `GITHUB_TOKEN=${FILE_SECRETS.GITHUB_TOKEN}`,
    `MY_DB=${FILE_SECRETS.MY_DB}`,
    `QUOTED="canary \\"quoted\\" \\\\ value cccc"`,
    `URLISH='${FILE_SECRETS.URLISH}'`,
    `MULTI="${MULTILINE}"`,
    "",
  ].join("\n"),
);
const env = (extra: Record<string, string> = {}) =>
  cleanEnv(dir.path, {
    AIRBYTE_MCP_ENV_FILE: envFile,
    AIRBYTE_MCP_LOG_LEVEL: "debug",
    AIRBYTE_CLOUD_API_URL: cloud.apiUrl,
    AIRBYTE_CLOUD_CONFIG_API_URL: cloud.configApiUrl,
    AIRBYTE_CLOUD_WORKSPACE_ID: cloud.store.defaults.workspaceId,
    ...PROCESS_SECRETS,
    ...extra,
  });

/** Argument objects that push secrets into every place a message could echo them. */
function argumentSets(toolName: string): Record<string, unknown>[] {
  const tool = ALL_TOOLS.find((t) => t.name === toolName);
  const params = tool ? Object.keys(describeTool(tool).inputSchema.properties ?? {}) : [];
  const sets: Record<string, unknown>[] = [{}];
  for (const secret of SECRETS) {
    sets.push({ [secret]: secret });
    sets.push(Object.fromEntries(params.map((p) => [p, secret])));
    sets.push(
      Object.fromEntries(params.map((p) => [p, { nested: [secret, `secret_reference::${secret}`] }])),
    );
  }
  sets.push(Object.fromEntries(params.map((p) => [p, "secret_reference::GITHUB_TOKEN"])));
  return sets;
}

const outputs: string[] = [];
function expectNoSecrets(label: string) {
  // Case-insensitive: a value echoed in another case is still a leak.
  const all = outputs.join("\n").toLowerCase();
  for (const secret of SECRETS) {
    for (const form of [secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret)]) {
      if (all.includes(form.toLowerCase()))
        throw new Error(`${label}: a secret value (${secret.slice(0, 6)}...) leaked`);
    }
  }
}

test("no secret value in any MCP output, either era", async () => {
  for (const era of ERAS) {
    for (const extra of [{}, { MCP_EXCLUDE_TOOLS: ALL_TOOLS.map((t) => t.name).join(",") }] as Record<
      string,
      string
    >[]) {
      const s = await connect(era, env(extra));
      try {
        await s.client.listTools();
        for (const name of [...ALL_TOOLS.map((t) => t.name), ...SECRETS]) {
          for (const args of argumentSets(name)) {
            await s.client.callTool({ name, arguments: args }).catch(() => undefined);
          }
        }
        for (const secret of SECRETS) {
          await s.client
            .readResource({ uri: `airbyte-mcp://${encodeURIComponent(secret)}` })
            .catch(() => undefined);
          await s.client.getPrompt({ name: "test-my-tools", arguments: { scope: secret } });
          await s.client.getPrompt({ name: secret, arguments: {} }).catch(() => undefined);
        }
        // A raw request for a method that does not exist, named by a secret.
        await s.transport.send({
          jsonrpc: "2.0",
          id: 9999,
          method: SECRETS[0],
          params: {},
        } as JSONRPCMessage);
        await s.client.readResource({ uri: "airbyte-mcp://server/info" });
      } finally {
        await s.close();
      }
      outputs.push(s.transport.rawStdout, s.transport.rawStderr);
      expect(s.transport.rawStdout.length).toBeGreaterThan(1000);
    }
  }
  expect(outputs.join("")).toContain("****");
  expectNoSecrets("MCP");
}, 60_000);

test("no secret value in any CLI output", async () => {
  const runs: string[][] = [
    ["--version"],
    ["--help"],
    ["tools"],
    ["tools", "--json", "--all"],
    [SECRETS[0] ?? ""],
  ];
  // Every argument set per tool is the MCP test's job (one process); here a process per call, so
  // each tool gets the empty set, the secret_reference set and the three sets of one secret,
  // rotating through the secrets from tool to tool so that each secret meets every kind of tool.
  const names = [...ALL_TOOLS.map((t) => t.name), SECRETS[1] ?? ""];
  names.forEach((name, i) => {
    const sets = argumentSets(name);
    const k = i % SECRETS.length;
    const picked = [sets[0], sets[1 + 3 * k], sets[2 + 3 * k], sets[3 + 3 * k], sets[sets.length - 1]];
    for (const args of picked) runs.push(["call", name, "--json", JSON.stringify(args)]);
    runs.push(["call", name, "--json", `{"x": ${SECRETS[0]}}`]);
    runs.push(["call", name, `--${SECRETS[0]}`]);
  });
  const jobs = runs.flatMap((args) =>
    ([{}, { AIRBYTE_MCP_TRUSTED_EXECUTION: "0" }] as Record<string, string>[]).map((extra) => ({
      args,
      extra,
    })),
  );
  // Two at a time (two cores): the binary's start-up dominates.
  for (let i = 0; i < jobs.length; i += 2) {
    const batch = jobs.slice(i, i + 2).map(({ args, extra }) => runBinary(args, { env: env(extra) }));
    for (const r of await Promise.all(batch)) outputs.push(r.stdout, r.stderr);
  }
  // Start-up failures: a malformed env file that holds secrets, and a bad setting.
  const bad = join(dir.path, "bad.env");
  writeFileSync(bad, `GOOD=${FILE_SECRETS.MY_DB}\nBROKEN="${FILE_SECRETS.GITHUB_TOKEN}\n`);
  for (const extra of [{ AIRBYTE_MCP_ENV_FILE: bad }, { AIRBYTE_MCP_DOMAINS: SECRETS[0] ?? "" }] as Record<
    string,
    string
  >[]) {
    for (const args of [["call", "list_dotenv_secrets"], ["tools"], []]) {
      const r = await runBinary(args, { env: env(extra) });
      expect(r.code).toBe(2);
      outputs.push(r.stdout, r.stderr);
    }
  }
  expect(outputs.join("")).toContain("****");
  expectNoSecrets("CLI");
}, 120_000);
