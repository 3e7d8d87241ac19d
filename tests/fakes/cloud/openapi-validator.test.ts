// The OpenAPI checks (tests/helpers/openapi.ts) against the real file: they must accept what the real API
// sends and reject the drift a fake or a client could introduce.

import { describe, expect, test } from "bun:test";
import { skipWithoutFixtures } from "../../helpers/fixtures.ts";
import { publicApi } from "../../helpers/openapi.ts";

const skip = skipWithoutFixtures("OpenAPI validator tests");
const id = () => crypto.randomUUID();

describe.skipIf(skip)("OpenAPI document", () => {
  test("loads every operation of the file and lists what it patched", () => {
    const api = publicApi();
    expect(api.operations.length).toBe(92);
    expect(api.patches.some((p) => p.includes("DataplaneCreateResponseBody"))).toBe(true);
    expect(api.patches.some((p) => p.includes("grant_type"))).toBe(true);
    expect(api.patches.some((p) => p.includes("ForbiddenResponse"))).toBe(true);
  });

  test("finds operations by template, path with either base path, or URL", () => {
    const api = publicApi();
    expect(api.find("GET", "/sources/{sourceId}")?.operation.operationId).toBe("getSource");
    expect(api.find("get", "/v1/sources/abc")?.params).toEqual({ sourceId: "abc" });
    expect(api.find("DELETE", "http://localhost:8000/api/public/v1/jobs/12?x=1")?.operation.operationId).toBe(
      "cancelJob",
    );
    expect(api.find("POST", "/v1/applications/token")?.operation.operationId).toBe("createAccessToken");
    expect(api.find("POST", "/v1/applications/token")?.operation.authenticated).toBe(false);
    expect(api.find("PUT", "/v1/jobs/1")).toBeUndefined();
  });
});

describe.skipIf(skip)("responses", () => {
  const job = () => ({
    jobId: 7,
    status: "running",
    jobType: "sync",
    startTime: "2024-06-09T21:50Z",
    connectionId: id(),
  });

  test("accept a real-shaped body and reject an undeclared property, a missing field and a bad enum", () => {
    const api = publicApi();
    expect(api.validateResponse("GET", "/v1/jobs/7", 200, job())).toEqual([]);
    const extra = api.validateResponse("GET", "/v1/jobs/7", 200, { ...job(), id: "x" });
    expect(extra.join()).toContain('Unrecognized key: "id"');
    const { connectionId: _, ...missing } = job();
    expect(api.validateResponse("GET", "/v1/jobs/7", 200, missing).join()).toContain("connectionId");
    expect(api.validateResponse("GET", "/v1/jobs/7", 200, { ...job(), status: "done" }).join()).toContain(
      "status",
    );
  });

  test("the spec's own job example (id instead of jobId) is caught", () => {
    const example = {
      id: id(),
      status: "running",
      jobType: "sync",
      startTime: "2023-03-25T01:30:50Z",
      duration: "PT8H6M12S",
    };
    expect(publicApi().validateResponse("GET", "/v1/jobs/1", 200, example).length).toBeGreaterThan(0);
  });

  test("ids need the 8-4-4-4-12 shape but not RFC 4122 bits (real definition ids lack them)", () => {
    const api = publicApi();
    const def = {
      id: "e87ffa8e-a3b5-f69c-9076-6011339de1f6",
      name: "Redshift",
      connectorDefinitionType: "source",
      version: "1",
    };
    expect(api.validateResponse("GET", "/v1/connector_definitions", 200, { data: [def] })).toEqual([]);
    expect(
      api.validateResponse("GET", "/v1/connector_definitions", 200, { data: [{ ...def, id: "redshift" }] }),
    ).not.toEqual([]);
  });

  test("success statuses must be documented, and bodies match what is documented", () => {
    const api = publicApi();
    expect(api.validateResponse("DELETE", "/v1/sources/x", 204, undefined)).toEqual([]);
    expect(api.validateResponse("DELETE", "/v1/sources/x", 200, {})[0]).toContain(
      "not a documented response",
    );
    expect(api.validateResponse("DELETE", "/v1/sources/x", 204, { a: 1 })[0]).toContain(
      "no body is documented",
    );
    expect(api.validateResponse("GET", "/v1/sources/x", 200, undefined)[0]).toContain("none was sent");
    expect(api.validateResponse("GET", "/v1/nothing", 200, {})[0]).toContain("no such operation");
  });

  test("errors must be catalogued problem documents with the right status and data", () => {
    const api = publicApi();
    const notFound = {
      status: 404,
      type: "https://reference.airbyte.com/reference/errors#resource-not-found",
      title: "resource-not-found",
      detail: "gone",
      data: { resourceType: "source", resourceId: id() },
    };
    expect(api.validateResponse("GET", "/v1/sources/x", 404, notFound)).toEqual([]);
    expect(api.validateResponse("GET", "/v1/sources/x", 410, notFound).join()).toContain(
      "status 404 in the body",
    );
    expect(
      api
        .validateResponse("GET", "/v1/sources/x", 404, { ...notFound, data: { resourceType: "source" } })
        .join(),
    ).toContain("resourceId");
    expect(
      api.validateResponse("GET", "/v1/sources/x", 404, { ...notFound, title: "not-found" }).join(),
    ).toContain("not in the problem catalogue");
    expect(api.validateResponse("GET", "/v1/sources/x", 404, "Not Found").join()).toContain(
      "not a JSON object",
    );
    const rateLimited = { status: 429, type: "about:rate-limited", title: "rate-limited" };
    expect(api.validateResponse("GET", "/v1/sources/x", 429, rateLimited)).toEqual([]);
    // Same type URL, told apart by title: value-not-found (400) vs unexpected-problem (500).
    const unexpected = {
      type: "https://reference.airbyte.com/reference/errors",
      title: "unexpected-problem",
    };
    expect(api.validateResponse("GET", "/v1/sources/x", 500, unexpected)).toEqual([]);
    expect(api.validateResponse("GET", "/v1/sources/x", 400, unexpected).join()).toContain("status 500");
  });
});

