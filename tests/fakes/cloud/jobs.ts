// Jobs of the fake Cloud move pending → running → succeeded/failed by the clock: each job holds the
// instants its phases end, and its status is read off them on every request (no timers). A plan says how
// it ends: outcome, records and bytes, failed attempts before the last (shown as `incomplete` between
// retries), log lines, and how long each phase lasts. Views: the public API's JobResponse and the Config
// API's JobInfoRead (attempts with logs as structured events or formatted lines).

import type { Json } from "./definitions.ts";

export type JobType = "sync" | "reset" | "clear" | "refresh";
export type JobStatus = "pending" | "running" | "incomplete" | "succeeded" | "failed" | "cancelled";
export const TERMINAL: ReadonlySet<JobStatus> = new Set(["succeeded", "failed", "cancelled"]);

export interface JobPlan {
  outcome: "succeeded" | "failed";
  records: number;
  bytes: number;
  /** Attempts that fail (and are retried) before the last one. */
  failedAttempts: number;
  /** Log lines of the last attempt; generated when absent. */
  logLines: string[] | undefined;
  /** "events": structured logs (logs.events), "lines": formatted logs (logs.logLines). */
  logFormat: "events" | "lines";
  failureMessage: string;
  pendingMs: number;
  runningMs: number;
}

export interface FakeJob {
  jobId: number;
  connectionId: string;
  workspaceId: string;
  jobType: JobType;
  /** Stream names the job covers (for generated logs and state). */
  streams: string[];
  createdAt: number;
  runStartAt: number;
  endAt: number;
  cancelledAt: number | undefined;
  plan: JobPlan;
  /** Set once its end has been applied to the connection (state written). */
  finalized: boolean;
}

export interface JobPhase {
  status: JobStatus;
  /** Index of the attempt under way or last run; -1 before the first starts. */
  attempt: number;
  attempts: number;
  /** Share of the running phase done, 0..1. */
  progress: number;
  /** When the job ended, for terminal statuses. */
  endedAt: number | undefined;
}

export function jobPhase(job: FakeJob, now: number): JobPhase {
  const attempts = job.plan.failedAttempts + 1;
  const runMs = Math.max(job.endAt - job.runStartAt, 0);
  const sliceOf = (t: number) =>
    runMs === 0
      ? attempts - 1
      : Math.min(attempts - 1, Math.floor(((t - job.runStartAt) / runMs) * attempts));
  if (job.cancelledAt !== undefined) {
    const started = job.cancelledAt >= job.runStartAt;
    return {
      status: "cancelled",
      attempt: started ? sliceOf(job.cancelledAt) : -1,
      attempts,
      progress: started && runMs > 0 ? Math.min((job.cancelledAt - job.runStartAt) / runMs, 1) : 0,
      endedAt: job.cancelledAt,
    };
  }
  if (now >= job.endAt) {
    return { status: job.plan.outcome, attempt: attempts - 1, attempts, progress: 1, endedAt: job.endAt };
  }
  if (now < job.runStartAt)
    return { status: "pending", attempt: -1, attempts, progress: 0, endedAt: undefined };
  const progress = runMs === 0 ? 1 : (now - job.runStartAt) / runMs;
  const attempt = sliceOf(now);
  // After a failed attempt the real job reads "incomplete" until the retry gets going.
  const inSlice = progress * attempts - attempt;
  const status: JobStatus = attempt > 0 && inSlice < 0.5 ? "incomplete" : "running";
  return { status, attempt, attempts, progress, endedAt: undefined };
}

/** Java's OffsetDateTime.toString() in UTC for whole seconds: "2024-06-09T21:50:30Z", or "…T21:50Z" on :00. */
export function javaDateTime(ms: number): string {
  const iso = new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
  return iso.endsWith(":00Z") ? `${iso.slice(0, -4)}Z` : iso;
}

