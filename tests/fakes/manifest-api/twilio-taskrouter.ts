// Twilio TaskRouter v1 as source-twilio-taskrouter's manifest uses it: HTTP Basic with the account
// SID and auth token (401 with Twilio's error 20003 otherwise), /v1/Workspaces and
// /v1/Workspaces/{sid}/Workers (404, error 20404, for an unknown workspace), pages of `PageSize`
// (default 50, at most 1000) whose `meta.next_page_url` is the absolute URL of the next page
// (Page and PageToken), null on the last one.

import type { Context } from "hono";
import { basicCredentials, FakeApi, intParam, pageToken, type Reply, readPageToken } from "./common.ts";
import { isoSeconds, Rand, recordFor } from "./generate.ts";

type Json = Record<string, unknown>;

export const TWILIO_ORIGINS = ["https://taskrouter.twilio.com"];
const BASE = "https://taskrouter.twilio.com";

const twilioError = (status: number, code: number, message: string): Reply => ({
  status,
  body: { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status },
});

export class TwilioTaskrouterApi extends FakeApi {
  readonly workspaces: Json[] = [];
  readonly workers = new Map<string, Json[]>();

  /** `workersPer(i)`: how many workers workspace i has. */
  constructor(
    readonly accountSid: string,
    readonly authToken: string,
    schemas: Record<string, Json>,
    opts: { workspaces: number; workersPer: (i: number) => number },
  ) {
    super();
    for (let i = 0; i < opts.workspaces; i++) {
      const r = new Rand(400 + i);
      const sid = `WS${r.hex(32)}`;
      const ws = {
        ...recordFor(schemas.workspaces ?? {}, r),
        sid,
        account_sid: accountSid,
        friendly_name: `Workspace ${i}`,
        date_created: isoSeconds(new Date(Date.UTC(2023, 0, 1 + i))),
        url: `${BASE}/v1/Workspaces/${sid}`,
      };
      this.workspaces.push(ws);
      this.workers.set(
        sid,
        Array.from({ length: opts.workersPer(i) }, (_, j) => {
          const wr = new Rand(100_000 + i * 1000 + j);
          const wk = `WK${wr.hex(32)}`;
          return {
            ...recordFor(schemas.workers ?? {}, wr),
            sid: wk,
            account_sid: accountSid,
            workspace_sid: sid,
            friendly_name: `Worker ${i}.${j}`,
            url: `${BASE}/v1/Workspaces/${sid}/Workers/${wk}`,
          };
        }),
      );
    }
    this.route(
      "GET",
      "/v1/Workspaces",
      "workspaces",
      (c) => this.guard(c, () => this.page(c, "workspaces", this.workspaces, "/v1/Workspaces")),
      "workspaces",
    );
    this.route(
      "GET",
      "/v1/Workspaces/:sid/Workers",
      "workers",
      (c) =>
        this.guard(c, () => {
          const sid = c.req.param("sid") ?? "";
          const list = this.workers.get(sid);
          if (!list)
            return twilioError(404, 20404, `The requested resource /Workspaces/${sid}/Workers was not found`);
          return this.page(c, "workers", list, `/v1/Workspaces/${sid}/Workers`);
        }),
      "workers",
    );
  }

  private guard(c: Context, body: () => Reply): Reply {
    const cred = basicCredentials(c);
    if (!cred || cred.user !== this.accountSid || cred.password !== this.authToken)
      return twilioError(401, 20003, "Authenticate");
    return body();
  }

  private page(c: Context, key: string, items: Json[], path: string): Reply {
    const size = intParam(c, "PageSize", 50);
    const page = intParam(c, "Page", 0);
    if (size === null || size < 1 || size > 1000 || page === null)
      return twilioError(400, 20001, "Invalid PageSize or Page");
    const tokenParam = c.req.query("PageToken");
    const offset = tokenParam === undefined ? page * size : readPageToken("PT", tokenParam);
    if (offset === null) return twilioError(400, 20001, "Invalid PageToken");
    const records = items.slice(offset, offset + size);
    const url = (p: number, token?: string) =>
      `${BASE}${path}?PageSize=${size}&Page=${p}${token ? `&PageToken=${token}` : ""}`;
    const hasNext = offset + size < items.length;
    const current = Math.floor(offset / size);
    return {
      body: {
        [key]: records,
        meta: {
          first_page_url: url(0),
          key,
          next_page_url: hasNext ? url(current + 1, pageToken("PT", offset + size)) : null,
          page: current,
          page_size: size,
          previous_page_url:
            current > 0 ? url(current - 1, pageToken("PT", Math.max(0, offset - size))) : null,
          url: url(current),
        },
      },
      records,
    };
  }
}
