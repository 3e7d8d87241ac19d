// The only logger: always stderr (stdout of the stdio server carries only JSON-RPC), always redacted.

import type { Redactor } from "./redact.ts";

export type LogLevel = "debug" | "info" | "warn" | "error" | "silent";
const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export interface LoggerOptions {
  level: LogLevel;
  structured: boolean;
  redactor: Redactor;
  write?: (line: string) => void;
}

export function createLogger(options: LoggerOptions): Logger {
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  const min = RANK[options.level];
  const emit = (level: Exclude<LogLevel, "silent">, message: string, fields?: Record<string, unknown>) => {
    if (RANK[level] < min) return;
    let line: string;
    if (options.structured) {
      line = JSON.stringify(
        options.redactor.value({ time: new Date().toISOString(), level, message, ...(fields ?? {}) }),
      );
    } else {
      const extra = fields && Object.keys(fields).length > 0 ? ` ${JSON.stringify(fields)}` : "";
      line = options.redactor.text(`airbyte-mcp ${level}: ${message}${extra}`);
    }
    write(`${line}\n`);
  };
  return {
    debug: (m, f) => emit("debug", m, f),
    info: (m, f) => emit("info", m, f),
    warn: (m, f) => emit("warn", m, f),
    error: (m, f) => emit("error", m, f),
  };
}
