// The CDK's JsonErrorMessageParser: the human-readable error in an API's error response, found under the
// keys APIs commonly use ("message", "error", "errors", "detail", ...), used by HttpResponseFilter's
// error_message_contains and by the FAIL message.

/** The keys looked at, in the CDK's order; the first with a truthy value wins. */
const ERROR_KEYS = [
  "message",
  "messages",
  "error",
  "errors",
  "failures",
  "failure",
  "detail",
  "err",
  "error_message",
  "msg",
  "reason",
  "status_message",
] as const;

/** The error message in a response body: its JSON, or its text when it is not JSON. */
export function parseResponseErrorMessage(response: { text: string; json(): unknown }): string | null {
  let body: unknown;
  try {
    body = response.json();
  } catch {
    body = response.text;
  }
  return errorIn(body);
}

function errorIn(value: unknown): string | null {
  if (typeof value === "string") return value;
  if (Array.isArray(value)) {
    return value
      .map(errorIn)
      .filter((v): v is string => v !== null)
      .join(", ");
  }
  if (value !== null && typeof value === "object") {
    const record = value as Record<string, unknown>;
    for (const key of ERROR_KEYS) {
      if (pythonTruthy(record[key])) return errorIn(record[key]);
    }
    return null;
  }
  return null;
}

/** Python's truth value of a JSON value: null, false, 0, "", [] and {} are false. */
export function pythonTruthy(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === 0 || value === "") return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === "object") return Object.keys(value).length > 0;
  return true;
}
