import { describe, expect, test } from "bun:test";
import { compareVersionsDesc, parseChangelog } from "../../src/registry/changelog.ts";
import type { IndexEntry } from "../../src/registry/model.ts";
import { closestNames } from "../../src/registry/names.ts";

const table = (header: string[], rows: string[][]) =>
  `<table><thead><tr>${header.map((h) => `<th>${h}</th>`).join("")}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join("")}</tr>`)
    .join("")}</tbody></table>`;

describe("parseChangelog", () => {
  test("reads only changelog tables, one at a time, whole-word headers", () => {
    const html = [
      table(["Version", "Supported"], [["1.2.3", "yes"]]),
      '<h2 id="changelog">Changelog</h2>',
      table(
        ["Version", "Date", "Pull Request", "Subject"],
        [
          [
            "<code>1.2.3</code>",
            "2025-01-02",
            '<a href="https://github.com/airbytehq/airbyte/pull/12">12</a>',
            "Fix &amp; <b>bump</b>",
          ],
          ["1.2.2", "Jan 1", "", "Older"],
        ],
      ),
      table(["Version", "Updated by", "Notes"], [["2.0.0", "someone", "x"]]),
    ].join("\n");
    expect(parseChangelog(html)).toEqual([
      {
        version: "1.2.3",
        date: "2025-01-02",
        pr_url: "https://github.com/airbytehq/airbyte/pull/12",
        pr_number: "12",
        subject: "Fix & bump",
        parsing_errors: [],
      },
      {
        version: "1.2.2",
        date: null,
        pr_url: null,
        pr_number: null,
        subject: "Older",
        parsing_errors: ["date 'Jan 1' is not YYYY-MM-DD"],
      },
    ]);
  });

  test("a 'Changes' column is the subject", () => {
    const rows = parseChangelog(
      table(["Version", "Date", "PR", "Changes"], [["0.1.0", "2024-05-05", "", "Initial"]]),
    );
    expect(rows[0]?.subject).toBe("Initial");
  });

  test("versions sort newest first, release candidates before their release", () => {
    const versions = ["1.0.0", "1.10.0", "1.2.0", "2.0.0-rc.2", "2.0.0-rc.10", "2.0.0"];
    expect(versions.sort(compareVersionsDesc)).toEqual([
      "2.0.0",
      "2.0.0-rc.10",
      "2.0.0-rc.2",
      "1.10.0",
      "1.2.0",
      "1.0.0",
    ]);
  });
});

describe("closestNames", () => {
  const entries = [
    "source-github",
    "source-gitlab",
    "source-harvest",
    "farosai/airbyte-harness-source",
    "ghcr.io/devmate-cloud/streamr-airbyte-connectors",
  ].map((name) => ({ name, display_name: name }) as IndexEntry);

  test("suggests by the distinctive part of the name, whatever its prefix or owner", () => {
    expect(closestNames("githb", entries)[0]).toBe("source-github");
    expect(closestNames("harness", entries)[0]).toBe("farosai/airbyte-harness-source");
    expect(closestNames("destination-streamr", entries)[0]).toBe(
      "ghcr.io/devmate-cloud/streamr-airbyte-connectors",
    );
  });
});
