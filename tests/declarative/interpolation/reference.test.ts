// Agreement with the reference implementation: every case in jinja2-reference.json carries the value
// that real jinja2 (the CDK's SandboxedEnvironment) plus the CDK's JinjaInterpolation.eval logic
// (literal_eval, valid_types, defaults, UndefinedError and TypeError handling) produced for it.
// Regenerate the expectations with `python3 tests/declarative/interpolation/jinja2-oracle.py`.

import { describe, expect, test } from "bun:test";
import {
  evaluate,
  InterpolationError,
  type PyTypeName,
} from "../../../src/declarative/interpolation/index.ts";
import cases from "./jinja2-reference.json";

interface Case {
  t: string;
  ctx?: Record<string, unknown>;
  default?: string;
  validTypes?: PyTypeName[];
  expected: unknown;
}

// The oracle's clock (jinja2-oracle.py NOW).
const NOW = new Date("2021-09-01T12:34:56.789Z");

/** The oracle's normalization: integral floats print as ints, non-finite floats as their repr. */
function normalize(v: unknown): unknown {
  if (Object.is(v, -0)) return 0;
  if (typeof v === "number" && !Number.isFinite(v)) return Number.isNaN(v) ? "nan" : v > 0 ? "inf" : "-inf";
  if (Array.isArray(v)) return v.map(normalize);
  if (v && typeof v === "object")
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, normalize(x)]));
  return v;
}

const isError = (e: unknown) =>
  typeof e === "object" && e !== null && (e as { error?: unknown }).error === true;

describe("evaluate agrees with jinja2 and the CDK's JinjaInterpolation", () => {
  for (const [i, c] of (cases as Case[]).entries()) {
    const extras = [
      c.ctx ? `ctx=${JSON.stringify(c.ctx).slice(0, 60)}` : "",
      c.default ? `default=${c.default}` : "",
      c.validTypes ? `valid=${c.validTypes}` : "",
    ];
    test(`#${i} ${JSON.stringify(c.t)} ${extras.filter(Boolean).join(" ")}`, () => {
      const run = () =>
        evaluate(c.t, c.ctx ?? { config: {} }, {
          default: c.default,
          validTypes: c.validTypes,
          now: () => NOW,
        });
      if (isError(c.expected)) expect(run).toThrow(InterpolationError);
      else expect(normalize(run())).toEqual(c.expected);
    });
  }
});
