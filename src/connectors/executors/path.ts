// The path executor: a connector program already installed (on PATH or a given command line).

import { ToolError } from "../../core/errors.ts";
import type { ExecutorInfo } from "../executor.ts";
import { ProcessExecutor, type ProcessExecutorDeps } from "./process-executor.ts";

export class PathExecutor extends ProcessExecutor {
  constructor(
    info: ExecutorInfo,
    deps: ProcessExecutorDeps,
    private readonly command: string[],
  ) {
    super(info, deps);
  }

  async prepare(): Promise<void> {
    const program = this.command[0] as string;
    if (!this.deps.which(program)) {
      throw new ToolError(`The connector program '${program}' was not found or is not executable.`, {
        hint: "Give an absolute path or a command on PATH in 'executable', or choose another override_execution_mode.",
      });
    }
  }

  protected argv(): string[] {
    return this.command;
  }
}
