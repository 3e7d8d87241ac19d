// Times in the runner are epoch microseconds (UTC); this adapts them to the interpolation
// engine's Python-like datetimes for formatting and parsing, and reads ISO 8601 durations.

import { formatDatetime, PyDateTime, parseDatetime, parseIsoLike } from "./interpolation/datetime.ts";

export function formatMicros(micros: number, format: string): string {
  return formatDatetime(PyDateTime.fromEpochMicros(micros), format);
}

/** Tries each format in order, like the CDK's cursor_datetime_formats then datetime_format. */
export function parseMicros(value: unknown, formats: readonly string[]): number | null {
  if (value === null || value === undefined || value === "") return null;
  for (const f of formats) {
    const d = parseDatetime(typeof value === "number" ? value : String(value), f);
    if (d) return d.epochMicros();
  }
  return null;
}

export function parseAnyMicros(value: unknown): number | null {
  if (value instanceof PyDateTime) return value.epochMicros();
  if (typeof value !== "string" || value === "") return null;
  return parseIsoLike(value)?.epochMicros() ?? null;
}

export function nowMicros(now: () => Date): number {
  return now().getTime() * 1000;
}

/** An ISO 8601 duration: calendar months apart, because P1M is not a fixed length. */
export interface Duration {
  months: number;
  micros: number;
}

const DURATION =
  /^P(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

export function parseDuration(text: string): Duration | null {
  const m = DURATION.exec(text.trim());
  if (!m || text.trim() === "P" || text.trim().endsWith("T")) return null;
  const n = (i: number) => Number(m[i] ?? 0);
  const days = n(3) * 7 + n(4);
  return {
    months: n(1) * 12 + n(2),
    micros: Math.round((((days * 24 + n(5)) * 60 + n(6)) * 60 + n(7)) * 1e6),
  };
}

export function addDuration(micros: number, d: Duration, sign = 1): number {
  let t = micros;
  if (d.months !== 0) {
    const date = new Date(Math.floor(t / 1000));
    const sub = t - Math.floor(t / 1000) * 1000;
    const day = date.getUTCDate();
    date.setUTCDate(1);
    date.setUTCMonth(date.getUTCMonth() + sign * d.months);
    const last = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0)).getUTCDate();
    date.setUTCDate(Math.min(day, last));
    t = date.getTime() * 1000 + sub;
  }
  return t + sign * d.micros;
}
