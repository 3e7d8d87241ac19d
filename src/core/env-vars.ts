// Every environment variable the server reads, in one table: the settings loader, the redactor
// (which must not mask the server's own non-secret settings) and the README all use it.

export interface EnvVarSpec {
  name: string;
  /** Holds a credential: its value is redacted wherever it appears (from 6 characters on, like every secret). */
  secret: boolean;
  default: string;
  description: string;
}

export const ENV_VARS: readonly EnvVarSpec[] = [
  {
    name: "AIRBYTE_MCP_ENV_FILE",
    secret: false,
    default: "unset",
    description:
      "Absolute path of a dotenv file with secrets and settings, loaded before any other setting. Process env wins over the file.",
  },
  {
    name: "AIRBYTE_PROJECT_DIR",
    secret: false,
    default:
      "platform data dir (`~/.local/share/airbyte-mcp`, `~/Library/Application Support/airbyte-mcp`, `%LOCALAPPDATA%\\airbyte-mcp`)",
    description: "Absolute root for the cache, connector installs and temp files. Created if missing.",
  },
  {
    name: "AIRBYTE_CACHE_ROOT",
    secret: false,
    default: "`$AIRBYTE_PROJECT_DIR/.cache`",
    description: "Where the embedded cache and the registry cache live.",
  },
  {
    name: "AIRBYTE_INSTALL_DIR",
    secret: false,
    default: "`$AIRBYTE_PROJECT_DIR`",
    description: "Where Python connector virtualenvs (`.venv-<connector>`) are created.",
  },
  {
    name: "AIRBYTE_TEMP_DIR",
    secret: false,
    default: "`$AIRBYTE_PROJECT_DIR/.tmp`",
    description: "Private directory for config, catalog and state files handed to connectors.",
  },
  {
    name: "AIRBYTE_LOCAL_REGISTRY",
    secret: false,
    default: "Airbyte OSS registry URL",
    description:
      "Registry source: an http(s) URL or an absolute JSON file path; `0`/`false` disables the registry.",
  },
  {
    name: "AIRBYTE_CONNECTOR_METADATA_URL",
    secret: false,
    default: "`https://connectors.airbyte.com/files/metadata/airbyte`",
    description:
      "Base URL of connector metadata files (`{base}/{name}/{version}/cloud.json`, `oss.json`, `metadata.yaml`, `manifest.yaml`).",
  },
  {
    name: "AIRBYTE_DOCS_URL",
    secret: false,
    default: "`https://docs.airbyte.com`",
    description: "Base URL of the Airbyte docs site, for connector docs links and changelogs.",
  },
  {
    name: "AIRBYTE_REGISTRY_CACHE_TTL",
    secret: false,
    default: "86400",
    description: "Seconds a cached registry, metadata or docs file is used before it is revalidated (ETag).",
  },
  {
    name: "AIRBYTE_HTTP_TIMEOUT",
    secret: false,
    default: "30",
    description:
      "Seconds one outbound HTTP request may take (unset: 30 for Airbyte's APIs, 300 for a manifest connector's requests, the CDK's read timeout).",
  },
  {
    name: "AIRBYTE_OFFLINE_MODE",
    secret: false,
    default: "0",
    description:
      "`1` never touches the network for the registry: the cache or the embedded snapshot is used.",
  },
  {
    name: "AIRBYTE_NO_UV",
    secret: false,
    default: "0",
    description:
      "`1` creates Python connector venvs with `python3 -m venv` and pip even when `uv` is on PATH.",
  },
  {
    name: "AIRBYTE_MCP_CONTAINER_CLI",
    secret: false,
    default: "`docker`",
    description:
      "Container CLI of the docker executor: `docker`, `podman` or a full path, followed by extra global flags (for example `podman --runtime /usr/sbin/runc`).",
  },
  {
    name: "AIRBYTE_MCP_CONTAINER_RUN_ARGS",
    secret: false,
    default: "unset",
    description:
      "Extra arguments for `run`, placed before the image (for example `--network none` or `--user 1000:1000`).",
  },
  {
    name: "AIRBYTE_MCP_CONNECTOR_TIMEOUT",
    secret: false,
    default: "600",
    description:
      "Seconds one local tool call may run a connector (installs included) before its whole process tree is stopped.",
  },
  {
    name: "AIRBYTE_MCP_MAX_RESULT_BYTES",
    secret: false,
    default: "250000",
    description:
      "Bytes of records a local tool may return; beyond it the result is cut at a record boundary and says how many records were left out.",
  },
  {
    name: "AIRBYTE_MCP_QUERY_TIMEOUT",
    secret: false,
    default: "60",
    description: "Seconds one `run_sql_query` may run before it is stopped.",
  },
  {
    name: "AIRBYTE_HTTP_HOST_MAP",
    secret: false,
    default: "unset",
    description:
      "Redirects the native manifest runner's requests: comma-separated `https://api.example.com=http://127.0.0.1:9000` pairs, matched by scheme and host; path and query are kept. For API mirrors, recorded replays and tests.",
  },
  {
    name: "AIRBYTE_MCP_HTTP_CONCURRENCY",
    secret: false,
    default: "8",
    description: "Most HTTP requests the native manifest runner has in flight at once.",
  },
  {
    name: "AIRBYTE_CACHE_URL",
    secret: true,
    default: "unset (the embedded SQLite file `$AIRBYTE_CACHE_ROOT/default_cache.sqlite`)",
    description:
      "`postgres://user:password@host:port/db` switches the cache to PostgreSQL (a shared cache for a team or a bigger box). Use a role without superuser rights.",
  },
  {
    name: "AIRBYTE_CACHE_SCHEMA",
    secret: false,
    default: "`airbyte_raw`",
    description: "PostgreSQL schema of the cache's tables (created if missing). Ignored by the SQLite cache.",
  },
  {
    name: "AIRBYTE_MCP_TRUSTED_EXECUTION",
    secret: false,
    default: "1 (stdio)",
    description: "`0` hides every local tool (those that run connectors or read local files).",
  },
  {
    name: "AIRBYTE_CLOUD_MCP_SAFE_MODE",
    secret: false,
    default: "1",
    description:
      "Cloud updates, renames and deletes may only touch objects this server process created; permanent deletes also need the exact name.",
  },
  {
    name: "AIRBYTE_CLOUD_MCP_READONLY_MODE",
    secret: false,
    default: "0",
    description:
      "`1` hides the Cloud tools that write or destroy. `run_cloud_sync`, `cancel_cloud_sync`, local and registry tools stay visible.",
  },
  {
    name: "AIRBYTE_MCP_DOMAINS",
    secret: false,
    default: "all",
    description:
      "Comma-separated domains to show: `registry`, `local`, `cloud`. Exclusive with the next one.",
  },
  {
    name: "AIRBYTE_MCP_DOMAINS_DISABLED",
    secret: false,
    default: "none",
    description: "Comma-separated domains to hide.",
  },
  {
    name: "MCP_EXCLUDE_TOOLS",
    secret: false,
    default: "none",
    description: "Comma-separated tool names to hide.",
  },
  {
    name: "MCP_INCLUDE_MODULES",
    secret: false,
    default: "all",
    description: "Generic alias of `AIRBYTE_MCP_DOMAINS` (fastmcp-extensions).",
  },
  {
    name: "MCP_EXCLUDE_MODULES",
    secret: false,
    default: "none",
    description: "Generic alias of `AIRBYTE_MCP_DOMAINS_DISABLED` (fastmcp-extensions).",
  },
  {
    name: "MCP_READONLY_MODE",
    secret: false,
    default: "0",
    description: "Generic filter: `1` hides every tool without `readOnlyHint`, local and Cloud alike.",
  },
  {
    name: "MCP_NO_DESTRUCTIVE_TOOLS",
    secret: false,
    default: "0",
    description: "`1` hides every tool with `destructiveHint`.",
  },
  {
    name: "MCP_NO_CLIENT_FILESYSTEM",
    secret: false,
    default: "0",
    description: "`1` hides the tools that need the server's local filesystem.",
  },
  {
    name: "AIRBYTE_CLOUD_CLIENT_ID",
    secret: true,
    default: "unset",
    description: "Airbyte Cloud application client id (client-credentials grant).",
  },
  {
    name: "AIRBYTE_CLOUD_CLIENT_SECRET",
    secret: true,
    default: "unset",
    description: "Airbyte Cloud application client secret.",
  },
  {
    name: "AIRBYTE_CLOUD_BEARER_TOKEN",
    secret: true,
    default: "unset",
    description: "A bearer token used instead of client credentials (not both).",
  },
  {
    name: "AIRBYTE_CLOUD_WORKSPACE_ID",
    secret: false,
    default: "unset",
    description: "Default Cloud workspace for tools whose `workspace_id` is omitted.",
  },
  {
    name: "AIRBYTE_CLOUD_POLL_INTERVAL",
    secret: false,
    default: "2",
    description:
      "Seconds between the first polls of a running Cloud job (`run_cloud_sync` with `wait`, `cloud sync --wait`); the wait grows by half at each poll, up to 30 s.",
  },
  {
    name: "AIRBYTE_CLOUD_API_URL",
    secret: false,
    default: "`https://api.airbyte.com/v1`",
    description: "Airbyte public API root.",
  },
  {
    name: "AIRBYTE_CLOUD_CONFIG_API_URL",
    secret: false,
    default: "derived from the API URL",
    description: "Airbyte Config API root (organisations, builder projects).",
  },
  {
    name: "AIRBYTE_MCP_LOG_LEVEL",
    secret: false,
    default: "info",
    description: "Stderr log level: `debug`, `info`, `warn`, `error` or `silent`.",
  },
  {
    name: "AIRBYTE_STRUCTURED_LOGGING",
    secret: false,
    default: "0",
    description: "`1` writes stderr logs as JSON lines.",
  },
];

