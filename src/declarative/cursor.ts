// DatetimeBasedCursor as the CDK's concurrent cursor runs it: date-range slices from
// max(start_datetime, state - lookback) to min(end_datetime, now), request options for the
// slice bounds, and a state that is the latest record cursor value (else the start).

import { isRawJson } from "../core/json.ts";
import { addDuration, type Duration, formatMicros, nowMicros, parseAnyMicros, parseMicros } from "./dates.ts";
import { DeclarativeError } from "./errors.ts";
import type { RequestOption, RequestParts } from "./request.ts";
import { evalString, evaluate, renderTemplate } from "./template.ts";
import type { Obj } from "./values.ts";

export interface MinMax {
  datetime: string;
  format: string | null;
  min: string | null;
  max: string | null;
}

export interface DatetimeCursorSpec {
  cursorField: string;
  datetimeFormat: string;
  cursorFormats: string[];
  start: MinMax;
  end: MinMax | null;
  step: Duration | null;
  granularity: Duration | null;
  lookback: Duration | null;
  startOption: RequestOption | null;
  endOption: RequestOption | null;
  startKey: string;
  endKey: string;
  isDataFeed: boolean;
  /** is_compare_strictly: the range ends before `end`, not at it. */
  strict?: boolean;
  clientSide: boolean;
  /** global_substream_cursor: one cursor for all the partitions (a per-partition read's global state). */
  globalSubstream?: boolean;
  parameters: Obj;
}

export class DatetimeCursor {
  readonly field: string;
  private readonly startKey: string;
  private readonly endKey: string;

  constructor(
    readonly spec: DatetimeCursorSpec,
    private readonly config: Obj,
    private readonly now: () => Date,
  ) {
    const ctx = { config, parameters: spec.parameters };
    this.field = evalString(spec.cursorField, ctx);
    this.startKey = evalString(spec.startKey, ctx);
    this.endKey = evalString(spec.endKey, ctx);
  }

  private get formats(): string[] {
    return [...this.spec.cursorFormats, this.spec.datetimeFormat];
  }

  /** A record's (or a state's) cursor value as microseconds; null when absent. */
  parse(value: unknown): number | null {
    if (value === null || value === undefined || value === "") return null;
    const t = parseMicros(value, this.formats);
    if (t === null) {
      throw new DeclarativeError(
        `The cursor value of '${this.field}' matches none of the formats ${JSON.stringify(this.formats)}. Check the stream's cursor_datetime_formats.`,
      );
    }
    return t;
  }

  format(micros: number): string {
    return formatMicros(micros, this.spec.datetimeFormat);
  }

  private minMax(m: MinMax): number {
    const ctx = { config: this.config, parameters: this.spec.parameters };
    const formats = m.format ? [m.format] : this.formats;
    const read = (template: string, what: string): number => {
      // The run's clock, so now_utc() in start/end agrees with the cursor's own "now".
      const v = typeof template === "string" ? evaluate(template, ctx, { now: this.now }) : template;
      const t =
        parseAnyMicros(v) ??
        parseMicros(v, formats) ??
        parseMicros(v, this.formats) ??
        parseAnyMicros(String(v ?? ""));
      if (t === null) {
        throw new DeclarativeError(
          `The ${what} of the incremental sync ('${template}') is not a date in the format ${formats[0]}. Check that value in the config.`,
          "config_error",
        );
      }
      return t;
    };
    let t = read(m.datetime, `${this.field} start/end`);
    // MinMaxDatetime: a bound that renders empty is no bound.
    const bound = (template: string) => renderTemplate(template, ctx, { now: this.now }) !== "";
    if (m.min && bound(m.min)) t = Math.max(t, read(m.min, "min_datetime"));
    if (m.max && bound(m.max)) t = Math.min(t, read(m.max, "max_datetime"));
    return t;
  }

  startMicros(): number {
    return this.minMax(this.spec.start);
  }

  /** The end of the range: end_datetime (not capped, as the CDK's concurrent cursor), else now. */
  endMicros(): number {
    return this.spec.end ? this.minMax(this.spec.end) : nowMicros(this.now);
  }

