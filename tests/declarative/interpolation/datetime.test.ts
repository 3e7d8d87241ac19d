// Python-like datetimes: the expected texts are what CPython 3.11 on glibc (datetime, _strptime) and
// dateutil.parser.isoparse print for the same inputs; the epoch formats follow the CDK's DatetimeParser.

import { describe, expect, test } from "bun:test";
import {
  formatDatetime,
  isoparse,
  PyDate,
  PyDateTime,
  PyTimedelta,
  parseDatetime,
  parseIsoDuration,
  parseIsoLike,
  strptime,
} from "../../../src/declarative/interpolation/datetime.ts";

const utc = (y: number, mo: number, d: number, h = 0, mi = 0, s = 0, us = 0) =>
  PyDateTime.of({ y, mo, d, h, mi, s, us }, 0);
const dt = utc(2024, 2, 29, 13, 5, 9, 7008);

describe("str() and repr()", () => {
  test("datetime", () => {
    expect(String(dt)).toBe("2024-02-29 13:05:09.007008+00:00");
    expect(String(utc(2021, 9, 1))).toBe("2021-09-01 00:00:00+00:00");
    expect(dt.repr()).toBe("datetime.datetime(2024, 2, 29, 13, 5, 9, 7008, tzinfo=datetime.timezone.utc)");
    expect(utc(2021, 9, 1).repr()).toBe("datetime.datetime(2021, 9, 1, 0, 0, tzinfo=datetime.timezone.utc)");
    const off = PyDateTime.of({ y: 2024, mo: 1, d: 1 }, 330);
    expect(String(off)).toBe("2024-01-01 00:00:00+05:30");
    expect(off.isoformat("T", "milliseconds")).toBe("2024-01-01T00:00:00.000+05:30");
    expect(off.repr()).toBe(
      "datetime.datetime(2024, 1, 1, 0, 0, tzinfo=datetime.timezone(datetime.timedelta(seconds=19800)))",
    );
    const naive = PyDateTime.of({ y: 2024, mo: 1, d: 1, us: 5 }, null);
    expect(String(naive)).toBe("2024-01-01 00:00:00.000005");
    expect(naive.repr()).toBe("datetime.datetime(2024, 1, 1, 0, 0, 0, 5)");
    expect(naive.strftime("%z|%Z")).toBe("|");
  });

  test("date and timedelta", () => {
    expect(String(PyDate.of(2021, 9, 1))).toBe("2021-09-01");
    expect(String(PyTimedelta.of({ seconds: -10 }))).toBe("-1 day, 23:59:50");
    expect(PyTimedelta.of({ seconds: -10 }).repr()).toBe("datetime.timedelta(days=-1, seconds=86390)");
    expect(String(PyTimedelta.of({ days: 2, microseconds: 5 }))).toBe("2 days, 0:00:00.000005");
    expect(String(PyTimedelta.of({ hours: 25 }))).toBe("1 day, 1:00:00");
    expect(PyTimedelta.of({}).repr()).toBe("datetime.timedelta(0)");
  });
});

describe("strftime", () => {
  test.each([
    ["%Y-%m-%dT%H:%M:%S.%fZ", "2024-02-29T13:05:09.007008Z"],
    ["%a %A %b %B %c", "Thu Thursday Feb February Thu Feb 29 13:05:09 2024"],
    ["%d %e %j %U %W %w %u %V %G %g", "29 29 060 08 09 4 4 09 2024 24"],
    ["%I %p %l %k %P", "01 PM  1 13 pm"],
    ["%x %X %D %F %T %R %r", "02/29/24 13:05:09 02/29/24 2024-02-29 13:05:09 13:05 01:05:09 PM"],
    ["%y %C %h %n%t%%", "24 20 Feb \n\t%"],
    ["%z %Z", "+0000 UTC"],
    ["%-d/%-m %_d", "29/2 29"],
    ["%s", "1709211909"],
    ["%Q", "%Q"],
  ])("%s", (format, expected) => {
    expect(dt.strftime(format)).toBe(expected);
  });

  test("an offset prints as +HHMM and UTC+HH:MM", () => {
    expect(PyDateTime.of({ y: 2024, mo: 1, d: 1 }, 330).strftime("%z %Z")).toBe("+0530 UTC+05:30");
  });
});

