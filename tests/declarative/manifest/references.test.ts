// Reference resolution: the cases of the CDK's test_manifest_reference_resolver.py, plus the
// errors (which path, which reference) that the CDK only raises as exceptions.

import { describe, expect, test } from "bun:test";
import { loadManifest, ManifestError } from "../../../src/declarative/manifest/load.ts";
import { lookup, parsePath, resolveReferences } from "../../../src/declarative/manifest/references.ts";

function resolve(manifest: Record<string, unknown>) {
  const { resolved, problems } = resolveReferences(manifest);
  expect(problems).toEqual([]);
  return resolved;
}

describe("resolveReferences (CDK cases)", () => {
  test("a '#/' string anywhere is replaced by the value it points at", () => {
    expect(resolve({ limit: 50, limit_ref: "#/limit" }).limit_ref).toBe(50);
    expect(resolve({ dict: { limit: 50 }, limit_ref: "#/dict/limit" }).limit_ref).toBe(50);
    const inDict = resolve({
      limit: 50,
      offset_request_parameters: { offset: "{{ next_page_token['offset'] }}", limit: "#/limit" },
    });
    expect(inDict.offset_request_parameters).toEqual({
      offset: "{{ next_page_token['offset'] }}",
      limit: 50,
    });
  });

  test("a reference to a dict is resolved through nested references", () => {
    const config = resolve({
      limit: 50,
      offset_request_parameters: { offset: "{{ next_page_token['offset'] }}", limit: "#/limit" },
      offset_pagination_request_parameters: {
        class: "InterpolatedRequestParameterProvider",
        request_parameters: "#/offset_request_parameters",
      },
    });
    expect(config.offset_pagination_request_parameters).toEqual({
      class: "InterpolatedRequestParameterProvider",
      request_parameters: { offset: "{{ next_page_token['offset'] }}", limit: 50 },
    });
  });

  test("$ref siblings win over the referenced values (a shallow merge)", () => {
    const config = resolve({
      limit: 50,
      custom_limit: 25,
      offset_request_parameters: { offset: "{{ next_page_token['offset'] }}", limit: "#/limit" },
      custom_request_parameters: { $ref: "#/offset_request_parameters", limit: "#/custom_limit" },
    });
    expect(config.offset_request_parameters).toEqual({
      offset: "{{ next_page_token['offset'] }}",
      limit: 50,
    });
    expect(config.custom_request_parameters).toEqual({
      offset: "{{ next_page_token['offset'] }}",
      limit: 25,
    });
  });

  test("the merge is shallow: a sibling object replaces the referenced object whole", () => {
    const config = resolve({
      base: { type: "HttpRequester", url_base: "https://a", request_headers: { a: "1", b: "2" } },
      requester: { $ref: "#/base", request_headers: { c: "3" } },
    });
    expect(config.requester).toEqual({
      type: "HttpRequester",
      url_base: "https://a",
      request_headers: { c: "3" },
    });
  });

  test("the whole remaining path is tried as a key before it is split on '/'", () => {
    const collision = resolve({
      example: { nested: { path: "first one", more_nested: { value: "found it!" } }, "nested/path": "uh oh" },
      reference_to_nested_path: { $ref: "#/example/nested/path" },
      reference_to_nested_nested_value: { $ref: "#/example/nested/more_nested/value" },
    });
    expect(collision.reference_to_nested_path).toBe("uh oh");
    expect(collision.reference_to_nested_nested_value).toBe("found it!");
    const internal = resolve({
      example: { nested: { path: { internal: "uh oh" }, "path/internal": "found it!" } },
      reference: { $ref: "#/example/nested/path/internal" },
    });
    expect(internal.reference).toBe("found it!");
  });

  test("integer segments index lists, at any depth", () => {
    expect(resolve({ list: ["A", "B"], elem_ref: "#/list/0" }).elem_ref).toBe("A");
    expect(resolve({ list: [["A"], ["B"]], elem_ref: "#/list/1/0" }).elem_ref).toBe("B");
    expect(resolve({ list: [{ A: "a" }, { B: "b" }], elem_ref: "#/list/1/B" }).elem_ref).toBe("b");
    expect(
      resolve({ list: [{ A: ["a1", "a2"] }, { B: ["b1", "b2"] }], elem_ref: "#/list/1/B/0" }).elem_ref,
    ).toBe("b1");
  });

  test("parsePath splits off one segment, reading integers as Python's int() does", () => {
    expect(parsePath("foo/bar")).toEqual(["foo", "bar"]);
    expect(parsePath("foo/7/8/bar")).toEqual(["foo", "7/8/bar"]);
    expect(parsePath("7/8/bar")).toEqual([7, "8/bar"]);
    expect(parsePath("8/bar")).toEqual([8, "bar"]);
    expect(parsePath("8foo/bar")).toEqual(["8foo", "bar"]);
    expect(parsePath("-1")).toEqual([-1, ""]);
  });

  test("a $ref to a non-object value returns that value and drops the siblings", () => {
    expect(resolve({ a: ["x"], b: { $ref: "#/a", extra: 1 } }).b).toEqual(["x"]);
  });

  test("every use of a reference is a separate copy", () => {
    const config = resolve({ base: { fields: ["a"] }, one: "#/base", two: "#/base" }) as Record<
      string,
      { fields: string[] }
    >;
    config.one?.fields.push("b");
    expect(config.two?.fields).toEqual(["a"]);
    expect(config.base?.fields).toEqual(["a"]);
  });

  test("values under config_overrides are taken as-is", () => {
    const config = resolve({
      limit: 5,
      check: { type: "CheckStream", config_overrides: { page_size: "#/limit", nested: { $ref: "#/limit" } } },
    }) as { check: { config_overrides: unknown } };
    expect(config.check.config_overrides).toEqual({ page_size: "#/limit", nested: { $ref: "#/limit" } });
  });
});

