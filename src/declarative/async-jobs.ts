// AsyncRetriever: a slice's records come from a job the API runs (an export, a report). As the
// CDK's AsyncHttpJobRepository and AsyncJobOrchestrator do it: create the job, poll its status
// every 5 seconds until the status mapping says it completed, download each target the polling
// response names, then delete the job; a job that failed or timed out is started again, three
// attempts in all.
//
// Templates see what both generations of the CDK gave them: `stream_slice['create_job_response']`
// (a response with .json()), `stream_slice.extra_fields['url']` (CDK 6.x), and
// `creation_response`, `polling_response`, `download_target` (CDK 6.39 and later).

import { type Decoder, pandasCsvStream, responseToFileDecoder } from "./decoders.ts";
import { DeclarativeError } from "./errors.ts";
import { HttpRequestError, type HttpResult } from "./http/client.ts";
import { caseInsensitiveHeaders } from "./http/headers.ts";
import { PY_ATTRS, pyFunction, pyStr } from "./interpolation/index.ts";
import type { Extractor } from "./records.ts";
import type { HttpRequester } from "./requester.ts";
import { contextOf, extraFieldsOf, type Scope, type StreamSlice, setExtraFields } from "./slice.ts";
import type { DeclarativeStreamRunner } from "./stream.ts";
import { isObj, type Obj } from "./values.ts";

/**
 * A slice whose job did not complete in its attempts. As in the CDK's orchestrator, the stream's
 * other slices are still read; the stream fails at the end.
 */
export class AsyncSliceError extends DeclarativeError {
  constructor(message: string) {
    super(message, "system_error");
  }
}

/** The failures of a stream's slices as one error, as the orchestrator raises them at the end. */
export function combineSliceErrors(errors: AsyncSliceError[]): AsyncSliceError {
  if (errors.length === 1) return errors[0] as AsyncSliceError;
  return new AsyncSliceError(
    `${errors.length} async jobs failed: ${errors.map((e) => e.message).join(" | ")}`,
  );
}

export type JobStatus = "RUNNING" | "COMPLETED" | "FAILED" | "TIMED_OUT" | "SKIPPED";

/** The CDK's status_mapping keys and the status each names. */
const MAPPING_KEYS: Record<string, JobStatus> = {
  running: "RUNNING",
  completed: "COMPLETED",
  failed: "FAILED",
  timeout: "TIMED_OUT",
  skipped: "SKIPPED",
};

/** _create_async_job_status_mapping: each API status string to the CDK's status. */
export function jobStatusMapping(node: Obj, where: string): Map<string, JobStatus> {
  const out = new Map<string, JobStatus>();
  for (const [key, values] of Object.entries(node)) {
    if (key === "type" || key === "$parameters") continue;
    const status = MAPPING_KEYS[key];
    if (!status) throw new DeclarativeError(`${where}: Unsupported CDK status ${key}`);
    for (const value of Array.isArray(values) ? values : []) {
      const api = String(value);
      if (out.has(api))
        throw new DeclarativeError(
          `${where}: API status ${api} is already set for CDK status ${out.get(api)}. Please ensure API statuses are only provided once`,
        );
      out.set(api, status);
    }
  }
  return out;
}

export interface AsyncJobSpec {
  stream: string;
  creation: HttpRequester;
  polling: HttpRequester;
  downloadTarget: HttpRequester | null;
  abort: HttpRequester | null;
  delete: HttpRequester | null;
  /** AsyncRetriever.decoder: reads the creation, polling and download-target responses. */
  decoder: Decoder;
  statusExtractor: Extractor;
  /** download_target_extractor (urls_extractor before CDK 6.39); null: one download, no target. */
  targetExtractor: Extractor | null;
  statuses: Map<string, JobStatus>;
  timeoutMs: number;
  /** failed_retry_wait_time_in_seconds: a job the API reported FAILED is started again after this. */
  failedRetryWaitMs: number;
  /**
   * The download: a retriever's pages (download requester, decoder, extractor and paginator), or
   * a ResponseToFileExtractor's CSV file, read as it arrives when `requester.spec.stream`.
   */
  download:
    | { kind: "pages"; runner: DeclarativeStreamRunner }
    | { kind: "file"; requester: HttpRequester; preserveNaValues: boolean; idleMs: number };
  config: Obj;
  parameters: Obj;
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  log: { debug(message: string): void; warn(message: string): void };
  /** max_concurrent_async_job_count (default 1): jobs that may run on the API at once. */
  concurrency?: number;
}