/** Java's Duration.toString() for whole seconds: "PT0S", "PT1M2S", "PT8H6M12S". */
export function javaDuration(ms: number): string {
  let s = Math.max(Math.floor(ms / 1000), 0);
  if (s === 0) return "PT0S";
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  return `PT${h ? `${h}H` : ""}${m ? `${m}M` : ""}${s ? `${s}S` : ""}`;
}

const seconds = (ms: number) => Math.floor(ms / 1000);

function committed(job: FakeJob, phase: JobPhase): { records: number; bytes: number } {
  const share = phase.status === "succeeded" ? 1 : phase.status === "failed" ? 1 : phase.progress;
  return { records: Math.floor(job.plan.records * share), bytes: Math.floor(job.plan.bytes * share) };
}

/** The public API's JobResponse. */
export function jobResponse(job: FakeJob, now: number): Json {
  const phase = jobPhase(job, now);
  const { records, bytes } = committed(job, phase);
  const out: Json = {
    jobId: job.jobId,
    status: phase.status,
    jobType: job.jobType,
    startTime: javaDateTime(job.createdAt),
    connectionId: job.connectionId,
  };
  if (phase.endedAt !== undefined) out.lastUpdatedAt = javaDateTime(phase.endedAt);
  if (phase.status !== "pending") out.duration = javaDuration((phase.endedAt ?? now) - job.createdAt);
  out.bytesSynced = bytes;
  out.rowsSynced = records;
  return out;
}

interface LogLine {
  at: number;
  level: "info" | "warn" | "error";
  source: "platform" | "source" | "destination" | "replication-orchestrator";
  message: string;
  /** Given by the test: served as is in formatted logs. */
  given?: boolean;
}

function generatedLog(job: FakeJob, attempt: number, failed: boolean, start: number, end: number): LogLine[] {
  const step = Math.max(Math.floor((end - start) / 8), 1);
  let t = start;
  const next = () => {
    t += step;
    return t;
  };
  const lines: LogLine[] = [
    {
      at: start,
      level: "info",
      source: "platform",
      message: `Starting ${job.jobType} job ${job.jobId}, attempt ${attempt + 1}`,
    },
    {
      at: next(),
      level: "info",
      source: "platform",
      message: `Connection ${job.connectionId}: ${job.streams.length} stream(s) selected`,
    },
  ];
  const perStream = job.streams.length ? Math.floor(job.plan.records / job.streams.length) : 0;
  for (const s of job.streams) {
    lines.push({
      at: next(),
      level: "info",
      source: "source",
      message: `Read ${failed ? 0 : perStream} records from stream ${s}`,
    });
  }
  if (failed) {
    lines.push({ at: next(), level: "error", source: "source", message: job.plan.failureMessage });
    lines.push({ at: end, level: "error", source: "platform", message: `Attempt ${attempt + 1} failed` });
  } else {
    lines.push({
      at: next(),
      level: "info",
      source: "destination",
      message: `Committed ${job.plan.records} records (${job.plan.bytes} bytes)`,
    });
    lines.push({
      at: end,
      level: "info",
      source: "platform",
      message: `${job.jobType} job ${job.jobId} succeeded`,
    });
  }
  return lines;
}

function attemptLog(job: FakeJob, attempt: number, phase: JobPhase, start: number, end: number): LogLine[] {
  const last = attempt === phase.attempts - 1;
  const failed = !last || job.plan.outcome === "failed";
  let lines: LogLine[];
  if (last && job.plan.logLines) {
    const step = Math.max(Math.floor((end - start) / Math.max(job.plan.logLines.length, 1)), 1);
    lines = job.plan.logLines.map((message, i) => ({
      at: start + i * step,
      level: /\bERROR\b/.test(message) ? "error" : "info",
      source: "platform",
      message,
      given: true,
    }));
  } else {
    lines = generatedLog(job, attempt, failed, start, end);
  }
  return lines;
}