describe("reference errors", () => {
  test("a missing reference names where it is used and what is missing", () => {
    const { problems } = resolveReferences({ dict: { limit: 50 }, streams: [{ requester: "#/not_dict" }] });
    expect(problems).toEqual([
      {
        path: ["streams", 0, "requester"],
        message: "undefined reference '#/not_dict': no key 'not_dict' under the top level",
      },
    ]);
    expect(lookup({ list: [1] }, "#/list/3")).toEqual({
      ok: false,
      reason: "'list' has no item 3 (it has 1)",
    });
  });

  test("a missing reference inside a referenced definition also names the chain", () => {
    const { problems } = resolveReferences({
      definitions: { requester: { authenticator: { $ref: "#/definitions/auth" } } },
      streams: [{ retriever: { requester: { $ref: "#/definitions/requester" } } }],
    });
    expect(problems.map((p) => p.path)).toEqual([
      ["definitions", "requester", "authenticator"],
      ["streams", 0, "retriever", "requester", "authenticator"],
    ]);
    expect(problems[1]?.message).toBe(
      "undefined reference '#/definitions/auth': no key 'auth' under 'definitions' (reached through #/definitions/requester)",
    );
  });

  test("a cycle is reported with the references that form it", () => {
    const { problems } = resolveReferences({ elem_ref1: "#/elem_ref2", elem_ref2: "#/elem_ref1" });
    expect(problems[0]).toEqual({
      path: ["elem_ref1"],
      message: "circular reference: #/elem_ref2 -> #/elem_ref1 -> #/elem_ref2",
    });
  });

  test("an object that refers to its own ancestor is a cycle", () => {
    const { problems } = resolveReferences({ definitions: { a: { b: { $ref: "#/definitions/a" } } } });
    expect(problems[0]?.message).toBe("circular reference: #/definitions/a -> #/definitions/a");
  });

  test("loadManifest throws a ManifestError naming the origin, the stream and the reference", () => {
    const text = [
      "version: 6.0.0",
      "check: {stream_names: [users]}",
      "streams:",
      "  - name: users",
      "    retriever:",
      "      requester: {$ref: '#/definitions/requester'}",
      "      record_selector: {extractor: {field_path: []}}",
    ].join("\n");
    const error = (() => {
      try {
        loadManifest(text, "source-x/manifest.yaml");
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ManifestError);
    const manifestError = error as ManifestError;
    expect(manifestError.path).toBe("streams[0] (users).retriever.requester");
    expect(manifestError.message).toBe(
      "source-x/manifest.yaml: streams[0] (users).retriever.requester: undefined reference '#/definitions/requester': no key 'definitions' under the top level",
    );
    expect(manifestError.problems[0]?.kind).toBe("reference");
  });
});
