// JwtAuthenticator: a JSON Web Token signed for every request, as the CDK's JwtAuthenticator builds
// it with PyJWT (header keys sorted, payload claims after the additional ones, iat = nbf = now,
// exp = now + token_duration), then sent in the Authorization header or where request_option says.

import { constants, createHmac, createPrivateKey, type KeyObject, sign } from "node:crypto";
import type { Authenticator } from "./auth.ts";
import { DeclarativeError } from "./errors.ts";
import type { RequestOption, RequestParts } from "./request.ts";
import type { Obj } from "./values.ts";

export interface JwtSettings {
  algorithm: string;
  /** The secret or PEM private key, evaluated. */
  secretKey: string;
  base64EncodeSecretKey: boolean;
  passphrase: string | null;
  /** Seconds from iat to exp. */
  tokenDuration: number;
  headerPrefix: string;
  /** kid, typ, cty as evaluated (typ "JWT" unless set). */
  headers: Obj;
  additionalHeaders: Obj;
  /** iss, sub, aud as evaluated. */
  claims: Obj;
  additionalPayload: Obj;
  option: RequestOption;
  ctx: Obj;
  now: () => Date;
}

const HASHES: Record<string, string> = { "256": "sha256", "384": "sha384", "512": "sha512" };
const RESERVED_PAYLOAD = ["iss", "sub", "aud", "iat", "exp", "nbf"];
const RESERVED_HEADERS = ["kid", "alg", "typ", "cty"];

export class JwtAuthenticator implements Authenticator {
  private key: KeyObject | Buffer | null = null;

  constructor(private readonly s: JwtSettings) {
    // BoringSSL, which Bun's crypto is, has no secp256k1 (nor Ed448, found when the key loads).
    if (s.algorithm === "ES256K")
      throw new DeclarativeError(
        "JwtAuthenticator: ES256K (secp256k1) signatures are not available in the native runner. Run the connector with override_execution_mode 'python' or 'docker'.",
        "config_error",
      );
  }

  apply(parts: RequestParts): undefined {
    parts.inject(this.s.option, this.value(), this.s.ctx);
  }

  /** The CDK's `token` property: the signed token after header_prefix, when there is one. */
  value(): string {
    const signed = this.token();
    return this.s.headerPrefix ? `${this.s.headerPrefix} ${signed}` : signed;
  }

  /** A token signed now (the CDK signs one for every request). */
  token(): string {
    try {
      const header = base64Url(pythonJson(sortKeys(this.header())));
      const payload = base64Url(pythonJson(this.payload()));
      const input = `${header}.${payload}`;
      return `${input}.${base64Url(this.signature(input))}`;
    } catch (error) {
      if (error instanceof DeclarativeError) throw error;
      throw new DeclarativeError(`Failed to sign token: ${(error as Error).message}`, "config_error");
    }
  }

  private payload(): Obj {
    const extra = this.s.additionalPayload;
    if (RESERVED_PAYLOAD.some((k) => k in extra))
      throw new DeclarativeError(
        "Failed to sign token: 'iss', 'sub', 'aud', 'iat', 'exp', 'nbf' are reserved properties and should not be set as part of 'additional_jwt_payload'",
        "config_error",
      );
    const now = Math.floor(this.s.now().getTime() / 1000);
    const payload: Obj = { ...extra };
    for (const k of ["iss", "sub", "aud"]) if (this.s.claims[k]) payload[k] = this.s.claims[k];
    payload.iat = now;
    payload.exp = now + this.s.tokenDuration;
    payload.nbf = now;
    return payload;
  }

  private header(): Obj {
    const extra = this.s.additionalHeaders;
    if (RESERVED_HEADERS.some((k) => k in extra))
      throw new DeclarativeError(
        "Failed to sign token: 'kid', 'alg', 'typ', 'cty' are reserved headers and should not be set as part of 'additional_jwt_headers'",
        "config_error",
      );
    // PyJWT's encode: {"typ": "JWT", "alg": ...} updated with the given headers; a falsy typ is dropped.
    const header: Obj = { typ: "JWT", alg: this.s.algorithm, ...extra };
    for (const k of ["kid", "typ", "cty"]) if (this.s.headers[k]) header[k] = this.s.headers[k];
    header.alg = this.s.algorithm;
    if (!header.typ) delete header.typ;
    if ("kid" in header && typeof header.kid !== "string")
      throw new Error("Key ID header parameter must be a string");
    return header;
  }

