// The in-memory state of the fake Cloud, with the seeding helpers tests use to set a scene (organizations,
// workspaces, users, sources, destinations, connections, jobs with their outcomes and logs, declarative
// definitions, builder projects, connection state) and the rules the routes share (which workspaces the
// caller may see, what a source discovers, how a job ends).

import { type CatalogStream, catalogForManifest, catalogForType, connectionSyncModes } from "./catalogs.ts";
import {
  type ActorKind,
  type ConnectorDefinition,
  catalogDefinitions,
  DefinitionIndex,
  type Json,
} from "./definitions.ts";
import { type FakeJob, type JobPlan, type JobType, jobPhase, TERMINAL } from "./jobs.ts";

export interface FakeOrganization {
  organizationId: string;
  organizationName: string;
  email: string;
  /** Whether the caller belongs to it (GET /organizations lists only these). */
  member: boolean;
  sso: boolean;
  paymentStatus: "uninitialized" | "okay" | "grace_period" | "disabled" | "locked" | "manual";
  subscriptionStatus: "pre_subscription" | "subscribed" | "unsubscribed";
}

export interface FakeWorkspace {
  workspaceId: string;
  name: string;
  organizationId: string;
  dataResidency: string;
  /** Whether the caller may use it; any other workspace answers 403. */
  accessible: boolean;
  deleted: boolean;
}

export interface FakeUser {
  id: string;
  name: string;
  email: string;
  organizationId: string;
}

export interface FakeActor {
  id: string;
  kind: ActorKind;
  workspaceId: string;
  name: string;
  definitionId: string;
  /** sourceType/destinationType of the API: the registry short name, "" for custom definitions. */
  connectorType: string;
  configuration: Json;
  createdAt: number;
  deleted: boolean;
}

export interface FakeSchedule {
  scheduleType: "manual" | "cron" | "basic";
  cronExpression?: string;
  basicTiming?: string;
}

export interface FakeConnection {
  connectionId: string;
  workspaceId: string;
  name: string;
  sourceId: string;
  destinationId: string;
  status: "active" | "inactive" | "deprecated" | "locked";
  schedule: FakeSchedule;
  /** StreamConfiguration objects as the public API returns them. */
  streams: Json[];
  prefix: string;
  namespaceDefinition: string;
  namespaceFormat: string | undefined;
  nonBreakingSchemaUpdatesBehavior: string;
  createdAt: number;
  deleted: boolean;
}

export interface FakeDeclarativeDefinition {
  id: string;
  workspaceId: string;
  name: string;
  /** Manifests by version: version n is versions[n - 1]. */
  versions: Json[];
  builderProjectId: string;
  deleted: boolean;
}

export interface FakeBuilderProject {
  builderProjectId: string;
  workspaceId: string;
  definitionId: string;
  name: string;
  draftManifest: Json | undefined;
  testingValues: Json | undefined;
  updatedAt: number;
}

export interface CheckOutcome {
  status: "succeeded" | "failed";
  message?: string;
}

export interface JobTimings {
  pendingMs: number;
  runningMs: number;
}

export interface JobOutcomeOptions {
  records?: number;
  bytes?: number;
  /** Log lines of the job's last attempt (the others get generated lines). */
  logLines?: string[];
  /** Attempts that fail before the last one (the job reads `incomplete` between them). */
  failedAttempts?: number;
  logFormat?: "events" | "lines";
  failureMessage?: string;
  pendingMs?: number;
  runningMs?: number;
  /** How many of the next jobs of the connection get this plan (default 1). */
  times?: number;
}

export interface DefaultSeed {
  organizationId: string;
  workspaceId: string;
  userId: string;
  /** A workspace of another organization the caller cannot access (403). */
  foreignOrganizationId: string;
  foreignWorkspaceId: string;
}

const SAMPLE_CONFIG: Record<string, Json> = {
  "source:faker": { count: 100, seed: 42 },
  "source:pokeapi": { pokemon_name: "ditto" },
  "destination:dev-null": { test_destination: { test_destination_type: "SILENT" } },
  "destination:postgres": {
    host: "db.example.com",
    port: 5432,
    database: "analytics",
    schema: "public",
    username: "airbyte",
    password: "hunter2-fake-password",
  },
};

const asObj = (v: unknown): Json | undefined =>
  typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Json) : undefined;

