// HTTPAPIBudget: the manifest's own pacing of requests, as the CDK's call_rate.py does it. A request
// takes a call from the first policy whose matchers match it (waiting while none is left), and each
// response updates that policy from its rate-limit headers (a 429 means none left).

import { parseDuration } from "../dates.ts";
import { DeclarativeError } from "../errors.ts";
import { evalString } from "../template.ts";
import { asArray, isObj, type Obj } from "../values.ts";

export interface RequestInfo {
  method: string;
  /** The URL as the manifest builds it (before the host map). */
  url: string;
  headers: Record<string, string>;
}

export interface Matcher {
  method: string | null;
  urlBase: string | null;
  pathPattern: RegExp | null;
  params: Record<string, string>;
  headers: Record<string, string>;
  weight: number | null;
}

export type Policy =
  | { kind: "unlimited"; matchers: Matcher[] }
  | { kind: "fixed"; matchers: Matcher[]; periodMs: number; callLimit: number }
  | { kind: "moving"; matchers: Matcher[]; rates: { limit: number; intervalMs: number }[] };

export interface BudgetSpec {
  policies: Policy[];
  resetHeader: string;
  remainingHeader: string;
  rateLimitStatuses: number[];
}

/** HttpRequestRegexMatcher.__call__. */
export function matches(m: Matcher, r: RequestInfo): boolean {
  if (m.method !== null && r.method.toUpperCase() !== m.method) return false;
  let url: URL;
  try {
    url = new URL(r.url);
  } catch {
    return false;
  }
  if (m.urlBase !== null && `${url.protocol}//${url.host}` !== m.urlBase) return false;
  if (m.pathPattern !== null && !m.pathPattern.test(url.pathname.replace(/\/+$/, ""))) return false;
  for (const [k, v] of Object.entries(m.params)) if (url.searchParams.get(k) !== v) return false;
  if (Object.keys(m.headers).length > 0) {
    const lower = Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k.toLowerCase(), v]));
    for (const [k, v] of Object.entries(m.headers)) if (lower[k] !== v) return false;
  }
  return true;
}

/** One policy's state. */
class PolicyState {
  private calls = 0;
  private nextReset: number;
  /** A moving window's calls: when, and how much each weighed. */
  private readonly log: { at: number; weight: number }[] = [];

  constructor(
    readonly policy: Policy,
    now: number,
  ) {
    this.nextReset = policy.kind === "fixed" ? now + policy.periodMs : 0;
  }

  matches(r: RequestInfo): boolean {
    return this.policy.matchers.length === 0 || this.policy.matchers.some((m) => matches(m, r));
  }

  /** BaseCallRatePolicy.get_weight: the first matching matcher's weight, else 1. */
  weight(r: RequestInfo): number {
    for (const m of this.policy.matchers) if (matches(m, r)) return m.weight ?? 1;
    return 1;
  }

  /** Takes `weight` calls, or gives the milliseconds to wait before trying again. */
  tryAcquire(weight: number, now: number): number | null {
    const p = this.policy;
    if (p.kind === "unlimited") return null;
    const most = p.kind === "fixed" ? p.callLimit : Math.min(...p.rates.map((r) => r.limit));
    if (weight > most)
      throw new DeclarativeError(
        `api_budget: a request weighing ${weight} can never fit a limit of ${most} calls (the CDK's "Weight can not exceed the call limit"). Lower the matcher's weight or raise the limit.`,
      );
    if (p.kind === "fixed") {
      this.rollWindow(now);
      if (this.calls + weight > p.callLimit) return Math.max(0, this.nextReset - now);
      this.calls += weight;
      return null;
    }
    let wait = 0;
    for (const rate of p.rates) {
      const since = now - rate.intervalMs;
      let used = 0;
      for (const e of this.log) if (e.at > since) used += e.weight;
      if (used + weight <= rate.limit) continue;
      // Until enough of the window's oldest calls have left it.
      let freed = 0;
      for (const e of this.log) {
        if (e.at <= since) continue;
        freed += e.weight;
        if (used - freed + weight <= rate.limit) {
          wait = Math.max(wait, e.at + rate.intervalMs - now);
          break;
        }
      }
    }
    if (wait > 0) return wait;
    this.log.push({ at: now, weight });
    const longest = Math.max(...p.rates.map((r) => r.intervalMs));
    while (this.log.length > 0 && (this.log[0] as { at: number }).at <= now - longest) this.log.shift();
    return null;
  }

  /** FixedWindowCallRatePolicy.update / MovingWindowCallRatePolicy.update. */
  update(available: number | null, resetAt: number | null, now: number): void {
    const p = this.policy;
    if (p.kind === "fixed") {
      this.rollWindow(now);
      if (available !== null && p.callLimit - this.calls > available) this.calls = p.callLimit - available;
      if (resetAt !== null) this.nextReset = resetAt;
    } else if (p.kind === "moving" && available === 0 && resetAt === null) {
      // The API says none is left: the first rate's window is filled now.
      const first = p.rates[0];
      if (first) {
        let used = 0;
        for (const e of this.log) if (e.at > now - first.intervalMs) used += e.weight;
        if (used < first.limit) this.log.push({ at: now, weight: first.limit - used });
      }
    }
  }

  private rollWindow(now: number): void {
    const p = this.policy;
    if (p.kind === "fixed" && now >= this.nextReset) {
      this.nextReset += p.periodMs;
      if (this.nextReset < now) this.nextReset = now + p.periodMs;
      this.calls = 0;
    }
  }
}

