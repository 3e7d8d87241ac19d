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

/**
 * A URL fit to show: any URL with a host (http, ftp, postgres…) without its user info and query;
 * anything else (a file path, say) as it is.
 */
export function displayUrl(url: string): string {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? (urlWithoutCredentials(url) ?? url) : url;
}