  /** Where a read starts given a saved cursor value: max(start, state - lookback). */
  earliest(stateValue: number | null): number {
    const start = this.startMicros();
    if (stateValue === null) return start;
    const back = this.spec.lookback ? addDuration(stateValue, this.spec.lookback, -1) : stateValue;
    return Math.max(start, back);
  }

  /** The sync start the state and the record checks use: max(start, state), no lookback. */
  syncStart(stateValue: number | null): number {
    const start = this.startMicros();
    return stateValue === null ? start : Math.max(start, stateValue);
  }

  /**
   * The cursor slices of one read, as the CDK's concurrent cursor cuts them: none when the range
   * is empty; one [lower, upper] without a step; else steps, each ending a granularity before
   * the next one starts, except the last, which ends at the upper bound.
   */
  slices(stateValue: number | null): Obj[] {
    const lower = this.earliest(stateValue);
    const upper = this.endMicros();
    const slice = (a: number, b: number) => ({
      [this.startKey]: this.format(a),
      [this.endKey]: this.format(b),
    });
    if (lower >= upper) return [];
    const step = this.spec.step;
    if (!step || addDuration(lower, step) >= upper) return [slice(lower, upper)];
    const out: Obj[] = [];
    let l = lower;
    for (;;) {
      const next = addDuration(l, step);
      if (next <= l) break;
      const u = Math.min(next, upper);
      const reached = u >= upper;
      const end = this.spec.granularity && !reached ? addDuration(u, this.spec.granularity, -1) : u;
      out.push(slice(l, end));
      if (reached) break;
      l = u;
    }
    return out;
  }

  /** The slice from `micros` on (its end kept): a slice narrowed by a pagination reset. */
  withStart(cursorSlice: Obj, micros: number): Obj {
    return { ...cursorSlice, [this.startKey]: this.format(micros) };
  }

  sliceStart(cursorSlice: Obj): number | null {
    return parseMicros(cursorSlice[this.startKey], [this.spec.datetimeFormat]);
  }

  inject(parts: RequestParts, ctx: Obj, cursorSlice: Obj): void {
    if (this.spec.startOption && cursorSlice[this.startKey] !== undefined) {
      parts.inject(this.spec.startOption, cursorSlice[this.startKey], ctx);
    }
    if (this.spec.endOption && cursorSlice[this.endKey] !== undefined) {
      parts.inject(this.spec.endOption, cursorSlice[this.endKey], ctx);
    }
  }

  /**
   * The cursor value of a saved state, or null when it has none. A value in none of the cursor's
   * formats is an error, as in the CDK (its state converter raises "No format in ... matching"):
   * reading on from a guess could skip data or read it all again.
   */
  savedValue(state: unknown): number | null {
    if (state === null || typeof state !== "object") return null;
    const v = (state as Obj)[this.field];
    if (v === undefined || v === null) return null;
    const t = parseMicros(v, this.formats);
    if (t === null) {
      throw new DeclarativeError(
        `The saved state's ${this.field} value ${JSON.stringify(v)} is in none of the cursor's formats (${this.formats.join(", ")}); the CDK refuses such a state too. Reset the stream's state to read it from the start again, or give the value in one of those formats.`,
      );
    }
    return t;
  }

  /** A cursor value as a state holds it (a record's, say), read leniently; null when unreadable. */
  stateValue(state: unknown): number | null {
    if (state === null || typeof state !== "object") return null;
    const v = (state as Obj)[this.field];
    if (v === undefined || v === null) return null;
    return parseMicros(v, this.formats) ?? parseAnyMicros(v);
  }
}

/**
 * Tracks the most recent cursor value of one partition (or of the whole stream), from the sync
 * start on: a stream with no new record keeps max(start, state) as its state.
 */
export class CursorProgress {
  latest: number;
  constructor(
    private readonly cursor: DatetimeCursor,
    readonly start: number,
  ) {
    this.latest = start;
  }

