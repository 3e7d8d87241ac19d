// The internal Config API endpoints PyAirbyte's Cloud tools call where the public API cannot do the job
// (mounted at /api/v1): organization info and billing, workspaces of an organization, a job's attempts and
// logs, connection state and catalog, builder projects of declarative definitions, and connection checks.
// Every call is a POST with a JSON body and a bearer token. Errors other than 401/403 are the Config API's
// KnownExceptionInfo bodies ({message, exceptionClassName}), with 404 for unknown ids and 422 for bad input.

import { Hono } from "hono";
import { requireBearer, type TokenBook } from "./auth.ts";
import { splitSyncMode } from "./catalogs.ts";
import type { Json } from "./definitions.ts";
import { ApiError, asObj, type FakeEnv, isUuid } from "./http.ts";
import { jobInfoRead, jobPhase } from "./jobs.ts";
import { configError, problem } from "./problems.ts";
import { maskSecrets } from "./secrets.ts";
import type { FakeActor, FakeCloudStore, FakeConnection, FakeOrganization, FakeWorkspace } from "./store.ts";

const NOT_FOUND = "io.airbyte.commons.server.errors.IdNotFoundKnownException";
const INVALID = "io.airbyte.commons.server.errors.BadObjectSchemaKnownException";

function notFound(what: string, id: string): never {
  throw new ApiError(404, configError(`Could not find ${what} with id ${id}`, NOT_FOUND, id));
}

function invalid(message: string): never {
  throw new ApiError(422, configError(message, INVALID));
}

function forbidden(message: string): never {
  throw new ApiError(403, problem("forbidden", message, { message }));
}

function uuidField(body: Json, name: string): string {
  const v = body[name];
  if (!isUuid(v)) invalid(`${name} must be a UUID, got ${JSON.stringify(v)}`);
  return v.toLowerCase();
}

