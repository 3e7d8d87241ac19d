// XML as Python's xmltodict.parse reads it (the CDK's XmlDecoder): an element is its text, or an
// object of "@attribute" keys, child elements and "#text"; repeated children become a list; an
// empty element is null; text is stripped. Comments, processing instructions and the DOCTYPE are
// skipped, CDATA is text, and only the XML entities and character references are decoded: no
// entity a document declares is expanded (so no entity expansion attack).

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

const NAME = /[^\s/>=]+/y;
const ATTRIBUTE = /\s*([^\s/>=]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/y;
const ENTITY = /&(?:#x([0-9a-fA-F]+)|#([0-9]+)|(lt|gt|amp|quot|apos));/g;
const NAMED: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

function decodeEntities(text: string): string {
  if (!text.includes("&")) return text;
  return text.replace(ENTITY, (whole, hex: string, dec: string, named: string) => {
    if (named) return NAMED[named] as string;
    const code = hex ? Number.parseInt(hex, 16) : Number(dec);
    return code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}

/** A repeated key becomes a list, as xmltodict does. */
function add(target: Node, key: string, value: unknown): void {
  if (!Object.hasOwn(target, key)) target[key] = value;
  else if (Array.isArray(target[key])) (target[key] as unknown[]).push(value);
  else target[key] = [target[key], value];
}

function close(element: Open): unknown {
  const text = element.text.join("").trim();
  const hasAttrs = Object.keys(element.attrs).length > 0;
  const hasChildren = Object.keys(element.children).length > 0;
  if (!hasAttrs && !hasChildren) return text === "" ? null : text;
  const out: Node = { ...element.attrs };
  for (const [k, v] of Object.entries(element.children)) out[k] = v;
  if (text !== "") out["#text"] = text;
  return out;
}

/** The document as xmltodict.parse returns it: one key, the root element's name. */
export function parseXml(xml: string): Node {
  const root: Node = {};
  const stack: Open[] = [];
  let i = 0;
  let rootSeen = false;
  const fail = (message: string): never => {
    throw new XmlSyntaxError(message, i);
  };
  const skipTo = (end: string) => {
    const at = xml.indexOf(end, i);
    if (at < 0)
      fail(`unterminated ${end === "-->" ? "comment" : end === "?>" ? "processing instruction" : "section"}`);
    i = at + end.length;
  };
  while (i < xml.length) {
    const lt = xml.indexOf("<", i);
    const text = xml.slice(i, lt < 0 ? xml.length : lt);
    if (text !== "") {
      const top = stack.at(-1);
      if (top) top.text.push(decodeEntities(text));
      else if (text.trim() !== "") fail("text outside the root element");
    }
    if (lt < 0) break;
    i = lt;
    if (xml.startsWith("<!--", i)) skipTo("-->");
    else if (xml.startsWith("<?", i)) skipTo("?>");
    else if (xml.startsWith("<![CDATA[", i)) {
      const end = xml.indexOf("]]>", i);
      if (end < 0) fail("unterminated CDATA section");
      const top = stack.at(-1);
      if (!top) fail("CDATA outside the root element");
      (top as Open).text.push(xml.slice(i + 9, end));
      i = end + 3;
    } else if (xml.startsWith("<!DOCTYPE", i) || xml.startsWith("<!doctype", i)) {
      // Skipped with its internal subset, if any: declared entities are not expanded.
      const bracket = xml.indexOf("[", i);
      const gt = xml.indexOf(">", i);
      if (gt < 0) fail("unterminated DOCTYPE");
      i = bracket >= 0 && bracket < gt ? xml.indexOf("]>", bracket) + 2 : gt + 1;
      if (i < 2) fail("unterminated DOCTYPE");
    } else if (xml.startsWith("</", i)) {
      NAME.lastIndex = i + 2;
      const m = NAME.exec(xml);
      const element = stack.pop();
      if (!m || !element || m[0] !== element.name)
        fail(`closing tag </${m?.[0] ?? ""}> does not match <${element?.name ?? ""}>`);
      i = NAME.lastIndex;
      const gt = xml.indexOf(">", i);
      if (gt < 0 || xml.slice(i, gt).trim() !== "") fail("malformed closing tag");
      i = gt + 1;
      const value = close(element as Open);
      const parent = stack.at(-1);
      if (parent) add(parent.children, (element as Open).name, value);
      else root[(element as Open).name] = value;
    } else {
      NAME.lastIndex = i + 1;
      const m = NAME.exec(xml);
      if (!m) fail("malformed tag");
      if (stack.length === 0 && rootSeen) fail("more than one root element");
      const element: Open = { name: (m as RegExpExecArray)[0], attrs: {}, children: {}, text: [] };
      i = NAME.lastIndex;
      for (;;) {
        ATTRIBUTE.lastIndex = i;
        const a = ATTRIBUTE.exec(xml);
        if (!a) break;
        element.attrs[`@${a[1]}`] = decodeEntities(a[2] ?? a[3] ?? "");
        i = ATTRIBUTE.lastIndex;
      }
      while (xml[i] === " " || xml[i] === "\t" || xml[i] === "\n" || xml[i] === "\r") i++;
      if (xml.startsWith("/>", i)) {
        i += 2;
        const value = close(element);
        const parent = stack.at(-1);
        if (parent) add(parent.children, element.name, value);
        else root[element.name] = value;
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