function formatLine(l: LogLine): string {
  if (l.given) return l.message;
  const stamp = new Date(l.at).toISOString().replace("T", " ").slice(0, 19);
  return `${stamp} ${l.source} > ${l.level.toUpperCase()} ${l.message}`;
}

/** The Config API's JobInfoRead: the job and its attempts, each with its logs so far. */
export function jobInfoRead(job: FakeJob, now: number): Json {
  const phase = jobPhase(job, now);
  const { records, bytes } = committed(job, phase);
  const configType = job.jobType === "reset" ? "reset_connection" : job.jobType;
  const updatedAt = phase.endedAt ?? now;
  const jobRead: Json = {
    id: job.jobId,
    configType,
    configId: job.connectionId,
    enabledStreams: job.streams.map((name) => ({ name })),
    createdAt: seconds(job.createdAt),
    updatedAt: seconds(updatedAt),
    status: phase.status,
    aggregatedStats: {
      recordsEmitted: records,
      bytesEmitted: bytes,
      recordsCommitted: records,
      bytesCommitted: bytes,
      recordsRejected: 0,
    },
  };
  if (phase.attempt >= 0) jobRead.startedAt = seconds(job.runStartAt);
  if (job.jobType === "reset" || job.jobType === "clear") {
    jobRead.resetConfig = { streamsToReset: job.streams.map((name) => ({ name })) };
  }
  const attempts: Json[] = [];
  const runMs = Math.max(job.endAt - job.runStartAt, 0);
  const slice = runMs / phase.attempts;
  for (let i = 0; i <= phase.attempt; i++) {
    const start = job.runStartAt + i * slice;
    const plannedEnd = job.runStartAt + (i + 1) * slice;
    const done = i < phase.attempt || TERMINAL.has(phase.status);
    const end = i === phase.attempt && phase.endedAt !== undefined ? phase.endedAt : done ? plannedEnd : now;
    const status =
      i < phase.attempt
        ? "failed"
        : phase.status === "succeeded"
          ? "succeeded"
          : phase.status === "failed" || phase.status === "cancelled"
            ? "failed"
            : "running";
    const all = attemptLog(job, i, phase, start, plannedEnd);
    const visible = done && status !== "failed" ? all : all.filter((l) => l.at <= end);
    if (phase.status === "cancelled" && i === phase.attempt) {
      visible.push({ at: end, level: "warn", source: "platform", message: `Job ${job.jobId} was cancelled` });
    }
    const attempt: Json = {
      id: i,
      status,
      createdAt: seconds(start),
      updatedAt: seconds(end),
    };
    if (done) attempt.endedAt = seconds(end);
    // Earlier attempts committed nothing; the current one carries the job's committed totals.
    const own = i === phase.attempt ? { records, bytes } : { records: 0, bytes: 0 };
    attempt.recordsSynced = own.records;
    attempt.bytesSynced = own.bytes;
    attempt.totalStats = {
      recordsEmitted: own.records,
      bytesEmitted: own.bytes,
      recordsCommitted: own.records,
      bytesCommitted: own.bytes,
    };
    if (status === "failed") {
      const cancelled = phase.status === "cancelled" && i === phase.attempt;
      attempt.failureSummary = {
        failures: [
          {
            failureOrigin: cancelled ? "airbyte_platform" : "source",
            failureType: cancelled ? "manual_cancellation" : "system_error",
            externalMessage: cancelled ? "The job was cancelled." : job.plan.failureMessage,
            retryable: i < phase.attempts - 1,
            timestamp: Math.floor(end),
          },
        ],
        partialSuccess: false,
      };
    }
    const logs =
      job.plan.logFormat === "events"
        ? {
            events: visible.map((l) => ({
              timestamp: Math.floor(l.at),
              message: l.message,
              level: l.level,
              logSource: l.source,
            })),
            version: "1",
          }
        : { logLines: visible.map(formatLine) };
    attempts.push({ attempt, logType: job.plan.logFormat === "events" ? "structured" : "formatted", logs });
  }
  return { job: jobRead, attempts };
}
