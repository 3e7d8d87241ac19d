// JwtAuthenticator against an API that checks tokens as a real one does: it splits the JWT, checks
// the signature with the secret or the public key, and the claims against the clock. The token's
// layout follows PyJWT, which the CDK's JwtAuthenticator uses (header keys sorted, claims in the
// CDK's order, ASCII-only JSON).

import { describe, expect, test } from "bun:test";
import { createHmac, generateKeyPairSync, type KeyObject, verify } from "node:crypto";
import { errorsOf, oneStreamManifest, readManifest, recordsOf, serveApi } from "../helpers/manifest-run.ts";

type Json = Record<string, unknown>;

const NOW = new Date("2024-03-01T12:00:00Z");
const NOW_S = NOW.getTime() / 1000;

interface Seen {
  header: Json;
  headerText: string;
  payload: Json;
  payloadText: string;
  prefix: string;
}

/** An API that accepts a request only with a valid token, where `find` says it travels. */
function jwtApi(check: {
  secret?: string;
  publicKey?: KeyObject;
  find?: (url: URL, req: Request) => string | null;
}) {
  const seen: Seen[] = [];
  const api = serveApi((url, req) => {
    const raw = check.find ? check.find(url, req) : req.headers.get("authorization");
    if (!raw) return Response.json({ error: "no token" }, { status: 401 });
    const [prefix, token] = raw.includes(" ") ? (raw.split(" ") as [string, string]) : ["", raw];
    const [h, p, sig] = token.split(".") as [string, string, string];
    const headerText = Buffer.from(h, "base64url").toString();
    const payloadText = Buffer.from(p, "base64url").toString();
    const header = JSON.parse(headerText);
    const payload = JSON.parse(payloadText);
    const input = Buffer.from(`${h}.${p}`);
    const signature = Buffer.from(sig, "base64url");
    const hash = `sha${String(header.alg).slice(-3)}`;
    let valid = false;
    if (String(header.alg).startsWith("HS"))
      valid = createHmac(hash, check.secret ?? "")
        .update(input)
        .digest()
        .equals(signature);
    else if (header.alg === "EdDSA") valid = verify(null, input, check.publicKey as KeyObject, signature);
    else if (String(header.alg).startsWith("ES"))
      valid = verify(
        hash,
        input,
        { key: check.publicKey as KeyObject, dsaEncoding: "ieee-p1363" },
        signature,
      );
    else if (String(header.alg).startsWith("PS"))
      valid = verify(
        hash,
        input,
        { key: check.publicKey as KeyObject, padding: 6, saltLength: -1 },
        signature,
      );
    else valid = verify(hash, input, check.publicKey as KeyObject, signature);
    if (!valid) return Response.json({ error: "bad signature" }, { status: 401 });
    if (payload.nbf > NOW_S || payload.exp <= NOW_S)
      return Response.json({ error: "expired" }, { status: 401 });
    seen.push({ header, headerText, payload, payloadText, prefix });
    return { data: [{ id: 1 }] };
  });
  return { ...api, seen };
}

const stream = (auth: string) => `
    retriever:
      type: SimpleRetriever
      requester:
        type: HttpRequester
        url_base: https://api.example.com
        path: /items
        authenticator:
${auth}
      record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [data] } }`;

const read = (text: string, hostMap: string, config: Json) =>
  readManifest(oneStreamManifest(stream(text)), hostMap, { config, now: () => NOW });

