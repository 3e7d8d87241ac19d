// The protocol verbs over any Executor: spec, check and discover wait for the connector to finish
// (so that a failing exit is seen), read streams its messages to the caller.

import { ToolError } from "../core/errors.ts";
import type { Executor } from "./executor.ts";
import { ConnectorError } from "./process.ts";
import type { AirbyteMessage } from "./protocol.ts";

type Of<T extends AirbyteMessage["type"]> = Extract<AirbyteMessage, { type: T }>;

/** Runs a short command to its end and returns the first message of the wanted type. */
async function firstOf<T extends AirbyteMessage["type"]>(
  executor: Executor,
  command: "spec" | "check" | "discover",
  type: T,
  config: Record<string, unknown> | undefined,
  signal: AbortSignal,
): Promise<Of<T>> {
  let found: Of<T> | undefined;
  try {
    for await (const batch of executor.run(command, { config, signal })) {
      for (const m of batch) if (m.type === type && found === undefined) found = m as Of<T>;
    }
  } catch (error) {
    // A check that reports FAILED and then exits non-zero is a failed check, not a crash.
    if (!(found && type === "CONNECTION_STATUS" && error instanceof ConnectorError)) throw error;
  }
  if (!found) {
    throw new ToolError(`${label(executor)} finished '${command}' without printing a ${type} message.`, {
      hint: "The program does not speak the Airbyte protocol, or it failed silently; run it by hand to see its output.",
    });
  }
  return found;
}

export function label(executor: Executor): string {
  return `The connector (${executor.info.kind} executor, ${executor.info.target})`;
}

/** The connector's config JSON Schema (connectionSpecification). */
export async function connectorSpec(
  executor: Executor,
  signal: AbortSignal,
): Promise<Record<string, unknown>> {
  const m = await firstOf(executor, "spec", "SPEC", undefined, signal);
  return m.spec.connectionSpecification;
}

export async function checkConnection(
  executor: Executor,
  config: Record<string, unknown>,
  signal: AbortSignal,
): Promise<{ succeeded: boolean; message: string | null }> {
  const m = await firstOf(executor, "check", "CONNECTION_STATUS", config, signal);
  return {
    succeeded: m.connectionStatus.status === "SUCCEEDED",
    message: m.connectionStatus.message ?? null,
  };
}

export async function discoverCatalog(
  executor: Executor,
  config: Record<string, unknown>,
  signal: AbortSignal,
): Promise<Of<"CATALOG">["catalog"]> {
  return (await firstOf(executor, "discover", "CATALOG", config, signal)).catalog;
}
