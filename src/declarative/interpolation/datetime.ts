// Python's datetime, date and timedelta as the CDK's templates see them: strftime/strptime with the
// glibc directives a Linux CPython passes through, str()/repr() text, dateutil's isoparse, isodate's
// durations, and the CDK DatetimeParser's special formats (%s, %ms, %s_as_float, %epoch_microseconds).

import { PyValueError as DateValueError, PyTypeError } from "./errors.ts";

const US_PER_SEC = 1_000_000;
const SEC_PER_DAY = 86_400;
const MIN_DAYS = daysFromCivil(1, 1, 1);
const MAX_DAYS = daysFromCivil(9999, 12, 31);

/** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm). */
export function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  return era * 146097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719468;
}

export function civilFromDays(days: number): [number, number, number] {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}

const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
export function daysInMonth(y: number, m: number): number {
  return m === 2
    ? isLeap(y)
      ? 29
      : 28
    : ([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1] as number);
}

function checkDate(y: number, m: number, d: number): void {
  if (!Number.isInteger(y) || y < 1 || y > 9999) throw new DateValueError("year is out of range");
  if (!Number.isInteger(m) || m < 1 || m > 12) throw new DateValueError("month must be in 1..12");
  if (!Number.isInteger(d) || d < 1 || d > daysInMonth(y, m))
    throw new DateValueError("day is out of range for month");
}

const floorDiv = (a: number, b: number) => Math.floor(a / b);
const mod = (a: number, b: number) => a - Math.floor(a / b) * b;
const pad = (n: number, w = 2) => String(n).padStart(w, "0");

/** datetime.timedelta, normalized like Python (0 <= seconds < 86400, 0 <= microseconds < 1e6); an isodate
 *  Duration when it carries calendar years or months. */
export class PyTimedelta {
  readonly days: number;
  readonly seconds: number;
  readonly microseconds: number;
  constructor(
    days: number,
    seconds = 0,
    microseconds = 0,
    readonly years = 0,
    readonly months = 0,
  ) {
    let us = Math.round(microseconds);
    let s = seconds + floorDiv(us, US_PER_SEC);
    us = mod(us, US_PER_SEC);
    const d = days + floorDiv(s, SEC_PER_DAY);
    s = mod(s, SEC_PER_DAY);
    this.days = d;
    this.seconds = s;
    this.microseconds = us;
  }
  /** timedelta(weeks=, days=, hours=, minutes=, seconds=, milliseconds=, microseconds=) with fractions. */
  static of(p: {
    weeks?: number;
    days?: number;
    hours?: number;
    minutes?: number;
    seconds?: number;
    milliseconds?: number;
    microseconds?: number;
  }): PyTimedelta {
    const days = (p.weeks ?? 0) * 7 + (p.days ?? 0);
    const wholeDays = Math.trunc(days);
    const secs =
      (days - wholeDays) * SEC_PER_DAY + (p.hours ?? 0) * 3600 + (p.minutes ?? 0) * 60 + (p.seconds ?? 0);
    const wholeSecs = Math.trunc(secs);
    const us = roundHalfEven((secs - wholeSecs) * 1e6 + (p.milliseconds ?? 0) * 1000 + (p.microseconds ?? 0));
    return new PyTimedelta(wholeDays, wholeSecs, us);
  }
  static fromMicros(us: number): PyTimedelta {
    return new PyTimedelta(0, 0, us);
  }
  get isDuration(): boolean {
    return this.years !== 0 || this.months !== 0;
  }
  totalMicros(): number {
    return (this.days * SEC_PER_DAY + this.seconds) * US_PER_SEC + this.microseconds;
  }
  totalSeconds(): number {
    return this.totalMicros() / US_PER_SEC;
  }
  negate(): PyTimedelta {
    return new PyTimedelta(-this.days, -this.seconds, -this.microseconds, -this.years, -this.months);
  }
  add(o: PyTimedelta): PyTimedelta {
    return new PyTimedelta(
      this.days + o.days,
      this.seconds + o.seconds,
      this.microseconds + o.microseconds,
      this.years + o.years,
      this.months + o.months,
    );
  }
  scale(k: number): PyTimedelta {
    if (this.isDuration) throw new DateValueError("cannot scale a duration with years or months");
    return PyTimedelta.fromMicros(roundHalfEven(this.totalMicros() * k));
  }
  compare(o: PyTimedelta): number {
    return Math.sign(this.totalMicros() - o.totalMicros());
  }
  toString(): string {
    const hh = floorDiv(this.seconds, 3600);
    const mm = floorDiv(this.seconds % 3600, 60);
    let s = `${hh}:${pad(mm)}:${pad(this.seconds % 60)}`;
    if (this.days) s = `${this.days} day${Math.abs(this.days) !== 1 ? "s" : ""}, ${s}`;
    if (this.microseconds) s += `.${pad(this.microseconds, 6)}`;
    const parts: string[] = [];
    if (this.years) parts.push(`${this.years} years`);
    if (this.months) parts.push(`${this.months} month${this.months <= 1 ? "" : "s"}`);
    return parts.length ? `${parts.join(", ")}, ${s}` : s;
  }
  repr(): string {
    const args: string[] = [];
    if (this.days) args.push(`days=${this.days}`);
    if (this.seconds) args.push(`seconds=${this.seconds}`);
    if (this.microseconds) args.push(`microseconds=${this.microseconds}`);
    return `datetime.timedelta(${args.length ? args.join(", ") : "0"})`;
  }
}