export class ApiBudget {
  private readonly states: PolicyState[];

  constructor(
    private readonly spec: BudgetSpec,
    private readonly now: () => number,
  ) {
    const t = now();
    this.states = spec.policies.map((p) => new PolicyState(p, t));
  }

  private policyFor(r: RequestInfo): PolicyState | null {
    return this.states.find((s) => s.matches(r)) ?? null;
  }

  /** APIBudget.acquire_call: waits (through `sleep`) until the matching policy has a call left. */
  async acquire(
    r: RequestInfo,
    sleep: (ms: number, signal: AbortSignal) => Promise<void>,
    signal: AbortSignal,
  ): Promise<void> {
    const state = this.policyFor(r);
    if (!state) return;
    const weight = state.weight(r);
    // APIBudget._do_acquire gives up after its attempts too.
    for (let attempt = 0; attempt < 100_000; attempt++) {
      const wait = state.tryAcquire(weight, this.now());
      if (wait === null) return;
      await sleep(Math.max(wait, 1), signal);
    }
    throw new DeclarativeError("api_budget: no call became available after 100000 waits.", "transient_error");
  }

  /** HttpAPIBudget.update_from_response. */
  update(r: RequestInfo, status: number, headers: Headers): void {
    const state = this.policyFor(r);
    if (!state) return;
    const remaining = headers.get(this.spec.remainingHeader);
    const reset = headers.get(this.spec.resetHeader);
    const available = remaining
      ? Number.parseInt(remaining, 10)
      : this.spec.rateLimitStatuses.includes(status)
        ? 0
        : null;
    const resetAt = reset ? Number.parseInt(reset, 10) * 1000 : null;
    state.update(
      available !== null && Number.isFinite(available) ? available : null,
      resetAt !== null && Number.isFinite(resetAt) ? resetAt : null,
      this.now(),
    );
  }
}

/** The manifest's api_budget (create_http_api_budget), or null without one. */
export function apiBudget(node: unknown, config: Obj, now: () => number): ApiBudget | null {
  if (!isObj(node)) return null;
  const ctx = { config, parameters: isObj(node.$parameters) ? node.$parameters : {} };
  const where = "api_budget";
  const durationMs = (v: unknown, at: string): number => {
    const d = typeof v === "string" ? parseDuration(v) : null;
    if (d?.months !== 0)
      throw new DeclarativeError(
        `${at}: '${String(v)}' is not an ISO 8601 duration in days, hours, minutes or seconds.`,
      );
    return d.micros / 1000;
  };
  const int = (v: unknown, at: string): number => {
    const n = Number(typeof v === "string" ? evalString(v, ctx) : v);
    if (!Number.isInteger(n) || n < 1)
      throw new DeclarativeError(`${at}: expected a whole number of at least 1, got '${String(v)}'.`);
    return n;
  };
  const matchers = (list: unknown, at: string): Matcher[] =>
    asArray<Obj>(list).map((m, i) => ({
      method: typeof m.method === "string" ? m.method.toUpperCase() : null,
      urlBase: typeof m.url_base === "string" ? m.url_base.replace(/\/+$/, "") : null,
      pathPattern: typeof m.url_path_pattern === "string" ? new RegExp(m.url_path_pattern) : null,
      params: Object.fromEntries(
        Object.entries(isObj(m.params) ? m.params : {}).map(([k, v]) => [k, String(v)]),
      ),
      headers: Object.fromEntries(
        Object.entries(isObj(m.headers) ? m.headers : {}).map(([k, v]) => [k.toLowerCase(), String(v)]),
      ),
      weight: m.weight === undefined || m.weight === null ? null : int(m.weight, `${at}[${i}].weight`),
    }));
  const policies: Policy[] = asArray<Obj>(node.policies).map((p, i) => {
    const at = `${where}.policies[${i}]`;
    const ms = matchers(p.matchers, `${at}.matchers`);
    switch (p.type) {
      case "UnlimitedCallRatePolicy":
        return { kind: "unlimited", matchers: ms };
      case "FixedWindowCallRatePolicy":
        return {
          kind: "fixed",
          matchers: ms,
          periodMs: durationMs(p.period, `${at}.period`),
          callLimit: int(p.call_limit, `${at}.call_limit`),
        };
      case "MovingWindowCallRatePolicy": {
        const rates = asArray<Obj>(p.rates).map((r, j) => ({
          limit: int(r.limit, `${at}.rates[${j}].limit`),
          intervalMs: durationMs(r.interval, `${at}.rates[${j}].interval`),
        }));
        if (rates.length === 0) throw new DeclarativeError(`${at}: The list of rates can not be empty`);
        return { kind: "moving", matchers: ms, rates };
      }
      default:
        throw new DeclarativeError(`${at}: unsupported component type '${String(p.type)}'`);
    }
  });
  return new ApiBudget(
    {
      policies,
      resetHeader:
        typeof node.ratelimit_reset_header === "string" ? node.ratelimit_reset_header : "ratelimit-reset",
      remainingHeader:
        typeof node.ratelimit_remaining_header === "string"
          ? node.ratelimit_remaining_header
          : "ratelimit-remaining",
      rateLimitStatuses: Array.isArray(node.status_codes_for_ratelimit_hit)
        ? node.status_codes_for_ratelimit_hit.map(Number)
        : [429],
    },
    now,
  );
}
