import { describe, expect, test } from "bun:test";

import {
  CompositeErrorHandler,
  createFallbackErrorResolution,
  DEFAULT_ERROR_MAPPING,
  DefaultErrorHandler,
  type ErrorResolution,
  type HttpOutcome,
  HttpResponseFilter,
  type ResponseFilterContext,
} from "../../../src/declarative/http/error-handler.ts";
import { parseResponseErrorMessage } from "../../../src/declarative/http/error-message.ts";
import { caseInsensitiveHeaders } from "../../../src/declarative/http/headers.ts";

/** An outcome as the client builds it from a response whose body has been read. */
function response(
  status: number,
  body: unknown = {},
  headers: Record<string, string> = {},
  statusText = "",
): HttpOutcome {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  return {
    response: {
      status,
      statusText,
      url: "https://api.example.com/v1/items?token=abc",
      headers: new Headers(headers),
      text,
      json: () => JSON.parse(text),
    },
    error: null,
  };
}

function requestError(name: string, message: string): HttpOutcome {
  const error = new Error(message);
  error.name = name;
  return { response: null, error };
}

const brief = (r: ErrorResolution): (string | null)[] => [r.action, r.failureType];

describe("DefaultErrorHandler without filters", () => {
  const handler = new DefaultErrorHandler();

  test("defaults as in the CDK: 5 retries, 600 s", () => {
    expect(handler.maxRetries).toBe(5);
    expect(handler.maxTimeSeconds).toBe(600);
  });

  test("statuses below 400 succeed", () => {
    for (const status of [200, 201, 204, 301, 304])
      expect(handler.interpret(response(status)).action).toBe("SUCCESS");
  });

  test("the CDK's mapping: client errors fail, 408/429/5xx retry", () => {
    const expected: Record<number, [string, string]> = {
      400: ["FAIL", "system_error"],
      401: ["FAIL", "config_error"],
      403: ["FAIL", "config_error"],
      404: ["FAIL", "system_error"],
      405: ["FAIL", "system_error"],
      408: ["RETRY", "transient_error"],
      429: ["RATE_LIMITED", "transient_error"],
      500: ["RETRY", "transient_error"],
      502: ["RETRY", "transient_error"],
      503: ["RETRY", "transient_error"],
      504: ["RETRY", "transient_error"],
    };
    for (const [status, pair] of Object.entries(expected)) {
      const resolution = handler.interpret(response(Number(status)));
      expect(brief(resolution)).toEqual(pair);
      if (status !== "429") expect(resolution.message).toStartWith(`HTTP Status Code: ${status}. Error: `);
    }
    expect(handler.interpret(response(429)).message).toContain("Rate limit exceeded.");
  });

  test("a status the mapping does not name is retried as a system error, with the body", () => {
    const resolution = handler.interpret(response(409, { message: "conflict" }, {}, "Conflict"));
    expect(brief(resolution)).toEqual(["RETRY", "system_error"]);
    expect(resolution.message).toBe(
      'Response was not ok: `409 Client Error: Conflict for url: https://api.example.com/v1/items?…`. Response content is: {"message":"conflict"}',
    );
    expect(handler.interpret(response(501, "", {}, "Not Implemented")).message).toContain(
      "501 Server Error: Not Implemented",
    );
  });

  test("request errors: looked up by exact name, otherwise retried as a system error", () => {
    expect(brief(handler.interpret(requestError("InvalidSchema", "ftp")))).toEqual(["FAIL", "config_error"]);
    expect(brief(handler.interpret(requestError("InvalidURL", "bad")))).toEqual(["RETRY", "transient_error"]);
    const connection = handler.interpret(requestError("ConnectionError", "refused"));
    expect(brief(connection)).toEqual(["RETRY", "system_error"]);
    expect(connection.message).toBe("ConnectionError: refused");
  });

  test("the mapping holds the CDK's keys", () => {
    expect([...DEFAULT_ERROR_MAPPING.keys()].sort()).toEqual(
      [
        400,
        401,
        403,
        404,
        405,
        408,
        429,
        500,
        502,
        503,
        504,
        "InvalidSchema",
        "InvalidURL",
        "RequestException",
      ].sort(),
    );
  });
});

