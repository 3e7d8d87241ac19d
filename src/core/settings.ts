// The one typed settings object, computed once at start-up. The env file is loaded first, so every
// setting below sees its values (PyAirbyte computes several settings before reading the file).

import { accessSync, constants, mkdirSync, readFileSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { isAbsolute, join } from "node:path";
import { parseHostMap } from "../declarative/http/host-map.ts";
import { splitCommandLine } from "./command-line.ts";
import { EnvFileError, parseEnvFile } from "./envfile.ts";

export const DOMAINS = ["registry", "local", "cloud"] as const;
export type Domain = (typeof DOMAINS)[number];
// PyAirbyte also knows "interactive" (MCP Apps UI tools); accepted so that existing configs start.
const KNOWN_DOMAIN_NAMES = new Set<string>([...DOMAINS, "interactive"]);

export class SettingsError extends Error {
  constructor(message: string, options?: { cause: unknown }) {
    super(message, options);
    this.name = "SettingsError";
  }
}

export interface EnvFileInfo {
  path: string;
  /** Variable names defined by the file, in file order. */
  names: string[];
  mtimeMs: number;
}

export interface DomainFilter {
  /** The variable that set it, for messages. */
  variable: string;
  domains: string[];
}

export interface Settings {
  envFile: EnvFileInfo | null;
  /** The env file's values overlaid by the process env: the one place variables are looked up. */
  env: Readonly<Record<string, string>>;
  /** Values that came from the env file only (for the redactor). */
  envFileValues: Readonly<Record<string, string>>;
  projectDir: string;
  cacheRoot: string;
  installDir: string;
  tempDir: string;
  offlineMode: boolean;
  noUv: boolean;
  /** The docker executor's container CLI (program and global flags) and extra `run` arguments. */
  container: { cli: string[]; runArgs: string[] };
  /** How long one local tool call may run connectors. */
  connectorTimeoutMs: number;
  /** How long one run_sql_query may run. */
  queryTimeoutMs: number;
  /** Bytes of records a local tool may return. */
  maxResultBytes: number;
  /** The cache: the embedded SQLite file under cacheRoot, or PostgreSQL when a URL is given. */
  cache: { url: string | null; schema: string };
  /** Registry source: a URL, an absolute file path, or null when disabled. */
  localRegistry: string | null;
  registry: {
    /** Base of connector metadata files: {base}/{name}/{version}/{cloud.json|oss.json|manifest.yaml}. */
    metadataBaseUrl: string;
    /** Base of the Airbyte docs site (connector pages and their changelogs). */
    docsBaseUrl: string;
    /** How long a cached registry or metadata file is used before it is revalidated. */
    ttlMs: number;
  };
  /** Timeout of one outbound HTTP request. */
  httpTimeoutMs: number;
  /**
   * The native manifest runner: AIRBYTE_HTTP_HOST_MAP (validated text), its request cap, and one
   * request's timeout: AIRBYTE_HTTP_TIMEOUT when set, else the CDK's read timeout (300 s), since
   * a connector's export endpoints may take far longer than Airbyte's own API.
   */
  declarative: { hostMap: string | null; maxConcurrency: number; timeoutMs: number };
  trustedExecution: boolean;
  safeMode: boolean;
  readOnlyMode: boolean;
  genericReadOnlyMode: boolean;
  noDestructiveTools: boolean;
  noClientFilesystem: boolean;
  includeDomains: DomainFilter[];
  excludeDomains: DomainFilter[];
  excludedTools: string[];
  cloud: {
    workspaceId: string | null;
    apiUrl: string;
    configApiUrl: string | null;
    hasClientCredentials: boolean;
    hasBearerToken: boolean;
    /** First wait between two polls of a running job (it grows from there, up to 30 s). */
    pollIntervalMs: number;
  };
  logLevel: "debug" | "info" | "warn" | "error" | "silent";
  structuredLogging: boolean;
  /** Start-up warnings to log once the logger exists. */
  warnings: string[];
}

export interface LoadSettingsOptions {
  env: Record<string, string | undefined>;
  platform?: NodeJS.Platform;
  /** Create the project dir and check it is writable (off for --help and --version). */
  prepareDirs?: boolean;
}

const OSS_REGISTRY_URL = "https://connectors.airbyte.com/files/registries/v0/oss_registry.json";
const DEFAULT_API_URL = "https://api.airbyte.com/v1";
const DEFAULT_METADATA_URL = "https://connectors.airbyte.com/files/metadata/airbyte";
const DEFAULT_DOCS_URL = "https://docs.airbyte.com";

export function loadSettings(options: LoadSettingsOptions): Settings {
  const processEnv = definedVars(options.env);
  const warnings: string[] = [];

  // 1. The env file, before anything else.
  const envFilePath = processEnv.AIRBYTE_MCP_ENV_FILE?.trim() || null;
  let envFile: EnvFileInfo | null = null;
  const envFileValues: Record<string, string> = Object.create(null);
  if (envFilePath) {
    envFile = readEnvFile(envFilePath, processEnv, envFileValues);
  }
  const env: Record<string, string> = Object.assign(Object.create(null), envFileValues, processEnv);
  const get = (name: string): string | undefined => {
    const v = Object.hasOwn(env, name) ? env[name] : undefined;
    return v === undefined || v.trim() === "" ? undefined : v.trim();
  };

  // 2. Directories.
  const projectDir =
    absoluteDir("AIRBYTE_PROJECT_DIR", get("AIRBYTE_PROJECT_DIR")) ?? defaultProjectDir(options);
  const cacheRoot =
    absoluteDir("AIRBYTE_CACHE_ROOT", get("AIRBYTE_CACHE_ROOT")) ?? join(projectDir, ".cache");
  const installDir = absoluteDir("AIRBYTE_INSTALL_DIR", get("AIRBYTE_INSTALL_DIR")) ?? projectDir;
  const tempDir = absoluteDir("AIRBYTE_TEMP_DIR", get("AIRBYTE_TEMP_DIR")) ?? join(projectDir, ".tmp");
  if (options.prepareDirs ?? true) ensureWritableDir("AIRBYTE_PROJECT_DIR", projectDir);

  // 3. Registry.
  const offlineMode = flag(get, "AIRBYTE_OFFLINE_MODE", false);
  const registryRaw = get("AIRBYTE_LOCAL_REGISTRY");
  let localRegistry: string | null = OSS_REGISTRY_URL;
  if (registryRaw !== undefined) {
    if (/^(0|f|false|no|off)$/i.test(registryRaw)) localRegistry = null;
    else if (/^https?:\/\//i.test(registryRaw) || isAbsolute(registryRaw)) localRegistry = registryRaw;
    else
      throw new SettingsError(
        "AIRBYTE_LOCAL_REGISTRY must be an http(s) URL, an absolute path to a registry JSON file, or 0 to disable the registry.",
      );
  }

  // 4. Modes and filters.
  const includeDomains: DomainFilter[] = [];
  const excludeDomains: DomainFilter[] = [];
  for (const [incVar, excVar] of [
    ["AIRBYTE_MCP_DOMAINS", "AIRBYTE_MCP_DOMAINS_DISABLED"],
    ["MCP_INCLUDE_MODULES", "MCP_EXCLUDE_MODULES"],
  ] as const) {
    const inc = domainList(incVar, get(incVar), warnings);
    const exc = domainList(excVar, get(excVar), warnings);
    if (inc && exc) {
      throw new SettingsError(`${incVar} and ${excVar} are mutually exclusive: set only one of them.`);
    }
    if (inc) includeDomains.push({ variable: incVar, domains: inc });
    if (exc) excludeDomains.push({ variable: excVar, domains: exc });
  }

  const hasClientId = get("AIRBYTE_CLOUD_CLIENT_ID") !== undefined;
  const hasClientSecret = get("AIRBYTE_CLOUD_CLIENT_SECRET") !== undefined;
  const hasBearerToken = get("AIRBYTE_CLOUD_BEARER_TOKEN") !== undefined;
  if (hasBearerToken && (hasClientId || hasClientSecret)) {
    throw new SettingsError(
      "AIRBYTE_CLOUD_BEARER_TOKEN cannot be used together with AIRBYTE_CLOUD_CLIENT_ID/AIRBYTE_CLOUD_CLIENT_SECRET: keep one way to authenticate.",
    );
  }
  const apiUrl = url("AIRBYTE_CLOUD_API_URL", get("AIRBYTE_CLOUD_API_URL")) ?? DEFAULT_API_URL;

  const logLevel = (get("AIRBYTE_MCP_LOG_LEVEL") ?? "info").toLowerCase();
  if (!["debug", "info", "warn", "error", "silent"].includes(logLevel)) {
    throw new SettingsError("AIRBYTE_MCP_LOG_LEVEL must be one of debug, info, warn, error, silent.");
  }
  // One variable, two defaults: Airbyte's API (30 s) and a manifest connector's requests (300 s).
  const httpTimeout = get("AIRBYTE_HTTP_TIMEOUT");
  const httpTimeoutSeconds =
    httpTimeout === undefined ? null : positiveSeconds("AIRBYTE_HTTP_TIMEOUT", httpTimeout, 0);

  return {
    envFile,
    env,
    envFileValues,
    projectDir,
    cacheRoot,
    installDir,
    tempDir,
    offlineMode,
    noUv: flag(get, "AIRBYTE_NO_UV", false),
    container: {
      cli: commandLine("AIRBYTE_MCP_CONTAINER_CLI", get("AIRBYTE_MCP_CONTAINER_CLI")) ?? ["docker"],
      runArgs: commandLine("AIRBYTE_MCP_CONTAINER_RUN_ARGS", get("AIRBYTE_MCP_CONTAINER_RUN_ARGS")) ?? [],
    },
    connectorTimeoutMs:
      positiveSeconds("AIRBYTE_MCP_CONNECTOR_TIMEOUT", get("AIRBYTE_MCP_CONNECTOR_TIMEOUT"), 600) * 1000,
    queryTimeoutMs: positiveSeconds("AIRBYTE_MCP_QUERY_TIMEOUT", get("AIRBYTE_MCP_QUERY_TIMEOUT"), 60) * 1000,
    maxResultBytes: integerAtLeast(
      "AIRBYTE_MCP_MAX_RESULT_BYTES",
      get("AIRBYTE_MCP_MAX_RESULT_BYTES"),
      1000,
      250_000,
    ),
    cache: {
      url: cacheUrl(get("AIRBYTE_CACHE_URL")),
      schema: identifier("AIRBYTE_CACHE_SCHEMA", get("AIRBYTE_CACHE_SCHEMA")) ?? "airbyte_raw",
    },
    localRegistry,
    registry: {
      metadataBaseUrl:
        url("AIRBYTE_CONNECTOR_METADATA_URL", get("AIRBYTE_CONNECTOR_METADATA_URL")) ?? DEFAULT_METADATA_URL,
      docsBaseUrl: url("AIRBYTE_DOCS_URL", get("AIRBYTE_DOCS_URL")) ?? DEFAULT_DOCS_URL,
      ttlMs: seconds("AIRBYTE_REGISTRY_CACHE_TTL", get("AIRBYTE_REGISTRY_CACHE_TTL"), 24 * 3600) * 1000,
    },
    httpTimeoutMs: (httpTimeoutSeconds ?? 30) * 1000,
    declarative: {
      hostMap: hostMap(get("AIRBYTE_HTTP_HOST_MAP")),
      timeoutMs: (httpTimeoutSeconds ?? 300) * 1000,
      maxConcurrency: integerAtLeast(
        "AIRBYTE_MCP_HTTP_CONCURRENCY",
        get("AIRBYTE_MCP_HTTP_CONCURRENCY"),
        1,
        8,
      ),
    },
    trustedExecution: flag(get, "AIRBYTE_MCP_TRUSTED_EXECUTION", true),
    safeMode: flag(get, "AIRBYTE_CLOUD_MCP_SAFE_MODE", true),
    readOnlyMode: flag(get, "AIRBYTE_CLOUD_MCP_READONLY_MODE", false),
    genericReadOnlyMode: flag(get, "MCP_READONLY_MODE", false),
    noDestructiveTools: flag(get, "MCP_NO_DESTRUCTIVE_TOOLS", false),
    noClientFilesystem: flag(get, "MCP_NO_CLIENT_FILESYSTEM", false),
    includeDomains,
    excludeDomains,
    excludedTools: csv(get("MCP_EXCLUDE_TOOLS")),
    cloud: {
      workspaceId: get("AIRBYTE_CLOUD_WORKSPACE_ID") ?? null,
      apiUrl,
      configApiUrl: url("AIRBYTE_CLOUD_CONFIG_API_URL", get("AIRBYTE_CLOUD_CONFIG_API_URL")) ?? null,
      hasClientCredentials: hasClientId && hasClientSecret,
      hasBearerToken,
      pollIntervalMs:
        positiveSeconds("AIRBYTE_CLOUD_POLL_INTERVAL", get("AIRBYTE_CLOUD_POLL_INTERVAL"), 2) * 1000,
    },
    logLevel: logLevel as Settings["logLevel"],
    structuredLogging: flag(get, "AIRBYTE_STRUCTURED_LOGGING", false),
    warnings,
  };
}

function readEnvFile(
  path: string,
  processEnv: Record<string, string>,
  into: Record<string, string>,
): EnvFileInfo {
  if (!isAbsolute(path)) {
    throw new SettingsError(
      `AIRBYTE_MCP_ENV_FILE must be an absolute path (got a relative one: ${path}). MCP clients start servers from unpredictable directories; give the full path.`,
    );
  }
  let text: string;
  let mtimeMs: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new SettingsError(`AIRBYTE_MCP_ENV_FILE ${path} is not a regular file.`);
    mtimeMs = st.mtimeMs;
    text = readFileSync(path, "utf8");
  } catch (error) {
    if (error instanceof SettingsError) throw error;
    throw new SettingsError(
      `AIRBYTE_MCP_ENV_FILE ${path} ${readFailure((error as NodeJS.ErrnoException).code)}. Fix the path or the file's permissions.`,
    );
  }
  let entries: ReturnType<typeof parseEnvFile>;
  try {
    entries = parseEnvFile(text, path, (name) => processEnv[name]);
  } catch (error) {
    if (error instanceof EnvFileError) {
      throw new SettingsError(`AIRBYTE_MCP_ENV_FILE: ${error.message}. Fix that line and restart.`, {
        cause: error,
      });
    }
    throw error;
  }
  const names: string[] = [];
  for (const e of entries) {
    if (!Object.hasOwn(into, e.name)) names.push(e.name);
    into[e.name] = e.value;
  }
  return { path, names, mtimeMs };
}

/**
 * The env file's values when it can be read and parsed, else {}: lets start-up errors be masked
 * with the file's secrets even though the settings as a whole are broken.
 */
export function envFileValuesIfReadable(env: Record<string, string | undefined>): Record<string, string> {
  const path = env.AIRBYTE_MCP_ENV_FILE?.trim();
  const values: Record<string, string> = Object.create(null);
  if (!path || !isAbsolute(path)) return values;
  const processEnv = definedVars(env);
  try {
    readEnvFile(path, processEnv, values);
  } catch (error) {
    // Whatever parsed before the bad line still counts.
    const partial =
      error instanceof SettingsError ? (error.cause as EnvFileError | undefined)?.partial : undefined;
    for (const e of partial ?? []) values[e.name] = e.value;
  }
  return values;
}

/**
 * The variables that are set, in a prototype-less map: a variable named "constructor" or
 * "__proto__" is just a variable.
 */
function definedVars(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  return out;
}

/** Why a file could not be read, from its errno code. */
export function readFailure(code: string | undefined): string {
  if (code === "ENOENT") return "does not exist";
  if (code === "EACCES" || code === "EPERM") return "is not readable (permission denied)";
  if (code === "ENOTDIR") return "does not exist (a parent is not a directory)";
  return `cannot be read (${code ?? "unknown error"})`;
}

function defaultProjectDir(options: LoadSettingsOptions): string {
  const env = options.env;
  const platform = options.platform ?? process.platform;
  const home = env.HOME || env.USERPROFILE || homedir();
  if (platform === "win32") return join(env.LOCALAPPDATA || join(home, "AppData", "Local"), "airbyte-mcp");
  if (platform === "darwin") return join(home, "Library", "Application Support", "airbyte-mcp");
  return join(env.XDG_DATA_HOME || join(home, ".local", "share"), "airbyte-mcp");
}

function absoluteDir(variable: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!isAbsolute(value)) {
    throw new SettingsError(`${variable} must be an absolute path (got ${value}).`);
  }
  return value;
}

