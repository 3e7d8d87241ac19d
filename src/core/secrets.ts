// Secret references in connector configs, and the set of secret values the redactor must hide.

import { isNonSecretSetting, looksSecret } from "./env-vars.ts";
import { ToolError } from "./errors.ts";
import type { Settings } from "./settings.ts";

export const SECRET_REFERENCE_PREFIX = "secret_reference::";

/** Values shorter than this are too common ("true", "1234") to redact without mangling output. */
export const MIN_REDACTED_LENGTH = 6;

export type SecretLookup = (name: string) => string | undefined;

/** Values a config names explicitly as secret are masked from this length on. */
export const MIN_REFERENCED_LENGTH = 4;

/**
 * Looks a secret up in the env file and process env (process env wins, as for every setting). Every
 * value handed out is taught to the redactor: a reference may name any variable, including one
 * whose name does not look secret.
 */
export function secretLookup(
  settings: Pick<Settings, "env">,
  redactor?: { add(values: string[]): void },
): SecretLookup {
  return (name) => {
    if (!Object.hasOwn(settings.env, name)) return undefined;
    const value = settings.env[name];
    if (value !== undefined && value.length >= MIN_REFERENCED_LENGTH) redactor?.add([value]);
    return value;
  };
}

/**
 * Replaces every string `secret_reference::NAME` anywhere in a value (nested objects, lists, and
 * bare strings in lists) with NAME's value. Returns a new value; the input is not modified.
 */
export function resolveSecretReferences<T>(value: T, lookup: SecretLookup, envFilePath?: string | null): T {
  return walk(value, "$") as T;

  function walk(v: unknown, path: string): unknown {
    if (typeof v === "string") {
      if (!v.startsWith(SECRET_REFERENCE_PREFIX)) return v;
      const name = v.slice(SECRET_REFERENCE_PREFIX.length).trim();
      if (name === "") {
        throw new ToolError(`The secret reference at ${path} names no variable.`, {
          hint: "Write it as secret_reference::ENV_VAR_NAME.",
        });
      }
      const resolved = lookup(name);
      if (resolved === undefined) {
        const where = envFilePath
          ? `the env file ${envFilePath} or the process environment`
          : "the process environment (no AIRBYTE_MCP_ENV_FILE is set)";
        throw new ToolError(`The secret reference at ${path} names ${name}, which is not set in ${where}.`, {
          hint: `Add ${name}=... to the env file and restart the server, or fix the name; list_dotenv_secrets shows the names available.`,
        });
      }
      return resolved;
    }
    if (Array.isArray(v)) return v.map((item, i) => walk(item, `${path}[${i}]`));
    if (v !== null && typeof v === "object") {
      const out: Record<string, unknown> = {};
      for (const [k, item] of Object.entries(v)) out[k] = walk(item, `${path}.${k}`);
      return out;
    }
    return v;
  }
}

/**
 * The secret values loaded at start-up: every env-file value except the server's own non-secret
 * settings and except short values, plus process-env values of variables whose names look secret.
 */
export function collectSecretValues(
  settings: Pick<Settings, "envFileValues">,
  processEnv: Record<string, string | undefined>,
): string[] {
  const values = new Set<string>();
  const add = (name: string, value: string | undefined, alwaysSecret: boolean) => {
    if (value === undefined) return;
    const v = value.trim();
    if (v.length < MIN_REDACTED_LENGTH) return;
    if (!alwaysSecret && isNonSecretSetting(name)) return;
    values.add(v);
    if (v !== value) values.add(value);
  };
  // A URL with credentials (DATABASE_URL=postgres://user:pw@host/db): its password is a secret.
  const addUrlPassword = (name: string, value: string | undefined) => {
    const password = value ? urlPassword(value) : null;
    if (password) add(name, password, true);
  };
  for (const [name, value] of Object.entries(settings.envFileValues)) {
    add(name, value, looksSecret(name));
    addUrlPassword(name, value);
  }
  for (const [name, value] of Object.entries(processEnv)) {
    if (looksSecret(name)) add(name, value, true);
    addUrlPassword(name, value);
  }
  return [...values];
}

function urlPassword(value: string): string | null {
  if (!/^[a-z][a-z0-9+.-]*:\/\/[^/\s]*:[^/\s]*@/i.test(value)) return null;
  try {
    const password = decodeURIComponent(new URL(value).password);
    return password === "" ? null : password;
  } catch {
    return null;
  }
}
