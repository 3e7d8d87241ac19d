// Who may call the fake Cloud: application credentials exchanged for short-lived bearer tokens at
// /applications/token, and static bearer tokens (as AIRBYTE_CLOUD_BEARER_TOKEN would carry). Tokens look
// like the real JWTs but carry no meaning; the fake only remembers when each one expires.

import { ApiError, type Ctx } from "./http.ts";
import { problem } from "./problems.ts";

const b64url = (s: string) => Buffer.from(s).toString("base64url");

export class TokenBook {
  private readonly expiry = new Map<string, number>();
  issued = 0;

  constructor(
    private readonly staticTokens: ReadonlySet<string>,
    private readonly clock: () => number,
  ) {}

  issue(clientId: string, ttlSeconds: number): string {
    const now = this.clock();
    const payload = {
      iss: "fake-airbyte-cloud",
      sub: clientId,
      iat: Math.floor(now / 1000),
      exp: Math.floor(now / 1000) + ttlSeconds,
      jti: crypto.randomUUID(),
    };
    const token = `${b64url(JSON.stringify({ alg: "RS256", typ: "JWT" }))}.${b64url(JSON.stringify(payload))}.${Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url")}`;
    this.expiry.set(token, now + ttlSeconds * 1000);
    this.issued++;
    return token;
  }

  check(token: string): "ok" | "expired" | "unknown" {
    if (this.staticTokens.has(token)) return "ok";
    const exp = this.expiry.get(token);
    if (exp === undefined) return "unknown";
    return this.clock() < exp ? "ok" : "expired";
  }

  /** Makes every token issued so far expired, as if their lifetime had passed. */
  expireAll(): void {
    const now = this.clock();
    for (const t of this.expiry.keys()) this.expiry.set(t, now);
  }
}

/** Whether the request carries a bearer token at all (for the request log; never the token itself). */
export function bearerOf(c: Ctx): string | undefined {
  const h = c.req.header("authorization");
  const m = h ? /^Bearer\s+(.+)$/i.exec(h.trim()) : null;
  return m?.[1];
}

/** Throws the 401 problem unless the request carries a valid, unexpired bearer token. */
export function requireBearer(c: Ctx, tokens: TokenBook): void {
  const token = bearerOf(c);
  if (!token) {
    throw new ApiError(
      401,
      problem(
        "invalidApiKey",
        "No bearer token in the Authorization header: send `Authorization: Bearer <token>`.",
      ),
    );
  }
  const state = tokens.check(token);
  if (state === "expired") {
    throw new ApiError(
      401,
      problem("invalidApiKey", "The access token has expired: request a new one at /applications/token."),
    );
  }
  if (state === "unknown") throw new ApiError(401, problem("invalidApiKey"));
}
