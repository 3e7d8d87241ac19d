// The public API v1 calls the Cloud tools make, grouped by resource (cloud-api.md §5). Each method
// takes an optional AbortSignal last; list methods page lazily as async iterators.

import type { z } from "zod";
import { paginate } from "./paginate.ts";
import {
  type Connection,
  type ConnectionCreateRequest,
  type ConnectionPatchRequest,
  ConnectionSchema,
  ConnectionsPageSchema,
  type ConnectorDefinition,
  ConnectorDefinitionsSchema,
  type DeclarativeSourceDefinition,
  DeclarativeSourceDefinitionSchema,
  DeclarativeSourceDefinitionsSchema,
  type Destination,
  type DestinationCreateRequest,
  type DestinationPatchRequest,
  DestinationSchema,
  DestinationsPageSchema,
  type Job,
  JobSchema,
  type JobStatus,
  JobsPageSchema,
  type JobType,
  type Organization,
  OrganizationsSchema,
  type Source,
  type SourceCreateRequest,
  type SourcePatchRequest,
  SourceSchema,
  SourcesPageSchema,
  type StreamProperties,
  StreamPropertiesListSchema,
  type Workspace,
  WorkspaceSchema,
  WorkspacesPageSchema,
} from "./schemas.ts";
import { type CallSpec, invalidId, segment, type Transport } from "./transport.ts";

type Signal = AbortSignal | undefined;

export interface ListOptions {
  /** Stop after this many items (default: all). */
  limit?: number;
  includeDeleted?: boolean;
}

export interface WorkspaceListOptions extends ListOptions {
  /** Only these workspaces (default: every workspace the credentials can see). */
  workspaceIds?: string[];
}

export interface ConnectionListOptions extends ListOptions {
  tagIds?: string[];
}

export interface JobListOptions {
  connectionId?: string;
  workspaceIds?: string[];
  /** The API's default is sync and reset jobs. */
  jobType?: JobType;
  status?: JobStatus;
  /** "<field>|ASC|DESC", e.g. "createdAt|DESC" (newest first). */
  orderBy?: string;
  createdAtStart?: string;
  createdAtEnd?: string;
  updatedAtStart?: string;
  updatedAtEnd?: string;
  limit?: number;
}

export interface StreamOptions {
  /** With a destination, each stream lists the sync modes the pair supports. */
  destinationId?: string;
  /** Discover again instead of using the cached catalog. */
  ignoreCache?: boolean;
}

export interface PublicApi {
  workspaces: {
    get(workspaceId: string, signal?: AbortSignal): Promise<Workspace>;
    list(options?: WorkspaceListOptions, signal?: AbortSignal): AsyncGenerator<Workspace, void, undefined>;
  };
  organizations: {
    /** The organizations of the credentials' user (not paged). */
    list(signal?: AbortSignal): Promise<Organization[]>;
  };
  sources: {
    list(
      workspaceId: string,
      options?: ListOptions,
      signal?: AbortSignal,
    ): AsyncGenerator<Source, void, undefined>;
    get(sourceId: string, signal?: AbortSignal): Promise<Source>;
    /** Never repeated after a failure that may have created it (retry.ts). */
    create(request: SourceCreateRequest, signal?: AbortSignal): Promise<Source>;
    patch(sourceId: string, request: SourcePatchRequest, signal?: AbortSignal): Promise<Source>;
    delete(sourceId: string, signal?: AbortSignal): Promise<void>;
  };
  destinations: {
    list(
      workspaceId: string,
      options?: ListOptions,
      signal?: AbortSignal,
    ): AsyncGenerator<Destination, void, undefined>;
    get(destinationId: string, signal?: AbortSignal): Promise<Destination>;
    create(request: DestinationCreateRequest, signal?: AbortSignal): Promise<Destination>;
    patch(
      destinationId: string,
      request: DestinationPatchRequest,
      signal?: AbortSignal,
    ): Promise<Destination>;
    delete(destinationId: string, signal?: AbortSignal): Promise<void>;
  };
  connections: {
    list(
      workspaceId: string,
      options?: ConnectionListOptions,
      signal?: AbortSignal,
    ): AsyncGenerator<Connection, void, undefined>;
    get(connectionId: string, signal?: AbortSignal): Promise<Connection>;
    create(request: ConnectionCreateRequest, signal?: AbortSignal): Promise<Connection>;
    patch(connectionId: string, request: ConnectionPatchRequest, signal?: AbortSignal): Promise<Connection>;
    delete(connectionId: string, signal?: AbortSignal): Promise<void>;
  };
  streams: {
    /** The source's streams (runs or reuses its discover). */
    list(sourceId: string, options?: StreamOptions, signal?: AbortSignal): Promise<StreamProperties[]>;
  };
  jobs: {
    /** Starts a job; a 409 means one is already running for the connection. */
    create(request: { connectionId: string; jobType: JobType }, signal?: AbortSignal): Promise<Job>;
    get(jobId: number, signal?: AbortSignal): Promise<Job>;
    list(options?: JobListOptions, signal?: AbortSignal): AsyncGenerator<Job, void, undefined>;
    /** DELETE /jobs/{id}: answers the job, now cancelled. */
    cancel(jobId: number, signal?: AbortSignal): Promise<Job>;
  };
  connectorDefinitions: {
    list(
      type: "source" | "destination",
      workspaceId?: string,
      signal?: AbortSignal,
    ): Promise<ConnectorDefinition[]>;
  };
  /** Custom manifest-only (Connector Builder) source definitions of a workspace. */
  declarativeSources: {
    list(workspaceId: string, signal?: AbortSignal): Promise<DeclarativeSourceDefinition[]>;
    get(
      workspaceId: string,
      definitionId: string,
      signal?: AbortSignal,
    ): Promise<DeclarativeSourceDefinition>;
    create(
      workspaceId: string,
      request: { name: string; manifest: Record<string, unknown> },
      signal?: AbortSignal,
    ): Promise<DeclarativeSourceDefinition>;
    /** Stores the manifest as a new version and makes it active. */
    update(
      workspaceId: string,
      definitionId: string,
      request: { manifest: Record<string, unknown> },
      signal?: AbortSignal,
    ): Promise<DeclarativeSourceDefinition>;
    delete(
      workspaceId: string,
      definitionId: string,
      signal?: AbortSignal,
    ): Promise<DeclarativeSourceDefinition>;
  };
}

