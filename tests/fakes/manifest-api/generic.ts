// A fake API derived from any resolved manifest (for the issue's "Checked by": manifests no test was
// written against). For each stream it serves generated records (from the stream's schema) at the
// route url_base + path (templated segments become wildcards), wrapped so the record selector's
// field_path finds them, paged as its paginator expects (offset, page number, or a cursor found in
// the body, a header or the Link header, or taken from the last record), behind the credentials the
// manifest declares (checked where the config determines them). What it cannot imitate it says in
// `limits`, so a failing run can be told apart from a runner bug.

import type { Context } from "hono";
import { bodyText, FakeApi, type Reply } from "./common.ts";
import { Rand, recordFor } from "./generate.ts";

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

// ---- static evaluation of the templates a config alone decides ----

interface Scope {
  config: Json;
  parameters: Json;
}

/** A value at a dotted/bracketed accessor chain such as `config['a'].b` or `parameters.get('x')`. */
function chainValue(expr: string, scope: Scope): { found: boolean; value?: unknown } {
  const root = /^\s*(config|parameters)\b/.exec(expr);
  if (!root) return { found: false };
  const path = accessorChain(expr.slice(root[0].length));
  if (path?.rest.trim() !== "") return { found: false };
  let node: unknown = root[1] === "config" ? scope.config : scope.parameters;
  for (const key of path?.keys ?? []) node = isObj(node) ? node[key] : undefined;
  return { found: true, value: node ?? path?.fallback };
}

