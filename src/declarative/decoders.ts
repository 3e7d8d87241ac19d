// Decoders: a response body as the bodies its records are extracted from, as the CDK's decoders
// and its CompositeRawDecoder parsers read them (JSON, XML, JSON lines, CSV, gzip, zip, iterable
// lines, JSON items). The field path then applies to each body separately.

import { gunzipSync, inflateRawSync, inflateSync } from "node:zlib";
import { parseJson } from "../core/json.ts";
import { DeclarativeError } from "./errors.ts";
import { isObj, type Obj } from "./values.ts";
import { parseXml, XmlSyntaxError } from "./xml.ts";

/** What a decoder reads of a response. */
export interface Body {
  readonly text: string;
  /** Present when the decoder asked for bytes (`binary`). */
  readonly bytes?: Uint8Array | undefined;
  readonly headers: Headers;
  readonly url: string;
}

export interface Decoded {
  bodies: unknown[];
  /** What a paginator sees as `response`: the first body, or for a streamed body its remainder or {}. */
  response: unknown;
}

export interface Decoder {
  /** The manifest type, for messages. */
  readonly type: string;
  /** Reads the body's bytes rather than its text. */
  readonly binary: boolean;
  /**
   * The CDK streams this body in a sync: paginators see only a document remainder or {}, and the
   * error handler's predicates do not read a 2xx body.
   */
  readonly streamed: boolean;
  /** A DefaultPaginator may read it (the CDK's _is_supported_decoder_for_pagination). */
  readonly paginable: boolean;
  decode(body: Body): Decoded;
}

/** A CompositeRawDecoder's parser: bytes to bodies; `remainder` receives a streamed document's rest. */
type Parser = {
  readonly name: string;
  readonly json: boolean;
  parse(bytes: Uint8Array, remainder?: (doc: unknown) => void): unknown[];
};

/** A failure the CDK raises from a parser: the stream fails with this message. */
export class DecodeError extends DeclarativeError {}

// ---------------------------------------------------------------------------------------------
// JsonDecoder and XmlDecoder: the body read as text

/** JsonDecoder: one body per element when the body is a list; bad JSON decodes to {}. */
export function decodeJson(text: string): unknown[] {
  let body: unknown;
  try {
    body = text.length === 0 ? {} : parseJson(text);
  } catch {
    return [{}];
  }
  if (!Array.isArray(body)) return [body];
  return body.length === 0 ? [{}] : body;
}

/** XmlDecoder: the body as xmltodict reads it; a body that is not XML decodes to {}, as in the CDK. */
export function decodeXml(text: string): unknown[] {
  try {
    return [parseXml(text)];
  } catch (error) {
    if (error instanceof XmlSyntaxError) return [{}];
    throw error;
  }
}

/** What a paginator's `response` is for a decoder that is not streamed: the first body. */
export function firstBody(bodies: unknown[]): unknown {
  return bodies.length > 0 ? bodies[0] : {};
}

function textDecoder(type: string, decode: (text: string) => unknown[]): Decoder {
  return {
    type,
    binary: false,
    streamed: false,
    paginable: true,
    decode(body) {
      const bodies = decode(body.text);
      return { bodies, response: firstBody(bodies) };
    },
  };
}

export const JSON_DECODER: Decoder = textDecoder("JsonDecoder", decodeJson);
export const XML_DECODER: Decoder = textDecoder("XmlDecoder", decodeXml);

// ---------------------------------------------------------------------------------------------
// Parsers (CompositeRawDecoder)

const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

function utf8(bytes: Uint8Array): string {
  try {
    return UTF8.decode(bytes);
  } catch {
    throw new DecodeError("The response is not valid UTF-8 text ('utf-8' codec can't decode it).");
  }
}

