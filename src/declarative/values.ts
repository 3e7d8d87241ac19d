// Small helpers over the plain JSON values a manifest and a response are made of.

import { isRawJson } from "../core/json.ts";
import { pyStr as interpolationPyStr } from "./interpolation/index.ts";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type Obj = Record<string, unknown>;

/** A JSON object (not a list, nor an integer kept exact as raw JSON). */
export function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !isRawJson(v);
}

export function asArray<T = unknown>(v: unknown): T[] {
  if (v === undefined || v === null) return [];
  return (Array.isArray(v) ? v : [v]) as T[];
}

/** Python's truthiness, which the CDK relies on (`token if token else None`). */
export function truthy(v: unknown): boolean {
  if (v === null || v === undefined || v === false || v === 0 || v === "") return false;
  if (Array.isArray(v)) return v.length > 0;
  if (isObj(v)) return Object.keys(v).length > 0;
  return true;
}

/** A value as requests would put it in a query string or a header: Python's str(). */
export function pyStr(v: unknown): string {
  return typeof v === "string" ? v : interpolationPyStr(v);
}

const MISSING: unique symbol = Symbol("missing");

/** One non-wildcard step of a dpath: a list index or an own key; MISSING when there is none. */
function dpathStep(node: unknown, seg: string): unknown {
  if (Array.isArray(node)) {
    const i = Number(seg);
    return Number.isInteger(i) && i >= 0 && i < node.length ? node[i] : MISSING;
  }
  return isObj(node) && Object.hasOwn(node, seg) ? node[seg] : MISSING;
}

/** dpath-style get: `*` matches every key or index; a missing segment yields nothing. */
export function dpathValues(root: unknown, path: readonly string[]): unknown[] {
  let current: unknown[] = [root];
  for (const seg of path) {
    const next: unknown[] = [];
    for (const node of current) {
      if (seg === "*") {
        if (Array.isArray(node)) next.push(...node);
        else if (isObj(node)) next.push(...Object.values(node));
      } else {
        const v = dpathStep(node, seg);
        if (v !== MISSING) next.push(v);
      }
    }
    current = next;
  }
  return current;
}

export function dpathGet(root: unknown, path: readonly string[]): unknown {
  // Without wildcards there is one match at most: walk to it instead of collecting lists.
  if (path.includes("*")) {
    const found = dpathValues(root, path);
    return found.length === 0 ? undefined : found[0];
  }
  let node = root;
  for (const seg of path) {
    node = dpathStep(node, seg);
    if (node === MISSING) return undefined;
  }
  return node;
}

/** dpath.new: sets a value, creating objects on the way. */
export function dpathSet(root: Obj, path: readonly string[], value: unknown): void {
  let node: Obj = root;
  for (let i = 0; i < path.length - 1; i++) {
    const seg = path[i] as string;
    const next = node[seg];
    if (isObj(next)) node = next;
    else {
      const created: Obj = {};
      node[seg] = created;
      node = created;
    }
  }
  const last = path[path.length - 1];
  if (last !== undefined) node[last] = value;
}

/**
 * dpath's deletion of a list element: the list keeps its order, so the element becomes None,
 * unless it is the last one at that moment, which is removed. dpath 2 walks a list in order.
 */
export function dpathDeleteAt(list: unknown[], i: number): void {
  if (i === list.length - 1) list.pop();
  else list[i] = null;
}

/** dpath.delete with globs: removes every match, quietly when there is none. */
export function dpathDelete(root: unknown, path: readonly string[]): void {
  if (path.length === 0) return;
  const parents = dpathValuesWithKeys(root, path.slice(0, -1));
  const last = path[path.length - 1] as string;
  for (const parent of parents) {
    if (Array.isArray(parent)) {
      if (last === "*") for (let i = 0; i < parent.length; i++) dpathDeleteAt(parent, i);
      else {
        const i = Number(last);
        if (Number.isInteger(i) && i >= 0 && i < parent.length) dpathDeleteAt(parent, i);
      }
    } else if (isObj(parent)) {
      if (last === "*") for (const k of Object.keys(parent)) delete parent[k];
      else if (Object.hasOwn(parent, last)) delete parent[last];
    }
  }
}

function dpathValuesWithKeys(root: unknown, path: readonly string[]): unknown[] {
  return path.length === 0 ? [root] : dpathValues(root, path);
}
