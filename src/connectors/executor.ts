// The one interface every way of running a connector implements (builtin, yaml, path, python,
// docker), and the protocol verbs on top of it. Tools only ever talk to an Executor.

import { z } from "zod";
import type { ConnectorCommand } from "./process.ts";
import type { AirbyteMessage, ConfiguredAirbyteCatalog } from "./protocol.ts";

export const EXECUTION_MODES = ["auto", "builtin", "yaml", "path", "python", "docker"] as const;
export type ExecutionMode = (typeof EXECUTION_MODES)[number];
export type ExecutorKind = Exclude<ExecutionMode, "auto">;

/** What ran and why: part of every local tool's result. */
export const ExecutorInfo = z.object({
  kind: z.enum(EXECUTION_MODES.filter((m) => m !== "auto") as [ExecutorKind, ...ExecutorKind[]]),
  reason: z.string().describe("Why this executor was chosen."),
  target: z.string().describe("What was run: the image, the venv, the command line, or the built-in."),
  version: z.string().nullable().describe("The connector version asked for, when one was pinned or known."),
});
export type ExecutorInfo = z.infer<typeof ExecutorInfo>;

export interface RunOptions {
  config?: Record<string, unknown> | undefined;
  catalog?: ConfiguredAirbyteCatalog | undefined;
  state?: unknown[] | undefined;
  stdin?: AsyncIterable<AirbyteMessage> | undefined;
  signal: AbortSignal;
}

export interface Executor {
  readonly info: ExecutorInfo;
  /** Installs or checks what the executor needs (a venv, the container CLI). Idempotent. */
  prepare(signal: AbortSignal): Promise<void>;
  /**
   * Runs one protocol command and yields its messages in batches, as they arrive (one async step
   * per batch keeps reading cheap); stopping the iteration early stops the connector.
   */
  run(command: ConnectorCommand, options: RunOptions): AsyncGenerator<AirbyteMessage[]>;
}
