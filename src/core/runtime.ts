// Wires settings, secrets, redactor and logger once; both front-ends take a Runtime.

import { join } from "node:path";
import { type CloudSession, type CloudSessionOptions, createCloudSession } from "../cloud/session.ts";
import type { RegistryIndex } from "../registry/model.ts";
import { Registry } from "../registry/registry.ts";
import { embeddedSnapshot } from "../registry/snapshot.ts";
import { createHttpClient, type HttpClient } from "./http.ts";
import { HttpCache } from "./http-cache.ts";
import { createLogger, type Logger } from "./log.ts";
import { Redactor } from "./redact.ts";
import { collectSecretValues, type SecretLookup, secretLookup } from "./secrets.ts";
import { type LoadSettingsOptions, loadSettings, type Settings } from "./settings.ts";
import type { AnyToolDef, Progress, ToolContext } from "./tool.ts";
import { NAME, VERSION } from "./version.ts";

export interface Runtime {
  settings: Settings;
  secrets: SecretLookup;
  redactor: Redactor;
  log: Logger;
  http: HttpClient;
  registry: Registry;
  cloud: CloudSession;
  tools: readonly AnyToolDef[];
  context(signal?: AbortSignal, progress?: (p: Progress) => void): ToolContext;
}

export interface RuntimeOptions extends LoadSettingsOptions {
  tools: readonly AnyToolDef[];
  writeLog?: (line: string) => void;
  /** The registry snapshot to fall back on (default: the one embedded in the binary). */
  snapshot?: () => Promise<RegistryIndex | null>;
  /** Cloud overrides for tests (fast retries and polls). */
  cloud?: Omit<CloudSessionOptions, "settings" | "log" | "redactor">;
}

/** Throws SettingsError on a configuration problem (the caller reports it and exits 2). */
export function createRuntime(options: RuntimeOptions): Runtime {
  const settings = loadSettings(options);
  const redactor = new Redactor(collectSecretValues(settings, options.env));
  const log = createLogger({
    level: settings.logLevel,
    structured: settings.structuredLogging,
    redactor,
    ...(options.writeLog ? { write: options.writeLog } : {}),
  });
  for (const w of settings.warnings) log.warn(w);
  const secrets = secretLookup(settings, redactor);
  const http = createHttpClient({ timeoutMs: settings.httpTimeoutMs, userAgent: `${NAME}/${VERSION}` });
  const registry = new Registry({
    settings,
    cache: new HttpCache({
      dir: join(settings.cacheRoot, "http"),
      ttlMs: settings.registry.ttlMs,
      http,
      offline: settings.offlineMode,
    }),
    snapshot: options.snapshot ?? embeddedSnapshot,
  });
  const cloud = createCloudSession({ ...options.cloud, settings, log, redactor });
  return {
    settings,
    secrets,
    redactor,
    log,
    http,
    registry,
    cloud,
    tools: options.tools,
    context: (signal, progress) => ({
      settings,
      secrets,
      redactor,
      log,
      registry,
      cloud,
      signal: signal ?? new AbortController().signal,
      progress,
    }),
  };
}
