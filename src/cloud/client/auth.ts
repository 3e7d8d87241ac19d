// The client's credentials: an application's client id and secret, exchanged for access tokens at
// POST {apiUrl}/applications/token, or a pre-minted bearer token. Never both, and never from anything
// but the settings.

import type { Settings } from "../../core/settings.ts";
import { CloudApiError, CREDENTIAL_VARIABLES } from "./errors.ts";
import { type TokenResponse, TokenResponseSchema } from "./schemas.ts";
import type { Authenticator, IssuedToken, Transport } from "./transport.ts";

export type Credentials =
  | { kind: "client_credentials"; clientId: string; clientSecret: string }
  | { kind: "bearer"; token: string };

export type CredentialsLookup =
  | { ok: true; credentials: Credentials }
  /** "conflict": both kinds are set (a configuration error); "missing": none, or half a pair. */
  | { ok: false; problem: "conflict" | "missing"; error: CloudApiError };

/** The credentials in the settings, or the error that says which variables to set. */
export function credentialsFrom(settings: Pick<Settings, "env">): CredentialsLookup {
  const get = (name: string) => {
    const v = Object.hasOwn(settings.env, name) ? settings.env[name]?.trim() : undefined;
    return v === undefined || v === "" ? undefined : v;
  };
  const clientId = get("AIRBYTE_CLOUD_CLIENT_ID");
  const clientSecret = get("AIRBYTE_CLOUD_CLIENT_SECRET");
  const bearer = get("AIRBYTE_CLOUD_BEARER_TOKEN");
  const error = (message: string, hint: string, problem: "conflict" | "missing" = "missing") => ({
    ok: false as const,
    problem,
    error: new CloudApiError({ kind: "credentials", message, hint }),
  });
  if (bearer !== undefined && (clientId !== undefined || clientSecret !== undefined)) {
    return error(
      "Both AIRBYTE_CLOUD_BEARER_TOKEN and AIRBYTE_CLOUD_CLIENT_ID/AIRBYTE_CLOUD_CLIENT_SECRET are set.",
      "Keep one way to authenticate: unset AIRBYTE_CLOUD_BEARER_TOKEN, or unset the client id and secret, then restart.",
      "conflict",
    );
  }
  if (bearer !== undefined) return { ok: true, credentials: { kind: "bearer", token: bearer } };
  if (clientId !== undefined && clientSecret !== undefined) {
    return { ok: true, credentials: { kind: "client_credentials", clientId, clientSecret } };
  }
  if (clientId !== undefined || clientSecret !== undefined) {
    const missing = clientId === undefined ? "AIRBYTE_CLOUD_CLIENT_ID" : "AIRBYTE_CLOUD_CLIENT_SECRET";
    const present = clientId === undefined ? "AIRBYTE_CLOUD_CLIENT_SECRET" : "AIRBYTE_CLOUD_CLIENT_ID";
    return error(
      `${present} is set but ${missing} is not: Airbyte Cloud needs both.`,
      `Set ${missing} (Airbyte Cloud → Settings → Applications) in the environment or the AIRBYTE_MCP_ENV_FILE file, then restart.`,
    );
  }
  return error(
    "No Airbyte Cloud credentials are configured.",
    `Set ${CREDENTIAL_VARIABLES}, in the environment or the AIRBYTE_MCP_ENV_FILE file, then restart the server.`,
  );
}

export interface TokenCacheOptions {
  /** Renew this long before the token expires (default 60 s; at most half the token's lifetime). */
  refreshMarginMs?: number;
  /** Milliseconds clock (default Date.now), for tests of expiry. */
  now?: () => number;
}

/** A fixed token: nothing to renew, so a 401 is final. */
export function bearerAuthenticator(token: string): Authenticator {
  return {
    kind: "bearer",
    token: async () => ({ value: token, fresh: false }),
    invalidate: () => false,
  };
}

/**
 * Client credentials: the token is cached until shortly before it expires; one token request is in
 * flight at a time, however many calls wait for it.
 */
export function clientCredentialsAuthenticator(
  credentials: { clientId: string; clientSecret: string },
  transport: Transport,
  options: TokenCacheOptions & { onToken?: (token: string) => void } = {},
): Authenticator {
  const now = options.now ?? Date.now;
  const margin = options.refreshMarginMs ?? 60_000;
  let cached: { value: string; renewAt: number } | null = null;
  let pending: Promise<IssuedToken> | null = null;

  async function mint(): Promise<IssuedToken> {
    const issuedAt = now();
    const response: TokenResponse = await transport.call(
      {
        api: "public",
        method: "POST",
        path: "/applications/token",
        // The spec declares "grant-type" (hyphen); the server reads only the id and secret.
        body: {
          client_id: credentials.clientId,
          client_secret: credentials.clientSecret,
          "grant-type": "client_credentials",
        },
        safety: "idempotent",
        action: "get an access token",
        resource: "access token",
        authenticated: false,
      },
      TokenResponseSchema,
    );
    const type = response.token_type;
    if (type !== undefined && type !== null && type.toLowerCase() !== "bearer") {
      throw new CloudApiError({
        kind: "invalid-response",
        message: `Could not get an access token: the token endpoint issued a '${type}' token, not a bearer token.`,
        hint: "Check AIRBYTE_CLOUD_API_URL: it must be the Airbyte API root (https://api.airbyte.com/v1, or https://<host>/api/public/v1 when self-managed).",
      });
    }
    options.onToken?.(response.access_token);
    const lifetime =
      response.expires_in === undefined || response.expires_in === null
        ? Infinity
        : response.expires_in * 1000;
    const renewAt = issuedAt + lifetime - Math.min(margin, lifetime / 2);
    cached = { value: response.access_token, renewAt };
    return { value: response.access_token, fresh: true };
  }

  return {
    kind: "client_credentials",
    token() {
      if (cached && now() < cached.renewAt) return Promise.resolve({ value: cached.value, fresh: false });
      if (!pending) {
        pending = mint().finally(() => {
          pending = null;
        });
        // Every caller may have given up (cancelled); the failure is theirs to see, not unhandled.
        pending.catch(() => {});
      }
      return pending;
    },
    invalidate(value) {
      if (cached?.value === value) cached = null;
      return true;
    },
  };
}
