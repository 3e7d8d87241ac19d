// XML as xmltodict reads it (the CDK's XmlDecoder), and a read of a WorkflowMax-shaped stream
// (source-workflowmax: XML pages under Response.StaffList.Staff) against a real local server.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Hono } from "hono";
import type { AirbyteMessage } from "../../src/connectors/protocol.ts";
import { decodeXml } from "../../src/declarative/decoders.ts";
import { runManifest } from "../../src/declarative/source.ts";
import { parseXml, XmlSyntaxError } from "../../src/declarative/xml.ts";
import { serve, type TestServer } from "./http/test-server.ts";

describe("parseXml reads a document as xmltodict.parse does", () => {
  test("attributes as @keys, repeated children as a list (xmltodict's own example)", () => {
    expect(parseXml('<a prop="x"><b>1</b><b>2</b></a>')).toEqual({ a: { "@prop": "x", b: ["1", "2"] } });
  });

  test("text beside attributes is #text; a lone child stays an object, not a list", () => {
    expect(parseXml("<r><link href='https://x.test/?a=1&amp;b=2'>next</link><c><d>1</d></c></r>")).toEqual({
      r: { link: { "@href": "https://x.test/?a=1&b=2", "#text": "next" }, c: { d: "1" } },
    });
  });

  test("empty elements are null, text is stripped, values stay strings", () => {
    expect(parseXml("<r><a/><b></b><c>   </c><d> 42 </d><e x=''/></r>")).toEqual({
      r: { a: null, b: null, c: null, d: "42", e: { "@x": "" } },
    });
  });

  test("the declaration, comments, processing instructions and the DOCTYPE are skipped; CDATA is text", () => {
    const xml = `<?xml version="1.0" encoding="utf-8"?>
      <!DOCTYPE r [ <!ENTITY boom "boom boom"> ]>
      <!-- a comment -->
      <r><?pi data?><a><![CDATA[x < y & z]]></a><b>&lt;i&gt; &amp; &#233;&#xE9; &quot;&apos;</b><c>&boom;</c></r>`;
    // A declared entity is never expanded (no entity expansion attack): xmltodict drops it too.
    expect(parseXml(xml)).toEqual({ r: { a: "x < y & z", b: "<i> & éé \"'", c: null } });
  });

  test("a DOCTYPE is read token by token: '] >' ends its subset, a quoted id may hold '[' or '>'", () => {
    expect(parseXml('<!DOCTYPE a [ <!ENTITY e "X"> ] ><a>1&e;2</a>')).toEqual({ a: "12" });
    expect(parseXml('<!DOCTYPE a SYSTEM "x[y>z"><a>1</a>')).toEqual({ a: "1" });
  });

  test("line ends read as \\n; a tab or newline in an attribute value reads as a space", () => {
    expect(parseXml('<a b="x\ny\tz">one\r\ntwo\rthree</a>')).toEqual({
      a: { "@b": "x y z", "#text": "one\ntwo\nthree" },
    });
    expect(parseXml('<a b="x&#10;y"/>')).toEqual({ a: { "@b": "x\ny" } });
  });

  test("any element name is a key of its own, __proto__ included; a byte-order mark is ignored", () => {
    const doc = parseXml("\uFEFF<?xml version='1.0'?><a><__proto__>x</__proto__><constructor/></a>");
    expect(Object.keys(doc.a as object)).toEqual(["__proto__", "constructor"]);
    expect(JSON.stringify(doc)).toBe('{"a":{"__proto__":"x","constructor":null}}');
  });

  test("text is stripped as Python's str.strip() strips it (U+0085 is space, U+FEFF is not)", () => {
    expect(parseXml("<a>\u0085x\u0085</a>")).toEqual({ a: "x" });
    expect(parseXml("<a>x\uFEFF</a>")).toEqual({ a: "x\uFEFF" });
  });

  test("namespace prefixes and xmlns attributes are kept; mixed text is joined", () => {
    expect(parseXml('<ns:a xmlns:ns="urn:x"><ns:b>1</ns:b>tail<c/>end</ns:a>')).toEqual({
      "ns:a": { "@xmlns:ns": "urn:x", "ns:b": "1", c: null, "#text": "tailend" },
    });
  });

  test.each([
    ["<a><b></a></b>"],
    ["<a>"],
    ["<a></a><b></b>"],
    ["text"],
    [""],
    ["<a x=1></a>"],
    // What expat refuses, and the CDK therefore reads as an empty body:
    ["<a>&nbsp;</a>"],
    ["<a>AT&T</a>"],
    ["<a>&#0;</a>"],
    ["<a>&#xD800;</a>"],
    ["<a b='1' b='2'/>"],
    ["<a b='1'c='2'/>"],
    ["<a b='<'/>"],
    ["<1a/>"],
    ["<!doctype a><a/>"],
    ["<a/><!DOCTYPE a>"],
    ["<a><?xml version='1.0'?></a>"],
    ["<a><!-- x -- y --></a>"],
    ["<a>]]></a>"],
  ])(
    "%p is not XML: XmlSyntaxError",

    (xml) => {
      expect(() => parseXml(xml)).toThrow(XmlSyntaxError);
    },
  );

  test("decodeXml gives one body, or {} for a body that is not XML (the CDK logs it and goes on)", () => {
    expect(decodeXml("<a>1</a>")).toEqual([{ a: "1" }]);
    expect(decodeXml('{"json": true}')).toEqual([{}]);
    expect(decodeXml("")).toEqual([{}]);
  });
});

