// DefaultPaginator's RequestPath: the next page's path is str() of the token, as in the CDK.

import { describe, expect, test } from "bun:test";
import { CursorPagination, DefaultPaginator, type Page } from "../../src/declarative/paginator.ts";

const page = (response: unknown): Page => ({
  response,
  headers: () => ({}),
  lastRecord: null,
  lastPageSize: 0,
  extractedCount: 0,
  token: null,
});

function pathPaginator(cursorValue: string, stopCondition: string | null = null): DefaultPaginator {
  return new DefaultPaginator(new CursorPagination(cursorValue, stopCondition, null), "path", null);
}

describe("DefaultPaginator with a RequestPath token", () => {
  test("a URL token is the next path as it came", () => {
    const p = pathPaginator("{{ response.next }}", "{{ response.next is none }}");
    const token = p.next(page({ next: "https://api.example.com/v1/items?cursor=abc" }), {});
    expect(p.path(token)).toBe("https://api.example.com/v1/items?cursor=abc");
  });

  test("the first page and the end have no path of their own", () => {
    const p = pathPaginator("{{ response.next }}", "{{ response.next is none }}");
    expect(p.path(p.initialToken())).toBeNull();
    expect(p.next(page({ next: null }), {})).toBeNull();
  });

  test("a number token is written as Python writes it", () => {
    const p = pathPaginator("{{ response.page + 1 }}");
    expect(p.path(p.next(page({ page: 1 }), {}))).toBe("2");
  });

  test("a dict token (a manifest that picks the whole links object) is its Python repr, not [object Object]", () => {
    // source-piwik's cursor_value is `response.get("links", {})`: the CDK requests str() of that dict.
    const p = pathPaginator(
      '{{ response.get("links", {}) }}',
      '{{ not response.get("links", {}).get("next") }}',
    );
    const token = p.next(page({ links: { next: "/api/users/v2?page=2" } }), {});
    expect(p.path(token)).toBe("{'next': '/api/users/v2?page=2'}");
  });

  test("a token sent as a request option gives no path", () => {
    const option = { injectInto: "request_parameter", fieldName: "page" } as never;
    const p = new DefaultPaginator(new CursorPagination("{{ response.next }}", null, null), option, null);
    expect(p.path("abc")).toBeNull();
  });
});
