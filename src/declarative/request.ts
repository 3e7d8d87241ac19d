// One HTTP request being assembled: query, headers and body from the requester, the paginator,
// the cursor, the partition router and the authenticator, each injecting through a RequestOption.

import { DeclarativeError } from "./errors.ts";
import { evalString } from "./template.ts";
import { isObj, type Obj, pyStr } from "./values.ts";

export type InjectInto = "request_parameter" | "header" | "body_data" | "body_json";

/** A RequestOption component: where a value goes and under which name. */
export interface RequestOption {
  injectInto: InjectInto;
  fieldName: string | null;
  fieldPath: string[] | null;
}

export function requestOptionOf(node: unknown, where: string): RequestOption | null {
  if (!isObj(node)) return null;
  const inject = node.inject_into;
  if (
    inject !== "request_parameter" &&
    inject !== "header" &&
    inject !== "body_data" &&
    inject !== "body_json"
  ) {
    throw new DeclarativeError(
      `${where}: inject_into '${String(inject)}' is not one of request_parameter, header, body_data, body_json.`,
    );
  }
  const fieldPath = Array.isArray(node.field_path) ? node.field_path.map(String) : null;
  const fieldName = typeof node.field_name === "string" ? node.field_name : null;
  return { injectInto: inject, fieldName, fieldPath };
}

export class RequestParts {
  readonly params: [string, string][] = [];
  readonly headers: Record<string, string> = {};
  bodyJson: Obj | null = null;
  bodyData: Obj | null = null;
  bodyText: string | null = null;

  /** Injects `value` through `option`; templates in the field name see the config. */
  inject(option: RequestOption, value: unknown, ctx: Obj): void {
    if (value === null || value === undefined) return;
    const name = option.fieldName === null ? "" : evalString(option.fieldName, ctx);
    switch (option.injectInto) {
      case "request_parameter":
        this.setParam(name, value);
        break;
      case "header":
        this.headers[name] = pyStr(value);
        break;
      case "body_data":
        this.bodyData ??= {};
        this.bodyData[name] = value;
        break;
      case "body_json": {
        this.bodyJson ??= {};
        const path = option.fieldPath?.map((p) => evalString(p, ctx)) ?? [name];
        let node: Obj = this.bodyJson;
        for (let i = 0; i < path.length - 1; i++) {
          const k = path[i] as string;
          if (!isObj(node[k])) node[k] = {};
          node = node[k] as Obj;
        }
        node[path[path.length - 1] as string] = value;
        break;
      }
    }
  }

  /** A later provider's value replaces an earlier one of the same name. */
  setParam(name: string, value: unknown): void {
    // HttpRequester._request_params refuses a dict (requests would send its keys).
    if (isObj(value))
      throw new DeclarativeError(
        `Invalid value for \`${name}\` parameter. The values of request params cannot be an object.`,
      );
    for (let i = this.params.length - 1; i >= 0; i--)
      if (this.params[i]?.[0] === name) this.params.splice(i, 1);
    addPairs(this.params, name, value);
  }

  mergeParams(values: Obj): void {
    for (const k in values) this.setParam(k, values[k]);
  }

  mergeHeaders(values: Obj): void {
    for (const k in values) this.headers[k] = pyStr(values[k]);
  }

  /** Builds the URL with the query, as requests does (see withQuery for a URL with a query already). */
  url(base: string): string {
    if (this.params.length === 0) return base;
    // The common case: no query or fragment yet, so nothing to keep.
    if (base.indexOf("?") < 0 && base.indexOf("#") < 0) return `${base}?${urlencode(this.params)}`;
    return withQuery(base, this.params);
  }

  body(): { body: string; contentType: string } | null {
    if (this.bodyJson !== null)
      return { body: JSON.stringify(this.bodyJson), contentType: "application/json" };
    if (this.bodyData !== null)
      return { body: formEncodeMapping(this.bodyData), contentType: "application/x-www-form-urlencoded" };
    if (this.bodyText !== null) return { body: this.bodyText, contentType: "text/plain" };
    return null;
  }
}

/**
 * A URL that has a query or fragment already (a next-page link), joined as the CDK's HttpClient
 * and requests do it: a parameter the URL already carries with the same value is not sent twice
 * (`_dedupe_query_params`); the others are appended after the URL's own query, which is kept as
 * written, so a signed link is not re-encoded.
 */