/** _WAIT_TIME_BETWEEN_STATUS_UPDATE_IN_SECONDS. */
export const POLL_INTERVAL_MS = 5_000;
/** AsyncPartition._DEFAULT_MAX_JOB_RETRY. */
const MAX_ATTEMPTS = 3;

interface Job {
  creation: HttpResult;
  /** The creation response as templates see it: `creation_response`, and `create_job_response`. */
  creationContext: Obj;
  creationObject: Obj;
  polling: HttpResult | null;
}

export class AsyncJobs {
  /** Jobs started ahead of their slice's turn (at most `concurrency` running at once). */
  private readonly begun = new Map<StreamSlice, Promise<Job | null>>();
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  /** What the status and download-target extractors' templates see. */
  private readonly ctx: Obj;

  constructor(private readonly spec: AsyncJobSpec) {
    this.ctx = contextOf({ config: spec.config, parameters: spec.parameters });
  }

  /** max_concurrent_async_job_count: how many jobs may run at once. */
  get concurrency(): number {
    return this.spec.concurrency ?? 1;
  }

  /**
   * Starts a slice's job ahead of its turn, so that up to `concurrency` jobs run on the API at
   * once while the records are still read slice after slice.
   */
  begin(slice: StreamSlice, signal: AbortSignal): void {
    if (this.begun.has(slice)) return;
    const job = this.complete(slice, signal);
    job.catch(() => {}); // surfaced when the slice is read
    this.begun.set(slice, job);
  }

  /** Waits for the jobs started ahead and not read (they abort their job when the read stopped). */
  async settle(): Promise<void> {
    const left = [...this.begun.values()];
    this.begun.clear();
    await Promise.allSettled(left);
  }

  /** The raw records of a slice's job (the download extractor's), before the stream's selector. */
  async *records(slice: StreamSlice, signal: AbortSignal): AsyncGenerator<Obj[]> {
    const pending = this.begun.get(slice) ?? this.complete(slice, signal);
    this.begun.delete(slice);
    const job = await pending;
    if (job === null) return; // SKIPPED
    yield* this.download(job, slice, signal);
    await this.cleanUp(this.spec.delete, job, slice, signal);
  }

  /**
   * A slice's job until it completes (null: skipped): started again when it fails or times out,
   * three attempts in all, within the concurrency budget.
   */
  private async complete(slice: StreamSlice, signal: AbortSignal): Promise<Job | null> {
    await this.slot(signal);
    try {
      const outcomes: string[] = [];
      for (let attempt = 1; ; attempt++) {
        // A job is never started once the read has stopped (a slot freed by a failure).
        if (signal.aborted) throw signal.reason ?? new DOMException("cancelled", "AbortError");
        const started = await this.start(slice, signal, outcomes);
        let status: JobStatus;
        try {
          status = started ? await this.wait(started, slice, signal) : "FAILED";
        } catch (error) {
          // As the orchestrator aborts its running jobs when it stops: the job is not left running
          // on the API (best effort, on a signal of its own, as the read's may be aborted).
          if (started) await this.cleanUp(this.spec.abort, started, slice, AbortSignal.timeout(5_000), true);
          throw error;
        }
        if (started && status === "COMPLETED") return started;
        if (status === "SKIPPED") return null;
        if (started) outcomes.push(status === "TIMED_OUT" ? "TIMED_OUT" : "FAILED");
        if (started && status === "TIMED_OUT") await this.cleanUp(this.spec.abort, started, slice, signal);
        if (attempt >= MAX_ATTEMPTS) {
          throw new AsyncSliceError(
            `Stream '${this.spec.stream}': the async job of slice ${pyStr(sliceRepr(slice))} did not complete in ${MAX_ATTEMPTS} attempts (${outcomes.join("; ")}). Async job failed after exhausting all retry attempts.`,
          );
        }
        if (started && status === "FAILED" && this.spec.failedRetryWaitMs > 0)
          await this.spec.sleep(this.spec.failedRetryWaitMs, signal);
      }
    } finally {
      this.release();
    }
  }