  /** A record without a readable cursor value is skipped, as the CDK only logs it. */
  observe(record: Obj): void {
    let t: number | null;
    try {
      t = this.cursor.parse(record[this.cursor.field]);
    } catch {
      return;
    }
    if (t === null) return;
    if (t > this.latest) this.latest = t;
  }

  state(): Obj {
    return { [this.cursor.field]: this.cursor.format(this.latest) };
  }

  /** The CDK's should_be_synced: start <= value <= end; a record without a value is kept. */
  inRange(record: Obj, end: number): boolean {
    let t: number | null;
    try {
      t = this.cursor.parse(record[this.cursor.field]);
    } catch {
      return true;
    }
    return t === null || (t >= this.start && t <= end);
  }
}

/**
 * IncrementingCountCursor as the CDK's concurrent source runs it (a ConcurrentCursor with an
 * integer state): one slice {start: max(state, start_value), end: Infinity}, the lower bound in
 * start_value_option, and a state of the greatest cursor value seen (other keys of the incoming
 * state kept). Values stay as the API sent them, so an id beyond 2^53 stays exact.
 */
export class CountCursor {
  readonly field: string;
  private readonly startValue: number;

  constructor(
    private readonly startOption: RequestOption | null,
    cursorField: unknown,
    startValue: unknown,
    config: Obj,
    parameters: Obj,
  ) {
    const ctx = { config, parameters };
    this.field = evalString(cursorField, ctx);
    // start_value is interpolated and read as an integer; absent or empty means 0.
    const v = typeof startValue === "string" ? evalString(startValue, ctx).trim() : startValue;
    const n = v === undefined || v === null || v === "" ? 0 : Number(v);
    if (!Number.isFinite(n))
      throw new DeclarativeError(
        `IncrementingCountCursor: start_value ${JSON.stringify(v)} is not a number. Check the value it reads from the config.`,
        "config_error",
      );
    this.startValue = n;
  }

  /** Where a read starts: the saved value when it is at least start_value (a 0 counts as none). */
  syncStart(state: Obj): unknown {
    const saved = state[this.field];
    return isCount(saved) && countOf(saved) !== 0n && compareCounts(saved, this.startValue) >= 0
      ? saved
      : this.startValue;
  }

  /** The one cursor slice of a read from `state`: from its sync start, without an end. */
  slice(state: Obj): Obj {
    return { start: this.syncStart(state), end: Number.POSITIVE_INFINITY };
  }

  inject(parts: RequestParts, ctx: Obj, cursorSlice: Obj): void {
    if (this.startOption && cursorSlice.start !== undefined)
      parts.inject(this.startOption, cursorSlice.start, ctx);
  }

  /** The state to emit: the greatest value seen, else where the read started (0: start_value). */
  state(incoming: Obj, syncStart: unknown, latest: unknown): Obj {
    const top = latest !== null && compareCounts(latest, syncStart) > 0 ? latest : syncStart;
    return { ...incoming, [this.field]: isCount(top) && countOf(top) === 0n ? this.startValue : top };
  }
}

/** A cursor value that compares as a count: a JSON integer or number (raw beyond 2^53), or its digits. */
export function isCount(v: unknown): boolean {
  return (
    (typeof v === "number" && Number.isFinite(v)) ||
    (typeof v === "string" && /^-?\d+$/.test(v.trim())) ||
    isRawJson(v)
  );
}

function countOf(v: unknown): bigint {
  if (typeof v === "number") return BigInt(Math.trunc(v));
  if (isRawJson(v)) return BigInt((v as { rawJSON: string }).rawJSON);
  return BigInt(String(v).trim());
}

/** Compares two counts exactly (fractions by their integral part, as ids have none). */
export function compareCounts(a: unknown, b: unknown): number {
  if (typeof a === "number" && typeof b === "number") return a === b ? 0 : a < b ? -1 : 1;
  const x = countOf(a);
  const y = countOf(b);
  return x === y ? 0 : x < y ? -1 : 1;
}
