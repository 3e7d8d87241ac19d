// The builtin executor: a connector compiled into the binary, run in-process.

import { ToolError } from "../../core/errors.ts";
import type { BuiltinConnector } from "../builtin/index.ts";
import type { Executor, ExecutorInfo, RunOptions } from "../executor.ts";
import type { ConnectorCommand } from "../process.ts";
import type { AirbyteMessage } from "../protocol.ts";

export class BuiltinExecutor implements Executor {
  constructor(
    readonly info: ExecutorInfo,
    private readonly connector: BuiltinConnector,
  ) {}

  async prepare(): Promise<void> {}

  async *run(command: ConnectorCommand, options: RunOptions): AsyncGenerator<AirbyteMessage> {
    if (options.signal.aborted) throw new ToolError(`${this.info.target} was cancelled before it started.`);
    for await (const m of this.connector({ command, ...options })) {
      if (options.signal.aborted) throw new ToolError(`${this.info.target} was cancelled.`);
      yield m;
    }
  }
}