/** JsonParser: the whole body as one document; unlike JsonDecoder, bad JSON fails the stream. */
const JSON_PARSER: Parser = {
  name: "JsonDecoder",
  json: true,
  parse(bytes) {
    let body: unknown = null;
    try {
      body = parseJson(utf8(bytes));
    } catch {
      // The CDK's `orjson or json` reads an unparsable body and `null` alike.
    }
    if (body === null)
      throw new DecodeError("Response JSON data failed to be parsed. See logs for more information.");
    return Array.isArray(body) ? body : [body];
  },
};

/** JsonLineParser: each line one body; a line that is not JSON (a blank one too) is skipped. */
const JSONL_PARSER: Parser = {
  name: "JsonlDecoder",
  json: false,
  parse(bytes) {
    const lines = utf8(bytes).split("\n");
    if (lines[lines.length - 1] === "") lines.pop();
    const out: unknown[] = [];
    for (const line of lines) {
      try {
        out.push(parseJson(line));
      } catch {
        // "Cannot decode/parse line ... as JSON": logged by the CDK, and skipped.
      }
    }
    return out;
  },
};

/** CsvParser: Python's csv.DictReader over the text; every value a string. */
function csvParser(node: Obj): Parser {
  const encoding = typeof node.encoding === "string" && node.encoding !== "" ? node.encoding : "utf-8";
  const decoder = pythonTextDecoder(encoding);
  let delimiter = typeof node.delimiter === "string" && node.delimiter !== "" ? node.delimiter : ",";
  if (delimiter.startsWith("\\")) delimiter = unicodeEscape(delimiter);
  if ([...delimiter].length !== 1)
    throw new DeclarativeError(`CsvDecoder: the delimiter must be one character; got '${delimiter}'.`);
  const none = Array.isArray(node.set_values_to_none) ? new Set(node.set_values_to_none.map(String)) : null;
  return {
    name: "CsvDecoder",
    json: false,
    parse(bytes) {
      let text: string;
      try {
        text = decoder.decode(bytes);
      } catch {
        throw new DecodeError(`The CSV response is not valid '${encoding}' text.`);
      }
      return csvDictRows(text, delimiter, none);
    },
  };
}

/** The header values (Content-Encoding or Content-Type) under which the CDK's GzipDecoder inflates. */
const GZIP_HEADER_VALUES = new Set([
  "gzip",
  "x-gzip",
  "gzip, deflate",
  "x-gzip, deflate",
  "application/zip",
  "application/gzip",
  "application/x-gzip",
  "application/x-zip-compressed",
]);

/** GzipParser: inflates a body that starts with the gzip magic bytes; passes any other through. */
function gzipParser(inner: Parser): Parser {
  return {
    name: "GzipDecoder",
    json: inner.json,
    parse(bytes, remainder) {
      if (bytes.length === 0) return [];
      if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return inner.parse(bytes, remainder);
      let inflated: Uint8Array;
      try {
        inflated = gunzipSync(bytes);
      } catch (error) {
        throw new DecodeError(`The gzip response could not be decompressed: ${(error as Error).message}.`);
      }
      return inner.parse(inflated, remainder);
    },
  };
}

/** JsonItemsParser: each element of the array at `items_path` is one body. */
function jsonItemsParser(node: Obj): Parser {
  const path = typeof node.items_path === "string" ? node.items_path : "";
  if (path === "") throw new DeclarativeError("JsonItemsParser requires a non-empty items_path.");
  const decoder = pythonTextDecoder(typeof node.encoding === "string" ? node.encoding : "utf-8");
  const segments = path.split(".");
  return {
    name: "JsonItemsDecoder",
    json: true,
    parse(bytes, remainder) {
      let doc: unknown;
      try {
        doc = parseJson(decoder.decode(bytes));
      } catch (error) {
        throw new DecodeError(`The response is not valid JSON: ${(error as Error).message}.`);
      }
      const items: unknown[] = [];
      takeItems(doc, segments, 0, items);
      remainder?.(doc);
      return items;
    },
  };
}

/**
 * ijson's `prefix.item`: the elements of each array found at the dotted path (an `item` segment
 * steps into every element of an array on the way). The arrays are emptied in place, so the
 * document left is the remainder the CDK keeps for pagination.
 */
