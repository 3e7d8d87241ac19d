// `airbyte-mcp connector <name> <verb> [--config F] [--catalog F] [--state F]`: a built-in connector
// speaking the Airbyte protocol on stdout, like any connector image. It lets the binary stand in
// for a connector elsewhere (a container, a pipeline) and gives benchmarks a real process to read.
// It needs no settings: it reads only the files it is given.

import { readFileSync } from "node:fs";
import { BUILTINS, builtinConnector } from "../connectors/builtin/index.ts";
import { ConfiguredAirbyteCatalog } from "../connectors/protocol.ts";
import { EXIT } from "../core/errors.ts";
import { parseJson } from "../core/json.ts";

const VERBS = ["spec", "check", "discover", "read"] as const;
type Verb = (typeof VERBS)[number];
const FLUSH_AT = 64 * 1024;

export interface ConnectorIo {
  /** Resolves once the chunk is handed to the OS (backpressure for large reads). */
  write: (chunk: string) => Promise<void>;
  stderr: (s: string) => void;
}

export class ConnectorUsageError extends Error {}

export async function runBuiltinConnector(args: string[], io: ConnectorIo): Promise<number> {
  const [name, verb, ...rest] = args;
  const connector = name ? builtinConnector(name) : null;
  if (!name || !connector) {
    throw new ConnectorUsageError(
      `'connector' needs a built-in connector name (${Object.keys(BUILTINS).join(", ")}), then one of ${VERBS.join(", ")}.`,
    );
  }
  if (!verb || !(VERBS as readonly string[]).includes(verb)) {
    throw new ConnectorUsageError(`'connector ${name}' needs one of ${VERBS.join(", ")}.`);
  }
  const files: Record<string, string> = {};
  for (let i = 0; i < rest.length; i += 2) {
    const flag = rest[i] as string;
    const value = rest[i + 1];
    if (!["--config", "--catalog", "--state"].includes(flag) || value === undefined) {
      throw new ConnectorUsageError(
        `unexpected argument '${flag}': the options are --config, --catalog, --state FILE.`,
      );
    }
    files[flag.slice(2)] = value;
  }
  let buffer = "";
  const emit = async (m: unknown) => {
    buffer += `${JSON.stringify(m)}\n`;
    if (buffer.length >= FLUSH_AT) {
      const chunk = buffer;
      buffer = "";
      await io.write(chunk);
    }
  };
  try {
    const read = (which: string) =>
      files[which] ? JSON.parse(readFileSync(files[which], "utf8")) : undefined;
    const config = read("config");
    const catalogRaw = read("catalog");
    const catalog = catalogRaw === undefined ? undefined : ConfiguredAirbyteCatalog.parse(catalogRaw);
    if (verb === "read" && !catalog) throw new Error("'read' needs --catalog FILE");
    // A state may hold a partition's 64-bit id: read with its digits exact.
    const state = files.state ? (parseJson(readFileSync(files.state, "utf8")) as unknown[]) : undefined;
    for await (const m of connector({ command: verb as Verb, config, catalog, state })) await emit(m);
    await io.write(buffer);
    return EXIT.ok;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await emit({
      type: "TRACE",
      trace: {
        type: "ERROR",
        emitted_at: Date.now(),
        error: { message: `${name} ${verb} failed: ${message}`, failure_type: "config_error" },
      },
    });
    await io.write(buffer);
    return EXIT.toolFailed;
  }
}
