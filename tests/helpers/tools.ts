// Small tool definitions for front-end and filter tests: one of each kind the filters tell apart,
// and a probe that exercises secret references and failures. They are real tools run through the
// real call path; only their bodies are trivial.

import { z } from "zod";
import { ToolError } from "../../src/core/errors.ts";
import { resolveSecretReferences } from "../../src/core/secrets.ts";
import { type AnyToolDef, defineTool, type ToolHints } from "../../src/core/tool.ts";

const RO: ToolHints = {
  readOnlyHint: true,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: false,
};
const WRITE: ToolHints = {
  readOnlyHint: false,
  destructiveHint: false,
  idempotentHint: false,
  openWorldHint: true,
};
const DESTROY: ToolHints = {
  readOnlyHint: false,
  destructiveHint: true,
  idempotentHint: false,
  openWorldHint: true,
};

const echo = (
  name: string,
  domain: AnyToolDef["domain"],
  hints: ToolHints,
  extra: Partial<AnyToolDef> = {},
) =>
  defineTool({
    name,
    title: name,
    description: `test tool ${name}`,
    domain,
    input: z.object({ value: z.string().default("x") }).strict(),
    output: z.object({ echoed: z.string() }),
    hints,
    needsFilesystem: false,
    async handler({ value }) {
      return { echoed: value };
    },
    ...extra,
  });

export const registryRead = echo("t_registry_read", "registry", RO);
export const localRead = echo("t_local_read", "local", RO, { needsFilesystem: true });
export const localWrite = echo(
  "t_local_write",
  "local",
  { ...WRITE, openWorldHint: false },
  { needsFilesystem: true },
);
export const cloudRead = echo("t_cloud_read", "cloud", { ...RO, openWorldHint: true });
export const cloudWrite = echo("t_cloud_write", "cloud", WRITE);
export const cloudSync = echo("t_cloud_sync", "cloud", WRITE, { keepInReadOnlyMode: true });
export const cloudDelete = echo("t_cloud_delete", "cloud", DESTROY);

/** Resolves secret references in `config` and returns it, or fails with a message that quotes it. */
export const probe = defineTool({
  name: "t_probe",
  title: "probe",
  description: "test tool that handles secrets",
  domain: "local",
  input: z
    .object({
      config: z.record(z.string(), z.unknown()).default({}),
      fail: z.boolean().default(false),
      crash: z.boolean().default(false),
      malformed: z.boolean().default(false),
    })
    .strict(),
  output: z.object({ config: z.record(z.string(), z.unknown()) }),
  hints: RO,
  needsFilesystem: true,
  async handler({ config, fail, crash, malformed }, ctx) {
    const resolved = resolveSecretReferences(config, ctx.secrets, ctx.settings.envFile?.path);
    ctx.log.info("probe resolved a config", { resolved });
    if (fail)
      throw new ToolError(`the connector rejected ${JSON.stringify(resolved)}`, {
        hint: "Check the config.",
      });
    if (crash) throw new Error(`unexpected crash with ${JSON.stringify(resolved)}`);
    if (malformed) return { config: "not an object" } as unknown as { config: Record<string, unknown> };
    return { config: resolved };
  },
});

export const TEST_TOOLS: readonly AnyToolDef[] = [
  registryRead,
  localRead,
  localWrite,
  cloudRead,
  cloudWrite,
  cloudSync,
  cloudDelete,
  probe,
];