function takeItems(node: unknown, segments: string[], at: number, out: unknown[]): void {
  if (at === segments.length) {
    if (Array.isArray(node)) out.push(...node.splice(0));
    return;
  }
  const key = segments[at] as string;
  if (key === "item" && Array.isArray(node)) {
    for (const element of node) takeItems(element, segments, at + 1, out);
  } else if (isObj(node) && key in node) takeItems(node[key], segments, at + 1, out);
}

/** The parser of a decoder nested in a GzipDecoder or ZipfileDecoder (the CDK's _get_parser). */
function nestedParser(node: unknown, where: string): Parser {
  const n = isObj(node) ? node : {};
  switch (n.type) {
    case "JsonDecoder":
      return JSON_PARSER;
    case "JsonlDecoder":
      return JSONL_PARSER;
    case "CsvDecoder":
      return csvParser(n);
    case "GzipDecoder":
      return gzipParser(nestedParser(n.decoder, `${where}.decoder`));
    case "JsonItemsDecoder":
      return jsonItemsParser(n);
    default:
      throw new DeclarativeError(
        `${where}: decoder type ${String(n.type)} does not have a parser associated to it.`,
      );
  }
}

// ---------------------------------------------------------------------------------------------
// Decoders over parsers

/** A CompositeRawDecoder that the CDK streams in a sync: pagination sees the remainder, or {}. */
function streamedDecoder(type: string, select: (headers: Headers) => Parser, paginable: boolean): Decoder {
  return {
    type,
    binary: true,
    streamed: true,
    paginable,
    decode(body) {
      let rest: unknown = {};
      const bodies = select(body.headers).parse(body.bytes ?? new TextEncoder().encode(body.text), (doc) => {
        rest = doc;
      });
      return { bodies, response: rest };
    },
  };
}

/** IterableDecoder: each line of the body as {"record": line}. */
const ITERABLE_DECODER: Decoder = {
  type: "IterableDecoder",
  binary: true,
  streamed: true,
  paginable: false,
  decode(body) {
    const lines = utf8(body.bytes ?? new Uint8Array()).split(/\r\n|\r|\n/);
    if (lines[lines.length - 1] === "") lines.pop();
    return { bodies: lines.map((record) => ({ record })), response: {} };
  },
};

/** ZipfileDecoder: every entry of the archive, in its order, through the nested parser. */
function zipfileDecoder(inner: Parser): Decoder {
  return {
    type: "ZipfileDecoder",
    binary: true,
    streamed: false,
    paginable: false,
    decode(body) {
      let entries: ZipEntry[];
      try {
        entries = zipEntries(body.bytes ?? new Uint8Array());
      } catch {
        throw new DecodeError("Received an invalid zip file in response.");
      }
      const bodies: unknown[] = [];
      for (const entry of entries) {
        try {
          for (const b of inner.parse(entry.data())) bodies.push(b);
        } catch {
          throw new DecodeError(`Failed to parse file: ${entry.name} from zip file.`);
        }
      }
      return { bodies, response: firstBody(bodies) };
    },
  };
}

/** The decoder a manifest names (SimpleRetriever.decoder, AsyncRetriever.decoder/download_decoder). */
export function createDecoder(node: unknown, where: string): Decoder {
  if (node === undefined || node === null) return JSON_DECODER;
  const n = isObj(node) ? node : {};
  switch (n.type) {
    case "JsonDecoder":
      return JSON_DECODER;
    case "XmlDecoder":
      return XML_DECODER;
    case "JsonlDecoder":
      return streamedDecoder("JsonlDecoder", () => JSONL_PARSER, false);
    case "CsvDecoder": {
      const parser = csvParser(n);
      return streamedDecoder("CsvDecoder", () => parser, false);
    }
    case "JsonItemsDecoder": {
      const parser = jsonItemsParser(n);
      return streamedDecoder("JsonItemsDecoder", () => parser, true);
    }
    case "GzipDecoder": {
      const inner = nestedParser(n.decoder, `${where}.decoder`);
      const gzip = gzipParser(inner);
      // CompositeRawDecoder.by_headers: inflate only under one of the listed header values;
      // otherwise the nested parser reads the body as it came.
      const select = (headers: Headers): Parser => {
        for (const name of ["content-encoding", "content-type"]) {
          const value = headers.get(name);
          if (value !== null && GZIP_HEADER_VALUES.has(value)) return gzip;
        }
        return inner;
      };
      return streamedDecoder("GzipDecoder", select, inner.json);
    }
    case "IterableDecoder":
      return ITERABLE_DECODER;
    case "ZipfileDecoder":
      return zipfileDecoder(nestedParser(n.decoder, `${where}.decoder`));
    default:
      throw new DeclarativeError(`${where}: the decoder ${String(n.type)} is not supported.`);
  }
}

