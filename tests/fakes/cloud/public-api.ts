// The public API v1 of the fake Cloud (mounted at /v1 or /api/public/v1): the token endpoint, health,
// workspaces, organizations, users, connector definitions and declarative (builder) source definitions
// here; sources, destinations and streams in actors-api.ts; connections and jobs in connections-api.ts.
// Every request but the token and health ones needs a valid bearer token; query strings and bodies are
// checked against the OpenAPI file first (400 bad-request), as the real server's binding does.

import { Hono } from "hono";
import type { OpenApiDocument } from "../../helpers/openapi.ts";
import { actorRoutes } from "./actors-api.ts";
import { requireBearer, type TokenBook } from "./auth.ts";
import { connectionRoutes } from "./connections-api.ts";
import type { Json } from "./definitions.ts";
import {
  ApiError,
  asObj,
  badRequest,
  bodyOf,
  type FakeEnv,
  fail,
  listParam,
  pageParams,
  paginate,
  uuidParam,
} from "./http.ts";
import { problem } from "./problems.ts";
import type { FakeCloudStore } from "./store.ts";
import {
  declarativeFor,
  declarativeResponse,
  listedWorkspaces,
  workspaceFor,
  workspaceResponse,
} from "./views.ts";

export interface PublicApiDeps {
  store: FakeCloudStore;
  tokens: TokenBook;
  clients: Record<string, string>;
  tokenTtlSeconds: number;
  basePath: string;
  openapi: OpenApiDocument | undefined;
}

const NO_AUTH = new Set(["/applications/token", "/health"]);

