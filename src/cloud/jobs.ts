// Sync jobs: starting one, waiting for it (polls that back off, progress, cancellation, a deadline),
// cancelling it, and reading a connection's job history. Shared by the Cloud tools and the CLI's
// `airbyte-mcp cloud sync`.

import { ToolError } from "../core/errors.ts";
import type { Progress, ToolContext } from "../core/tool.ts";
import {
  CloudApiError,
  type CloudClient,
  collect,
  FINAL_JOB_STATUSES,
  type Job,
  type JobStatus,
  type JobType,
} from "./client/index.ts";
import type { CloudSession } from "./session.ts";
import { workspaceOf } from "./session.ts";
import { connectionInWorkspace } from "./workspaces.ts";

type Ctx = Pick<ToolContext, "settings" | "cloud" | "signal" | "log" | "progress">;

/** A job as the tools and the CLI report it. */
export interface JobSummary {
  jobId: number;
  connectionId: string;
  jobType: JobType;
  status: JobStatus;
  /** ISO-8601 instant (UTC), normalised to whole seconds. */
  startTime: string;
  records: number | null;
  bytes: number | null;
  /** ISO-8601 duration as the API gives it ("PT1M30S"), null while pending. */
  duration: string | null;
  durationSeconds: number | null;
}

export function summarizeJob(job: Job): JobSummary {
  return {
    jobId: job.jobId,
    connectionId: job.connectionId,
    jobType: job.jobType,
    status: job.status,
    startTime: isoInstant(job.startTime),
    records: job.rowsSynced ?? null,
    bytes: job.bytesSynced ?? null,
    duration: job.duration ?? null,
    durationSeconds: job.duration ? durationSeconds(job.duration) : null,
  };
}

/** The API's Java-style instants ("2024-06-09T21:50Z") as full ISO-8601 ("2024-06-09T21:50:00Z"). */
export function isoInstant(text: string): string {
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? text : new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** Seconds of an ISO-8601 duration ("PT1H2M3.5S", "P1DT2H"); null when it cannot be read. */
export function durationSeconds(text: string): number | null {
  const m =
    /^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(-?\d+(?:\.\d+)?)S)?)?$/.exec(
      text.trim(),
    );
  if (!m || text.trim() === "P" || text.trim() === "PT") return null;
  const [, d, h, min, s] = m;
  return Number(d ?? 0) * 86_400 + Number(h ?? 0) * 3_600 + Number(min ?? 0) * 60 + Number(s ?? 0);
}

export function isFinal(status: JobStatus): boolean {
  return FINAL_JOB_STATUSES.has(status);
}

/** Starts a sync job on a connection (POST /jobs). A 409 means one is already running. */
export async function startSync(
  client: CloudClient,
  connectionId: string,
  signal?: AbortSignal,
): Promise<Job> {
  return client.jobs.create({ connectionId, jobType: "sync" }, signal);
}

export type PollTiming = Pick<CloudSession, "pollIntervalMs" | "maxPollIntervalMs">;

export interface WaitProgress {
  job: Job;
  /** Polls made so far (1 for the first report). */
  polls: number;
  elapsedMs: number;
}

export interface WaitOptions {
  /** Stop waiting (not the job) after this long. */
  timeoutMs: number;
  /** Stops the wait at once, between or during polls. */
  signal?: AbortSignal;
  /** Called after every poll. */
  onProgress?: (p: WaitProgress) => void;
}

export type WaitOutcome =
  /** The job reached succeeded, failed or cancelled. */
  | { kind: "finished"; job: Job; elapsedMs: number; polls: number }
  /** The deadline passed first; `job` is the last status read. The job keeps running. */
  | { kind: "timeout"; job: Job; elapsedMs: number; polls: number };

/** The wait was cancelled by the caller; the job itself keeps running in Airbyte. */
export class JobWaitCancelled extends ToolError {
  constructor(readonly jobId: number) {
    super(
      `Stopped waiting for sync job ${jobId}: the call was cancelled. The job keeps running in Airbyte Cloud.`,
      {
        hint: `Check it later with get_cloud_sync_status (job_id=${jobId}), or stop it with cancel_cloud_sync.`,
      },
    );
    this.name = "JobWaitCancelled";
  }
}

