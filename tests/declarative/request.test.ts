// How the next page's URL is built: a manifest's path against url_base (leading slashes dropped,
// as the CDK's get_path does), and a RequestPath token (url_base cut out, then resolved by URL
// rules, as the CDK's DefaultPaginator.path and HttpRequester._join_url do).

import { describe, expect, test } from "bun:test";
import { joinTokenPath, joinUrl } from "../../src/declarative/request.ts";

describe("joinUrl (a manifest's path)", () => {
  test.each([
    ["https://api.example.com/v1", "/items", "https://api.example.com/v1/items"],
    ["https://api.example.com/v1/", "items", "https://api.example.com/v1/items"],
    ["https://api.example.com/v1", "", "https://api.example.com/v1"],
    ["https://api.example.com/v1", "https://other.example.com/x", "https://other.example.com/x"],
  ])("%s + %s = %s", (base, path, url) => {
    expect(joinUrl(base, path)).toBe(url);
  });
});

describe("joinTokenPath (a RequestPath page token)", () => {
  test.each([
    // url_base ends in a slash: the rest of the token is relative to it.
    [
      "https://api.example.com/v1/",
      "https://api.example.com/v1/items?page=2",
      "https://api.example.com/v1/items?page=2",
    ],
    // An absolute path from the API replaces the base's path (not /v1/v1/...).
    ["https://api.example.com/v1", "/v1/items?cursor=abc", "https://api.example.com/v1/items?cursor=abc"],
    // A relative token, and a query alone.
    ["https://api.example.com/v1", "items?page=3", "https://api.example.com/v1/items?page=3"],
    ["https://api.example.com/v1/items", "?page=3", "https://api.example.com/v1/items/?page=3"],
    // A full URL on another host is followed as it is.
    ["https://api.example.com/v1", "https://cdn.example.net/p/2", "https://cdn.example.net/p/2"],
    // A full URL under a url_base with a path and no trailing slash (source-coda's nextPageLink)
    // keeps that path.
    [
      "https://coda.io/apis/v1",
      "https://coda.io/apis/v1/docs?pageToken=x",
      "https://coda.io/apis/v1/docs?pageToken=x",
    ],
    // An empty token: the base itself.
    ["https://api.example.com/v1", "", "https://api.example.com/v1"],
  ])("%s with token %s = %s", (base, token, url) => {
    expect(joinTokenPath(base, token)).toBe(url);
  });

  test("a token that makes no URL is an error naming both parts", () => {
    expect(() => joinTokenPath("not a url", "x")).toThrow(/url_base 'not a url' and the page token 'x'/);
  });
});
