// A CLI built from the real front-end with one misbehaving tool: it prints with console.* (which
// must not reach stdout) and leaves a rejected promise nobody awaits (which must be reported masked).
//   bun tests/fakes/leaky-cli.ts call leaky --json '{"config": {"p": "secret_reference::NAME"}}'

import { z } from "zod";
import { runCli } from "../../src/cli/main.ts";
import { resolveSecretReferences } from "../../src/core/secrets.ts";
import { defineTool } from "../../src/core/tool.ts";

const leaky = defineTool({
  name: "leaky",
  title: "leaky",
  description: "misbehaves on purpose",
  domain: "local",
  input: z.object({ config: z.record(z.string(), z.unknown()).default({}) }).strict(),
  output: z.object({ ok: z.boolean() }),
  hints: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  needsFilesystem: false,
  async handler({ config }, ctx) {
    const resolved = resolveSecretReferences(config, ctx.secrets);
    const text = JSON.stringify(resolved);
    console.log(`log ${text}`);
    console.info(`info ${text}`);
    console.dir(resolved);
    console.table([resolved]);
    console.error(`error ${text}`);
    void Promise.reject(new Error(`connector died with ${text}`));
    return { ok: true };
  },
});

const code = await runCli(process.argv.slice(2), [leaky]);
if (code !== null) process.exitCode = process.exitCode || code;
