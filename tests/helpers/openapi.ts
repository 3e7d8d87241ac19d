// Checks bodies against the Airbyte public API's own OpenAPI file (../shared/fixtures/airbyte-public-api.yaml)
// and its problem catalogue (airbyte-api-problems.yaml), so the fake Cloud and the clients tested against it
// cannot drift from the real API.
//
// Schemas become zod validators through z.fromJSONSchema (target "openapi-3.0", which honours `nullable`).
// What the converter or the file gets wrong is patched here, each patch listed in `patches`:
// - refs are rewritten from #/components/schemas/X to #/definitions/X (the converter resolves only those);
// - the dangling refs of the file (DataplaneCreateResponseBody, the ForbiddenResponse response) get stand-ins;
// - ApplicationTokenRequestWithGrant declares `grant-type` but requires `grant_type`: both are optional;
// - CreateDeclarativeSourceDefinitionRequest requires `workspaceId`, which travels in the path;
// - format UUID/uuid becomes the shape Java's UUID prints (8-4-4-4-12 hex): real definition ids such as
//   source-redshift's are not RFC 4122 UUIDs, which zod's uuid check would reject.
// Responses are checked strictly (a property the schema does not declare is reported, so a fake cannot invent
// fields); requests loosely, with null properties dropped first, as the server's JSON binding does.

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { z } from "zod";
import { FIXTURES } from "./fixtures.ts";

export type JsonSchema = Record<string, unknown>;

export const PUBLIC_API_FILE = join(FIXTURES, "airbyte-public-api.yaml");
export const PROBLEMS_FILE = join(FIXTURES, "airbyte-api-problems.yaml");

/** Base paths the public API is served under: Airbyte Cloud and self-managed. */
const BASE_PATHS = ["/api/public/v1", "/v1"];
const UUID_PATTERN = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$";
const METHODS = ["get", "put", "post", "delete", "patch", "head", "options"];

interface Parameter {
  name: string;
  in: string;
  required: boolean;
  schema: JsonSchema;
}

interface ResponseSpec {
  /** The application/json schema, when the response declares one. */
  schema?: JsonSchema;
  /** Whether any body is declared at all (204s and "200 no content" declare none). */
  hasBody: boolean;
}

export interface Operation {
  method: string;
  template: string;
  operationId: string | undefined;
  /** False for the few operations with `security: []` (token, health, docs, OAuth callback). */
  authenticated: boolean;
  parameters: Parameter[];
  requestBody: { required: boolean; content: Record<string, JsonSchema | undefined> } | undefined;
  responses: Record<string, ResponseSpec>;
  pattern: RegExp;
  pathParams: string[];
}

