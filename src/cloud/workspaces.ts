// Workspaces and organizations: checking the configured workspace, discovering the organizations and
// workspaces the credentials can see, and the billing status behind an organization. Billing and the
// workspace → organization link come from the internal Config API (the public API has neither); when
// it refuses, the answer says what is unavailable instead of failing the whole call.

import { ToolError } from "../core/errors.ts";
import type { ToolContext } from "../core/tool.ts";
import {
  CloudApiError,
  type CloudClient,
  type Connection,
  collect,
  type Organization,
  type OrganizationInfo,
} from "./client/index.ts";
import { workspaceOf } from "./session.ts";

type Ctx = Pick<ToolContext, "settings" | "cloud" | "signal" | "log">;

/** Set in place of an organization id the credentials may not read (PyAirbyte's wording). */
export const ORGANIZATION_UNAVAILABLE = "[unavailable - requires ORGANIZATION_READER permission]";

/** PyAirbyte's guidance when discovery is refused (401/403): the list comes back empty with it. */
export const DISCOVERY_REFUSED =
  "Organization or workspace discovery is unavailable because these credentials do not have the required permission or access. Provide an organization or workspace ID, or use credentials with the needed access.";

export interface BillingStatus {
  payment_status: string | null;
  subscription_status: string | null;
  is_account_locked: boolean | null;
}

const NO_BILLING: BillingStatus = {
  payment_status: null,
  subscription_status: null,
  is_account_locked: null,
};

/** Locked: payment disabled or locked, or the subscription ended (as PyAirbyte decides it). */
export function billingStatus(info: Pick<OrganizationInfo, "billing"> | null | undefined): BillingStatus {
  const billing = info?.billing;
  if (!billing) return NO_BILLING;
  const payment = billing.paymentStatus ?? null;
  const subscription = billing.subscriptionStatus ?? null;
  const locked =
    payment === null && subscription === null
      ? null
      : payment === "disabled" || payment === "locked" || subscription === "unsubscribed";
  return { payment_status: payment, subscription_status: subscription, is_account_locked: locked };
}

/** A refusal of the credentials (401/403): discovery tools answer an empty list and guidance. */
function isRefusal(error: unknown): error is CloudApiError {
  return error instanceof CloudApiError && (error.status === 401 || error.status === 403);
}

/** Config API calls whose failure only leaves a field unknown; cancellation still ends the call. */
async function optional<T>(ctx: Ctx, what: string, call: () => Promise<T>): Promise<T | null> {
  try {
    return await call();
  } catch (error) {
    if (ctx.signal.aborted || (error instanceof CloudApiError && error.kind === "cancelled")) throw error;
    ctx.log.debug(`Cloud: ${what} is unavailable`, {
      error: error instanceof Error ? error.message : String(error),
    });
    return null;
  }
}

export interface WorkspaceCheck extends BillingStatus {
  workspace_id: string;
  workspace_name: string;
  workspace_url: string;
  organization_id: string;
  organization_name: string | null;
}

/** check_airbyte_cloud_workspace: the workspace answers, and what is known of its organization. */
export async function checkWorkspace(ctx: Ctx, workspaceId: string | null): Promise<WorkspaceCheck> {
  const id = workspaceOf(workspaceId, ctx.settings);
  const client = ctx.cloud.client();
  const workspace = await client.workspaces.get(id, ctx.signal);
  const org = await optional(ctx, `the organization of workspace ${id}`, () =>
    client.config.workspaceOrganizationInfo(workspace.workspaceId, ctx.signal),
  );
  let billing = billingStatus(org);
  if (org && billing.payment_status === null && billing.subscription_status === null) {
    const full = await optional(ctx, `the billing of organization ${org.organizationId}`, () =>
      client.config.organizationInfo(org.organizationId, ctx.signal),
    );
    billing = billingStatus(full);
  }
  return {
    workspace_id: workspace.workspaceId,
    workspace_name: workspace.name,
    workspace_url: client.web.workspace(workspace.workspaceId),
    organization_id: org?.organizationId ?? ORGANIZATION_UNAVAILABLE,
    organization_name: org?.organizationName ?? null,
    ...billing,
  };
}

export interface OrganizationResult extends BillingStatus {
  id: string;
  name: string;
  email: string | null;
}

function organizationResult(org: Organization, billing: BillingStatus = NO_BILLING): OrganizationResult {
  return { id: org.organizationId, name: org.organizationName, email: org.email ?? null, ...billing };
}

/** list_cloud_organizations: the credentials' organizations (billing is left to describe_cloud_organization). */
export async function listOrganizations(
  ctx: Ctx,
): Promise<{ organizations: OrganizationResult[]; count: number; message: string | null }> {
  let orgs: Organization[];
  try {
    orgs = await ctx.cloud.client().organizations.list(ctx.signal);
  } catch (error) {
    if (isRefusal(error)) return { organizations: [], count: 0, message: DISCOVERY_REFUSED };
    throw error;
  }
  const organizations = orgs.map((o) => organizationResult(o));
  return {
    organizations,
    count: organizations.length,
    message:
      organizations.length === 0
        ? "These credentials belong to no organization. Ask the user for a workspace ID and pass it as workspace_id."
        : null,
  };
}