function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

interface Fields {
  y: number;
  mo: number;
  d: number;
  h: number;
  mi: number;
  s: number;
  us: number;
}

/** datetime.date */
export class PyDate {
  constructor(readonly days: number) {
    if (days < MIN_DAYS || days > MAX_DAYS) throw new DateValueError("date value out of range");
  }
  static of(y: number, m: number, d: number): PyDate {
    checkDate(y, m, d);
    return new PyDate(daysFromCivil(y, m, d));
  }
  get year(): number {
    return civilFromDays(this.days)[0];
  }
  get month(): number {
    return civilFromDays(this.days)[1];
  }
  get day(): number {
    return civilFromDays(this.days)[2];
  }
  /** Monday is 0, like Python. */
  weekday(): number {
    return mod(this.days + 3, 7);
  }
  atMidnight(): PyDateTime {
    return new PyDateTime(this.days * SEC_PER_DAY, 0, null);
  }
  strftime(format: string): string {
    return strftime(this.atMidnight(), format);
  }
  isoformat(): string {
    const [y, m, d] = civilFromDays(this.days);
    return `${pad(y, 4)}-${pad(m)}-${pad(d)}`;
  }
  toString(): string {
    return this.isoformat();
  }
  repr(): string {
    const [y, m, d] = civilFromDays(this.days);
    return `datetime.date(${y}, ${m}, ${d})`;
  }
  add(td: PyTimedelta): PyDate {
    if (td.isDuration) {
      const [y, m, d] = civilFromDays(this.days);
      const [ny, nm, nd] = addMonths(y, m, d, td.years, td.months);
      return new PyDate(daysFromCivil(ny, nm, nd) + td.days);
    }
    return new PyDate(this.days + td.days);
  }
}

function addMonths(y: number, m: number, d: number, years: number, months: number): [number, number, number] {
  if (!Number.isInteger(years) || !Number.isInteger(months))
    throw new DateValueError("fractional years or months not supported for date calculations");
  const total = m - 1 + months;
  const ny = y + years + floorDiv(total, 12);
  const nm = mod(total, 12) + 1;
  if (ny < 1 || ny > 9999) throw new DateValueError("date value out of range");
  return [ny, nm, Math.min(d, daysInMonth(ny, nm))];
}

/** datetime.datetime: wall-clock seconds since the epoch (local time as if UTC), microseconds, and the
 *  UTC offset in minutes (null when naive). Seconds + microseconds keep year 9999 exact. */
