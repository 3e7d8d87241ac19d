// The CDK's DEFAULT_ERROR_MAPPING (airbyte_cdk/sources/streams/http/error_handlers/default_error_mapping.py)
// and the resolution it falls back to for anything the mapping does not name (response_models.py).

import { displayUrl } from "../../core/url.ts";
import type { ErrorResolution, HttpOutcome } from "./error-handler.ts";

/**
 * Keyed by HTTP status, or by the name of a request error (the CDK keys on exception classes and looks
 * them up by exact class; we look up `Error.name` exactly, so a "ConnectionError" or "Timeout" is not in
 * the map and gets the fallback resolution, as requests' ConnectionError and ReadTimeout do in the CDK).
 */
export const DEFAULT_ERROR_MAPPING: ReadonlyMap<number | string, ErrorResolution> = new Map<
  number | string,
  ErrorResolution
>([
  [
    "InvalidSchema",
    {
      action: "FAIL",
      failureType: "config_error",
      message:
        "Invalid Protocol Schema: The endpoint that data is being requested from is using an invalid or insecure. Exception: requests.exceptions.InvalidSchema",
    },
  ],
  [
    "InvalidURL",
    {
      action: "RETRY",
      failureType: "transient_error",
      message:
        "Invalid URL specified or DNS error occurred: The endpoint that data is being requested from is not a valid URL. Exception: requests.exceptions.InvalidURL",
    },
  ],
  [
    "RequestException",
    {
      action: "RETRY",
      failureType: "transient_error",
      message:
        "An exception occurred when making the request. Exception: requests.exceptions.RequestException",
    },
  ],
  [
    400,
    {
      action: "FAIL",
      failureType: "system_error",
      message: "HTTP Status Code: 400. Error: Bad request. Please check your request parameters.",
    },
  ],
  [
    401,
    {
      action: "FAIL",
      failureType: "config_error",
      message: "HTTP Status Code: 401. Error: Unauthorized. Please ensure you are authenticated correctly.",
    },
  ],
  [
    403,
    {
      action: "FAIL",
      failureType: "config_error",
      message: "HTTP Status Code: 403. Error: Forbidden. You don't have permission to access this resource.",
    },
  ],
  [
    404,
    {
      action: "FAIL",
      failureType: "system_error",
      message: "HTTP Status Code: 404. Error: Not found. The requested resource was not found on the server.",
    },
  ],
  [
    405,
    {
      action: "FAIL",
      failureType: "system_error",
      message: "HTTP Status Code: 405. Error: Method not allowed. Please check your request method.",
    },
  ],
  [
    408,
    {
      action: "RETRY",
      failureType: "transient_error",
      message: "HTTP Status Code: 408. Error: Request timeout.",
    },
  ],
  [
    429,
    {
      action: "RATE_LIMITED",
      failureType: "transient_error",
      message:
        "Rate limit exceeded. Try decreasing concurrency or the number of workers to stay within API rate limits.",
    },
  ],
  [
    500,
    {
      action: "RETRY",
      failureType: "transient_error",
      message: "HTTP Status Code: 500. Error: Internal server error.",
    },
  ],
  [
    502,
    {
      action: "RETRY",
      failureType: "transient_error",
      message: "HTTP Status Code: 502. Error: Bad gateway.",
    },
  ],
  [
    503,
    {
      action: "RETRY",
      failureType: "transient_error",
      message: "HTTP Status Code: 503. Error: Service unavailable.",
    },
  ],
  [
    504,
    {
      action: "RETRY",
      failureType: "transient_error",
      message: "HTTP Status Code: 504. Error: Gateway timeout.",
    },
  ],
]);

/** The mapping's entry for an outcome: by status for a response, by exact error name for a request error. */
export function defaultMappedResolution(outcome: HttpOutcome): ErrorResolution | null {
  if (outcome.response) return DEFAULT_ERROR_MAPPING.get(outcome.response.status) ?? null;
  if (outcome.error) return DEFAULT_ERROR_MAPPING.get(outcome.error.name) ?? null;
  return null;
}

/**
 * What the CDK does with an outcome nothing else resolved (create_fallback_error_resolution): retry it
 * as a system error, with a message describing the error or the response.
 */
export function createFallbackErrorResolution(outcome: HttpOutcome): ErrorResolution {
  let message: string;
  if (outcome.response) {
    const r = outcome.response;
    if (r.status >= 400) {
      // requests' HTTPError text: "<status> Client Error: <reason> for url: <url>".
      const kind = r.status < 500 ? "Client Error" : "Server Error";
      message = `Response was not ok: \`${r.status} ${kind}: ${r.statusText ?? ""} for url: ${displayUrl(r.url ?? "")}\`. Response content is: ${clip(r.text)}`;
    } else {
      // The CDK leaves the body out here on purpose: an "ok" body may hold sensitive data.
      message = `Unexpected response with HTTP status ${r.status}`;
    }
  } else if (outcome.error) {
    message = `${outcome.error.name}: ${outcome.error.message}`;
  } else {
    message =
      "Error handler did not receive a valid response or exception. This is unexpected please contact Airbyte Support";
  }
  return { action: "RETRY", failureType: "system_error", message };
}

/** Long bodies are cut: an error message is for reading, not for carrying a whole payload. */
export function clip(text: string, max = 1000): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more characters)`;
}
