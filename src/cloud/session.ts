// What the Cloud tools share in one server process: the client (built on first use, so a server
// without Cloud credentials starts and only Cloud calls fail, saying what to set), the objects this
// process created (safe mode), and the default workspace.

import { ToolError } from "../core/errors.ts";
import type { Logger } from "../core/log.ts";
import type { Redactor } from "../core/redact.ts";
import type { Settings } from "../core/settings.ts";
import { type CloudClient, type CreateCloudClientOptions, createCloudClient } from "./client/index.ts";
import { CreatedObjects } from "./safe-mode.ts";

export interface CloudSession {
  /** The API client; built on first use. */
  client(): CloudClient;
  readonly created: CreatedObjects;
  /** How often run_cloud_sync(wait=true) and the CLI poll a job at first (it backs off from there). */
  readonly pollIntervalMs: number;
  /** The longest wait between two polls. */
  readonly maxPollIntervalMs: number;
}

export interface CloudSessionOptions {
  settings: Settings;
  log: Logger;
  redactor: Redactor;
  /** Overrides for tests: a fetch, fast retries, token clocks, page size. */
  client?: Partial<Omit<CreateCloudClientOptions, "settings" | "log" | "redactor">>;
  pollIntervalMs?: number;
  maxPollIntervalMs?: number;
}

export function createCloudSession(options: CloudSessionOptions): CloudSession {
  let client: CloudClient | null = null;
  return {
    client() {
      client ??= createCloudClient({
        settings: options.settings,
        log: options.log,
        redactor: options.redactor,
        ...options.client,
      });
      return client;
    },
    created: new CreatedObjects(),
    pollIntervalMs: options.pollIntervalMs ?? options.settings.cloud.pollIntervalMs,
    maxPollIntervalMs: options.maxPollIntervalMs ?? Math.max(30_000, options.settings.cloud.pollIntervalMs),
  };
}

/** The workspace a call works in: its own argument, else AIRBYTE_CLOUD_WORKSPACE_ID. */
export function workspaceOf(given: string | null | undefined, settings: Settings): string {
  const id = given?.trim() || settings.cloud.workspaceId;
  if (id) return id;
  throw new ToolError("No Airbyte Cloud workspace was given.", {
    hint: "Pass workspace_id (list_cloud_workspaces lists the ones you can use), or set AIRBYTE_CLOUD_WORKSPACE_ID in the server's environment.",
  });
}
