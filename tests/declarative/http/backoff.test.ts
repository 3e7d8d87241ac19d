import { describe, expect, test } from "bun:test";

import { sleep } from "../../../src/declarative/http/abort.ts";
import {
  ConstantBackoffStrategy,
  compilePythonRegex,
  ExponentialBackoffStrategy,
  pythonFloat,
  WaitTimeFromHeader,
  WaitTooLongError,
  WaitUntilTimeFromHeader,
} from "../../../src/declarative/http/backoff.ts";
import type { HttpOutcome } from "../../../src/declarative/http/error-handler.ts";

function withHeaders(headers: Record<string, string>, status = 429): HttpOutcome {
  return {
    response: { status, headers: new Headers(headers), text: "{}", json: () => ({}) },
    error: null,
  };
}
const networkError: HttpOutcome = { response: null, error: new Error("refused") };

describe("ExponentialBackoffStrategy", () => {
  test("factor × 2^attempt (the CDK's tests: 10, 20, then 40 at attempt 3)", () => {
    const s = new ExponentialBackoffStrategy();
    expect([1, 2, 3].map((a) => s.backoffSeconds(networkError, a))).toEqual([10, 20, 40]);
    expect(new ExponentialBackoffStrategy(1.5).backoffSeconds(networkError, 2)).toBe(6);
  });

  test("jitter only adds, up to twice its range", () => {
    const low = new ExponentialBackoffStrategy(5, { jitterRangeSeconds: 3, random: () => 0 });
    const high = new ExponentialBackoffStrategy(5, { jitterRangeSeconds: 3, random: () => 0.999 });
    expect(low.backoffSeconds(networkError, 1)).toBe(10);
    const top = high.backoffSeconds(networkError, 1) as number;
    expect(top).toBeGreaterThan(15.9);
    expect(top).toBeLessThan(16);
  });
});

describe("ConstantBackoffStrategy", () => {
  test("the same wait whatever the attempt", () => {
    const s = new ConstantBackoffStrategy(6.7);
    expect([1, 4].map((a) => s.backoffSeconds(networkError, a))).toEqual([6.7, 6.7]);
    expect(
      new ConstantBackoffStrategy(60, { jitterRangeSeconds: 15, random: () => 0.5 }).backoffSeconds(
        networkError,
        1,
      ),
    ).toBe(75);
  });
});

describe("WaitTimeFromHeader", () => {
  test("the header's number, or nothing when it is absent, not a number, or there is no response", () => {
    const s = new WaitTimeFromHeader({ header: "Retry-After" });
    expect(s.backoffSeconds(withHeaders({ "retry-after": "1.5" }))).toBe(1.5);
    expect(s.backoffSeconds(withHeaders({ "Retry-After": " 20 " }))).toBe(20);
    expect(s.backoffSeconds(withHeaders({ "Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT" }))).toBeNull();
    expect(s.backoffSeconds(withHeaders({}))).toBeNull();
    expect(s.backoffSeconds(networkError)).toBeNull();
  });

  test("the regex is matched at the start and its whole match is read", () => {
    const s = new WaitTimeFromHeader({ header: "X-Wait", regex: "[-+]?\\d+" });
    expect(s.backoffSeconds(withHeaders({ "X-Wait": "42 seconds" }))).toBe(42);
    // No match at the start: the whole value is read, and it is not a number.
    expect(s.backoffSeconds(withHeaders({ "X-Wait": "wait 42" }))).toBeNull();
    const named = new WaitTimeFromHeader({ header: "X-Wait", regex: "(?P<n>\\d+)" });
    expect(named.backoffSeconds(withHeaders({ "X-Wait": "7s" }))).toBe(7);
  });

  test("asking to wait as long as the cap or longer stops the stream; a 0 header is never refused", () => {
    const s = new WaitTimeFromHeader({ header: "Retry-After", maxWaitingTimeSeconds: 60 });
    expect(s.backoffSeconds(withHeaders({ "Retry-After": "59" }))).toBe(59);
    expect(() => s.backoffSeconds(withHeaders({ "Retry-After": "60" }))).toThrow(WaitTooLongError);
    const never = new WaitTimeFromHeader({ header: "Retry-After", maxWaitingTimeSeconds: 0 });
    expect(never.backoffSeconds(withHeaders({ "Retry-After": "0" }))).toBe(0);
    expect(() => never.backoffSeconds(withHeaders({ "Retry-After": "1" }))).toThrow(
      "The rate limit is greater than max waiting time has been reached.",
    );
  });

  test("a regex that does not compile is refused up front", () => {
    expect(() => new WaitTimeFromHeader({ header: "x", regex: "(" })).toThrow(
      "is not a valid regular expression",
    );
    expect(compilePythonRegex("(?P<a>x)(?P=a)").exec("xx")?.[0]).toBe("xx");
  });
});

