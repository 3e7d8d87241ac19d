// The workspace and organization tools against the fake Cloud, through the real call path. Expected
// values come from the fake's store.

import { describe, expect, test } from "bun:test";
import { DISCOVERY_REFUSED, ORGANIZATION_UNAVAILABLE } from "../../../src/cloud/workspaces.ts";
import { cloudHarness, expectNoSecrets, fileCloudHarness } from "../../helpers/cloud.ts";
import { failed, ok } from "../../helpers/local.ts";

const h = await fileCloudHarness();

describe("check_airbyte_cloud_workspace", () => {
  test("the configured workspace, its organization and billing", async () => {
    const out = await h.call("check_airbyte_cloud_workspace", {});
    const result = ok(out);
    const ws = h.fake.store.workspaces.get(h.workspaceId);
    const org = h.fake.store.organizations.get(ws?.organizationId ?? "");
    expect(result).toEqual({
      workspace_id: h.workspaceId,
      workspace_name: ws?.name,
      workspace_url: h.rt.cloud.client().web.workspace(h.workspaceId),
      organization_id: org?.organizationId,
      organization_name: org?.organizationName,
      payment_status: org?.paymentStatus,
      subscription_status: org?.subscriptionStatus,
      is_account_locked: false,
    });
    expectNoSecrets(out);
  });

  test("a locked account says so", async () => {
    const org = h.fake.store.addOrganization({ organizationName: "Locked org", paymentStatus: "locked" });
    const ws = h.fake.store.addWorkspace({ organizationId: org.organizationId, name: "In a locked org" });
    const result = ok(await h.call("check_airbyte_cloud_workspace", { workspace_id: ws.workspaceId }));
    expect(result).toMatchObject({
      organization_id: org.organizationId,
      payment_status: "locked",
      is_account_locked: true,
    });
  });

  test("an organization the credentials may not read is reported unavailable, not an error", async () => {
    h.fake.injectFailure({ method: "POST", path: /\/workspaces\/get_organization_info$/, status: 403 });
    const result = ok(await h.call("check_airbyte_cloud_workspace", {}));
    expect(result).toMatchObject({
      workspace_id: h.workspaceId,
      organization_id: ORGANIZATION_UNAVAILABLE,
      organization_name: null,
      is_account_locked: null,
    });
  });

  test("a workspace the credentials cannot access is a 403 with a hint", async () => {
    const out = await h.call("check_airbyte_cloud_workspace", {
      workspace_id: h.fake.store.defaults.foreignWorkspaceId,
    });
    const message = failed(out);
    expect(message).toContain("403");
    expect(message).toContain("workspace");
    expectNoSecrets(out);
  });

  test("no workspace at all is refused with what to set", async () => {
    const bare = await cloudHarness({ noDefaultWorkspace: true });
    try {
      const message = failed(await bare.call("check_airbyte_cloud_workspace", {}));
      expect(message).toContain("AIRBYTE_CLOUD_WORKSPACE_ID");
      expect(message).toContain("list_cloud_workspaces");
    } finally {
      await bare.cleanup();
    }
  });

  test("bad client credentials are a 401 naming the variables", async () => {
    const bad = await cloudHarness({ env: { AIRBYTE_CLOUD_CLIENT_SECRET: "not-the-right-secret-789" } });
    try {
      const out = await bad.call("check_airbyte_cloud_workspace", {});
      const message = failed(out);
      expect(message).toContain("AIRBYTE_CLOUD_CLIENT_SECRET");
      expect(JSON.stringify(out)).not.toContain("not-the-right-secret-789");
    } finally {
      await bad.cleanup();
    }
  });
});

describe("list_cloud_organizations", () => {
  test("the organizations the user belongs to", async () => {
    const out = await h.call("list_cloud_organizations", {});
    const result = ok(out);
    const members = [...h.fake.store.organizations.values()].filter((o) => o.member);
    expect(result.count).toBe(members.length);
    expect(result.organizations).toEqual(
      members.map((o) => ({
        id: o.organizationId,
        name: o.organizationName,
        email: o.email,
        payment_status: null,
        subscription_status: null,
        is_account_locked: null,
      })),
    );
    expect(result.message).toBeNull();
    expectNoSecrets(out);
  });

  test("a refusal gives an empty list and guidance", async () => {
    h.fake.injectFailure({ method: "GET", path: /\/organizations$/, status: 403 });
    expect(ok(await h.call("list_cloud_organizations", {}))).toEqual({
      organizations: [],
      count: 0,
      message: DISCOVERY_REFUSED,
    });
  });

  test("a server failure is still an error", async () => {
    // A harness of its own: the failure outlasts every retry, whatever their number.
    const down = await cloudHarness();
    try {
      down.fake.injectFailure({ method: "GET", path: /\/organizations$/, status: 500, times: 100 });
      const message = failed(await down.call("list_cloud_organizations", {}));
      expect(message).toContain("500");
      expect(message).toContain("try again");
    } finally {
      await down.cleanup();
    }
  });
});