// ---- a WorkflowMax-shaped stream ----

const STAFF = Array.from({ length: 5 }, (_, i) => ({
  UUID: `uuid-${i + 1}`,
  Name: `Staff & Co ${i + 1}`,
  Email: i === 2 ? null : `s${i + 1}@example.com`,
}));
const requests: { page: string | undefined; perPage: string | undefined }[] = [];

function staffXml(staff: typeof STAFF): string {
  const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");
  const one = (s: (typeof STAFF)[number]) =>
    `<Staff><UUID>${s.UUID}</UUID><Name>${esc(s.Name)}</Name>${s.Email === null ? "<Email/>" : `<Email>${s.Email}</Email>`}</Staff>`;
  return `<?xml version="1.0" encoding="utf-8"?>\n<Response api-method="List"><Status>OK</Status><StaffList>${staff.map(one).join("\n")}</StaffList></Response>`;
}

const app = new Hono();
app.get("/staff.api/list", (c) => {
  if (c.req.header("authorization") !== "Bearer xml-token")
    return c.text("<Response><Status>ERROR</Status></Response>", 401);
  const page = Number(c.req.query("page") ?? 1);
  const perPage = Number(c.req.query("per_page") ?? 100);
  requests.push({ page: c.req.query("page"), perPage: c.req.query("per_page") });
  const rows = STAFF.slice((page - 1) * perPage, page * perPage);
  return c.body(staffXml(rows), 200, { "content-type": "text/xml; charset=utf-8" });
});
app.get("/broken.api/list", (c) => c.body("<Response><StaffList>", 200, { "content-type": "text/xml" }));
// An older feed in ISO-8859-1: "Café Müller" as Latin-1 bytes (é = 0xE9, ü = 0xFC).
app.get("/latin.api/list", () => {
  const xml =
    '<?xml version="1.0" encoding="ISO-8859-1"?><Response><StaffList><Staff><UUID>u-1</UUID><Name>Café Müller</Name></Staff></StaffList></Response>';
  const bytes = Uint8Array.from(xml, (ch) => ch.charCodeAt(0));
  return new Response(bytes, { headers: { "content-type": "application/xml; charset=ISO-8859-1" } });
});