describe("strptime", () => {
  test.each([
    ["2024-02-29 13:05:09.7", "%Y-%m-%d %H:%M:%S.%f", "2024-02-29 13:05:09.700000"],
    ["29/02/24 1PM", "%d/%m/%y %I%p", "2024-02-29 13:00:00"],
    ["Thu, 29 Feb 2024 13:05:09 -0800", "%a, %d %b %Y %H:%M:%S %z", "2024-02-29 13:05:09-08:00"],
    ["2024-060", "%Y-%j", "2024-02-29 00:00:00"],
    ["2024-02-29T13:05:09+05:30", "%Y-%m-%dT%H:%M:%S%z", "2024-02-29 13:05:09+05:30"],
    // %:z as Python 3.12 reads it: what strftime writes with %:z reads back.
    ["2024-02-29T13:05:09+05:30", "%Y-%m-%dT%H:%M:%S%:z", "2024-02-29 13:05:09+05:30"],
    ["2024 9 1", "%Y %W %w", "2024-02-26 00:00:00"],
    ["2024-01-05  x", "%Y-%m-%d x", "2024-01-05 00:00:00"],
    ["68", "%y", "2068-01-01 00:00:00"],
    ["12:00 am", "%I:%M %p", "1900-01-01 00:00:00"],
    ["JANUARY 5 2024", "%B %d %Y", "2024-01-05 00:00:00"],
    ["2024-01-01Z", "%Y-%m-%d%z", "2024-01-01 00:00:00+00:00"],
    ["2024-01-01 UTC", "%Y-%m-%d %Z", "2024-01-01 00:00:00"],
  ])("%s with %s", (text, format, expected) => {
    expect(String(strptime(text, format))).toBe(expected);
  });

  test.each([
    ["  2024-1-5", "%Y-%m-%d"],
    ["1969", "%y"],
    ["2024-02-30", "%Y-%m-%d"],
    ["2024-01-01 extra", "%Y-%m-%d"],
    ["2024-01-01", "%Y-%m-%dT"],
    ["2024-01-01z", "%Y-%m-%d%z"],
    ["2024", "%Y %"],
    ["2024", "%Y %Q"],
  ])("%s with %s is a ValueError", (text, format) => {
    expect(() => strptime(text, format)).toThrow();
  });
});

describe("isoparse (dateutil) and str_to_datetime", () => {
  test.each([
    ["2024-02-29", "2024-02-29 00:00:00"],
    ["20240229", "2024-02-29 00:00:00"],
    ["2024-02", "2024-02-01 00:00:00"],
    ["2024", "2024-01-01 00:00:00"],
    ["2024-W09-4", "2024-02-29 00:00:00"],
    ["2024W094", "2024-02-29 00:00:00"],
    ["2024-060", "2024-02-29 00:00:00"],
    ["2024060", "2024-02-29 00:00:00"],
    ["2024-02-29T13", "2024-02-29 13:00:00"],
    ["2024-02-29T1305", "2024-02-29 13:05:00"],
    ["2024-02-29T13:05:09.123456789", "2024-02-29 13:05:09.123456"],
    ["2024-02-29T13:05:09,5Z", "2024-02-29 13:05:09.500000+00:00"],
    ["2024-02-29 13:05:09-08", "2024-02-29 13:05:09-08:00"],
    ["2024-02-29T24:00", "2024-03-01 00:00:00"],
    ["2024-02-29T13:05:09+0530", "2024-02-29 13:05:09+05:30"],
    ["2024-02-29X13:05", "2024-02-29 13:05:00"],
    ["2024-02-29T13:5", "2024-02-29 13:05:00"],
  ])("%s", (text, expected) => {
    expect(String(isoparse(text))).toBe(expected);
  });

  test.each(["2024-02-29T13:05:09 ", "not a date", "2024-13-01", "2024-02-29T13:05:60"])(
    "%p fails",
    (text) => {
      expect(() => isoparse(text)).toThrow();
      expect(parseIsoLike(text)).toBeNull();
    },
  );

  test("str_to_datetime assumes UTC and converts to it", () => {
    expect(String(parseIsoLike("2022-01-01T13:45:30+05:30"))).toBe("2022-01-01 08:15:30+00:00");
    expect(String(parseIsoLike("2022-01-01 13:45:30"))).toBe("2022-01-01 13:45:30+00:00");
  });
});