interface ProblemSpec {
  name: string;
  status: number;
  type: string;
  title: string;
  data: JsonSchema | undefined;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

function deepMap(value: unknown, fn: (o: Obj) => void): unknown {
  if (Array.isArray(value)) return value.map((v) => deepMap(v, fn));
  if (!isObj(value)) return value;
  const out: Obj = {};
  for (const [k, v] of Object.entries(value)) out[k] = deepMap(v, fn);
  fn(out);
  return out;
}

/** Rewrites refs and formats for the converter; `strict` also closes every object that lists properties. */
function prepare(schema: unknown, strict: boolean): unknown {
  return deepMap(schema, (o) => {
    if (typeof o.$ref === "string") o.$ref = o.$ref.replace("#/components/schemas/", "#/definitions/");
    if (typeof o.format === "string" && o.format.toLowerCase() === "uuid") {
      delete o.format;
      o.pattern = UUID_PATTERN;
    }
    if (strict && o.type === "object" && isObj(o.properties) && o.additionalProperties === undefined) {
      o.additionalProperties = false;
    }
  });
}

function formatIssues(prefix: string, error: z.ZodError, root = "(body)"): string[] {
  return error.issues.map((i) => {
    const where = i.path.length ? i.path.map(String).join(".") : root;
    return `${prefix}: ${where}: ${i.message}`;
  });
}

function toPath(pathOrUrl: string): string {
  let p = pathOrUrl;
  if (/^https?:\/\//.test(p)) p = new URL(p).pathname;
  const q = p.indexOf("?");
  if (q >= 0) p = p.slice(0, q);
  return p.length > 1 ? p.replace(/\/+$/, "") : p;
}

export class OpenApiDocument {
  readonly operations: Operation[] = [];
  /** What was changed in the file before use, one sentence each. */
  readonly patches: string[] = [];
  private readonly rawSchemas: Record<string, JsonSchema>;
  private readonly strictDefs: unknown;
  private readonly looseDefs: unknown;
  private readonly problems: ProblemSpec[] = [];
  private readonly problemDefs: unknown;
  private readonly cache = new Map<string, z.ZodType>();
  private readonly registry = z.registry();

  constructor(apiDoc: unknown, problemsDoc?: unknown) {
    if (!isObj(apiDoc) || !isObj(apiDoc.paths) || !isObj(apiDoc.components)) {
      throw new Error("not an OpenAPI document: paths or components missing");
    }
    const schemas = structuredClone((apiDoc.components as Obj).schemas ?? {}) as Record<string, JsonSchema>;
    this.patchSchemas(apiDoc, schemas);
    this.rawSchemas = schemas;
    this.strictDefs = prepare(schemas, true);
    this.looseDefs = prepare(schemas, false);
    const responses = isObj(apiDoc.components.responses) ? apiDoc.components.responses : {};
    for (const [template, item] of Object.entries(apiDoc.paths as Obj)) {
      if (!isObj(item)) continue;
      const shared = Array.isArray(item.parameters) ? item.parameters : [];
      for (const method of METHODS) {
        const op = item[method];
        if (isObj(op)) this.operations.push(this.readOperation(method, template, op, shared, responses));
      }
    }
    // Literal segments win over parameters: /applications/token before /applications/{applicationId}.
    this.operations.sort((a, b) => a.pathParams.length - b.pathParams.length);
    this.problemDefs = problemsDoc ? this.readProblems(problemsDoc) : undefined;
  }

  private patchSchemas(doc: Obj, schemas: Record<string, JsonSchema>): void {
    const refs = new Set<string>();
    deepMap(doc, (o) => {
      if (typeof o.$ref === "string") refs.add(o.$ref);
    });
    for (const ref of refs) {
      const name = ref.replace("#/components/schemas/", "");
      if (ref.startsWith("#/components/schemas/") && !schemas[name]) {
        schemas[name] = { type: "object" };
        this.patches.push(`${ref} is missing from the file: any object is accepted in its place`);
      }
    }
    const token = schemas.ApplicationTokenRequestWithGrant;
    if (token && isObj(token.properties) && "grant-type" in token.properties) {
      token.required = ["client_id", "client_secret"];
      token.properties.grant_type = token.properties["grant-type"];
      this.patches.push(
        "ApplicationTokenRequestWithGrant declares `grant-type` but requires `grant_type`: both are optional",
      );
    }
    const decl = schemas.CreateDeclarativeSourceDefinitionRequest;
    if (decl && Array.isArray(decl.required) && decl.required.includes("workspaceId")) {
      decl.required = decl.required.filter((r) => r !== "workspaceId");
      this.patches.push(
        "CreateDeclarativeSourceDefinitionRequest: workspaceId comes from the path, not the body",
      );
    }
    this.patches.push("format UUID/uuid: any 8-4-4-4-12 hex string, as Java's UUID prints it");
  }

  private readOperation(method: string, template: string, op: Obj, shared: unknown[], responses: Obj) {
    const params = new Map<string, Parameter>();
    for (const p of [...shared, ...(Array.isArray(op.parameters) ? op.parameters : [])]) {
      if (!isObj(p) || typeof p.name !== "string") continue;
      params.set(`${p.in}:${p.name}`, {
        name: p.name,
        in: String(p.in),
        required: p.required === true || p.in === "path",
        schema: isObj(p.schema) ? p.schema : {},
      });
    }
    let requestBody: Operation["requestBody"];
    if (isObj(op.requestBody) && isObj(op.requestBody.content)) {
      const content: Record<string, JsonSchema | undefined> = {};
      for (const [ct, media] of Object.entries(op.requestBody.content)) {
        content[ct] = isObj(media) && isObj(media.schema) ? media.schema : undefined;
      }
      requestBody = { required: op.requestBody.required === true, content };
    }
    const out: Record<string, ResponseSpec> = {};
    for (const [status, raw] of Object.entries(isObj(op.responses) ? op.responses : {})) {
      let r: unknown = raw;
      if (isObj(r) && typeof r.$ref === "string") {
        const ref = r.$ref;
        r = responses[ref.split("/").pop() ?? ""];
        if (r === undefined) {
          const patch = `response ${ref} is missing from the file: its body is not checked`;
          if (!this.patches.includes(patch)) this.patches.push(patch);
          out[status] = { hasBody: true, schema: {} };
          continue;
        }
      }
      const content = isObj(r) && isObj(r.content) ? r.content : undefined;
      const json = content && isObj(content["application/json"]) ? content["application/json"] : undefined;
      out[status] = {
        hasBody: content !== undefined && Object.keys(content).length > 0,
        schema: json ? (isObj(json.schema) ? json.schema : {}) : undefined,
      };
    }
    const pathParams = [...template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1] ?? "");
    const pattern = new RegExp(
      `^${template.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{[^}]+\}/g, "([^/]+)")}$`,
    );
    return {
      method: method.toUpperCase(),
      template,
      operationId: typeof op.operationId === "string" ? op.operationId : undefined,
      authenticated: !(Array.isArray(op.security) && op.security.length === 0),
      parameters: [...params.values()],
      requestBody,
      responses: out,
      pattern,
      pathParams,
    };
  }

  private readProblems(doc: unknown): unknown {
    const schemas = isObj(doc) && isObj(doc.components) ? doc.components.schemas : undefined;
    if (!isObj(schemas)) return undefined;
    for (const [name, schema] of Object.entries(schemas)) {
      if (!isObj(schema) || !Array.isArray(schema.allOf)) continue;
      const own = schema.allOf[1];
      const props = isObj(own) && isObj(own.properties) ? own.properties : undefined;
      const dflt = (k: string) => {
        const p = props?.[k];
        return isObj(p) ? p.default : undefined;
      };
      if (typeof dflt("type") !== "string" || typeof dflt("title") !== "string") continue;
      const data = props?.data;
      this.problems.push({
        name,
        status: typeof dflt("status") === "number" ? (dflt("status") as number) : 500,
        type: dflt("type") as string,
        title: dflt("title") as string,
        data: isObj(data) ? data : undefined,
      });
    }
    return prepare(schemas, false);
  }

  /** The operation serving `pathOrUrl` (a template, a path with or without its base path, or a URL). */
  find(
    method: string,
    pathOrUrl: string,
  ): { operation: Operation; params: Record<string, string> } | undefined {
    const m = method.toUpperCase();
    const path = toPath(pathOrUrl);
    const candidates = [path];
    for (const base of BASE_PATHS) {
      if (path.startsWith(`${base}/`) || path === base) candidates.push(path.slice(base.length) || "/");
    }
    for (const p of candidates) {
      for (const op of this.operations) {
        if (op.method !== m) continue;
        if (op.template === p) return { operation: op, params: {} };
        const hit = op.pattern.exec(p);
        if (hit) {
          const params: Record<string, string> = {};
          op.pathParams.forEach((name, i) => {
            params[name] = decodeURIComponent(hit[i + 1] ?? "");
          });
          return { operation: op, params };
        }
      }
    }
    return undefined;
  }

  /** A zod validator for a schema of the file (a component name or an inline schema). */
  validator(schema: string | JsonSchema, options: { strict?: boolean } = {}): z.ZodType {
    const strict = options.strict ?? true;
    const inline = typeof schema === "string" ? { $ref: `#/components/schemas/${schema}` } : schema;
    const key = `${strict}:${JSON.stringify(inline)}`;
    let v = this.cache.get(key);
    if (!v) {
      const root = {
        ...(prepare(inline, strict) as Obj),
        definitions: strict ? this.strictDefs : this.looseDefs,
      };
      v = z.fromJSONSchema(root as never, { defaultTarget: "openapi-3.0", registry: this.registry });
      this.cache.set(key, v);
    }
    return v;
  }

  /** Problems with `value` against a component schema or an inline schema (empty when valid). */
  validateSchema(schema: string | JsonSchema, value: unknown, options: { strict?: boolean } = {}): string[] {
    const r = this.validator(schema, options).safeParse(value);
    const label = typeof schema === "string" ? schema : "schema";
    return r.success ? [] : formatIssues(label, r.error);
  }

  /**
   * Problems with a response (empty when valid). `body` is the parsed JSON, or undefined when there was
   * none. Error statuses are checked as problem documents; success statuses must be documented.
   */
  validateResponse(method: string, pathOrUrl: string, status: number, body: unknown): string[] {
    const found = this.find(method, pathOrUrl);
    const label = `${method.toUpperCase()} ${toPath(pathOrUrl)} ${status}`;
    if (!found) return [`${label}: no such operation in the OpenAPI file`];
    if (status >= 400) return this.validateProblem(status, body).map((p) => `${label}: ${p}`);
    const responses = found.operation.responses;
    const spec = responses[String(status)] ?? responses[`${String(status)[0]}XX`] ?? responses.default;
    if (!spec) {
      return [`${label}: status ${status} is not a documented response of ${found.operation.template}`];
    }
    if (spec.schema) {
      if (body === undefined) return [`${label}: a JSON body is documented but none was sent`];
      const r = this.validator(spec.schema, { strict: true }).safeParse(body);
      return r.success ? [] : formatIssues(label, r.error);
    }
    if (!spec.hasBody && body !== undefined && body !== null && body !== "") {
      return [`${label}: no body is documented but one was sent`];
    }
    return [];
  }

  /** Problems with a request body (empty when valid); null properties are dropped first, as the server does. */
  validateRequest(
    method: string,
    pathOrUrl: string,
    body: unknown,
    contentType = "application/json",
  ): string[] {
    const found = this.find(method, pathOrUrl);
    const label = `${method.toUpperCase()} ${toPath(pathOrUrl)}`;
    if (!found) return [`${label}: no such operation in the OpenAPI file`];
    const rb = found.operation.requestBody;
    if (!rb) return [];
    if (body === undefined || body === null)
      return rb.required ? [`${label}: a request body is required`] : [];
    const ct = contentType.split(";")[0]?.trim().toLowerCase() ?? "";
    if (!(ct in rb.content)) {
      return [`${label}: content type ${ct} is not accepted (${Object.keys(rb.content).join(", ")})`];
    }
    const schema = rb.content[ct];
    if (!schema) return [];
    const r = this.validator(schema, { strict: false }).safeParse(this.dropNulls(body, schema));
    return r.success ? [] : formatIssues(label, r.error);
  }

  /**
   * The body as the server's JSON binding reads it: null properties the schema declares are dropped
   * (PyAirbyte sends `definitionId: null`, which the server takes as absent).
   */
  normalizeRequest(
    method: string,
    pathOrUrl: string,
    body: unknown,
    contentType = "application/json",
  ): unknown {
    const rb = this.find(method, pathOrUrl)?.operation.requestBody;
    const schema = rb?.content[contentType.split(";")[0]?.trim().toLowerCase() ?? ""];
    return schema ? this.dropNulls(body, schema) : body;
  }

  /** Problems with the query string: unparseable values, out-of-range limits, unknown enum values, missing required parameters. */
  validateQuery(method: string, pathOrUrl: string, query: URLSearchParams | string): string[] {
    const found = this.find(method, pathOrUrl);
    const label = `${method.toUpperCase()} ${toPath(pathOrUrl)}`;
    if (!found) return [`${label}: no such operation in the OpenAPI file`];
    const q = typeof query === "string" ? new URLSearchParams(query) : query;
    const out: string[] = [];
    for (const p of found.operation.parameters) {
      if (p.in !== "query") continue;
      const raw = q.getAll(p.name);
      if (raw.length === 0) {
        if (p.required) out.push(`${label}: query parameter ${p.name} is required`);
        continue;
      }
      const schema = this.resolve(p.schema);
      let value: unknown;
      if (schema.type === "array") {
        value = raw.flatMap((r) => r.split(",")).filter((s) => s !== "");
        const items = isObj(schema.items) ? this.resolve(schema.items) : {};
        if (items.type === "integer" || items.type === "number") value = (value as string[]).map(Number);
      } else {
        value = this.coerce(raw[raw.length - 1] ?? "", schema);
      }
      if (value === undefined) {
        out.push(
          `${label}: query parameter ${p.name}=${raw.join(",")} is not a valid ${String(schema.type)}`,
        );
        continue;
      }
      if (
        schema.type === "string" &&
        schema.format === "date-time" &&
        Number.isNaN(Date.parse(String(value)))
      ) {
        out.push(`${label}: query parameter ${p.name}=${String(value)} is not a date-time`);
        continue;
      }
      const r = this.validator(p.schema, { strict: false }).safeParse(value);
      if (!r.success) out.push(...formatIssues(`${label}: query parameter ${p.name}`, r.error, "(value)"));
    }
    return out;
  }

  /**
   * Problems with an error body: it must be a problem document (type and title) whose type/title pair is in
   * the problem catalogue with the same status, and whose `data` fits that problem. Rate limits and gateway
   * errors (429, 502, 504) come from in front of the API and are not in the catalogue: only the base fields
   * are checked for them.
   */
  validateProblem(status: number, body: unknown): string[] {
    if (!isObj(body)) return [`error body is not a JSON object: ${JSON.stringify(body)?.slice(0, 200)}`];
    const out: string[] = [];
    if (typeof body.type !== "string") out.push("problem: `type` (string) is required");
    if (typeof body.title !== "string") out.push("problem: `title` (string) is required");
    for (const k of ["detail", "documentationUrl"]) {
      if (body[k] !== undefined && typeof body[k] !== "string")
        out.push(`problem: \`${k}\` must be a string`);
    }
    if (body.data !== undefined && !isObj(body.data)) out.push("problem: `data` must be an object");
    if (body.status !== undefined && body.status !== status) {
      out.push(`problem: status ${String(body.status)} in the body but ${status} on the response`);
    }
    if (out.length || !this.problemDefs || [429, 502, 504].includes(status)) return out;
    const matches = this.problems.filter((p) => p.type === body.type && p.title === body.title);
    if (matches.length === 0) {
      return [
        `problem: type ${String(body.type)} with title "${String(body.title)}" is not in the problem catalogue`,
      ];
    }
    const match = matches.find((p) => p.status === status);
    if (!match) {
      return [
        `problem: ${matches[0]?.name} has status ${matches.map((m) => m.status).join("/")}, not ${status}`,
      ];
    }
    if (body.data !== undefined && match.data) {
      const root = { ...(prepare(match.data, false) as Obj), definitions: this.problemDefs };
      const r = z
        .fromJSONSchema(root as never, { defaultTarget: "openapi-3.0", registry: this.registry })
        .safeParse(body.data);
      if (!r.success) out.push(...formatIssues(`problem ${match.name} data`, r.error));
    }
    return out;
  }

  private resolve(schema: JsonSchema): JsonSchema {
    let s = schema;
    for (let i = 0; i < 10 && typeof s.$ref === "string"; i++) {
      s = this.rawSchemas[s.$ref.replace("#/components/schemas/", "")] ?? {};
    }
    return s;
  }

  private coerce(raw: string, schema: JsonSchema): unknown {
    switch (schema.type) {
      case "integer":
        return /^-?\d+$/.test(raw) ? Number(raw) : undefined;
      case "number":
        return raw.trim() !== "" && Number.isFinite(Number(raw)) ? Number(raw) : undefined;
      case "boolean":
        return raw === "true" ? true : raw === "false" ? false : undefined;
      default:
        return raw;
    }
  }

  /** Drops null-valued properties the schema declares (free-form objects such as configurations keep theirs). */
  private dropNulls(value: unknown, schema: JsonSchema): unknown {
    const s = this.resolve(schema);
    if (Array.isArray(value)) {
      const items = isObj(s.items) ? s.items : {};
      return value.map((v) => this.dropNulls(v, items));
    }
    if (!isObj(value) || !isObj(s.properties)) return value;
    const props = s.properties;
    const out: Obj = {};
    for (const [k, v] of Object.entries(value)) {
      const ps = props[k];
      if (v === null && ps !== undefined) continue;
      out[k] = isObj(ps) ? this.dropNulls(v, ps) : v;
    }
    return out;
  }
}

let loaded: OpenApiDocument | undefined;

/** Whether the public API file is there (tests call skipWithoutFixtures first). */
export const havePublicApi = existsSync(PUBLIC_API_FILE);

/** The public API document with its problem catalogue, loaded once. */
export function publicApi(): OpenApiDocument {
  if (!loaded) {
    if (!havePublicApi) {
      throw new Error(
        `${PUBLIC_API_FILE} is missing: the OpenAPI checks need ../shared/fixtures beside the project`,
      );
    }
    const problems = existsSync(PROBLEMS_FILE) ? parse(readFileSync(PROBLEMS_FILE, "utf8")) : undefined;
    loaded = new OpenApiDocument(parse(readFileSync(PUBLIC_API_FILE, "utf8")), problems);
  }
  return loaded;
}

/** Problems with a public API response (empty when valid); see OpenApiDocument.validateResponse. */
export function validateResponse(method: string, pathOrUrl: string, status: number, body: unknown): string[] {
  return publicApi().validateResponse(method, pathOrUrl, status, body);
}

/** Problems with a public API request body (empty when valid); see OpenApiDocument.validateRequest. */
export function validateRequest(
  method: string,
  pathOrUrl: string,
  body: unknown,
  contentType?: string,
): string[] {
  return publicApi().validateRequest(method, pathOrUrl, body, contentType);
}

/** Problems with a public API query string (empty when valid). */
export function validateQuery(method: string, pathOrUrl: string, query: URLSearchParams | string): string[] {
  return publicApi().validateQuery(method, pathOrUrl, query);
}
