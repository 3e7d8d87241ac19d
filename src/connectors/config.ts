// Resolving a connector config from a tool's arguments (pyairbyte-mcp.md §4): a file on the server,
// an inline object (or JSON string) merged on top, a secret holding a whole config merged deep on
// top, then `secret_reference::NAME` values replaced. Secrets typed into the conversation are
// refused.

import { readFileSync } from "node:fs";
import { isAbsolute } from "node:path";
import { parse as parseYaml } from "yaml";
import { ToolError } from "../core/errors.ts";
import {
  MIN_REFERENCED_LENGTH,
  resolveSecretReferences,
  SECRET_REFERENCE_PREFIX,
  type SecretLookup,
} from "../core/secrets.ts";

export type JsonObject = Record<string, unknown>;

export interface ConfigArguments {
  config?: JsonObject | string | null;
  config_file?: string | null;
  config_secret_name?: string | null;
}

export interface ResolveConfigOptions {
  /** The connector's config JSON Schema, to know which fields hold secrets (null: not known). */
  spec: JsonObject | null;
  secrets: SecretLookup;
  envFilePath?: string | null;
  /** Learns secret values that come from files or a config secret, so that they are masked. */
  redactor?: { add(values: string[]): void };
}

/** The config with every secret resolved, ready to hand to the connector. */
export function resolveConfig(args: ConfigArguments, options: ResolveConfigOptions): JsonObject {
  const secretKeys = options.spec ? secretFieldNames(options.spec) : new Set<string>();
  let merged: JsonObject = {};

  if (args.config_file) {
    const fromFile = readConfigFile(args.config_file);
    // A file on the server is not in the conversation: plain secrets are allowed there, and masked.
    options.redactor?.add(secretValues(fromFile, secretKeys));
    merged = fromFile;
  }
  if (args.config !== null && args.config !== undefined) {
    const inline =
      typeof args.config === "string"
        ? parseInlineConfig(args.config, "config", " (a file path goes in config_file)")
        : args.config;
    const hardcoded = hardcodedSecrets(inline, secretKeys);
    if (hardcoded.length > 0) {
      throw new ToolError(
        `The config contains secret values typed in plain text, in: ${hardcoded.join(", ")}.`,
        {
          hint: `Put each secret in the env file and write "${SECRET_REFERENCE_PREFIX}ENV_VAR_NAME" instead (list_dotenv_secrets shows the names), or pass config_secret_name.`,
        },
      );
    }
    merged = { ...merged, ...inline };
  }
  if (args.config_secret_name) {
    const value = configFromVariable(args.config_secret_name, options.secrets, "config_secret_name");
    // Mask the spec's secret fields; every value only when the spec is unknown (masking a start
    // date or a region for the server's whole life would blur every later result).
    options.redactor?.add(secretValues(value, options.spec ? secretKeys : null));
    merged = deepMerge(merged, value);
  }
  return resolveSecretReferences(merged, options.secrets, options.envFilePath ?? null);
}

/**
 * The whole config a variable holds (JSON or YAML object), for a `*_secret_name` argument; an
 * unset variable or one holding anything else is refused, never showing its value.
 */
export function configFromVariable(name: string, secrets: SecretLookup, argument: string): JsonObject {
  const raw = secrets(name);
  if (raw === undefined) {
    throw new ToolError(`${argument} names ${name}, which is not set in the env file or the environment.`, {
      hint: "Fix the name (list_dotenv_secrets shows the names available), or add the variable to the env file or the environment.",
    });
  }
  let value: unknown;
  try {
    value = parseYaml(raw);
  } catch {
    value = null;
  }
  if (!isObject(value)) {
    throw new ToolError(`The variable ${name} (${argument}) does not hold a JSON or YAML object.`, {
      hint: `Set ${name} to a whole config, such as {"api_key": "..."}.`,
    });
  }
  return value;
}