/**
 * Polls GET /jobs/{id} until the job ends or `timeoutMs` passes: at once, then after
 * `pollIntervalMs`, growing by half each time up to `maxPollIntervalMs`, and once more at the
 * deadline. Throws JobWaitCancelled when the signal aborts, and a ToolError naming the job when a poll
 * fails (after the client's own retries).
 */
export async function waitForJob(
  timing: PollTiming,
  client: Pick<CloudClient, "jobs">,
  jobId: number,
  options: WaitOptions,
): Promise<WaitOutcome> {
  const { signal } = options;
  const started = performance.now();
  const elapsed = () => performance.now() - started;
  let interval = Math.max(0, timing.pollIntervalMs);
  const maxInterval = Math.max(interval, timing.maxPollIntervalMs);
  for (let polls = 1; ; polls++) {
    if (signal?.aborted) throw new JobWaitCancelled(jobId);
    let job: Job;
    try {
      job = await client.jobs.get(jobId, signal);
    } catch (error) {
      if (signal?.aborted || (error instanceof CloudApiError && error.kind === "cancelled")) {
        throw new JobWaitCancelled(jobId);
      }
      throw pollFailure(jobId, error);
    }
    options.onProgress?.({ job, polls, elapsedMs: elapsed() });
    if (isFinal(job.status)) return { kind: "finished", job, elapsedMs: elapsed(), polls };
    const remaining = options.timeoutMs - elapsed();
    if (remaining <= 0) return { kind: "timeout", job, elapsedMs: elapsed(), polls };
    await pause(Math.min(interval, remaining), signal, jobId);
    interval = Math.min(maxInterval, Math.max(interval * 1.5, 1));
  }
}

function pollFailure(jobId: number, error: unknown): ToolError {
  const text = error instanceof Error ? error.message : String(error);
  const before = error instanceof ToolError && error.hint ? `${error.hint} ` : "";
  return new ToolError(`Could not read the status of sync job ${jobId} while waiting for it: ${text}`, {
    hint: `${before}The job may still be running in Airbyte Cloud: check it with get_cloud_sync_status (job_id=${jobId}).`,
    cause: error,
  });
}

function pause(ms: number, signal: AbortSignal | undefined, jobId: number): Promise<void> {
  if (signal?.aborted) return Promise.reject(new JobWaitCancelled(jobId));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", stop);
      resolve();
    }, ms);
    const stop = () => {
      clearTimeout(timer);
      reject(new JobWaitCancelled(jobId));
    };
    signal?.addEventListener("abort", stop, { once: true });
  });
}

// ---------- tools ----------

export interface JobResult {
  job_id: number;
  status: JobStatus;
  bytes_synced: number | null;
  records_synced: number | null;
  start_time: string;
  job_url: string;
}

function jobResult(job: Job, jobUrl: string): JobResult {
  const s = summarizeJob(job);
  return {
    job_id: s.jobId,
    status: s.status,
    bytes_synced: s.bytes,
    records_synced: s.records,
    start_time: s.startTime,
    job_url: jobUrl,
  };
}

export interface RunSyncInput {
  connection_id: string;
  workspace_id: string | null;
  wait: boolean;
  wait_timeout: number;
}

export interface RunSyncResult extends JobResult {
  message: string;
  connection_id: string;
  duration: string | null;
}