export class PyDateTime {
  constructor(
    readonly wallSec: number,
    readonly usec: number,
    readonly offsetMinutes: number | null,
  ) {
    const days = floorDiv(wallSec, SEC_PER_DAY);
    if (days < MIN_DAYS || days > MAX_DAYS) throw new DateValueError("date value out of range");
  }
  static fromEpochMicros(us: number, offsetMinutes: number | null = 0): PyDateTime {
    const sec = Math.floor(us / US_PER_SEC);
    return new PyDateTime(sec + (offsetMinutes ?? 0) * 60, Math.round(us - sec * US_PER_SEC), offsetMinutes);
  }
  /** datetime.fromtimestamp(seconds, tz=timezone.utc), rounding to the microsecond like Python. */
  static fromTimestamp(seconds: number): PyDateTime {
    if (!Number.isFinite(seconds))
      throw new DateValueError("cannot convert float NaN or infinity to integer");
    const whole = Math.floor(seconds);
    const us = roundHalfEven((seconds - whole) * 1e6);
    return new PyDateTime(whole + floorDiv(us, US_PER_SEC), mod(us, US_PER_SEC), 0);
  }
  static of(
    f: Partial<Fields> & { y: number; mo: number; d: number },
    offsetMinutes: number | null,
  ): PyDateTime {
    const { y, mo, d, h = 0, mi = 0, s = 0, us = 0 } = f;
    checkDate(y, mo, d);
    if (h < 0 || h > 23) throw new DateValueError("hour must be in 0..23");
    if (mi < 0 || mi > 59) throw new DateValueError("minute must be in 0..59");
    if (s < 0 || s > 59) throw new DateValueError("second must be in 0..59");
    if (us < 0 || us > 999999) throw new DateValueError("microsecond must be in 0..999999");
    return new PyDateTime(daysFromCivil(y, mo, d) * SEC_PER_DAY + h * 3600 + mi * 60 + s, us, offsetMinutes);
  }
  /** datetime.now(timezone.utc), from the wall clock (millisecond resolution). */
  static now(): PyDateTime {
    return PyDateTime.fromEpochMicros(Date.now() * 1000);
  }
  get naive(): boolean {
    return this.offsetMinutes === null;
  }
  /** Microseconds since the epoch of the instant (a naive value is read as UTC, as the CDK does). */
  epochMicros(): number {
    return (this.wallSec - (this.offsetMinutes ?? 0) * 60) * US_PER_SEC + this.usec;
  }
  /** datetime.timestamp(): float seconds; naive values count as UTC (the CDK runs in UTC). */
  timestamp(): number {
    // Python divides the exact microsecond count by 10**6; so does this while the count is exact.
    const sec = this.wallSec - (this.offsetMinutes ?? 0) * 60;
    const micros = sec * US_PER_SEC + this.usec;
    return Number.isSafeInteger(micros) ? micros / US_PER_SEC : sec + this.usec / US_PER_SEC;
  }
  fields(): Fields {
    const days = floorDiv(this.wallSec, SEC_PER_DAY);
    const sod = this.wallSec - days * SEC_PER_DAY;
    const [y, mo, d] = civilFromDays(days);
    return { y, mo, d, h: floorDiv(sod, 3600), mi: floorDiv(sod % 3600, 60), s: sod % 60, us: this.usec };
  }
  get year(): number {
    return this.fields().y;
  }
  get month(): number {
    return this.fields().mo;
  }
  get day(): number {
    return this.fields().d;
  }
  get hour(): number {
    return this.fields().h;
  }
  get minute(): number {
    return this.fields().mi;
  }
  get second(): number {
    return this.fields().s;
  }
  get microsecond(): number {
    return this.usec;
  }
  weekday(): number {
    return mod(floorDiv(this.wallSec, SEC_PER_DAY) + 3, 7);
  }
  date(): PyDate {
    return new PyDate(floorDiv(this.wallSec, SEC_PER_DAY));
  }
  /** astimezone(): to another fixed offset; a naive value is taken as local time, which is UTC here. */
  astimezone(offsetMinutes = 0): PyDateTime {
    const instant = this.wallSec - (this.offsetMinutes ?? 0) * 60;
    return new PyDateTime(instant + offsetMinutes * 60, this.usec, offsetMinutes);
  }
  replace(p: Partial<Fields> & { offsetMinutes?: number | null }): PyDateTime {
    const f = this.fields();
    return PyDateTime.of(
      {
        y: p.y ?? f.y,
        mo: p.mo ?? f.mo,
        d: p.d ?? f.d,
        h: p.h ?? f.h,
        mi: p.mi ?? f.mi,
        s: p.s ?? f.s,
        us: p.us ?? f.us,
      },
      p.offsetMinutes === undefined ? this.offsetMinutes : p.offsetMinutes,
    );
  }
  add(td: PyTimedelta): PyDateTime {
    let base: PyDateTime = this;
    if (td.isDuration) {
      const f = this.fields();
      const [y, mo, d] = addMonths(f.y, f.mo, f.d, td.years, td.months);
      base = PyDateTime.of({ ...f, y, mo, d }, this.offsetMinutes);
    }
    const us = base.usec + td.microseconds;
    return new PyDateTime(
      base.wallSec + td.days * SEC_PER_DAY + td.seconds + floorDiv(us, US_PER_SEC),
      mod(us, US_PER_SEC),
      this.offsetMinutes,
    );
  }
  sub(td: PyTimedelta): PyDateTime {
    return this.add(td.negate());
  }
  /** this - other; both naive or both aware, as Python requires. */
  diff(other: PyDateTime): PyTimedelta {
    if (this.naive !== other.naive)
      throw new PyTypeError("can't subtract offset-naive and offset-aware datetimes");
    const a = this.wallSec - (this.offsetMinutes ?? 0) * 60;
    const b = other.wallSec - (other.offsetMinutes ?? 0) * 60;
    return new PyTimedelta(0, a - b, this.usec - other.usec);
  }
  /** Ordering; throws a TypeError for naive against aware, like Python. */
  compare(other: PyDateTime): number {
    const d = this.diff(other);
    return d.days !== 0 ? Math.sign(d.days) : Math.sign(d.seconds * US_PER_SEC + d.microseconds);
  }
  equals(other: PyDateTime): boolean {
    return this.naive === other.naive && this.compare(other) === 0;
  }
  strftime(format: string): string {
    return strftime(this, format);
  }
  isoformat(sep = "T", timespec = "auto"): string {
    const f = this.fields();
    let time: string;
    switch (timespec) {
      case "hours":
        time = pad(f.h);
        break;
      case "minutes":
        time = `${pad(f.h)}:${pad(f.mi)}`;
        break;
      case "seconds":
        time = `${pad(f.h)}:${pad(f.mi)}:${pad(f.s)}`;
        break;
      case "milliseconds":
        time = `${pad(f.h)}:${pad(f.mi)}:${pad(f.s)}.${pad(Math.floor(f.us / 1000), 3)}`;
        break;
      case "microseconds":
        time = `${pad(f.h)}:${pad(f.mi)}:${pad(f.s)}.${pad(f.us, 6)}`;
        break;
      case "auto":
        time = `${pad(f.h)}:${pad(f.mi)}:${pad(f.s)}${f.us ? `.${pad(f.us, 6)}` : ""}`;
        break;
      default:
        throw new DateValueError("Unknown timespec value");
    }
    return `${pad(f.y, 4)}-${pad(f.mo)}-${pad(f.d)}${sep}${time}${offsetText(this.offsetMinutes, ":")}`;
  }
  /** str(datetime): what a template that renders a datetime produces. */
  toString(): string {
    return this.isoformat(" ");
  }
  repr(): string {
    const f = this.fields();
    const parts = [f.y, f.mo, f.d, f.h, f.mi, f.s, f.us];
    if (parts[6] === 0) parts.pop();
    if (parts.length === 6 && parts[5] === 0) parts.pop();
    const tz =
      this.offsetMinutes === null
        ? ""
        : this.offsetMinutes === 0
          ? ", tzinfo=datetime.timezone.utc"
          : `, tzinfo=datetime.timezone(${new PyTimedelta(0, this.offsetMinutes * 60).repr()})`;
    return `datetime.datetime(${parts.join(", ")}${tz})`;
  }
}

