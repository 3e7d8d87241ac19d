// Replaces every known secret value with "****" in anything that leaves the process.

import { isRawJson } from "./json.ts";

export const MASK = "****";

export class Redactor {
  private pattern: RegExp | null = null;
  private readonly forms = new Set<string>();

  constructor(secrets: Iterable<string>) {
    this.add(secrets);
  }

  /** Learns more secret values (for example one a secret reference resolved to). */
  add(secrets: Iterable<string>): void {
    const before = this.forms.size;
    for (const s of secrets) {
      if (s === "") continue;
      this.forms.add(s);
      // The same value as it appears inside a JSON string or a URL.
      this.forms.add(JSON.stringify(s).slice(1, -1));
      this.forms.add(encodeURIComponent(s));
    }
    if (this.forms.size === before) return;
    // Longest first, so that a secret containing another is masked whole.
    const sorted = [...this.forms].sort((a, b) => b.length - a.length);
    this.pattern = new RegExp(sorted.map(escapeRegExp).join("|"), "g");
  }

  get isEmpty(): boolean {
    return this.pattern === null;
  }

  text(s: string): string {
    if (this.pattern === null || s === "") return s;
    return s.replace(this.pattern, MASK);
  }

  /**
   * A deep copy of a JSON-like value with every string value redacted. Keys are left alone: they
   * are field names fixed by schemas, and masking one would make the value unreadable.
   */
  value<T>(v: T): T {
    if (this.pattern === null) return v;
    return this.walk(v) as T;
  }

  private walk(v: unknown): unknown {
    if (typeof v === "string") return this.text(v);
    if (Array.isArray(v)) return v.map((x) => this.walk(x));
    // An integer kept exact from JSON (src/core/json.ts) is a number, not an object to copy.
    if (isRawJson(v)) return v;
    if (v !== null && typeof v === "object") {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = this.walk(x);
      return out;
    }
    return v;
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
