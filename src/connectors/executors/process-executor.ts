// An executor that runs the connector as a child process: path, python and docker differ only in
// the command line, how host paths look to the program, and what `prepare` installs.

import type { Logger } from "../../core/log.ts";
import type { Redactor } from "../../core/redact.ts";
import type { Executor, ExecutorInfo, RunOptions } from "../executor.ts";
import { type ConnectorCommand, runConnector } from "../process.ts";
import type { AirbyteMessage } from "../protocol.ts";

/** Finds a program the way a shell would (injectable, so tests control PATH). */
export type Which = (command: string) => string | null;

export interface ProcessExecutorDeps {
  tempRoot: string;
  which: Which;
  redactor: Redactor;
  log: Logger;
  env?: Record<string, string>;
}

export abstract class ProcessExecutor implements Executor {
  constructor(
    readonly info: ExecutorInfo,
    protected readonly deps: ProcessExecutorDeps,
  ) {}

  abstract prepare(signal: AbortSignal): Promise<void>;

  /** The program and its leading arguments; the verb and file options are appended. */
  protected abstract argv(): string[];

  protected mapPath(hostPath: string, _filesDir: string): string {
    return hostPath;
  }

  /** Whether the run's files are read by another user (a container's). */
  protected readonly shareFiles: boolean = false;

  run(command: ConnectorCommand, options: RunOptions): AsyncGenerator<AirbyteMessage[]> {
    return this.runWith(this.argv(), command, options);
  }

  protected async *runWith(
    argv: string[] | ((filesDir: string) => string[]),
    command: ConnectorCommand,
    options: RunOptions,
    onStop?: () => void,
  ): AsyncGenerator<AirbyteMessage[]> {
    const label = `${this.info.target} (${this.info.kind} executor)`;
    yield* runConnector({
      argv,
      command,
      config: options.config,
      catalog: options.catalog,
      state: options.state,
      stdin: options.stdin,
      ...(this.deps.env ? { env: this.deps.env } : {}),
      tempRoot: this.deps.tempRoot,
      mapPath: (p, filesDir) => this.mapPath(p, filesDir),
      shareFiles: this.shareFiles,
      signal: options.signal,
      redactor: this.deps.redactor,
      onLog: (line) => this.deps.log.debug(`[${this.info.target}] ${line}`),
      label,
      ...(onStop ? { onStop } : {}),
    });
  }
}