function offsetText(offsetMinutes: number | null, sep: string): string {
  if (offsetMinutes === null) return "";
  const a = Math.abs(offsetMinutes);
  return `${offsetMinutes < 0 ? "-" : "+"}${pad(floorDiv(a, 60))}${sep}${pad(a % 60)}`;
}

function tzName(offsetMinutes: number | null): string {
  if (offsetMinutes === null) return "";
  return offsetMinutes === 0 ? "UTC" : `UTC${offsetText(offsetMinutes, ":")}`;
}

const DAY_ABBR = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const DAY_NAME = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
const MONTH_ABBR = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const MONTH_NAME = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];

/** ISO year and week of a day count. */
function isoWeek(days: number): [number, number] {
  const wd = mod(days + 3, 7); // Monday = 0
  const thursday = days - wd + 3;
  const [ty] = civilFromDays(thursday);
  return [ty, Math.floor((thursday - daysFromCivil(ty, 1, 1)) / 7) + 1];
}

/** datetime.strftime as CPython on glibc renders it (C locale); %s reads the wall clock as UTC, as it
 *  does in the CDK's UTC containers. */
export function strftime(dt: PyDateTime, format: string): string {
  const f = dt.fields();
  const days = floorDiv(dt.wallSec, SEC_PER_DAY);
  const wd = dt.weekday();
  const yday = days - daysFromCivil(f.y, 1, 1) + 1;
  let out = "";
  for (let i = 0; i < format.length; i++) {
    const c = format[i];
    if (c !== "%" || i === format.length - 1) {
      out += c;
      continue;
    }
    let j = i + 1;
    let flag = "";
    if ("-_0^#".includes(format[j] as string) && j + 1 < format.length) flag = format[j++] as string;
    let conv = format[j] as string;
    if (conv === ":" && format[j + 1] === "z") conv = ":z";
    const num = (n: number, w: number, padChar = "0") => {
      if (flag === "-") return String(n);
      const p = flag === "_" ? " " : flag === "0" ? "0" : padChar;
      return String(n).padStart(w, p);
    };
    let r: string | undefined;
    switch (conv) {
      case "a":
        r = DAY_ABBR[wd];
        break;
      case "A":
        r = DAY_NAME[wd];
        break;
      case "b":
      case "h":
        r = MONTH_ABBR[f.mo - 1];
        break;
      case "B":
        r = MONTH_NAME[f.mo - 1];
        break;
      case "c":
        r = `${DAY_ABBR[wd]} ${MONTH_ABBR[f.mo - 1]} ${String(f.d).padStart(2, " ")} ${pad(f.h)}:${pad(f.mi)}:${pad(f.s)} ${f.y}`;
        break;
      case "C":
        r = num(floorDiv(f.y, 100), 2);
        break;
      case "d":
        r = num(f.d, 2);
        break;
      case "D":
        r = `${pad(f.mo)}/${pad(f.d)}/${pad(f.y % 100)}`;
        break;
      case "e":
        r = num(f.d, 2, " ");
        break;
      case "f":
        r = pad(f.us, 6);
        break;
      case "F":
        r = `${pad(f.y, 4)}-${pad(f.mo)}-${pad(f.d)}`;
        break;
      case "G":
        r = num(isoWeek(days)[0], 4);
        break;
      case "g":
        r = num(isoWeek(days)[0] % 100, 2);
        break;
      case "H":
        r = num(f.h, 2);
        break;
      case "I":
        r = num(f.h % 12 || 12, 2);
        break;
      case "j":
        r = num(yday, 3);
        break;
      case "k":
        r = num(f.h, 2, " ");
        break;
      case "l":
        r = num(f.h % 12 || 12, 2, " ");
        break;
      case "m":
        r = num(f.mo, 2);
        break;
      case "M":
        r = num(f.mi, 2);
        break;
      case "n":
        r = "\n";
        break;
      case "p":
        r = f.h < 12 ? "AM" : "PM";
        break;
      case "P":
        r = f.h < 12 ? "am" : "pm";
        break;
      case "r":
        r = `${pad(f.h % 12 || 12)}:${pad(f.mi)}:${pad(f.s)} ${f.h < 12 ? "AM" : "PM"}`;
        break;
      case "R":
        r = `${pad(f.h)}:${pad(f.mi)}`;
        break;
      case "s":
        r = String(dt.wallSec);
        break;
      case "S":
        r = num(f.s, 2);
        break;
      case "t":
        r = "\t";
        break;
      case "T":
      case "X":
        r = `${pad(f.h)}:${pad(f.mi)}:${pad(f.s)}`;
        break;
      case "u":
        r = String(wd + 1);
        break;
      case "U":
        r = num(Math.floor((yday + 6 - mod(wd + 1, 7)) / 7), 2);
        break;
      case "V":
        r = num(isoWeek(days)[1], 2);
        break;
      case "w":
        r = String(mod(wd + 1, 7));
        break;
      case "W":
        r = num(Math.floor((yday + 6 - wd) / 7), 2);
        break;
      case "x":
        r = `${pad(f.mo)}/${pad(f.d)}/${pad(f.y % 100)}`;
        break;
      case "y":
        r = num(f.y % 100, 2);
        break;
      case "Y":
        r = flag === "-" ? String(f.y) : pad(f.y, 4);
        break;
      case "z":
        r = offsetText(dt.offsetMinutes, "");
        break;
      case ":z":
        r = offsetText(dt.offsetMinutes, ":");
        j++;
        break;
      case "Z":
        r = tzName(dt.offsetMinutes);
        break;
      case "%":
        r = "%";
        break;
    }
    if (r === undefined) {
      out += format.slice(i, j + 1); // glibc copies an unknown directive as is
    } else {
      out += flag === "^" ? r.toUpperCase() : r;
    }
    i = j;
  }
  return out;
}

