// What templates see of a response: `response` (the decoded body) and `headers` (as requests
// gives them, plus `link`: the parsed Link header keyed by rel).

import type { HttpResult } from "./http/client.ts";
import { caseInsensitiveHeaders } from "./http/headers.ts";
import type { Obj } from "./values.ts";

/**
 * CursorPaginationStrategy's headers: `dict(response.headers)` with `headers["link"] =
 * response.links`. Only `link` itself is the parsed dict; `Link` is the header's text, as bugsnag's
 * `headers.get("Link", {}).split(";")` expects.
 */
export function headersView(result: HttpResult): Obj {
  return caseInsensitiveHeaders(result.headers, { link: parseLinkHeader(result.headers.get("link")) });
}

/** requests' Response.links: `<url>; rel="next"` entries keyed by rel (or by url when there is none). */
export function parseLinkHeader(value: string | null): Obj {
  const links: Obj = {};
  if (!value) return links;
  for (const part of value.split(/,\s*(?=<)/)) {
    const m = /^\s*<([^>]*)>(.*)$/.exec(part);
    if (!m) continue;
    const link: Record<string, string> = { url: m[1] as string };
    for (const param of (m[2] as string).split(";")) {
      const eq = param.indexOf("=");
      if (eq < 0) continue;
      const key = param.slice(0, eq).trim().toLowerCase();
      const v = param
        .slice(eq + 1)
        .trim()
        .replace(/^["']|["']$/g, "");
      if (key) link[key] = v;
    }
    links[link.rel ?? (m[1] as string)] = link;
  }
  return links;
}
