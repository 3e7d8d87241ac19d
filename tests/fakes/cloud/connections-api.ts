// Connections and jobs of the public API. A connection's streams must be streams its source discovers,
// with sync modes its destination allows (a stream given by name only gets the server's default); cron
// schedules are Quartz expressions no more frequent than hourly, answered with their time zone appended.
// Jobs: one at a time per connection (409 state-conflict otherwise), `refresh` refused (422), cancel by
// DELETE, listing with the real filters, ordering and pagination.

import { Hono } from "hono";
import { connectionSyncModes } from "./catalogs.ts";
import type { Json } from "./definitions.ts";
import {
  asObj,
  badRequest,
  bodyOf,
  type FakeEnv,
  fail,
  listParam,
  notFound,
  pageParams,
  paginate,
  uuidParam,
} from "./http.ts";
import { type FakeJob, type JobType, jobPhase, jobResponse, TERMINAL } from "./jobs.ts";
import type { FakeActor, FakeCloudStore, FakeConnection, FakeSchedule } from "./store.ts";
import { actorFor, connectionFor, connectionResponse, listedWorkspaces } from "./views.ts";

export function connectionRoutes(store: FakeCloudStore): Hono<FakeEnv> {
  const app = new Hono<FakeEnv>();

  app.get("/connections", (c) => {
    const page = pageParams(c);
    const asked = listParam(c, "workspaceIds");
    const ids = listedWorkspaces(store, asked);
    const includeDeleted = c.req.query("includeDeleted") === "true";
    const items = [...store.connections.values()]
      .filter((x) => ids.has(x.workspaceId) && (includeDeleted || !x.deleted))
      .map(connectionResponse);
    const filters: Array<[string, string]> = [];
    if (asked.length) filters.push(["workspaceIds", asked.join(",")]);
    const tags = listParam(c, "tagIds");
    if (tags.length) filters.push(["tagIds", tags.join(",")]);
    filters.push(["includeDeleted", String(includeDeleted)]);
    // Tags are not modelled: a tag filter matches no connection.
    return c.json(paginate(c, tags.length ? [] : items, page, filters));
  });

  app.post("/connections", (c) => {
    const body = bodyOf(c);
    const source = actorFor(store, "source", uuidParam(body.sourceId as string | undefined, "sourceId"));
    const destination = actorFor(
      store,
      "destination",
      uuidParam(body.destinationId as string | undefined, "destinationId"),
    );
    if (source.workspaceId !== destination.workspaceId) {
      badRequest("The source and the destination of a connection must be in the same workspace.");
    }
    const conn = store.addConnection({
      sourceId: source.id,
      destinationId: destination.id,
      name: typeof body.name === "string" ? body.name : `${source.name} → ${destination.name}`,
      streams: resolveStreams(store, source, destination, body.configurations),
      schedule: resolveSchedule(body.schedule),
      status: (body.status as FakeConnection["status"] | undefined) ?? "active",
      prefix: typeof body.prefix === "string" ? body.prefix : "",
      namespaceDefinition:
        typeof body.namespaceDefinition === "string" ? body.namespaceDefinition : "destination",
      namespaceFormat: typeof body.namespaceFormat === "string" ? body.namespaceFormat : undefined,
      nonBreakingSchemaUpdatesBehavior:
        typeof body.nonBreakingSchemaUpdatesBehavior === "string"
          ? body.nonBreakingSchemaUpdatesBehavior
          : "ignore",
    });
    return c.json(connectionResponse(conn));
  });

  app.get("/connections/:id", (c) => {
    return c.json(connectionResponse(connectionFor(store, uuidParam(c.req.param("id"), "connectionId"))));
  });

  app.patch("/connections/:id", (c) => {
    const conn = connectionFor(store, uuidParam(c.req.param("id"), "connectionId"));
    const body = bodyOf(c);
    // Everything is checked before anything changes.
    const streams =
      body.configurations !== undefined
        ? resolveStreams(
            store,
            actorFor(store, "source", conn.sourceId),
            actorFor(store, "destination", conn.destinationId),
            body.configurations,
          )
        : undefined;
    const schedule = body.schedule !== undefined ? resolveSchedule(body.schedule) : undefined;
    if (typeof body.name === "string") conn.name = body.name;
    if (streams) conn.streams = streams;
    if (schedule) conn.schedule = schedule;
    if (typeof body.prefix === "string") conn.prefix = body.prefix;
    if (typeof body.status === "string") conn.status = body.status as FakeConnection["status"];
    if (typeof body.namespaceDefinition === "string") conn.namespaceDefinition = body.namespaceDefinition;
    if (typeof body.namespaceFormat === "string") conn.namespaceFormat = body.namespaceFormat;
    if (typeof body.nonBreakingSchemaUpdatesBehavior === "string") {
      conn.nonBreakingSchemaUpdatesBehavior = body.nonBreakingSchemaUpdatesBehavior;
    }
    return c.json(connectionResponse(conn));
  });

  app.delete("/connections/:id", (c) => {
    const conn = connectionFor(store, uuidParam(c.req.param("id"), "connectionId"));
    conn.deleted = true;
    return c.body(null, 204);
  });

  app.post("/jobs", (c) => {
    const body = bodyOf(c);
    const conn = connectionFor(store, uuidParam(body.connectionId as string | undefined, "connectionId"));
    const jobType = body.jobType as JobType;
    if (jobType === "refresh")
      fail("unprocessable", "Refreshes are not supported in the public API.", { message: "refresh" });
    const running = store.activeJob(conn.connectionId);
    if (running) {
      const message = `A sync is already running for connection ${conn.connectionId} (job ${running.jobId}): wait for it to finish or cancel it first.`;
      fail("stateConflict", message, { message });
    }
    return c.json(jobResponse(store.createJob(conn, jobType), store.now()));
  });

  app.get("/jobs", (c) => {
    const page = pageParams(c);
    const now = store.now();
    const filters: Array<[string, string]> = [];
    const connId = c.req.query("connectionId");
    let workspaces: Set<string>;
    if (connId !== undefined) {
      const conn = connectionFor(store, uuidParam(connId, "connectionId"));
      workspaces = new Set([conn.workspaceId]);
      filters.push(["connectionId", conn.connectionId]);
    } else {
      const asked = listParam(c, "workspaceIds");
      workspaces = listedWorkspaces(store, asked);
      if (asked.length) filters.push(["workspaceIds", asked.join(",")]);
    }
    const jobType = c.req.query("jobType");
    const types = new Set(jobType ? [jobType] : ["sync", "reset"]);
    if (jobType) filters.push(["jobType", jobType]);
    const status = c.req.query("status");
    if (status) filters.push(["status", status]);
    const range = (name: string) => {
      const v = c.req.query(name);
      if (v === undefined) return undefined;
      filters.push([name, v]);
      return Date.parse(v);
    };
    const createdStart = range("createdAtStart");
    const createdEnd = range("createdAtEnd");
    const updatedStart = range("updatedAtStart");
    const updatedEnd = range("updatedAtEnd");
    const orderBy = c.req.query("orderBy") ?? "createdAt|DESC";
    const [field, direction] = orderBy.split("|");
    if ((field !== "createdAt" && field !== "updatedAt") || (direction !== "ASC" && direction !== "DESC")) {
      badRequest(
        `orderBy must be createdAt|ASC, createdAt|DESC, updatedAt|ASC or updatedAt|DESC, got ${orderBy}`,
      );
    }
    if (c.req.query("orderBy")) filters.push(["orderBy", orderBy]);
    const updatedAt = (j: FakeJob) => jobPhase(j, now).endedAt ?? now;
    const key = (j: FakeJob) => (field === "createdAt" ? j.createdAt : updatedAt(j));
    const jobs = [...store.jobs.values()]
      .filter((j) => {
        if (connId !== undefined && j.connectionId !== connId.toLowerCase()) return false;
        if (!workspaces.has(j.workspaceId) || !types.has(j.jobType)) return false;
        if (status && jobPhase(j, now).status !== status) return false;
        if (createdStart !== undefined && j.createdAt < createdStart) return false;
        if (createdEnd !== undefined && j.createdAt > createdEnd) return false;
        if (updatedStart !== undefined && updatedAt(j) < updatedStart) return false;
        if (updatedEnd !== undefined && updatedAt(j) > updatedEnd) return false;
        return true;
      })
      .sort((a, b) => (key(a) - key(b) || a.jobId - b.jobId) * (direction === "ASC" ? 1 : -1))
      .map((j) => jobResponse(j, now));
    return c.json(paginate(c, jobs, page, filters));
  });

  const jobFor = (raw: string | undefined): FakeJob => {
    if (!raw || !/^\d+$/.test(raw)) badRequest(`jobId must be an integer, got ${String(raw)}`);
    const job = store.jobs.get(Number(raw));
    if (!job) notFound("job", raw);
    if (!store.workspaces.get(job.workspaceId)?.accessible)
      fail("forbidden", `You do not have access to job ${raw}.`, { message: "forbidden" });
    return job;
  };

  app.get("/jobs/:jobId", (c) => c.json(jobResponse(jobFor(c.req.param("jobId")), store.now())));

  app.delete("/jobs/:jobId", (c) => {
    const job = jobFor(c.req.param("jobId"));
    const now = store.now();
    const status = jobPhase(job, now).status;
    if (TERMINAL.has(status)) {
      const message = `Job ${job.jobId} has already finished (${status}): there is nothing to cancel.`;
      fail("stateConflict", message, { message });
    }
    job.cancelledAt = now;
    store.tick();
    return c.json(jobResponse(job, now));
  });

  return app;
}