export function configApiRoutes(store: FakeCloudStore, tokens: TokenBook): Hono<FakeEnv> {
  const app = new Hono<FakeEnv>();

  app.use("*", async (c, next) => {
    requireBearer(c, tokens);
    if (c.req.method !== "POST")
      throw new ApiError(405, configError("The Config API only accepts POST.", INVALID));
    let body: unknown;
    try {
      body = JSON.parse((await c.req.text()) || "{}");
    } catch {
      invalid("The request body is not valid JSON.");
    }
    if (!asObj(body)) invalid("The request body must be a JSON object.");
    c.set("body", body);
    store.tick();
    await next();
  });

  const bodyOf = (c: { get(k: "body"): unknown }) => asObj(c.get("body")) ?? {};

  const workspace = (id: string): FakeWorkspace => {
    const ws = store.workspaces.get(id);
    if (!ws || ws.deleted) notFound("workspace", id);
    if (!ws.accessible) forbidden(`You do not have access to workspace ${id}.`);
    return ws;
  };
  const organization = (id: string): FakeOrganization => {
    const org = store.organizations.get(id);
    if (!org) notFound("organization", id);
    if (!org.member)
      forbidden(`You are not a member of organization ${id} (ORGANIZATION_READER is required).`);
    return org;
  };
  const connection = (id: string): FakeConnection => {
    const conn = store.connections.get(id);
    if (!conn || conn.deleted) notFound("connection", id);
    workspace(conn.workspaceId);
    return conn;
  };
  const actor = (kind: "source" | "destination", id: string): FakeActor => {
    const a = (kind === "source" ? store.sources : store.destinations).get(id);
    if (!a || a.deleted) notFound(kind, id);
    workspace(a.workspaceId);
    return a;
  };

  const orgInfo = (org: FakeOrganization) => ({
    organizationId: org.organizationId,
    organizationName: org.organizationName,
    sso: org.sso,
    billing: { paymentStatus: org.paymentStatus, subscriptionStatus: org.subscriptionStatus },
  });

  app.post("/workspaces/get_organization_info", (c) => {
    const ws = workspace(uuidField(bodyOf(c), "workspaceId"));
    const org = store.organizations.get(ws.organizationId);
    if (!org) notFound("organization", ws.organizationId);
    // Any workspace member may read this, organization member or not.
    return c.json(orgInfo(org));
  });

  app.post("/organizations/get_organization_info", (c) => {
    return c.json(orgInfo(organization(uuidField(bodyOf(c), "organizationId"))));
  });

  app.post("/workspaces/list_by_organization_id", (c) => {
    const body = bodyOf(c);
    const org = organization(uuidField(body, "organizationId"));
    const pagination = asObj(body.pagination) ?? {};
    const pageSize = typeof pagination.pageSize === "number" ? pagination.pageSize : 20;
    const rowOffset = typeof pagination.rowOffset === "number" ? pagination.rowOffset : 0;
    const needle = typeof body.nameContains === "string" ? body.nameContains.toLowerCase() : "";
    const workspaces = [...store.workspaces.values()]
      .filter(
        (w) => w.organizationId === org.organizationId && !w.deleted && w.name.toLowerCase().includes(needle),
      )
      .sort((a, b) => a.name.localeCompare(b.name))
      .slice(rowOffset, rowOffset + pageSize)
      .map((w) => ({
        workspaceId: w.workspaceId,
        customerId: w.workspaceId,
        organizationId: w.organizationId,
        name: w.name,
        slug: w.name.toLowerCase().replace(/[^a-z0-9]+/g, "-"),
        initialSetupComplete: true,
        tombstone: false,
      }));
    return c.json({ workspaces });
  });

  app.post("/jobs/get", (c) => {
    const id = bodyOf(c).id;
    if (typeof id !== "number" || !Number.isInteger(id))
      invalid(`id must be an integer job id, got ${JSON.stringify(id)}`);
    const job = store.jobs.get(id);
    if (!job) notFound("job", String(id));
    workspace(job.workspaceId);
    return c.json(jobInfoRead(job, store.now()));
  });

  app.post("/state/get", (c) => {
    const conn = connection(uuidField(bodyOf(c), "connectionId"));
    const state = store.connectionStates.get(conn.connectionId) ?? { stateType: "not_set" };
    return c.json({ ...structuredClone(state), connectionId: conn.connectionId });
  });

  app.post("/web_backend/connections/get", (c) => {
    const conn = connection(uuidField(bodyOf(c), "connectionId"));
    const source = actor("source", conn.sourceId);
    const destination = actor("destination", conn.destinationId);
    const selected = new Map(conn.streams.map((s) => [String(s.name), s]));
    const streams = store.catalogOf(source).map((s) => {
      const chosen = selected.get(s.name);
      const mode = splitSyncMode(String(chosen?.syncMode ?? store.defaultSyncMode(s, destination)));
      const stream: Json = {
        name: s.name,
        jsonSchema: s.jsonSchema,
        supportedSyncModes: s.supportedSyncModes,
        sourceDefinedCursor: s.sourceDefinedCursor,
        defaultCursorField: s.defaultCursorField,
        sourceDefinedPrimaryKey: s.sourceDefinedPrimaryKey,
        isResumable: true,
      };
      if (s.namespace) stream.namespace = s.namespace;
      return {
        stream,
        config: {
          syncMode: mode.syncMode,
          destinationSyncMode: mode.destinationSyncMode,
          cursorField: Array.isArray(chosen?.cursorField) ? chosen.cursorField : s.defaultCursorField,
          primaryKey: Array.isArray(chosen?.primaryKey) ? chosen.primaryKey : s.sourceDefinedPrimaryKey,
          aliasName: s.name,
          selected: chosen !== undefined,
        },
      };
    });
    const now = store.now();
    const jobs = [...store.jobs.values()].filter((j) => j.connectionId === conn.connectionId);
    const latest = jobs.sort((a, b) => b.createdAt - a.createdAt)[0];
    const version = (a: FakeActor) => {
      const def = store.definitionOf(a);
      return {
        dockerRepository: def?.dockerRepository ?? "airbyte/source-declarative-manifest",
        dockerImageTag: def?.dockerImageTag ?? "latest",
        supportsRefreshes: false,
        supportState: "supported",
        isVersionOverrideApplied: false,
        supportsFileTransfer: false,
        supportsDataActivation: false,
      };
    };
    const actorRead = (a: FakeActor) => ({
      [`${a.kind}DefinitionId`]: a.definitionId,
      [`${a.kind}Id`]: a.id,
      workspaceId: a.workspaceId,
      connectionConfiguration: maskSecrets(a.configuration, store.specOf(a.kind, a.definitionId)),
      name: a.name,
      [`${a.kind}Name`]:
        store.definitionOf(a)?.name ?? store.customSourceDefinition(a.definitionId)?.name ?? "",
      createdAt: Math.floor(a.createdAt / 1000),
    });
    const out: Json = {
      connectionId: conn.connectionId,
      name: conn.name,
      namespaceDefinition:
        conn.namespaceDefinition === "custom_format" ? "customformat" : conn.namespaceDefinition,
      prefix: conn.prefix,
      sourceId: conn.sourceId,
      destinationId: conn.destinationId,
      syncCatalog: { streams },
      scheduleType: conn.schedule.scheduleType,
      status: conn.status,
      source: actorRead(source),
      destination: actorRead(destination),
      isSyncing: store.activeJob(conn.connectionId) !== undefined,
      schemaChange: "no_change",
      notifySchemaChanges: false,
      notifySchemaChangesByEmail: false,
      nonBreakingChangesPreference:
        conn.nonBreakingSchemaUpdatesBehavior === "disable_connection"
          ? "disable"
          : conn.nonBreakingSchemaUpdatesBehavior,
      createdAt: Math.floor(conn.createdAt / 1000),
      sourceActorDefinitionVersion: version(source),
      destinationActorDefinitionVersion: version(destination),
      tags: [],
    };
    if (conn.namespaceFormat !== undefined) out.namespaceFormat = conn.namespaceFormat;
    if (latest) {
      out.latestSyncJobCreatedAt = Math.floor(latest.createdAt / 1000);
      out.latestSyncJobStatus = jobPhase(latest, now).status;
    }
    return c.json(out);
  });

  const projectOf = (body: Json) => {
    const ws = workspace(uuidField(body, "workspaceId"));
    const id = uuidField(body, "builderProjectId");
    const project = store.builderProjects.get(id);
    if (!project || project.workspaceId !== ws.workspaceId) notFound("connector builder project", id);
    const def = store.declarativeDefinitions.get(project.definitionId);
    return { project, def };
  };

  app.post("/connector_builder_projects/get_for_definition_id", (c) => {
    const body = bodyOf(c);
    const definitionId = uuidField(body, "actorDefinitionId");
    workspace(uuidField(body, "workspaceId"));
    const def = store.customSourceDefinition(definitionId);
    const project = def && store.builderProjects.get(def.builderProjectId);
    return c.json({
      builderProjectId: project?.builderProjectId ?? null,
      workspaceId: project?.workspaceId ?? null,
    });
  });

  app.post("/connector_builder_projects/get_with_manifest", (c) => {
    const body = bodyOf(c);
    const { project, def } = projectOf(body);
    const asked = typeof body.version === "number" ? body.version : undefined;
    const builderProject: Json = {
      name: project.name,
      builderProjectId: project.builderProjectId,
      hasDraft: project.draftManifest !== undefined,
      updatedAt: Math.floor(project.updatedAt / 1000),
    };
    if (def && !def.deleted) {
      builderProject.sourceDefinitionId = def.id;
      builderProject.activeDeclarativeManifestVersion = def.versions.length;
    }
    const out: Json = { builderProject };
    if (asked !== undefined) {
      const manifest = def?.versions[asked - 1];
      if (!manifest) notFound("declarative manifest version", String(asked));
      out.declarativeManifest = { manifest, isDraft: false, version: asked };
    } else if (project.draftManifest) {
      out.declarativeManifest = { manifest: project.draftManifest, isDraft: true };
    } else if (def && !def.deleted) {
      out.declarativeManifest = {
        manifest: store.latestManifest(def),
        isDraft: false,
        version: def.versions.length,
      };
    }
    if (project.testingValues)
      out.testingValues = maskedTestingValues(project.testingValues, def && store.latestManifest(def));
    return c.json(out);
  });

  app.post("/connector_builder_projects/update_testing_values", (c) => {
    const body = bodyOf(c);
    const { project } = projectOf(body);
    const testingValues = asObj(body.testingValues);
    if (!testingValues) invalid("testingValues must be a JSON object.");
    const spec = asObj(body.spec);
    if (!spec) invalid("spec is required (the source definition specification).");
    project.testingValues = structuredClone(testingValues);
    project.updatedAt = store.now();
    return c.json(maskSecrets(testingValues, asObj(spec.connectionSpecification)));
  });

  for (const kind of ["source", "destination"] as const) {
    app.post(`/${kind}s/check_connection`, (c) => {
      const a = actor(kind, uuidField(bodyOf(c), `${kind}Id`));
      const outcome = store.checkOutcome(a.id);
      const now = store.now();
      const lines = [
        `Checking connection of ${kind} ${a.id}`,
        outcome.status === "succeeded"
          ? "Connection check succeeded"
          : `Connection check failed: ${outcome.message ?? "unknown error"}`,
      ];
      const out: Json = {
        status: outcome.status,
        jobInfo: {
          id: crypto.randomUUID(),
          configType: kind === "source" ? "check_connection_source" : "check_connection_destination",
          configId: a.id,
          createdAt: Math.floor(now / 1000),
          endedAt: Math.floor(now / 1000),
          succeeded: true,
          connectorConfigurationUpdated: false,
          logType: "formatted",
          logs: { logLines: lines },
        },
      };
      if (outcome.message) out.message = outcome.message;
      return c.json(out);
    });
  }

  return app;
}

function maskedTestingValues(values: Json, manifest: Json | undefined): Json {
  const spec = asObj(asObj(manifest?.spec)?.connection_specification);
  return maskSecrets(values, spec);
}
