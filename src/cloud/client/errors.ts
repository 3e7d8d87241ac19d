// Failures of the Cloud client as errors an agent can act on: what was being done, what the API said
// (its problem JSON, cloud-api.md §8), and what to do next. Never a token or a secret: every text the
// API sent is masked whole (maskProblem, bodyExcerpt) before it is flattened or cut, since a secret
// spread over lines or straddling the cut would no longer match the masker afterwards.

import { z } from "zod";
import { ToolError } from "../../core/errors.ts";

export type CloudFailureKind =
  /** The API answered with an error status. */
  | "http"
  /** No answer: refused, reset, unknown host… */
  | "network"
  | "timeout"
  | "cancelled"
  /** A success answer whose body is not what the API documents. */
  | "invalid-response"
  /** No usable credentials in the settings. */
  | "credentials"
  /** An id or value the client refuses to put in a request. */
  | "invalid-argument";

/** The problem document of an API error; every field optional since bodies are parsed defensively. */
export const ProblemSchema = z.looseObject({
  status: z.number().optional(),
  type: z.string().optional(),
  title: z.string().optional(),
  detail: z.string().optional(),
  documentationUrl: z.string().optional(),
  data: z.unknown().optional(),
  /** The internal Config API's older error shape (KnownExceptionInfo) says it here. */
  message: z.string().optional(),
});
export type Problem = z.infer<typeof ProblemSchema>;

export interface CloudApiErrorInit {
  kind: CloudFailureKind;
  message: string;
  hint?: string;
  method?: string;
  /** Where the request went, without query (displayUrl form). */
  url?: string;
  status?: number | null;
  problem?: Problem | null;
  /** How long the API asked to wait (Retry-After), when it did. */
  retryAfterMs?: number | null;
  cause?: unknown;
}

export class CloudApiError extends ToolError {
  readonly kind: CloudFailureKind;
  readonly method: string | null;
  readonly url: string | null;
  readonly status: number | null;
  readonly problem: Problem | null;
  readonly retryAfterMs: number | null;

  constructor(init: CloudApiErrorInit) {
    super(init.message, { hint: init.hint, cause: init.cause });
    this.name = "CloudApiError";
    this.kind = init.kind;
    this.method = init.method ?? null;
    this.url = init.url ?? null;
    this.status = init.status ?? null;
    this.problem = init.problem ?? null;
    this.retryAfterMs = init.retryAfterMs ?? null;
  }
}

/** What a request was about, for messages: "source 1234", "the workspace's sources". */
export type CloudResource =
  | "workspace"
  | "organization"
  | "source"
  | "destination"
  | "connection"
  | "job"
  | "stream"
  | "custom source definition"
  | "connector definition"
  | "connector builder project"
  | "access token";

export type AuthKind = "client_credentials" | "bearer";

/** Where the list of each kind of object can be read, for "find the right id" hints. */
const LISTS: Record<CloudResource, string> = {
  workspace: "List the workspaces these credentials can see",
  organization: "List the organizations these credentials can see",
  source: "List the workspace's sources",
  destination: "List the workspace's destinations",
  connection: "List the workspace's connections",
  job: "List the connection's sync jobs",
  stream: "Check the source id (list the workspace's sources)",
  "custom source definition": "List the workspace's custom source definitions",
  "connector definition": "Check the connector name against the registry",
  "connector builder project": "List the workspace's custom source definitions",
  "access token": "Check AIRBYTE_CLOUD_API_URL",
};

export const CREDENTIAL_VARIABLES =
  "AIRBYTE_CLOUD_CLIENT_ID and AIRBYTE_CLOUD_CLIENT_SECRET (an application's credentials: Airbyte Cloud → Settings → Applications), or AIRBYTE_CLOUD_BEARER_TOKEN";

/** The hint for a refused token or key, by the kind of credentials in use. */
export function credentialsHint(auth: AuthKind | null): string {
  if (auth === "bearer") {
    return "AIRBYTE_CLOUD_BEARER_TOKEN was refused: it may have expired (access tokens last about 15 minutes). Set a fresh token and restart, or set AIRBYTE_CLOUD_CLIENT_ID and AIRBYTE_CLOUD_CLIENT_SECRET instead so that tokens are renewed automatically.";
  }
  return "Check AIRBYTE_CLOUD_CLIENT_ID and AIRBYTE_CLOUD_CLIENT_SECRET: they must be the client id and secret of an application (Airbyte Cloud → Settings → Applications) whose user can access the workspace, and AIRBYTE_CLOUD_API_URL must be the API they belong to.";
}

export interface HttpFailureContext {
  /** What the call was doing, as a verb phrase: "get source 1234". */
  action: string;
  resource: CloudResource;
  id?: string | undefined;
  api: "public" | "config";
  auth: AuthKind | null;
  attempts: number;
  /** The request may have created something before failing (a POST that creates). */
  mayHaveCreated: boolean;
}

