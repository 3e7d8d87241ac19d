// Airbyte's internal Config API, used only where the public API cannot do the job (each call says
// what for). Every call is a POST with a JSON body; all of them read, or set absolute values, so they
// may be repeated after a transient failure.

import type { z } from "zod";
import {
  type BuilderProjectRef,
  BuilderProjectRefSchema,
  type BuilderProjectSpec,
  type BuilderProjectWithManifest,
  BuilderProjectWithManifestSchema,
  type CheckConnectionResult,
  CheckConnectionSchema,
  type ConfigWorkspace,
  ConfigWorkspaceListSchema,
  type ConnectionState,
  ConnectionStateSchema,
  type JobInfo,
  JobInfoSchema,
  type OrganizationInfo,
  OrganizationInfoSchema,
  TestingValuesSchema,
  type WebBackendConnection,
  WebBackendConnectionSchema,
} from "./config-schemas.ts";
import type { CloudResource } from "./errors.ts";
import { paginate } from "./paginate.ts";
import { invalidId, type Transport } from "./transport.ts";

export interface ConfigApi {
  /** A workspace's organization and billing (the public API has no workspace → organization link). */
  workspaceOrganizationInfo(workspaceId: string, signal?: AbortSignal): Promise<OrganizationInfo>;
  /** An organization's billing status (payment and subscription: not in the public API). */
  organizationInfo(organizationId: string, signal?: AbortSignal): Promise<OrganizationInfo>;
  /** An organization's workspaces, filtered by name on the server (the public API cannot filter by organization). */
  listWorkspacesByOrganization(
    organizationId: string,
    options?: { nameContains?: string; limit?: number },
    signal?: AbortSignal,
  ): AsyncGenerator<ConfigWorkspace, void, undefined>;
  /** A job's attempts and their logs (the public API has neither). */
  jobInfo(jobId: number, signal?: AbortSignal): Promise<JobInfo>;
  /** A connection's state (not in the public API). */
  connectionState(connectionId: string, signal?: AbortSignal): Promise<ConnectionState>;
  /** A connection with its configured catalog (the public API gives stream names only). */
  webBackendConnection(connectionId: string, signal?: AbortSignal): Promise<WebBackendConnection>;
  /** The Connector Builder project of a custom definition (for its id and URL). */
  builderProjectForDefinition(
    workspaceId: string,
    definitionId: string,
    signal?: AbortSignal,
  ): Promise<BuilderProjectRef>;
  /** A Connector Builder project with its draft manifest. */
  builderProjectWithManifest(
    workspaceId: string,
    builderProjectId: string,
    signal?: AbortSignal,
  ): Promise<BuilderProjectWithManifest>;
  /** Replaces a Connector Builder project's testing values wholesale. */
  updateBuilderTestingValues(
    request: {
      workspaceId: string;
      builderProjectId: string;
      testingValues: Record<string, unknown>;
      spec: BuilderProjectSpec;
    },
    signal?: AbortSignal,
  ): Promise<Record<string, unknown>>;
  /** Runs a check of a deployed source's configuration (the public API has no check). */
  checkSource(sourceId: string, signal?: AbortSignal): Promise<CheckConnectionResult>;
  checkDestination(destinationId: string, signal?: AbortSignal): Promise<CheckConnectionResult>;
}

