// Decoders as the CDK reads bodies: the parsers against what Python itself makes of the same bytes
// (decoders/python-reference.json, written by decoders/python-oracle.py with csv, json, gzip and
// zipfile), then each decoder end to end in a read against a real local server.

import { describe, expect, test } from "bun:test";
import { gzipSync } from "node:zlib";
import { createDecoder, csvRows } from "../../src/declarative/decoders.ts";
import {
  answerOf,
  errorsOf,
  oneStreamManifest,
  readManifest,
  recordsOf,
  serveApi,
} from "../helpers/manifest-run.ts";
import reference from "./decoders/python-reference.json";

type Json = Record<string, unknown>;
type Case = { name: string; text?: string; bytes?: string; encoding?: string; delimiter?: string };

const bytesOf = (c: Case) =>
  c.bytes !== undefined ? new Uint8Array(Buffer.from(c.bytes, "base64")) : new TextEncoder().encode(c.text);
const body = (bytes: Uint8Array, headers: Record<string, string> = {}) => ({
  text: new TextDecoder().decode(bytes),
  bytes,
  headers: new Headers(headers),
  url: "https://api.example.com/x",
});

describe("parsers against Python", () => {
  for (const c of reference.csv) {
    test(`CsvDecoder: ${c.name}`, () => {
      const node: Json = { type: "CsvDecoder" };
      for (const k of ["encoding", "delimiter", "set_values_to_none"] as const)
        if (k in c) node[k] = (c as Json)[k];
      expect(createDecoder(node, "d").decode(body(bytesOf(c))).bodies).toEqual(c.rows);
    });
  }
  for (const c of reference.jsonl) {
    test(`JsonlDecoder: ${c.name}`, () => {
      expect(createDecoder({ type: "JsonlDecoder" }, "d").decode(body(bytesOf(c))).bodies).toEqual(c.bodies);
    });
  }
  for (const c of reference.iterable) {
    test(`IterableDecoder: ${c.name}`, () => {
      expect(createDecoder({ type: "IterableDecoder" }, "d").decode(body(bytesOf(c))).bodies).toEqual(
        c.bodies,
      );
    });
  }
  for (const c of reference.gzip) {
    test(`GzipDecoder (application/gzip): ${c.name}`, () => {
      const decoder = createDecoder({ type: "GzipDecoder", decoder: { type: "CsvDecoder" } }, "d");
      const decoded = decoder.decode(body(bytesOf(c), { "content-type": "application/gzip" }));
      expect(decoded.bodies).toEqual(c.rows);
    });
  }
  for (const c of reference.zip) {
    test(`ZipfileDecoder: ${c.name}`, () => {
      const decoder = createDecoder({ type: "ZipfileDecoder", decoder: { type: "JsonlDecoder" } }, "d");
      expect(decoder.decode(body(bytesOf(c))).bodies).toEqual(c.bodies);
    });
  }

  test("csvRows: rows as csv.reader gives them, an empty line as []", () => {
    expect(csvRows('a,"b\n""c"""\n\nd,')).toEqual([["a", 'b\n"c"'], [], ["d", ""]]);
  });

  test("a field beyond Python's field limit fails as csv does", () => {
    const decoder = createDecoder({ type: "CsvDecoder" }, "d");
    const big = `a\n${"x".repeat(131_073)}\n`;
    expect(() => decoder.decode(body(new TextEncoder().encode(big)))).toThrow(
      "field larger than field limit (131072)",
    );
  });

  test("JsonItemsDecoder: the elements of the array at items_path; the rest is what paginators see", () => {
    const decoder = createDecoder({ type: "JsonItemsDecoder", items_path: "data.users" }, "d");
    const doc = { data: { users: [{ id: 1 }, { id: 2 }], total: 2 }, next: "p2" };
    const decoded = decoder.decode(body(new TextEncoder().encode(JSON.stringify(doc))));
    expect(decoded.bodies).toEqual([{ id: 1 }, { id: 2 }]);
    expect(decoded.response).toEqual({ data: { users: [], total: 2 }, next: "p2" });
    expect(() => createDecoder({ type: "JsonItemsDecoder", items_path: "" }, "d")).toThrow(
      "JsonItemsParser requires a non-empty items_path.",
    );
  });

  test("inside a GzipDecoder, bad JSON fails the stream (JsonParser), unlike a plain JsonDecoder", () => {
    const gz = createDecoder({ type: "GzipDecoder", decoder: { type: "JsonDecoder" } }, "d");
    expect(() => gz.decode(body(gzipSync("{oops"), { "content-encoding": "gzip" }))).toThrow(
      "Response JSON data failed to be parsed. See logs for more information.",
    );
    expect(
      createDecoder({ type: "JsonDecoder" }, "d").decode(body(new TextEncoder().encode("{oops"))).bodies,
    ).toEqual([{}]);
  });

  test("a zip archive that is not one, and an entry the nested parser refuses, fail with the CDK's words", () => {
    const zip = createDecoder({ type: "ZipfileDecoder", decoder: { type: "JsonDecoder" } }, "d");
    expect(() => zip.decode(body(new TextEncoder().encode("not a zip")))).toThrow(
      "Received an invalid zip file in response.",
    );
    const withDirectory = reference.zip[0] as Case;
    // The directory entry reads as b"", which JsonParser refuses.
    expect(() => zip.decode(body(bytesOf(withDirectory)))).toThrow(
      "Failed to parse file: part-2.jsonl from zip file.",
    );
  });
});

