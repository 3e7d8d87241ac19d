// Paging log text by lines, and writing structured log events as text.

import { describe, expect, test } from "bun:test";
import type { AttemptInfo } from "../../src/cloud/client/index.ts";
import { attemptLogText, pageLines } from "../../src/cloud/logs.ts";

const text = Array.from({ length: 12 }, (_, i) => `line ${i + 1}`).join("\n");

describe("pageLines", () => {
  test("the tail, never more than maxLines", () => {
    expect(pageLines(text, { maxLines: 5, fromTail: true, lineOffset: 0 })).toEqual({
      text: "line 8\nline 9\nline 10\nline 11\nline 12",
      startLine: 8,
      count: 5,
      total: 12,
    });
    expect(pageLines(text, { maxLines: 50, fromTail: true, lineOffset: 0 })).toMatchObject({
      startLine: 1,
      count: 12,
    });
  });

  test("from an offset, and 0 meaning every line", () => {
    expect(pageLines(text, { maxLines: 2, fromTail: false, lineOffset: 3 })).toEqual({
      text: "line 4\nline 5",
      startLine: 4,
      count: 2,
      total: 12,
    });
    expect(pageLines(text, { maxLines: 0, fromTail: false, lineOffset: 10 })).toMatchObject({
      count: 2,
      startLine: 11,
    });
    expect(pageLines(text, { maxLines: 3, fromTail: false, lineOffset: 99 })).toEqual({
      text: "",
      startLine: 13,
      count: 0,
      total: 12,
    });
  });

  test("a trailing newline is not a line; CRLF is one line break", () => {
    expect(pageLines("a\r\nb\n", { maxLines: 0, fromTail: true, lineOffset: 0 })).toEqual({
      text: "a\nb",
      startLine: 1,
      count: 2,
      total: 2,
    });
    expect(pageLines("", { maxLines: 10, fromTail: true, lineOffset: 0 })).toMatchObject({
      count: 0,
      total: 0,
    });
  });
});

describe("attemptLogText", () => {
  const attempt = (logs: AttemptInfo["logs"]): AttemptInfo => ({
    attempt: { id: 0, status: "succeeded" },
    logs,
  });

  test("formatted lines as they are", () => {
    expect(attemptLogText(attempt({ logLines: ["one", "two"] }))).toBe("one\ntwo");
  });

  test("events as [timestamp] LEVEL: message", () => {
    const at = Date.UTC(2024, 5, 9, 21, 50, 30, 123);
    expect(
      attemptLogText(
        attempt({
          events: [
            { timestamp: at, level: "info", message: "Starting" },
            { timestamp: at + 1000, level: "error", message: "Broke" },
            { level: null, message: "no time" },
          ],
        }),
      ),
    ).toBe(
      "[2024-06-09T21:50:30.123Z] INFO: Starting\n[2024-06-09T21:50:31.123Z] ERROR: Broke\nINFO: no time",
    );
  });

  test("no logs is empty text", () => {
    expect(attemptLogText(attempt(null))).toBe("");
    expect(attemptLogText(attempt({ logLines: [], events: [] }))).toBe("");
  });
});
