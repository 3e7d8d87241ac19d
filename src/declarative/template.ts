// The runner's one door to the interpolation engine: every interpolated manifest field goes
// through these, with the CDK's rule for each kind (string, boolean, mapping).

import { DeclarativeError } from "./errors.ts";
import {
  evaluate,
  evaluateBoolean,
  evaluateMapping,
  evaluateNestedMapping,
  type PyTypeName,
  renderTemplate,
  templateRenders,
} from "./interpolation/index.ts";
import { isObj, type Obj, pyStr } from "./values.ts";

export { evaluate, evaluateBoolean, evaluateMapping, renderTemplate, templateRenders };

/** The CDK's ValidRequestTypes: a query or form value literal-evals only to a str or a list. */
export const REQUEST_VALUE_TYPES: readonly PyTypeName[] = ["str", "list"];

/**
 * InterpolatedRequestInputProvider.eval_request_inputs (request_parameters, request_headers,
 * request_body_data): a mapping's keys and values interpolated (values literal-eval only to
 * `validValueTypes`, else they stay the rendered text: "1.50" is sent as written), or one template
 * that yields a dict; None values dropped.
 */
export function evalRequestInputs(inputs: unknown, ctx: Obj, validValueTypes?: readonly PyTypeName[]): Obj {
  if (inputs === undefined || inputs === null) return {};
  const value =
    typeof inputs === "string"
      ? evaluate(inputs, ctx)
      : isObj(inputs)
        ? evaluateMapping(inputs, ctx, validValueTypes ? { validValueTypes } : {})
        : null;
  return isObj(value) ? withoutNone(value) : {};
}

/** A request mapping without its None values, as eval_request_inputs returns it. */
export function withoutNone(value: Obj): Obj {
  const out: Obj = {};
  for (const k in value) if (value[k] !== null && value[k] !== undefined) out[k] = value[k];
  return out;
}

/**
 * InterpolatedNestedRequestInputProvider (request_body_json): templates interpolated at any depth,
 * None dropped from every dict, strings without a template kept as written; or one template, whose
 * text must read as a dict (HttpRequester._request_body_json refuses a string).
 */
export function evalNestedRequestInputs(inputs: unknown, ctx: Obj): Obj {
  if (inputs === undefined || inputs === null) return {};
  const value = typeof inputs === "string" ? evaluate(inputs, ctx) : evaluateNestedMapping(inputs, ctx);
  if (typeof value === "string" && value !== "") {
    throw new DeclarativeError(
      "Request body json cannot be a string: the body template rendered text that does not read as a dict. The CDK reads it as a Python literal: write True, False and None where JSON has true, false and null.",
    );
  }
  if (!isObj(value)) return {};
  return typeof inputs === "string" ? withoutNone(value) : value;
}

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
