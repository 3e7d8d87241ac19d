// Wires settings, secrets, redactor and logger once; both front-ends take a Runtime.

import { createLogger, type Logger } from "./log.ts";
import { Redactor } from "./redact.ts";
import { collectSecretValues, type SecretLookup, secretLookup } from "./secrets.ts";
import { type LoadSettingsOptions, loadSettings, type Settings } from "./settings.ts";
import type { AnyToolDef, ToolContext } from "./tool.ts";

export interface Runtime {
  settings: Settings;
  secrets: SecretLookup;
  redactor: Redactor;
  log: Logger;
  tools: readonly AnyToolDef[];
  context(signal?: AbortSignal): ToolContext;
}

export interface RuntimeOptions extends LoadSettingsOptions {
  tools: readonly AnyToolDef[];
  writeLog?: (line: string) => void;
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
  const secrets = secretLookup(settings);
  return {
    settings,
    secrets,
    redactor,
    log,
    tools: options.tools,
    context: (signal) => ({
      settings,
      secrets,
      redactor,
      log,
      signal: signal ?? new AbortController().signal,
    }),
  };
}
