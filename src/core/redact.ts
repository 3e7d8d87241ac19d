// Replaces every known secret value with "****" in anything that leaves the process.

export const MASK = "****";

export class Redactor {
  private readonly pattern: RegExp | null;

  constructor(secrets: Iterable<string>) {
    const forms = new Set<string>();
    for (const s of secrets) {
      if (s === "") continue;
      forms.add(s);
      // The same value as it appears inside a JSON string or a URL.
      forms.add(JSON.stringify(s).slice(1, -1));
      forms.add(encodeURIComponent(s));
    }
    // Longest first, so that a secret containing another is masked whole.
    const sorted = [...forms].sort((a, b) => b.length - a.length);
    this.pattern = sorted.length === 0 ? null : new RegExp(sorted.map(escapeRegExp).join("|"), "g");
  }

  get isEmpty(): boolean {
    return this.pattern === null;
  }

  text(s: string): string {
    if (this.pattern === null || s === "") return s;
    return s.replace(this.pattern, MASK);
  }

  /** A deep copy of a JSON-like value with every string (and object key) redacted. */
  value<T>(v: T): T {
    if (this.pattern === null) return v;
    return this.walk(v) as T;
  }

  private walk(v: unknown): unknown {
    if (typeof v === "string") return this.text(v);
    if (Array.isArray(v)) return v.map((x) => this.walk(x));
    if (v !== null && typeof v === "object") {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[this.text(k)] = this.walk(x);
      return out;
    }
    return v;
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