function ensureWritableDir(variable: string, dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "unknown error";
    throw new SettingsError(
      `${variable} ${dir} cannot be created or is not writable (${code}). Point ${variable} at a writable absolute directory.`,
    );
  }
}

const TRUE = /^(1|true|t|yes|y|on)$/i;
const FALSE = /^(0|false|f|no|n|off)$/i;

function flag(get: (n: string) => string | undefined, name: string, fallback: boolean): boolean {
  const v = get(name);
  if (v === undefined) return fallback;
  if (TRUE.test(v)) return true;
  if (FALSE.test(v)) return false;
  throw new SettingsError(`${name} must be a boolean: 1/true/yes/on or 0/false/no/off.`);
}

function seconds(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0)
    throw new SettingsError(`${name} must be a number of seconds (0 or more).`);
  return n;
}

function hostMap(value: string | undefined): string | null {
  if (value === undefined || value.trim() === "") return null;
  try {
    parseHostMap(value);
  } catch (error) {
    throw new SettingsError(`AIRBYTE_HTTP_HOST_MAP: ${(error as Error).message}`);
  }
  return value;
}

function positiveSeconds(name: string, value: string | undefined, fallback: number): number {
  const n = seconds(name, value, fallback);
  if (n <= 0) throw new SettingsError(`${name} must be more than 0 seconds.`);
  return n;
}