// strptime, after CPython's _strptime (C locale, IGNORECASE, whole-string match).
const names = (list: string[]) => list.map((n) => n.toLowerCase()).join("|");
const STRPTIME_RE: Record<string, string> = {
  d: "(?<d>3[01]|[12]\\d|0[1-9]|[1-9]| [1-9])",
  f: "(?<f>[0-9]{1,6})",
  H: "(?<H>2[0-3]|[0-1]\\d|\\d)",
  I: "(?<I>1[0-2]|0[1-9]|[1-9])",
  G: "(?<G>\\d\\d\\d\\d)",
  j: "(?<j>36[0-6]|3[0-5]\\d|[12]\\d\\d|0[1-9]\\d|00[1-9]|[1-9]\\d|0[1-9]|[1-9])",
  m: "(?<m>1[0-2]|0[1-9]|[1-9])",
  M: "(?<M>[0-5]\\d|\\d)",
  S: "(?<S>6[0-1]|[0-5]\\d|\\d)",
  U: "(?<U>5[0-3]|[0-4]\\d|\\d)",
  W: "(?<W>5[0-3]|[0-4]\\d|\\d)",
  w: "(?<w>[0-6])",
  u: "(?<u>[1-7])",
  V: "(?<V>5[0-3]|0[1-9]|[1-4]\\d|\\d)",
  y: "(?<y>\\d\\d)",
  Y: "(?<Y>\\d\\d\\d\\d)",
  z: "(?<z>[+-]\\d\\d:?[0-5]\\d(?::?[0-5]\\d(?:\\.\\d{1,6})?)?|Z)",
  A: `(?<A>${names(DAY_NAME)})`,
  a: `(?<a>${names(DAY_ABBR)})`,
  B: `(?<B>${names(MONTH_NAME)})`,
  b: `(?<b>${names(MONTH_ABBR)})`,
  p: "(?<p>am|pm)",
  Z: "(?<Z>utc|gmt)",
  "%": "%",
};
// The C locale's %c, %x, %X, expanded before the directives above.
const STRPTIME_LOCALE: Record<string, string> = { c: "%a %b %d %H:%M:%S %Y", x: "%m/%d/%y", X: "%H:%M:%S" };

const strptimeCache = new Map<string, RegExp | string>();

function strptimeRegex(format: string): RegExp {
  const hit = strptimeCache.get(format);
  if (hit instanceof RegExp) return hit;
  if (typeof hit === "string") throw new DateValueError(hit);
  try {
    let fmt = format.replace(/%([cxX])/g, (_, k: string) => STRPTIME_LOCALE[k] as string);
    fmt = fmt.replace(/[\\.^$*+?(){}[\]|]/g, "\\$&").replace(/\s+/g, "\\s+");
    let src = "";
    for (let i = 0; i < fmt.length; i++) {
      if (fmt[i] !== "%") {
        src += fmt[i];
        continue;
      }
      let k = fmt[++i];
      if (k === undefined) throw new DateValueError(`stray % in format '${format}'`);
      // %:z (Python 3.12): the offset with a colon, read as %z reads it, so what strftime wrote reads back.
      if (k === ":" && fmt[i + 1] === "z") k = fmt[++i] as string;
      const re = Object.hasOwn(STRPTIME_RE, k) ? STRPTIME_RE[k] : undefined;
      if (re === undefined) throw new DateValueError(`'${k}' is a bad directive in format '${format}'`);
      src += re;
    }
    const re = new RegExp(`^(?:${src})`, "i");
    strptimeCache.set(format, re);
    return re;
  } catch (e) {
    const message = e instanceof DateValueError ? e.message : `bad format '${format}'`;
    strptimeCache.set(format, message);
    throw new DateValueError(message);
  }
}