export class FakeCloudStore {
  readonly organizations = new Map<string, FakeOrganization>();
  readonly workspaces = new Map<string, FakeWorkspace>();
  readonly users = new Map<string, FakeUser>();
  readonly sources = new Map<string, FakeActor>();
  readonly destinations = new Map<string, FakeActor>();
  readonly connections = new Map<string, FakeConnection>();
  readonly jobs = new Map<number, FakeJob>();
  readonly declarativeDefinitions = new Map<string, FakeDeclarativeDefinition>();
  readonly builderProjects = new Map<string, FakeBuilderProject>();
  /** Config API ConnectionState per connection (absent: not_set). */
  readonly connectionStates = new Map<string, Json>();
  readonly definitions = new DefinitionIndex(catalogDefinitions());
  readonly defaults: DefaultSeed;
  private readonly catalogs = new Map<string, CatalogStream[]>();
  private readonly checkOutcomes = new Map<string, CheckOutcome>();
  private readonly plans = new Map<string, JobPlan[]>();
  private nextJobId = 1000;

  constructor(
    readonly jobTimings: JobTimings = { pendingMs: 30, runningMs: 60 },
    readonly clock: () => number = Date.now,
  ) {
    const org = this.addOrganization({ organizationName: "Fake Organization", email: "owner@example.com" });
    const ws = this.addWorkspace({ organizationId: org.organizationId, name: "Default Workspace" });
    const user = this.addUser({
      organizationId: org.organizationId,
      name: "Fake Owner",
      email: "owner@example.com",
    });
    const foreignOrg = this.addOrganization({
      organizationName: "Someone Else's Organization",
      email: "other@example.org",
      member: false,
    });
    const foreign = this.addWorkspace({
      organizationId: foreignOrg.organizationId,
      name: "Foreign Workspace",
      accessible: false,
    });
    this.defaults = {
      organizationId: org.organizationId,
      workspaceId: ws.workspaceId,
      userId: user.id,
      foreignOrganizationId: foreignOrg.organizationId,
      foreignWorkspaceId: foreign.workspaceId,
    };
  }

  now(): number {
    return this.clock();
  }

  // ---------- seeding ----------

  addOrganization(o: Partial<FakeOrganization> = {}): FakeOrganization {
    const org: FakeOrganization = {
      organizationId: o.organizationId ?? crypto.randomUUID(),
      organizationName: o.organizationName ?? `Organization ${this.organizations.size + 1}`,
      email: o.email ?? "billing@example.com",
      member: o.member ?? true,
      sso: o.sso ?? false,
      paymentStatus: o.paymentStatus ?? "okay",
      subscriptionStatus: o.subscriptionStatus ?? "subscribed",
    };
    this.organizations.set(org.organizationId, org);
    return org;
  }

  addWorkspace(w: Partial<FakeWorkspace> = {}): FakeWorkspace {
    const organizationId = w.organizationId ?? this.defaults.organizationId;
    if (!this.organizations.has(organizationId))
      throw new Error(`addWorkspace: no organization ${organizationId}`);
    const ws: FakeWorkspace = {
      workspaceId: w.workspaceId ?? crypto.randomUUID(),
      name: w.name ?? `Workspace ${this.workspaces.size + 1}`,
      organizationId,
      dataResidency: w.dataResidency ?? "auto",
      accessible: w.accessible ?? true,
      deleted: w.deleted ?? false,
    };
    this.workspaces.set(ws.workspaceId, ws);
    return ws;
  }

  addUser(u: Partial<FakeUser> = {}): FakeUser {
    const user: FakeUser = {
      id: u.id ?? crypto.randomUUID(),
      name: u.name ?? `User ${this.users.size + 1}`,
      email: u.email ?? `user${this.users.size + 1}@example.com`,
      organizationId: u.organizationId ?? this.defaults.organizationId,
    };
    this.users.set(user.id, user);
    return user;
  }

  /** A source as if created earlier (not through this server's API); connectorType defaults to "faker". */
  addSource(a: Partial<FakeActor> = {}): FakeActor {
    return this.addActor("source", a);
  }

  /** A destination as if created earlier; connectorType defaults to "dev-null". */
  addDestination(a: Partial<FakeActor> = {}): FakeActor {
    return this.addActor("destination", a);
  }