export function createConfigApi(t: Transport, pageSize: number): ConfigApi {
  async function post<S extends z.ZodType>(
    path: string,
    body: Record<string, unknown>,
    what: { action: string; resource: CloudResource; id?: string },
    schema: S,
    signal: AbortSignal | undefined,
  ): Promise<z.output<S>> {
    return t.call(
      { api: "config", method: "POST", path, body, safety: "idempotent", ...what },
      schema,
      signal,
    );
  }
  const nonEmpty = (value: string, what: CloudResource) => {
    if (typeof value !== "string" || value.trim() === "") throw invalidId(String(value), what);
    return value;
  };

  return {
    workspaceOrganizationInfo: async (workspaceId, signal) =>
      post(
        "/workspaces/get_organization_info",
        { workspaceId: nonEmpty(workspaceId, "workspace") },
        {
          action: `get the organization of workspace ${workspaceId}`,
          resource: "workspace",
          id: workspaceId,
        },
        OrganizationInfoSchema,
        signal,
      ),
    organizationInfo: async (organizationId, signal) =>
      post(
        "/organizations/get_organization_info",
        { organizationId: nonEmpty(organizationId, "organization") },
        { action: `get organization ${organizationId}`, resource: "organization", id: organizationId },
        OrganizationInfoSchema,
        signal,
      ),
    listWorkspacesByOrganization: (organizationId, options = {}, signal) =>
      paginate(
        async (rowOffset, limit) => {
          const body: Record<string, unknown> = {
            organizationId: nonEmpty(organizationId, "organization"),
            pagination: { pageSize: limit, rowOffset },
          };
          if (options.nameContains) body.nameContains = options.nameContains;
          const page = await post(
            "/workspaces/list_by_organization_id",
            body,
            {
              action: `list the workspaces of organization ${organizationId}`,
              resource: "organization",
              id: organizationId,
            },
            ConfigWorkspaceListSchema,
            signal,
          );
          // No next link here: a full page means there may be more.
          return { items: page.workspaces, more: page.workspaces.length >= limit };
        },
        { limit: options.limit, pageSize },
      ),
    jobInfo: async (jobId, signal) => {
      if (!Number.isSafeInteger(jobId) || jobId < 0) throw invalidId(String(jobId), "job");
      return post(
        "/jobs/get",
        { id: jobId },
        { action: `get the attempts and logs of job ${jobId}`, resource: "job", id: String(jobId) },
        JobInfoSchema,
        signal,
      );
    },
    connectionState: async (connectionId, signal) =>
      post(
        "/state/get",
        { connectionId: nonEmpty(connectionId, "connection") },
        { action: `get the state of connection ${connectionId}`, resource: "connection", id: connectionId },
        ConnectionStateSchema,
        signal,
      ),
    webBackendConnection: async (connectionId, signal) =>
      post(
        "/web_backend/connections/get",
        { connectionId: nonEmpty(connectionId, "connection"), withRefreshedCatalog: false },
        { action: `get the catalog of connection ${connectionId}`, resource: "connection", id: connectionId },
        WebBackendConnectionSchema,
        signal,
      ),
    builderProjectForDefinition: async (workspaceId, definitionId, signal) =>
      post(
        "/connector_builder_projects/get_for_definition_id",
        {
          actorDefinitionId: nonEmpty(definitionId, "custom source definition"),
          workspaceId: nonEmpty(workspaceId, "workspace"),
        },
        {
          action: `find the Connector Builder project of definition ${definitionId}`,
          resource: "custom source definition",
          id: definitionId,
        },
        BuilderProjectRefSchema,
        signal,
      ),
    builderProjectWithManifest: async (workspaceId, builderProjectId, signal) =>
      post(
        "/connector_builder_projects/get_with_manifest",
        {
          workspaceId: nonEmpty(workspaceId, "workspace"),
          builderProjectId: nonEmpty(builderProjectId, "connector builder project"),
        },
        {
          action: `get Connector Builder project ${builderProjectId}`,
          resource: "connector builder project",
          id: builderProjectId,
        },
        BuilderProjectWithManifestSchema,
        signal,
      ),
    updateBuilderTestingValues: async (request, signal) =>
      post(
        "/connector_builder_projects/update_testing_values",
        {
          workspaceId: nonEmpty(request.workspaceId, "workspace"),
          builderProjectId: nonEmpty(request.builderProjectId, "connector builder project"),
          testingValues: request.testingValues,
          spec: request.spec,
        },
        {
          action: `update the testing values of Connector Builder project ${request.builderProjectId}`,
          resource: "connector builder project",
          id: request.builderProjectId,
        },
        TestingValuesSchema,
        signal,
      ),
    checkSource: async (sourceId, signal) =>
      post(
        "/sources/check_connection",
        { sourceId: nonEmpty(sourceId, "source") },
        { action: `check source ${sourceId}`, resource: "source", id: sourceId },
        CheckConnectionSchema,
        signal,
      ),
    checkDestination: async (destinationId, signal) =>
      post(
        "/destinations/check_connection",
        { destinationId: nonEmpty(destinationId, "destination") },
        { action: `check destination ${destinationId}`, resource: "destination", id: destinationId },
        CheckConnectionSchema,
        signal,
      ),
  };
}