/** One organization of the credentials, by id or by exact name (exactly one of them). */
export async function resolveOrganization(
  client: CloudClient,
  organizationId: string | null,
  organizationName: string | null,
  signal: AbortSignal,
): Promise<Organization> {
  const id = organizationId?.trim() || null;
  const name = organizationName ?? null;
  if (id && name !== null) {
    throw new ToolError("Give organization_id or organization_name, not both.", {
      hint: "Pass only organization_id when you have it; it is exact.",
    });
  }
  if (!id && name === null) {
    throw new ToolError(
      "An organization is needed: neither organization_id nor organization_name was given.",
      {
        hint: "Call list_cloud_organizations to see the organizations these credentials belong to, then pass one's id.",
      },
    );
  }
  const orgs = await client.organizations.list(signal);
  const matches = id
    ? orgs.filter((o) => o.organizationId === id)
    : orgs.filter((o) => o.organizationName === name);
  const only = matches[0];
  if (!only) {
    const what = id ? `id '${id}'` : `the exact name '${name}'`;
    throw new ToolError(`No organization with ${what} is visible to these credentials.`, {
      hint: "Call list_cloud_organizations to see the organizations these credentials belong to (names are compared exactly, case included).",
    });
  }
  if (matches.length > 1) {
    throw new ToolError(`${matches.length} organizations are named '${name}'.`, {
      hint: `Pass organization_id instead: ${matches.map((o) => o.organizationId).join(", ")}.`,
    });
  }
  return only;
}

/** describe_cloud_organization: the organization and its billing status (unknown when refused). */
export async function describeOrganization(
  ctx: Ctx,
  organizationId: string | null,
  organizationName: string | null,
): Promise<OrganizationResult> {
  const client = ctx.cloud.client();
  const org = await resolveOrganization(client, organizationId, organizationName, ctx.signal);
  const info = await optional(ctx, `the billing of organization ${org.organizationId}`, () =>
    client.config.organizationInfo(org.organizationId, ctx.signal),
  );
  return organizationResult(org, billingStatus(info));
}

export interface WorkspaceListItem {
  workspace_id: string;
  workspace_name: string;
  workspace_url: string;
  organization_id: string | null;
}

export interface WorkspaceListInput {
  organization_id: string | null;
  organization_name: string | null;
  name_contains: string | null;
  limit: number | null;
}

/**
 * list_cloud_workspaces: an organization's workspaces (Config API, filtered by name on the server), or
 * without one every workspace the credentials can see (public API). Names are matched without regard
 * to case in both (PyAirbyte's public-list filter is case-sensitive).
 */
export async function listWorkspaces(
  ctx: Ctx,
  input: WorkspaceListInput,
): Promise<{ workspaces: WorkspaceListItem[]; count: number; message: string | null }> {
  const client = ctx.cloud.client();
  const needle = input.name_contains?.trim() ? input.name_contains.trim() : null;
  const limit = input.limit ?? undefined;
  let workspaces: WorkspaceListItem[];
  try {
    if (input.organization_id?.trim() || input.organization_name !== null) {
      const org = await resolveOrganization(
        client,
        input.organization_id,
        input.organization_name,
        ctx.signal,
      );
      const found = await collect(
        client.config.listWorkspacesByOrganization(
          org.organizationId,
          { ...(needle ? { nameContains: needle } : {}), ...(limit ? { limit } : {}) },
          ctx.signal,
        ),
      );
      workspaces = found
        .filter((w) => needle === null || w.name.toLowerCase().includes(needle.toLowerCase()))
        .map((w) => ({
          workspace_id: w.workspaceId,
          workspace_name: w.name,
          workspace_url: client.web.workspace(w.workspaceId),
          organization_id: w.organizationId ?? org.organizationId,
        }));
    } else {
      const all = client.workspaces.list(needle === null && limit ? { limit } : {}, ctx.signal);
      workspaces = [];
      for await (const w of all) {
        if (needle !== null && !w.name.toLowerCase().includes(needle.toLowerCase())) continue;
        workspaces.push({
          workspace_id: w.workspaceId,
          workspace_name: w.name,
          workspace_url: client.web.workspace(w.workspaceId),
          organization_id: null,
        });
        if (limit !== undefined && workspaces.length >= limit) break;
      }
    }
  } catch (error) {
    if (isRefusal(error)) return { workspaces: [], count: 0, message: DISCOVERY_REFUSED };
    throw error;
  }
  if (limit !== undefined) workspaces = workspaces.slice(0, limit);
  return {
    workspaces,
    count: workspaces.length,
    message:
      workspaces.length === 0
        ? needle
          ? `No workspace name contains '${needle}'. Try without name_contains, or another organization.`
          : "No workspaces are visible to these credentials. Ask the user for a workspace ID, or pass organization_id (list_cloud_organizations lists them)."
        : null,
  };
}

/**
 * The connection, after checking that it belongs to the workspace the call works in: an id from another
 * workspace is refused rather than silently used with the wrong workspace's links.
 */
export async function connectionInWorkspace(
  client: CloudClient,
  connectionId: string,
  workspaceId: string,
  signal: AbortSignal,
): Promise<Connection> {
  const connection = await client.connections.get(connectionId, signal);
  if (connection.workspaceId !== workspaceId) {
    throw new ToolError(
      `Connection ${connectionId} belongs to workspace ${connection.workspaceId}, not to workspace ${workspaceId}.`,
      {
        hint: `Pass workspace_id='${connection.workspaceId}' to work with it, or use a connection of workspace ${workspaceId} (list_deployed_cloud_connections lists them).`,
      },
    );
  }
  return connection;
}
