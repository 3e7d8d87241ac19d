// `airbyte-mcp cloud sync`: run an Airbyte Cloud connection's sync from a CI pipeline. The exit code
// says how the job ended; stdout carries the outcome (a few lines, or JSON with --json); status
// changes go to stderr as they happen, so a CI log shows the job moving.

import { JobWaitCancelled, startSync, summarizeJob, type WaitOutcome, waitForJob } from "../cloud/jobs.ts";
import { workspaceOf } from "../cloud/session.ts";
import { connectionInWorkspace } from "../cloud/workspaces.ts";
import { EXIT, errorText } from "../core/errors.ts";
import type { Runtime } from "../core/runtime.ts";
import type { AnyToolDef } from "../core/tool.ts";
import { hiddenReason } from "../core/visibility.ts";

/** Exit codes of `cloud sync` beyond the common ones (0 ok, 1 failed, 2 usage). */
export const CLOUD_SYNC_EXIT = {
  succeeded: EXIT.ok,
  /** The job failed or was cancelled, or a call to Airbyte failed. */
  failed: EXIT.toolFailed,
  usage: EXIT.usage,
  /** --wait ran out of --timeout while the job was still running. */
  timedOut: 3,
  /** Interrupted (SIGINT/SIGTERM) while waiting. */
  interrupted: 130,
} as const;

export interface CloudSyncOptions {
  connectionId: string;
  workspaceId: string | null;
  wait: boolean;
  timeoutSeconds: number;
  json: boolean;
  /** Cancel the Cloud job when the wait ends without it (timeout or interrupt). */
  cancelOnStop: boolean;
}

export interface CloudSyncIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

/** What `cloud sync --json` prints. */
export interface CloudSyncReport {
  connection_id: string;
  job_id: number | null;
  status: string;
  records_synced: number | null;
  bytes_synced: number | null;
  duration: string | null;
  duration_seconds: number | null;
  start_time: string | null;
  job_url: string | null;
  waited: boolean;
  timed_out: boolean;
  cancelled_by_cli: boolean;
  error: string | null;
}