  private addActor(kind: ActorKind, a: Partial<FakeActor>): FakeActor {
    const workspaceId = a.workspaceId ?? this.defaults.workspaceId;
    const custom = a.definitionId ? this.customSourceDefinition(a.definitionId) : undefined;
    const def = custom
      ? undefined
      : a.definitionId
        ? this.definitions.get(a.definitionId)
        : this.definitions.byType(kind, a.connectorType ?? (kind === "source" ? "faker" : "dev-null"));
    if (!custom && !def)
      throw new Error(`add ${kind}: no definition for ${a.definitionId ?? a.connectorType}`);
    const connectorType = custom ? "" : (def?.shortName ?? "");
    const actor: FakeActor = {
      id: a.id ?? crypto.randomUUID(),
      kind,
      workspaceId,
      name:
        a.name ??
        `${kind === "source" ? "Source" : "Destination"} ${this.sources.size + this.destinations.size + 1}`,
      definitionId: custom?.id ?? def?.id ?? "",
      connectorType,
      configuration: structuredClone(a.configuration ?? SAMPLE_CONFIG[`${kind}:${connectorType}`] ?? {}),
      createdAt: a.createdAt ?? this.now(),
      deleted: a.deleted ?? false,
    };
    (kind === "source" ? this.sources : this.destinations).set(actor.id, actor);
    return actor;
  }

  /** A connection between two existing actors; streams default to every stream the source discovers. */
  addConnection(c: Partial<FakeConnection> & { sourceId: string; destinationId: string }): FakeConnection {
    const source = this.sources.get(c.sourceId);
    const destination = this.destinations.get(c.destinationId);
    if (!source || !destination) throw new Error("addConnection: unknown source or destination");
    const conn: FakeConnection = {
      connectionId: c.connectionId ?? crypto.randomUUID(),
      workspaceId: c.workspaceId ?? source.workspaceId,
      name: c.name ?? `${source.name} → ${destination.name}`,
      sourceId: source.id,
      destinationId: destination.id,
      status: c.status ?? "active",
      schedule: c.schedule ?? { scheduleType: "manual" },
      streams: c.streams ?? this.defaultStreams(source, destination),
      prefix: c.prefix ?? "",
      namespaceDefinition: c.namespaceDefinition ?? "destination",
      namespaceFormat: c.namespaceFormat,
      nonBreakingSchemaUpdatesBehavior: c.nonBreakingSchemaUpdatesBehavior ?? "ignore",
      createdAt: c.createdAt ?? this.now(),
      deleted: c.deleted ?? false,
    };
    this.connections.set(conn.connectionId, conn);
    return conn;
  }

  /** A declarative (builder) source definition with its builder project, as `publish` would leave it. */
  addDeclarativeDefinition(d: { name: string; manifest: Json; workspaceId?: string; id?: string }) {
    const def: FakeDeclarativeDefinition = {
      id: d.id ?? crypto.randomUUID(),
      workspaceId: d.workspaceId ?? this.defaults.workspaceId,
      name: d.name,
      versions: [structuredClone(d.manifest)],
      builderProjectId: crypto.randomUUID(),
      deleted: false,
    };
    this.declarativeDefinitions.set(def.id, def);
    this.builderProjects.set(def.builderProjectId, {
      builderProjectId: def.builderProjectId,
      workspaceId: def.workspaceId,
      definitionId: def.id,
      name: def.name,
      draftManifest: undefined,
      testingValues: undefined,
      updatedAt: this.now(),
    });
    return def;
  }

  /** A job of the connection's history; by default already finished as `outcome` (succeeded). */
  addJob(
    connectionId: string,
    j: {
      jobType?: JobType;
      createdAt?: number;
      outcome?: "succeeded" | "failed" | "cancelled";
    } & JobOutcomeOptions = {},
  ): FakeJob {
    const conn = this.connections.get(connectionId);
    if (!conn) throw new Error(`addJob: no connection ${connectionId}`);
    const createdAt = j.createdAt ?? this.now() - 60_000;
    const plan = this.makePlan(conn, j.outcome === "failed" ? "failed" : "succeeded", {
      runningMs: 30_000,
      ...j,
    });
    const job = this.makeJob(conn, j.jobType ?? "sync", plan, createdAt);
    if (j.outcome === "cancelled") job.cancelledAt = job.runStartAt + 1000;
    this.jobs.set(job.jobId, job);
    this.tick();
    return job;
  }

  /** The next job(s) of this connection end this way. */
  setJobOutcome(connectionId: string, outcome: "succeeded" | "failed", opts: JobOutcomeOptions = {}): void {
    const conn = this.connections.get(connectionId);
    if (!conn) throw new Error(`setJobOutcome: no connection ${connectionId}`);
    const queue = this.plans.get(connectionId) ?? [];
    for (let i = 0; i < (opts.times ?? 1); i++) queue.push(this.makePlan(conn, outcome, opts));
    this.plans.set(connectionId, queue);
  }

