// Paginators: DefaultPaginator with the CDK's three strategies (cursor, offset, page number) and
// NoPagination. A token is the raw value; templates see it as {"next_page_token": value}.

import { DeclarativeError } from "./errors.ts";
import { booleanEvaluator, evaluator, pyStr } from "./interpolation/index.ts";
import type { RequestOption, RequestParts } from "./request.ts";
import { evalValue } from "./template.ts";
import { type Obj, truthy } from "./values.ts";

export interface Page {
  response: unknown;
  /** Built on demand: most paginators never look at the headers. */
  headers: () => Obj;
  lastRecord: unknown;
  lastPageSize: number;
  /** Records the extractor found on the page before any filter (OffsetIncrement, PageIncrement count these). */
  extractedCount: number;
  token: unknown;
}

export interface PaginationStrategy {
  initialToken(): unknown;
  next(page: Page, ctx: Obj): unknown;
  pageSize(ctx: Obj): number | null;
}

export class CursorPagination implements PaginationStrategy {
  private readonly usesHeaders: boolean;
  // Evaluated once a page: prepared once.
  private readonly value: (ctx: Obj) => unknown;
  private readonly stop: ((ctx: Obj) => boolean) | null;
  constructor(
    cursorValue: string,
    stopCondition: string | null,
    private readonly size: unknown,
  ) {
    this.usesHeaders = `${cursorValue} ${stopCondition ?? ""}`.includes("headers");
    this.value = evaluator(cursorValue);
    this.stop = stopCondition === null ? null : booleanEvaluator(stopCondition);
  }
  initialToken(): unknown {
    return null;
  }
  next(page: Page, ctx: Obj): unknown {
    const c = {
      ...ctx,
      response: page.response,
      headers: this.usesHeaders ? page.headers() : {},
      last_record: page.lastRecord,
      last_page_size: page.lastPageSize,
    };
    if (this.stop?.(c)) return null;
    const token = this.value(c);
    return truthy(token) ? token : null;
  }
  pageSize(ctx: Obj): number | null {
    return intOrNull(this.size, ctx);
  }
}

export class OffsetIncrement implements PaginationStrategy {
  constructor(
    private readonly size: unknown,
    private readonly injectOnFirst: boolean,
  ) {}
  initialToken(): unknown {
    return this.injectOnFirst ? 0 : null;
  }
  next(page: Page, ctx: Obj): unknown {
    // The CDK counts the page's records as extracted, before the record filter: a filtered page is
    // still a full page of the API's, and the next offset must skip all of it.
    const count = page.extractedCount;
    const size = intOrNull(this.size, { ...ctx, response: page.response });
    if ((size !== null && count < size) || count === 0) return null;
    if (page.token === null || page.token === undefined) return count;
    if (typeof page.token !== "number")
      throw new DeclarativeError(`The offset page token is not an integer: ${String(page.token)}.`);
    return page.token + count;
  }
  pageSize(ctx: Obj): number | null {
    return intOrNull(this.size, ctx);
  }
}

export class PageIncrement implements PaginationStrategy {
  constructor(
    private readonly size: unknown,
    private readonly startFrom: number,
    private readonly injectOnFirst: boolean,
  ) {}
  initialToken(): unknown {
    return this.injectOnFirst ? this.startFrom : null;
  }
  next(page: Page, ctx: Obj): unknown {
    const count = page.extractedCount; // before the record filter, as for OffsetIncrement
    const size = intOrNull(this.size, ctx);
    if ((size !== null && count < size) || count === 0) return null;
    if (page.token === null || page.token === undefined) return this.startFrom + 1;
    if (typeof page.token !== "number")
      throw new DeclarativeError(`The page number token is not an integer: ${String(page.token)}.`);
    return page.token + 1;
  }
  pageSize(ctx: Obj): number | null {
    return intOrNull(this.size, ctx);
  }
}

function intOrNull(v: unknown, ctx: Obj): number | null {
  if (v === undefined || v === null) return null;
  const n = typeof v === "string" ? evalValue(v, ctx) : v;
  const i = typeof n === "number" ? n : Number(n);
  return Number.isFinite(i) ? Math.trunc(i) : null;
}

export interface Paginator {
  initialToken(): unknown;
  next(page: Page, ctx: Obj): unknown;
  /** The request path when the token is a URL or path (RequestPath), else null. */
  path(token: unknown): string | null;
  inject(parts: RequestParts, ctx: Obj, token: unknown): void;
}

export const NO_PAGINATION: Paginator = {
  initialToken: () => null,
  next: () => null,
  path: () => null,
  inject: () => {},
};

export class DefaultPaginator implements Paginator {
  constructor(
    private readonly strategy: PaginationStrategy,
    private readonly tokenOption: RequestOption | "path" | null,
    private readonly sizeOption: RequestOption | null,
  ) {}
  initialToken(): unknown {
    return this.strategy.initialToken();
  }
  next(page: Page, ctx: Obj): unknown {
    return this.strategy.next(page, ctx);
  }
  path(token: unknown): string | null {
    if (this.tokenOption !== "path" || token === null || token === undefined) return null;
    // str(token) as the CDK writes it: a dict or list token (a manifest that picks a whole object
    // by mistake) becomes its Python repr, not "[object Object]".
    return pyStr(token);
  }
  inject(parts: RequestParts, ctx: Obj, token: unknown): void {
    if (token !== null && token !== undefined && this.tokenOption !== null && this.tokenOption !== "path") {
      parts.inject(this.tokenOption, token, ctx);
    }
    if (this.sizeOption !== null) {
      const size = this.strategy.pageSize(ctx);
      if (size !== null) parts.inject(this.sizeOption, size, ctx);
    }
  }
}
