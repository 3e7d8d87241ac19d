// A config that satisfies a connector spec, made up for running a manifest against a generic fake:
// required properties, defaults (when they fit their type), and every property the manifest's
// templates read, with values shaped by the property (dates, URLs, hosts, emails, patterns).

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const two = (n: number) => String(n).padStart(2, "0");

const DATE_CANDIDATES = (d: Date) => [
  `${d.toISOString().slice(0, 19)}Z`,
  d.toISOString().slice(0, 10),
  d.toISOString(),
  `${d.toISOString().slice(0, 19)}.000000Z`,
  `${d.toISOString().slice(0, 10)} ${d.toISOString().slice(11, 19)}`,
  `${d.toISOString().slice(0, 19)}+00:00`,
  d.toISOString().slice(0, 7),
  `${two(d.getUTCDate())}/${two(d.getUTCMonth() + 1)}/${d.getUTCFullYear()} ${d.toISOString().slice(11, 16)}`,
  `${two(d.getUTCMonth() + 1)}/${two(d.getUTCDate())}/${d.getUTCFullYear()}`,
  `${two(d.getUTCDate())}-${two(d.getUTCMonth() + 1)}-${d.getUTCFullYear()}`,
];

function matches(pattern: unknown, value: string): boolean {
  if (typeof pattern !== "string") return true;
  try {
    return new RegExp(pattern, "u").test(value);
  } catch {
    return true;
  }
}

/**
 * A string that a simple pattern matches (a key format such as ^(s|r)k_(live|test)_[a-zA-Z0-9]+$):
 * the first alternative of each group, the first character of each class, each quantified atom
 * at its least count but one. Null for what this does not read (lookarounds, back-references).
 */
export function sampleOf(pattern: string): string | null {
  let i = 0;
  const alternatives = (): string | null => {
    const first = sequence();
    while (pattern[i] === "|") {
      i++;
      if (sequence() === null) return null;
    }
    return first;
  };
  const sequence = (): string | null => {
    let out = "";
    while (i < pattern.length && pattern[i] !== "|" && pattern[i] !== ")") {
      const atom = atomAt();
      if (atom === null) return null;
      const q = quantifier();
      if (q === null) return null;
      out += atom.repeat(q);
    }
    return out;
  };
  const atomAt = (): string | null => {
    const c = pattern[i++] as string;
    if (c === "^" || c === "$") return "";
    if (c === ".") return "a";
    if (c === "(") {
      if (pattern[i] === "?") {
        if (pattern[i + 1] !== ":") return null;
        i += 2;
      }
      const inner = alternatives();
      if (pattern[i++] !== ")") return null;
      return inner;
    }
    if (c === "[") {
      const end = pattern.indexOf("]", i + 1);
      if (end < 0) return null;
      const body = pattern.slice(i, end);
      i = end + 1;
      if (body.startsWith("^")) return /[A-Za-z0-9]/.test(body) ? "_" : "a";
      return body[0] === "\\" ? (escaped(body[1] as string) ?? null) : (body[0] ?? null);
    }
    if (c === "\\") return escaped(pattern[i++] as string);
    if ("*+?{".includes(c)) return null;
    return c;
  };
  const escaped = (c: string): string | null => {
    if (c === "d") return "1";
    if (c === "w") return "a";
    if (c === "s") return " ";
    if (/[A-Za-z0-9]/.test(c)) return null; // \b, \1 and the like
    return c;
  };
  const quantifier = (): number | null => {
    const c = pattern[i];
    if (c === "?" || c === "*") {
      i++;
      return 0;
    }
    if (c === "+") {
      i++;
      return 1;
    }
    if (c === "{") {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(i));
      if (!m) return null;
      i += m[0].length;
      return Math.max(1, Number(m[1]));
    }
    return 1;
  };
  const out = alternatives();
  return out !== null && i === pattern.length && matches(pattern, out) ? out : null;
}

/** Whether a spec's default has the property's type (some specs give "1000" for a number). */
function fitsType(schema: Json, value: unknown): boolean {
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  if (schema.type === undefined) return true;
  const kind = value === null ? "null" : Array.isArray(value) ? "array" : typeof value;
  return types.some(
    (t) =>
      t === kind ||
      (t === "integer" && Number.isInteger(value)) ||
      (t === "number" && kind === "number") ||
      (t === "object" && kind === "object"),
  );
}