  /** Ends a job now, as its plan says (no waiting in tests that only need a finished job). */
  settleJob(jobId: number): void {
    const job = this.jobs.get(jobId);
    if (!job) throw new Error(`settleJob: no job ${jobId}`);
    const now = this.now();
    job.endAt = Math.min(job.endAt, now);
    job.runStartAt = Math.min(job.runStartAt, job.endAt);
    this.tick();
  }

  jobStatus(jobId: number): string | undefined {
    const job = this.jobs.get(jobId);
    return job ? jobPhase(job, this.now()).status : undefined;
  }

  /** Sets the Config API ConnectionState of a connection (stateType and its fields; connectionId is added). */
  setConnectionState(connectionId: string, state: Json): void {
    this.connectionStates.set(connectionId, { ...state, connectionId });
  }

  /** Overrides what a source discovers. */
  setSourceCatalog(sourceId: string, streams: CatalogStream[]): void {
    this.catalogs.set(sourceId, structuredClone(streams));
  }

  /** What the next check_connection of this source or destination answers. */
  setCheckOutcome(actorId: string, outcome: CheckOutcome): void {
    this.checkOutcomes.set(actorId, outcome);
  }

  checkOutcome(actorId: string): CheckOutcome {
    return this.checkOutcomes.get(actorId) ?? { status: "succeeded" };
  }

  /** Gives a declarative definition's builder project an unpublished draft. */
  setBuilderDraft(definitionId: string, manifest: Json | undefined): void {
    const def = this.declarativeDefinitions.get(definitionId);
    const project = def && this.builderProjects.get(def.builderProjectId);
    if (!project) throw new Error(`setBuilderDraft: no declarative definition ${definitionId}`);
    project.draftManifest = manifest ? structuredClone(manifest) : undefined;
    project.updatedAt = this.now();
  }

  // ---------- rules shared by the routes ----------

  /** A declarative definition as a source definition, if `id` is one (in any workspace). */
  customSourceDefinition(id: string): FakeDeclarativeDefinition | undefined {
    const d = this.declarativeDefinitions.get(id);
    return d && !d.deleted ? d : undefined;
  }

  latestManifest(def: FakeDeclarativeDefinition): Json {
    return def.versions[def.versions.length - 1] ?? {};
  }

  /** The connection specification (JSON Schema) behind an actor, when known. */
  specOf(kind: ActorKind, definitionId: string): Json | undefined {
    if (kind === "source") {
      const custom = this.customSourceDefinition(definitionId);
      if (custom) return asObj(asObj(this.latestManifest(custom).spec)?.connection_specification);
    }
    return this.definitions.get(definitionId)?.connectionSpecification;
  }

  definitionOf(actor: FakeActor): ConnectorDefinition | undefined {
    return this.definitions.get(actor.definitionId);
  }

  /** What a source discovers: its override, its manifest's streams, or its connector type's streams. */
  catalogOf(source: FakeActor): CatalogStream[] {
    const override = this.catalogs.get(source.id);
    if (override) return structuredClone(override);
    const custom = this.customSourceDefinition(source.definitionId);
    if (custom) return catalogForManifest(this.latestManifest(custom));
    return catalogForType(source.connectorType);
  }

  destinationModes(destination: FakeActor): string[] {
    const modes = this.definitionOf(destination)?.supportedDestinationSyncModes ?? [];
    return modes.length ? modes : ["overwrite", "append", "append_dedup"];
  }

  /** The sync mode the server picks for a stream given only by name. */
  defaultSyncMode(stream: CatalogStream, destination: FakeActor): string {
    const modes = connectionSyncModes(stream, this.destinationModes(destination));
    if (
      modes.includes("incremental_deduped_history") &&
      stream.sourceDefinedCursor &&
      stream.sourceDefinedPrimaryKey.length
    ) {
      return "incremental_deduped_history";
    }
    return modes.includes("full_refresh_overwrite")
      ? "full_refresh_overwrite"
      : (modes[0] ?? "full_refresh_overwrite");
  }

