// The error bodies the fake answers with: the public API's problem documents (type/title/status as in
// ../shared/fixtures/airbyte-api-problems.yaml, served as application/json like the real server), and the
// Config API's KnownExceptionInfo bodies.

import type { Json } from "./definitions.ts";

const ERRORS = "https://reference.airbyte.com/reference/errors";

/** Problem kinds the fake uses, with their catalogue type, title, status and default detail. */
export const PROBLEMS = {
  badRequest: {
    status: 400,
    type: `${ERRORS}#bad-request`,
    title: "bad-request",
    detail: "The request could not be understood by the server due to malformed syntax.",
  },
  valueNotFound: {
    status: 400,
    type: ERRORS,
    title: "value-not-found",
    detail: "The submitted value could not be found.",
  },
  invalidApiKey: {
    status: 401,
    type: `${ERRORS}#invalid-api-key`,
    title: "invalid-api-key",
    detail: "The API key in the Authorization header is invalid.",
  },
  forbidden: {
    status: 403,
    type: `${ERRORS}#forbidden`,
    title: "forbidden",
    detail: "The request is forbidden.",
  },
  notFound: {
    status: 404,
    type: `${ERRORS}#resource-not-found`,
    title: "resource-not-found",
    detail: "The requested resource could not be found.",
  },
  stateConflict: {
    status: 409,
    type: `${ERRORS}#409-state-conflict`,
    title: "state-conflict",
    detail: "State conflict",
  },
  tryAgainLater: {
    status: 409,
    type: `${ERRORS}#try-again-later`,
    title: "try-again-later",
    detail: "Please try again later.",
  },
  unprocessable: {
    status: 422,
    type: `${ERRORS}#unprocessable-entity`,
    title: "unprocessable-entity",
    detail: "The body of the request was not understood",
  },
  cronMissing: {
    status: 400,
    type: "error:cron-validation/missing-cron-data",
    title: "Cron data is missing",
    detail: "If schedule type is cron, scheduleData.cron must be provided.",
  },
  cronInvalid: {
    status: 400,
    type: "error:cron-validation/invalid-expression",
    title: "Invalid cron expression",
    detail: "The cron expression is invalid",
  },
  cronUnderOneHour: {
    status: 400,
    type: "error:cron-validation/under-one-hour-not-allowed",
    title: "Cron sync schedules more frequent than once per hour are not allowed",
    detail: "Syncs more frequent than once per hour require an entitlement.",
  },
  unexpected: {
    status: 500,
    type: ERRORS,
    title: "unexpected-problem",
    detail:
      "An unexpected problem has occurred. If this is an error that needs to be addressed, please submit a pull request or github issue.",
  },
  serviceUnavailable: {
    status: 503,
    type: ERRORS,
    title: "service-unavailable",
    detail: "The server is currently unable to handle the request.",
  },
  requestTimeout: {
    status: 408,
    type: "error:request-timeout-exceeded",
    title: "Request timeout exceeded",
    detail: "The request has exceeded the timeout associated with this endpoint.",
  },
} as const;

export type ProblemKind = keyof typeof PROBLEMS;

export interface Problem extends Json {
  status: number;
  type: string;
  title: string;
  detail: string;
}

export function problem(kind: ProblemKind, detail?: string, data?: Json): Problem {
  const p = PROBLEMS[kind];
  return {
    status: p.status,
    type: p.type,
    title: p.title,
    detail: detail ?? p.detail,
    ...(data ? { data } : {}),
  };
}

/** The body of an injected failure with this status, as the API or the gateway in front of it would send. */
export function injectedProblem(status: number): Json {
  if (status === 429) {
    return {
      status: 429,
      type: `${ERRORS}#rate-limited`,
      title: "rate-limited",
      detail: "Too many requests: slow down and retry after the time in the Retry-After header.",
    };
  }
  if (status === 502 || status === 504) {
    return {
      status,
      type: ERRORS,
      title: status === 502 ? "bad-gateway" : "gateway-timeout",
      detail: "Upstream error.",
    };
  }
  const known = Object.values(PROBLEMS).find((p) => p.status === status);
  if (known) return { status, type: known.type, title: known.title, detail: known.detail };
  return problem("unexpected", `Injected failure with status ${status}.`, { message: `status ${status}` });
}

/** A Config API error body (KnownExceptionInfo / NotFoundKnownExceptionInfo). */
export function configError(message: string, exceptionClassName: string, id?: string): Json {
  return { message, exceptionClassName, ...(id ? { id } : {}) };
}
