// The Airbyte Cloud API client: one object with the public API grouped by resource, the few Config
// API calls under `config`, and the web links. Its addresses and credentials come from the settings
// only.

import type { Logger } from "../../core/log.ts";
import { Redactor } from "../../core/redact.ts";
import type { Settings } from "../../core/settings.ts";
import { NAME, VERSION } from "../../core/version.ts";
import {
  bearerAuthenticator,
  clientCredentialsAuthenticator,
  credentialsFrom,
  type TokenCacheOptions,
} from "./auth.ts";
import { type ConfigApi, createConfigApi } from "./config-api.ts";
import { type AuthKind, CloudApiError } from "./errors.ts";
import { createPublicApi, type PublicApi } from "./public-api.ts";
import { type RetryOptions, retryPolicy } from "./retry.ts";
import { type CloudRoots, cloudRoots, type WebUrls, webUrls } from "./roots.ts";
import { type Authenticator, createTransport } from "./transport.ts";

export interface CreateCloudClientOptions {
  settings: Pick<Settings, "cloud" | "env" | "httpTimeoutMs">;
  fetch?: typeof fetch;
  retry?: RetryOptions;
  log?: Logger;
  /**
   * The server's redactor: taught every secret the client handles (client secret, bearer token, each
   * access token), so that it masks them in every output; and used to mask API text in errors, since
   * it also knows the values secret references resolved to and the env file's secrets.
   */
  redactor?: Pick<Redactor, "add" | "text">;
  /** Token renewal margin and clock (tests). */
  tokens?: TokenCacheOptions;
  /** Items per request of paged lists (1-100, default 100). */
  pageSize?: number;
}

export interface CloudClient extends PublicApi {
  readonly roots: CloudRoots;
  readonly web: WebUrls;
  /** The credentials in use, or null when none are configured (every call then fails saying what to set). */
  readonly authKind: AuthKind | null;
  /** The internal Config API calls (pyairbyte-mcp.md §6). */
  readonly config: ConfigApi;
}

const SILENT: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const placeholderAuth = new CloudApiError({
  kind: "credentials",
  message: "The Cloud client is not ready yet.",
});

/**
 * Builds a client. Refuses settings with both kinds of credentials at once; with none, the client is
 * still built (links and roots work) and each call fails naming the variables to set.
 */
export function createCloudClient(options: CreateCloudClientOptions): CloudClient {
  const { settings } = options;
  const roots = cloudRoots(settings);
  const lookup = credentialsFrom(settings);
  if (!lookup.ok && lookup.problem === "conflict") throw lookup.error;

  const secrets = new Redactor([]);
  const learn = (value: string) => {
    secrets.add([value]);
    options.redactor?.add([value]);
  };
  if (lookup.ok) {
    const c = lookup.credentials;
    learn(c.kind === "bearer" ? c.token : c.clientSecret);
  }

  const pageSize = Math.min(100, Math.max(1, Math.floor(options.pageSize ?? 100)));
  // Set below: the client-credentials authenticator mints its tokens through this transport.
  let auth: Authenticator | CloudApiError = lookup.ok ? placeholderAuth : lookup.error;
  const transport = createTransport({
    roots,
    fetch: options.fetch ?? fetch,
    timeoutMs: settings.httpTimeoutMs,
    retry: retryPolicy(options.retry),
    log: options.log ?? SILENT,
    userAgent: `${NAME}/${VERSION}`,
    // The server's redactor first: it knows the client's secrets too, and longer secrets of its own
    // must be masked whole before a shorter one inside them is.
    scrub: (text) => secrets.text(options.redactor ? options.redactor.text(text) : text),
    auth: () => auth,
  });
  if (lookup.ok) {
    const c = lookup.credentials;
    auth =
      c.kind === "bearer"
        ? bearerAuthenticator(c.token)
        : clientCredentialsAuthenticator(c, transport, { ...options.tokens, onToken: learn });
  }

  return {
    ...createPublicApi(transport, pageSize),
    config: createConfigApi(transport, pageSize),
    roots,
    web: webUrls(roots),
    authKind: lookup.ok ? lookup.credentials.kind : null,
  };
}

export { type Credentials, type CredentialsLookup, credentialsFrom } from "./auth.ts";
export type * from "./config-schemas.ts";
export {
  type AuthKind,
  CloudApiError,
  type CloudFailureKind,
  type CloudResource,
  type Problem,
} from "./errors.ts";
export { collect } from "./paginate.ts";
export type * from "./public-api.ts";
export type { RetryOptions } from "./retry.ts";
export {
  CLOUD_API_URL,
  CLOUD_CONFIG_API_URL,
  CLOUD_WEB_URL,
  type CloudRoots,
  cloudRoots,
  type WebUrls,
  webUrls,
} from "./roots.ts";
export * from "./schemas.ts";
