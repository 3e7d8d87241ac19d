// Calendly API v2 as source-calendly's manifest uses it: a bearer token; /users/me naming the user's
// organization; collections (/event_types, /groups, /organization_memberships, /scheduled_events)
// that require `organization` (403 for another one), sort by `field:asc|desc`, page with `count` and
// an opaque `page_token` (pagination.next_page_token / next_page), and filter scheduled events by
// min_start_time / max_start_time (inclusive).

import type { Context } from "hono";
import { bearerToken, FakeApi, intParam, pageToken, type Reply, readPageToken } from "./common.ts";
import { isoMicros, parseUtc, Rand, recordFor, spread } from "./generate.ts";

type Json = Record<string, unknown>;

export const CALENDLY_ORIGINS = ["https://api.calendly.com"];
const BASE = "https://api.calendly.com";

const unauthenticated: Reply = {
  status: 401,
  body: { title: "Unauthenticated", message: "The access token is invalid" },
};

export interface CalendlyData {
  eventTypes: number;
  groups: number;
  memberships: number;
  scheduledEvents: { from: Date; to: Date; count: number };
}

export class CalendlyApi extends FakeApi {
  readonly org = `${BASE}/organizations/ORG0000000000001`;
  readonly user: Json;
  readonly eventTypes: Json[] = [];
  readonly groups: Json[] = [];
  readonly memberships: Json[] = [];
  readonly scheduledEvents: Json[] = [];
  private seq = 0;

  constructor(
    readonly token: string,
    private readonly schemas: Record<string, Json>,
    data: CalendlyData,
  ) {
    super();
    this.user = {
      ...recordFor(schemas.api_user ?? {}, new Rand(1)),
      uri: `${BASE}/users/USR0000000000001`,
      current_organization: this.org,
    };
    const t0 = new Date("2022-01-03T00:00:00Z");
    const t1 = new Date("2024-06-01T00:00:00Z");
    for (const d of spread(t0, t1, data.eventTypes)) this.addEventType(d);
    for (const d of spread(t0, t1, data.groups)) this.groups.push(this.item("groups", "groups", d));
    for (const d of spread(t0, t1, data.memberships))
      this.memberships.push({ ...this.item("organization_memberships", "organization_memberships", d) });
    for (const d of spread(data.scheduledEvents.from, data.scheduledEvents.to, data.scheduledEvents.count))
      this.addScheduledEvent(d);

    this.route(
      "GET",
      "/users/me",
      "users_me",
      (c) => {
        if (bearerToken(c) !== this.token) return unauthenticated;
        return { body: { resource: this.user }, records: [this.user] };
      },
      "api_user",
    );
    this.collection("/event_types", "event_types", () => this.eventTypes, "updated_at:asc");
    this.collection("/groups", "groups", () => this.groups, "created_at:asc");
    this.collection(
      "/organization_memberships",
      "organization_memberships",
      () => this.memberships,
      "created_at:asc",
    );
    this.collection(
      "/scheduled_events",
      "scheduled_events",
      () => this.scheduledEvents,
      "start_time:asc",
      true,
    );
  }

  private item(kind: string, schema: string, at: Date): Json {
    const i = this.seq++;
    const r = new Rand(5000 + i);
    const id = `${kind.slice(0, 3).toUpperCase()}${String(i).padStart(13, "0")}`;
    const stamp = isoMicros(new Date(at.getTime() + r.int(0, 999)));
    return {
      ...recordFor(this.schemas[schema] ?? {}, r),
      uri: `${BASE}/${kind}/${id}`,
      organization: this.org,
      created_at: stamp,
      updated_at: stamp,
    };
  }

  addEventType(updatedAt: Date): Json {
    const e = { ...this.item("event_types", "event_types", updatedAt), updated_at: isoMicros(updatedAt) };
    this.eventTypes.push(e);
    return e;
  }

  addScheduledEvent(start: Date): Json {
    const e = {
      ...this.item("scheduled_events", "scheduled_events", start),
      start_time: isoMicros(start),
      end_time: isoMicros(new Date(start.getTime() + 1_800_000)),
    };
    this.scheduledEvents.push(e);
    return e;
  }

  private collection(
    path: string,
    stream: string,
    all: () => Json[],
    defaultSort: string,
    startFilters = false,
  ): void {
    this.route("GET", path, stream, (c) => this.list(c, path, all(), defaultSort, startFilters), stream);
  }

  private list(c: Context, path: string, all: Json[], defaultSort: string, startFilters: boolean): Reply {
    if (bearerToken(c) !== this.token) return unauthenticated;
    const org = c.req.query("organization");
    if (!org && !c.req.query("user"))
      return {
        status: 400,
        body: {
          title: "Invalid Argument",
          message: "The supplied parameters are invalid.",
          details: [{ parameter: "organization", message: "one of organization or user must be provided" }],
        },
      };
    if (org !== this.org)
      return {
        status: 403,
        body: { title: "Permission Denied", message: "You do not have permission to access this resource." },
      };
    const count = intParam(c, "count", 20);
    if (count === null || count < 1 || count > 100)
      return { status: 400, body: { title: "Invalid Argument", message: "count must be between 1 and 100" } };

    const [field = "", dir = "asc"] = (c.req.query("sort") ?? defaultSort).split(":");
    let items = [...all].sort((a, b) => String(a[field]).localeCompare(String(b[field])));
    if (dir === "desc") items.reverse();
    if (startFilters) {
      const min = c.req.query("min_start_time");
      const max = c.req.query("max_start_time");
      if (min) items = items.filter((e) => parseUtc(String(e.start_time)) >= parseUtc(min));
      if (max) items = items.filter((e) => parseUtc(String(e.start_time)) <= parseUtc(max));
    }

    const token = c.req.query("page_token");
    const offset = token === undefined ? 0 : readPageToken("cal", token);
    if (offset === null)
      return { status: 400, body: { title: "Invalid Argument", message: "page_token is invalid" } };
    const collection = items.slice(offset, offset + count);
    const nextToken = offset + count < items.length ? pageToken("cal", offset + count) : null;
    const pageUrl = (t: string) => {
      const u = new URL(`${BASE}${path}`);
      for (const [k, v] of new URL(c.req.url).searchParams) if (k !== "page_token") u.searchParams.set(k, v);
      u.searchParams.set("page_token", t);
      return u.toString();
    };
    return {
      body: {
        collection,
        pagination: {
          count: collection.length,
          next_page: nextToken ? pageUrl(nextToken) : null,
          previous_page: null,
          next_page_token: nextToken,
          previous_page_token: null,
        },
      },
      records: collection,
    };
  }
}