  private async slot(signal: AbortSignal): Promise<void> {
    while (this.running >= this.concurrency) {
      await new Promise<void>((resolve, reject) => {
        const onAbort = () => {
          const at = this.waiting.indexOf(wake);
          if (at >= 0) this.waiting.splice(at, 1);
          reject(signal.reason ?? new DOMException("cancelled", "AbortError"));
        };
        const wake = () => {
          signal.removeEventListener("abort", onAbort);
          resolve();
        };
        if (signal.aborted) return onAbort();
        signal.addEventListener("abort", onAbort, { once: true });
        this.waiting.push(wake);
      });
    }
    this.running++;
  }

  private release(): void {
    this.running--;
    this.waiting.shift()?.();
  }

  /** The creation request; null when it failed in a way worth another attempt. */
  private async start(slice: StreamSlice, signal: AbortSignal, outcomes: string[]): Promise<Job | null> {
    try {
      const creation = await this.spec.creation.send(this.scope(slice), null, null, signal);
      if (!(creation.status > 0 && creation.status < 400)) {
        outcomes.push(`the creation request was answered ${creation.status} and ignored`);
        return null;
      }
      return {
        creation,
        creationContext: responseContext(creation),
        creationObject: responseObject(creation),
        polling: null,
      };
    } catch (error) {
      // AsyncJobOrchestrator._start_job: a config error stops everything; anything else flags the
      // job as failed, to be started again.
      if (!(error instanceof HttpRequestError) || error.failureType === "config_error") throw error;
      this.spec.log.warn(
        `Stream '${this.spec.stream}': could not start the async job; it will be retried if attempts remain: ${error.message}`,
      );
      outcomes.push(`could not start: ${error.message}`);
      return null;
    }
  }

  /**
   * Polls until the job leaves RUNNING or its time is up (5 s between polls). A poll that fails
   * for a reason other than the credentials is tried again at the next round, as the CDK's
   * orchestrator keeps polling (without its tight loop).
   */
  private async wait(job: Job, slice: StreamSlice, signal: AbortSignal): Promise<JobStatus> {
    const started = performance.now();
    let slept = 0;
    for (;;) {
      // AsyncJob.status(): past its time, a job is TIMED_OUT without another poll. The time is the
      // clock's, or the waits asked for when longer (a test's sleep takes none).
      if (Math.max(performance.now() - started, slept) >= this.spec.timeoutMs) return "TIMED_OUT";
      let polling: HttpResult | null = null;
      try {
        polling = await this.spec.polling.send(this.pollingScope(job, slice), null, null, signal);
      } catch (error) {
        if (!(error instanceof HttpRequestError) || error.failureType === "config_error") throw error;
        this.spec.log.warn(
          `Stream '${this.spec.stream}': polling the async job failed; polling again: ${error.message}`,
        );
      }
      const status = polling === null ? "RUNNING" : this.statusOf(polling);
      if (status !== "RUNNING") {
        if (status === "COMPLETED") job.polling = polling;
        return status;
      }
      await this.spec.sleep(POLL_INTERVAL_MS, signal);
      slept += POLL_INTERVAL_MS;
    }
  }

  /** The status extractor's first value through the mapping, as str() names it. */
  private statusOf(polling: HttpResult): JobStatus {
    let first: unknown = null;
    for (const body of this.spec.decoder.decode(polling).bodies) {
      const values = this.spec.statusExtractor(body, this.ctx);
      if (values.length > 0) {
        first = values[0];
        break;
      }
    }
    const api = pyStr(first);
    const status = this.spec.statuses.get(api);
    if (status === undefined)
      throw new DeclarativeError(
        `API status \`${api}\` is unknown. Contact the connector developer to make sure this status is supported.`,
        "system_error",
      );
    return status;
  }