/** run_cloud_sync: starts the job; with `wait`, follows it to the end (progress, cancellation, deadline). */
export async function runCloudSync(ctx: Ctx, input: RunSyncInput): Promise<RunSyncResult> {
  const workspaceId = workspaceOf(input.workspace_id, ctx.settings);
  const client = ctx.cloud.client();
  const connection = await connectionInWorkspace(client, input.connection_id, workspaceId, ctx.signal);
  const started = await startSync(client, connection.connectionId, ctx.signal);
  const jobUrl = client.web.job(workspaceId, connection.connectionId);
  const base = { connection_id: connection.connectionId };
  if (!input.wait) {
    return {
      message: `Sync started. Job ID is '${started.jobId}' and job URL is: ${jobUrl}`,
      ...base,
      ...jobResult(started, jobUrl),
      duration: started.duration ?? null,
    };
  }
  const report = ctx.progress;
  const outcome = await waitForJob(ctx.cloud, client, started.jobId, {
    timeoutMs: input.wait_timeout * 1000,
    signal: ctx.signal,
    ...(report ? { onProgress: (p: WaitProgress) => report(progressOf(p)) } : {}),
  });
  const job = outcome.job;
  const where = `connection_id='${connection.connectionId}', job_id=${job.jobId}`;
  if (outcome.kind === "timeout") {
    throw new ToolError(
      `Sync job ${job.jobId} is still ${job.status} after waiting ${input.wait_timeout} s (wait_timeout); it keeps running in Airbyte Cloud (${jobUrl}).`,
      {
        hint: `Check it later with get_cloud_sync_status(${where}), wait longer with a larger wait_timeout next time, or stop it with cancel_cloud_sync(${where}).`,
      },
    );
  }
  if (job.status !== "succeeded") {
    const s = summarizeJob(job);
    const counts = s.records === null ? "" : ` after ${s.records} records`;
    throw new ToolError(`Sync job ${job.jobId} ended with status ${job.status}${counts} (${jobUrl}).`, {
      hint:
        job.status === "cancelled"
          ? `It was cancelled (in Airbyte or with cancel_cloud_sync); run it again with run_cloud_sync if it is still needed.`
          : `Read why with get_cloud_sync_logs(${where}), fix the cause, then run the sync again.`,
    });
  }
  return {
    message: `Sync completed with status: ${job.status}. Job ID is '${job.jobId}' and job URL is: ${jobUrl}`,
    ...base,
    ...jobResult(job, jobUrl),
    duration: job.duration ?? null,
  };
}

function progressOf(p: WaitProgress): Progress {
  const seconds = Math.round(p.elapsedMs / 1000);
  const records = typeof p.job.rowsSynced === "number" ? `, ${p.job.rowsSynced} records so far` : "";
  return {
    progress: p.polls,
    message: `Sync job ${p.job.jobId}: ${p.job.status}, ${seconds} s elapsed${records}`,
  };
}

export interface CancelSyncInput {
  connection_id: string;
  job_id: number;
  workspace_id: string | null;
}

/** cancel_cloud_sync: cancels a job of the connection (DELETE /jobs/{id}); a finished job is left alone. */
export async function cancelCloudSync(
  ctx: Ctx,
  input: CancelSyncInput,
): Promise<JobResult & { message: string; connection_id: string; cancelled: boolean }> {
  const workspaceId = workspaceOf(input.workspace_id, ctx.settings);
  const client = ctx.cloud.client();
  const connection = await connectionInWorkspace(client, input.connection_id, workspaceId, ctx.signal);
  const job = await jobOfConnection(client, connection.connectionId, input.job_id, ctx.signal);
  const jobUrl = client.web.job(workspaceId, connection.connectionId);
  if (isFinal(job.status)) {
    return {
      message: `Sync job ${job.jobId} already ended with status ${job.status}; there is nothing to cancel.`,
      connection_id: connection.connectionId,
      cancelled: false,
      ...jobResult(job, jobUrl),
    };
  }
  const after = await client.jobs.cancel(job.jobId, ctx.signal);
  return {
    message: `Cancelled sync job ${after.jobId} of connection ${connection.connectionId} (status: ${after.status}).`,
    connection_id: connection.connectionId,
    cancelled: true,
    ...jobResult(after, jobUrl),
  };
}

/** A job by id, refused when it belongs to another connection (ids are global, links are not). */
export async function jobOfConnection(
  client: CloudClient,
  connectionId: string,
  jobId: number,
  signal: AbortSignal,
): Promise<Job> {
  const job = await client.jobs.get(jobId, signal);
  if (job.connectionId !== connectionId) {
    throw new ToolError(
      `Job ${jobId} belongs to connection ${job.connectionId}, not to connection ${connectionId}.`,
      {
        hint: `List the jobs of connection ${connectionId} with list_cloud_sync_jobs and pass one of their ids.`,
      },
    );
  }
  return job;
}

/** The connection's newest sync or reset job, or null when it never ran one. */
export async function latestJob(
  client: CloudClient,
  connectionId: string,
  signal: AbortSignal,
): Promise<Job | null> {
  const jobs = await collect(client.jobs.list({ connectionId, orderBy: "createdAt|DESC", limit: 1 }, signal));
  return jobs[0] ?? null;
}

/** The job a call names (checked against the connection), or the newest when it names none. */
export function jobOrLatest(
  client: CloudClient,
  connectionId: string,
  jobId: number | null,
  signal: AbortSignal,
): Promise<Job | null> {
  return jobId === null
    ? latestJob(client, connectionId, signal)
    : jobOfConnection(client, connectionId, jobId, signal);
}