  private signature(input: string): Buffer {
    const alg = this.s.algorithm;
    const hash = HASHES[alg.slice(-3)] ?? "sha256";
    if (alg.startsWith("HS")) return createHmac(hash, this.hmacKey()).update(input).digest();
    const key = this.privateKey();
    if (alg === "EdDSA") return sign(null, Buffer.from(input), key);
    if (alg.startsWith("RS")) return sign(hash, Buffer.from(input), key);
    if (alg.startsWith("PS"))
      return sign(hash, Buffer.from(input), {
        key,
        padding: constants.RSA_PKCS1_PSS_PADDING,
        saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
      });
    if (alg.startsWith("ES"))
      return sign(alg === "ES256K" ? "sha256" : hash, Buffer.from(input), { key, dsaEncoding: "ieee-p1363" });
    throw new Error(`Algorithm not supported: ${alg}`);
  }

  private secret(): string {
    let secret = this.s.secretKey;
    // A PEM key pasted with literal "\n" sequences (the CDK's newline fix).
    if (secret.includes("\\n") && secret.includes("-----BEGIN") && secret.includes("KEY-----"))
      secret = secret.replaceAll("\\n", "\n");
    return secret;
  }

  private hmacKey(): Buffer {
    if (this.key === null) {
      const secret = this.secret();
      if (/-----BEGIN |^ssh-(rsa|ed25519)|^ecdsa-sha2-/.test(secret))
        throw new Error(
          "The specified key is an asymmetric key or x509 certificate and should not be used as an HMAC secret.",
        );
      const text = this.s.base64EncodeSecretKey ? Buffer.from(secret).toString("base64") : secret;
      this.key = Buffer.from(text, "utf8");
    }
    return this.key as Buffer;
  }

  private privateKey(): KeyObject {
    if (this.key === null) {
      const secret = this.secret();
      let key: KeyObject;
      try {
        key = createPrivateKey(
          this.s.passphrase ? { key: secret, format: "pem", passphrase: this.s.passphrase } : secret,
        );
      } catch (error) {
        throw new Error(keyProblem(error, this.s.passphrase !== null));
      }
      checkKeyFits(key, this.s.algorithm);
      this.key = key;
    }
    return this.key as KeyObject;
  }
}

/** What a key that does not load means, in the config's terms (never the key itself). */
function keyProblem(error: unknown, withPassphrase: boolean): string {
  const text = String((error as Error)?.message ?? error);
  if (/BAD_DECRYPT|bad decrypt/i.test(text))
    return "the private key in secret_key could not be decrypted with the passphrase (wrong passphrase?)";
  if (/NO_START_LINE|no start line/i.test(text))
    return "secret_key is not a PEM private key (it should start with -----BEGIN ... PRIVATE KEY-----)";
  if (/passphrase|password/i.test(text) && !withPassphrase)
    return "the private key in secret_key is encrypted; set the manifest's passphrase";
  return "the private key in secret_key could not be read (a truncated or damaged PEM?)";
}

/** PyJWT refuses a key of another family than the algorithm's (an EC key for RS256, say). */
function checkKeyFits(key: KeyObject, alg: string): void {
  const type = key.asymmetricKeyType ?? "";
  const curve = (key.asymmetricKeyDetails as { namedCurve?: string } | undefined)?.namedCurve;
  const curves: Record<string, string> = { ES256: "prime256v1", ES384: "secp384r1", ES512: "secp521r1" };
  let fits: boolean;
  if (alg.startsWith("RS") || alg.startsWith("PS")) fits = type === "rsa" || type === "rsa-pss";
  else if (alg === "EdDSA") fits = type === "ed25519";
  else fits = type === "ec" && (curves[alg] === undefined || curve === curves[alg]);
  if (!fits)
    throw new Error(
      `the key in secret_key (${type}${curve ? ` ${curve}` : ""}) does not suit the algorithm ${alg}`,
    );
}

function sortKeys(o: Obj): Obj {
  return Object.fromEntries(
    Object.keys(o)
      .sort()
      .map((k) => [k, o[k]]),
  );
}

/** json.dumps(separators=(",", ":")): ensure_ascii escapes every non-ASCII character. */
function pythonJson(o: Obj): string {
  return JSON.stringify(o).replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

function base64Url(data: string | Buffer): string {
  return Buffer.from(data).toString("base64url");
}