  private async *download(job: Job, slice: StreamSlice, signal: AbortSignal): AsyncGenerator<Obj[]> {
    const creation = job.creationContext;
    const polled = job.polling as HttpResult;
    const polling = responseContext(polled);
    let targets: unknown[] | null = null;
    if (this.spec.targetExtractor) {
      let source = polled;
      if (this.spec.downloadTarget) {
        const partition: Obj = { polling_job_response: responseObject(polled) };
        setExtraFields(partition, { polling_response: polling });
        source = await this.spec.downloadTarget.send(
          { ...this.scope({ partition, cursor: {} }), extra: { polling_response: polling } },
          null,
          null,
          signal,
        );
      }
      targets = this.spec.decoder
        .decode(source)
        .bodies.flatMap((b) => this.spec.targetExtractor?.(b, this.ctx) ?? []);
    }
    for (const target of targets ?? [undefined]) {
      const partition: Obj = { ...slice.partition };
      const extra: Obj = {
        ...extraFieldsOf(slice.partition),
        creation_response: creation,
        polling_response: polling,
      };
      if (targets !== null) {
        extra.url = target;
        extra.download_target = target;
        // CDK versions before 6.18 put the URL in the partition: `stream_slice['url']`.
        if (!("url" in partition)) partition.url = target;
      }
      setExtraFields(partition, extra);
      const targetSlice = { partition, cursor: slice.cursor };
      const download = this.spec.download;
      if (download.kind === "pages") {
        for await (const page of download.runner.pages(targetSlice, {}, signal)) yield page;
        continue;
      }
      const result = await download.requester.send(this.scope(targetSlice), null, null, signal);
      // The CDK reads only a truthy response: an error status let through gives no records.
      if (!(result.status > 0 && result.status < 400)) {
        await result.body?.cancel().catch(() => {});
        continue;
      }
      if (result.body)
        yield* pandasCsvStream(result.body, download.preserveNaValues, signal, download.idleMs);
      else {
        const records = responseToFileDecoder(download.preserveNaValues).decode(result).bodies as Obj[];
        if (records.length > 0) yield records;
      }
    }
  }

  /** The abort or delete request, whose answer is not used; a failure is only logged. */
  private async cleanUp(
    requester: HttpRequester | null,
    job: Job,
    slice: StreamSlice,
    signal: AbortSignal,
    /** Never throw (an abort on the way out of a failed read). */
    quiet = false,
  ): Promise<void> {
    if (!requester) return;
    try {
      await requester.send(this.pollingScope(job, slice), null, null, signal);
    } catch (error) {
      if (signal.aborted && !quiet) throw error;
      this.spec.log.warn(
        `Stream '${this.spec.stream}': could not ${requester.spec.name}: ${(error as Error).message}`,
      );
    }
  }

  private scope(slice: StreamSlice): Scope {
    return { config: this.spec.config, slice, ...topLevel(slice) };
  }

  /** The slice polling, abort and delete requests see: the job's, with its creation response. */
  private pollingScope(job: Job, slice: StreamSlice): Scope {
    const partition: Obj = { ...slice.partition, create_job_response: job.creationObject };
    setExtraFields(partition, { ...extraFieldsOf(slice.partition), creation_response: job.creationContext });
    return this.scope({ partition, cursor: slice.cursor });
  }
}

/** get_interpolation_context: a slice's extra fields are also template variables of their own. */
function topLevel(slice: StreamSlice): { extra?: Obj } {
  const extra = extraFieldsOf(slice.partition);
  return extra ? { extra } : {};
}

/** _get_creation_response_interpolation_context: the JSON body as a dict, with its `headers`. */
function responseContext(response: HttpResult): Obj {
  let body: unknown;
  try {
    body = response.json();
  } catch {
    body = {};
  }
  const ctx: Obj = isObj(body) ? { ...body } : {};
  if (!("headers" in ctx)) ctx.headers = caseInsensitiveHeaders(response.headers);
  return ctx;
}

/** A requests.Response as templates use it: .json(), .headers, .status_code, .text, .url, .ok. */
function responseObject(response: HttpResult): Obj {
  const view: Obj = {};
  const attrs = {
    json: pyFunction("json", () => response.json()),
    headers: caseInsensitiveHeaders(response.headers),
    status_code: response.status,
    text: response.text,
    url: response.url,
    ok: response.status < 400,
  };
  Object.defineProperty(view, PY_ATTRS, { value: attrs });
  return view;
}

/** The slice as the CDK's messages show it. */
function sliceRepr(slice: StreamSlice): Obj {
  return { partition: slice.partition, cursor_slice: slice.cursor };
}