/**
 * A value for one property of a spec: its default, const, first enum or example, or a made-up one;
 * `full` fills every property of an object, not only the required ones.
 */
export function dummyValue(schema: Json, key: string, start: Date, full = false): unknown {
  if ("const" in schema) return schema.const;
  if ("default" in schema && fitsType(schema, schema.default)) return schema.default;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  const options = Array.isArray(schema.oneOf)
    ? schema.oneOf
    : Array.isArray(schema.anyOf)
      ? schema.anyOf
      : null;
  if (options && isObj(options[0])) return dummyValue(options[0], key, start, full);
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== "null") : schema.type;
  const examples = Array.isArray(schema.examples) ? schema.examples : [];
  switch (type) {
    case "object":
      // A referenced object (an auth choice, say) gets every property: templates read into it.
      return dummyConfig(schema, start, full ? "all" : new Set());
    case "array": {
      if (examples.length > 0 && Array.isArray(examples[0])) return examples[0];
      const items = isObj(schema.items) ? schema.items : { type: "string" };
      const min = typeof schema.minItems === "number" ? schema.minItems : 0;
      return Array.from({ length: Math.max(min, 1) }, () => dummyValue(items, key, start));
    }
    case "integer":
    case "number": {
      if (typeof schema.default === "string" && /^\d+$/.test(schema.default)) return Number(schema.default);
      const ex = examples.find((e) => typeof e === "number" || (typeof e === "string" && /^\d+$/.test(e)));
      if (ex !== undefined) return Number(ex);
      return typeof schema.minimum === "number" ? schema.minimum : 1;
    }
    case "boolean":
      return false;
    default: {
      const k = key.toLowerCase();
      const looksDate =
        schema.format === "date-time" || schema.format === "date" || /date|time|since|from/.test(k);
      const candidates = [
        // A `format: date` wants the date alone, which the spec's own validation checks.
        ...(schema.format === "date" ? [start.toISOString().slice(0, 10)] : []),
        ...(looksDate ? DATE_CANDIDATES(start) : []),
        ...examples.filter((e): e is string => typeof e === "string"),
        // Full URLs for URL-like keys, bare hosts for domains, a label for subdomains.
        ...(schema.format === "uri" || /url|uri|endpoint/.test(k)
          ? [`https://${k.replace(/_/g, "-")}.example.test`]
          : /subdomain/.test(k)
            ? []
            : /domain|host/.test(k)
              ? [`${k.replace(/_/g, "-")}.example.test`]
              : []),
        ...(/mail/.test(k) ? ["dummy@example.test"] : []),
        `dummy-${k.replace(/_/g, "-")}`,
        "12345",
      ];
      const fromPattern = typeof schema.pattern === "string" ? sampleOf(schema.pattern) : null;
      if (fromPattern !== null) candidates.push(fromPattern);
      return candidates.find((c) => matches(schema.pattern, c)) ?? candidates[0];
    }
  }
}

/** A config with every required property (and every property with a default) of `spec` filled in. */
export function dummyConfig(spec: Json, start: Date, referenced: Set<string> | "all" = new Set()): Json {
  const props = isObj(spec.properties) ? spec.properties : {};
  const required = new Set(Array.isArray(spec.required) ? spec.required.map(String) : []);
  const out: Json = {};
  for (const [key, schema] of Object.entries(props)) {
    if (!isObj(schema)) continue;
    const wanted = referenced === "all" || referenced.has(key);
    if (wanted || required.has(key) || "default" in schema || "const" in schema)
      out[key] = dummyValue(schema, key, start, wanted);
  }
  return out;
}

/** Top-level config keys a manifest's templates read (config['k'], config["k"], config.k, config.get('k')). */
export function configKeysReferenced(manifestText: string): Set<string> {
  const keys = new Set<string>();
  for (const m of manifestText.matchAll(
    // Quotes may be escaped, as in a double-quoted YAML string: config[\"start_date\"].
    /config(?:\[\s*\\?['"]([^'"\\]+)\\?['"]\s*\]|\.get\(\s*\\?['"]([^'"\\]+)\\?['"]|\.([A-Za-z_]\w*))/g,
  ))
    keys.add((m[1] ?? m[2] ?? m[3]) as string);
  return keys;
}