export function publicApiRoutes(deps: PublicApiDeps): Hono<FakeEnv> {
  const { store, openapi } = deps;
  const app = new Hono<FakeEnv>();

  app.use("*", async (c, next) => {
    const rel = c.req.path.slice(deps.basePath.length) || "/";
    if (!NO_AUTH.has(rel)) requireBearer(c, deps.tokens);
    const method = c.req.method;
    if (openapi?.find(method, rel)) {
      const problems = openapi.validateQuery(method, rel, new URL(c.req.url).searchParams);
      if (problems.length) badRequest(problems.join("; "));
    }
    if (method === "POST" || method === "PUT" || method === "PATCH") {
      const contentType = c.req.header("content-type") ?? "application/json";
      let body: unknown;
      if (contentType.startsWith("application/x-www-form-urlencoded")) {
        body = Object.fromEntries(new URLSearchParams(await c.req.text()));
      } else {
        const text = await c.req.text();
        try {
          body = text.trim() === "" ? undefined : JSON.parse(text);
        } catch {
          badRequest("The request body is not valid JSON.");
        }
      }
      if (openapi?.find(method, rel)) {
        const problems = openapi.validateRequest(method, rel, body, contentType);
        if (problems.length) badRequest(problems.join("; "));
        body = openapi.normalizeRequest(method, rel, body, contentType);
      } else if (asObj(body)) {
        body = Object.fromEntries(Object.entries(body as Json).filter(([, v]) => v !== null));
      }
      c.set("body", body);
    }
    store.tick();
    await next();
  });

  app.post("/applications/token", (c) => {
    const body = bodyOf(c);
    const id = typeof body.client_id === "string" ? body.client_id : "";
    const secret = typeof body.client_secret === "string" ? body.client_secret : "";
    if (!id || deps.clients[id] === undefined || deps.clients[id] !== secret) {
      throw new ApiError(
        401,
        problem(
          "invalidApiKey",
          "Invalid client credentials: check the client id and secret of your Airbyte application.",
        ),
      );
    }
    const token = deps.tokens.issue(id, deps.tokenTtlSeconds);
    return c.json({ access_token: token, token_type: "Bearer", expires_in: deps.tokenTtlSeconds });
  });

  app.get("/health", (c) => c.body(null, 200));

  app.get("/workspaces", (c) => {
    const page = pageParams(c);
    const asked = listParam(c, "workspaceIds");
    const includeDeleted = c.req.query("includeDeleted") === "true";
    let ids: Set<string>;
    if (asked.length) ids = listedWorkspaces(store, asked);
    else ids = new Set([...store.workspaces.values()].filter((w) => w.accessible).map((w) => w.workspaceId));
    const items = [...store.workspaces.values()]
      .filter((w) => ids.has(w.workspaceId) && (includeDeleted || !w.deleted))
      .map(workspaceResponse);
    const filters: Array<[string, string]> = [];
    if (asked.length) filters.push(["workspaceIds", asked.join(",")]);
    filters.push(["includeDeleted", String(includeDeleted)]);
    return c.json(paginate(c, items, page, filters));
  });

  app.get("/workspaces/:workspaceId", (c) => {
    const ws = workspaceFor(store, uuidParam(c.req.param("workspaceId"), "workspaceId"));
    return c.json(workspaceResponse(ws));
  });

  app.get("/organizations", (c) => {
    const data = [...store.organizations.values()]
      .filter((o) => o.member)
      .map((o) => ({
        organizationId: o.organizationId,
        organizationName: o.organizationName,
        email: o.email,
      }));
    return c.json({ data });
  });

  app.get("/users", (c) => {
    const orgId = uuidParam(c.req.query("organizationId"), "organizationId");
    const org = store.organizations.get(orgId);
    if (!org)
      fail("notFound", `Could not find an organization with id ${orgId}.`, {
        resourceType: "organization",
        resourceId: orgId,
      });
    if (!org.member)
      fail("forbidden", `You are not a member of organization ${orgId}.`, { message: "not a member" });
    const ids = new Set(listParam(c, "ids"));
    const emails = new Set(listParam(c, "emails"));
    const data = [...store.users.values()]
      .filter(
        (u) =>
          u.organizationId === orgId && (!ids.size || ids.has(u.id)) && (!emails.size || emails.has(u.email)),
      )
      .map((u) => ({ id: u.id, name: u.name, email: u.email }));
    return c.json({ data });
  });

  app.get("/connector_definitions", (c) => {
    const type = c.req.query("type");
    if (type !== "source" && type !== "destination") badRequest("type must be source or destination");
    const wsId = c.req.query("workspaceId");
    if (wsId !== undefined) workspaceFor(store, uuidParam(wsId, "workspaceId"));
    const data = store.definitions
      .all(type)
      .map((d) => ({ id: d.id, name: d.name, connectorDefinitionType: d.kind, version: d.dockerImageTag }));
    return c.json({ data });
  });

  const decl = "/workspaces/:workspaceId/definitions/declarative_sources";

  app.get(decl, (c) => {
    const ws = workspaceFor(store, uuidParam(c.req.param("workspaceId"), "workspaceId"));
    const data = [...store.declarativeDefinitions.values()]
      .filter((d) => d.workspaceId === ws.workspaceId && !d.deleted)
      .map((d) => declarativeResponse(store, d));
    return c.json({ data });
  });

  app.post(decl, (c) => {
    const ws = workspaceFor(store, uuidParam(c.req.param("workspaceId"), "workspaceId"));
    const body = bodyOf(c);
    const manifest = checkedManifest(body.manifest);
    const name = typeof body.name === "string" ? body.name : badRequest("name is required");
    const def = store.addDeclarativeDefinition({ name, manifest, workspaceId: ws.workspaceId });
    return c.json(declarativeResponse(store, def));
  });

  app.get(`${decl}/:definitionId`, (c) => {
    const ws = workspaceFor(store, uuidParam(c.req.param("workspaceId"), "workspaceId"));
    const def = declarativeFor(store, ws.workspaceId, uuidParam(c.req.param("definitionId"), "definitionId"));
    return c.json(declarativeResponse(store, def));
  });

  app.put(`${decl}/:definitionId`, (c) => {
    const ws = workspaceFor(store, uuidParam(c.req.param("workspaceId"), "workspaceId"));
    const def = declarativeFor(store, ws.workspaceId, uuidParam(c.req.param("definitionId"), "definitionId"));
    def.versions.push(checkedManifest(bodyOf(c).manifest));
    const project = store.builderProjects.get(def.builderProjectId);
    if (project) project.updatedAt = store.now();
    return c.json(declarativeResponse(store, def));
  });

  app.delete(`${decl}/:definitionId`, (c) => {
    const ws = workspaceFor(store, uuidParam(c.req.param("workspaceId"), "workspaceId"));
    const def = declarativeFor(store, ws.workspaceId, uuidParam(c.req.param("definitionId"), "definitionId"));
    const out = declarativeResponse(store, def);
    def.deleted = true;
    // As the platform does (SourceDefinitionsHandler.deleteSourceDefinition): every source built on
    // the definition is deleted with it, and their connections with them.
    for (const source of store.sources.values()) {
      if (source.definitionId !== def.id || source.deleted) continue;
      source.deleted = true;
      for (const conn of store.connections.values()) {
        if (conn.sourceId === source.id) conn.deleted = true;
      }
    }
    return c.json(out);
  });

  app.route("/", actorRoutes(store));
  app.route("/", connectionRoutes(store));
  return app;
}

/** A manifest the server accepts: an object whose spec carries a connection_specification. */
function checkedManifest(value: unknown): Json {
  const manifest = asObj(value);
  if (!manifest) badRequest("manifest must be a JSON object (the parsed manifest.yaml).");
  if (!asObj(asObj(manifest.spec)?.connection_specification)) {
    badRequest(
      "The manifest has no spec.connection_specification: declarative definitions need the connector's spec.",
    );
  }
  return structuredClone(manifest);
}