/** The CDK's build-time refusal of a paginator over a decoder it cannot read. */
export function unpaginableDecoderMessage(decoder: Decoder, where: string): string {
  return (
    `${where}: a ${decoder.type} is not supported for pagination. ` +
    "Set it to a JsonDecoder, an XmlDecoder, a JsonItemsDecoder, or a GzipDecoder whose innermost decoder is a JsonDecoder, or remove the paginator."
  );
}

// ---------------------------------------------------------------------------------------------
// CSV as Python's csv module reads it (excel dialect, strict off) through a universal-newline
// text stream, with DictReader on top.

const FIELD_LIMIT = 131072;

/** Rows of a CSV text, as csv.reader gives them (empty lines as []). */
export function csvRows(text: string, delimiter = ","): string[][] {
  // TextIOWrapper(newline=None): \r\n and \r become \n, quoted fields included.
  const normalized = text.includes("\r") ? text.replace(/\r\n?/g, "\n") : text;
  const rows: string[][] = [];
  let fields: string[] = [];
  let field = "";
  let state: "record" | "start" | "unquoted" | "quoted" | "quoteInQuoted" = "record";
  let inRecord = false;
  const save = () => {
    if (field.length > FIELD_LIMIT) throw new DecodeError(`field larger than field limit (${FIELD_LIMIT})`);
    fields.push(field);
    field = "";
  };
  const end = () => {
    rows.push(fields);
    fields = [];
    inRecord = false;
    state = "record";
  };
  const n = normalized.length;
  for (let i = 0; i < n; i++) {
    const c = normalized[i] as string;
    if (state === "record") {
      if (c === "\n") {
        rows.push([]);
        continue;
      }
      inRecord = true;
      state = "start";
    }
    switch (state) {
      case "start":
        if (c === "\n") {
          save();
          end();
        } else if (c === '"') state = "quoted";
        else if (c === delimiter) save();
        else {
          field += c;
          state = "unquoted";
        }
        break;
      case "unquoted":
        if (c === "\n") {
          save();
          end();
        } else if (c === delimiter) {
          save();
          state = "start";
        } else field += c;
        break;
      case "quoted":
        if (c === '"') state = "quoteInQuoted";
        else field += c;
        break;
      case "quoteInQuoted":
        if (c === '"') {
          field += c;
          state = "quoted";
        } else if (c === delimiter) {
          save();
          state = "start";
        } else if (c === "\n") {
          save();
          end();
        } else {
          field += c;
          state = "unquoted";
        }
        break;
    }
  }
  // The last line without its newline; at the end of the data inside quotes, the field as read.
  if (inRecord) {
    save();
    rows.push(fields);
  }
  return rows;
}

