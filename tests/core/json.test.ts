// parseJson: JSON as Python's json reads it, integers beyond 2^53 kept exact.

import { describe, expect, test } from "bun:test";
import { isRawJson, parseJson } from "../../src/core/json.ts";

describe("parseJson", () => {
  test("integers beyond 2^53 keep their digits through JSON.stringify; the rest parses as JSON.parse does", () => {
    const text =
      '{"id":1234567890123456789,"neg":-9223372036854775808,"safe":9007199254740991,"edge":9007199254740992,' +
      '"float":12345678901234567.5,"exp":1e20,"text":"12345678901234567890","list":[18446744073709551615,1]}';
    const parsed = parseJson(text) as Record<string, unknown>;
    expect(JSON.stringify(parsed)).toBe(
      '{"id":1234567890123456789,"neg":-9223372036854775808,"safe":9007199254740991,"edge":9007199254740992,' +
        '"float":12345678901234568,"exp":100000000000000000000,"text":"12345678901234567890","list":[18446744073709551615,1]}',
    );
    expect(isRawJson(parsed.id)).toBe(true);
    expect(parsed.safe).toBe(9007199254740991);
    expect(isRawJson(parsed.float)).toBe(false);
    expect(isRawJson(parsed.exp)).toBe(false);
    expect(parsed.text).toBe("12345678901234567890");
  });

  test("text without a long run of digits is JSON.parse's, errors included", () => {
    expect(parseJson('{"a":[1,2.5,"x"],"b":null}')).toEqual({ a: [1, 2.5, "x"], b: null });
    expect(() => parseJson("{not json")).toThrow(SyntaxError);
    expect(() => parseJson('{"id":12345678901234567890')).toThrow(SyntaxError);
  });
});
