// The bounded output tail used in connector and install errors.

import { describe, expect, test } from "bun:test";
import { OutputTail, runCommand } from "../../src/connectors/command.ts";
import { Redactor } from "../../src/core/redact.ts";

describe("OutputTail", () => {
  const redactor = new Redactor(["hunter2-secret"]);

  test("keeps whole last lines and drops the one the bound cut", () => {
    const tail = new OutputTail(20);
    tail.add("first line is long\nsecond\nthird\n");
    expect(tail.lines(10, redactor)).toBe("second\nthird");
  });

  test("a bound that cuts the only line leaves nothing rather than a fragment", () => {
    const tail = new OutputTail(8);
    tail.add("token=hunter2-secret");
    expect(tail.lines(10, redactor)).toBe("");
  });

  test("uncut output is kept whole and redacted", () => {
    const tail = new OutputTail(100);
    tail.add("a\nkey hunter2-secret\n");
    expect(tail.lines(10, redactor)).toBe("a\nkey ****");
  });
});

test("runCommand reports the exit code and the redacted tail of both streams", async () => {
  const r = await runCommand(["sh", "-c", "echo out; echo 'err hunter2-secret' >&2; exit 3"], {
    signal: new AbortController().signal,
    redactor: new Redactor(["hunter2-secret"]),
  });
  expect(r.code).toBe(3);
  expect(r.tail).toContain("out");
  expect(r.tail).not.toContain("hunter2-secret");
});
