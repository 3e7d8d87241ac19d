// HttpRequester: turns a slice and a page token into one HTTP request (URL, query, headers, body,
// credentials) and sends it through the shared client with the stream's error handler.

import type { Authenticator } from "./auth.ts";
import type { HttpClient, HttpResult } from "./http/client.ts";
import type { ErrorHandler } from "./http/error-handler.ts";
import type { PyTypeName } from "./interpolation/index.ts";
import { joinTokenPath, joinUrl, RequestParts } from "./request.ts";
import { contextOf, extraFieldsOf, type Scope } from "./slice.ts";
import {
  evalNestedRequestInputs,
  evalRequestInputs,
  evalString,
  evaluate,
  REQUEST_VALUE_TYPES,
  withoutNone,
} from "./template.ts";
import { isObj, type Obj } from "./values.ts";

/** Something that adds to a request from the current slice and page token (paginator, cursor, router). */
export type RequestInjector = (parts: RequestParts, ctx: Obj) => void;

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
    const parts = new RequestParts();
    const spec = this.spec;
    parts.mergeParams(this.params.evaluate(ctx));
    parts.mergeHeaders(this.headers.evaluate(ctx));
    if (spec.bodyJson !== undefined || spec.bodyData !== undefined) this.body(parts, ctx);
    if (inject !== null) inject(parts, ctx);
    const authenticating = spec.auth.apply(parts, signal);
    if (authenticating) await authenticating;
    let joined: string;
    if (pathOverride === null && this.constantUrl) {
      joined = this.url ??= joinUrl(evalString(spec.urlBase, ctx), evalString(spec.path, ctx));
    } else {
      // get_interpolation_context: url, url_base and path also see a partition's extra fields by name.
      const extra = scope.slice ? extraFieldsOf(scope.slice.partition) : undefined;
      const urlCtx = extra ? { ...ctx, ...extra } : ctx;
      const base = evalString(spec.urlBase, urlCtx);
      joined =
        pathOverride === null
          ? joinUrl(base, evalString(spec.path, urlCtx))
          : joinTokenPath(base, pathOverride);
    }
    const url = parts.url(joined);
    const body = parts.body();
    return this.client.send(
      {
        method: spec.method,
        url,
        headers: body ? withContentType(parts.headers, body.contentType) : parts.headers,
        body: body?.body,
        binary: spec.binary,
        streamed: spec.streamed,
        stream: spec.stream,
      },
      spec.errorHandler,
      signal,
      spec.name,
    );
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