describe("JwtAuthenticator (the CDK's auth/jwt.py over PyJWT)", () => {
  test("HS256: claims in the CDK's order, header keys sorted, the prefix, and a token the API verifies", async () => {
    const secret = "s3cr3t-signing-key";
    const api = jwtApi({ secret });
    const ms = await read(
      `          type: JwtAuthenticator
          secret_key: "{{ config['secret'] }}"
          algorithm: HS256
          token_duration: 600
          header_prefix: Bearer
          jwt_headers: { kid: "{{ config['kid'] }}" }
          jwt_payload: { iss: "{{ config['client'] }}", aud: https://api.example.com }
          additional_jwt_payload: { scope: read, name: "Zoë" }`,
      api.hostMap,
      { secret, kid: "key-1", client: "client@example.com" },
    );
    expect(errorsOf(ms)).toEqual([]);
    expect(recordsOf(ms)).toEqual([{ id: 1 }]);
    const [seen] = api.seen;
    expect(seen?.prefix).toBe("Bearer");
    expect(seen?.headerText).toBe('{"alg":"HS256","kid":"key-1","typ":"JWT"}');
    expect(Object.keys(seen?.payload ?? {})).toEqual(["scope", "name", "iss", "aud", "iat", "exp", "nbf"]);
    expect(seen?.payload).toMatchObject({ iat: NOW_S, nbf: NOW_S, exp: NOW_S + 600, name: "Zoë" });
    // Python's json.dumps escapes what is not ASCII.
    expect(seen?.payloadText).toContain('"name":"Zo\\u00eb"');
  });

  test("base64_encode_secret_key signs with the secret's base64 text", async () => {
    const secret = "plain";
    const api = jwtApi({ secret: Buffer.from(secret).toString("base64") });
    const ms = await read(
      `          { type: JwtAuthenticator, secret_key: "{{ config['secret'] }}", algorithm: HS512, base64_encode_secret_key: true }`,
      api.hostMap,
      { secret },
    );
    expect(errorsOf(ms)).toEqual([]);
    expect(api.seen[0]?.header.alg).toBe("HS512");
  });

  for (const [alg, kind, options] of [
    ["RS256", "rsa", { modulusLength: 2048 }],
    ["PS384", "rsa", { modulusLength: 2048 }],
    ["ES256", "ec", { namedCurve: "P-256" }],
    ["ES512", "ec", { namedCurve: "P-521" }],
    ["EdDSA", "ed25519", {}],
  ] as const) {
    test(`${alg}: signed with a PEM private key (pasted with literal \\n), verified with its public key`, async () => {
      const { privateKey, publicKey } = (
        generateKeyPairSync as (
          type: string,
          options: object,
        ) => { privateKey: KeyObject; publicKey: KeyObject }
      )(kind, options);
      const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
      const api = jwtApi({ publicKey });
      const ms = await read(
        `          { type: JwtAuthenticator, secret_key: "{{ config['key'] }}", algorithm: ${alg}, jwt_payload: { sub: svc } }`,
        api.hostMap,
        { key: pem.replaceAll("\n", "\\n") },
      );
      expect(errorsOf(ms)).toEqual([]);
      expect(api.seen[0]?.payload.sub).toBe("svc");
      expect(api.seen[0]?.prefix).toBe("");
    });
  }

  test("an encrypted private key opens with its passphrase", async () => {
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const pem = privateKey
      .export({ type: "pkcs8", format: "pem", cipher: "aes-256-cbc", passphrase: "open sesame" })
      .toString();
    const api = jwtApi({ publicKey });
    const ms = await read(
      `          { type: JwtAuthenticator, secret_key: "{{ config['key'] }}", passphrase: "{{ config['pass'] }}", algorithm: RS256 }`,
      api.hostMap,
      { key: pem, pass: "open sesame" },
    );
    expect(errorsOf(ms)).toEqual([]);
    expect(recordsOf(ms)).toEqual([{ id: 1 }]);
  });

  test("request_option puts the token in a query parameter instead of the header", async () => {
    const secret = "k";
    const api = jwtApi({ secret, find: (url) => url.searchParams.get("jwt") });
    const ms = await read(
      `          type: JwtAuthenticator
          secret_key: k
          algorithm: HS256
          request_option: { type: RequestOption, inject_into: request_parameter, field_name: jwt }`,
      api.hostMap,
      {},
    );
    expect(errorsOf(ms)).toEqual([]);
    expect(api.requests[0]).toStartWith("GET /items?jwt=");
  });

  test("reserved claims, a numeric kid and a PEM key for HMAC fail with PyJWT's words, before any request", async () => {
    const api = jwtApi({ secret: "k" });
    const cases: [string, string][] = [
      [
        "additional_jwt_payload: { exp: 1 }",
        "Failed to sign token: 'iss', 'sub', 'aud', 'iat', 'exp', 'nbf' are reserved properties and should not be set as part of 'additional_jwt_payload'",
      ],
      [
        "additional_jwt_headers: { alg: none }",
        "Failed to sign token: 'kid', 'alg', 'typ', 'cty' are reserved headers and should not be set as part of 'additional_jwt_headers'",
      ],
      ['jwt_headers: { kid: "12345" }', "Failed to sign token: Key ID header parameter must be a string"],
    ];
    for (const [extra, message] of cases) {
      const ms = await read(
        `          { type: JwtAuthenticator, secret_key: k, algorithm: HS256, ${extra} }`,
        api.hostMap,
        {},
      );
      expect(errorsOf(ms).join(" ")).toContain(message);
    }
    const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    const ms = await read(
      `          { type: JwtAuthenticator, secret_key: "{{ config['key'] }}", algorithm: HS256 }`,
      api.hostMap,
      { key: pem },
    );
    const message = errorsOf(ms).join(" ");
    expect(message).toContain("should not be used as an HMAC secret");
    expect(message).not.toContain("PRIVATE KEY");
    expect(api.requests).toEqual([]);
  });
});