export async function cloudSync(
  options: CloudSyncOptions,
  rt: Runtime,
  tools: readonly AnyToolDef[],
  io: CloudSyncIo,
  signal: AbortSignal,
): Promise<number> {
  const report: CloudSyncReport = {
    connection_id: options.connectionId,
    job_id: null,
    status: "not_started",
    records_synced: null,
    bytes_synced: null,
    duration: null,
    duration_seconds: null,
    start_time: null,
    job_url: null,
    waited: options.wait,
    timed_out: false,
    cancelled_by_cli: false,
    error: null,
  };
  const finish = (code: number): number => {
    const masked = rt.redactor.value(
      report as unknown as Record<string, unknown>,
    ) as unknown as CloudSyncReport;
    io.stdout(options.json ? `${JSON.stringify(masked, null, 2)}\n` : humanReport(masked));
    return code;
  };
  // The same filters as the tool run_cloud_sync: a setting that hides it also refuses this command.
  const tool = tools.find((t) => t.name === "run_cloud_sync");
  const hidden = tool ? hiddenReason(tool, rt.settings, { kind: "cli" }) : "run_cloud_sync is not available.";
  if (hidden) {
    report.error = hidden;
    report.status = "refused";
    io.stderr(`cloud sync: ${hidden}\n`);
    return finish(CLOUD_SYNC_EXIT.usage);
  }

  const client = rt.cloud.client();
  let jobId: number | null = null;
  try {
    const workspaceId = workspaceOf(options.workspaceId, rt.settings);
    const connection = await connectionInWorkspace(client, options.connectionId, workspaceId, signal);
    report.job_url = client.web.job(workspaceId, connection.connectionId);
    const started = await startSync(client, connection.connectionId, signal);
    jobId = started.jobId;
    fill(report, started);
    io.stderr(`cloud sync: started job ${started.jobId} of connection ${connection.connectionId}\n`);
    if (!options.wait) return finish(CLOUD_SYNC_EXIT.succeeded);

    let last = started.status;
    let outcome: WaitOutcome;
    try {
      outcome = await waitForJob(rt.cloud, client, started.jobId, {
        timeoutMs: options.timeoutSeconds * 1000,
        signal,
        onProgress: ({ job, elapsedMs }) => {
          if (job.status === last) return;
          last = job.status;
          io.stderr(`cloud sync: job ${job.jobId} is ${job.status} (${Math.round(elapsedMs / 1000)} s)\n`);
        },
      });
    } catch (error) {
      if (!(error instanceof JobWaitCancelled)) throw error;
      report.error = `Interrupted while waiting for job ${started.jobId}.`;
      await cancelIfAsked(options, rt, started.jobId, report, io);
      return finish(CLOUD_SYNC_EXIT.interrupted);
    }
    fill(report, outcome.job);
    if (outcome.kind === "timeout") {
      report.timed_out = true;
      report.error = `Job ${outcome.job.jobId} was still ${outcome.job.status} after ${options.timeoutSeconds} s (--timeout).`;
      await cancelIfAsked(options, rt, started.jobId, report, io);
      return finish(CLOUD_SYNC_EXIT.timedOut);
    }
    if (outcome.job.status !== "succeeded") {
      report.error = `Job ${outcome.job.jobId} ended with status ${outcome.job.status}. Read its logs with: airbyte-mcp call get_cloud_sync_logs --json '{"connection_id": "${connection.connectionId}", "job_id": ${outcome.job.jobId}}'`;
      return finish(CLOUD_SYNC_EXIT.failed);
    }
    return finish(CLOUD_SYNC_EXIT.succeeded);
  } catch (error) {
    if (signal.aborted && jobId === null) {
      report.error = "Interrupted before the job started.";
      return finish(CLOUD_SYNC_EXIT.interrupted);
    }
    report.error = rt.redactor.text(errorText(error));
    io.stderr(`cloud sync: ${report.error}\n`);
    return finish(CLOUD_SYNC_EXIT.failed);
  }
}

function fill(report: CloudSyncReport, job: Parameters<typeof summarizeJob>[0]): void {
  const s = summarizeJob(job);
  report.job_id = s.jobId;
  report.status = s.status;
  report.records_synced = s.records;
  report.bytes_synced = s.bytes;
  report.duration = s.duration;
  report.duration_seconds = s.durationSeconds;
  report.start_time = s.startTime;
}

/** With --cancel-on-stop, a wait that ends early cancels the job (a fresh signal: the old one is spent). */
async function cancelIfAsked(
  options: CloudSyncOptions,
  rt: Runtime,
  jobId: number,
  report: CloudSyncReport,
  io: CloudSyncIo,
): Promise<void> {
  if (!options.cancelOnStop) {
    io.stderr(`cloud sync: job ${jobId} keeps running in Airbyte Cloud.\n`);
    return;
  }
  try {
    const job = await rt.cloud.client().jobs.cancel(jobId, AbortSignal.timeout(30_000));
    fill(report, job);
    report.cancelled_by_cli = true;
    io.stderr(`cloud sync: cancelled job ${jobId}.\n`);
  } catch (error) {
    io.stderr(`cloud sync: could not cancel job ${jobId}: ${rt.redactor.text(errorText(error))}\n`);
  }
}

function humanReport(r: CloudSyncReport): string {
  const n = (v: number | null) => (v === null ? "-" : v.toLocaleString("en-US"));
  const lines = [
    `job ${r.job_id ?? "-"}: ${r.status}${r.timed_out ? " (timed out waiting)" : ""}${r.cancelled_by_cli ? " (cancelled by this command)" : ""}`,
    `connection: ${r.connection_id}`,
    `records: ${n(r.records_synced)}  bytes: ${n(r.bytes_synced)}  duration: ${r.duration_seconds === null ? "-" : `${r.duration_seconds} s`}`,
  ];
  if (r.job_url) lines.push(`url: ${r.job_url}`);
  if (r.error) lines.push(`error: ${r.error}`);
  return `${lines.join("\n")}\n`;
}