describe.skipIf(skip)("requests", () => {
  test("the token request in all three shapes clients send", () => {
    const api = publicApi();
    const base = { client_id: "a", client_secret: "b" };
    expect(api.validateRequest("POST", "/v1/applications/token", base)).toEqual([]);
    expect(
      api.validateRequest("POST", "/v1/applications/token", { ...base, "grant-type": "client_credentials" }),
    ).toEqual([]);
    expect(
      api.validateRequest(
        "POST",
        "/v1/applications/token",
        { ...base, grant_type: "client_credentials" },
        "application/x-www-form-urlencoded",
      ),
    ).toEqual([]);
    expect(api.validateRequest("POST", "/v1/applications/token", { client_id: "a" }).join()).toContain(
      "client_secret",
    );
    expect(api.validateRequest("POST", "/v1/applications/token", base, "text/plain")[0]).toContain(
      "not accepted",
    );
  });

  test("null properties count as absent, as PyAirbyte's create-source body needs", () => {
    const api = publicApi();
    const body = {
      name: "s",
      workspaceId: id(),
      configuration: { sourceType: "faker", nested: null },
      definitionId: null,
      secretId: null,
    };
    expect(api.validateRequest("POST", "/v1/sources", body)).toEqual([]);
    expect(api.normalizeRequest("POST", "/v1/sources", body)).toEqual({
      name: "s",
      workspaceId: body.workspaceId,
      configuration: { sourceType: "faker", nested: null },
    });
    expect(api.validateRequest("POST", "/v1/sources", { ...body, name: null }).join()).toContain("name");
  });

  test("a declarative definition needs no workspaceId in its body (it is in the path)", () => {
    const body = { name: "d", manifest: { version: "6.0.0" } };
    expect(
      publicApi().validateRequest("POST", `/v1/workspaces/${id()}/definitions/declarative_sources`, body),
    ).toEqual([]);
  });

  test("query strings: limits, enums, arrays and required parameters", () => {
    const api = publicApi();
    expect(
      api.validateQuery(
        "GET",
        "/v1/jobs",
        `limit=100&offset=0&orderBy=createdAt|DESC&workspaceIds=${id()},${id()}`,
      ),
    ).toEqual([]);
    const bad = api.validateQuery(
      "GET",
      "/v1/jobs",
      "limit=101&offset=-1&jobType=nightly&workspaceIds=nope&createdAtStart=yesterday",
    );
    expect(bad.join("\n")).toContain("limit");
    expect(bad.join("\n")).toContain("offset");
    expect(bad.join("\n")).toContain("jobType");
    expect(bad.join("\n")).toContain("workspaceIds");
    expect(bad.join("\n")).toContain("createdAtStart");
    expect(api.validateQuery("GET", "/v1/streams", "")).toEqual([
      "GET /v1/streams: query parameter sourceId is required",
    ]);
    expect(api.validateQuery("GET", "/v1/sources", "limit=ten")[0]).toContain("is not a valid integer");
  });
});
