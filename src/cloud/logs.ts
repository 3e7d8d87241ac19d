// Sync logs, read by lines. The public API has no logs: they come from the Config API's jobs/get,
// as formatted lines (`logLines`) or as structured events, which are written `[timestamp] LEVEL:
// message` as PyAirbyte does. A page never holds more than max_lines lines.

import { ToolError } from "../core/errors.ts";
import type { ToolContext } from "../core/tool.ts";
import type { AttemptInfo } from "./client/index.ts";
import { jobOrLatest } from "./jobs.ts";
import { workspaceOf } from "./session.ts";
import { connectionInWorkspace } from "./workspaces.ts";

type Ctx = Pick<ToolContext, "settings" | "cloud" | "signal">;

/** The whole log of one attempt as text, one entry per line. */
export function attemptLogText(attempt: AttemptInfo): string {
  const logs = attempt.logs;
  if (!logs) return "";
  if (logs.logLines && logs.logLines.length > 0) return logs.logLines.join("\n");
  if (logs.events && logs.events.length > 0) {
    return logs.events
      .map((e) => {
        const level = (e.level ?? "info").toUpperCase();
        const stamp = eventTime(e.timestamp);
        return `${stamp === null ? "" : `[${stamp}] `}${level}: ${e.message ?? ""}`;
      })
      .join("\n");
  }
  return "";
}

/** Event timestamps are epoch milliseconds; anything else is shown as sent. */
function eventTime(t: number | string | null | undefined): string | null {
  if (t === null || t === undefined || t === "") return null;
  if (typeof t === "number" && Number.isFinite(t)) return new Date(t).toISOString();
  return String(t);
}

export interface LinePage {
  text: string;
  /** 1-based number of the first line returned. */
  startLine: number;
  count: number;
  total: number;
}

/**
 * A window of `text`'s lines: the last `maxLines` when `fromTail`, else `maxLines` from `lineOffset`
 * (0-based). maxLines 0 means every line.
 */
export function pageLines(
  text: string,
  options: { maxLines: number; fromTail: boolean; lineOffset: number },
): LinePage {
  const lines = text === "" ? [] : text.split(/\r?\n/);
  // A trailing newline ends the last line; it does not start an empty one.
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  const total = lines.length;
  const max = options.maxLines === 0 ? total : options.maxLines;
  const start = options.fromTail ? Math.max(0, total - max) : Math.min(options.lineOffset, total);
  const selected = lines.slice(start, start + max);
  return { text: selected.join("\n"), startLine: start + 1, count: selected.length, total };
}

export interface LogsInput {
  connection_id: string;
  job_id: number | null;
  attempt_number: number | null;
  workspace_id: string | null;
  max_lines: number;
  from_tail: boolean | null;
  line_offset: number | null;
}

export interface LogReadResult {
  job_id: number;
  attempt_number: number;
  log_text: string;
  log_text_start_line: number;
  log_text_line_count: number;
  total_log_lines_available: number;
}

/** get_cloud_sync_logs: a page of lines of one attempt (the last by default) of one job (the latest by default). */
export async function getSyncLogs(ctx: Ctx, input: LogsInput): Promise<LogReadResult> {
  if (input.line_offset !== null && input.from_tail === true) {
    throw new ToolError("Cannot combine line_offset with from_tail=true.", {
      hint: "Use from_tail=true (the default) for the end of the log, or line_offset with from_tail unset or false to read from a given line.",
    });
  }
  const fromTail = input.from_tail ?? input.line_offset === null;
  const workspaceId = workspaceOf(input.workspace_id, ctx.settings);
  const client = ctx.cloud.client();
  const connection = await connectionInWorkspace(client, input.connection_id, workspaceId, ctx.signal);
  const job = await jobOrLatest(client, connection.connectionId, input.job_id, ctx.signal);
  if (!job) {
    throw new ToolError(
      `Connection ${connection.connectionId} has no sync jobs, so there are no logs to read.`,
      {
        hint: "Start a sync with run_cloud_sync, then read its logs.",
      },
    );
  }
  const info = await client.config.jobInfo(job.jobId, ctx.signal);
  const attempts = info.attempts ?? [];
  if (attempts.length === 0) {
    throw new ToolError(
      `Sync job ${job.jobId} has no attempts yet (status: ${job.status}), so it has no logs.`,
      {
        hint: "A job logs once its first attempt starts: wait a little and call again (get_cloud_sync_status shows its status).",
      },
    );
  }
  const index = input.attempt_number ?? attempts.length - 1;
  const attempt = attempts[index];
  if (!attempt) {
    throw new ToolError(`Sync job ${job.jobId} has no attempt number ${index}: it has ${attempts.length}.`, {
      hint: `attempt_number counts from 0: pass 0 to ${attempts.length - 1}, or leave it unset for the last attempt.`,
    });
  }
  const text = attemptLogText(attempt);
  if (text === "") {
    return {
      job_id: job.jobId,
      attempt_number: index,
      log_text: `[No logs available for job '${job.jobId}', attempt ${index}.]`,
      log_text_start_line: 1,
      log_text_line_count: 0,
      total_log_lines_available: 0,
    };
  }
  const page = pageLines(text, { maxLines: input.max_lines, fromTail, lineOffset: input.line_offset ?? 0 });
  return {
    job_id: job.jobId,
    attempt_number: index,
    log_text: page.text,
    log_text_start_line: page.startLine,
    log_text_line_count: page.count,
    total_log_lines_available: page.total,
  };
}
