// Deterministic data for fake APIs: a seeded random source, records shaped by a stream's JSON schema,
// and the datetime spellings the fixture APIs use. Same seed, same records, every run.

type Json = Record<string, unknown>;

/** mulberry32: small, fast, and stable across runs and platforms. */
export class Rand {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }
  hex(n: number): string {
    let s = "";
    for (let i = 0; i < n; i++) s += "0123456789abcdef"[this.int(0, 15)];
    return s;
  }
  uuid(): string {
    const h = this.hex(32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20)}`;
  }
  word(): string {
    return this.pick(WORDS);
  }
  words(n: number): string {
    return Array.from({ length: n }, () => this.word()).join(" ");
  }
}

const WORDS = [
  "alpha",
  "bravo",
  "cedar",
  "delta",
  "ember",
  "fjord",
  "garnet",
  "harbor",
  "indigo",
  "juniper",
  "kepler",
  "lumen",
  "meadow",
  "nimbus",
  "orchid",
  "pebble",
  "quartz",
  "raven",
  "saffron",
  "tundra",
] as const;

type Schema = {
  type?: string | string[];
  properties?: Record<string, Schema>;
  items?: Schema;
  format?: string;
  enum?: unknown[];
};

function types(schema: Schema): string[] {
  const t = schema.type;
  if (Array.isArray(t)) return t;
  if (typeof t === "string") return [t];
  if (schema.properties) return ["object"];
  return ["string"];
}

/** A value for `schema`; field names steer strings (emails, URLs, timestamps) so records look real. */
export function valueFor(schema: Schema, rand: Rand, key = "", depth = 0): unknown {
  if (schema.enum && schema.enum.length > 0) return rand.pick(schema.enum);
  const options = types(schema).filter((t) => t !== "null");
  const type = options.length === 0 ? "null" : rand.pick(options);
  switch (type) {
    case "null":
      return null;
    case "boolean":
      return rand.next() < 0.5;
    case "integer":
      return rand.int(0, 100_000);
    case "number":
      return Math.round(rand.next() * 100_000) / 100;
    case "array": {
      if (depth > 3) return [];
      const n = rand.int(0, 2);
      return Array.from({ length: n }, () =>
        valueFor(schema.items ?? { type: "string" }, rand, key, depth + 1),
      );
    }
    case "object":
      return depth > 3 ? {} : recordFor(schema, rand, depth + 1);
    default:
      return stringFor(schema, rand, key);
  }
}

function stringFor(schema: Schema, rand: Rand, key: string): string {
  const k = key.toLowerCase();
  const when = new Date(Date.UTC(2023, rand.int(0, 11), rand.int(1, 28), rand.int(0, 23), rand.int(0, 59)));
  if (schema.format === "date-time" || k.endsWith("_at") || k.endsWith("date")) return isoSeconds(when);
  if (schema.format === "date") return when.toISOString().slice(0, 10);
  if (k.includes("email")) return `${rand.word()}.${rand.hex(4)}@example.com`;
  if (k.includes("url") || k.includes("uri") || k === "href" || k === "link")
    return `https://example.com/${rand.word()}/${rand.hex(8)}`;
  if (k === "id" || k.endsWith("_id") || k.endsWith("sid")) return rand.hex(16);
  return rand.words(rand.int(1, 3));
}

/** A record with every property of the schema, deterministic for the random source's state. */
export function recordFor(schema: Schema, rand: Rand, depth = 0): Json {
  const out: Json = {};
  for (const [key, prop] of Object.entries(schema.properties ?? {}))
    out[key] = valueFor(prop, rand, key, depth);
  return out;
}

// ---- datetime spellings (all UTC) ----

const pad = (n: number, w = 2) => String(n).padStart(w, "0");

/** 2024-01-02T03:04:05Z */
export function isoSeconds(d: Date): string {
  return `${d.toISOString().slice(0, 19)}Z`;
}
/** 2024-01-02T03:04:05.678Z */
export function isoMillis(d: Date): string {
  return d.toISOString();
}
/** 2024-01-02T03:04:05.678000Z (Python's %f: six digits) */
export function isoMicros(d: Date): string {
  return `${d.toISOString().slice(0, 19)}.${pad(d.getUTCMilliseconds(), 3)}000Z`;
}
/** 2024-01-02 03:04:05 */
export function spaceSeconds(d: Date): string {
  return `${d.toISOString().slice(0, 10)} ${d.toISOString().slice(11, 19)}`;
}
/** Unix seconds. */
export function epochSeconds(d: Date): number {
  return Math.floor(d.getTime() / 1000);
}
/** 2024-01-02 */
export function isoDate(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** A Date from an ISO-like string, with or without a zone (read as UTC), or from epoch seconds. */
export function parseUtc(value: string | number): Date {
  if (typeof value === "number" || /^\d+$/.test(value)) return new Date(Number(value) * 1000);
  const s = value.includes("T") ? value : value.replace(" ", "T");
  return new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(s) ? s : `${s}Z`);
}

/** `count` instants spread evenly from `from` (inclusive) to `to` (exclusive), oldest first. */
export function spread(from: Date, to: Date, count: number): Date[] {
  const step = (to.getTime() - from.getTime()) / Math.max(count, 1);
  return Array.from({ length: count }, (_, i) => new Date(Math.floor(from.getTime() + i * step)));
}
