// The runner's one door to the interpolation engine: every interpolated manifest field goes
// through these, with the CDK's rule for each kind (string, boolean, mapping).

import { evaluate, evaluateBoolean, renderTemplate } from "./interpolation/index.ts";
import { isObj, type Obj, pyStr } from "./values.ts";

export { evaluate, evaluateBoolean, renderTemplate };

/** A manifest string that may hold `{{ }}`: evaluated with literal conversion like the CDK. */
export function evalValue(template: unknown, ctx: Obj, fallback?: unknown): unknown {
  if (typeof template !== "string") return template;
  return fallback === undefined ? evaluate(template, ctx) : evaluate(template, ctx, { default: fallback });
}

/**
 * A string field (url, path, token): InterpolatedString.eval, whose default is the template
 * itself, then str() of the result (a literal such as "123" comes back as the same text).
 */
export function evalString(template: unknown, ctx: Obj): string {
  if (template === undefined || template === null) return "";
  if (typeof template !== "string") return pyStr(template);
  if (!template.includes("{")) return template;
  const v = evaluate(template, ctx, { default: template });
  return v === null || v === undefined ? "" : pyStr(v);
}

/**
 * An interpolated mapping (request_parameters, headers, bodies): a dict of templates or one
 * template that yields a dict. Entries that come out None are dropped, as the CDK does.
 */
export function evalMapping(mapping: unknown, ctx: Obj): Obj {
  if (mapping === undefined || mapping === null) return {};
  let source: unknown = mapping;
  if (typeof mapping === "string") {
    source = evaluate(mapping, ctx);
    if (!isObj(source)) return {};
  }
  if (!isObj(source)) return {};
  const out: Obj = {};
  for (const [rawKey, raw] of Object.entries(source)) {
    const key = rawKey.includes("{") ? renderTemplate(rawKey, ctx) : rawKey;
    const value = typeof raw === "string" ? evaluate(raw, ctx) : evalNested(raw, ctx);
    if (value === null || value === undefined) continue;
    out[key] = value;
  }
  return out;
}

function evalNested(v: unknown, ctx: Obj): unknown {
  if (typeof v === "string") return evaluate(v, ctx);
  if (Array.isArray(v)) return v.map((x) => evalNested(x, ctx));
  if (isObj(v)) {
    const out: Obj = {};
    for (const [k, x] of Object.entries(v)) out[k] = evalNested(x, ctx);
    return out;
  }
  return v;
}
