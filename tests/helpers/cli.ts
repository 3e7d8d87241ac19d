// The CLI run in-process, as the binary runs it, with its output captured and its environment given.

import { runCli } from "../../src/cli/main.ts";
import type { AnyToolDef } from "../../src/core/tool.ts";

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export async function runCliCaptured(
  args: string[],
  tools: readonly AnyToolDef[],
  env: Record<string, string>,
  stdin = "",
): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(args, tools, {
    stdout: (s) => {
      stdout += s;
    },
    stderr: (s) => {
      stderr += s;
    },
    readStdin: async () => stdin,
    env,
  });
  return { code, stdout, stderr };
}
