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

  test("texts with and without long integers, in any order, each parsed exactly", () => {
    // parseJson looks at a text first or after parsing it depending on the text before.
    const long = (n: number) => `{"id":${9007199254740993n + BigInt(n)},"n":${n}}`;
    const plain = (n: number) => `{"id":${n},"n":${n}}`;
    const texts = [plain(1), long(2), long(3), plain(4), plain(5), long(6), plain(7), "[1,2]", long(9)];
    for (const text of texts) expect(JSON.stringify(parseJson(text))).toBe(text);
    expect(() => parseJson('{"id":12345678901234567890')).toThrow(SyntaxError);
    expect(JSON.stringify(parseJson(long(10)))).toBe(long(10));
    expect(() => parseJson("{not json")).toThrow(SyntaxError);
    expect(parseJson(plain(11))).toEqual({ id: 11, n: 11 });
  });

  test("text without a long run of digits is JSON.parse's, errors included", () => {
    expect(parseJson('{"a":[1,2.5,"x"],"b":null}')).toEqual({ a: [1, 2.5, "x"], b: null });
    expect(() => parseJson("{not json")).toThrow(SyntaxError);
    expect(() => parseJson('{"id":12345678901234567890')).toThrow(SyntaxError);
  });
});