/** datetime.strptime: throws DateValueError when the text does not match the format. */
export function strptime(text: string, format: string): PyDateTime {
  const m = strptimeRegex(format).exec(text);
  if (!m) throw new DateValueError(`time data does not match format '${format}'`);
  if (m[0].length !== text.length) throw new DateValueError("unconverted data remains");
  const g = m.groups ?? {};
  let year: number | undefined;
  let month = 1;
  let day = 1;
  let hour = 0;
  let minute = 0;
  let second = 0;
  let us = 0;
  let offset: number | null = null;
  let weekday: number | undefined;
  let julian: number | undefined;
  let week: number | undefined;
  let weekStartsMonday = false;
  let isoYear: number | undefined;
  let isoWeekNo: number | undefined;
  if (g.y !== undefined) {
    year = Number(g.y);
    year += year <= 68 ? 2000 : 1900;
  }
  if (g.Y !== undefined) year = Number(g.Y);
  if (g.G !== undefined) isoYear = Number(g.G);
  if (g.m !== undefined) month = Number(g.m);
  if (g.B !== undefined) month = MONTH_NAME.findIndex((n) => n.toLowerCase() === g.B?.toLowerCase()) + 1;
  if (g.b !== undefined) month = MONTH_ABBR.findIndex((n) => n.toLowerCase() === g.b?.toLowerCase()) + 1;
  if (g.d !== undefined) day = Number(g.d.trim());
  if (g.H !== undefined) hour = Number(g.H);
  if (g.I !== undefined) {
    hour = Number(g.I);
    const ampm = (g.p ?? "").toLowerCase();
    if (ampm === "" || ampm === "am") {
      if (hour === 12) hour = 0;
    } else if (hour !== 12) hour += 12;
  }
  if (g.M !== undefined) minute = Number(g.M);
  if (g.S !== undefined) second = Number(g.S);
  if (g.f !== undefined) us = Number(g.f.padEnd(6, "0"));
  if (g.A !== undefined) weekday = DAY_NAME.findIndex((n) => n.toLowerCase() === g.A?.toLowerCase());
  if (g.a !== undefined) weekday = DAY_ABBR.findIndex((n) => n.toLowerCase() === g.a?.toLowerCase());
  if (g.w !== undefined) weekday = mod(Number(g.w) - 1, 7);
  if (g.u !== undefined) weekday = Number(g.u) - 1;
  if (g.j !== undefined) julian = Number(g.j);
  if (g.U !== undefined) week = Number(g.U);
  if (g.W !== undefined) {
    week = Number(g.W);
    weekStartsMonday = true;
  }
  if (g.V !== undefined) isoWeekNo = Number(g.V);
  if (g.z !== undefined) {
    if (g.z === "z") throw new DateValueError(`time data does not match format '${format}'`);
    if (g.z === "Z") offset = 0;
    else {
      const z = g.z.replace(/:/g, "");
      const sign = z[0] === "-" ? -1 : 1;
      const secs = Number(z.slice(1, 3)) * 3600 + Number(z.slice(3, 5)) * 60 + Number(z.slice(5, 7) || 0);
      offset = (sign * secs) / 60;
    }
  }
  const leapFix = year === undefined && month === 2 && day === 29;
  const y = year ?? 1900;
  if (julian === undefined && weekday !== undefined && week !== undefined) {
    const firstWd = mod(daysFromCivil(y, 1, 1) + 3, 7);
    const wk = weekStartsMonday ? weekday : mod(weekday + 1, 7);
    const first = weekStartsMonday ? firstWd : mod(firstWd + 1, 7);
    const weekZeroLen = mod(7 - first, 7);
    julian = week === 0 ? 1 + wk - first : weekZeroLen + 7 * (week - 1) + 1 + wk;
  }
  if (isoYear !== undefined && isoWeekNo !== undefined && weekday !== undefined) {
    const jan4 = daysFromCivil(isoYear, 1, 4);
    const d = jan4 - mod(jan4 + 3, 7) + (isoWeekNo - 1) * 7 + weekday;
    const [yy, mm, dd] = civilFromDays(d);
    return PyDateTime.of({ y: yy, mo: mm, d: dd, h: hour, mi: minute, s: second, us }, offset);
  }
  if (leapFix) throw new DateValueError("day is out of range for month");
  if (julian !== undefined) {
    const [yy, mm, dd] = civilFromDays(daysFromCivil(y, 1, 1) + julian - 1);
    return PyDateTime.of({ y: yy, mo: mm, d: dd, h: hour, mi: minute, s: second, us }, offset);
  }
  return PyDateTime.of({ y, mo: month, d: day, h: hour, mi: minute, s: second, us }, offset);
}

/** Python int() of a string: optional sign, digits with single underscores, surrounding whitespace. */
export function pyIntText(text: string): number | null {
  const m = /^\s*([+-]?)(\d(?:_?\d)*)\s*$/.exec(text);
  if (!m) return null;
  const n = Number((m[2] as string).replace(/_/g, ""));
  return m[1] === "-" ? -n : n;
}

/** Python float() of a string. */
export function pyFloatText(text: string): number | null {
  const t = text.trim();
  if (/^[+-]?(inf|infinity)$/i.test(t)) return t.startsWith("-") ? -Infinity : Infinity;
  if (/^[+-]?nan$/i.test(t)) return Number.NaN;
  if (!/^[+-]?(?:\d(?:_?\d)*(?:\.(?:\d(?:_?\d)*)?)?|\.\d(?:_?\d)*)(?:e[+-]?\d(?:_?\d)*)?$/i.test(t))
    return null;
  return Number(t.replace(/_/g, ""));
}

/** DatetimeParser.parse: the CDK's special epoch formats, else strptime; naive results become UTC.
 *  Throws DateValueError when the value does not fit the format. */