const MANIFEST = `
version: 5.12.0
type: DeclarativeSource
check: { type: CheckStream, stream_names: [stafflist] }
definitions:
  requester:
    type: HttpRequester
    url_base: https://api.workflowmax2.example/
    http_method: GET
    authenticator: { type: BearerAuthenticator, api_token: "{{ config['token'] }}" }
  staff: { type: RecordSelector, extractor: { type: DpathExtractor, field_path: [Response, StaffList, Staff] } }
streams:
  - type: DeclarativeStream
    name: stafflist
    primary_key: [UUID]
    retriever:
      type: SimpleRetriever
      decoder: { type: XmlDecoder }
      requester: { $ref: "#/definitions/requester", path: staff.api/list }
      record_selector: { $ref: "#/definitions/staff" }
      paginator:
        type: DefaultPaginator
        page_token_option: { type: RequestOption, inject_into: request_parameter, field_name: page }
        page_size_option: { type: RequestOption, inject_into: request_parameter, field_name: per_page }
        pagination_strategy: { type: PageIncrement, start_from_page: 1, page_size: 2, inject_on_first_request: true }
    schema_loader: { type: InlineSchemaLoader, schema: { type: object } }
  - type: DeclarativeStream
    name: latin
    retriever:
      type: SimpleRetriever
      decoder: { type: XmlDecoder }
      requester: { $ref: "#/definitions/requester", path: latin.api/list }
      record_selector: { $ref: "#/definitions/staff" }
    schema_loader: { type: InlineSchemaLoader, schema: { type: object } }
  - type: DeclarativeStream
    name: broken
    retriever:
      type: SimpleRetriever
      decoder: { type: XmlDecoder }
      requester: { $ref: "#/definitions/requester", path: broken.api/list }
      record_selector: { $ref: "#/definitions/staff" }
    schema_loader: { type: InlineSchemaLoader, schema: { type: object } }
spec:
  type: Spec
  connection_specification: { type: object, properties: { token: { type: string, airbyte_secret: true } } }
`;

let server: TestServer;
beforeAll(() => {
  server = serve(app);
});
afterAll(async () => {
  await server.stop();
});

async function read(stream: string): Promise<AirbyteMessage[]> {
  const out: AirbyteMessage[] = [];
  const catalog = {
    streams: [
      {
        stream: { name: stream, json_schema: {}, supported_sync_modes: ["full_refresh"] },
        sync_mode: "full_refresh",
        destination_sync_mode: "overwrite",
      },
    ],
  } as never;
  const run = {
    command: "read" as const,
    config: { token: "xml-token" },
    catalog,
    signal: AbortSignal.timeout(10_000),
  };
  for await (const m of runManifest(MANIFEST, "workflowmax-like", run, {
    hostMap: `https://api.workflowmax2.example=${server.url}`,
  }))
    out.push(m);
  return out;
}

const records = (ms: AirbyteMessage[]) =>
  ms.flatMap((m) => (m.type === "RECORD" ? [(m.record as { data: unknown }).data] : []));
const errors = (ms: AirbyteMessage[]) =>
  ms.flatMap((m) => (m.type === "TRACE" && m.trace.type === "ERROR" ? [m.trace.error] : []));

describe("XmlDecoder in a read", () => {
  test("pages of XML records, down to a last page of one element (an object, not a list)", async () => {
    requests.length = 0;
    const ms = await read("stafflist");
    expect(errors(ms)).toEqual([]);
    // Every value is a string or null, as xmltodict gives them; entities are decoded.
    expect(records(ms)).toEqual(STAFF);
    expect(requests).toEqual([
      { page: "1", perPage: "2" },
      { page: "2", perPage: "2" },
      { page: "3", perPage: "2" },
    ]);
  });

  test("a body in the charset its Content-Type declares is read in it (requests' response.text)", async () => {
    const ms = await read("latin");
    expect(errors(ms)).toEqual([]);
    expect(records(ms)).toEqual([{ UUID: "u-1", Name: "Café Müller" }]);
  });

  test("a body that is not XML reads as no records, as in the CDK", async () => {
    const ms = await read("broken");
    expect(errors(ms)).toEqual([]);
    expect(records(ms)).toEqual([]);
  });
});