/** `.a`, `['a']`, `["a"]`, `.get('a')`, `.get('a', x)` repeated; the keys and what is left. */
export function accessorChain(text: string): { keys: string[]; rest: string; fallback?: unknown } | null {
  const keys: string[] = [];
  let rest = text;
  let fallback: unknown;
  for (;;) {
    const get = /^\.get\(\s*['"]([^'"]+)['"]\s*(?:,\s*([^)]*))?\)/.exec(rest);
    const index = /^\[\s*['"]([^'"]+)['"]\s*\]/.exec(rest);
    const dot = /^\.([A-Za-z_]\w*)(?!\s*\()/.exec(rest);
    const m = get ?? index ?? dot;
    if (!m) break;
    keys.push(m[1] as string);
    if (get?.[2] !== undefined) {
      const literal = get[2].trim();
      fallback = /^['"].*['"]$/.test(literal)
        ? literal.slice(1, -1)
        : /^\d+$/.test(literal)
          ? Number(literal)
          : undefined;
    }
    rest = rest.slice(m[0].length);
  }
  return keys.length > 0 ? { keys, rest, fallback } : null;
}

/**
 * The template with every `{{ … }}` that only reads config or parameters replaced by its value;
 * null when some part depends on anything else (a partition, a page token, the clock).
 */
export function staticValue(template: unknown, scope: Scope): string | null {
  if (typeof template !== "string")
    return template === undefined || template === null ? null : String(template);
  let unknown = false;
  const out = template.replace(/\{\{(.*?)\}\}/gs, (_, expr: string) => {
    const v = chainValue(expr, scope);
    if (!v.found) {
      unknown = true;
      return "";
    }
    return v.value === undefined || v.value === null ? "" : String(v.value);
  });
  return unknown ? null : out;
}

/** A path template as a pattern: static parts literal, runtime parts any one segment. */
function pathPattern(template: string, scope: Scope): string {
  const parts = template.split(/(\{\{.*?\}\})/s);
  return parts
    .map((p) => {
      if (!p.startsWith("{{")) return escapeRegex(p);
      const v = staticValue(p, scope);
      return v === null ? "[^/]+" : escapeRegex(v);
    })
    .join("");
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Python's urljoin(url_base + "/", path.lstrip("/")) for the cases manifests use. */
function joinPath(basePath: string, path: string): string {
  if (/^https?:\/\//.test(path)) return new URL(path).pathname;
  const base = basePath.endsWith("/") ? basePath : `${basePath}/`;
  // Runs of slashes merged, as the server merges them in the requests it matches (pathOf).
  return `${base}${path.replace(/^\/+/, "")}`.replace(/\/{2,}/g, "/");
}

// ---- a tiny strftime for generated cursor values ----

const two = (n: number) => String(n).padStart(2, "0");
export function strftime(d: Date, format: string): string {
  if (format === "%s") return String(Math.floor(d.getTime() / 1000));
  if (format === "%ms") return String(d.getTime());
  if (format === "%s_as_float") return String(d.getTime() / 1000);
  return format.replace(/%([YmdHMSfzZjyb%])/g, (_, c: string) => {
    switch (c) {
      case "Y":
        return String(d.getUTCFullYear());
      case "y":
        return two(d.getUTCFullYear() % 100);
      case "m":
        return two(d.getUTCMonth() + 1);
      case "d":
        return two(d.getUTCDate());
      case "H":
        return two(d.getUTCHours());
      case "M":
        return two(d.getUTCMinutes());
      case "S":
        return two(d.getUTCSeconds());
      case "f":
        return `${String(d.getUTCMilliseconds()).padStart(3, "0")}000`;
      case "z":
        return "+0000";
      case "Z":
        return "UTC";
      case "j":
        return String(
          Math.floor((d.getTime() - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000) + 1,
        ).padStart(3, "0");
      case "b":
        return ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][
          d.getUTCMonth()
        ] as string;
      default:
        return "%";
    }
  });
}

// ---- what the fake makes of a stream ----

type Inject = { into: "request_parameter" | "header" | "body_json" | "body_data"; field: string };

type TokenSource =
  | { in: "body"; path: string[] }
  | { in: "link" }
  | { in: "header"; name: string }
  | { in: "last_record"; field: string };

type Paging =
  | { kind: "none" }
  | { kind: "offset"; token: Inject | null; size: number; sizeOption: Inject | null }
  | { kind: "page"; token: Inject | null; size: number; start: number; sizeOption: Inject | null }
  | {
      kind: "cursor";
      source: TokenSource;
      token: Inject | "path" | null;
      size: number;
      sizeOption: Inject | null;
      /** Body fields a stop_condition reads: their value while more pages follow. */
      flags: { path: string[]; whileMore: unknown; atEnd: unknown }[];
    };

type AuthCheck =
  | { kind: "none" }
  | { kind: "header"; name: string; value: string | null }
  | { kind: "query"; name: string; value: string | null }
  | { kind: "bearer-issued" }
  | { kind: "unchecked"; why: string };

export interface StreamRoute {
  stream: string;
  method: "GET" | "POST";
  origin: string;
  pattern: RegExp;
  fieldPath: string[];
  paging: Paging;
  auth: AuthCheck;
  records: Json[];
  /** Records may legitimately differ from what was served: filtered or transformed by the manifest. */
  reshaped: string[];
}

interface TokenRoute {
  origin: string;
  method: "GET" | "POST";
  path: string;
  body: Json;
  /** 200 unless set (a session check that refuses the made-up token answers 401). */
  status?: number;
}

export interface GenericPlan {
  routes: StreamRoute[];
  tokens: TokenRoute[];
  origins: string[];
  /** What the fake cannot imitate for this manifest, by stream. */
  limits: Map<string, string[]>;
}

const ISSUED_TOKEN = "generic-fake-access-token";
const SESSION_TOKEN = "generic-fake-session-token";

function inject(option: unknown): Inject | null {
  if (!isObj(option)) return null;
  const into = option.inject_into;
  const field =
    typeof option.field_name === "string"
      ? option.field_name
      : Array.isArray(option.field_path)
        ? String(option.field_path[0])
        : null;
  if (
    !field ||
    (into !== "request_parameter" && into !== "header" && into !== "body_json" && into !== "body_data")
  )
    return null;
  return { into, field };
}

function num(value: unknown, scope: Scope): number | null {
  if (typeof value === "number") return value;
  const v = staticValue(value, scope);
  return v !== null && /^\d+$/.test(v.trim()) ? Number(v) : null;
}

/** The source of the next token in a cursor_value template. */
export function tokenSource(template: string): TokenSource | null {
  const expr = /\{\{(.*?)\}\}/s.exec(template)?.[1]?.trim() ?? "";
  const root = /^(response|headers|last_record)\b/.exec(expr);
  if (!root) return null;
  const chain = accessorChain(expr.slice(root[0].length));
  if (!chain) return null;
  // Arithmetic or a condition after the path makes the token something other than what the fake
  // puts there (current_page | int + 1); a filter alone (regex_search on a next URL) keeps it.
  const rest = chain.rest.trim();
  const unquoted = rest.replace(/(["'])(?:\\.|(?!\1).)*\1/g, "''");
  const plain = rest === "" || (rest.startsWith("|") && !/[-+*/%]|\bif\b|\bor\b|\band\b/.test(unquoted));
  if (root[1] === "response") {
    if (plain) return { in: "body", path: chain.keys };
    // response['entries'][-1]['uuid']: a field of the page's last record.
    const last = /^\[\s*-1\s*\]/.exec(rest);
    const tail = last ? accessorChain(rest.slice(last[0].length)) : null;
    return tail && tail.keys.length === 1 && tail.rest.trim() === ""
      ? { in: "last_record", field: tail.keys[0] as string }
      : null;
  }
  if (!plain) return null;
  if (root[1] === "last_record")
    return chain.keys.length === 1 ? { in: "last_record", field: chain.keys[0] as string } : null;
  if (chain.keys[0]?.toLowerCase() === "link" && chain.keys[1] === "next") return { in: "link" };
  return chain.keys.length === 1 ? { in: "header", name: chain.keys[0] as string } : null;
}

/** Fields a stop_condition reads from the body (besides the cursor) and how they read while pages remain. */
function stopFlags(
  template: unknown,
  cursorPath: string[] | null,
): { path: string[]; whileMore: unknown; atEnd: unknown }[] {
  if (typeof template !== "string") return [];
  const flags: { path: string[]; whileMore: unknown; atEnd: unknown }[] = [];
  const re =
    /(not\s+)?response\b((?:\.get\([^)]*\)|\[[^\]]*\]|\.[A-Za-z_]\w*)+)(\s*(?:==|is)\s*(false|False|none|None|true|True))?/g;
  for (const m of template.matchAll(re)) {
    const chain = accessorChain(m[2] ?? "");
    if (!chain || (cursorPath && chain.keys.join("/") === cursorPath.join("/"))) continue;
    const negated = Boolean(m[1]);
    const compared = m[4]?.toLowerCase();
    if (compared === "none") flags.push({ path: chain.keys, whileMore: true, atEnd: null });
    else if (compared === "false") flags.push({ path: chain.keys, whileMore: true, atEnd: false });
    else if (compared === "true") flags.push({ path: chain.keys, whileMore: false, atEnd: true });
    else if (negated) flags.push({ path: chain.keys, whileMore: true, atEnd: false });
    else flags.push({ path: chain.keys, whileMore: false, atEnd: true });
  }
  return flags;
}

function pagingOf(paginator: unknown, scope: Scope, limits: string[]): Paging {
  if (!isObj(paginator) || paginator.type === "NoPagination") return { kind: "none" };
  if (paginator.type !== "DefaultPaginator") {
    limits.push(`paginator ${String(paginator.type)} is served as one page`);
    return { kind: "none" };
  }
  const strategy = isObj(paginator.pagination_strategy) ? paginator.pagination_strategy : {};
  const tokenOption =
    isObj(paginator.page_token_option) && paginator.page_token_option.type === "RequestPath"
      ? "path"
      : inject(paginator.page_token_option);
  const sizeOption = inject(paginator.page_size_option);
  const size = num(strategy.page_size, scope);
  switch (strategy.type) {
    case "OffsetIncrement":
      return {
        kind: "offset",
        token: tokenOption === "path" ? null : tokenOption,
        size: size ?? 10,
        sizeOption,
      };
    case "PageIncrement":
      return {
        kind: "page",
        token: tokenOption === "path" ? null : tokenOption,
        size: size ?? 10,
        start: num(strategy.start_from_page, scope) ?? 0,
        sizeOption,
      };
    case "CursorPagination": {
      const source = typeof strategy.cursor_value === "string" ? tokenSource(strategy.cursor_value) : null;
      if (!source) {
        limits.push(
          `cursor_value ${JSON.stringify(strategy.cursor_value)} is not a plain response/headers/last_record path`,
        );
        return { kind: "none" };
      }
      return {
        kind: "cursor",
        source,
        token: tokenOption,
        size: size ?? 10,
        sizeOption,
        flags: stopFlags(strategy.stop_condition, source.in === "body" ? source.path : null),
      };
    }
    default:
      limits.push(`pagination strategy ${String(strategy.type)} is served as one page`);
      return { kind: "none" };
  }
}

function authOf(
  auth: unknown,
  scope: Scope,
  tokens: TokenRoute[],
  origins: Set<string>,
  limits: string[],
  /** The requester's url_base, evaluated: LegacySessionTokenAuthenticator appends its paths to it. */
  urlBase: string,
): AuthCheck {
  if (!isObj(auth) || auth.type === "NoAuth") return { kind: "none" };
  switch (auth.type) {
    case "BearerAuthenticator": {
      const token = staticValue(auth.api_token, scope);
      return { kind: "header", name: "authorization", value: token === null ? null : `Bearer ${token}` };
    }
    case "BasicHttpAuthenticator": {
      const user = staticValue(auth.username, scope);
      const password = staticValue(auth.password ?? "", scope);
      const value =
        user === null || password === null
          ? null
          : `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
      return { kind: "header", name: "authorization", value };
    }
    case "ApiKeyAuthenticator": {
      const option =
        inject(auth.inject_into) ??
        (typeof auth.header === "string" ? { into: "header" as const, field: auth.header } : null);
      if (!option || (option.into !== "header" && option.into !== "request_parameter")) {
        limits.push("api key injected into a body is not checked");
        return { kind: "unchecked", why: "api key in body" };
      }
      const value = staticValue(auth.api_token, scope);
      return option.into === "header"
        ? { kind: "header", name: option.field.toLowerCase(), value }
        : { kind: "query", name: option.field, value };
    }
    case "OAuthAuthenticator": {
      const endpoint = staticValue(auth.token_refresh_endpoint, scope);
      if (!endpoint || !/^https?:\/\//.test(endpoint)) {
        limits.push("OAuth without a static token endpoint: bearer tokens not checked");
        return { kind: "unchecked", why: "oauth endpoint" };
      }
      const url = new URL(endpoint);
      origins.add(url.origin);
      const expiresField = typeof auth.expires_in_name === "string" ? auth.expires_in_name : "expires_in";
      const tokenField = typeof auth.access_token_name === "string" ? auth.access_token_name : "access_token";
      tokens.push({
        origin: url.origin,
        method: "POST",
        path: url.pathname,
        body: { [tokenField]: ISSUED_TOKEN, [expiresField]: 3600, token_type: "Bearer" },
      });
      return { kind: "bearer-issued" };
    }
    case "SessionTokenAuthenticator": {
      const login = isObj(auth.login_requester) ? auth.login_requester : {};
      const loginScope: Scope = {
        config: scope.config,
        parameters: isObj(login.$parameters) ? login.$parameters : {},
      };
      const base = staticValue(login.url_base, loginScope);
      const loginPath = staticValue(
        typeof login.path === "string" ? login.path.split("?")[0] : "",
        loginScope,
      );
      if (!base || !/^https?:\/\//.test(base) || loginPath === null) {
        limits.push("SessionTokenAuthenticator whose login URL depends on more than the config: not checked");
        return { kind: "unchecked", why: "session login" };
      }
      const url = new URL(base);
      origins.add(url.origin);
      const body: Json = {};
      const tokenPath = Array.isArray(auth.session_token_path)
        ? auth.session_token_path.map(String)
        : ["token"];
      setPath(body, tokenPath, SESSION_TOKEN);
      tokens.push({
        origin: url.origin,
        method: login.http_method === "GET" ? "GET" : "POST",
        path: joinPath(url.pathname, loginPath),
        body,
      });
      const how = isObj(auth.request_authentication) ? auth.request_authentication : {};
      if (how.type === "Bearer")
        return { kind: "header", name: "authorization", value: `Bearer ${SESSION_TOKEN}` };
      const option = inject(how.inject_into);
      if (option?.into === "header")
        return { kind: "header", name: option.field.toLowerCase(), value: SESSION_TOKEN };
      if (option?.into === "request_parameter")
        return { kind: "query", name: option.field, value: SESSION_TOKEN };
      limits.push("session token injected into a body is not checked");
      return { kind: "unchecked", why: "session token in body" };
    }
    case "SelectiveAuthenticator": {
      const path = Array.isArray(auth.authenticator_selection_path)
        ? auth.authenticator_selection_path.map(String)
        : [];
      let node: unknown = scope.config;
      for (const k of path) node = isObj(node) ? node[k] : undefined;
      const chosen = isObj(auth.authenticators) ? auth.authenticators[String(node)] : undefined;
      if (!chosen) {
        limits.push(`SelectiveAuthenticator: config selects ${String(node)}, which it does not list`);
        return { kind: "unchecked", why: "selective" };
      }
      return authOf(chosen, scope, tokens, origins, limits, urlBase);
    }
    case "LegacySessionTokenAuthenticator": {
      // The made-up session token of the config is refused (401), so the runner logs in with the
      // username and password and sends the token the login returns.
      const login = staticValue(auth.login_url, scope);
      const check = staticValue(auth.validate_session_url, scope);
      const header = staticValue(auth.header, scope);
      const key = staticValue(auth.session_token_response_key, scope);
      if (login === null || check === null || !header || !key) {
        limits.push("LegacySessionTokenAuthenticator whose URLs depend on more than the config: not checked");
        return { kind: "unchecked", why: "legacy session" };
      }
      const loginUrl = new URL(`${urlBase}${login}`);
      const checkUrl = new URL(`${urlBase}${check}`);
      origins.add(loginUrl.origin);
      tokens.push({
        origin: loginUrl.origin,
        method: "POST",
        path: loginUrl.pathname,
        body: { [key]: SESSION_TOKEN },
      });
      tokens.push({
        origin: checkUrl.origin,
        method: "GET",
        path: checkUrl.pathname,
        body: { error: "invalid session" },
        status: 401,
      });
      return { kind: "header", name: header.toLowerCase(), value: SESSION_TOKEN };
    }
    default:
      limits.push(`authenticator ${String(auth.type)} is not checked`);
      return { kind: "unchecked", why: String(auth.type) };
  }
}

function uniqueValue(schema: unknown, stream: string, i: number): unknown {
  const t = isObj(schema) ? schema.type : undefined;
  const types = Array.isArray(t) ? t : [t];
  return types.includes("integer") || types.includes("number") ? i + 1 : `${stream}-${i + 1}`;
}

/** The stream's records: schema-shaped, unique keys, cursor values in its format, a `_fake_seq` marker. */
function recordsFor(stream: Json, count: number, keys: string[], now: Date): Json[] {
  const schemaLoader = isObj(stream.schema_loader) ? stream.schema_loader : {};
  const schema = isObj(schemaLoader.schema) ? schemaLoader.schema : {};
  const props = isObj(schema.properties) ? schema.properties : {};
  const name = String(stream.name);
  const cursor = isObj(stream.incremental_sync) ? stream.incremental_sync : null;
  const cursorField = cursor && typeof cursor.cursor_field === "string" ? cursor.cursor_field : null;
  const formats = cursor
    ? [
        ...(Array.isArray(cursor.cursor_datetime_formats) ? cursor.cursor_datetime_formats : []),
        cursor.datetime_format,
      ]
    : [];
  const format = typeof formats[0] === "string" ? formats[0] : "%Y-%m-%dT%H:%M:%SZ";
  let seed = 0;
  for (const ch of name) seed = (seed * 31 + ch.charCodeAt(0)) >>> 0;
  return Array.from({ length: count }, (_, i) => {
    const r = recordFor(schema as Parameters<typeof recordFor>[0], new Rand(seed + i));
    for (const k of keys) r[k] = uniqueValue(props[k], name, i);
    if (cursorField) r[cursorField] = strftime(new Date(now.getTime() - 3_600_000 * (count - i)), format);
    r._fake_seq = i;
    return r;
  });
}

function wrap(records: Json[], path: string[]): unknown {
  const [head, ...rest] = path;
  if (head === undefined) return records;
  // A `*` at the top is served as an object keyed by position: the CDK decodes each element of a
  // top-level list as a body of its own, where a leading `*` would match each record's fields.
  if (head === "*") return Object.fromEntries(records.map((r, i) => [String(i), wrapOne(r, rest)]));
  return { [head]: wrapInner(records, rest) };
}

function wrapInner(records: Json[], path: string[]): unknown {
  const [head, ...rest] = path;
  if (head === undefined) return records;
  if (head === "*") return records.map((r) => wrapOne(r, rest));
  return { [head]: wrapInner(records, rest) };
}
/** One record under the rest of a path; a second `*` becomes a one-key object, which `*` also matches. */
function wrapOne(record: Json, path: string[]): unknown {
  const [head, ...rest] = path;
  if (head === undefined) return record;
  return { [head === "*" ? "items" : head]: wrapOne(record, rest) };
}

function setPath(target: Json, path: string[], value: unknown): void {
  let node = target;
  path.forEach((k, i) => {
    if (i === path.length - 1) node[k] = value;
    else {
      if (!isObj(node[k])) node[k] = {};
      node = node[k] as Json;
    }
  });
}

export interface PlanOptions {
  config: Json;
  now: Date;
}

/** Plans the fake for a resolved manifest (from loadManifest). */
export function planFor(manifest: Json, opts: PlanOptions): GenericPlan {
  const routes: StreamRoute[] = [];
  const tokens: TokenRoute[] = [];
  const origins = new Set<string>();
  const limits = new Map<string, string[]>();
  const seen = new Set<string>();
  const parentKeys = new Map<string, string[]>();

  // Parents first: they need their partition keys unique.
  const visit = (stream: Json, collect: (s: Json) => void) => {
    collect(stream);
    const retriever = isObj(stream.retriever) ? stream.retriever : {};
    const routers = Array.isArray(retriever.partition_router)
      ? retriever.partition_router
      : [retriever.partition_router];
    for (const router of routers) {
      if (!isObj(router) || !Array.isArray(router.parent_stream_configs)) continue;
      for (const p of router.parent_stream_configs) {
        if (!isObj(p) || !isObj(p.stream)) continue;
        const key = typeof p.parent_key === "string" ? p.parent_key : null;
        const name = String(p.stream.name);
        if (key && !key.includes("{{"))
          parentKeys.set(name, [...(parentKeys.get(name) ?? []), key.split("/")[0] as string]);
        visit(p.stream, collect);
      }
    }
  };
  const all: Json[] = [];
  for (const s of Array.isArray(manifest.streams) ? manifest.streams : [])
    if (isObj(s)) visit(s, (x) => all.push(x));

  for (const stream of all) {
    const name = String(stream.name);
    const method =
      isObj(stream.retriever) && isObj(stream.retriever.requester)
        ? String(stream.retriever.requester.http_method ?? "GET")
        : "GET";
    const key = `${name}\u0000${method}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const notes: string[] = [];
    limits.set(name, notes);
    const retriever = isObj(stream.retriever) ? stream.retriever : {};
    if (retriever.type !== "SimpleRetriever") {
      notes.push(`retriever ${String(retriever.type)} is not served`);
      continue;
    }
    const requester = isObj(retriever.requester) ? retriever.requester : {};
    const scope: Scope = {
      config: opts.config,
      parameters: isObj(requester.$parameters) ? requester.$parameters : {},
    };
    const urlBase = staticValue(requester.url_base, scope);
    if (!urlBase || !/^https?:\/\//.test(urlBase)) {
      notes.push(`url_base ${JSON.stringify(requester.url_base)} depends on more than the config`);
      continue;
    }
    const base = new URL(urlBase);
    origins.add(base.origin);
    // A query string written into the path is not part of the route.
    const path = typeof requester.path === "string" ? (requester.path.split("?")[0] as string) : "";
    const pattern = new RegExp(`^${pathPattern(joinPath(base.pathname, path), scope).replace(/\/$/, "")}/?$`);

    const selector = isObj(retriever.record_selector) ? retriever.record_selector : {};
    const extractor = isObj(selector.extractor) ? selector.extractor : {};
    if (extractor.type !== "DpathExtractor") {
      notes.push(`extractor ${String(extractor.type)} is not served`);
      continue;
    }
    const selectorScope: Scope = {
      config: opts.config,
      parameters: isObj(extractor.$parameters) ? extractor.$parameters : scope.parameters,
    };
    const fieldPath = (Array.isArray(extractor.field_path) ? extractor.field_path : []).map(
      (p) => staticValue(p, selectorScope) ?? "",
    );
    if (fieldPath.some((p) => p === "")) {
      notes.push("field_path depends on more than the config");
      continue;
    }
    const decoder = isObj(requester.decoder)
      ? requester.decoder.type
      : isObj(retriever.decoder)
        ? retriever.decoder.type
        : undefined;
    if (decoder !== undefined && decoder !== "JsonDecoder") {
      notes.push(`decoder ${String(decoder)} is not served`);
      continue;
    }

    const paging = pagingOf(retriever.paginator, scope, notes);
    if (
      paging.kind === "cursor" &&
      paging.source.in === "body" &&
      (fieldPath.length === 0 || fieldPath[0] === "*")
    ) {
      notes.push("a cursor in the body beside records at its top level cannot be served");
      continue;
    }
    const auth = authOf(requester.authenticator, scope, tokens, origins, notes, urlBase);
    const reshaped: string[] = [];
    if (isObj(selector.record_filter)) reshaped.push("record_filter");
    if (Array.isArray(stream.transformations) && stream.transformations.length > 0)
      reshaped.push("transformations");
    if (isObj(stream.incremental_sync) && stream.incremental_sync.is_client_side_incremental)
      reshaped.push("client-side incremental");
    // A data feed leaves out what is outside the cursor's window, in a full refresh too.
    if (isObj(stream.incremental_sync) && stream.incremental_sync.is_data_feed) reshaped.push("data feed");

    const pk = stream.primary_key;
    const keys = [
      ...(typeof pk === "string"
        ? [pk]
        : Array.isArray(pk)
          ? pk.filter((k): k is string => typeof k === "string")
          : []),
      ...(parentKeys.get(name) ?? []),
    ];
    if (paging.kind === "cursor" && paging.source.in === "last_record" && paging.token !== "path")
      keys.push(paging.source.field);
    const size = paging.kind === "none" ? 4 : paging.size;
    const count = parentKeys.has(name) ? Math.min(size + 1, 8) : Math.min(size + Math.ceil(size / 2), 1500);
    routes.push({
      stream: name,
      method: method === "POST" ? "POST" : "GET",
      origin: base.origin,
      pattern,
      fieldPath,
      paging,
      auth,
      records: recordsFor(stream, count, [...new Set(keys)], opts.now),
      reshaped,
    });
  }
  // Every other absolute URL the manifest names is mapped too, so nothing leaves this machine: what
  // the fake does not serve answers 404.
  const walk = (node: unknown): void => {
    if (typeof node === "string" && /^https?:\/\//.test(node)) {
      const v = staticValue(node, { config: opts.config, parameters: {} });
      try {
        if (v) origins.add(new URL(v).origin);
      } catch {
        // Not a URL once evaluated.
      }
    } else if (Array.isArray(node)) node.forEach(walk);
    else if (isObj(node)) Object.values(node).forEach(walk);
  };
  walk(manifest.streams);
  walk(manifest.definitions);

  // Two streams on one route cannot be told apart by the fake: the first keeps it.
  const kept: StreamRoute[] = [];
  for (const r of routes) {
    const twin = kept.find((k) => k.method === r.method && k.pattern.source === r.pattern.source);
    if (twin) limits.get(r.stream)?.push(`shares its route with ${twin.stream}: not served`);
    else kept.push(r);
  }
  return { routes: kept, tokens, origins: [...origins], limits };
}

async function readOption(c: Context, option: Inject | null): Promise<string | undefined> {
  if (!option) return undefined;
  if (option.into === "request_parameter") return c.req.query(option.field);
  if (option.into === "header") return c.req.header(option.field);
  const text = await bodyText(c);
  if (!text) return undefined;
  if (option.into === "body_json") {
    try {
      const v = (JSON.parse(text) as Json)[option.field];
      return v === undefined ? undefined : String(v);
    } catch {
      return undefined;
    }
  }
  return new URLSearchParams(text).get(option.field) ?? undefined;
}

/** The request's path with runs of slashes merged, as most web servers do (nginx by default). */
function pathOf(c: Context): string {
  return new URL(c.req.url).pathname.replace(/\/{2,}/g, "/");
}

/** The generic fake: one catch-all app answering every route of the plan. */
export class GenericApi extends FakeApi {
  constructor(readonly plan: GenericPlan) {
    super();
    // A manifest that puts its page token (or size) in the body of a GET: read it, as its API does.
    this.readsGetBodies = plan.routes.some((r) => {
      if (r.method !== "GET" || r.paging.kind === "none") return false;
      const inBody = (o: Inject | "path" | null) => o !== null && o !== "path" && o.into.startsWith("body_");
      return inBody(r.paging.token) || inBody(r.paging.sizeOption);
    });
    for (const t of plan.tokens)
      this.route(t.method, t.path, "token", () => ({
        ...(t.status ? { status: t.status } : {}),
        body: t.body,
      }));
    // Longest literal patterns first, so /items/{{id}}/notes wins over /items/{{id}}.
    const routes = [...plan.routes].sort((a, b) => b.pattern.source.length - a.pattern.source.length);
    for (const method of ["GET", "POST"] as const) {
      this.route(
        method,
        "*",
        "api",
        async (c) => {
          const path = pathOf(c);
          const route = routes.find((r) => r.method === method && r.pattern.test(path));
          if (!route) return { status: 404, body: { error: `no stream serves ${method} ${path}` } };
          return this.answer(c, route);
        },
        (c) => {
          const path = pathOf(c);
          return routes.find((r) => r.method === method && r.pattern.test(path))?.stream ?? null;
        },
      );
    }
  }

  private async answer(c: Context, route: StreamRoute): Promise<Reply> {
    const denied = this.checkAuth(c, route.auth);
    if (denied) return denied;
    const p = route.paging;
    const all = route.records;
    const sizeFrom = async (option: Inject | null, fallback: number) => {
      const v = await readOption(c, option);
      return v !== undefined && /^\d+$/.test(v) && Number(v) > 0 ? Number(v) : fallback;
    };
    switch (p.kind) {
      case "none":
        return { body: wrap(all, route.fieldPath), records: all };
      case "offset": {
        const size = await sizeFrom(p.sizeOption, p.size);
        const offset = Number((await readOption(c, p.token)) ?? 0) || 0;
        const records = all.slice(offset, offset + size);
        return { body: wrap(records, route.fieldPath), records };
      }
      case "page": {
        const size = await sizeFrom(p.sizeOption, p.size);
        const page = Number((await readOption(c, p.token)) ?? p.start);
        const from = (page - p.start) * size;
        const records = from >= 0 ? all.slice(from, from + size) : [];
        return { body: wrap(records, route.fieldPath), records };
      }
      case "cursor": {
        const size = await sizeFrom(p.sizeOption, p.size);
        let offset = 0;
        const fakePage = c.req.query("_fake_page");
        const token = p.token === "path" ? fakePage : await readOption(c, p.token);
        if (token !== undefined) {
          if (p.source.in === "last_record" && p.token !== "path") {
            const field = p.source.field;
            offset = all.findIndex((r) => String(r[field]) === token) + 1;
          } else offset = Number(/^tok-(\d+)$/.exec(token)?.[1] ?? fakePage ?? 0);
        }
        const more = offset + size < all.length;
        const next = offset + size;
        const nextUrl = (at: number) => {
          const u = new URL(`${route.origin}${new URL(c.req.url).pathname}`);
          u.searchParams.set("_fake_page", String(at));
          return u.toString();
        };
        const nextValue = () => (p.token === "path" ? nextUrl(next) : `tok-${next}`);
        let records = all.slice(offset, offset + size);
        if (p.source.in === "last_record" && p.token === "path") {
          // Each record names the page after it, as such APIs do; the last one names none.
          const field = p.source.field;
          records = records.map((r, i) => ({
            ...r,
            [field]: offset + i + 1 < all.length ? nextUrl(offset + i + 1) : null,
          }));
        }
        const body = wrap(records, route.fieldPath);
        const headers: Record<string, string> = {};
        const envelope: Json = isObj(body) ? body : {};
        if (p.source.in === "body") {
          setPath(envelope, p.source.path, more ? nextValue() : null);
        } else if (p.source.in === "link" && more) headers.Link = `<${nextValue()}>; rel="next"`;
        else if (p.source.in === "header" && more) headers[p.source.name] = nextValue();
        // Nothing beside the records when a top-level `*` takes every key of the body.
        if (route.fieldPath[0] !== "*")
          for (const f of p.flags) if (isObj(body)) setPath(envelope, f.path, more ? f.whileMore : f.atEnd);
        return { body, headers, records };
      }
    }
  }

  private checkAuth(c: Context, auth: AuthCheck): Reply | null {
    const refuse: Reply = { status: 401, body: { error: "unauthorized" } };
    switch (auth.kind) {
      case "header": {
        const got = c.req.header(auth.name);
        if (!got) return refuse;
        return auth.value === null || got === auth.value ? null : refuse;
      }
      case "query": {
        const got = c.req.query(auth.name);
        if (!got) return refuse;
        return auth.value === null || got === auth.value ? null : refuse;
      }
      case "bearer-issued":
        return c.req.header("authorization") === `Bearer ${ISSUED_TOKEN}` ? null : refuse;
      default:
        return null;
    }
  }
}
