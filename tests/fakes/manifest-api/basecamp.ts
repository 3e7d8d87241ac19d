// Basecamp 4 (3.basecampapi.com) as source-basecamp's manifest uses it: Launchpad's refresh-token
// endpoint (which wants `type=refresh`), bearer tokens, a User-Agent on every request (400 without),
// `/{account}/…` paths (404 for an unknown account), pages of a fixed size with the next one in a
// Link header carrying the absolute https URL, projects whose `dock` lists their tools, schedule
// entries per bucket and schedule, and /projects/recordings.json by `type`, sortable by updated_at.

import type { Context } from "hono";
import { bearerToken, FakeApi, intParam, linkNext, OAuthServer, type Reply } from "./common.ts";
import { isoMillis, Rand, recordFor, spread } from "./generate.ts";

type Json = Record<string, unknown>;

export const BASECAMP_ORIGINS = ["https://3.basecampapi.com", "https://launchpad.37signals.com"];
const BASE = "https://3.basecampapi.com";
const TOOLS = ["message_board", "todoset", "vault", "chat", "schedule", "questionnaire"] as const;

export interface BasecampCredentials {
  account_id: number;
  client_id: string;
  client_secret: string;
  client_refresh_token_2: string;
}

export class BasecampApi extends FakeApi {
  readonly oauth: OAuthServer;
  readonly projects: Json[] = [];
  /** Entries per schedule id. */
  readonly entries = new Map<number, Json[]>();
  readonly recordings: Record<"Todo" | "Message", Json[]> = { Todo: [], Message: [] };
  readonly pageSize = { projects: 15, entries: 50, recordings: 50 };
  private seq = 0;

  constructor(
    readonly creds: BasecampCredentials,
    private readonly schemas: Record<string, Json>,
    opts: { projects: number; recordings: { Todo: number; Message: number }; tokenLifetimeSeconds?: number },
  ) {
    super();
    this.oauth = new OAuthServer({
      clientId: creds.client_id,
      clientSecret: creds.client_secret,
      refreshToken: creds.client_refresh_token_2,
      lifetimeSeconds: opts.tokenLifetimeSeconds ?? 1_209_600,
      expiryField: "expires_in",
      required: { type: "refresh" },
      invalidClient: { status: 401, body: { error: "invalid_client" } },
      invalidGrant: { status: 400, body: { error: "authorization_expired" } },
    });
    for (let p = 0; p < opts.projects; p++) this.addProject(p);
    const t0 = new Date("2023-01-01T00:00:00Z");
    const t1 = new Date("2024-06-01T00:00:00Z");
    for (const type of ["Todo", "Message"] as const)
      for (const d of spread(t0, t1, opts.recordings[type])) this.addRecording(type, d);

    this.route("POST", "/authorization/token", "token", (c) => this.oauth.handle(c));
    const account = "/:account{[0-9]+}";
    this.route(
      "GET",
      `${account}/projects.json`,
      "projects",
      (c) => this.guard(c, () => this.paged(c, this.projects, this.pageSize.projects)),
      "projects",
    );
    this.route(
      "GET",
      `${account}/projects/recordings.json`,
      "recordings",
      (c) => this.guard(c, () => this.listRecordings(c)),
      (c) => ({ Todo: "todos", Message: "messages" })[c.req.query("type") ?? ""] ?? null,
    );
    this.route(
      "GET",
      `${account}/projects/:file{[0-9]+\\.json}`,
      "project",
      (c) =>
        this.guard(c, () => {
          const id = (c.req.param("file") ?? "").replace(/\.json$/, "");
          const found = this.projects.find((p) => String(p.id) === id);
          return found ? { body: found, records: (found.dock as Json[]) ?? [] } : notFound;
        }),
      "schedules",
    );
    this.route(
      "GET",
      `${account}/buckets/:bucket{[0-9]+}/schedules/:schedule{[0-9]+}/entries.json`,
      "entries",
      (c) =>
        this.guard(c, () => {
          const project = this.projects.find((p) => String(p.id) === c.req.param("bucket"));
          const list = this.entries.get(Number(c.req.param("schedule")));
          if (!project || !list) return notFound;
          return this.paged(c, list, this.pageSize.entries);
        }),
      "schedule_entries",
    );
  }

