// Where the Cloud client sends requests and where its links point, from the settings alone (never
// from a tool argument or a request header: a caller must not be able to send the token elsewhere).
//
// | AIRBYTE_CLOUD_API_URL              | Config API root (unless set)    | web root                  |
// | https://api.airbyte.com/v1         | https://cloud.airbyte.com/api/v1 | https://cloud.airbyte.com |
// | https://host[/prefix]/api/public/v1 | https://host[/prefix]/api/v1     | https://host[/prefix]     |
// | anything else                      | none: set AIRBYTE_CLOUD_CONFIG_API_URL | the URL minus a trailing /v1 |
//
// PyAirbyte uses the API root as the web root of self-managed installs, which gives broken links
// (PyAirbyte #563); the web app is served from the host root there.

import type { Settings } from "../../core/settings.ts";

export const CLOUD_API_URL = "https://api.airbyte.com/v1";
export const CLOUD_CONFIG_API_URL = "https://cloud.airbyte.com/api/v1";
export const CLOUD_WEB_URL = "https://cloud.airbyte.com";

export type Deployment = "cloud" | "self-managed" | "custom";

export interface CloudRoots {
  deployment: Deployment;
  /** The public API root, without a trailing slash. */
  apiUrl: string;
  /** The internal Config API root, or null when it cannot be derived and is not set. */
  configApiUrl: string | null;
  /** The web app's root, for links. */
  webUrl: string;
}

const SELF_MANAGED_SUFFIX = "/api/public/v1";

export function cloudRoots(settings: Pick<Settings, "cloud">): CloudRoots {
  const apiUrl = trimSlashes(settings.cloud.apiUrl);
  const override = settings.cloud.configApiUrl ? trimSlashes(settings.cloud.configApiUrl) : null;
  if (isCloudApi(apiUrl)) {
    return {
      deployment: "cloud",
      apiUrl,
      configApiUrl: override ?? CLOUD_CONFIG_API_URL,
      webUrl: CLOUD_WEB_URL,
    };
  }
  if (apiUrl.endsWith(SELF_MANAGED_SUFFIX)) {
    const base = apiUrl.slice(0, -SELF_MANAGED_SUFFIX.length);
    return { deployment: "self-managed", apiUrl, configApiUrl: override ?? `${base}/api/v1`, webUrl: base };
  }
  return {
    deployment: "custom",
    apiUrl,
    configApiUrl: override,
    webUrl: apiUrl.replace(/\/v1$/, ""),
  };
}

function isCloudApi(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === "https:" && u.host === "api.airbyte.com" && trimSlashes(u.pathname) === "/v1";
  } catch {
    return false;
  }
}

function trimSlashes(url: string): string {
  return url.replace(/\/+$/, "");
}

/** Links into the web app (the same paths as PyAirbyte's, pyairbyte-mcp.md §6). */
export interface WebUrls {
  workspace(workspaceId: string): string;
  source(workspaceId: string, sourceId: string): string;
  destination(workspaceId: string, destinationId: string): string;
  connection(workspaceId: string, connectionId: string): string;
  /** The connection's timeline, where its jobs are shown (the web app has no page per job). */
  job(workspaceId: string, connectionId: string): string;
  builderProject(workspaceId: string, builderProjectId: string): string;
}

export function webUrls(roots: Pick<CloudRoots, "webUrl">): WebUrls {
  const seg = encodeURIComponent;
  const workspace = (workspaceId: string) => `${roots.webUrl}/workspaces/${seg(workspaceId)}`;
  const connection = (w: string, id: string) => `${workspace(w)}/connections/${seg(id)}`;
  return {
    workspace,
    source: (w, id) => `${workspace(w)}/source/${seg(id)}`,
    destination: (w, id) => `${workspace(w)}/destination/${seg(id)}`,
    connection,
    job: (w, connectionId) => `${connection(w, connectionId)}/timeline`,
    builderProject: (w, id) => `${workspace(w)}/connector-builder/edit/${seg(id)}`,
  };
}
