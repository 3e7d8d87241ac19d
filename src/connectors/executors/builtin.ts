// The builtin executor: a connector compiled into the binary, run in-process.

import { ToolError } from "../../core/errors.ts";
import type { BuiltinConnector } from "../builtin/index.ts";
import type { Executor, ExecutorInfo, RunOptions } from "../executor.ts";
import type { ConnectorCommand } from "../process.ts";
import type { AirbyteMessage } from "../protocol.ts";

const BATCH = 256;

export class BuiltinExecutor implements Executor {
  constructor(
    readonly info: ExecutorInfo,
    private readonly connector: BuiltinConnector,
  ) {}

  async prepare(): Promise<void> {}

  async *run(command: ConnectorCommand, options: RunOptions): AsyncGenerator<AirbyteMessage[]> {
    if (options.signal.aborted) throw new ToolError(`${this.info.target} was cancelled before it started.`);
    let batch: AirbyteMessage[] = [];
    for await (const m of this.connector({ command, ...options })) {
      batch.push(m);
      if (batch.length >= BATCH) {
        if (options.signal.aborted) throw new ToolError(`${this.info.target} was cancelled.`);
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0) yield batch;
  }
}