export function parseDatetimeStrict(date: string | number, format: string): PyDateTime {
  const asInt = (): bigint => {
    if (typeof date === "number") {
      if (!Number.isFinite(date)) throw new DateValueError("cannot convert to an integer");
      return BigInt(Math.trunc(date));
    }
    if (pyIntText(date) === null)
      throw new DateValueError(`cannot parse as an integer for format '${format}'`);
    return BigInt(date.trim().replace(/_/g, ""));
  };
  // Exact for any digit count: whole seconds and the microsecond remainder separately.
  const fromMicros = (us: bigint): PyDateTime => {
    let sec = us / 1_000_000n;
    if (us % 1_000_000n < 0n) sec -= 1n;
    return new PyDateTime(Number(sec), Number(us - sec * 1_000_000n), 0);
  };
  switch (format) {
    case "%s":
      return new PyDateTime(Number(asInt()), 0, 0);
    case "%s_as_float": {
      const f = typeof date === "number" ? date : pyFloatText(date);
      if (f === null) throw new DateValueError("cannot parse as a float Unix timestamp");
      return PyDateTime.fromTimestamp(f);
    }
    case "%epoch_microseconds":
      return fromMicros(asInt());
    case "%ms":
      return fromMicros(asInt() * 1000n);
  }
  const fmt = format.includes("%_ms") ? format.replaceAll("%_ms", "%f") : format;
  const parsed = strptime(typeof date === "number" ? numberText(date) : date, fmt);
  return parsed.naive ? new PyDateTime(parsed.wallSec, parsed.usec, 0) : parsed;
}

function numberText(n: number): string {
  return Number.isInteger(n) ? String(n) : pyFloatRepr(n);
}

/** DatetimeParser.parse, or null when the value does not fit the format. */
export function parseDatetime(text: string | number, format: string): PyDateTime | null {
  try {
    return parseDatetimeStrict(text, format);
  } catch (e) {
    if (e instanceof DateValueError) return null;
    throw e;
  }
}

/** DatetimeParser.format: the CDK's epoch formats, %_ms as milliseconds, else strftime. */
export function formatDatetime(dt: PyDateTime, format: string): string {
  switch (format) {
    case "%s":
      return String(Math.trunc(dt.timestamp()));
    case "%s_as_float":
      return pyFloatRepr(dt.timestamp());
    case "%epoch_microseconds":
      return String(Math.trunc(dt.timestamp() * 1_000_000));
    case "%ms":
      return String(Math.trunc(dt.timestamp() * 1000));
  }
  if (format.includes("%_ms")) {
    const text = strftime(dt, format.replaceAll("%_ms", "%f"));
    return text.replaceAll(pad(dt.usec, 6), pad(Math.trunc(dt.usec / 1000), 3));
  }
  return strftime(dt, format);
}

/** repr() of a Python float: shortest round-trip digits, exponent outside 1e-4 <= |x| < 1e16. */
export function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const [mant, expText] = x.toExponential().split("e") as [string, string];
  const exp = Number(expText);
  if (exp < -4 || exp >= 16) {
    const m = mant.includes(".") ? mant : mant;
    return `${m}e${exp < 0 ? "-" : "+"}${pad(Math.abs(exp))}`;
  }
  const neg = mant.startsWith("-");
  const digits = mant.replace(/[-.]/g, "");
  let s: string;
  if (exp >= 0) {
    const intPart = digits.slice(0, exp + 1).padEnd(exp + 1, "0");
    const frac = digits.slice(exp + 1);
    s = `${intPart}.${frac || "0"}`;
  } else {
    s = `0.${"0".repeat(-exp - 1)}${digits}`;
  }
  return neg ? `-${s}` : s;
}

/** dateutil.parser.isoparse, returning a naive or offset-aware datetime; throws DateValueError. */
export function isoparse(text: string): PyDateTime {
  const [date, pos] = isoDate(text);
  let time: [number, number, number, number, number | null] = [0, 0, 0, 0, null];
  if (text.length > pos) time = isoTime(text.slice(pos + 1));
  const [h, mi, s, us, off] = time;
  if (h === 24) {
    if (mi !== 0 || s !== 0 || us !== 0) throw new DateValueError("Hour may only be 24 at 24:00:00.000");
    const base = PyDateTime.of({ y: date[0], mo: date[1], d: date[2] }, off);
    return base.add(new PyTimedelta(1));
  }
  return PyDateTime.of({ y: date[0], mo: date[1], d: date[2], h, mi, s, us }, off);
}

const twoDigits = (s: string): number => {
  if (!/^\d+$/.test(s)) throw new DateValueError("Invalid ISO component");
  return Number(s);
};

function isoDate(s: string): [[number, number, number], number] {
  try {
    return isoDateCommon(s);
  } catch {
    return isoDateUncommon(s);
  }
}

function isoDateCommon(s: string): [[number, number, number], number] {
  if (s.length < 4) throw new DateValueError("ISO string too short");
  const c: [number, number, number] = [twoDigits(s.slice(0, 4)), 1, 1];
  let pos = 4;
  if (pos >= s.length) return [c, pos];
  const sep = s[pos] === "-";
  if (sep) pos++;
  if (s.length - pos < 2) throw new DateValueError("Invalid common month");
  c[1] = twoDigits(s.slice(pos, pos + 2));
  pos += 2;
  if (pos >= s.length) {
    if (sep) return [c, pos];
    throw new DateValueError("Invalid ISO format");
  }
  if (sep) {
    if (s[pos] !== "-") throw new DateValueError("Invalid separator in ISO string");
    pos++;
  }
  if (s.length - pos < 2) throw new DateValueError("Invalid common day");
  c[2] = twoDigits(s.slice(pos, pos + 2));
  return [c, pos + 2];
}