const byName = new Map(ENV_VARS.map((v) => [v.name, v]));

/** True for the server's own settings whose values are not secret (paths, URLs, ids, flags). */
export function isNonSecretSetting(name: string): boolean {
  const spec = byName.get(name);
  return spec !== undefined && !spec.secret;
}

// Parts of a name that mark it as holding a credential. Strong ones count anywhere in the name
// (PGPASSWORD, GITHUBTOKEN); weak ones only as a whole "_"-separated word (MYSQL_PWD, but not the
// shell's PWD; REDISCLI_AUTH, but not SSH_AUTH_SOCK, which ends in a path-like suffix).
const STRONG = [
  "PASSWORD",
  "PASSWD",
  "SECRET",
  "TOKEN",
  "APIKEY",
  "API_KEY",
  "PRIVATE_KEY",
  "CREDENTIAL",
  "PASSPHRASE",
];
const WEAK = new Set(["KEY", "PAT", "PWD", "PASS", "AUTH", "COOKIE", "DSN", "SIGNATURE"]);
const NOT_SECRET_SUFFIX = /_(DIR|PATH|FILE|SOCK|SOCKET|ADDRESS|HOME|ENABLED|MODE|URL_PATH)$/;
const NOT_SECRET_NAMES = new Set(["PWD", "OLDPWD"]);

/** Whether a variable name looks like it holds a secret (`*_TOKEN`, `*_PASSWORD`, `*_CLIENT_ID`, ...). */
export function looksSecret(name: string): boolean {
  if (byName.get(name)?.secret) return true;
  const upper = name.toUpperCase();
  if (NOT_SECRET_NAMES.has(upper) || NOT_SECRET_SUFFIX.test(upper)) return false;
  if (upper.endsWith("CLIENT_ID") || upper.endsWith("ACCESS_KEY_ID")) return true;
  if (STRONG.some((w) => upper.includes(w))) return true;
  return upper.split(/[_\-.]+/).some((word) => WEAK.has(word));
}