function withQuery(base: string, params: readonly [string, string][]): string {
  const hash = base.indexOf("#");
  const head = hash < 0 ? base : base.slice(0, hash);
  const fragment = hash < 0 ? "" : base.slice(hash);
  const mark = head.indexOf("?");
  const query = mark < 0 ? "" : head.slice(mark + 1);
  // parse_qs: the first value of each name, blank values left out.
  const inUrl = new Map<string, string>();
  for (const [k, v] of new URLSearchParams(query)) if (v !== "" && !inUrl.has(k)) inUrl.set(k, v);
  // A list parameter (its name more than once here) is never equal to one value in the URL.
  const counts = new Map<string, number>();
  for (const [k] of params) counts.set(k, (counts.get(k) ?? 0) + 1);
  const extra = urlencode(params.filter(([k, v]) => counts.get(k) !== 1 || inUrl.get(k) !== v));
  if (extra === "") return base;
  const path = mark < 0 ? head : head.slice(0, mark);
  return `${path}?${query === "" ? extra : `${query}&${extra}`}${fragment}`;
}

/**
 * requests' _encode_params for one name: a list (or tuple) is the name repeated, a dict (in a form
 * body) gives its keys, and None, alone or in a list, is left out.
 */
function addPairs(out: [string, string][], name: string, value: unknown): void {
  if (value === null || value === undefined) return;
  if (Array.isArray(value) || isObj(value)) {
    for (const v of Array.isArray(value) ? value : Object.keys(value))
      if (v !== null && v !== undefined) out.push([name, pyStr(v)]);
  } else out.push([name, pyStr(value)]);
}

/** A mapping as requests form-encodes it: a form body, or the query of a token request. */
export function formEncodeMapping(values: Obj): string {
  const pairs: [string, string][] = [];
  for (const k in values) addPairs(pairs, k, values[k]);
  return urlencode(pairs);
}

/** Pairs as Python's urlencode writes them (requests' query strings and form bodies). */
export function urlencode(pairs: readonly (readonly [string, string])[]): string {
  let out = "";
  for (const [k, v] of pairs) out += `${out === "" ? "" : "&"}${formEncode(k)}=${formEncode(v)}`;
  return out;
}

/** What Python's urlencode (quote_plus) leaves as it is: letters, digits and _.~- only. */
function formSafe(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const alnum = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
    if (!alnum && c !== 95 && c !== 46 && c !== 126 && c !== 45) return false;
  }
  return true;
}

/** A query key or value as requests encodes it (urlencode: quote_plus, a space becomes '+'). */
export function formEncode(s: string): string {
  if (formSafe(s)) return s;
  // encodeURIComponent also leaves !'()* as they are; quote_plus does not.
  return encodeURIComponent(s.toWellFormed())
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, "+");
}

/**
 * The URL of the next page when the paginator's token is the path (RequestPath). A full URL is
 * followed as it is. Anything else is resolved against url_base (with a trailing slash) by URL
 * rules, as the CDK's urljoin does: "/v2/items?page=2" replaces the base's path, "?page=2" its
 * query, "items?page=2" goes under it. Unlike a manifest's path, no leading slash is dropped.
 * (The CDK first cuts url_base out of the token. For a full URL that gives the same result when
 * url_base ends in a slash or has no path; otherwise it would drop url_base's path, which breaks
 * the next-page links of source-coda, source-just-sift and source-merge, so that is not copied.)
 */
export function joinTokenPath(base: string, token: string): string {
  if (/^https?:\/\//i.test(token)) return token;
  if (token === "") return base;
  try {
    return new URL(token, base.endsWith("/") ? base : `${base}/`).toString();
  } catch {
    throw new DeclarativeError(
      `The next page's URL built from url_base '${base}' and the page token '${token}' is not valid.`,
      "system_error",
    );
  }
}

/** The CDK's URL join: url_base with a trailing slash, path without its leading ones; a full URL wins. */
export function joinUrl(base: string, path: string): string {
  if (!path) return base;
  if (/^https?:\/\//i.test(path)) return path;
  const b = base.endsWith("/") ? base : `${base}/`;
  const relative = path.replace(/^\/+/, "");
  // Every page joins the same base and path: a path of plain segments appends to the base's
  // normalised form as URL resolution would, without parsing a URL each time.
  const normalised = normalisedBase(b);
  if (normalised !== null && PLAIN_PATH.test(relative)) return normalised + relative;
  try {
    return new URL(relative, b).toString();
  } catch {
    throw new DeclarativeError(
      `The request URL built from url_base '${base}' and path '${path}' is not valid.`,
      "config_error",
    );
  }
}

// Segments of unreserved characters (no dot segments, no empty ones, nothing to percent-encode).
const PLAIN_PATH = /^(?:[A-Za-z0-9_~-][A-Za-z0-9._~-]*(?:\/(?=.)|$))*$/;
const bases = new Map<string, string | null>();

/** The base as URL resolution writes it, when it ends in a directory and has no query or fragment. */
function normalisedBase(base: string): string | null {
  let n = bases.get(base);
  if (n === undefined) {
    try {
      const href = new URL(base).href;
      n = href.endsWith("/") && !href.includes("?") && !href.includes("#") ? href : null;
    } catch {
      n = null;
    }
    if (bases.size > 256) bases.clear();
    bases.set(base, n);
  }
  return n;
}
