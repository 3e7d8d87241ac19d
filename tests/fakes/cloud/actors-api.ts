// Sources and destinations of the public API (list, create, get, patch, put, delete) and the streams a
// source discovers (GET /streams). A create names its connector by `configuration.sourceType` /
// `destinationType` or by `definitionId`; the configuration must hold the spec's required fields; secrets
// come back masked, and a masked value sent back keeps the stored secret. PATCH merges the configuration
// sent into the stored one (fields not sent are kept), PUT replaces it. Deleting a source or a
// destination deletes its connections, as on the real platform.

import { Hono } from "hono";
import { connectionSyncModes, propertyFields } from "./catalogs.ts";
import type { ActorKind, Json } from "./definitions.ts";
import {
  asObj,
  badRequest,
  bodyOf,
  type Ctx,
  type FakeEnv,
  fail,
  listParam,
  notFound,
  pageParams,
  paginate,
  uuidParam,
} from "./http.ts";
import { keepMaskedSecrets, mergeConfiguration, missingRequired } from "./secrets.ts";
import type { FakeCloudStore } from "./store.ts";
import { actorFor, actorResponse, listedWorkspaces, workspaceFor } from "./views.ts";

export function actorRoutes(store: FakeCloudStore): Hono<FakeEnv> {
  const app = new Hono<FakeEnv>();
  for (const kind of ["source", "destination"] as const) {
    const plural = `/${kind}s`;
    const idParam = `${kind}Id`;
    const typeKey = kind === "source" ? "sourceType" : "destinationType";

    app.get(plural, (c) => {
      const page = pageParams(c);
      const asked = listParam(c, "workspaceIds");
      const ids = listedWorkspaces(store, asked);
      const includeDeleted = c.req.query("includeDeleted") === "true";
      const items = [...(kind === "source" ? store.sources : store.destinations).values()]
        .filter((a) => ids.has(a.workspaceId) && (includeDeleted || !a.deleted))
        .map((a) => actorResponse(store, a));
      const filters: Array<[string, string]> = [];
      if (asked.length) filters.push(["workspaceIds", asked.join(",")]);
      filters.push(["includeDeleted", String(includeDeleted)]);
      return c.json(paginate(c, items, page, filters));
    });

    app.post(plural, (c) => {
      const body = bodyOf(c);
      const ws = workspaceFor(store, uuidParam(body.workspaceId as string | undefined, "workspaceId"));
      const name = typeof body.name === "string" ? body.name : badRequest("name is required");
      const configuration = asObj(body.configuration) ?? badRequest("configuration must be a JSON object");
      const { definitionId, connectorType } = resolveDefinition(
        store,
        kind,
        body,
        configuration,
        ws.workspaceId,
      );
      const config = { ...configuration };
      delete config[typeKey];
      checkSpec(store, kind, definitionId, config);
      const actor = (kind === "source" ? store.addSource : store.addDestination).call(store, {
        workspaceId: ws.workspaceId,
        name,
        definitionId,
        configuration: config,
      });
      actor.connectorType = connectorType;
      return c.json(actorResponse(store, actor));
    });

    app.get(`${plural}/:id`, (c) => {
      const actor = actorFor(store, kind, uuidParam(c.req.param("id"), idParam));
      return c.json(actorResponse(store, actor, c.req.query("includeSecretCoordinates") === "true"));
    });

    const update = (c: Ctx, full: boolean) => {
      const actor = actorFor(store, kind, uuidParam(c.req.param("id"), idParam));
      const body = bodyOf(c);
      if (full && (typeof body.name !== "string" || !asObj(body.configuration))) {
        badRequest("PUT replaces the whole object: name and configuration are required.");
      }
      if (body.workspaceId !== undefined && body.workspaceId !== actor.workspaceId) {
        badRequest(`A ${kind} cannot be moved to another workspace.`);
      }
      const incoming = asObj(body.configuration);
      let configuration = actor.configuration;
      if (incoming) {
        configuration = full
          ? keepMaskedSecrets(incoming, actor.configuration)
          : mergeConfiguration(actor.configuration, incoming);
        delete configuration[typeKey];
        checkSpec(store, kind, actor.definitionId, configuration);
      }
      if (typeof body.name === "string") actor.name = body.name;
      actor.configuration = configuration;
      return c.json(actorResponse(store, actor));
    };
    app.patch(`${plural}/:id`, (c) => update(c, false));
    app.put(`${plural}/:id`, (c) => update(c, true));

    app.delete(`${plural}/:id`, (c) => {
      const actor = actorFor(store, kind, uuidParam(c.req.param("id"), idParam));
      actor.deleted = true;
      for (const conn of store.connections.values()) {
        if ((kind === "source" ? conn.sourceId : conn.destinationId) === actor.id) conn.deleted = true;
      }
      return c.body(null, 204);
    });
  }

  app.get("/streams", (c) => {
    const source = actorFor(store, "source", uuidParam(c.req.query("sourceId"), "sourceId"));
    const destId = c.req.query("destinationId");
    const destination =
      destId === undefined ? undefined : actorFor(store, "destination", uuidParam(destId, "destinationId"));
    const modes = destination ? store.destinationModes(destination) : undefined;
    const data = store.catalogOf(source).map((s) => {
      const out: Json = { streamName: s.name };
      if (s.namespace) out.streamnamespace = s.namespace;
      if (modes) out.syncModes = connectionSyncModes(s, modes);
      out.defaultCursorField = s.defaultCursorField;
      out.sourceDefinedCursorField = s.sourceDefinedCursor;
      out.sourceDefinedPrimaryKey = s.sourceDefinedPrimaryKey;
      out.propertyFields = propertyFields(s.jsonSchema);
      return out;
    });
    return c.json(data);
  });

  return app;
}

function resolveDefinition(
  store: FakeCloudStore,
  kind: ActorKind,
  body: Json,
  configuration: Json,
  workspaceId: string,
): { definitionId: string; connectorType: string } {
  const typeKey = kind === "source" ? "sourceType" : "destinationType";
  if (body.definitionId !== undefined) {
    const id = uuidParam(body.definitionId as string, "definitionId");
    const def = store.definitions.get(id);
    if (def?.kind === kind) return { definitionId: id, connectorType: def.shortName };
    const custom = kind === "source" ? store.customSourceDefinition(id) : undefined;
    if (custom && custom.workspaceId === workspaceId) return { definitionId: id, connectorType: "" };
    notFound(`${kind}_definition`, id);
  }
  const type = configuration[typeKey];
  if (typeof type === "string") {
    const def = store.definitions.byType(kind, type);
    if (!def) {
      fail(
        "valueNotFound",
        `Unknown ${typeKey} "${type}": use the connector's name without its ${kind}- prefix.`,
        {
          value: type,
        },
      );
    }
    return { definitionId: def.id, connectorType: def.shortName };
  }
  badRequest(`One of configuration.${typeKey} or definitionId must be provided.`);
}

function checkSpec(store: FakeCloudStore, kind: ActorKind, definitionId: string, config: Json): void {
  const missing = missingRequired(config, store.specOf(kind, definitionId));
  if (missing.length) {
    badRequest(
      `The provided configuration does not fulfill the specification. Errors: ${missing
        .map((m) => `$: required property '${m}' not found`)
        .join("; ")}`,
    );
  }
}
