// A local stand-in for connectors.airbyte.com and docs.airbyte.com, built on the real registry
// snapshot in ../shared/fixtures: the registry JSON with ETag/304, per-connector metadata files at
// the registry's version, and docs pages with a changelog table. Faults on demand: HTTP 500, a
// request that never answers, a body cut short.

import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Hono } from "hono";
import { stringify as toYaml } from "yaml";

import { FIXTURES } from "../helpers/fixtures.ts";

export { FIXTURES };
export const REGISTRY_FIXTURE = join(FIXTURES, "oss_registry.json");
export const REGISTRY_PATH = "/files/registries/v0/oss_registry.json";
export const METADATA_PATH = "/files/metadata/airbyte";

export type Fault = "ok" | "500" | "hang" | "cut" | "garbage";

interface RawEntry {
  dockerRepository: string;
  dockerImageTag: string;
  name: string;
  spec?: unknown;
  [k: string]: unknown;
}

export interface RequestLog {
  path: string;
  status: number;
  ifNoneMatch: string | null;
}

/** Deterministic changelog rows for a connector: the registry's version and the patch versions before it. */
export function changelogRows(entry: { dockerImageTag: string; dockerRepository: string }) {
  const [major = 0, minor = 0, patch = 0] = entry.dockerImageTag
    .split(/[.-]/)
    .map((n) => Number.parseInt(n, 10) || 0);
  const seed = Number.parseInt(
    createHash("sha1").update(entry.dockerRepository).digest("hex").slice(0, 6),
    16,
  );
  const rows: { version: string; date: string; pr: number; subject: string }[] = [];
  for (let p = patch, i = 0; p >= 0 && i < 12; p--, i++) {
    const day = new Date(Date.UTC(2025, 0, 25) - (i * 9 + (seed % 7)) * 86_400_000);
    rows.push({
      version: `${major}.${minor}.${p}`,
      date: day.toISOString().slice(0, 10),
      pr: 50_000 + ((seed + i * 37) % 9_000),
      subject:
        i === 0
          ? "Update dependencies & <b>base image</b>"
          : `Fix ${entry.dockerRepository.split("/").pop()} issue #${i}`,
    });
  }
  return rows;
}

function changelogHtml(title: string, rows: ReturnType<typeof changelogRows>): string {
  const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  const body = rows
    .map(
      (r) =>
        `<tr><td>${r.version}</td><td>${r.date}</td><td><a href="https://github.com/airbytehq/airbyte/pull/${r.pr}">${r.pr}</a></td><td>${esc(r.subject)}</td></tr>`,
    )
    .join("\n");
  return `<!doctype html><html><head><title>${esc(title)} | Airbyte Docs</title></head><body><article>
<h1>${esc(title)}</h1><p>Setup guide...</p>
<h2 id="changelog">Changelog</h2>
<details><summary>Expand to review</summary>
<table><thead><tr><th>Version</th><th>Date</th><th>Pull Request</th><th>Subject</th></tr></thead>
<tbody>
${body}
</tbody></table></details></article></body></html>`;
}

export class FakeRegistryServer {
  readonly registryText: string;
  readonly entries = new Map<string, { type: "source" | "destination"; raw: RawEntry }>();
  readonly requests: RequestLog[] = [];
  /** Faults by route: "registry", "metadata", "docs". */
  faults: Record<"registry" | "metadata" | "docs", Fault> = { registry: "ok", metadata: "ok", docs: "ok" };
  /** Connectors whose cloud.json is absent (OSS-only), so oss.json must be used. */
  readonly cloudMissing = new Set<string>();
  private server: ReturnType<typeof Bun.serve> | null = null;
  private readonly hanging: (() => void)[] = [];