/** csv.DictReader: the first row names the fields; empty rows are skipped; short rows get None, long ones a "null" list. */
function csvDictRows(text: string, delimiter: string, none: Set<string> | null): Obj[] {
  const rows = csvRows(text, delimiter);
  if (rows.length === 0) return [];
  const names = rows[0] as string[];
  const out: Obj[] = [];
  for (let r = 1; r < rows.length; r++) {
    const row = rows[r] as string[];
    if (row.length === 0) continue;
    const record: Obj = {};
    const shared = Math.min(names.length, row.length);
    for (let i = 0; i < shared; i++) record[names[i] as string] = row[i];
    if (row.length > names.length) record.null = row.slice(names.length);
    else for (let i = row.length; i < names.length; i++) record[names[i] as string] = null;
    if (none !== null && none.size > 0)
      for (const k in record) {
        const v = record[k];
        if (typeof v === "string" && none.has(v)) record[k] = null;
      }
    out.push(record);
  }
  return out;
}

/** A decoder for a Python codec name; utf-8 keeps a BOM (only utf-8-sig drops it), as Python does. */
export function pythonTextDecoder(encoding: string): TextDecoder {
  const name = encoding.toLowerCase().replace(/_/g, "-");
  if (name === "utf-8-sig" || name === "utf8-sig") return new TextDecoder("utf-8", { fatal: true });
  const label = name === "latin-1" || name === "latin1" ? "iso-8859-1" : name;
  try {
    return new TextDecoder(label as ConstructorParameters<typeof TextDecoder>[0], {
      fatal: true,
      ignoreBOM: true,
    });
  } catch {
    throw new DeclarativeError(`Unknown encoding '${encoding}'.`);
  }
}

/** Python's `str.encode().decode("unicode_escape")` for the escapes a delimiter uses (\t, \x1f, \u0001). */
function unicodeEscape(s: string): string {
  return s.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|[tnr\\0])/g, (_, e: string) => {
    if (e[0] === "x" || e[0] === "u") return String.fromCharCode(Number.parseInt(e.slice(1), 16));
    return ({ t: "\t", n: "\n", r: "\r", "\\": "\\", "0": "\0" } as Record<string, string>)[e] as string;
  });
}

// ---------------------------------------------------------------------------------------------
// Zip archives (stored and deflated entries, ZIP64 sizes), read through the central directory.

interface ZipEntry {
  name: string;
  data(): Uint8Array;
}

function zipEntries(bytes: Uint8Array): ZipEntry[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // The end-of-central-directory record: the last signature within the final 64 KiB + 22 bytes.
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 0xffff); i--) {
    if (view.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error("no end of central directory");
  let count = view.getUint16(eocd + 10, true);
  let offset = view.getUint32(eocd + 16, true);
  if (offset === 0xffffffff || count === 0xffff) {
    const locator = eocd - 20;
    if (locator < 0 || view.getUint32(locator, true) !== 0x07064b50) throw new Error("bad zip64 locator");
    const zip64 = Number(view.getBigUint64(locator + 8, true));
    count = Number(view.getBigUint64(zip64 + 32, true));
    offset = Number(view.getBigUint64(zip64 + 48, true));
  }
  const names = new TextDecoder();
  const entries: ZipEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (view.getUint32(offset, true) !== 0x02014b50) throw new Error("bad central directory");
    const method = view.getUint16(offset + 10, true);
    let compressed = view.getUint32(offset + 20, true);
    let size = view.getUint32(offset + 24, true);
    const nameLength = view.getUint16(offset + 28, true);
    const extraLength = view.getUint16(offset + 30, true);
    const commentLength = view.getUint16(offset + 32, true);
    let local = view.getUint32(offset + 42, true);
    const name = names.decode(bytes.subarray(offset + 46, offset + 46 + nameLength));
    // ZIP64 extra field (id 1): the sizes and offset that did not fit in 32 bits, in this order.
    for (let e = offset + 46 + nameLength; e < offset + 46 + nameLength + extraLength; ) {
      const id = view.getUint16(e, true);
      const length = view.getUint16(e + 2, true);
      if (id === 1) {
        let p = e + 4;
        if (size === 0xffffffff) {
          size = Number(view.getBigUint64(p, true));
          p += 8;
        }
        if (compressed === 0xffffffff) {
          compressed = Number(view.getBigUint64(p, true));
          p += 8;
        }
        if (local === 0xffffffff) local = Number(view.getBigUint64(p, true));
      }
      e += 4 + length;
    }
    offset += 46 + nameLength + extraLength + commentLength;
    if (view.getUint32(local, true) !== 0x04034b50) throw new Error("bad local header");
    const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
    const raw = bytes.subarray(start, start + compressed);
    entries.push({
      name,
      data: () => {
        if (method === 0) return raw;
        if (method === 8) return inflateRawSync(raw);
        throw new Error(`compression method ${method} is not supported`);
      },
    });
  }
  return entries;
}

