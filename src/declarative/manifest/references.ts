// Reference resolution as the CDK's ManifestReferenceResolver does it:
// - `{$ref: "#/a/b", k: v}` becomes a copy of the value at a/b shallow-merged with the siblings
//   (siblings win); a `$ref` to a non-object returns that value and drops the siblings;
// - any string starting with "#/" anywhere (not only under $ref) is a reference too;
// - a path is looked up by trying the whole remaining path as a key first, then its first
//   "/"-segment (an integer segment indexes a list), and so on;
// - a reference met again while it is being resolved is a cycle.
// One exception from the v7 schema: values under `config_overrides` are used as-is ("a `$ref`
// inside them is not resolved").

import { isPlainObject, type PathSegment } from "./errors.ts";

export interface ReferenceProblem {
  path: PathSegment[];
  message: string;
}

const REF_TAG = "$ref";
const VERBATIM_KEYS = new Set(["config_overrides"]);

/** The manifest with every reference replaced by a fresh copy of its value, and what could not be. */
export function resolveReferences(manifest: Record<string, unknown>): {
  resolved: Record<string, unknown>;
  problems: ReferenceProblem[];
} {
  const problems: ReferenceProblem[] = [];
  const evaluate = (node: unknown, path: PathSegment[], chain: string[]): unknown => {
    if (Array.isArray(node)) return node.map((v, i) => evaluate(v, [...path, i], chain));
    if (isPlainObject(node)) {
      const evaluated: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(node)) {
        if (k === REF_TAG) continue;
        evaluated[k] = VERBATIM_KEYS.has(k) ? structuredClone(v) : evaluate(v, [...path, k], chain);
      }
      if (!Object.hasOwn(node, REF_TAG)) return evaluated;
      const target = evaluate(node[REF_TAG], path, chain);
      if (!isPlainObject(target)) return target;
      return { ...target, ...evaluated };
    }
    if (isReference(node)) {
      const seen = chain.indexOf(node);
      if (seen >= 0) {
        const cycle = [...chain.slice(seen), node].join(" -> ");
        problems.push({ path, message: `circular reference: ${cycle}` });
        return undefined;
      }
      const found = lookup(manifest, node);
      if (!found.ok) {
        const via = chain.length ? ` (reached through ${chain.join(" -> ")})` : "";
        problems.push({ path, message: `undefined reference '${node}': ${found.reason}${via}` });
        return undefined;
      }
      return evaluate(found.value, path, [...chain, node]);
    }
    return node;
  };
  const resolved = evaluate(manifest, [], []);
  return { resolved: isPlainObject(resolved) ? resolved : {}, problems };
}

export function isReference(value: unknown): value is string {
  return typeof value === "string" && value.startsWith("#/");
}

type Lookup = { ok: true; value: unknown } | { ok: false; reason: string };

/** The value a "#/…" reference points at (the CDK's _read_ref_value). */
export function lookup(manifest: unknown, reference: string): Lookup {
  // Python's re.match("#/(.*)") stops at a line break.
  let rest = reference.slice(2).split("\n")[0] ?? "";
  let node: unknown = manifest;
  const walked: string[] = [];
  while (rest !== "") {
    if (isPlainObject(node) && Object.hasOwn(node, rest)) return { ok: true, value: node[rest] };
    const [head, tail] = parsePath(rest);
    const where = walked.length ? `'${walked.join("/")}'` : "the top level";
    if (Array.isArray(node)) {
      if (typeof head !== "number")
        return { ok: false, reason: `${where} is a list, '${head}' is not an index` };
      const index = head < 0 ? node.length + head : head;
      if (index < 0 || index >= node.length)
        return { ok: false, reason: `${where} has no item ${head} (it has ${node.length})` };
      node = node[index];
    } else if (isPlainObject(node)) {
      const key = String(head);
      if (!Object.hasOwn(node, key)) return { ok: false, reason: `no key '${key}' under ${where}` };
      node = node[key];
    } else if (
      typeof node === "string" &&
      typeof head === "number" &&
      head >= -node.length &&
      head < node.length
    ) {
      node = node.at(head); // Python indexes strings too
    } else {
      return { ok: false, reason: `${where} is not an object or a list` };
    }
    walked.push(String(head));
    rest = tail;
  }
  return { ok: true, value: node };
}

const INTEGER = /^\s*[+-]?\d+(?:_\d+)*\s*$/;

/** The next path segment (an integer if it reads as one, as Python's int() would) and the rest. */
export function parsePath(path: string): [string | number, string] {
  const slash = path.indexOf("/");
  const first = slash < 0 ? path : path.slice(0, slash);
  const rest = slash < 0 ? "" : path.slice(slash + 1);
  return [INTEGER.test(first) ? Number(first.replaceAll("_", "").trim()) : first, rest];
}
