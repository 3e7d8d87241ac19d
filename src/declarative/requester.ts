// HttpRequester: turns a slice and a page token into one HTTP request (URL, query, headers, body,
// credentials) and sends it through the shared client with the stream's error handler.

import type { Authenticator } from "./auth.ts";
import type { HttpClient, HttpResult } from "./http/client.ts";
import type { ErrorHandler } from "./http/error-handler.ts";
import { joinUrl, RequestParts } from "./request.ts";
import { contextOf, type Scope } from "./slice.ts";
import { evalMapping, evalString, evaluate } from "./template.ts";
import { isObj, type Obj } from "./values.ts";

/** Something that adds to a request from the current slice and page token (paginator, cursor, router). */
export type RequestInjector = (parts: RequestParts, ctx: Obj) => void;

export interface RequesterSpec {
  name: string;
  urlBase: string;
  path: string;
  method: string;
  params: unknown;
  headers: unknown;
  bodyJson: unknown;
  bodyData: unknown;
  parameters: Obj;
  auth: Authenticator;
  errorHandler: ErrorHandler;
}

export class HttpRequester {
  constructor(
    readonly spec: RequesterSpec,
    private readonly client: HttpClient,
  ) {}

  /** The body of a request, as JSON (for login and token requests). */
  async fetchJson(scope: Scope, signal: AbortSignal): Promise<unknown> {
    return (await this.send(scope, [], null, signal)).json();
  }

  async send(
    scope: Scope,
    injectors: readonly RequestInjector[],
    pathOverride: string | null,
    signal: AbortSignal,
  ): Promise<HttpResult> {
    const ctx = contextOf({ ...scope, parameters: { ...this.spec.parameters, ...scope.parameters } });
    const parts = new RequestParts();
    parts.mergeParams(evalMapping(this.spec.params, ctx));
    parts.mergeHeaders(evalMapping(this.spec.headers, ctx));
    this.body(parts, ctx);
    for (const inject of injectors) inject(parts, ctx);
    await this.spec.auth.apply(parts, signal);
    const base = evalString(this.spec.urlBase, ctx);
    const path = pathOverride ?? evalString(this.spec.path, ctx);
    const url = parts.url(joinUrl(base, path));
    const headers: Record<string, string> = { ...parts.headers };
    const body = parts.body();
    if (body && !Object.keys(headers).some((h) => h.toLowerCase() === "content-type"))
      headers["Content-Type"] = body.contentType;
    return this.client.send(
      { method: this.spec.method, url, headers, body: body?.body },
      this.spec.errorHandler,
      signal,
      this.spec.name,
    );
  }

  private body(parts: RequestParts, ctx: Obj): void {
    const json = this.spec.bodyJson;
    if (json !== undefined && json !== null) {
      const v = typeof json === "string" ? evaluate(json, ctx) : evalMapping(json, ctx);
      if (isObj(v) && Object.keys(v).length > 0) parts.bodyJson = v;
      return;
    }
    const data = this.spec.bodyData;
    if (data === undefined || data === null) return;
    if (typeof data === "string") {
      const v = evaluate(data, ctx);
      if (isObj(v)) parts.bodyData = v;
      else if (v !== null && v !== undefined && v !== "") parts.bodyText = evalString(data, ctx);
    } else {
      const v = evalMapping(data, ctx);
      if (Object.keys(v).length > 0) parts.bodyData = v;
    }
  }
}
