// The yaml executor: a declarative manifest run natively, in-process, by src/declarative. The
// manifest comes from manifest_path or from the registry (fetched once, then cached on disk).

import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { ToolError } from "../../core/errors.ts";
import type { Logger } from "../../core/log.ts";
import type { Redactor } from "../../core/redact.ts";
import type { Settings } from "../../core/settings.ts";
import { ManifestError } from "../../declarative/manifest/errors.ts";
import type { Executor, ExecutorInfo, RunOptions } from "../executor.ts";
import type { ConnectorCommand } from "../process.ts";
import { ConnectorError } from "../process.ts";
import type { AirbyteMessage } from "../protocol.ts";

/** Whether the native manifest runner is built in (auto mode prefers it for manifest-only connectors). */
export const YAML_RUNNER_AVAILABLE = true;

const BATCH = 256;

export interface ManifestSource {
  /** Where the manifest is, for messages. */
  origin: string;
  load(signal: AbortSignal): Promise<string>;
}

export function manifestFromFile(path: string): ManifestSource {
  return {
    origin: path,
    load: async () => {
      if (existsSync(join(dirname(path), "components.py"))) {
        throw new ToolError(
          `${path} comes with a components.py (custom Python components), which the native runner cannot run.`,
          { hint: "Use override_execution_mode 'python' or 'docker' for this connector." },
        );
      }
      try {
        return readFileSync(path, "utf8");
      } catch (error) {
        throw new ToolError(
          `The manifest ${path} cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`,
          {
            hint: "manifest_path must be the absolute path of a readable YAML file.",
          },
        );
      }
    },
  };
}

export interface YamlDeps {
  settings: Settings;
  redactor: Redactor;
  log: Logger;
}

export class YamlExecutor implements Executor {
  private text: string | null = null;

  constructor(
    readonly info: ExecutorInfo,
    private readonly source: ManifestSource,
    private readonly deps: YamlDeps,
  ) {}

  async prepare(signal: AbortSignal): Promise<void> {
    this.text ??= await this.source.load(signal);
  }

  async *run(command: ConnectorCommand, options: RunOptions): AsyncGenerator<AirbyteMessage[]> {
    if (command === "write")
      throw new ToolError("A declarative manifest describes a source: it has no 'write' command.");
    await this.prepare(options.signal);
    if (options.signal.aborted)
      throw new ConnectorError(`${this.info.target} was cancelled before it started.`);
    const { settings, log } = this.deps;
    let lastError: string | null = null;
    let batch: AirbyteMessage[] = [];
    try {
      // Loaded on first use: the runner and its component schemas cost every other start-up time.
      const { runManifestBatches } = await import("../../declarative/source.ts");
      const batches = runManifestBatches(
        this.text as string,
        this.source.origin,
        {
          command,
          config: options.config,
          catalog: options.catalog,
          state: options.state,
          signal: options.signal,
        },
        {
          hostMap: settings.declarative.hostMap ?? undefined,
          maxConcurrency: settings.declarative.maxConcurrency,
          timeoutMs: settings.declarative.timeoutMs,
          log: { debug: (m) => log.debug(m), warn: (m) => log.warn(m) },
          onSecret: (v) => this.deps.redactor.add([v]),
        },
      );
      for await (const messages of batches) {
        for (const m of messages) {
          // The last error says it all: the closing one lists each failed stream with its reason.
          if (m.type === "TRACE" && m.trace.type === "ERROR" && m.trace.error)
            lastError = m.trace.error.message;
          batch.push(m);
        }
        if (batch.length >= BATCH) {
          yield batch;
          batch = [];
        }
      }
    } catch (error) {
      if (options.signal.aborted) throw new ConnectorError(`${this.info.target} was cancelled.`);
      if (error instanceof ManifestError) {
        throw new ToolError(
          `The manifest ${this.source.origin} cannot run natively: ${this.deps.redactor.text(error.message)}`,
          {
            hint: "Run the connector with override_execution_mode 'docker' or 'python' instead, or fix the manifest.",
          },
        );
      }
      if (error instanceof ToolError) throw error;
      throw new ConnectorError(
        `The native manifest runner failed: ${this.deps.redactor.text((error as Error).message)}`,
      );
    }
    if (batch.length > 0) yield batch;
    if (lastError !== null)
      throw new ConnectorError(`${this.info.target} failed: ${this.deps.redactor.text(lastError)}`);
  }
}