  constructor(registryText = readFileSync(REGISTRY_FIXTURE, "utf8")) {
    this.registryText = registryText;
    const json = JSON.parse(registryText) as { sources: RawEntry[]; destinations: RawEntry[] };
    for (const [type, list] of [
      ["source", json.sources],
      ["destination", json.destinations],
    ] as const) {
      for (const raw of list) this.entries.set(raw.dockerRepository.replace(/^airbyte\//, ""), { type, raw });
    }
  }

  get url(): string {
    if (!this.server) throw new Error("not started");
    return `http://127.0.0.1:${this.server.port}`;
  }
  get registryUrl(): string {
    return `${this.url}${REGISTRY_PATH}`;
  }
  get metadataUrl(): string {
    return `${this.url}${METADATA_PATH}`;
  }
  count(pathPart: string): number {
    return this.requests.filter((r) => r.path.includes(pathPart)).length;
  }

  start(): this {
    const app = new Hono();
    const etag = `"${createHash("sha1").update(this.registryText).digest("hex")}"`;

    app.get(REGISTRY_PATH, (c) =>
      this.withFault("registry", c.req.raw, () => {
        if (c.req.header("if-none-match") === etag)
          return new Response(null, { status: 304, headers: { etag } });
        return new Response(this.registryText, { headers: { etag, "content-type": "application/json" } });
      }),
    );

    app.get(`${METADATA_PATH}/:name/:version/:file`, (c) =>
      this.withFault("metadata", c.req.raw, () => {
        const { name, version, file } = c.req.param();
        const found = this.entries.get(name);
        if (!found || (version !== found.raw.dockerImageTag && version !== "latest")) {
          return new Response("<Error><Code>NoSuchKey</Code></Error>", { status: 404 });
        }
        const { raw, type } = found;
        if (file === "cloud.json" && !this.cloudMissing.has(name)) return Response.json(raw);
        if (file === "oss.json") return Response.json(raw);
        if (file === "metadata.yaml") {
          const real = join(FIXTURES, "manifests", `${name}.metadata.yaml`);
          if (existsSync(real)) return new Response(readFileSync(real, "utf8"));
          const { spec: _spec, ...data } = raw;
          return new Response(toYaml({ data: { ...data, connectorType: type } }));
        }
        if (file === "manifest.yaml") {
          const manifest = join(FIXTURES, "manifests", `${name}.yaml`);
          if (existsSync(manifest)) return new Response(readFileSync(manifest, "utf8"));
        }
        return new Response("<Error><Code>NoSuchKey</Code></Error>", { status: 404 });
      }),
    );

    app.get("/integrations/:kind/:short", (c) =>
      this.withFault("docs", c.req.raw, () => {
        const { kind, short } = c.req.param();
        const type = kind === "sources" ? "source" : kind === "destinations" ? "destination" : null;
        const found = type ? this.entries.get(`${type}-${short}`) : undefined;
        if (!found) return new Response("<html><body>Page Not Found</body></html>", { status: 404 });
        return new Response(changelogHtml(found.raw.name, changelogRows(found.raw)), {
          headers: { "content-type": "text/html" },
        });
      }),
    );

    this.server = Bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      fetch: async (request) => {
        const response = await app.fetch(request);
        this.requests.push({
          path: new URL(request.url).pathname,
          status: response.status,
          ifNoneMatch: request.headers.get("if-none-match"),
        });
        return response;
      },
    });
    return this;
  }

  private async withFault(
    route: keyof FakeRegistryServer["faults"],
    _req: Request,
    ok: () => Response,
  ): Promise<Response> {
    switch (this.faults[route]) {
      case "500":
        return Response.json({ message: "Internal Server Error" }, { status: 500 });
      case "hang":
        await new Promise<void>((resolve) => this.hanging.push(resolve));
        return new Response("too late", { status: 503 });
      case "garbage": {
        const text = await ok().text();
        return new Response(text.slice(0, Math.floor(text.length / 2)), { status: 200 });
      }
      case "cut": {
        // Announce the full length, send half, then drop the connection.
        const bytes = new TextEncoder().encode(await ok().text());
        const stream = new ReadableStream({
          start(controller) {
            controller.enqueue(bytes.slice(0, Math.floor(bytes.length / 2)));
            controller.close();
          },
        });
        return new Response(stream, { headers: { "content-length": String(bytes.length) } });
      }
      default:
        return ok();
    }
  }

  async stop(): Promise<void> {
    for (const resolve of this.hanging.splice(0)) resolve();
    await this.server?.stop(true);
    this.server = null;
  }
}