  /** A StreamConfiguration as the server completes it from the catalog. */
  streamConfiguration(stream: CatalogStream, destination: FakeActor, requested: Json = {}): Json {
    const syncMode =
      typeof requested.syncMode === "string" ? requested.syncMode : this.defaultSyncMode(stream, destination);
    const incremental = syncMode.startsWith("incremental");
    const out: Json = { name: stream.name, syncMode };
    if (stream.namespace) out.namespace = stream.namespace;
    out.cursorField = Array.isArray(requested.cursorField)
      ? requested.cursorField
      : incremental
        ? stream.defaultCursorField
        : [];
    out.primaryKey = Array.isArray(requested.primaryKey)
      ? requested.primaryKey
      : stream.sourceDefinedPrimaryKey;
    for (const k of ["selectedFields", "mappers", "includeFiles", "destinationObjectName"]) {
      if (requested[k] !== undefined) out[k] = requested[k];
    }
    return out;
  }

  private defaultStreams(source: FakeActor, destination: FakeActor): Json[] {
    return this.catalogOf(source).map((s) => this.streamConfiguration(s, destination));
  }

  workspaceOrganization(workspaceId: string): FakeOrganization | undefined {
    const ws = this.workspaces.get(workspaceId);
    return ws && this.organizations.get(ws.organizationId);
  }

  /** The job under way for a connection, if any. */
  activeJob(connectionId: string): FakeJob | undefined {
    const now = this.now();
    for (const job of this.jobs.values()) {
      if (job.connectionId === connectionId && !TERMINAL.has(jobPhase(job, now).status)) return job;
    }
    return undefined;
  }

  createJob(conn: FakeConnection, jobType: JobType): FakeJob {
    const plan = this.plans.get(conn.connectionId)?.shift() ?? this.makePlan(conn, "succeeded", {});
    const job = this.makeJob(conn, jobType, plan, this.now());
    this.jobs.set(job.jobId, job);
    return job;
  }

  /** Applies the end of every job that has finished since the last look (connection state is written). */
  tick(): void {
    const now = this.now();
    for (const job of this.jobs.values()) {
      if (job.finalized) continue;
      const phase = jobPhase(job, now);
      if (!TERMINAL.has(phase.status)) continue;
      job.finalized = true;
      if (phase.status !== "succeeded") continue;
      if (job.jobType === "sync") this.recordSyncState(job, phase.endedAt ?? now);
      else this.connectionStates.delete(job.connectionId);
    }
  }

  private recordSyncState(job: FakeJob, at: number): void {
    const conn = this.connections.get(job.connectionId);
    if (!conn) return;
    const cursorAt = new Date(at).toISOString();
    const incremental = conn.streams.filter((s) => String(s.syncMode).startsWith("incremental"));
    if (!incremental.length) return;
    const prev = this.connectionStates.get(conn.connectionId);
    const streamState = Array.isArray(prev?.streamState) ? [...(prev.streamState as Json[])] : [];
    for (const s of incremental) {
      const cursor =
        Array.isArray(s.cursorField) && typeof s.cursorField[0] === "string"
          ? s.cursorField[0]
          : "updated_at";
      const entry = { streamDescriptor: { name: String(s.name) }, streamState: { [cursor]: cursorAt } };
      const i = streamState.findIndex((e) => asObj(e.streamDescriptor)?.name === s.name);
      if (i >= 0) streamState[i] = entry;
      else streamState.push(entry);
    }
    this.connectionStates.set(conn.connectionId, {
      stateType: "stream",
      connectionId: conn.connectionId,
      streamState,
    });
  }

  private makePlan(conn: FakeConnection, outcome: "succeeded" | "failed", o: JobOutcomeOptions): JobPlan {
    const records = o.records ?? (outcome === "succeeded" ? 100 * Math.max(conn.streams.length, 1) : 0);
    return {
      outcome,
      records,
      bytes: o.bytes ?? records * 256,
      failedAttempts: o.failedAttempts ?? 0,
      logLines: o.logLines ? [...o.logLines] : undefined,
      logFormat: o.logFormat ?? "events",
      failureMessage:
        o.failureMessage ?? "Source failed: HTTP 500 Internal Server Error from the upstream API",
      pendingMs: o.pendingMs ?? this.jobTimings.pendingMs,
      runningMs: o.runningMs ?? this.jobTimings.runningMs,
    };
  }

  private makeJob(conn: FakeConnection, jobType: JobType, plan: JobPlan, createdAt: number): FakeJob {
    const runStartAt = createdAt + plan.pendingMs;
    return {
      jobId: this.nextJobId++,
      connectionId: conn.connectionId,
      workspaceId: conn.workspaceId,
      jobType,
      streams: conn.streams.map((s) => String(s.name)),
      createdAt,
      runStartAt,
      endAt: runStartAt + plan.runningMs,
      cancelledAt: undefined,
      plan,
      finalized: false,
    };
  }
}