export interface SyncStatusInput {
  connection_id: string;
  job_id: number | null;
  workspace_id: string | null;
  include_attempts: boolean;
}

export interface AttemptResult {
  attempt_number: number;
  attempt_id: number;
  status: string;
  bytes_synced: number | null;
  records_synced: number | null;
  created_at: string | null;
}

export type SyncStatusResult =
  | (JobResult & { connection_id: string; duration: string | null; attempts: AttemptResult[] })
  | {
      connection_id: string;
      status: null;
      job_id: null;
      bytes_synced: null;
      records_synced: null;
      start_time: null;
      job_url: null;
      duration: null;
      attempts: AttemptResult[];
    };

/** get_cloud_sync_status: one job (the latest by default), with its attempts on request (Config API). */
export async function getSyncStatus(ctx: Ctx, input: SyncStatusInput): Promise<SyncStatusResult> {
  const workspaceId = workspaceOf(input.workspace_id, ctx.settings);
  const client = ctx.cloud.client();
  const connection = await connectionInWorkspace(client, input.connection_id, workspaceId, ctx.signal);
  const job = await jobOrLatest(client, connection.connectionId, input.job_id, ctx.signal);
  if (!job) {
    return {
      connection_id: connection.connectionId,
      status: null,
      job_id: null,
      bytes_synced: null,
      records_synced: null,
      start_time: null,
      job_url: null,
      duration: null,
      attempts: [],
    };
  }
  let attempts: AttemptResult[] = [];
  if (input.include_attempts) {
    const info = await client.config.jobInfo(job.jobId, ctx.signal);
    attempts = (info.attempts ?? []).map((a, i) => ({
      attempt_number: i,
      attempt_id: a.attempt.id,
      status: a.attempt.status,
      bytes_synced: a.attempt.bytesSynced ?? null,
      records_synced: a.attempt.recordsSynced ?? null,
      created_at: typeof a.attempt.createdAt === "number" ? epochSecondsIso(a.attempt.createdAt) : null,
    }));
  }
  return {
    connection_id: connection.connectionId,
    ...jobResult(job, client.web.job(workspaceId, connection.connectionId)),
    duration: job.duration ?? null,
    attempts,
  };
}

export function epochSecondsIso(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
}

export interface ListJobsInput {
  connection_id: string;
  workspace_id: string | null;
  max_jobs: number;
  from_tail: boolean | null;
  jobs_offset: number | null;
  job_type: JobType | null;
}

/** The most jobs one list returns (PyAirbyte's cap, to keep an agent's context small). */
export const MAX_LISTED_JOBS = 500;

/** list_cloud_sync_jobs: a page of the connection's jobs, newest first unless from_tail is false. */
export async function listSyncJobs(
  ctx: Ctx,
  input: ListJobsInput,
): Promise<{ jobs: JobResult[]; jobs_count: number; jobs_offset: number; from_tail: boolean }> {
  if (input.jobs_offset !== null && input.from_tail === true) {
    throw new ToolError("Cannot combine jobs_offset with from_tail=true.", {
      hint: "Use from_tail=true for the newest jobs, or jobs_offset (counted from the oldest job) with from_tail unset or false.",
    });
  }
  const fromTail = input.from_tail ?? input.jobs_offset === null;
  const offset = input.jobs_offset ?? 0;
  const limit = input.max_jobs > 0 ? Math.min(input.max_jobs, MAX_LISTED_JOBS) : 20;
  const workspaceId = workspaceOf(input.workspace_id, ctx.settings);
  const client = ctx.cloud.client();
  const connection = await connectionInWorkspace(client, input.connection_id, workspaceId, ctx.signal);
  // The client pages from the first job: the offset is skipped here.
  const found = await collect(
    client.jobs.list(
      {
        connectionId: connection.connectionId,
        orderBy: fromTail ? "createdAt|DESC" : "createdAt|ASC",
        limit: offset + limit,
        ...(input.job_type ? { jobType: input.job_type } : {}),
      },
      ctx.signal,
    ),
  );
  const jobUrl = client.web.job(workspaceId, connection.connectionId);
  const jobs = found.slice(offset, offset + limit).map((j) => jobResult(j, jobUrl));
  return { jobs, jobs_count: jobs.length, jobs_offset: offset, from_tail: fromTail };
}
