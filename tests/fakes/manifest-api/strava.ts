// Strava API v3 as source-strava's manifest uses it: the refresh-token grant at /oauth/token
// (answering `expires_at`, an epoch, as Strava does), bearer access tokens, the athlete's own stats
// (403 for another athlete), and /athlete/activities paged by `page` / `per_page` (default 30),
// filtered by `after` / `before` (epoch seconds, exclusive), oldest first when `after` is given and
// newest first otherwise.

import type { Context } from "hono";
import { bearerToken, FakeApi, intParam, OAuthServer, type Reply } from "./common.ts";
import { epochSeconds, isoSeconds, Rand, spread } from "./generate.ts";

type Json = Record<string, unknown>;

export const STRAVA_ORIGINS = ["https://www.strava.com"];

const authError: Reply = {
  status: 401,
  body: {
    message: "Authorization Error",
    errors: [{ resource: "Athlete", field: "access_token", code: "invalid" }],
  },
};

export interface StravaCredentials {
  client_id: string;
  client_secret: string;
  refresh_token: string;
  athlete_id: number;
}

export class StravaApi extends FakeApi {
  readonly oauth: OAuthServer;
  readonly activities: Json[] = [];
  private seq = 0;

  /** `stats`: the athlete's stats record; `template`: an activity whose shape generated ones copy. */
  constructor(
    readonly creds: StravaCredentials,
    readonly stats: Json,
    private readonly template: Json,
  ) {
    super();
    this.oauth = new OAuthServer({
      clientId: creds.client_id,
      clientSecret: creds.client_secret,
      refreshToken: creds.refresh_token,
      lifetimeSeconds: 21_600,
      expiryField: "expires_at",
      required: { grant_type: "refresh_token" },
      invalidClient: {
        status: 401,
        body: {
          message: "Authorization Error",
          errors: [{ resource: "Application", field: "client_id", code: "invalid" }],
        },
      },
      invalidGrant: {
        status: 400,
        body: {
          message: "Bad Request",
          errors: [{ resource: "RefreshToken", field: "refresh_token", code: "invalid" }],
        },
      },
    });
    this.route("POST", "/oauth/token", "token", (c) => this.oauth.handle(c));
    this.route(
      "GET",
      "/api/v3/athletes/:id/stats",
      "athlete_stats",
      (c) => {
        const denied = this.denied(c);
        if (denied) return denied;
        if (Number(c.req.param("id")) !== creds.athlete_id)
          return {
            status: 403,
            body: { message: "Forbidden", errors: [{ resource: "Athlete", field: "id", code: "forbidden" }] },
          };
        return { body: this.stats, records: [this.stats] };
      },
      "athlete_stats",
    );
    this.route(
      "GET",
      "/api/v3/athlete/activities",
      "activities",
      (c) => this.listActivities(c),
      "activities",
    );
  }

  /** Adds `count` activities starting evenly between `from` and `to`. */
  addActivities(from: Date, to: Date, count: number): Json[] {
    const added = spread(from, to, count).map((d) => {
      const i = this.seq++;
      const r = new Rand(9000 + i);
      return {
        ...this.template,
        id: 20_000_000_000 + i,
        name: `${r.words(2)} ${i}`,
        distance: r.int(1000, 40_000) + 0.5,
        start_date: isoSeconds(d),
        start_date_local: isoSeconds(d),
      };
    });
    this.activities.push(...added);
    return added;
  }

  private denied(c: Context): Reply | null {
    return this.oauth.check(bearerToken(c)) === "ok" ? null : authError;
  }

  private listActivities(c: Context): Reply {
    const denied = this.denied(c);
    if (denied) return denied;
    const perPage = intParam(c, "per_page", 30);
    const page = intParam(c, "page", 1);
    const after = intParam(c, "after", -1);
    const before = intParam(c, "before", Number.MAX_SAFE_INTEGER);
    if (perPage === null || page === null || after === null || before === null || perPage > 200 || page < 1)
      return {
        status: 400,
        body: { message: "Bad Request", errors: [{ resource: "Activity", field: "page", code: "invalid" }] },
      };
    const at = (a: Json) => epochSeconds(new Date(String(a.start_date)));
    const items = this.activities
      .filter((a) => at(a) > after && at(a) < before)
      .sort((a, b) => at(a) - at(b));
    if (c.req.query("after") === undefined) items.reverse();
    const records = items.slice((page - 1) * perPage, page * perPage);
    return { body: records, records };
  }
}