function readConfigFile(path: string): JsonObject {
  if (!isAbsolute(path)) {
    throw new ToolError(`config_file must be an absolute path (got ${path}).`, {
      hint: "The server's working directory is not the client's; give the full path.",
    });
  }
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new ToolError(
      `config_file ${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? "error"}).`,
    );
  }
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch (error) {
    throw new ToolError(
      `config_file ${path} is not valid YAML or JSON (${(error as Error).message.split("\n")[0]}).`,
    );
  }
  if (!isObject(value))
    throw new ToolError(`config_file ${path} must hold an object (a mapping of config fields).`);
  return value;
}

/**
 * A config given as a JSON string (`what` names the argument). The parser's message quotes the
 * text, which may hold a secret, so only what to do is said. `tip` ends the hint.
 */
export function parseInlineConfig(text: string, what: string, tip = ""): JsonObject {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ToolError(`${what} is a string but not valid JSON.`, {
      hint: `Pass an object, or a JSON object as a string such as '{"start_date": "2024-01-01"}'${tip}.`,
    });
  }
  if (!isObject(value)) {
    throw new ToolError(`${what} must be a JSON object (a mapping of config fields).`, {
      hint: `Pass an object such as {"start_date": "2024-01-01"}${tip}.`,
    });
  }
  return value;
}

/**
 * Field names the spec marks as secret (airbyte_secret, writeOnly, format: password), anywhere in
 * it: nested properties, oneOf/anyOf/allOf branches, array items.
 */
export function secretFieldNames(spec: unknown): Set<string> {
  const names = new Set<string>();
  const walk = (node: unknown) => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!isObject(node)) return;
    const props = node.properties;
    if (isObject(props)) {
      for (const [key, sub] of Object.entries(props)) {
        if (
          isObject(sub) &&
          (sub.airbyte_secret === true || sub.writeOnly === true || sub.format === "password")
        ) {
          names.add(key);
        }
        walk(sub);
      }
    }
    for (const k of ["oneOf", "anyOf", "allOf", "items", "additionalProperties"]) walk(node[k]);
  };
  walk(spec);
  return names;
}

/**
 * Paths of plain string values under a secret field (at any depth below it). References are fine,
 * and so are the `allowed` values (Cloud's mask, which keeps the stored secret).
 */
export function hardcodedSecrets(
  config: JsonObject,
  secretKeys: ReadonlySet<string>,
  allowed: ReadonlySet<string> = new Set(),
): string[] {
  const found: string[] = [];
  const walk = (v: unknown, path: string, underSecret: boolean) => {
    if (typeof v === "string") {
      if (underSecret && v !== "" && !allowed.has(v) && !v.startsWith(SECRET_REFERENCE_PREFIX))
        found.push(path);
    } else if (Array.isArray(v)) {
      for (const [i, x] of v.entries()) walk(x, `${path}[${i}]`, underSecret);
    } else if (isObject(v)) {
      for (const [k, x] of Object.entries(v))
        walk(x, path ? `${path}.${k}` : k, underSecret || secretKeys.has(k));
    }
  };
  walk(config, "", false);
  return found;
}

/**
 * The values of a config the redactor should learn: the strings under secret fields, or every
 * string when `secretKeys` is null (nothing is known of its fields). References are left out.
 */
export function secretValues(config: unknown, secretKeys: ReadonlySet<string> | null): string[] {
  const out: string[] = [];
  const walk = (v: unknown, underSecret: boolean) => {
    if (typeof v === "string") {
      if (underSecret && v.length >= MIN_REFERENCED_LENGTH && !v.startsWith(SECRET_REFERENCE_PREFIX))
        out.push(v);
    } else if (Array.isArray(v)) {
      for (const x of v) walk(x, underSecret);
    } else if (isObject(v)) {
      for (const [k, x] of Object.entries(v)) walk(x, underSecret || secretKeys?.has(k) === true);
    }
  };
  walk(config, secretKeys === null);
  return out;
}

export function deepMerge(base: JsonObject, top: JsonObject): JsonObject {
  const out: JsonObject = { ...base };
  for (const [k, v] of Object.entries(top)) {
    const b = out[k];
    out[k] = isObject(b) && isObject(v) ? deepMerge(b, v) : v;
  }
  return out;
}

function isObject(v: unknown): v is JsonObject {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}