function csv(value: string | undefined): string[] {
  if (value === undefined) return [];
  return value
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

function domainList(variable: string, value: string | undefined, warnings: string[]): string[] | null {
  const raw = csv(value);
  const list = raw.map((d) => d.toLowerCase());
  if (list.length === 0) return null;
  const unknown = raw.filter((d) => !KNOWN_DOMAIN_NAMES.has(d.toLowerCase()));
  if (unknown.length > 0) {
    throw new SettingsError(
      `${variable} names unknown domain(s) ${unknown.join(", ")}. Known domains: ${DOMAINS.join(", ")}.`,
    );
  }
  if (list.includes("interactive")) {
    warnings.push(
      `${variable}: the "interactive" domain (MCP Apps UI tools) has no tools in airbyte-mcp; ignored.`,
    );
  }
  return list;
}

function url(variable: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    const u = new URL(value);
    if (u.protocol !== "http:" && u.protocol !== "https:") throw new Error("scheme");
  } catch {
    throw new SettingsError(`${variable} must be an http(s) URL.`);
  }
  return value.replace(/\/+$/, "");
}

function commandLine(name: string, value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  try {
    return splitCommandLine(value);
  } catch (error) {
    throw new SettingsError(`${name}: ${(error as Error).message}.`);
  }
}

function integerAtLeast(name: string, value: string | undefined, min: number, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min)
    throw new SettingsError(`${name} must be a whole number, at least ${min}.`);
  return n;
}

function cacheUrl(value: string | undefined): string | null {
  if (value === undefined) return null;
  if (!/^postgres(ql)?:\/\/[^/]/i.test(value)) {
    // Never echo the value: it holds a password.
    throw new SettingsError(
      "AIRBYTE_CACHE_URL must be a PostgreSQL URL such as postgres://user:password@host:5432/db (unset it for the embedded SQLite cache).",
    );
  }
  return value;
}

function identifier(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(value)) {
    throw new SettingsError(
      `${name} must be a lower-case SQL identifier (letters, digits, '_', not starting with a digit), got '${value}'.`,
    );
  }
  return value;
}
