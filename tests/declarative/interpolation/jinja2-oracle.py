#!/usr/bin/env python3
# Regenerates the "expected" values of jinja2-reference.json from the reference implementation: real
# jinja2 (SandboxedEnvironment, tested with 3.1.6) driven by the CDK's JinjaInterpolation.eval logic
# (undeclared-variable check, UndefinedError -> default, TypeError -> the template itself,
# ast.literal_eval with valid_types) and the CDK's filters and macros, clock frozen at NOW.
# Usage: python3 tests/declarative/interpolation/jinja2-oracle.py   (needs jinja2 and python-dateutil)

import ast, base64, datetime, hashlib, hmac as hmac_lib, json, re, sys
from urllib.parse import quote_plus
from jinja2 import meta
from jinja2.exceptions import UndefinedError
from jinja2.sandbox import SandboxedEnvironment
from dateutil import parser as dparser

NOW = datetime.datetime(2021, 9, 1, 12, 34, 56, 789000, tzinfo=datetime.timezone.utc)
UTC = datetime.timezone.utc

def _hash(value, hash_type="md5", salt=None):
    f = getattr(hashlib, hash_type, None)
    if not f: raise AttributeError("No hashing function named " + hash_type)
    h = f(); h.update(str(value).encode("utf-8"))
    if salt: h.update(str(salt).encode("utf-8"))
    return h.hexdigest()
def base64encode(v): return base64.b64encode(v.encode("utf-8")).decode()
def base64decode(v): return base64.b64decode(v.encode("utf-8")).decode()
def base64binascii_decode(v): return base64.standard_b64encode(v.encode("ascii")).decode("ascii")
def string(v):
    if isinstance(v, str): return v
    return f'"""{json.dumps(v)}"""'
def regex_search(value, regex):
    m = re.search(regex, value)
    if m and len(m.groups()) > 0: return m.group(1)
    return ""
def regex_replace(value, regex, replacement): return re.sub(regex, replacement, value)
def hmac(value, key, hash_type="sha256"):
    if hash_type != "sha256": raise ValueError("bad")
    return hmac_lib.new(key=str(key).encode(), msg=str(value).encode(), digestmod=hashlib.sha256).hexdigest()

def now_utc(): return NOW
def today_utc(): return NOW.date()
def str_to_datetime(s):
    d = dparser.isoparse(s)
    if not d.tzinfo: d = d.replace(tzinfo=UTC)
    return d.astimezone(UTC)
def timestamp(dt):
    if isinstance(dt, (int, float)): return int(dt)
    return str_to_datetime(dt).astimezone(UTC).timestamp()
def _max(*a): return max(*a)
def _min(*a): return min(*a)
def day_delta(num_days, format="%Y-%m-%dT%H:%M:%S.%f%z"):
    return (NOW + datetime.timedelta(days=num_days)).strftime(format)
_DUR = re.compile(r"^(?P<sign>[+-])?P(?!\b)(?P<years>[0-9]+([,.][0-9]+)?Y)?(?P<months>[0-9]+([,.][0-9]+)?M)?(?P<weeks>[0-9]+([,.][0-9]+)?W)?(?P<days>[0-9]+([,.][0-9]+)?D)?((?P<separator>T)(?P<hours>[0-9]+([,.][0-9]+)?H)?(?P<minutes>[0-9]+([,.][0-9]+)?M)?(?P<seconds>[0-9]+([,.][0-9]+)?S)?)?$")
def duration(s):
    m = _DUR.match(s)
    if not m: raise ValueError("bad duration")
    g = {k: float(v[:-1].replace(",", ".")) if v else 0 for k, v in m.groupdict().items() if k not in ("sign", "separator")}
    if g["years"] or g["months"]: raise ValueError("oracle: calendar durations not modelled")
    td = datetime.timedelta(weeks=g["weeks"], days=g["days"], hours=g["hours"], minutes=g["minutes"], seconds=g["seconds"])
    return -td if m.group("sign") == "-" else td
def _fmt(dt, format):
    if format == "%s": return str(int(dt.timestamp()))
    if format == "%ms": return str(int(dt.timestamp() * 1000))
    if format == "%epoch_microseconds": return str(int(dt.timestamp() * 1_000_000))
    if format == "%s_as_float": return str(float(dt.timestamp()))
    return dt.strftime(format)
