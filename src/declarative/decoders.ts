// Decoders: a response body as the bodies its records are extracted from, as the CDK's decoders
// and its CompositeRawDecoder parsers read them (JSON, XML, JSON lines, CSV, gzip, zip, iterable
// lines, JSON items). The field path then applies to each body separately.

import { gunzipSync, inflateRawSync, inflateSync } from "node:zlib";
import { parsePythonJson } from "../core/json.ts";
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
  /** A JSON parser (or gzip over one): a paginator may read what it gives. */
  readonly json: boolean;
  parse(bytes: Uint8Array, remainder?: (doc: unknown) => void): unknown[];
};

/** A failure the CDK raises from a parser: the stream fails with this message. */
export class DecodeError extends DeclarativeError {}

// ---------------------------------------------------------------------------------------------
// JsonDecoder and XmlDecoder: the body read as text

/** JsonDecoder: one body per element when the body is a list; bad JSON decodes to {}. */
function decodeJson(text: string): unknown[] {
  let body: unknown;
  try {
    body = text.length === 0 ? {} : parsePythonJson(text);
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
function firstBody(bodies: unknown[]): unknown {
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

const JSON_DECODER: Decoder = textDecoder("JsonDecoder", decodeJson);
const XML_DECODER: Decoder = textDecoder("XmlDecoder", decodeXml);

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
  json: true,
  parse(bytes) {
    let body: unknown = null;
    try {
      body = parsePythonJson(utf8(bytes));
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
  json: false,
  parse(bytes) {
    const lines = utf8(bytes).split("\n");
    if (lines[lines.length - 1] === "") lines.pop();
    const out: unknown[] = [];
    for (const line of lines) {
      try {
        out.push(parsePythonJson(line));
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
    json: true,
    parse(bytes, remainder) {
      let doc: unknown;
      try {
        doc = parsePythonJson(decoder.decode(bytes));
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
        } catch (error) {
          throw new DecodeError(
            `Failed to parse file: ${entry.name} from zip file. ${(error as Error).message}`,
          );
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
  const tokenizer = new CsvTokenizer(delimiter);
  const rows = tokenizer.push(text);
  for (const row of tokenizer.end()) rows.push(row);
  return rows;
}

/**
 * Python's csv reader state machine over text that arrives in pieces, read through universal
 * newlines (\r\n and \r are \n, quoted fields included). `quoted` tells, for the last row
 * returned, whether it held a quote (pandas skips unquoted lines of blanks only).
 */
export class CsvTokenizer {
  private fields: string[] = [];
  private field = "";
  private state: "record" | "start" | "unquoted" | "quoted" | "quoteInQuoted" = "record";
  private inRecord = false;
  private sawQuote = false;
  /** A \r at the end of a piece: a \n may follow in the next one. */
  private pendingCr = false;
  /** For each row the last push() or end() returned, whether a quote appeared in it. */
  quoted: boolean[] = [];

  constructor(private readonly delimiter: string) {}

  /** The rows the text completes. */
  push(text: string): string[][] {
    this.quoted = [];
    let t = text;
    if (this.pendingCr) {
      t = `\r${t}`;
      this.pendingCr = false;
    }
    if (t.endsWith("\r")) {
      this.pendingCr = true;
      t = t.slice(0, -1);
    }
    if (t.includes("\r")) t = t.replace(/\r\n?/g, "\n");
    const rows: string[][] = [];
    const delimiter = this.delimiter;
    const n = t.length;
    for (let i = 0; i < n; i++) {
      const c = t[i] as string;
      if (this.state === "record") {
        if (c === "\n") {
          this.emit(rows, []);
          continue;
        }
        this.inRecord = true;
        this.state = "start";
      }
      switch (this.state) {
        case "start":
          if (c === "\n") {
            this.save();
            this.endRecord(rows);
          } else if (c === '"') {
            this.state = "quoted";
            this.sawQuote = true;
          } else if (c === delimiter) this.save();
          else {
            this.field += c;
            this.state = "unquoted";
          }
          break;
        case "unquoted":
          if (c === "\n") {
            this.save();
            this.endRecord(rows);
          } else if (c === delimiter) {
            this.save();
            this.state = "start";
          } else this.field += c;
          break;
        case "quoted":
          if (c === '"') this.state = "quoteInQuoted";
          else this.field += c;
          break;
        case "quoteInQuoted":
          if (c === '"') {
            this.field += c;
            this.state = "quoted";
          } else if (c === delimiter) {
            this.save();
            this.state = "start";
          } else if (c === "\n") {
            this.save();
            this.endRecord(rows);
          } else {
            this.field += c;
            this.state = "unquoted";
          }
          break;
      }
    }
    return rows;
  }

  /** Whether the data ended inside a quoted field. */
  get inQuotes(): boolean {
    return this.state === "quoted";
  }

  /** The last line without its newline; at the end of the data inside quotes, the field as read. */
  end(): string[][] {
    const rows: string[][] = [];
    let quoted: boolean[] = [];
    if (this.pendingCr) {
      this.pendingCr = false;
      for (const row of this.push("\n")) rows.push(row);
      quoted = this.quoted;
    }
    this.quoted = quoted;
    if (this.inRecord) {
      this.save();
      this.endRecord(rows);
    }
    return rows;
  }

  private save(): void {
    if (this.field.length > FIELD_LIMIT)
      throw new DecodeError(`field larger than field limit (${FIELD_LIMIT})`);
    this.fields.push(this.field);
    this.field = "";
  }

  private endRecord(rows: string[][]): void {
    this.emit(rows, this.fields);
    this.fields = [];
    this.inRecord = false;
    this.state = "record";
  }

  private emit(rows: string[][], row: string[]): void {
    rows.push(row);
    this.quoted.push(this.sawQuote);
    this.sawQuote = false;
  }
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

/** Bytes to text as a Python codec reads them (strict). */
interface TextDecoding {
  decode(bytes: Uint8Array): string;
}

const LATIN_1 = new Set(["latin-1", "latin1", "iso-8859-1", "iso8859-1", "8859", "cp819", "l1"]);
const ASCII = new Set(["ascii", "us-ascii", "646"]);

/**
 * A decoder for a Python codec name. utf-8 keeps a BOM (only utf-8-sig drops it); latin-1 maps
 * each byte to its code point (the web's "iso-8859-1" label is windows-1252, which Python's is
 * not); ascii refuses bytes above 127.
 */
function pythonTextDecoder(encoding: string): TextDecoding {
  const name = encoding.toLowerCase().replace(/_/g, "-");
  if (name === "utf-8-sig" || name === "utf8-sig") return new TextDecoder("utf-8", { fatal: true });
  if (LATIN_1.has(name) || ASCII.has(name)) {
    const ascii = ASCII.has(name);
    return {
      decode(bytes) {
        let out = "";
        for (let i = 0; i < bytes.length; i += 8192) {
          const part = bytes.subarray(i, i + 8192);
          if (ascii && part.some((b) => b > 127)) throw new TypeError("'ascii' codec can't decode byte");
          out += String.fromCharCode(...part);
        }
        return out;
      },
    };
  }
  try {
    return new TextDecoder(name as ConstructorParameters<typeof TextDecoder>[0], {
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

/** A ResponseToFileExtractor as a decoder of a whole body, whose bodies are the records. */
export function responseToFileDecoder(preserveNaValues: boolean): Decoder {
  return {
    type: "ResponseToFileExtractor",
    binary: true,
    streamed: false,
    paginable: false,
    decode(body) {
      const bytes = body.bytes ?? new TextEncoder().encode(body.text);
      const records = new PandasRecords(preserveNaValues);
      const tokenizer = new CsvTokenizer(",");
      const out: Obj[] = [];
      records.add(tokenizer.push(stripBom(utf8(inflateOrRaw(bytes)))), tokenizer.quoted, out);
      records.finish(tokenizer);
      records.add(tokenizer.end(), tokenizer.quoted, out);
      return { bodies: out, response: {} };
    },
  };
}

/** zlib.decompressobj(MAX_WBITS | 32): gzip or zlib data inflated; anything else as it is, without NUL bytes. */
function inflateOrRaw(bytes: Uint8Array): Uint8Array {
  const kind = compression(bytes);
  if (kind !== null) {
    try {
      return kind === "gzip" ? gunzipSync(bytes) : inflateSync(bytes);
    } catch {
      // Not compressed after all: written raw, as the CDK does after a zlib error.
    }
  }
  return withoutNul(bytes);
}

function compression(bytes: Uint8Array): "gzip" | "deflate" | null {
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) return "gzip";
  const b0 = bytes[0] as number;
  const b1 = bytes[1] as number;
  if (bytes.length > 1 && (b0 & 0x0f) === 8 && (b0 * 256 + b1) % 31 === 0) return "deflate";
  return null;
}

function withoutNul(bytes: Uint8Array): Uint8Array {
  return bytes.includes(0) ? bytes.filter((b) => b !== 0) : bytes;
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * A ResponseToFileExtractor over a body as it arrives: inflated when it starts as gzip or zlib
 * data, decoded, tokenized and turned into records in batches, so an export of any size is
 * read in bounded memory (the CDK spools it to a file and reads 100 rows at a time). `idleMs`
 * bounds each wait for more of the body, not the whole transfer.
 */
export async function* pandasCsvStream(
  body: ReadableStream<Uint8Array>,
  preserveNaValues: boolean,
  signal: AbortSignal,
  idleMs: number,
  batchSize = 1000,
): AsyncGenerator<Obj[]> {
  const chunks = idleGuarded(body, signal, idleMs);
  // The first bytes tell whether the body is compressed.
  let head: Uint8Array = new Uint8Array(0);
  let first = await chunks.next();
  while (!first.done && head.length + first.value.length < 2) {
    head = concat(head, first.value);
    first = await chunks.next();
  }
  if (!first.done) head = concat(head, first.value);
  const rest = (async function* () {
    if (head.length > 0) yield head;
    yield* chunks;
  })();
  const kind = compression(head);
  let bytes: AsyncIterable<Uint8Array>;
  if (kind === null)
    bytes = (async function* () {
      for await (const c of rest) yield withoutNul(c);
    })();
  else {
    const source = (
      ReadableStream as unknown as { from(it: AsyncIterable<Uint8Array>): ReadableStream<Uint8Array> }
    ).from(rest);
    const inflate = new DecompressionStream(kind) as unknown as ReadableWritablePair<Uint8Array, Uint8Array>;
    bytes = source.pipeThrough(inflate) as unknown as AsyncIterable<Uint8Array>;
  }
  const decoder = new TextDecoder("utf-8", { fatal: true });
  const tokenizer = new CsvTokenizer(",");
  const records = new PandasRecords(preserveNaValues);
  let out: Obj[] = [];
  try {
    for await (const chunk of bytes) {
      records.add(tokenizer.push(decoder.decode(chunk, { stream: true })), tokenizer.quoted, out);
      if (out.length >= batchSize) {
        yield out;
        out = [];
      }
    }
    records.add(tokenizer.push(decoder.decode()), tokenizer.quoted, out);
  } catch (error) {
    if (error instanceof DeclarativeError || signal.aborted) throw error;
    if (error instanceof TypeError && /decode|encoding/i.test(error.message))
      throw new DecodeError("The downloaded file is not valid UTF-8 text ('utf-8' codec can't decode it).");
    throw new DecodeError(`The downloaded file could not be read: ${(error as Error).message}.`);
  }
  records.finish(tokenizer);
  records.add(tokenizer.end(), tokenizer.quoted, out);
  if (out.length > 0) yield out;
}

/** The body's chunks; a wait longer than `idleMs` for the next one, or the signal, cancels it. */
async function* idleGuarded(
  body: ReadableStream<Uint8Array>,
  signal: AbortSignal,
  idleMs: number,
): AsyncGenerator<Uint8Array> {
  const reader = body.getReader();
  let done = false;
  try {
    for (;;) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      let onAbort: (() => void) | undefined;
      const stop = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new DecodeError(`The download stalled: no data arrived for ${idleMs} ms.`, "transient_error"),
            ),
          idleMs,
        );
        onAbort = () => reject(signal.reason ?? new DOMException("cancelled", "AbortError"));
        if (signal.aborted) onAbort();
        else signal.addEventListener("abort", onAbort, { once: true });
      });
      try {
        const r = await Promise.race([reader.read(), stop]);
        if (r.done) {
          done = true;
          return;
        }
        yield r.value;
      } finally {
        clearTimeout(timer);
        if (onAbort) signal.removeEventListener("abort", onAbort);
      }
    }
  } finally {
    if (!done) await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/**
 * pandas.read_csv(dialect="unix", dtype=object) over tokenized rows: the first non-blank row
 * names the columns (duplicates renamed as dedup_names does, an empty name "Unnamed: i"), blank
 * lines (also unquoted lines of spaces and tabs) skipped, every value a string, pandas' NA
 * strings as None unless preserve_na_values (then only empty cells).
 */
class PandasRecords {
  private names: string[] | null = null;
  private line = 0;

  constructor(private readonly preserveNaValues: boolean) {}

  add(rows: string[][], quoted: boolean[], out: Obj[]): void {
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r] as string[];
      this.line++;
      if (row.length === 0 || (row.length === 1 && !quoted[r] && /^[ \t]*$/.test(row[0] as string))) continue;
      const names = this.names;
      if (names === null) {
        this.names = dedupNames(row.map((name, i) => (name === "" ? `Unnamed: ${i}` : name)));
        continue;
      }
      if (row.length > names.length)
        throw new DecodeError(
          `Error tokenizing data. C error: Expected ${names.length} fields in line ${this.line}, saw ${row.length}`,
        );
      const record: Obj = {};
      for (let i = 0; i < names.length; i++) {
        const v = row[i];
        record[names[i] as string] = v === undefined || this.na(v) ? null : v;
      }
      out.push(record);
    }
  }

  /** The data ended (before the tokenizer's end()): inside quotes is pandas' error. */
  finish(tokenizer: CsvTokenizer): void {
    if (tokenizer.inQuotes)
      throw new DecodeError(`Error tokenizing data. C error: EOF inside string starting at row ${this.line}`);
  }

  private na(v: string): boolean {
    return this.preserveNaValues ? v === "" : PANDAS_NA.has(v);
  }
}

/** pandas' dedup_names: a repeated name gets .1, .2, ... (and a taken one another suffix). */
function dedupNames(names: string[]): string[] {
  const counts = new Map<string, number>();
  return names.map((name) => {
    let col = name;
    let count = counts.get(col) ?? 0;
    while (count > 0) {
      counts.set(col, count + 1);
      col = `${col}.${count}`;
      count = counts.get(col) ?? 0;
    }
    counts.set(col, count + 1);
    return col;
  });
}