describe("describe_cloud_organization", () => {
  test("by exact name or id, with billing", async () => {
    const org = h.fake.store.addOrganization({
      organizationName: "Described org",
      paymentStatus: "okay",
      subscriptionStatus: "unsubscribed",
    });
    const expected = {
      id: org.organizationId,
      name: "Described org",
      email: org.email,
      payment_status: "okay",
      subscription_status: "unsubscribed",
      is_account_locked: true,
    };
    expect(ok(await h.call("describe_cloud_organization", { organization_name: "Described org" }))).toEqual(
      expected,
    );
    expect(ok(await h.call("describe_cloud_organization", { organization_id: org.organizationId }))).toEqual(
      expected,
    );
  });

  test("billing refused leaves it null", async () => {
    h.fake.injectFailure({ method: "POST", path: /\/organizations\/get_organization_info$/, status: 403 });
    const result = ok(
      await h.call("describe_cloud_organization", { organization_id: h.fake.store.defaults.organizationId }),
    );
    expect(result).toMatchObject({
      id: h.fake.store.defaults.organizationId,
      payment_status: null,
      is_account_locked: null,
    });
  });

  test("names are exact; one of id or name, not both nor neither", async () => {
    expect(
      failed(await h.call("describe_cloud_organization", { organization_name: "described org" })),
    ).toContain("list_cloud_organizations");
    expect(failed(await h.call("describe_cloud_organization", {}))).toContain("organization");
    expect(
      failed(await h.call("describe_cloud_organization", { organization_id: "a", organization_name: "b" })),
    ).toContain("not both");
    const twin = "Twin org";
    h.fake.store.addOrganization({ organizationName: twin });
    h.fake.store.addOrganization({ organizationName: twin });
    expect(failed(await h.call("describe_cloud_organization", { organization_name: twin }))).toContain(
      "organization_id",
    );
  });

  test("an organization the user is not a member of is not found", async () => {
    const message = failed(
      await h.call("describe_cloud_organization", {
        organization_id: h.fake.store.defaults.foreignOrganizationId,
      }),
    );
    expect(message).toContain("No organization");
  });
});

describe("list_cloud_workspaces", () => {
  test("every accessible workspace without an organization", async () => {
    const result = ok(await h.call("list_cloud_workspaces", {}));
    const expected = [...h.fake.store.workspaces.values()].filter((w) => w.accessible && !w.deleted);
    expect((result.workspaces as Array<{ workspace_id: string }>).map((w) => w.workspace_id).sort()).toEqual(
      expected.map((w) => w.workspaceId).sort(),
    );
    expect(result.count).toBe(expected.length);
  });

  test("name_contains (any case) and limit", async () => {
    h.fake.store.addWorkspace({ name: "Marketing Analytics" });
    h.fake.store.addWorkspace({ name: "analytics sandbox" });
    const result = ok(await h.call("list_cloud_workspaces", { name_contains: "ANALYTICS" }));
    expect(
      (result.workspaces as Array<{ workspace_name: string }>).map((w) => w.workspace_name).sort(),
    ).toEqual(["Marketing Analytics", "analytics sandbox"]);
    expect(ok(await h.call("list_cloud_workspaces", { name_contains: "analytics", limit: 1 })).count).toBe(1);
    const none = ok(await h.call("list_cloud_workspaces", { name_contains: "zzz-nothing" }));
    expect(none.count).toBe(0);
    expect(none.message).toContain("zzz-nothing");
  });

  test("an organization's workspaces, by id or exact name (Config API)", async () => {
    const org = h.fake.store.addOrganization({ organizationName: "Org with workspaces" });
    const a = h.fake.store.addWorkspace({ organizationId: org.organizationId, name: "Alpha" });
    const b = h.fake.store.addWorkspace({ organizationId: org.organizationId, name: "Beta" });
    const byName = ok(await h.call("list_cloud_workspaces", { organization_name: "Org with workspaces" }));
    expect(byName.workspaces).toEqual(
      [a, b].map((w) => ({
        workspace_id: w.workspaceId,
        workspace_name: w.name,
        workspace_url: h.rt.cloud.client().web.workspace(w.workspaceId),
        organization_id: org.organizationId,
      })),
    );
    const filtered = ok(
      await h.call("list_cloud_workspaces", { organization_id: org.organizationId, name_contains: "bet" }),
    );
    expect((filtered.workspaces as Array<{ workspace_id: string }>).map((w) => w.workspace_id)).toEqual([
      b.workspaceId,
    ]);
    expect(h.fake.requests.some((r) => r.path.endsWith("/workspaces/list_by_organization_id"))).toBe(true);
  });

  test("a refusal gives an empty list and guidance", async () => {
    h.fake.injectFailure({ method: "GET", path: /\/workspaces$/, status: 401, times: 3 });
    expect(ok(await h.call("list_cloud_workspaces", {}))).toEqual({
      workspaces: [],
      count: 0,
      message: DISCOVERY_REFUSED,
    });
  });

  test("an unknown organization name is refused", async () => {
    expect(failed(await h.call("list_cloud_workspaces", { organization_name: "No such org" }))).toContain(
      "No organization",
    );
  });
});
