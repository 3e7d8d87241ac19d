// DatetimeBasedCursor slicing and state as the CDK's concurrent cursor does them
// (streams/concurrent/cursor.py _split_per_slice_range, datetime_stream_state_converter.py).

import { expect, test } from "bun:test";
import { CursorProgress, DatetimeCursor, type DatetimeCursorSpec } from "../../src/declarative/cursor.ts";
import { parseDuration } from "../../src/declarative/dates.ts";

const NOW = new Date("2024-01-10T12:00:00Z");

function cursor(over: Partial<DatetimeCursorSpec>): DatetimeCursor {
  return new DatetimeCursor(
    {
      cursorField: "updated",
      datetimeFormat: "%Y-%m-%dT%H:%M:%SZ",
      cursorFormats: [],
      start: { datetime: "{{ config['start'] }}", format: null, min: null, max: null },
      end: null,
      step: null,
      granularity: null,
      lookback: null,
      startOption: null,
      endOption: null,
      startKey: "start_time",
      endKey: "end_time",
      isDataFeed: false,
      clientSide: false,
      parameters: {},
      ...over,
    },
    { start: "2024-01-01T00:00:00Z" },
    () => NOW,
  );
}
const micros = (iso: string) => Date.parse(iso) * 1000;
const pairs = (c: DatetimeCursor, state: number | null) =>
  c.slices(state).map((s) => [s.start_time, s.end_time]);

test("steps end a granularity before the next starts, except the last, which ends at the upper bound", () => {
  const c = cursor({
    end: { datetime: "2024-01-03T00:00:00Z", format: null, min: null, max: null },
    step: parseDuration("P1D"),
    granularity: parseDuration("PT1S"),
  });
  expect(pairs(c, null)).toEqual([
    ["2024-01-01T00:00:00Z", "2024-01-01T23:59:59Z"],
    ["2024-01-02T00:00:00Z", "2024-01-03T00:00:00Z"],
  ]);
});

test("no step: one slice from max(start, state - lookback) to now; an empty range gives none", () => {
  const c = cursor({ lookback: parseDuration("P1D") });
  expect(pairs(c, null)).toEqual([["2024-01-01T00:00:00Z", "2024-01-10T12:00:00Z"]]);
  expect(pairs(c, micros("2024-01-05T00:00:00Z"))).toEqual([
    ["2024-01-04T00:00:00Z", "2024-01-10T12:00:00Z"],
  ]);
  // A state at "now" (minus no lookback) leaves nothing to read.
  expect(pairs(cursor({}), micros("2024-01-10T12:00:00Z"))).toEqual([]);
});

test("the state never falls below the start: a saved value older than start_datetime moves up to it", () => {
  const c = cursor({});
  const old = micros("2023-06-01T00:00:00Z");
  const progress = new CursorProgress(c, c.syncStart(old));
  expect(progress.state()).toEqual({ updated: "2024-01-01T00:00:00Z" });
  progress.observe({ updated: "2024-01-04T10:00:00Z" });
  progress.observe({ updated: "2024-01-02T10:00:00Z" });
  progress.observe({ updated: "not a date" });
  expect(progress.state()).toEqual({ updated: "2024-01-04T10:00:00Z" });
});

test("records are in range from the sync start (state, no lookback) to the end", () => {
  const c = cursor({ lookback: parseDuration("P2D") });
  const progress = new CursorProgress(c, c.syncStart(micros("2024-01-05T00:00:00Z")));
  const end = c.endMicros();
  expect(progress.inRange({ updated: "2024-01-04T00:00:00Z" }, end)).toBe(false);
  expect(progress.inRange({ updated: "2024-01-05T00:00:00Z" }, end)).toBe(true);
  expect(progress.inRange({ updated: "2024-01-11T00:00:00Z" }, end)).toBe(false);
  expect(progress.inRange({ id: 1 }, end)).toBe(true);
});
