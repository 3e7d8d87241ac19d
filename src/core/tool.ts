// A tool is one definition; the MCP server and the CLI are two front-ends over the same list.

import type { z } from "zod";
import type { CloudSession } from "../cloud/session.ts";
import type { Registry } from "../registry/registry.ts";
import type { Logger } from "./log.ts";
import type { Redactor } from "./redact.ts";
import type { SecretLookup } from "./secrets.ts";
import type { Domain, Settings } from "./settings.ts";
import type { Transport } from "./visibility.ts";

export interface ToolHints {
  readOnlyHint: boolean;
  destructiveHint: boolean;
  idempotentHint: boolean;
  openWorldHint: boolean;
}

/** What a handler may use. Production wires real ones in main.ts; tests inject local ones. */
export interface ToolContext {
  settings: Settings;
  secrets: SecretLookup;
  redactor: Redactor;
  log: Logger;
  /** Aborted when the caller cancels the call (MCP cancellation, Ctrl-C in the CLI). */
  signal: AbortSignal;
  registry: Registry;
  /** Airbyte Cloud: the client (built on first use) and safe mode's record of created objects. */
  cloud: CloudSession;
  /** The front-end the call came through (set by invokeTool): an HTTP caller may not name server files. */
  transport?: Transport | undefined;
  /** Reports progress of a long call (MCP progress notifications, the CLI's progress line). */
  progress?: ((p: Progress) => void) | undefined;
}

export interface Progress {
  /** Grows with every report (records so far, say). */
  progress: number;
  total?: number;
  message?: string;
}

export type ObjectSchema = z.ZodType<Record<string, unknown>>;

export interface ToolDef<I extends z.ZodObject = z.ZodObject, O extends ObjectSchema = ObjectSchema> {
  name: string;
  title: string;
  description: string;
  domain: Domain;
  /** Flat object schema; every optional parameter carries an explicit default. */
  input: I;
  /** Object schema of the structured result. */
  output: O;
  hints: ToolHints;
  /** Runs connectors or reads/writes the server's filesystem (hidden when that is not allowed). */
  needsFilesystem: boolean;
  /** A Cloud tool that writes but stays visible in read-only mode (only `run_cloud_sync`). */
  keepInReadOnlyMode?: boolean;
  handler: (input: z.output<I>, ctx: ToolContext) => Promise<z.input<O>>;
}

/** Any tool, whatever its schemas (for lists). */
// biome-ignore lint/suspicious/noExplicitAny: the list holds tools of different input types.
export type AnyToolDef = ToolDef<any, any>;

export function defineTool<I extends z.ZodObject, O extends ObjectSchema>(def: ToolDef<I, O>): ToolDef<I, O> {
  return def;
}