export function createPublicApi(t: Transport, pageSize: number): PublicApi {
  const get = <S extends z.ZodType>(
    spec: Omit<CallSpec, "api" | "method" | "safety">,
    schema: S,
    signal: Signal,
  ) => t.call({ ...spec, api: "public", method: "GET", safety: "idempotent" }, schema, signal);

  /** A paged GET list as an iterator; `query` holds the filters, limit and offset are added per page. */
  function pagedList<T>(
    spec: Omit<CallSpec, "api" | "method" | "safety" | "query">,
    query: CallSpec["query"],
    schema: z.ZodType<{ data: T[]; next?: string | null | undefined }>,
    limit: number | undefined,
    signal: Signal,
  ): AsyncGenerator<T, void, undefined> {
    return paginate<T>(
      async (offset, pageLimit) => {
        const page = await get({ ...spec, query: { ...query, limit: pageLimit, offset } }, schema, signal);
        return { items: page.data, more: typeof page.next === "string" && page.next !== "" };
      },
      { limit, pageSize },
    );
  }

  return {
    workspaces: {
      get: async (workspaceId, signal) =>
        get(
          {
            path: `/workspaces/${segment(workspaceId, "workspace")}`,
            action: `get workspace ${workspaceId}`,
            resource: "workspace",
            id: workspaceId,
          },
          WorkspaceSchema,
          signal,
        ),
      list: (options = {}, signal) =>
        pagedList(
          { path: "/workspaces", action: "list workspaces", resource: "workspace" },
          { workspaceIds: options.workspaceIds, includeDeleted: options.includeDeleted },
          WorkspacesPageSchema,
          options.limit,
          signal,
        ),
    },

    organizations: {
      list: async (signal) =>
        (
          await get(
            { path: "/organizations", action: "list organizations", resource: "organization" },
            OrganizationsSchema,
            signal,
          )
        ).data,
    },

    sources: {
      list: (workspaceId, options = {}, signal) =>
        pagedList(
          {
            path: "/sources",
            action: `list the sources of workspace ${workspaceId}`,
            resource: "workspace",
            id: workspaceId,
          },
          { workspaceIds: [workspaceId], includeDeleted: options.includeDeleted },
          SourcesPageSchema,
          options.limit,
          signal,
        ),
      get: async (sourceId, signal) =>
        get(
          {
            path: `/sources/${segment(sourceId, "source")}`,
            action: `get source ${sourceId}`,
            resource: "source",
            id: sourceId,
          },
          SourceSchema,
          signal,
        ),
      create: async (request, signal) =>
        t.call(
          {
            api: "public",
            method: "POST",
            path: "/sources",
            body: request,
            safety: "create",
            action: `create source '${request.name}' in workspace ${request.workspaceId}`,
            resource: "source",
          },
          SourceSchema,
          signal,
        ),
      patch: async (sourceId, request, signal) =>
        t.call(
          {
            api: "public",
            method: "PATCH",
            path: `/sources/${segment(sourceId, "source")}`,
            body: request,
            // The body sets absolute values: sending it twice leaves the same source.
            safety: "idempotent",
            action: `update source ${sourceId}`,
            resource: "source",
            id: sourceId,
          },
          SourceSchema,
          signal,
        ),
      delete: async (sourceId, signal) =>
        t.call(
          {
            api: "public",
            method: "DELETE",
            path: `/sources/${segment(sourceId, "source")}`,
            safety: "idempotent",
            goneIsDone: true,
            action: `delete source ${sourceId}`,
            resource: "source",
            id: sourceId,
          },
          null,
          signal,
        ),
    },

    destinations: {
      list: (workspaceId, options = {}, signal) =>
        pagedList(
          {
            path: "/destinations",
            action: `list the destinations of workspace ${workspaceId}`,
            resource: "workspace",
            id: workspaceId,
          },
          { workspaceIds: [workspaceId], includeDeleted: options.includeDeleted },
          DestinationsPageSchema,
          options.limit,
          signal,
        ),
      get: async (destinationId, signal) =>
        get(
          {
            path: `/destinations/${segment(destinationId, "destination")}`,
            action: `get destination ${destinationId}`,
            resource: "destination",
            id: destinationId,
          },
          DestinationSchema,
          signal,
        ),
      create: async (request, signal) =>
        t.call(
          {
            api: "public",
            method: "POST",
            path: "/destinations",
            body: request,
            safety: "create",
            action: `create destination '${request.name}' in workspace ${request.workspaceId}`,
            resource: "destination",
          },
          DestinationSchema,
          signal,
        ),
      patch: async (destinationId, request, signal) =>
        t.call(
          {
            api: "public",
            method: "PATCH",
            path: `/destinations/${segment(destinationId, "destination")}`,
            body: request,
            safety: "idempotent",
            action: `update destination ${destinationId}`,
            resource: "destination",
            id: destinationId,
          },
          DestinationSchema,
          signal,
        ),
      delete: async (destinationId, signal) =>
        t.call(
          {
            api: "public",
            method: "DELETE",
            path: `/destinations/${segment(destinationId, "destination")}`,
            safety: "idempotent",
            goneIsDone: true,
            action: `delete destination ${destinationId}`,
            resource: "destination",
            id: destinationId,
          },
          null,
          signal,
        ),
    },

    connections: {
      list: (workspaceId, options = {}, signal) =>
        pagedList(
          {
            path: "/connections",
            action: `list the connections of workspace ${workspaceId}`,
            resource: "workspace",
            id: workspaceId,
          },
          { workspaceIds: [workspaceId], tagIds: options.tagIds, includeDeleted: options.includeDeleted },
          ConnectionsPageSchema,
          options.limit,
          signal,
        ),
      get: async (connectionId, signal) =>
        get(
          {
            path: `/connections/${segment(connectionId, "connection")}`,
            action: `get connection ${connectionId}`,
            resource: "connection",
            id: connectionId,
          },
          ConnectionSchema,
          signal,
        ),
      create: async (request, signal) =>
        t.call(
          {
            api: "public",
            method: "POST",
            path: "/connections",
            body: request,
            safety: "create",
            action: `create connection${request.name ? ` '${request.name}'` : ""} from source ${request.sourceId} to destination ${request.destinationId}`,
            resource: "connection",
          },
          ConnectionSchema,
          signal,
        ),
      patch: async (connectionId, request, signal) =>
        t.call(
          {
            api: "public",
            method: "PATCH",
            path: `/connections/${segment(connectionId, "connection")}`,
            body: request,
            safety: "idempotent",
            action: `update connection ${connectionId}`,
            resource: "connection",
            id: connectionId,
          },
          ConnectionSchema,
          signal,
        ),
      delete: async (connectionId, signal) =>
        t.call(
          {
            api: "public",
            method: "DELETE",
            path: `/connections/${segment(connectionId, "connection")}`,
            safety: "idempotent",
            goneIsDone: true,
            action: `delete connection ${connectionId}`,
            resource: "connection",
            id: connectionId,
          },
          null,
          signal,
        ),
    },

    streams: {
      list: (sourceId, options = {}, signal) =>
        get(
          {
            path: "/streams",
            query: { sourceId, destinationId: options.destinationId, ignoreCache: options.ignoreCache },
            action: `list the streams of source ${sourceId}`,
            resource: "source",
            id: sourceId,
          },
          StreamPropertiesListSchema,
          signal,
        ),
    },

    jobs: {
      create: async (request, signal) =>
        t.call(
          {
            api: "public",
            method: "POST",
            path: "/jobs",
            body: { connectionId: request.connectionId, jobType: request.jobType },
            safety: "create",
            action: `start a ${request.jobType} job on connection ${request.connectionId}`,
            resource: "job",
          },
          JobSchema,
          signal,
        ),
      get: async (jobId, signal) =>
        get(
          {
            path: `/jobs/${jobSegment(jobId)}`,
            action: `get job ${jobId}`,
            resource: "job",
            id: String(jobId),
          },
          JobSchema,
          signal,
        ),
      list: (options = {}, signal) => {
        const { limit, ...filters } = options;
        return pagedList(
          {
            path: "/jobs",
            action: options.connectionId
              ? `list the jobs of connection ${options.connectionId}`
              : "list jobs",
            resource: options.connectionId ? "connection" : "job",
            id: options.connectionId,
          },
          filters,
          JobsPageSchema,
          limit,
          signal,
        );
      },
      cancel: async (jobId, signal) =>
        t.call(
          {
            api: "public",
            method: "DELETE",
            path: `/jobs/${jobSegment(jobId)}`,
            safety: "idempotent",
            action: `cancel job ${jobId}`,
            resource: "job",
            id: String(jobId),
          },
          JobSchema,
          signal,
        ),
    },

    connectorDefinitions: {
      list: async (type, workspaceId, signal) =>
        (
          await get(
            {
              path: "/connector_definitions",
              query: { type, workspaceId },
              action: `list the ${type} connector definitions`,
              resource: "connector definition",
            },
            ConnectorDefinitionsSchema,
            signal,
          )
        ).data,
    },

    declarativeSources: {
      list: async (workspaceId, signal) =>
        (
          await get(
            {
              path: `${declarativeRoot(workspaceId)}`,
              action: `list the custom source definitions of workspace ${workspaceId}`,
              resource: "workspace",
              id: workspaceId,
            },
            DeclarativeSourceDefinitionsSchema,
            signal,
          )
        ).data,
      get: async (workspaceId, definitionId, signal) =>
        get(
          {
            path: `${declarativeRoot(workspaceId)}/${segment(definitionId, "custom source definition")}`,
            action: `get custom source definition ${definitionId}`,
            resource: "custom source definition",
            id: definitionId,
          },
          DeclarativeSourceDefinitionSchema,
          signal,
        ),
      create: async (workspaceId, request, signal) =>
        t.call(
          {
            api: "public",
            method: "POST",
            path: declarativeRoot(workspaceId),
            body: { name: request.name, manifest: request.manifest },
            safety: "create",
            action: `create custom source definition '${request.name}' in workspace ${workspaceId}`,
            resource: "custom source definition",
          },
          DeclarativeSourceDefinitionSchema,
          signal,
        ),
      update: async (workspaceId, definitionId, request, signal) =>
        t.call(
          {
            api: "public",
            method: "PUT",
            path: `${declarativeRoot(workspaceId)}/${segment(definitionId, "custom source definition")}`,
            body: { manifest: request.manifest },
            // Each PUT stores a new version: a repeat adds an identical version, which is harmless.
            safety: "idempotent",
            action: `update custom source definition ${definitionId}`,
            resource: "custom source definition",
            id: definitionId,
          },
          DeclarativeSourceDefinitionSchema,
          signal,
        ),
      delete: async (workspaceId, definitionId, signal) =>
        t.call(
          {
            api: "public",
            method: "DELETE",
            path: `${declarativeRoot(workspaceId)}/${segment(definitionId, "custom source definition")}`,
            safety: "idempotent",
            action: `delete custom source definition ${definitionId}`,
            resource: "custom source definition",
            id: definitionId,
          },
          DeclarativeSourceDefinitionSchema,
          signal,
        ),
    },
  };
}

function declarativeRoot(workspaceId: string): string {
  return `/workspaces/${segment(workspaceId, "workspace")}/definitions/declarative_sources`;
}

function jobSegment(jobId: number): string {
  if (!Number.isSafeInteger(jobId) || jobId < 0) throw invalidId(String(jobId), "job");
  return String(jobId);
}
