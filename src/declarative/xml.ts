// XML as Python's xmltodict.parse reads it (the CDK's XmlDecoder): an element is its text, or an
// object of "@attribute" keys, child elements and "#text"; repeated children become a list; an
// empty element is null; text is stripped as str.strip() strips it. Comments, processing
// instructions and the DOCTYPE are skipped and CDATA is text. Only XML's own entities and character
// references are decoded: a reference to an entity the DOCTYPE declares is dropped, as xmltodict
// drops it, never expanded (so no entity expansion attack), and any other `&` is an error, as for
// expat, which the CDK then reads as an empty body.

import { pyStrip } from "./interpolation/runtime.ts";

export class XmlSyntaxError extends Error {
  constructor(message: string, offset: number) {
    super(`${message} at offset ${offset}`);
    this.name = "XmlSyntaxError";
  }
}

type Node = Record<string, unknown>;

interface Open {
  name: string;
  attrs: Node;
  children: Node;
  text: string[];
}

// Names as XML allows them (no leading digit, dot or hyphen), with any non-ASCII character.
const NAME = /[A-Za-z_:\u0080-\uffff][\w:.\-\u0080-\uffff]*/y;
const ATTRIBUTE = /([A-Za-z_:\u0080-\uffff][\w:.\-\u0080-\uffff]*)\s*=\s*(?:"([^"<]*)"|'([^'<]*)')/y;
const REFERENCE = /&(?:#x([0-9a-fA-F]+)|#([0-9]+)|([A-Za-z_:][\w:.-]*))?;?/g;
const NAMED: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };
const SPACE = /[ \t\n]*/y;

