// The made-up configs the generic fake runs corpus manifests with: values that satisfy a spec's
// patterns, and the config keys a manifest's templates read, however the YAML quotes them.

import { describe, expect, test } from "bun:test";
import { configKeysReferenced, dummyConfig, sampleOf } from "./generic-config.ts";

describe("sampleOf", () => {
  test.each([
    ["^(s|r)k_(live|test)_[a-zA-Z0-9]+$"],
    ["^[-]?[0-9]{1,4}$"],
    ["^(true|false|null)$"],
    ["^\\d{4}-\\d{2}-\\d{2}$"],
    ["^[A-Z]{2}$"],
    ["^[^@]+@[^@]+\\.[a-z]{2,}$"],
    ["^(?:eu|us)-[a-z]+$"],
  ])("%s gives a string it matches", (pattern) => {
    const sample = sampleOf(pattern);
    expect(sample).not.toBeNull();
    expect(new RegExp(pattern, "u").test(sample as string)).toBe(true);
  });

  test.each([["^(?=x)y"], ["(a)\\1"], ["\\bword"]])("%s is beyond it: null", (pattern) => {
    expect(sampleOf(pattern)).toBeNull();
  });
});

describe("dummyConfig", () => {
  test("a required key with a pattern none of the usual values match gets a value made from the pattern", () => {
    const spec = {
      type: "object",
      required: ["secret_key"],
      properties: { secret_key: { type: "string", pattern: "^(s|r)k_(live|test)_[a-zA-Z0-9]+$" } },
    };
    const config = dummyConfig(spec, new Date("2024-06-12T12:00:00Z"));
    expect(config.secret_key).toMatch(/^(s|r)k_(live|test)_[a-zA-Z0-9]+$/);
  });
});

describe("configKeysReferenced", () => {
  test("reads config['k'], config.k, config.get('k') and escaped quotes of double-quoted YAML", () => {
    const text = [
      `a: "{{ config[\\"start_date\\"] }}"`,
      `b: "{{ config['api_key'] }}"`,
      `c: "{{ config.get(\\"region\\", 'eu') }}"`,
      `d: "{{ config.subdomain }}"`,
    ].join("\n");
    expect([...configKeysReferenced(text)].sort()).toEqual(["api_key", "region", "start_date", "subdomain"]);
  });
});