/** One stream reading /items with `decoder`, and `paginator` when given. */
const streamWith = (decoder: string, extra = "") => `
    retriever:
      type: SimpleRetriever
      decoder: ${decoder}
      requester: { type: HttpRequester, url_base: https://api.example.com, path: /items }
      record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [] } }
${extra}`;

describe("decoders in a read", () => {
  test("JsonlDecoder: each line is a record; the body's bytes are read as they came", async () => {
    const lines = [{ id: 1, name: "Café" }, { id: 2 }, { id: 12345678901234567890n.toString() }];
    const api = serveApi(
      () =>
        new Response(`${lines.map((l) => JSON.stringify(l)).join("\n")}\n`, {
          headers: { "content-type": "application/x-ndjson" },
        }),
    );
    const ms = await readManifest(oneStreamManifest(streamWith("{ type: JsonlDecoder }")), api.hostMap);
    expect(errorsOf(ms)).toEqual([]);
    expect(recordsOf(ms)).toEqual(lines);
  });

  test("CsvDecoder: rows as strings, with the delimiter and the values set to None", async () => {
    const api = serveApi(
      () => new Response("id|name|note\n1|a|N/A\n2|b|ok\n", { headers: { "content-type": "text/csv" } }),
    );
    const ms = await readManifest(
      oneStreamManifest(streamWith('{ type: CsvDecoder, delimiter: "|", set_values_to_none: ["N/A"] }')),
      api.hostMap,
    );
    expect(recordsOf(ms)).toEqual([
      { id: "1", name: "a", note: null },
      { id: "2", name: "b", note: "ok" },
    ]);
  });

  test("GzipDecoder: inflated under a listed header, read as it came otherwise (CompositeRawDecoder.by_headers)", async () => {
    const csv = "id,name\n1,a\n";
    let headers: Record<string, string> = {};
    const api = serveApi(() => new Response(gzipSync(csv), { headers }));
    const text = oneStreamManifest(streamWith("{ type: GzipDecoder, decoder: { type: CsvDecoder } }"));
    for (const type of ["application/gzip", "application/x-gzip"]) {
      headers = { "content-type": type };
      expect(recordsOf(await readManifest(text, api.hostMap))).toEqual([{ id: "1", name: "a" }]);
    }
    // Transport compression: fetch has already inflated it; the parser sees plain bytes and
    // passes them through (the magic-byte check).
    headers = { "content-encoding": "gzip", "content-type": "text/csv" };
    expect(recordsOf(await readManifest(text, api.hostMap))).toEqual([{ id: "1", name: "a" }]);
    // Not a listed header value: the nested CSV parser gets the gzip bytes themselves, as in the CDK.
    headers = { "content-type": "application/octet-stream" };
    const ms = await readManifest(text, api.hostMap);
    expect(recordsOf(ms)).not.toEqual([{ id: "1", name: "a" }]);
  });

  test("GzipDecoder over JSON fails the stream on a body it cannot parse", async () => {
    const api = serveApi(
      () => new Response(gzipSync("not json"), { headers: { "content-type": "application/gzip" } }),
    );
    const ms = await readManifest(
      oneStreamManifest(streamWith("{ type: GzipDecoder, decoder: { type: JsonDecoder } }")),
      api.hostMap,
    );
    expect(errorsOf(ms).join(" ")).toContain("Response JSON data failed to be parsed");
  });

  test("IterableDecoder: each line as {record: line}", async () => {
    const api = serveApi(() => new Response("first\nsecond\n"));
    const ms = await readManifest(oneStreamManifest(streamWith("{ type: IterableDecoder }")), api.hostMap);
    expect(recordsOf(ms)).toEqual([{ record: "first" }, { record: "second" }]);
  });

  test("ZipfileDecoder: every file of the archive, gzip-compressed CSV inside", async () => {
    const zip = reference.zip[0] as Case;
    const api = serveApi(
      () => new Response(bytesOf(zip), { headers: { "content-type": "application/zip" } }),
    );
    const ms = await readManifest(
      oneStreamManifest(streamWith("{ type: ZipfileDecoder, decoder: { type: JsonlDecoder } }")),
      api.hostMap,
    );
    expect(errorsOf(ms)).toEqual([]);
    expect(recordsOf(ms)).toEqual([{ id: 3 }, { id: 4 }, { id: 1 }, { id: 2 }]);
  });

  test("JsonItemsDecoder: a cursor paginator reads the document's remainder", async () => {
    const pages = [
      { users: [{ id: 1 }, { id: 2 }], next: "p2" },
      { users: [{ id: 3 }], next: null },
    ];
    const api = serveApi((url) => pages[url.searchParams.get("cursor") === "p2" ? 1 : 0]);
    const ms = await readManifest(
      oneStreamManifest(
        streamWith(
          "{ type: JsonItemsDecoder, items_path: users }",
          `      paginator:
        type: DefaultPaginator
        page_token_option: { type: RequestOption, inject_into: request_parameter, field_name: cursor }
        pagination_strategy: { type: CursorPagination, cursor_value: "{{ response.next }}", stop_condition: "{{ not response.next }}" }`,
        ),
      ),
      api.hostMap,
    );
    expect(errorsOf(ms)).toEqual([]);
    expect(api.requests).toEqual(["GET /items", "GET /items?cursor=p2"]);
    expect(recordsOf(ms)).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }]);
  });

  test("GzipDecoder over JSON with a cursor paginator stops after the first page: pagination sees {} (PaginationDecoderDecorator)", async () => {
    const api = serveApi(
      () =>
        new Response(gzipSync(JSON.stringify({ data: [{ id: 1 }], next: "p2" })), {
          headers: { "content-type": "application/gzip" },
        }),
    );
    const ms = await readManifest(
      oneStreamManifest(
        streamWith(
          "{ type: GzipDecoder, decoder: { type: JsonDecoder } }",
          `      paginator:
        type: DefaultPaginator
        page_token_option: { type: RequestOption, inject_into: request_parameter, field_name: cursor }
        pagination_strategy: { type: CursorPagination, cursor_value: "{{ response.next }}" }`,
        ),
      ),
      api.hostMap,
    );
    expect(api.requests).toEqual(["GET /items"]);
    expect(recordsOf(ms)).toEqual([{ data: [{ id: 1 }], next: "p2" }]);
  });

  test("a paginator over a decoder it cannot read is refused when the manifest loads", async () => {
    const text = oneStreamManifest(
      streamWith(
        "{ type: CsvDecoder }",
        `      paginator:
        type: DefaultPaginator
        pagination_strategy: { type: PageIncrement, page_size: 10 }`,
      ),
    );
    await expect(answerOf(text, "discover")).rejects.toThrow(
      "streams[0] (items).retriever.paginator: a CsvDecoder is not supported for pagination.",
    );
  });

  test("a streamed 2xx body is not read by an error handler's predicate (HttpResponseFilter)", async () => {
    const api = serveApi(() => new Response('{"error":"quota"}\n{"id":1}\n'));
    const ms = await readManifest(
      oneStreamManifest(
        `
    retriever:
      type: SimpleRetriever
      decoder: { type: JsonlDecoder }
      requester:
        type: HttpRequester
        url_base: https://api.example.com
        path: /items
        error_handler:
          type: DefaultErrorHandler
          response_filters:
            - { type: HttpResponseFilter, action: FAIL, predicate: "{{ 'error' in response }}" }
      record_selector: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [] } }`,
      ),
      api.hostMap,
    );
    expect(errorsOf(ms)).toEqual([]);
    expect(recordsOf(ms)).toEqual([{ error: "quota" }, { id: 1 }]);
  });
});

