// HttpRequester: turns a slice and a page token into one HTTP request (URL, query, headers, body,
// credentials) and sends it through the shared client with the stream's error handler.

import type { Authenticator } from "./auth.ts";
import type { HttpClient, HttpRequest, HttpResult } from "./http/client.ts";
import type { ErrorHandler } from "./http/error-handler.ts";
import type { PyTypeName } from "./interpolation/index.ts";
import { formEncode, joinTokenPath, joinUrl, RequestParts } from "./request.ts";
import { contextOf, extraFieldsOf, type Scope } from "./slice.ts";
import {
  evalNestedRequestInputs,
  evalRequestInputs,
  evalString,
  evaluate,
  REQUEST_VALUE_TYPES,
  templateRenders,
  withoutNone,
} from "./template.ts";
import { isObj, type Obj, pyStr } from "./values.ts";

/** Something that adds to a request from the current slice and page token (paginator, cursor, router). */
export type RequestInjector = (parts: RequestParts, ctx: Obj) => void;

/** A stream's additions to a page's request, for the page token it is given. */
export type PageInjector = (parts: RequestParts, ctx: Obj, token: unknown) => void;

/**
 * The request of a slice's pages but for the page token, when the token only goes into the query
 * and nothing else in the request can differ from page to page. Built once per slice with a
 * placeholder token; each later page's request is the plan with its own token encoded in place of
 * the placeholder, which is what building it in full would give, at a fraction of the cost.
 */
interface PagePlan {
  /** The URL up to the token's encoded value, and from after it. */
  head: string;
  tail: string;
  request: Omit<HttpRequest, "url">;
}

/** The token a plan is built with: a value no API hands out, so it is found again exactly. */
const PLACEHOLDER_WORD = "airbyte-page-token-placeholder";
const PLACEHOLDER = `\u0000${PLACEHOLDER_WORD}\u0000`;
const ENCODED_PLACEHOLDER = formEncode(PLACEHOLDER);

let plansEnabled = true;
let plannedRequests = 0;

/** Tests: build every page's request in full (false), to compare with the planned ones. */
export function usePagePlans(enabled: boolean): void {
  plansEnabled = enabled;
}

/** Tests: how many requests were made from a plan so far. */
export function plannedPageRequests(): number {
  return plannedRequests;
}

export interface RequesterSpec {
  name: string;
  /** The decoder reads the body's bytes. */
  binary?: boolean;
  /** The decoder streams the body, as the CDK does (see HttpRequest.streamed). */
  streamed?: boolean;
  /** A 2xx body is left unread for the caller (see HttpRequest.stream). */
  stream?: boolean;
  urlBase: string;
  path: string;
  method: string;
  params: unknown;
  headers: unknown;
  bodyJson: unknown;
  bodyData: unknown;
  /** bodyJson is plain text that reads as JSON: a JSON body when it renders a dict, else the text. */
  jsonOrText?: boolean;
  parameters: Obj;
  auth: Authenticator;
  errorHandler: ErrorHandler;
}

/** The headers with the body's content type, unless the manifest set one. */
function withContentType(headers: Record<string, string>, contentType: string): Record<string, string> {
  for (const h in headers) if (h.toLowerCase() === "content-type") return headers;
  return { ...headers, "Content-Type": contentType };
}

/** True when a manifest value holds no template syntax, so it evaluates the same on every request. */
function isConstant(v: unknown): boolean {
  if (typeof v === "string") return !v.includes("{");
  if (Array.isArray(v)) return v.every(isConstant);
  if (isObj(v)) return Object.entries(v).every(([k, x]) => !k.includes("{") && isConstant(x));
  return true;
}

/** An interpolated mapping (parameters, headers): evaluated once, at the first request, when it holds no template. */
class RequestMapping {
  private readonly constant: boolean;
  private value: Obj | null = null;

  constructor(
    private readonly source: unknown,
    private readonly validValueTypes?: readonly PyTypeName[],
  ) {
    this.constant = isConstant(source);
  }

  evaluate(ctx: Obj): Obj {
    if (!this.constant) return evalRequestInputs(this.source, ctx, this.validValueTypes);
    this.value ??= evalRequestInputs(this.source, ctx, this.validValueTypes);
    return this.value;
  }
}

export class HttpRequester {
  private readonly params: RequestMapping;
  private readonly headers: RequestMapping;
  // The joined URL, like the mappings, when neither url_base nor path holds a template.
  private readonly constantUrl: boolean;
  private url: string | null = null;

