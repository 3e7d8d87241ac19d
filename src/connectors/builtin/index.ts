// Connectors built into the binary: they run in-process, with nothing to install.

import type { ConnectorCommand } from "../process.ts";
import type { AirbyteMessage, ConfiguredAirbyteCatalog } from "../protocol.ts";
import { runSourceFaker } from "./source-faker.ts";

export interface BuiltinRun {
  command: ConnectorCommand;
  config?: Record<string, unknown> | undefined;
  catalog?: ConfiguredAirbyteCatalog | undefined;
  state?: unknown[] | undefined;
  signal?: AbortSignal;
}

export type BuiltinConnector = (run: BuiltinRun) => AsyncGenerator<AirbyteMessage>;

export const BUILTINS: Readonly<Record<string, BuiltinConnector>> = {
  "source-faker": (run) => {
    if (run.command === "write") throw new Error("source-faker is a source: it has no 'write' command.");
    return runSourceFaker({
      command: run.command,
      ...(run.config ? { config: run.config } : {}),
      ...(run.catalog ? { catalog: run.catalog } : {}),
      ...(run.state ? { state: run.state } : {}),
      ...(run.signal ? { signal: run.signal } : {}),
    });
  },
};

export function builtinConnector(name: string): BuiltinConnector | null {
  return Object.hasOwn(BUILTINS, name) ? (BUILTINS[name] as BuiltinConnector) : null;
}
