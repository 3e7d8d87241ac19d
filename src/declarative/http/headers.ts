// Response headers as the CDK's templates see them: requests' CaseInsensitiveDict, where
// headers['Retry-After'] and headers['retry-after'] are the same entry.

/** A plain record of `headers` (keys lower-cased) whose lookups ignore case. */
export function caseInsensitiveHeaders(headers: Headers): Record<string, string> {
  const lower: Record<string, string> = {};
  headers.forEach((value, name) => {
    lower[name.toLowerCase()] = value;
  });
  const key = (p: string | symbol) => (typeof p === "string" ? p.toLowerCase() : p);
  return new Proxy(lower, {
    get: (target, p, receiver) => Reflect.get(target, key(p), receiver),
    has: (target, p) => Reflect.has(target, key(p)),
    getOwnPropertyDescriptor: (target, p) => Reflect.getOwnPropertyDescriptor(target, key(p)),
  });
}