describe("the CDK's DatetimeParser", () => {
  test("epoch formats parse numbers and digit strings, naive results become UTC", () => {
    expect(String(parseDatetime(1640998861, "%s"))).toBe("2022-01-01 01:01:01+00:00");
    expect(String(parseDatetime("1640998861", "%s"))).toBe("2022-01-01 01:01:01+00:00");
    expect(String(parseDatetime(1640998861.9, "%s"))).toBe("2022-01-01 01:01:01+00:00");
    expect(parseDatetime("1640998861.9", "%s")).toBeNull(); // int("1640998861.9") raises
    expect(String(parseDatetime("1640998861.5", "%s_as_float"))).toBe("2022-01-01 01:01:01.500000+00:00");
    expect(String(parseDatetime(1640998861000, "%ms"))).toBe("2022-01-01 01:01:01+00:00");
    expect(String(parseDatetime("1640998861000001", "%epoch_microseconds"))).toBe(
      "2022-01-01 01:01:01.000001+00:00",
    );
    expect(String(parseDatetime("2022-01-01", "%Y-%m-%d"))).toBe("2022-01-01 00:00:00+00:00");
    expect(String(parseDatetime(20220101, "%Y%m%d"))).toBe("2022-01-01 00:00:00+00:00");
    expect(String(parseDatetime("2022-01-01T00:00:00.123Z", "%Y-%m-%dT%H:%M:%S.%_msZ"))).toBe(
      "2022-01-01 00:00:00.123000+00:00",
    );
    expect(parseDatetime("2022-01-01", "%Y-%m-%dT%H:%M:%SZ")).toBeNull();
  });

  test("epoch formats format from the instant", () => {
    const d = utc(2022, 1, 1, 1, 1, 1, 500000);
    expect(formatDatetime(d, "%s")).toBe("1640998861");
    expect(formatDatetime(d, "%ms")).toBe("1640998861500");
    expect(formatDatetime(d, "%s_as_float")).toBe("1640998861.5");
    expect(formatDatetime(utc(2022, 1, 1), "%s_as_float")).toBe("1640995200.0");
    expect(formatDatetime(d, "%epoch_microseconds")).toBe("1640998861500000");
    expect(formatDatetime(d, "%Y-%m-%dT%H:%M:%S.%_msZ")).toBe("2022-01-01T01:01:01.500Z");
    const offset = PyDateTime.of({ y: 2022, mo: 1, d: 1, h: 6 }, 300);
    expect(formatDatetime(offset, "%s")).toBe("1640998800");
  });

  const FORMATS = [
    "%Y-%m-%dT%H:%M:%SZ",
    "%Y-%m-%dT%H:%M:%S.%fZ",
    "%Y-%m-%dT%H:%M:%S.%f%z",
    "%Y-%m-%d",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S.%_msZ",
    "%s",
    "%ms",
    "%s_as_float",
    "%epoch_microseconds",
    "%a, %d %b %Y %H:%M:%S %z",
  ];
  const samples = [
    utc(2024, 2, 29, 13, 5, 9, 7008),
    utc(1970, 1, 1),
    utc(2000, 1, 1, 0, 0, 0, 1000),
    utc(9999, 12, 31, 23, 59, 59),
    utc(9999, 12, 31, 23, 59, 59, 999999),
  ];
  test.each(FORMATS)("%s round-trips to the format's precision", (format) => {
    // Epoch formats go through Python's float timestamp, which rounds 9999-12-31 23:59:59.999999 up
    // to year 10000 (in Python too), so that sample is for the calendar formats only.
    const epoch = format.startsWith("%s") || format === "%ms" || format === "%epoch_microseconds";
    for (const d of epoch ? samples.slice(0, 4) : samples) {
      const text = formatDatetime(d, format);
      const back = parseDatetime(text, format);
      expect(back).not.toBeNull();
      const b = back as PyDateTime;
      expect(formatDatetime(b, format)).toBe(text);
      const precision = /%f|%_ms|%ms|%epoch_microseconds|%s_as_float/.test(format)
        ? format.includes("ms")
          ? 1000
          : 1
        : format === "%Y-%m-%d"
          ? 86_400e6
          : 1e6;
      const instant = (x: PyDateTime) => x.wallSec - (x.offsetMinutes ?? 0) * 60;
      const drift = (instant(d) - instant(b)) * 1e6 + d.usec - b.usec;
      expect(drift >= 0 && drift < precision).toBe(true);
    }
  });
});

describe("timedelta and durations", () => {
  test("arithmetic keeps microseconds exact up to year 9999", () => {
    const end = utc(9999, 12, 31, 23, 59, 59, 999999);
    expect(String(end.add(PyTimedelta.of({ microseconds: -999999 })))).toBe("9999-12-31 23:59:59+00:00");
    expect(String(end.diff(utc(1, 1, 1)))).toBe("3652058 days, 23:59:59.999999");
  });

  test("isodate durations", () => {
    expect(String(parseIsoDuration("P1W"))).toBe("7 days, 0:00:00");
    expect(String(parseIsoDuration("PT0.5S"))).toBe("0:00:00.500000");
    expect(String(parseIsoDuration("-P1D"))).toBe("-1 day, 0:00:00");
    expect(String(parseIsoDuration("P1DT2H3M4S"))).toBe("1 day, 2:03:04");
    expect(() => parseIsoDuration("1D")).toThrow();
    expect(() => parseIsoDuration("P")).toThrow();
  });

  test("calendar months clamp to the month's last day, as isodate does", () => {
    const jan31 = utc(2024, 1, 31, 10);
    expect(String(jan31.add(parseIsoDuration("P1M")))).toBe("2024-02-29 10:00:00+00:00");
    expect(String(jan31.add(parseIsoDuration("P1Y1M")))).toBe("2025-02-28 10:00:00+00:00");
    expect(String(jan31.add(parseIsoDuration("P1M").negate()))).toBe("2023-12-31 10:00:00+00:00");
    expect(String(utc(2024, 3, 31).add(parseIsoDuration("P1MT1H").negate()))).toBe(
      "2024-02-28 23:00:00+00:00",
    );
  });

  test("naive and aware datetimes do not mix", () => {
    const naive = PyDateTime.of({ y: 2024, mo: 1, d: 1 }, null);
    expect(() => naive.diff(utc(2024, 1, 1))).toThrow(/offset-naive/);
    expect(naive.equals(utc(2024, 1, 1))).toBe(false);
  });
});
