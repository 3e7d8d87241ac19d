# Writes python-reference.json: what the CDK's parsers make of tricky bodies, computed with the
# very Python code they run (csv.DictReader over a universal-newline TextIOWrapper, json.loads per
# line, bytes.splitlines, gzip and zipfile), so decoders.test.ts compares against Python itself.
#   python3 tests/declarative/decoders/python-oracle.py
import base64
import csv
import gzip
import io
import json
import pathlib
import zipfile


def csv_parser(data: bytes, encoding="utf-8", delimiter=",", set_values_to_none=None):
    # composite_raw_decoder.CsvParser.parse
    if delimiter.startswith("\\"):
        delimiter = delimiter.encode("utf-8").decode("unicode_escape")
    text = io.TextIOWrapper(io.BytesIO(data), encoding=encoding)
    rows = []
    for row in csv.DictReader(text, delimiter=delimiter or ","):
        if set_values_to_none:
            row = {k: (None if v in set_values_to_none else v) for k, v in row.items()}
        rows.append(row)
    return rows


def jsonl_parser(data: bytes):
    # composite_raw_decoder.JsonLineParser.parse
    out = []
    for line in io.BytesIO(data):
        try:
            out.append(json.loads(line.decode("utf-8")))
        except json.JSONDecodeError:
            pass
    return out


def iterable(data: bytes):
    # json_decoder.IterableDecoder over requests' iter_lines (the whole body in one chunk)
    return [{"record": line.decode()} for line in data.splitlines()]


CSV_CASES = [
    {"name": "plain", "text": "id,name\n1,a\n2,b\n"},
    {"name": "no final newline", "text": "id,name\n1,a\n2,b"},
    {"name": "crlf and lone cr", "text": "id,name\r\n1,a\r2,b\r\n"},
    {"name": "quoted fields with delimiters, quotes and newlines", "text": 'id,note\n1,"a, b"\n2,"say ""hi"""\n3,"two\r\nlines"\n'},
    {"name": "text after a closing quote", "text": 'id,note\n1,"ab"cd\n2,x"y"z\n'},
    {"name": "short and long rows", "text": "a,b,c\n1\n1,2,3,4,5\n"},
    {"name": "empty lines are skipped, a line of delimiters is not", "text": "a,b\n\n1,2\n\n,\n"},
    {"name": "a lone empty quoted field", "text": 'a,b\n""\n'},
    {"name": "duplicate header names: the last value wins", "text": "a,b,a\n1,2,3\n"},
    {"name": "header only", "text": "a,b\n"},
    {"name": "empty body", "text": ""},
    {"name": "end of data inside quotes", "text": 'a,b\n1,"open\n'},
    {"name": "trailing delimiter", "text": "a,b\n1,"},
    {"name": "utf-8 keeps the BOM", "text": "\ufeffid,name\n1,é\n"},
    {"name": "utf-8-sig drops the BOM", "text": "\ufeffid,name\n1,é\n", "encoding": "utf-8-sig"},
    {"name": "latin-1", "bytes": base64.b64encode("id,name\n1,Café\n".encode("latin-1")).decode(), "encoding": "latin-1"},
    {"name": "tab delimiter written as an escape", "text": "a\tb\n1\t2\n", "delimiter": "\\t"},
    {"name": "semicolon delimiter", "text": "a;b\n1;\"x;y\"\n", "delimiter": ";"},
    {"name": "set_values_to_none", "text": "a,b,c\n,NULL,x\n", "set_values_to_none": ["", "NULL"]},
    {"name": "spaces are kept", "text": "a, b\n 1 , 2 \n"},
    {"name": "an empty first line names no field", "text": "\na,b\n1,2\n"},
]

JSONL_CASES = [
    {"name": "lines", "text": '{"id":1}\n{"id":2}\n'},
    {"name": "blank and bad lines are skipped", "text": '{"id":1}\n\n  \nnot json\n{"id":2}'},
    {"name": "crlf, arrays and scalars", "text": '{"id":1}\r\n[{"id":2},{"id":3}]\r\n5\r\n'},
]

ITERABLE_CASES = [
    {"name": "lines", "text": "alpha\nbeta\n"},
    {"name": "empty lines inside are kept", "text": "a\n\nb\r\nc\rd"},
]


def b(text_or_case):
    return text_or_case.encode("utf-8")


def case_bytes(case):
    return base64.b64decode(case["bytes"]) if "bytes" in case else case["text"].encode("utf-8")


reference = {"csv": [], "jsonl": [], "iterable": [], "gzip": [], "zip": []}
for case in CSV_CASES:
    kwargs = {k: case[k] for k in ("encoding", "delimiter", "set_values_to_none") if k in case}
    rows = csv_parser(case_bytes(case), **kwargs)
    reference["csv"].append({**case, "rows": json.loads(json.dumps(rows))})
for case in JSONL_CASES:
    reference["jsonl"].append({**case, "bodies": jsonl_parser(case_bytes(case))})
for case in ITERABLE_CASES:
    reference["iterable"].append({**case, "bodies": iterable(case_bytes(case))})

# Gzip: one member, two members (gzip.GzipFile reads both), and a body that is not gzip.
csv_text = "id,name\n1,a\n2,b\n"
for name, data in [
    ("one member", gzip.compress(csv_text.encode())),
    ("two members", gzip.compress(b"id,name\n1,a\n") + gzip.compress(b"2,b\n")),
    ("not compressed", csv_text.encode()),
]:
    body = io.BytesIO(data)
    header = body.read(2)
    full = io.BytesIO(header + body.read())
    inflated = gzip.GzipFile(fileobj=full).read() if header == b"\x1f\x8b" else full.read()
    reference["gzip"].append(
        {"name": name, "bytes": base64.b64encode(data).decode(), "rows": csv_parser(inflated)}
    )

# Zip: stored and deflated entries, a directory entry, in archive order.
buffer = io.BytesIO()
with zipfile.ZipFile(buffer, "w") as z:
    z.writestr(zipfile.ZipInfo("part-2.jsonl"), '{"id":3}\n{"id":4}\n', compress_type=zipfile.ZIP_DEFLATED)
    z.writestr(zipfile.ZipInfo("dir/"), "")
    z.writestr(zipfile.ZipInfo("part-1.jsonl"), '{"id":1}\n{"id":2}\n', compress_type=zipfile.ZIP_STORED)
archive = buffer.getvalue()
with zipfile.ZipFile(io.BytesIO(archive)) as z:
    bodies = [body for name in z.namelist() for body in jsonl_parser(z.read(name))]
    names = z.namelist()
reference["zip"].append(
    {"name": "stored, deflated and a directory", "bytes": base64.b64encode(archive).decode(), "names": names, "bodies": bodies}
)

out = pathlib.Path(__file__).with_name("python-reference.json")
out.write_text(json.dumps(reference, indent=1, ensure_ascii=False) + "\n")
print(f"wrote {out}")
