// Cloud tools that find out where the credentials lead: the configured workspace, the organizations
// and workspaces they can see.

import { z } from "zod";
import {
  checkWorkspace,
  describeOrganization,
  listOrganizations,
  listWorkspaces,
} from "../../cloud/workspaces.ts";
import { type AnyToolDef, defineTool } from "../../core/tool.ts";
import { CLOUD_READ, workspaceIdParam } from "./common.ts";

const billing = {
  payment_status: z.string().nullable().describe("The organization's payment status; null when unknown"),
  subscription_status: z
    .string()
    .nullable()
    .describe("The organization's subscription status; null when unknown"),
  is_account_locked: z
    .boolean()
    .nullable()
    .describe("Payment disabled or locked, or subscription ended; null when billing is unknown"),
};

const organization = z.object({
  id: z.string(),
  name: z.string(),
  email: z.string().nullable(),
  ...billing,
});

const guidance = z.string().nullable().describe("Guidance when the list is empty or discovery was refused");

export const checkAirbyteCloudWorkspace = defineTool({
  name: "check_airbyte_cloud_workspace",
  title: "Check the Airbyte Cloud workspace",
  description:
    "Check that the Airbyte Cloud credentials work and return the workspace's id, name, web URL and organization " +
    "(with its billing status when the credentials may read it; otherwise organization_id says it is unavailable). " +
    "Call this first to confirm the setup.",
  domain: "cloud",
  input: z.object({ workspace_id: workspaceIdParam }).strict(),
  output: z.object({
    workspace_id: z.string(),
    workspace_name: z.string(),
    workspace_url: z.string(),
    organization_id: z.string(),
    organization_name: z.string().nullable(),
    ...billing,
  }),
  hints: CLOUD_READ,
  needsFilesystem: false,
  handler: (input, ctx) => checkWorkspace(ctx, input.workspace_id),
});

export const listCloudWorkspaces = defineTool({
  name: "list_cloud_workspaces",
  title: "List Airbyte Cloud workspaces",
  description:
    "List the Airbyte Cloud workspaces these credentials can see, optionally only those of one organization " +
    "(organization_id, or organization_name matched exactly) and only those whose name contains name_contains " +
    "(case-insensitive). When the credentials may not list them, the list is empty and message says what to do. " +
    "If several workspaces match, ask the user which one to use; never pick one yourself.",
  domain: "cloud",
  input: z
    .object({
      organization_id: z.string().nullable().default(null).describe("Only this organization's workspaces"),
      organization_name: z
        .string()
        .nullable()
        .default(null)
        .describe("Only the workspaces of the organization with exactly this name"),
      name_contains: z
        .string()
        .nullable()
        .default(null)
        .describe("Case-insensitive substring of the workspace name"),
      limit: z
        .number()
        .int()
        .min(1)
        .nullable()
        .default(null)
        .describe("Return at most this many; null for all"),
    })
    .strict(),
  output: z.object({
    workspaces: z.array(
      z.object({
        workspace_id: z.string(),
        workspace_name: z.string(),
        workspace_url: z.string(),
        organization_id: z.string().nullable(),
      }),
    ),
    count: z.number().int(),
    message: guidance,
  }),
  hints: CLOUD_READ,
  needsFilesystem: false,
  handler: (input, ctx) => listWorkspaces(ctx, input),
});

export const listCloudOrganizations = defineTool({
  name: "list_cloud_organizations",
  title: "List Airbyte Cloud organizations",
  description:
    "List the Airbyte Cloud organizations the credentials' user belongs to (id, name, email). Use an id with " +
    "list_cloud_workspaces to find workspaces. When the credentials may not list them, the list is empty and " +
    "message says what to do. Billing fields are null here: describe_cloud_organization reads them.",
  domain: "cloud",
  input: z.object({}).strict(),
  output: z.object({ organizations: z.array(organization), count: z.number().int(), message: guidance }),
  hints: CLOUD_READ,
  needsFilesystem: false,
  handler: (_input, ctx) => listOrganizations(ctx),
});

export const describeCloudOrganization = defineTool({
  name: "describe_cloud_organization",
  title: "Describe an Airbyte Cloud organization",
  description:
    "Describe one organization of the credentials' user, by organization_id or by exact organization_name " +
    "(give exactly one): id, name, email, payment and subscription status, and whether the account is locked " +
    "(billing fields are null when the credentials may not read them).",
  domain: "cloud",
  input: z
    .object({
      organization_id: z.string().nullable().default(null).describe("The organization's id"),
      organization_name: z.string().nullable().default(null).describe("The organization's exact name"),
    })
    .strict(),
  output: organization,
  hints: CLOUD_READ,
  needsFilesystem: false,
  handler: (input, ctx) => describeOrganization(ctx, input.organization_id, input.organization_name),
});

export const WORKSPACE_TOOLS: readonly AnyToolDef[] = [
  checkAirbyteCloudWorkspace,
  listCloudWorkspaces,
  listCloudOrganizations,
  describeCloudOrganization,
];