// ---------------------------------------------------------------------------------------------
// ResponseToFileExtractor (an AsyncRetriever's download): the body inflated when it is gzip or
// zlib data, else taken raw without NUL bytes, then read as pandas.read_csv(dialect="unix",
// dtype=object) reads it: every value a string, pandas' NA strings as None.

/** pandas' default na_values. */
const PANDAS_NA = new Set([
  "",
  "#N/A",
  "#N/A N/A",
  "#NA",
  "-1.#IND",
  "-1.#QNAN",
  "-NaN",
  "-nan",
  "1.#IND",
  "1.#QNAN",
  "<NA>",
  "N/A",
  "NA",
  "NULL",
  "NaN",
  "None",
  "n/a",
  "nan",
  "null",
]);

/** A ResponseToFileExtractor as a decoder whose bodies are the records. */
export function responseToFileDecoder(preserveNaValues: boolean): Decoder {
  return {
    type: "ResponseToFileExtractor",
    binary: true,
    streamed: true,
    paginable: false,
    decode(body) {
      const bytes = body.bytes ?? new TextEncoder().encode(body.text);
      return { bodies: pandasCsv(utf8(inflateOrRaw(bytes)), preserveNaValues), response: {} };
    },
  };
}

/** zlib.decompressobj(MAX_WBITS | 32): gzip or zlib data inflated; anything else as it is, without NUL bytes. */
function inflateOrRaw(bytes: Uint8Array): Uint8Array {
  const gzip = bytes[0] === 0x1f && bytes[1] === 0x8b;
  const zlib =
    bytes.length > 1 &&
    ((bytes[0] as number) & 0x0f) === 8 &&
    ((bytes[0] as number) * 256 + (bytes[1] as number)) % 31 === 0;
  if (gzip || zlib) {
    try {
      return gzip ? gunzipSync(bytes) : inflateSync(bytes);
    } catch {
      // Not compressed after all: written raw, as the CDK does after a zlib error.
    }
  }
  return bytes.includes(0) ? bytes.filter((b) => b !== 0) : bytes;
}

function pandasCsv(text: string, preserveNaValues: boolean): Obj[] {
  const rows = csvRows(text).filter((row) => row.length > 0);
  const header = rows[0];
  if (header === undefined) return [];
  // Duplicate names become name.1, name.2; an empty one "Unnamed: i".
  const seen = new Map<string, number>();
  const names = header.map((raw, i) => {
    let name = raw === "" ? `Unnamed: ${i}` : raw;
    const n = seen.get(name) ?? 0;
    seen.set(name, n + 1);
    if (n > 0) {
      let candidate = `${name}.${n}`;
      while (seen.has(candidate)) candidate = `${name}.${seen.get(name)}`;
      seen.set(candidate, 1);
      name = candidate;
    }
    return name;
  });
  const na = (v: string) => (preserveNaValues ? v === "" : PANDAS_NA.has(v));
  const out: Obj[] = [];
  for (let r = 1; r < rows.length; r++) {
    const row = rows[r] as string[];
    if (row.length > names.length)
      throw new DecodeError(
        `Error tokenizing data. C error: Expected ${names.length} fields in line ${r + 1}, saw ${row.length}`,
      );
    const record: Obj = {};
    for (let i = 0; i < names.length; i++) {
      const v = row[i];
      record[names[i] as string] = v === undefined || na(v) ? null : v;
    }
    out.push(record);
  }
  return out;
}