  constructor(
    readonly spec: RequesterSpec,
    private readonly client: HttpClient,
  ) {
    this.params = new RequestMapping(spec.params, REQUEST_VALUE_TYPES);
    this.headers = new RequestMapping(spec.headers);
    this.constantUrl = isConstant(spec.urlBase) && isConstant(spec.path);
  }

  /** The body of a request, as JSON (for login and token requests). */
  async fetchJson(scope: Scope, signal: AbortSignal): Promise<unknown> {
    return (await this.send(scope, null, null, signal)).json();
  }

  async send(
    scope: Scope,
    inject: RequestInjector | null,
    pathOverride: string | null,
    signal: AbortSignal,
    /** contextOf(scope), when the caller has it already (a stream's page). */
    scopeCtx?: Obj,
  ): Promise<HttpResult> {
    const parameters = this.parametersWith(scope.parameters);
    const ctx =
      scopeCtx !== undefined && parameters === scope.parameters
        ? scopeCtx
        : contextOf({ ...scope, parameters });
    const parts = this.parts(ctx, inject);
    const authenticating = this.spec.auth.apply(parts, signal);
    if (authenticating) await authenticating;
    return this.client.send(
      this.request(parts, this.joinedUrl(scope, ctx, pathOverride)),
      this.spec.errorHandler,
      signal,
      this.spec.name,
    );
  }

  /**
   * A stream's page: send() with `inject` given the page token. A later page of the same slice is
   * made from the slice's plan when it has one (see PagePlan); `plannable` is false when the
   * stream adds something a plan cannot hold (a chunk of query properties).
   */
  async sendPage(
    scope: Scope,
    inject: PageInjector,
    token: unknown,
    pathOverride: string | null,
    signal: AbortSignal,
    scopeCtx: Obj | undefined,
    plannable: boolean,
  ): Promise<HttpResult> {
    if (plannable && pathOverride === null && (typeof token === "string" || typeof token === "number")) {
      const plan = this.planFor(scope, inject, signal);
      if (plan !== null) {
        plannedRequests++;
        return this.client.send(
          { ...plan.request, url: plan.head + formEncode(pyStr(token)) + plan.tail },
          this.spec.errorHandler,
          signal,
          this.spec.name,
        );
      }
    }
    return this.send(scope, (parts, ctx) => inject(parts, ctx, token), pathOverride, signal, scopeCtx);
  }

  /** The plan of a slice's pages (the last slice's is kept); null when its requests cannot have one. */
  private plan: { scope: Scope; value: PagePlan | null } | null = null;
  private planFor(scope: Scope, inject: PageInjector, signal: AbortSignal): PagePlan | null {
    // Credentials that may change (a token that expires, a JWT signed per request) are asked for
    // on every request. Asked each time: a lazily built authenticator is known only once used.
    if (this.spec.auth.fixed !== true) return null;
    const p = this.plan;
    // Everything a page's context holds but its token: the same objects, the same plan.
    if (
      p !== null &&
      p.scope.slice === scope.slice &&
      p.scope.config === scope.config &&
      p.scope.parameters === scope.parameters &&
      p.scope.state === scope.state &&
      p.scope.extra === scope.extra
    )
      return p.value;
    const value = plansEnabled ? this.buildPlan(scope, inject, signal) : null;
    this.plan = { scope, value };
    return value;
  }

  private buildPlan(scope: Scope, inject: PageInjector, signal: AbortSignal): PagePlan | null {
    const rendered = templateRenders();
    let parts: RequestParts;
    let joined: string;
    try {
      const parameters = this.parametersWith(scope.parameters);
      const ctx = contextOf({ ...scope, parameters, nextPageToken: { next_page_token: PLACEHOLDER } });
      parts = this.parts(ctx, (p, c) => inject(p, c, PLACEHOLDER));
      this.spec.auth.apply(parts, signal);
      joined = this.joinedUrl(scope, ctx, null);
    } catch {
      // A template that fails on the placeholder (timestamp() of a date token): it would have
      // ruled the plan out anyway. The page is built in full, with its real token.
      return null;
    }
    // A template run while building could read the page token or the clock (now_utc()): such a
    // request is built in full for every page, as the CDK does. So is one whose URL has a query
    // already, where whether a parameter is sent depends on its value (see withQuery).
    if (templateRenders() !== rendered || joined.includes("?") || joined.includes("#")) return null;
    const request = this.request(parts, joined);
    // The token must be in the query once, and nowhere else (a header, the body).
    const at = request.url.indexOf(ENCODED_PLACEHOLDER);
    if (at < 0) return null;
    const head = request.url.slice(0, at);
    const tail = request.url.slice(at + ENCODED_PLACEHOLDER.length);
    const elsewhere = (s: string | undefined) => s?.includes(PLACEHOLDER_WORD) === true;
    if (
      elsewhere(head) ||
      elsewhere(tail) ||
      elsewhere(request.body) ||
      Object.entries(request.headers).some(([k, v]) => elsewhere(k) || elsewhere(v))
    )
      return null;
    const { url: _, ...rest } = request;
    return { head, tail, request: rest };
  }