describe("what a review against the CDK found", () => {
  test("NaN and Infinity, which Python's json reads, are kept as None (JSON lines, and JSON inside gzip)", () => {
    const lines = new TextEncoder().encode('{"a":NaN,"b":"NaN"}\n{"a":-Infinity}\n');
    expect(createDecoder({ type: "JsonlDecoder" }, "d").decode(body(lines)).bodies).toEqual([
      { a: null, b: "NaN" },
      { a: null },
    ]);
    const gz = createDecoder({ type: "GzipDecoder", decoder: { type: "JsonDecoder" } }, "d");
    expect(
      gz.decode(body(gzipSync('[{"x":Infinity}]'), { "content-type": "application/gzip" })).bodies,
    ).toEqual([{ x: null }]);
  });

  test("latin-1 is Python's (each byte its code point), not the web's windows-1252; ascii refuses high bytes", () => {
    const bytes = new Uint8Array([0x61, 0x0a, 0x80, 0xe9, 0x0a]);
    const latin = createDecoder({ type: "CsvDecoder", encoding: "latin-1" }, "d").decode(body(bytes)).bodies;
    expect(latin).toEqual([{ a: "\x80é" }]);
    expect(() => createDecoder({ type: "CsvDecoder", encoding: "ascii" }, "d").decode(body(bytes))).toThrow(
      "not valid 'ascii' text",
    );
  });
});
