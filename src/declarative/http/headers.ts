// Response headers as the CDK's templates see them: requests' CaseInsensitiveDict, where
// headers['Retry-After'] and headers['retry-after'] are the same entry.

/**
 * A plain record of `headers` (keys lower-cased) whose lookups ignore case. `exact` holds entries
 * found only under their own spelling, ahead of the headers: the CDK's paginator puts the parsed
 * Link header under `link` alone, while `Link` stays the header's text.
 */
export function caseInsensitiveHeaders(
  headers: Headers,
  exact: Record<string, unknown> = {},
): Record<string, string> {
  const lower: Record<string, unknown> = {};
  headers.forEach((value, name) => {
    lower[name.toLowerCase()] = value;
  });
  const own = new Map(Object.entries(exact));
  const shadowed = new Map<string, unknown>();
  for (const name of own.keys()) if (name in lower) shadowed.set(name, lower[name]);
  Object.assign(lower, exact);
  // Another spelling of an exact key reaches the header itself (or nothing, if there is none).
  const key = (p: string | symbol) =>
    typeof p !== "string" || own.has(p) ? p : own.has(p.toLowerCase()) ? SHADOWED : p.toLowerCase();
  return new Proxy(lower as Record<string, string>, {
    get: (target, p, receiver) => {
      const k = key(p);
      return k === SHADOWED ? shadowed.get((p as string).toLowerCase()) : Reflect.get(target, k, receiver);
    },
    has: (target, p) => {
      const k = key(p);
      return k === SHADOWED ? shadowed.has((p as string).toLowerCase()) : Reflect.has(target, k);
    },
    getOwnPropertyDescriptor: (target, p) => {
      const k = key(p);
      if (k !== SHADOWED) return Reflect.getOwnPropertyDescriptor(target, k);
      const name = (p as string).toLowerCase();
      return shadowed.has(name)
        ? { value: shadowed.get(name), writable: true, enumerable: false, configurable: true }
        : undefined;
    },
  });
}

const SHADOWED = Symbol("the header an exact key shadows");
