// API roots and web links for Airbyte Cloud, self-managed installs and other roots.

import { afterEach, describe, expect, test } from "bun:test";
import { Hono } from "hono";
import { CloudApiError, cloudRoots, createCloudClient, webUrls } from "../../../src/cloud/client/index.ts";
import {
  type ApiServer,
  BEARER,
  CLIENT_ID,
  CLIENT_SECRET,
  cloudSettings,
  FAST_RETRY,
  rejection,
  startApi,
} from "./helpers.ts";

const WS = "11111111-1111-4111-8111-111111111111";

let api: ApiServer | null = null;
afterEach(async () => {
  await api?.stop();
  api = null;
});

describe("roots from the settings", () => {
  test("Airbyte Cloud by default", () => {
    const roots = cloudRoots(cloudSettings({}));
    expect(roots).toEqual({
      deployment: "cloud",
      apiUrl: "https://api.airbyte.com/v1",
      configApiUrl: "https://cloud.airbyte.com/api/v1",
      webUrl: "https://cloud.airbyte.com",
    });
  });

  test("self-managed: the Config API and the web app live under the host root", () => {
    const roots = cloudRoots(
      cloudSettings({ AIRBYTE_CLOUD_API_URL: "https://airbyte.corp.example/api/public/v1/" }),
    );
    expect(roots).toEqual({
      deployment: "self-managed",
      apiUrl: "https://airbyte.corp.example/api/public/v1",
      configApiUrl: "https://airbyte.corp.example/api/v1",
      webUrl: "https://airbyte.corp.example",
    });
    const prefixed = cloudRoots(
      cloudSettings({ AIRBYTE_CLOUD_API_URL: "http://host:8000/airbyte/api/public/v1" }),
    );
    expect(prefixed.configApiUrl).toBe("http://host:8000/airbyte/api/v1");
    expect(prefixed.webUrl).toBe("http://host:8000/airbyte");
  });

  test("AIRBYTE_CLOUD_CONFIG_API_URL overrides the derived Config API root", () => {
    const cloud = cloudRoots(
      cloudSettings({ AIRBYTE_CLOUD_CONFIG_API_URL: "https://proxy.example/config/v1" }),
    );
    expect(cloud.configApiUrl).toBe("https://proxy.example/config/v1");
    expect(cloud.webUrl).toBe("https://cloud.airbyte.com");
  });

  test("another root: no Config API unless set, web links at the root without /v1", () => {
    const roots = cloudRoots(cloudSettings({ AIRBYTE_CLOUD_API_URL: "http://127.0.0.1:8080/v1" }));
    expect(roots.deployment).toBe("custom");
    expect(roots.configApiUrl).toBeNull();
    expect(roots.webUrl).toBe("http://127.0.0.1:8080");
  });
});

describe("web links", () => {
  test("Airbyte Cloud", () => {
    const web = webUrls(cloudRoots(cloudSettings({})));
    const base = `https://cloud.airbyte.com/workspaces/${WS}`;
    expect(web.workspace(WS)).toBe(base);
    expect(web.source(WS, "s1")).toBe(`${base}/source/s1`);
    expect(web.destination(WS, "d1")).toBe(`${base}/destination/d1`);
    expect(web.connection(WS, "c1")).toBe(`${base}/connections/c1`);
    expect(web.job(WS, "c1")).toBe(`${base}/connections/c1/timeline`);
    expect(web.builderProject(WS, "b1")).toBe(`${base}/connector-builder/edit/b1`);
  });

  test("self-managed links point at the web app, not at the API root (PyAirbyte #563)", () => {
    const client = createCloudClient({
      settings: cloudSettings({ AIRBYTE_CLOUD_API_URL: "https://airbyte.corp.example/api/public/v1" }),
    });
    expect(client.web.source(WS, "s1")).toBe(`https://airbyte.corp.example/workspaces/${WS}/source/s1`);
    expect(client.web.connection(WS, "c1")).not.toContain("/api/");
  });

  test("ids are encoded into their segment", () => {
    const web = webUrls({ webUrl: "https://cloud.airbyte.com" });
    expect(web.source("w/x", "s?y")).toBe("https://cloud.airbyte.com/workspaces/w%2Fx/source/s%3Fy");
  });
});

describe("requests go to the roots of the settings", () => {
  test("self-managed: token and public calls under /api/public/v1, Config API calls under /api/v1", async () => {
    const app = new Hono();
    app.post("/api/public/v1/applications/token", (c) =>
      c.json({ access_token: "tok-1", token_type: "Bearer", expires_in: 900 }),
    );
    app.get("/api/public/v1/workspaces/:id", (c) =>
      c.json({ workspaceId: c.req.param("id"), name: "w", dataResidency: "auto", notifications: {} }),
    );
    app.post("/api/v1/workspaces/get_organization_info", (c) =>
      c.json({ organizationId: "org-1", organizationName: "Org", sso: false }),
    );
    api = startApi(app);
    const client = createCloudClient({
      settings: cloudSettings({
        AIRBYTE_CLOUD_API_URL: `${api.origin}/api/public/v1`,
        AIRBYTE_CLOUD_CLIENT_ID: CLIENT_ID,
        AIRBYTE_CLOUD_CLIENT_SECRET: CLIENT_SECRET,
      }),
      retry: FAST_RETRY,
    });
    expect((await client.workspaces.get(WS)).workspaceId).toBe(WS);
    expect((await client.config.workspaceOrganizationInfo(WS)).organizationId).toBe("org-1");
    expect(api.requests.map((r) => `${r.method} ${r.path} ${r.authorization ?? "-"}`)).toEqual([
      "POST /api/public/v1/applications/token -",
      `GET /api/public/v1/workspaces/${WS} Bearer tok-1`,
      "POST /api/v1/workspaces/get_organization_info Bearer tok-1",
    ]);
    expect(client.web.workspace(WS)).toBe(`${api.origin}/workspaces/${WS}`);
  });

  test("a Config API call with no Config API root says which variable to set, and sends nothing", async () => {
    const app = new Hono();
    app.all("*", (c) => c.json({}));
    api = startApi(app);
    const client = createCloudClient({
      settings: cloudSettings({
        AIRBYTE_CLOUD_API_URL: `${api.origin}/v1`,
        AIRBYTE_CLOUD_BEARER_TOKEN: BEARER,
      }),
      retry: FAST_RETRY,
    });
    const e = (await rejection(client.config.jobInfo(12))) as CloudApiError;
    expect(e).toBeInstanceOf(CloudApiError);
    expect(e.hint).toContain("AIRBYTE_CLOUD_CONFIG_API_URL");
    expect(api.requests).toHaveLength(0);
  });

  test("redirects are not followed (the token would go wherever they point)", async () => {
    const app = new Hono();
    app.get("/v1/workspaces/:id", (c) => c.redirect("http://127.0.0.1:9/elsewhere", 307));
    api = startApi(app);
    const client = createCloudClient({
      settings: cloudSettings({
        AIRBYTE_CLOUD_API_URL: `${api.origin}/v1`,
        AIRBYTE_CLOUD_BEARER_TOKEN: BEARER,
      }),
      retry: FAST_RETRY,
    });
    const e = (await rejection(client.workspaces.get(WS))) as CloudApiError;
    expect(e).toBeInstanceOf(CloudApiError);
    expect(e.status).toBe(307);
    expect(e.message).toContain("http://127.0.0.1:9/elsewhere");
    expect(e.hint).toContain("AIRBYTE_CLOUD_API_URL");
    expect(e.text).not.toContain(BEARER);
    expect(api.requests).toHaveLength(1);
  });
});