  private nextId(): number {
    return 1_000_000 + this.seq++;
  }

  private addProject(p: number): void {
    const r = new Rand(300 + p);
    const id = this.nextId();
    const dock = TOOLS.filter((t) => t !== "schedule" || p % 7 !== 3).map((name, position) => ({
      id: this.nextId(),
      title: name.replace("_", " "),
      name,
      enabled: true,
      position,
      url: `${BASE}/${this.creds.account_id}/buckets/${id}/${name}s/${id + position}.json`,
      app_url: `https://3.basecamp.com/${this.creds.account_id}/buckets/${id}/${name}s/${id + position}`,
    }));
    const project = {
      ...recordFor(this.schemas.projects ?? {}, r),
      id,
      status: "active",
      name: `Project ${p} ${r.word()}`,
      url: `${BASE}/${this.creds.account_id}/projects/${id}.json`,
      dock,
    };
    this.projects.push(project);
    for (const tool of dock.filter((t) => t.name === "schedule")) {
      const n = (p * 23) % 70;
      const entries = spread(new Date("2024-01-01T00:00:00Z"), new Date("2024-06-01T00:00:00Z"), n).map(
        (d) => ({
          ...recordFor(this.schemas.schedule_entries ?? {}, new Rand(this.seq)),
          id: this.nextId(),
          type: "Schedule::Entry",
          starts_at: isoMillis(d),
          bucket: { id, name: project.name, type: "Project" },
        }),
      );
      this.entries.set(tool.id, entries);
    }
  }

  addRecording(type: "Todo" | "Message", updatedAt: Date): Json {
    const r = new Rand(800 + this.seq);
    const project = this.projects[this.seq % Math.max(this.projects.length, 1)];
    const rec = {
      ...recordFor(this.schemas[type === "Todo" ? "todos" : "messages"] ?? {}, r),
      id: this.nextId(),
      type,
      status: "active",
      title: `${type} ${r.words(2)}`,
      created_at: isoMillis(new Date(updatedAt.getTime() - 86_400_000)),
      updated_at: isoMillis(updatedAt),
      bucket: { id: project?.id ?? 0, name: project?.name ?? "", type: "Project" },
    };
    this.recordings[type].push(rec);
    return rec;
  }

  /** Token and User-Agent checks, then the account; `body` answers when all pass. */
  private guard(c: Context, body: () => Reply): Reply {
    if (!c.req.header("user-agent"))
      return { status: 400, body: "Please include a User-Agent header with your app name and email.\n" };
    const state = this.oauth.check(bearerToken(c));
    if (state === "expired") return { status: 401, body: { error: "OAuth token expired (old age)" } };
    if (state !== "ok") return { status: 401, body: "HTTP Token: Access denied.\n" };
    if (c.req.param("account") !== String(this.creds.account_id)) return notFound;
    return body();
  }

  private paged(c: Context, items: Json[], size: number): Reply {
    const page = intParam(c, "page", 1);
    if (page === null || page < 1) return { status: 400, body: { error: "invalid page" } };
    const records = items.slice((page - 1) * size, page * size);
    const headers: Record<string, string> = { "X-Total-Count": String(items.length) };
    if (page * size < items.length) {
      const next = new URL(`${BASE}${new URL(c.req.url).pathname}`);
      for (const [k, v] of new URL(c.req.url).searchParams) if (k !== "page") next.searchParams.set(k, v);
      next.searchParams.set("page", String(page + 1));
      Object.assign(headers, linkNext(next.toString()));
    }
    return { body: records, headers, records };
  }

  private listRecordings(c: Context): Reply {
    const type = c.req.query("type");
    if (type !== "Todo" && type !== "Message")
      return { status: 400, body: { status: 400, error: "type is required and must be a recording type" } };
    const sort = c.req.query("sort") ?? "created_at";
    if (sort !== "created_at" && sort !== "updated_at")
      return { status: 400, body: { status: 400, error: "sort must be created_at or updated_at" } };
    const items = [...this.recordings[type]].sort((a, b) => String(b[sort]).localeCompare(String(a[sort])));
    if (c.req.query("direction") === "asc") items.reverse();
    return this.paged(c, items, this.pageSize.recordings);
  }
}

const notFound: Reply = { status: 404, body: { status: 404, error: "Not Found" } };