/** A copy of the problem with every string in it masked (data may hold any JSON). */
export function maskProblem(problem: Problem, mask: (text: string) => string): Problem {
  return maskStrings(problem, mask) as Problem;
}

function maskStrings(v: unknown, mask: (text: string) => string): unknown {
  if (typeof v === "string") return mask(v);
  if (Array.isArray(v)) return v.map((x) => maskStrings(x, mask));
  if (v !== null && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = maskStrings(x, mask);
    return out;
  }
  return v;
}

/**
 * The sentence describing an error answer: "404 resource-not-found: no source with id …". The
 * problem and body must already be masked (maskProblem, bodyExcerpt): this flattens and cuts them.
 */
export function describeProblem(status: number, problem: Problem | null, bodyText: string | null): string {
  const parts: string[] = [];
  const title = problem?.title?.trim();
  if (title && title !== String(status)) parts.push(title);
  const details: string[] = [];
  const detail = problem?.detail?.trim();
  if (detail) details.push(detail);
  const dataMessage = messageOf(problem?.data);
  if (dataMessage && !details.some((d) => d.includes(dataMessage))) details.push(dataMessage);
  const legacy = problem?.message?.trim();
  if (legacy && !details.some((d) => d.includes(legacy))) details.push(legacy);
  if (details.length === 0 && !problem && bodyText) details.push(bodyText);
  const head = [String(status), ...parts].join(" ");
  return details.length > 0 ? `${head}: ${truncate(details.join(" "), 600)}` : head;
}

function messageOf(data: unknown): string | undefined {
  if (data && typeof data === "object" && "message" in data) {
    const m = (data as { message: unknown }).message;
    if (typeof m === "string" && m.trim() !== "") return m.trim();
  }
  return undefined;
}

function truncate(s: string, max: number): string {
  const flat = s.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/**
 * A short, single-line excerpt of a non-JSON error body (an HTML page says nothing useful), masked
 * whole before it is cut.
 */
export function bodyExcerpt(
  text: string,
  contentType: string | null,
  mask: (text: string) => string,
): string | null {
  if (text.trim() === "" || /html/i.test(contentType ?? "") || /^\s*</.test(text)) return null;
  return truncate(mask(text), 200);
}

/** What to do after an error answer, by status and by what was asked. */
export function hintFor(status: number, problem: Problem | null, ctx: HttpFailureContext): string {
  const title = problem?.title ?? "";
  const list = LISTS[ctx.resource];
  if (status === 401) return credentialsHint(ctx.auth);
  // The token endpoint refuses bad credentials with 400, 401 or 403.
  if (ctx.resource === "access token" && status >= 400 && status < 500 && status !== 429) {
    return credentialsHint("client_credentials");
  }
  if (status === 403) {
    const scope =
      ctx.api === "config"
        ? " This call uses Airbyte's internal Config API, which may need an organization-level role (for example ORGANIZATION_READER)."
        : "";
    return `The credentials were accepted but are not allowed to do this: check that the ${ctx.resource} belongs to a workspace the application's user can access (AIRBYTE_CLOUD_WORKSPACE_ID or the workspace_id argument) and that the user's role permits it.${scope}`;
  }
  if (status === 404) {
    const what = ctx.id ? `${ctx.resource} ${ctx.id}` : `the ${ctx.resource}`;
    return `${list} to find the right id; ${what} does not exist or is not visible to these credentials.`;
  }
  if (status === 409) {
    if (/lock/i.test(title)) {
      return "The connection is locked (for example by a billing problem or a schema change to review); resolve that in Airbyte, then try again.";
    }
    if (title === "try-again-later") return "Airbyte asked to try again later; wait a minute and retry.";
    if (ctx.resource === "job" || ctx.resource === "connection") {
      return "A job is probably already running for this connection: wait for it to finish (check its status) or cancel it, then try again.";
    }
    return "The object is not in a state that allows this: read it again and retry.";
  }
  if (status === 400 || status === 422) {
    return "The API refused a value in the request: fix the field it names and try again.";
  }
  if (status === 429) {
    return "The API is rate-limiting these credentials; wait a minute and try again.";
  }
  if (status === 501) return "This operation is not available on this Airbyte deployment.";
  if (status >= 500) {
    const tries = ctx.attempts > 1 ? ` (${ctx.attempts} tries)` : "";
    const created = ctx.mayHaveCreated ? ` ${createdHint(ctx.resource)}` : "";
    return `Airbyte's API failed${tries}; try again in a few minutes (status page: https://status.airbyte.com).${created}`;
  }
  return "Check the arguments and try again.";
}

/** Said when a creating request failed in a way that does not prove nothing was created. */
export function createdHint(resource: CloudResource): string {
  if (resource === "job") {
    return "The job may have started anyway: list the connection's sync jobs before starting another.";
  }
  return `The ${resource} may have been created anyway: ${LISTS[resource].toLowerCase()} before trying again.`;
}