describe("HttpResponseFilter", () => {
  test("filters are asked first, even for a 2xx response", () => {
    const handler = new DefaultErrorHandler({
      responseFilters: [
        new HttpResponseFilter({
          action: "FAIL",
          predicate: (ctx) => (ctx.response as { error?: string }).error === "quota",
          errorMessage: "Out of quota",
          failureType: "config_error",
        }),
      ],
    });
    expect(handler.interpret(response(200, { error: "quota" }))).toEqual({
      action: "FAIL",
      failureType: "config_error",
      message: "Out of quota",
    });
    expect(handler.interpret(response(200, { data: [] })).action).toBe("SUCCESS");
  });

  test("the first matching filter decides", () => {
    const handler = new DefaultErrorHandler({
      responseFilters: [
        new HttpResponseFilter({ action: "IGNORE", httpCodes: [404] }),
        new HttpResponseFilter({ action: "RETRY", httpCodes: [404, 409] }),
      ],
    });
    expect(handler.interpret(response(404)).action).toBe("IGNORE");
    expect(handler.interpret(response(409)).action).toBe("RETRY");
  });

  test("a match keeps the mapping's message and failure type unless the filter says otherwise", () => {
    const ignore404 = new HttpResponseFilter({ action: "IGNORE", httpCodes: [404] });
    expect(ignore404.matches(response(404))).toEqual({
      action: "IGNORE",
      failureType: "system_error",
      message: "HTTP Status Code: 404. Error: Not found. The requested resource was not found on the server.",
    });
    const retry429 = new HttpResponseFilter({ action: "RETRY", httpCodes: [429], errorMessage: () => "" });
    expect(brief(retry429.matches(response(429)) as ErrorResolution)).toEqual(["RETRY", "transient_error"]);
    // No mapped status and no message of its own.
    const retry418 = new HttpResponseFilter({ action: "RETRY", httpCodes: [418] });
    expect(retry418.matches(response(418))).toEqual({
      action: "RETRY",
      failureType: "system_error",
      message: null,
    });
  });

  test("predicates and messages see the JSON body ({} when not JSON) and case-insensitive headers", () => {
    const seen: ResponseFilterContext[] = [];
    const filter = new HttpResponseFilter({
      action: "RETRY",
      predicate: (ctx) => {
        seen.push(ctx);
        return ctx.headers["X-RateLimit-Remaining"] === "0";
      },
      errorMessage: (ctx) => `remaining ${ctx.headers["x-ratelimit-remaining"]}`,
    });
    expect(filter.matches(response(200, "<html>", { "X-RateLimit-Remaining": "0" }))?.message).toBe(
      "remaining 0",
    );
    expect(seen[0]?.response).toEqual({});
    expect(filter.matches(response(200, { a: 1 }, { "X-RateLimit-Remaining": "5" }))).toBeNull();
    expect(seen[1]?.response).toEqual({ a: 1 });
  });

  test("error_message_contains looks at the parsed error message, not the raw body", () => {
    const filter = new HttpResponseFilter({ action: "IGNORE", errorMessageContains: "not enabled" });
    expect(filter.matches(response(403, { error: { message: "feature not enabled" } }))?.action).toBe(
      "IGNORE",
    );
    expect(filter.matches(response(403, { data: "feature not enabled" }))).toBeNull();
    expect(filter.matches(response(403, "feature not enabled"))?.action).toBe("IGNORE");
  });

  test("request errors never match a filter", () => {
    const filter = new HttpResponseFilter({ action: "IGNORE", predicate: () => true });
    expect(filter.matches(requestError("ConnectionError", "x"))).toBeNull();
  });
});

describe("CompositeErrorHandler", () => {
  const failing403 = new DefaultErrorHandler({
    maxRetries: 2,
    maxTimeSeconds: 30,
    responseFilters: [new HttpResponseFilter({ action: "FAIL", httpCodes: [403], errorMessage: "plan" })],
  });
  const defaults = new DefaultErrorHandler({ maxRetries: 9, maxTimeSeconds: 120 });

  test("max_retries is the first handler's, max_time the largest", () => {
    const composite = new CompositeErrorHandler([failing403, defaults]);
    expect(composite.maxRetries).toBe(2);
    expect(composite.maxTimeSeconds).toBe(120);
  });

  test("the last handler's resolution stands when none succeeds, retries or ignores", () => {
    const composite = new CompositeErrorHandler([failing403, defaults]);
    expect(composite.interpret(response(403))).toEqual(defaults.interpret(response(403)));
    expect(composite.interpret(response(200)).action).toBe("SUCCESS");
    expect(composite.interpret(response(500)).action).toBe("RETRY");
    const alone = new CompositeErrorHandler([failing403]);
    expect(alone.interpret(response(403)).message).toBe("plan");
  });

  test("needs at least one handler", () => {
    expect(() => new CompositeErrorHandler([])).toThrow("at least 1 underlying error handler");
  });
});

describe("createFallbackErrorResolution", () => {
  test("an ok response is described without its body", () => {
    const resolution = createFallbackErrorResolution(response(200, { secret: "s3cr3t" }));
    expect(resolution).toEqual({
      action: "RETRY",
      failureType: "system_error",
      message: "Unexpected response with HTTP status 200",
    });
  });

  test("a long body is cut in the message", () => {
    const resolution = createFallbackErrorResolution(response(422, "x".repeat(5000), {}, "Unprocessable"));
    expect(resolution.message?.length).toBeLessThan(1300);
    expect(resolution.message).toContain("(4000 more characters)");
  });
});

describe("parseResponseErrorMessage", () => {
  const parse = (body: unknown) =>
    parseResponseErrorMessage(response(400, body).response as NonNullable<HttpOutcome["response"]>);

  test("finds the message under the usual keys, depth first", () => {
    expect(parse({ message: "m" })).toBe("m");
    expect(parse({ error: { detail: "deep" } })).toBe("deep");
    expect(parse({ errors: [{ message: "a" }, { msg: "b" }, { code: 1 }] })).toBe("a, b");
    expect(parse({ message: "", reason: "r" })).toBe("r");
    expect(parse({ status_message: "sm" })).toBe("sm");
  });

  test("plain text is the message; JSON without one has none", () => {
    expect(parse("Service down")).toBe("Service down");
    expect(parse({ code: 5 })).toBeNull();
    expect(parse({ message: 42 })).toBeNull();
  });
});

describe("caseInsensitiveHeaders", () => {
  test("any case finds the header; unknown ones are undefined", () => {
    const h = caseInsensitiveHeaders(new Headers({ "Retry-After": "5", Link: "<x>; rel=next" }));
    expect(h["retry-after"]).toBe("5");
    expect(h["RETRY-AFTER"]).toBe("5");
    expect("Link" in h).toBe(true);
    expect(h["x-missing"]).toBeUndefined();
    expect(Object.keys(h).sort()).toEqual(["link", "retry-after"]);
  });
});
