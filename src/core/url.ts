/** A URL fit to show: no user info and no query string, which may carry credentials or signatures. */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.protocol !== "http:" && u.protocol !== "https:") return url;
    return `${u.protocol}//${u.host}${u.pathname}${u.search ? "?…" : ""}`;
  } catch {
    return url;
  }
}