def _parse(date, format):
    if format == "%s": return datetime.datetime.fromtimestamp(int(date), tz=UTC)
    if format == "%ms": return datetime.datetime(1970,1,1,tzinfo=UTC) + datetime.timedelta(milliseconds=int(date))
    if format == "%epoch_microseconds": return datetime.datetime(1970,1,1,tzinfo=UTC) + datetime.timedelta(microseconds=int(date))
    d = datetime.datetime.strptime(str(date), format)
    return d.replace(tzinfo=UTC) if d.tzinfo is None else d
def format_datetime(dt, format, input_format=None):
    if isinstance(dt, datetime.datetime): return _fmt(dt, format)
    if isinstance(dt, int): d = _parse(dt, input_format or "%s")
    else: d = datetime.datetime.strptime(dt, input_format) if input_format else str_to_datetime(dt)
    if d.tzinfo is None: d = d.replace(tzinfo=UTC)
    return _fmt(d, format)
def sanitize_url(v): return quote_plus(v)
def camel_case_to_snake_case(v): return re.sub(r'(?<!^)(?=[A-Z])', '_', v).lower()
def timestamp_to_datetime(ts): return datetime.datetime.fromtimestamp(float(ts), tz=UTC)

env = SandboxedEnvironment()
env.filters.update(hash=_hash, base64encode=base64encode, base64decode=base64decode, base64binascii_decode=base64binascii_decode, string=string, regex_search=regex_search, regex_replace=regex_replace, hmac=hmac)
env.globals.update(now_utc=now_utc, today_utc=today_utc, timestamp=timestamp, max=_max, min=_min, day_delta=day_delta, duration=duration, format_datetime=format_datetime, str_to_datetime=str_to_datetime, sanitize_url=sanitize_url, camel_case_to_snake_case=camel_case_to_snake_case, timestamp_to_datetime=timestamp_to_datetime, regex_search=regex_search, regex_replace=regex_replace)
env.globals.pop("range", None)

def _eval(s, ctx):
    try:
        und = meta.find_undeclared_variables(env.parse(s))
        missing = {v for v in und if v not in ctx}
        if missing: raise ValueError("undeclared")
        return env.from_string(s).render(ctx)
    except TypeError:
        return s
def lit(result, valid_types):
    try: ev = ast.literal_eval(result)
    except (ValueError, SyntaxError): return result
    if (not valid_types and not isinstance(ev, complex)) or (valid_types and isinstance(ev, valid_types)): return ev
    return result
def interp(s, ctx, default=None, valid_types=None):
    ctx = dict(ctx)
    for a in ("stream_interval", "stream_partition"):
        if a not in ctx and "stream_slice" in ctx: ctx[a] = ctx["stream_slice"]
    try:
        r = _eval(s, ctx)
        if r: return lit(r, valid_types)
    except UndefinedError:
        pass
    return lit(_eval(default, ctx), valid_types)

def norm(v):
    if isinstance(v, bool) or v is None or isinstance(v, str): return v
    if isinstance(v, float):
        if v != v or v in (float("inf"), float("-inf")): return repr(v)
        return int(v) if v.is_integer() else v
    if isinstance(v, int): return v
    if isinstance(v, (list, tuple, set)): return [norm(x) for x in v]
    if isinstance(v, dict): return {str(k): norm(x) for k, x in v.items()}
    return "<" + type(v).__name__ + ">"

TYPES = {"str": str, "int": int, "float": float, "bool": bool, "list": list, "dict": dict, "tuple": tuple}
PATH = __file__.rsplit("/", 1)[0] + "/jinja2-reference.json"

def run(c):
    vt = tuple(TYPES[t] for t in c["validTypes"]) if c.get("validTypes") else None
    try:
        return norm(interp(c["t"], c.get("ctx", {"config": {}}), c.get("default"), vt))
    except Exception:
        return {"error": True}

if __name__ == "__main__":
    cases = json.load(open(PATH))
    for c in cases:
        c["expected"] = run(c)
    with open(PATH, "w") as f:
        f.write("[\n" + ",\n".join(json.dumps(c, ensure_ascii=False) for c in cases) + "\n]\n")
    print(f"{len(cases)} cases written to {PATH}")