  /** The request's query, headers and body from the manifest, then from `inject`. */
  private parts(ctx: Obj, inject: RequestInjector | null): RequestParts {
    const parts = new RequestParts();
    const spec = this.spec;
    parts.mergeParams(this.params.evaluate(ctx));
    parts.mergeHeaders(this.headers.evaluate(ctx));
    if (spec.bodyJson !== undefined || spec.bodyData !== undefined) this.body(parts, ctx);
    if (inject !== null) inject(parts, ctx);
    return parts;
  }

  /** url_base joined with the path (or the page token's path), before the query. */
  private joinedUrl(scope: Scope, ctx: Obj, pathOverride: string | null): string {
    const spec = this.spec;
    if (pathOverride === null && this.constantUrl) {
      this.url ??= joinUrl(evalString(spec.urlBase, ctx), evalString(spec.path, ctx));
      return this.url;
    }
    // get_interpolation_context: url, url_base and path also see a partition's extra fields by name.
    const extra = scope.slice ? extraFieldsOf(scope.slice.partition) : undefined;
    const urlCtx = extra ? { ...ctx, ...extra } : ctx;
    const base = evalString(spec.urlBase, urlCtx);
    return pathOverride === null
      ? joinUrl(base, evalString(spec.path, urlCtx))
      : joinTokenPath(base, pathOverride);
  }

  private request(parts: RequestParts, joined: string): HttpRequest {
    const spec = this.spec;
    const body = parts.body();
    return {
      method: spec.method,
      url: parts.url(joined),
      headers: body ? withContentType(parts.headers, body.contentType) : parts.headers,
      body: body?.body,
      binary: spec.binary,
      streamed: spec.streamed,
      stream: spec.stream,
    };
  }

  // The stream passes the same parameters object for every page: merge once, not per request.
  // `extra` itself when the requester's own add nothing to it (they came down from the stream).
  private merged: { from: Obj | undefined; value: Obj } | null = null;
  private parametersWith(extra: Obj | undefined): Obj {
    if (this.merged === null || this.merged.from !== extra) {
      const own = this.spec.parameters;
      const covered =
        extra !== undefined && Object.keys(own).every((k) => Object.hasOwn(extra, k) && extra[k] === own[k]);
      this.merged = { from: extra, value: covered ? extra : { ...own, ...extra } };
    }
    return this.merged.value;
  }

  private body(parts: RequestParts, ctx: Obj): void {
    const json = this.spec.bodyJson;
    if (this.spec.jsonOrText && typeof json === "string") {
      templateBody(json, ctx, parts, "json");
      return;
    }
    if (json !== undefined && json !== null) {
      const v = evalNestedRequestInputs(json, ctx);
      if (Object.keys(v).length > 0) {
        parts.bodyJson = v;
        return;
      }
    }
    const data = this.spec.bodyData;
    if (data === undefined || data === null) return;
    if (typeof data === "string") templateBody(data, ctx, parts, "form");
    else {
      const v = evalRequestInputs(data, ctx, REQUEST_VALUE_TYPES);
      if (Object.keys(v).length > 0) parts.bodyData = v;
    }
  }
}

/**
 * A body given as one template: a dict (its None values dropped, as a mapping's are) is the JSON
 * body or the form, anything else the text as rendered.
 */
function templateBody(template: string, ctx: Obj, parts: RequestParts, dict: "json" | "form"): void {
  const v = evaluate(template, ctx);
  if (isObj(v)) {
    const kept = withoutNone(v);
    if (Object.keys(kept).length === 0) return;
    if (dict === "json") parts.bodyJson = kept;
    else parts.bodyData = kept;
  } else if (v !== null && v !== undefined && v !== "") parts.bodyText = evalString(template, ctx);
}