describe("JwtAuthenticator: keys that cannot sign", () => {
  test("a key of another family than the algorithm's, a wrong passphrase, a non-PEM secret: clear messages, no request", async () => {
    const api = jwtApi({ secret: "k" });
    const ec = generateKeyPairSync("ec", { namedCurve: "P-384" }).privateKey;
    const ecPem = ec.export({ type: "pkcs8", format: "pem" }).toString();
    const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
    const locked = rsa
      .export({ type: "pkcs8", format: "pem", cipher: "aes-256-cbc", passphrase: "right" })
      .toString();
    const cases: [string, Json, string][] = [
      [
        "{ type: JwtAuthenticator, secret_key: \"{{ config['key'] }}\", algorithm: RS256 }",
        { key: ecPem },
        "does not suit the algorithm RS256",
      ],
      [
        "{ type: JwtAuthenticator, secret_key: \"{{ config['key'] }}\", algorithm: ES256 }",
        { key: ecPem },
        "(ec secp384r1) does not suit the algorithm ES256",
      ],
      [
        "{ type: JwtAuthenticator, secret_key: \"{{ config['key'] }}\", passphrase: \"{{ config['pass'] }}\", algorithm: RS256 }",
        { key: locked, pass: "wrong" },
        "could not be decrypted with the passphrase",
      ],
      [
        "{ type: JwtAuthenticator, secret_key: \"{{ config['key'] }}\", algorithm: RS256 }",
        { key: locked },
        "is encrypted; set the manifest's passphrase",
      ],
      [
        "{ type: JwtAuthenticator, secret_key: \"{{ config['key'] }}\", algorithm: EdDSA }",
        { key: "not a key" },
        "is not a PEM private key",
      ],
      [
        "{ type: JwtAuthenticator, secret_key: k, algorithm: ES256K }",
        {},
        "ES256K (secp256k1) signatures are not available",
      ],
    ];
    for (const [auth, config, message] of cases) {
      const ms = await read(`          ${auth}`, api.hostMap, config);
      const error = errorsOf(ms).join(" ");
      expect(error).toContain(message);
      expect(error).not.toContain("OPENSSL");
    }
    expect(api.requests).toEqual([]);
  });
});

describe("OAuthAuthenticator with use_profile_assertion (a service account's JWT bearer grant)", () => {
  test("the token request carries only the grant type and the signed assertion; the API gets the access token", async () => {
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    const tokenForms: Record<string, string>[] = [];
    const api = serveApi(async (url, req) => {
      if (url.pathname === "/token") {
        const form = Object.fromEntries(new URLSearchParams(await req.text()));
        tokenForms.push(form);
        const [h, p, sig] = String(form.assertion).split(".") as [string, string, string];
        const ok = verify("sha256", Buffer.from(`${h}.${p}`), publicKey, Buffer.from(sig, "base64url"));
        const claims = JSON.parse(Buffer.from(p, "base64url").toString());
        if (!ok || claims.aud !== "https://oauth2.example.com/token")
          return Response.json({ error: "invalid_grant" }, { status: 400 });
        return { access_token: "ya29.service", expires_in: 3600 };
      }
      if (req.headers.get("authorization") !== "Bearer ya29.service")
        return Response.json({}, { status: 401 });
      return { data: [{ id: 1 }] };
    });
    const ms = await read(
      `          type: OAuthAuthenticator
          token_refresh_endpoint: https://api.example.com/token
          use_profile_assertion: true
          profile_assertion:
            type: JwtAuthenticator
            secret_key: "{{ config['private_key'] }}"
            algorithm: RS256
            jwt_payload: { iss: "{{ config['client_email'] }}", aud: https://oauth2.example.com/token }
            additional_jwt_payload: { scope: "https://www.example.com/auth/readonly" }`,
      api.hostMap,
      { private_key: pem, client_email: "svc@project.example.com" },
    );
    expect(errorsOf(ms)).toEqual([]);
    expect(recordsOf(ms)).toEqual([{ id: 1 }]);
    expect(Object.keys(tokenForms[0] ?? {})).toEqual(["grant_type", "assertion"]);
    expect(tokenForms[0]?.grant_type).toBe("urn:ietf:params:oauth:grant-type:jwt-bearer");
  });
});
