// What the fake Cloud's routes share: errors thrown as values the root handler turns into responses,
// path-parameter and body parsing, and the public API's limit/offset pagination with absolute
// `next`/`previous` links (a `next` link whenever the page is not empty, so a client following links
// always ends on one empty page, like the real PaginationMapper).

import type { Context } from "hono";
import type { Json } from "./definitions.ts";
import { PROBLEMS, type ProblemKind, problem } from "./problems.ts";

export interface FakeEnv {
  Variables: {
    /** The parsed request body, when there was one. */
    body: unknown;
    /** Set by routes whose response must not be checked against the OpenAPI file. */
    unvalidated: boolean;
  };
}

export type Ctx = Context<FakeEnv>;

/** A response to send instead of the route's: a public API problem or a Config API error. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: Json,
    readonly headers: Record<string, string> = {},
  ) {
    super(
      typeof body.detail === "string"
        ? body.detail
        : typeof body.message === "string"
          ? body.message
          : `HTTP ${status}`,
    );
  }
}

export function fail(kind: ProblemKind, detail?: string, data?: Json): never {
  throw new ApiError(PROBLEMS[kind].status, problem(kind, detail, data));
}

export function badRequest(message: string): never {
  fail("badRequest", message, { message });
}

export function forbidden(message: string): never {
  fail("forbidden", message, { message });
}

export function notFound(resourceType: string, resourceId: string): never {
  fail("notFound", `Could not find a ${resourceType} with id ${resourceId}.`, { resourceType, resourceId });
}

const UUID_RE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

export function isUuid(value: unknown): value is string {
  return typeof value === "string" && UUID_RE.test(value);
}

/** A UUID path or body parameter; anything else is a 400, as the server's binding answers. */
export function uuidParam(value: string | undefined, name: string): string {
  if (!isUuid(value)) badRequest(`Invalid UUID string for ${name}: ${String(value)}`);
  return value.toLowerCase();
}

export const asObj = (v: unknown): Json | undefined =>
  typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Json) : undefined;

/** The parsed JSON body stored by the body middleware, which must be an object. */
export function bodyOf(c: Ctx): Json {
  const body = asObj(c.get("body"));
  if (!body) badRequest("The request body must be a JSON object.");
  return body;
}

/** Comma-joined or repeated values of an array query parameter. */
export function listParam(c: Ctx, name: string): string[] {
  return (c.req.queries(name) ?? []).flatMap((v) => v.split(",")).filter((v) => v !== "");
}

export function boolParam(c: Ctx, name: string): boolean {
  return c.req.query(name) === "true";
}

export interface Page {
  limit: number;
  offset: number;
}

export function pageParams(c: Ctx): Page {
  const parse = (name: string, dflt: number, min: number, max: number) => {
    const raw = c.req.query(name);
    if (raw === undefined) return dflt;
    if (!/^-?\d+$/.test(raw)) badRequest(`${name} must be an integer, got ${raw}`);
    const n = Number(raw);
    if (n < min || n > max) badRequest(`${name} must be between ${min} and ${max}, got ${n}`);
    return n;
  };
  return { limit: parse("limit", 20, 1, 100), offset: parse("offset", 0, 0, Number.MAX_SAFE_INTEGER) };
}

/**
 * One page of `items` with the links the real API builds: `next` whenever this page is not empty (even
 * a short one), `previous` whenever the offset is not 0; the filters of the request are carried over.
 */
export function paginate<T>(c: Ctx, items: T[], page: Page, filters: Array<[string, string]>): Json {
  const data = items.slice(page.offset, page.offset + page.limit);
  const url = new URL(c.req.url);
  // Array filters go out comma-joined and unescaped, as the real mapper writes them.
  const enc = (v: string) => encodeURIComponent(v).replace(/%2C/gi, ",");
  const link = (offset: number) => {
    const pairs = [...filters, ["limit", String(page.limit)], ["offset", String(offset)]];
    return `${url.origin}${url.pathname}?${pairs.map(([k, v]) => `${enc(k ?? "")}=${enc(v ?? "")}`).join("&")}`;
  };
  return {
    previous: page.offset > 0 ? link(Math.max(page.offset - page.limit, 0)) : "",
    next: data.length > 0 ? link(page.offset + page.limit) : "",
    data,
  };
}