/** Sets a key, even one such as `__proto__` that a plain assignment would not create. */
function put(target: Node, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** A repeated key becomes a list, as xmltodict does. */
function add(target: Node, key: string, value: unknown): void {
  if (!Object.hasOwn(target, key)) put(target, key, value);
  else if (Array.isArray(target[key])) (target[key] as unknown[]).push(value);
  else put(target, key, [target[key], value]);
}

function close(element: Open): unknown {
  const text = pyStrip(element.text.join(""), null, true, true);
  const hasAttrs = Object.keys(element.attrs).length > 0;
  const hasChildren = Object.keys(element.children).length > 0;
  if (!hasAttrs && !hasChildren) return text === "" ? null : text;
  const out: Node = {};
  for (const [k, v] of Object.entries(element.attrs)) put(out, k, v);
  for (const [k, v] of Object.entries(element.children)) put(out, k, v);
  if (text !== "") out["#text"] = text;
  return out;
}

/** The document as xmltodict.parse returns it: one key, the root element's name. */
export function parseXml(source: string): Node {
  // XML's end-of-line handling: every \r\n and lone \r reads as \n.
  // A byte-order mark is not part of the document.
  const text0 = source.charCodeAt(0) === 0xfeff ? source.slice(1) : source;
  const xml = text0.includes("\r") ? text0.replace(/\r\n?/g, "\n") : text0;
  const root: Node = {};
  const stack: Open[] = [];
  const declared = new Set<string>();
  let i = 0;
  let rootSeen = false;
  let prologue = true; // nothing but the declaration, comments, PIs and one DOCTYPE so far
  const fail = (message: string): never => {
    throw new XmlSyntaxError(message, i);
  };
  /** A closed element becomes its parent's child (or the document's root). */
  const finish = (element: Open) => {
    const parent = stack.at(-1);
    if (parent) add(parent.children, element.name, close(element));
    else put(root, element.name, close(element));
  };

  const decode = (text: string, at: number): string => {
    if (!text.includes("&")) return text;
    return text.replace(REFERENCE, (whole, hex: string, dec: string, name: string, offset: number) => {
      if (!whole.endsWith(";") || whole === "&;") {
        i = at + offset;
        fail("a bare '&' (not a character or entity reference)");
      }
      if (name !== undefined) {
        if (Object.hasOwn(NAMED, name)) return NAMED[name] as string;
        if (declared.has(name)) return ""; // xmltodict drops a declared entity's references
        i = at + offset;
        fail(`undefined entity &${name};`);
      }
      const code = hex !== undefined ? Number.parseInt(hex, 16) : Number(dec);
      const valid =
        code === 0x9 ||
        code === 0xa ||
        code === 0xd ||
        (code >= 0x20 && code <= 0xd7ff) ||
        (code >= 0xe000 && code <= 0xfffd) ||
        (code >= 0x10000 && code <= 0x10ffff);
      if (!valid) {
        i = at + offset;
        fail(`reference to an invalid character ${whole}`);
      }
      return String.fromCodePoint(code);
    });
  };

  const skipDoctype = () => {
    // <!DOCTYPE name [SYSTEM|PUBLIC "id" ["id"]] [[ internal subset ]] >, read token by token so
    // that a quoted id may hold '[' or '>'.
    i += "<!DOCTYPE".length;
    let subset = false;
    while (i < xml.length) {
      const c = xml[i] as string;
      if (c === '"' || c === "'") {
        const end = xml.indexOf(c, i + 1);
        if (end < 0) fail("unterminated DOCTYPE");
        i = end + 1;
      } else if (c === "[" && !subset) {
        subset = true;
        i++;
      } else if (subset && c === "]") {
        subset = false;
        i++;
      } else if (subset && xml.startsWith("<!--", i)) {
        const end = xml.indexOf("-->", i + 4);
        if (end < 0) fail("unterminated comment");
        i = end + 3;
      } else if (subset && xml.startsWith("<!ENTITY", i)) {
        const m = /<!ENTITY\s+(%\s+)?([A-Za-z_:][\w:.-]*)/y;
        m.lastIndex = i;
        const found = m.exec(xml);
        if (found && !found[1]) declared.add(found[2] as string);
        i += "<!ENTITY".length;
      } else if (!subset && c === ">") {
        i++;
        return;
      } else i++;
    }
    fail("unterminated DOCTYPE");
  };

  while (i < xml.length) {
    const lt = xml.indexOf("<", i);
    const end = lt < 0 ? xml.length : lt;
    if (end > i) {
      const text = xml.slice(i, end);
      const top = stack.at(-1);
      if (top) {
        if (text.includes("]]>")) fail("']]>' in text");
        top.text.push(decode(text, i));
      } else if (!/^[ \t\n]*$/.test(text)) fail("text outside the root element");
    }
    if (lt < 0) break;
    i = lt;
    if (xml.startsWith("<!--", i)) {
      const close = xml.indexOf("-->", i + 4);
      if (close < 0) fail("unterminated comment");
      if (xml.slice(i + 4, close).includes("--")) fail("'--' inside a comment");
      i = close + 3;
    } else if (xml.startsWith("<?", i)) {
      const close = xml.indexOf("?>", i + 2);
      if (close < 0) fail("unterminated processing instruction");
      if (/^<\?xml[\s?]/i.test(xml.slice(i, i + 6)) && i !== 0)
        fail("an XML declaration that is not at the start");
      i = close + 2;
    } else if (xml.startsWith("<![CDATA[", i)) {
      const close = xml.indexOf("]]>", i + 9);
      if (close < 0) fail("unterminated CDATA section");
      const top = stack.at(-1);
      if (!top) fail("CDATA outside the root element");
      (top as Open).text.push(xml.slice(i + 9, close));
      i = close + 3;
    } else if (xml.startsWith("<!DOCTYPE", i)) {
      if (!prologue) fail("a DOCTYPE that is not before the root element, or a second one");
      prologue = false;
      skipDoctype();
    } else if (xml.startsWith("</", i)) {
      NAME.lastIndex = i + 2;
      const m = NAME.exec(xml);
      const element = stack.pop();
      if (!m || !element || m[0] !== element.name)
        fail(`closing tag </${m?.[0] ?? ""}> does not match <${element?.name ?? ""}>`);
      i = NAME.lastIndex;
      SPACE.lastIndex = i;
      SPACE.exec(xml);
      i = SPACE.lastIndex;
      if (xml[i] !== ">") fail("malformed closing tag");
      i++;
      finish(element as Open);
    } else {
      NAME.lastIndex = i + 1;
      const m = NAME.exec(xml);
      if (!m) fail("malformed tag");
      if (stack.length === 0 && rootSeen) fail("more than one root element");
      prologue = false;
      const element: Open = { name: (m as RegExpExecArray)[0], attrs: {}, children: {}, text: [] };
      i = NAME.lastIndex;
      for (;;) {
        SPACE.lastIndex = i;
        const space = (SPACE.exec(xml) as RegExpExecArray)[0];
        ATTRIBUTE.lastIndex = SPACE.lastIndex;
        const a = ATTRIBUTE.exec(xml);
        if (!a) {
          i = SPACE.lastIndex;
          break;
        }
        if (space === "") fail("no space between attributes");
        const key = `@${a[1]}`;
        if (Object.hasOwn(element.attrs, key)) fail(`duplicate attribute ${a[1]}`);
        // Attribute-value normalisation: a literal tab or newline reads as a space.
        const raw = (a[2] ?? a[3] ?? "").replace(/[\t\n]/g, " ");
        put(element.attrs, key, decode(raw, ATTRIBUTE.lastIndex - raw.length - 1));
        i = ATTRIBUTE.lastIndex;
      }
      if (xml.startsWith("/>", i)) {
        i += 2;
        finish(element);
        rootSeen = true;
      } else if (xml[i] === ">") {
        i++;
        stack.push(element);
        rootSeen = true;
      } else fail(`malformed tag <${element.name}>`);
    }
  }
  if (stack.length > 0) fail(`unclosed element <${stack.at(-1)?.name}>`);
  if (!rootSeen) fail("no element");
  return root;
}