function isoDateUncommon(s: string): [[number, number, number], number] {
  if (s.length < 4) throw new DateValueError("ISO string too short");
  const year = twoDigits(s.slice(0, 4));
  let pos = 4;
  const sep = s[pos] === "-";
  if (sep) pos++;
  if (s[pos] === "W") {
    pos++;
    const week = twoDigits(s.slice(pos, pos + 2));
    pos += 2;
    let dow = 1;
    if (s.length > pos) {
      if ((s[pos] === "-") !== sep) throw new DateValueError("Inconsistent use of dash separator");
      pos += sep ? 1 : 0;
      dow = twoDigits(s.slice(pos, pos + 1));
      pos++;
    }
    const jan4 = daysFromCivil(year, 1, 4);
    const d = jan4 - mod(jan4 + 3, 7) + (week - 1) * 7 + dow - 1;
    return [civilFromDays(d), pos];
  }
  if (s.length - pos < 3) throw new DateValueError("Invalid ordinal day");
  const ord = twoDigits(s.slice(pos, pos + 3));
  if (ord < 1 || ord > (isLeap(year) ? 366 : 365)) throw new DateValueError("Invalid ordinal day");
  return [civilFromDays(daysFromCivil(year, 1, 1) + ord - 1), pos + 3];
}

function isoTime(t: string): [number, number, number, number, number | null] {
  const c: [number, number, number, number, number | null] = [0, 0, 0, 0, null];
  if (t.length < 2) throw new DateValueError("ISO time too short");
  let pos = 0;
  let comp = -1;
  let sep = false;
  while (pos < t.length && comp < 5) {
    comp++;
    if ("-+Zz".includes(t[pos] as string)) {
      c[4] = isoTz(t.slice(pos));
      pos = t.length;
      break;
    }
    if (comp === 1 && t[pos] === ":") {
      sep = true;
      pos++;
    } else if (comp === 2 && sep) {
      if (t[pos] !== ":") throw new DateValueError("Inconsistent use of colon separator");
      pos++;
    }
    if (comp < 3) {
      c[comp] = twoDigits(t.slice(pos, pos + 2));
      pos += 2;
    } else if (comp === 3) {
      const frac = /^[.,](\d+)/.exec(t.slice(pos));
      if (!frac) continue;
      const digits = (frac[1] as string).slice(0, 6);
      c[3] = Number(digits) * 10 ** (6 - digits.length);
      pos += frac[0].length;
    }
  }
  if (pos < t.length) throw new DateValueError("Unused components in ISO string");
  return c;
}

function isoTz(z: string): number {
  if (z === "Z" || z === "z") return 0;
  if (![3, 5, 6].includes(z.length))
    throw new DateValueError("Time zone offset must be 1, 3, 5 or 6 characters");
  const sign = z[0] === "-" ? -1 : z[0] === "+" ? 1 : 0;
  if (sign === 0) throw new DateValueError("Time zone offset requires sign");
  const hours = twoDigits(z.slice(1, 3));
  const minutes = z.length === 3 ? 0 : twoDigits(z.slice(z[3] === ":" ? 4 : 3));
  if (hours === 0 && minutes === 0) return 0;
  if (minutes > 59) throw new DateValueError("Invalid minutes in time zone offset");
  if (hours > 23) throw new DateValueError("Invalid hours in time zone offset");
  return sign * (hours * 60 + minutes);
}

/** The CDK's str_to_datetime: isoparse, naive taken as UTC, converted to UTC. Throws DateValueError. */
export function strToDatetime(text: string): PyDateTime {
  const parsed = isoparse(text);
  return parsed.naive ? new PyDateTime(parsed.wallSec, parsed.usec, 0) : parsed.astimezone(0);
}

/** str_to_datetime, or null when the text is not ISO 8601. */
export function parseIsoLike(text: string): PyDateTime | null {
  try {
    return strToDatetime(text);
  } catch (e) {
    if (e instanceof DateValueError) return null;
    throw e;
  }
}

const PERIOD =
  /^([+-])?P(?=\w)(?:(\d+(?:[,.]\d+)?)Y)?(?:(\d+(?:[,.]\d+)?)M)?(?:(\d+(?:[,.]\d+)?)W)?(?:(\d+(?:[,.]\d+)?)D)?(?:T(?:(\d+(?:[,.]\d+)?)H)?(?:(\d+(?:[,.]\d+)?)M)?(?:(\d+(?:[,.]\d+)?)S)?)?$/;

/** isodate.parse_duration: a timedelta, or a Duration when years or months are present. */
export function parseIsoDuration(text: string): PyTimedelta {
  const m = PERIOD.exec(text);
  if (!m) throw new DateValueError("Unable to parse duration string");
  const n = (i: number) => (m[i] === undefined ? 0 : Number((m[i] as string).replace(",", ".")));
  const td = PyTimedelta.of({ weeks: n(4), days: n(5), hours: n(6), minutes: n(7), seconds: n(8) });
  const out = new PyTimedelta(td.days, td.seconds, td.microseconds, n(2), n(3));
  return m[1] === "-" ? out.negate() : out;
}