describe("WaitUntilTimeFromHeader", () => {
  const now = () => 1_700_000_000;

  test("waits until the header's epoch time", () => {
    const s = new WaitUntilTimeFromHeader({ header: "X-Reset", now });
    expect(s.backoffSeconds(withHeaders({ "X-Reset": "1700000030" }))).toBe(30);
    // Already past, and no minimum: no opinion.
    expect(s.backoffSeconds(withHeaders({ "X-Reset": "1699999990" }))).toBeNull();
    expect(s.backoffSeconds(withHeaders({}))).toBeNull();
  });

  test("min_wait is a floor, and the wait when the header is absent", () => {
    const s = new WaitUntilTimeFromHeader({ header: "X-Reset", minWait: 10, now });
    expect(s.backoffSeconds(withHeaders({ "X-Reset": "1700000030" }))).toBe(30);
    expect(s.backoffSeconds(withHeaders({ "X-Reset": "1700000002" }))).toBe(10);
    expect(s.backoffSeconds(withHeaders({ "X-Reset": "1699999990" }))).toBe(10);
    expect(s.backoffSeconds(withHeaders({}))).toBe(10);
  });

  test("the cap applies to the computed wait, after the floor", () => {
    const s = new WaitUntilTimeFromHeader({ header: "X-Reset", minWait: 10, maxWaitingTimeSeconds: 20, now });
    expect(s.backoffSeconds(withHeaders({ "X-Reset": "1700000015" }))).toBe(15);
    expect(() => s.backoffSeconds(withHeaders({ "X-Reset": "1700000020" }))).toThrow(
      "The rate limit wait time is longer than the connector is allowed to wait.",
    );
    const tight = new WaitUntilTimeFromHeader({
      header: "X-Reset",
      minWait: 10,
      maxWaitingTimeSeconds: 5,
      now,
    });
    expect(() => tight.backoffSeconds(withHeaders({}))).toThrow(WaitTooLongError);
  });
});

describe("pythonFloat", () => {
  test("accepts what Python's float() accepts", () => {
    const cases: [string, number][] = [
      ["3", 3],
      [" -2.5 ", -2.5],
      ["1e3", 1000],
      [".5", 0.5],
      ["5.", 5],
      ["1_000", 1000],
      ["+7", 7],
      ["inf", Number.POSITIVE_INFINITY],
    ];
    for (const [text, value] of cases) expect(pythonFloat(text)).toBe(value);
    expect(Number.isNaN(pythonFloat("nan"))).toBe(true);
  });

  test("refuses the rest", () => {
    for (const text of ["", "abc", "1,5", "1__0", "_1", "0x10", "12s"]) expect(pythonFloat(text)).toBeNull();
  });
});

describe("sleep", () => {
  test("a wait longer than a timer can hold does not end early", async () => {
    const controller = new AbortController();
    const long = sleep(2 ** 31 + 10_000, controller.signal).then(() => "long");
    const short = new Promise((r) => setTimeout(() => r("short"), 20));
    expect(await Promise.race([long, short])).toBe("short");
    controller.abort();
    expect(await long.catch((e: DOMException) => e.name)).toBe("AbortError");
  });
});
