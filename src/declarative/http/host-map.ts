// AIRBYTE_HTTP_HOST_MAP: send a manifest's requests for a real API host to another server (a local fake,
// a recording proxy) without editing the manifest.
//
// Form: comma-separated `FROM=TO` pairs, e.g.
//   https://api.example.com=http://127.0.0.1:9000,https://auth.example.com=http://127.0.0.1:9001/auth
// FROM is an origin (scheme, host, optional port; a trailing "/" is allowed, nothing else).
// TO is an origin with an optional path prefix. A request to FROM keeps its path, query and fragment;
// its origin becomes TO's and TO's path prefix (if any) is put in front of its path:
//   https://api.example.com/v1/users?page=2  ->  http://127.0.0.1:9001/auth/v1/users?page=2 (with TO = …/auth)
// Matching is by exact origin (default ports are the same as none: https://x:443 is https://x), so a
// host that is not listed, or the same host on another scheme or port, is left alone.

export interface HostMap {
  /** The URL to send a request for `url` to: rewritten if its origin is mapped, else `url` as it is. */
  rewrite(url: string): string;
  /** Number of mapped origins. */
  readonly size: number;
}

const FORM = "FROM=TO pairs separated by commas, e.g. https://api.example.com=http://127.0.0.1:9000";

interface Target {
  origin: string;
  /** Path prefix without a trailing "/"; "" for none. */
  prefix: string;
}

export function parseHostMap(text: string | undefined): HostMap {
  const targets = new Map<string, Target>();
  for (const raw of (text ?? "").split(",")) {
    const pair = raw.trim();
    if (pair === "") continue;
    const eq = pair.indexOf("=");
    if (eq <= 0 || eq === pair.length - 1) {
      throw new Error(`AIRBYTE_HTTP_HOST_MAP: "${pair}" is not a FROM=TO pair. Expected ${FORM}.`);
    }
    const from = parseEnd(pair.slice(0, eq).trim(), pair, "FROM", false);
    const to = parseEnd(pair.slice(eq + 1).trim(), pair, "TO", true);
    if (targets.has(from.origin)) {
      throw new Error(
        `AIRBYTE_HTTP_HOST_MAP: ${from.origin} is mapped twice (again in "${pair}"). Keep one pair per origin.`,
      );
    }
    targets.set(from.origin, to);
  }
  const entries = [...targets];
  return {
    size: targets.size,
    rewrite(url: string): string {
      // Fast path for every page: an origin prefix followed by a path, query or nothing.
      for (let i = 0; i < entries.length; i++) {
        const [origin, target] = entries[i] as [string, Target];
        // As written (lower case) first: no copy of the URL for the common case.
        if (url.startsWith(origin) && url.charCodeAt(origin.length) === 47 /* "/" */)
          return `${target.origin}${target.prefix}${url.slice(origin.length)}`;
        if (url.length >= origin.length && url.slice(0, origin.length).toLowerCase() === origin) {
          const rest = url.slice(origin.length);
          if (rest === "" || rest[0] === "/" || rest[0] === "?" || rest[0] === "#") {
            const path = rest === "" || rest[0] !== "/" ? `/${rest}` : rest;
            return `${target.origin}${target.prefix}${path}`;
          }
        }
      }
      return entries.length === 0 ? url : rewriteParsed(url, targets);
    },
  };
}

/** The slow path: user info, default ports, or an origin spelled another way. */
function rewriteParsed(url: string, targets: Map<string, Target>): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return url;
  }
  const target = targets.get(u.origin);
  if (!target) return url;
  const userinfo = u.username ? `${u.username}${u.password ? `:${u.password}` : ""}@` : "";
  const [scheme, rest] = target.origin.split("//") as [string, string];
  return `${scheme}//${userinfo}${rest}${target.prefix}${u.pathname}${u.search}${u.hash}`;
}

function parseEnd(side: string, pair: string, which: "FROM" | "TO", prefixAllowed: boolean): Target {
  const bad = (why: string) =>
    new Error(`AIRBYTE_HTTP_HOST_MAP: in "${pair}", ${which} ${why}. Expected ${FORM}.`);
  let u: URL;
  try {
    u = new URL(side);
  } catch {
    throw bad(`"${side}" is not a URL`);
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") throw bad(`"${side}" is not an http(s) URL`);
  if (!u.hostname) throw bad(`"${side}" has no host`);
  if (u.username || u.password) throw bad(`"${side}" must not carry user info`);
  if (u.search || u.hash || side.includes("?") || side.includes("#")) {
    throw bad(`"${side}" must not have a query or fragment`);
  }
  const prefix = u.pathname.replace(/\/+$/, "");
  if (prefix !== "" && !prefixAllowed) throw bad(`"${side}" must be an origin only (no path)`);
  return { origin: u.origin, prefix };
}