/** The StreamConfiguration list a create or patch asks for, completed and checked against the catalog. */
function resolveStreams(
  store: FakeCloudStore,
  source: FakeActor,
  destination: FakeActor,
  configurations: unknown,
): Json[] {
  const catalog = store.catalogOf(source);
  const requested = asObj(configurations)?.streams;
  if (requested === undefined) return catalog.map((s) => store.streamConfiguration(s, destination));
  if (!Array.isArray(requested) || requested.length === 0) {
    badRequest("configurations.streams must list at least one stream.");
  }
  const seen = new Set<string>();
  const names = catalog.map((s) => s.name);
  return requested.map((raw) => {
    const r = asObj(raw) ?? {};
    const name = String(r.name);
    const stream = catalog.find(
      (s) => s.name === name && (r.namespace === undefined || s.namespace === r.namespace),
    );
    if (!stream)
      badRequest(`Invalid stream found: ${name}. The list of valid streams include: ${names.join(", ")}.`);
    if (seen.has(name)) badRequest(`Duplicate stream found in configuration for: ${name}.`);
    seen.add(name);
    if (typeof r.syncMode === "string") {
      const allowed = connectionSyncModes(stream, store.destinationModes(destination));
      if (!allowed.includes(r.syncMode)) {
        badRequest(
          `Cannot set sync mode to ${r.syncMode} for stream ${name}. Valid sync modes are: ${allowed.join(", ")}.`,
        );
      }
      if (
        r.syncMode.startsWith("incremental") &&
        !stream.defaultCursorField.length &&
        !Array.isArray(r.cursorField)
      ) {
        badRequest(
          `No default cursor field for stream ${name}: set cursorField for an incremental sync mode.`,
        );
      }
    }
    return store.streamConfiguration(stream, destination, r);
  });
}

/** A schedule as the server stores and answers it; cron expressions are checked like Quartz would. */
function resolveSchedule(raw: unknown): FakeSchedule {
  const s = asObj(raw);
  if (!s || s.scheduleType === "manual") return { scheduleType: "manual" };
  const expr = typeof s.cronExpression === "string" ? s.cronExpression.trim() : "";
  if (!expr) fail("cronMissing");
  const fields = expr.split(/\s+/);
  const data = (validationErrorMessage: string) => ({ cronExpression: expr, validationErrorMessage });
  if (fields.length < 6 || fields.length > 7) {
    fail(
      "cronInvalid",
      `"${expr}" is not a Quartz cron expression (seconds minutes hours day-of-month month day-of-week [year]).`,
      data("wrong number of fields"),
    );
  }
  const [sec = "", min = ""] = fields;
  if (!/^\d+$/.test(sec) || !/^\d+$/.test(min)) {
    fail("cronUnderOneHour", undefined, data("runs more than once per hour"));
  }
  return { scheduleType: "cron", cronExpression: `${expr} UTC` };
}
