/**
 * scheme://host/path of a URL with a host (http, postgres...): never its user info, and its query
 * (which may carry credentials or signatures) only marked "?…". Null when it is not such a URL.
 */
export function urlWithoutCredentials(url: string): string | null {
  try {
    const u = new URL(url);
    if (!u.host) return null;
    return `${u.protocol}//${u.host}${u.pathname}${u.search ? "?…" : ""}`;
  } catch {
    return null;
  }
}

/** A URL fit to show; anything that is not an http(s) URL (a file path, say) as it is. */
export function displayUrl(url: string): string {
  return /^https?:\/\//i.test(url) ? (urlWithoutCredentials(url) ?? url) : url;
}
