// One declarative stream at run time: its slices (partitions × date ranges), the pages of each
// slice (SimpleRetriever), and its state as the CDK's concurrent cursors shape it.

import { type AsyncJobs, AsyncSliceError, combineSliceErrors } from "./async-jobs.ts";
import { type CountCursor, CursorProgress, compareCounts, type DatetimeCursor, isCount } from "./cursor.ts";
import type { Decoder } from "./decoders.ts";
import { DeclarativeError, isAbort } from "./errors.ts";
import { type HttpResult, PaginationResetRequiredError } from "./http/client.ts";
import type { Paginator } from "./paginator.ts";
import type { PartitionRouter } from "./partitions.ts";
import { partitionKey } from "./partitions.ts";
import { deepMerge, type QueryProperties } from "./query-properties.ts";
import { normalizer, type RecordSelector, selectRecords } from "./records.ts";
import type { HttpRequester, PageInjector } from "./requester.ts";
import { headersView } from "./response.ts";
import { contextOf, type Scope, type StreamSlice, setExtraFields } from "./slice.ts";
import { isObj, type Obj, pyStr } from "./values.ts";

export interface Retriever {
  requester: HttpRequester;
  /** JsonDecoder unless the manifest names another. */
  decoder: Decoder;
  selector: RecordSelector;
  paginator: Paginator;
  /** ignore_stream_slicer_parameters_on_paginated_requests. */
  slicerOnFirstPageOnly?: boolean;
  /** An AsyncRetriever: each slice's records come from a job the API runs, not from pages. */
  jobs?: AsyncJobs;
  /** QueryProperties: each page is requested once per chunk of properties. */
  queryProperties?: QueryProperties;
  /** PaginationReset: what a reset does, and after how many records one happens. */
  paginationReset?: { action: "RESET" | "SPLIT_USING_CURSOR"; limit: number | null };
}

/** What a read checks records against: the sync start (in progress) and the range end. */
interface Bounds {
  progress: CursorProgress;
  end: number;
}

export type StreamEvent = { kind: "records"; records: Obj[] } | { kind: "state"; state: Obj };

export interface StreamDefinition {
  name: string;
  primaryKey: string[][];
  /** The JSON schema; for a DynamicSchemaLoader, {} until resolveSchema() has read it. */
  schema: Obj;
  retriever: Retriever;
  cursor: DatetimeCursor | null;
  /** An IncrementingCountCursor (then `cursor` is null, and there is no router). */
  counter?: CountCursor | null;
  /** state_migrations: a saved state in an older shape, rewritten before the read uses it. */
  migrateState?: ((state: Obj) => Obj) | null;
  router: PartitionRouter | null;
  parameters: Obj;
  /** A DynamicSchemaLoader: how to read the schema, and whether records are normalized by it. */
  dynamicSchema?: { load(signal: AbortSignal): Promise<Obj>; normalize: boolean };
}

const NO_CURSOR_STATE = { __ab_no_cursor_state_message: true };
const SWITCH_TO_GLOBAL_LIMIT = 10_000;

export class DeclarativeStreamRunner {
  constructor(
    readonly def: StreamDefinition,
    private readonly config: Obj,
  ) {}

  get name(): string {
    return this.def.name;
  }

  private schemaRead = false;

  /** Reads a DynamicSchemaLoader's schema (once), for the catalog and for schema normalization. */
  async resolveSchema(signal: AbortSignal): Promise<void> {
    const dynamic = this.def.dynamicSchema;
    if (!dynamic || this.schemaRead) return;
    this.def.schema = await dynamic.load(signal);
    this.schemaRead = true;
    if (dynamic.normalize) this.def.retriever.selector.normalize = normalizer(this.def.schema);
  }

  /** Every record of every slice, with the partition it came from (for parent streams). */
  async *records(signal: AbortSignal): AsyncGenerator<{ record: Obj; partition: Obj }> {
    // As DeclarativePartition.read: the schema first (a parent's records are normalized too).
    await this.resolveSchema(signal);
    for await (const slice of this.slices(signal)) {
      for await (const page of this.pages(slice, {}, signal)) {
        for (const record of page) yield { record, partition: slice.partition };
      }
    }
  }

  /**
   * Check: the first page of the first slice (an empty page counts as available). False when there
   * is no slice at all (a substream whose parent is empty), which the CDK's check reports as failed.
   */
  async firstPage(signal: AbortSignal): Promise<boolean> {
    await this.resolveSchema(signal);
    for await (const slice of this.slices(signal)) {
      for await (const _ of this.pages(slice, {}, signal)) return true;
      return true;
    }
    return false;
  }

  private async *slices(signal: AbortSignal): AsyncGenerator<StreamSlice> {
    const partitions = this.def.router ? this.def.router.partitions(signal) : one({});
    for await (const partition of partitions) {
      const counter = this.def.counter;
      const cursors = this.def.cursor ? this.def.cursor.slices(null) : counter ? [counter.slice({})] : [{}];
      for (const cursor of cursors) yield { partition, cursor };
    }
  }

  /**
   * Reads the stream. A stream with a cursor reads through it whatever the sync mode, as the CDK's
   * concurrent source does (its slices, filters and a data feed's stop, and its state at the end);
   * only an incremental read starts from the given state. A stream without one ends with the
   * no-cursor state.
   */
  read(incremental: boolean, saved: unknown, signal: AbortSignal): AsyncGenerator<StreamEvent> {
    const migrate = this.def.migrateState;
    const state = migrate && isObj(saved) ? migrate(saved) : saved;
    // Each kind of read is a generator of its own.
    const counter = this.def.counter;
    if (counter) return this.readCounter(counter, incremental ? state : undefined, signal);
    const cursor = this.def.cursor;
    if (!cursor) return this.readFullRefresh(signal);
    const from = incremental ? state : undefined;
    if (!this.def.router) return this.readIncremental(cursor, from, signal);
    return this.readPerPartition(cursor, from, signal);
  }

  private async *readFullRefresh(signal: AbortSignal): AsyncGenerator<StreamEvent> {
    const failures: AsyncSliceError[] = [];
    for await (const slice of this.jobsAhead(this.slices(signal), signal)) {
      try {
        for await (const records of this.pages(slice, {}, signal)) yield { kind: "records", records };
      } catch (error) {
        // An async job that never completed: the other slices are still read (the CDK's orchestrator).
        if (!(error instanceof AsyncSliceError)) throw error;
        failures.push(error);
      }
    }
    yield { kind: "state", state: { ...NO_CURSOR_STATE } };
    if (failures.length > 0) throw combineSliceErrors(failures);
  }

  /**
   * The slices, with the async jobs of the next ones started ahead of their turn, up to
   * max_concurrent_async_job_count at once (the CDK's orchestrator runs them side by side too);
   * records are still read slice after slice. Jobs started ahead stop when the read stops.
   */
  private async *jobsAhead(
    slices: AsyncIterable<StreamSlice> | Iterable<StreamSlice>,
    signal: AbortSignal,
  ): AsyncGenerator<StreamSlice> {
    const jobs = this.def.retriever.jobs;
    if (!jobs || jobs.concurrency <= 1) {
      yield* slices;
      return;
    }
    const local = new AbortController();
    const onAbort = () => local.abort(signal.reason);
    if (signal.aborted) local.abort(signal.reason);
    else signal.addEventListener("abort", onAbort, { once: true });
    const source =
      Symbol.asyncIterator in slices
        ? (slices as AsyncIterable<StreamSlice>)[Symbol.asyncIterator]()
        : (async function* () {
            yield* slices as Iterable<StreamSlice>;
          })();
    const queue: StreamSlice[] = [];
    let done = false;
    try {
      for (;;) {
        while (!done && queue.length < jobs.concurrency) {
          const next = await source.next();
          if (next.done) done = true;
          else {
            jobs.begin(next.value, local.signal);
            queue.push(next.value);
          }
        }
        const slice = queue.shift();
        if (slice === undefined) return;
        yield slice;
      }
    } finally {
      signal.removeEventListener("abort", onAbort);
      local.abort();
      // The jobs started ahead abort themselves on the API before the read ends.
      await jobs.settle();
    }
  }

  /** IncrementingCountCursor: one slice from the saved count on, and the greatest count seen. */
  private async *readCounter(
    counter: CountCursor,
    state: unknown,
    signal: AbortSignal,
  ): AsyncGenerator<StreamEvent> {
    const incoming = isObj(state) ? { ...state } : {};
    const slice = { partition: {}, cursor: counter.slice(incoming) };
    let latest: unknown = null;
    for await (const records of this.pages(slice, incoming, signal)) {
      // A record without a count is kept and moves nothing (the CDK logs it once).
      latest = this.latestOf(records, latest);
      yield { kind: "records", records };
    }
    yield { kind: "state", state: counter.state(incoming, slice.cursor.start, latest) };
  }

  /** Whether the stream reads incrementally: a datetime or a count cursor. */
  get cursorField(): string | null {
    return this.def.cursor?.field ?? this.def.counter?.field ?? null;
  }

  private async *readIncremental(
    cursor: DatetimeCursor,
    state: unknown,
    signal: AbortSignal,
  ): AsyncGenerator<StreamEvent> {
    const prior = cursor.savedValue(state);
    const progress = new CursorProgress(cursor, cursor.syncStart(prior));
    const bounds = { progress, end: cursor.endMicros() };
    const stateObj = isObj(state) ? state : {};
    const slices = cursor.slices(prior);
    const failures: AsyncSliceError[] = [];
    for await (const slice of this.jobsAhead(
      slices.map((c) => ({ partition: {}, cursor: c })),
      signal,
    )) {
      try {
        for await (const records of this.pages(slice, stateObj, signal, bounds)) {
          for (const r of records) progress.observe(r);
          yield { kind: "records", records };
        }
      } catch (error) {
        // An async job that never completed: later slices are read, but the state stays before
        // the failed one, so the next sync reads it again.
        if (!(error instanceof AsyncSliceError)) throw error;
        failures.push(error);
      }
      if (failures.length === 0) yield { kind: "state", state: progress.state() };
    }
    // The CDK emits a state even when there was nothing to read (the range was empty).
    if (slices.length === 0) yield { kind: "state", state: progress.state() };
    if (failures.length > 0) throw combineSliceErrors(failures);
  }

  /**
   * Substream + cursor, as the CDK's ConcurrentPerPartitionCursor: a cursor per partition, new
   * partitions starting from the global cursor (minus the last run's duration), and a state of
   * {use_global_cursor, states, state, lookback_window, parent_state}, emitted after the first
   * partition, then at most every 10 minutes, and at the end.
   */
  private async *readPerPartition(
    cursor: DatetimeCursor,
    state: unknown,
    signal: AbortSignal,
  ): AsyncGenerator<StreamEvent> {
    const started = performance.now();
    const input = isObj(state) ? state : {};
    const saved = new Map<string, { partition: Obj; cursor: Obj }>();
    let global: string | null = null;
    let lookback = 0;
    let parentState: unknown = null;
    const formatted = (v: unknown): string | null => {
      const t = cursor.stateValue({ [cursor.field]: v });
      return t === null ? null : cursor.format(t);
    };
    // A saved value must be in one of the cursor's formats (records are read leniently).
    const savedFormatted = (v: unknown): string | null => {
      const t = cursor.savedValue({ [cursor.field]: v });
      return t === null ? null : cursor.format(t);
    };
    const perPartitionState = "states" in input || "state" in input;
    if (!perPartitionState) {
      global = savedFormatted(input[cursor.field]);
    } else {
      lookback = Math.trunc(Number(input.lookback_window ?? 0)) || 0;
      for (const s of Array.isArray(input.states) ? input.states : []) {
        if (isObj(s) && isObj(s.partition) && isObj(s.cursor)) {
          // Every saved cursor is checked before any request, as the CDK builds them all up front.
          cursor.savedValue(s.cursor);
          saved.set(partitionKey(s.partition), { partition: s.partition, cursor: s.cursor });
        }
      }
      if (isObj(input.state)) global = savedFormatted(input.state[cursor.field]);
    }
    if (isObj(input.parent_state) && Object.keys(input.parent_state).length > 0)
      parentState = input.parent_state;
    // global_substream_cursor (or a GroupingPartitionRouter) starts with one cursor for every
    // partition; a per-partition state decides by its own use_global_cursor (absent: false), as
    // _set_initial_state does.
    const router = this.def.router as PartitionRouter;
    let useGlobal = perPartitionState
      ? input.use_global_cursor === true
      : cursor.spec.globalSubstream === true || router.globalCursor === true;
    // ConcurrentPerPartitionCursor's SWITCH_TO_GLOBAL_LIMIT: past 10,000 partitions (those of the
    // saved state included) the stream keeps one global cursor instead of a state per partition.
    let partitionCount = saved.size;
    let newGlobal = global;
    // As ConcurrentPerPartitionCursor: the global cursor and the lookback window move at the end
    // only when some data was synced; parent_state is there only for a router with parents.
    let synced = false;
    const snapshot = (final: boolean): Obj => {
      const out: Obj = { use_global_cursor: useGlobal };
      if (!useGlobal) out.states = [...saved.values()];
      const moved = final && synced;
      const g = moved ? newGlobal : global;
      if (g !== null) out.state = { [cursor.field]: g };
      out.lookback_window = moved ? Math.ceil((performance.now() - started) / 1000) : lookback;
      if (router.hasParents) out.parent_state = final ? {} : (parentState ?? {});
      return out;
    };
    const raiseGlobal = (v: string | null) => {
      if (v !== null && (newGlobal === null || newGlobal < v)) newGlobal = v;
    };
    let lastEmit = 0;
    let failure: unknown = null;
    for await (const partition of router.partitions(signal)) {
      if (!useGlobal && partitionCount > SWITCH_TO_GLOBAL_LIMIT) useGlobal = true;
      const key = partitionKey(partition);
      // A state migrated from the legacy per-parent shape names its partitions without their
      // parent_slice: such an entry stands for the partition, and is replaced by it.
      if (!saved.has(key) && "parent_slice" in partition) {
        // Its values are text (they were JSON keys): an id 101 is the entry "101".
        const { parent_slice: _, ...bare } = partition;
        const legacyKey = partitionKey(
          Object.fromEntries(Object.entries(bare).map(([k, v]) => [k, typeof v === "string" ? v : pyStr(v)])),
        );
        const legacy = saved.get(legacyKey);
        if (legacy && !("parent_slice" in legacy.partition)) {
          saved.delete(legacyKey);
          saved.set(key, { partition, cursor: legacy.cursor });
        }
      }
      if (!saved.has(key)) partitionCount++;
      // A partition's own saved cursor is read even once the state is global (as the CDK keeps it).
      const own = saved.get(key);
      let prior: number | null;
      if (own) prior = cursor.savedValue(own.cursor);
      else {
        const g = global === null ? null : cursor.stateValue({ [cursor.field]: global });
        prior = g === null ? null : g - lookback * 1_000_000;
      }
      const progress = new CursorProgress(cursor, cursor.syncStart(prior));
      const bounds = { progress, end: cursor.endMicros() };
      try {
        for (const c of cursor.slices(prior)) {
          for await (const records of this.pages(
            { partition, cursor: c },
            own?.cursor ?? {},
            signal,
            bounds,
          )) {
            for (const r of records) {
              progress.observe(r);
              raiseGlobal(formatted(r[cursor.field]));
            }
            if (records.length > 0) synced = true;
            yield { kind: "records", records };
          }
        }
      } catch (error) {
        // As the CDK's partition reader: a failed partition is not closed (its state stays as it
        // was) and the other partitions are still read; the stream fails at the end.
        if (signal.aborted || isAbort(error)) throw error;
        failure ??= error;
        continue;
      }
      const closed = progress.state();
      if (!useGlobal) saved.set(key, { partition, cursor: closed });
      // A closed partition's cursor raises the global one too (its saved value, even with no record).
      raiseGlobal(formatted(closed[cursor.field]));
      const now = Date.now();
      // The CDK emits no intermediate state for a global cursor without parent state.
      if (now - lastEmit > 600_000 && !(useGlobal && parentState === null)) {
        lastEmit = now;
        yield { kind: "state", state: snapshot(false) };
      }
    }
    if (failure !== null) {
      // The closed partitions' states are kept; the global cursor does not move (the CDK skips its
      // update when a stream did not complete).
      yield { kind: "state", state: snapshot(false) };
      throw failure;
    }
    yield { kind: "state", state: snapshot(true) };
  }

  /**
   * SimpleRetriever: the pages of one slice, following the paginator. The next page is requested
   * as soon as its token is known, before this page's records go downstream, so the network
   * wait overlaps the consumer's work; stopping early cancels that request.
   */
  pages(
    slice: StreamSlice,
    state: Obj,
    signal: AbortSignal,
    bounds: Bounds | null = null,
  ): AsyncGenerator<Obj[]> {
    const jobs = this.def.retriever.jobs;
    // Returned rather than delegated to: one generator layer per page, on the hot path.
    if (jobs) return this.jobRecords(jobs, slice, state, signal, bounds);
    return this.pageRun(slice, state, signal, bounds);
  }

  /**
   * The pages of a slice. A pagination reset (the error handler's RESET_PAGINATION, or
   * PaginationResetLimits records read) starts again from page 1, of the slice narrowed to the
   * records already read when splitting; the same slice may be tried again once (PaginationTracker:
   * with SPLIT_USING_CURSOR and a cursor, not at all).
   */
  private async *pageRun(
    slice: StreamSlice,
    state: Obj,
    signal: AbortSignal,
    bounds: Bounds | null,
  ): AsyncGenerator<Obj[]> {
    const reset = this.def.retriever.paginationReset ?? null;
    const limit = reset?.limit ?? null;
    const split =
      reset?.action === "SPLIT_USING_CURSOR" && (this.def.cursor !== null || Boolean(this.def.counter));
    const allowed = split ? 1 : 2;
    let sameSlice = 0;
    // Linked by hand (see http/client.ts): AbortSignal.any() signals live as long as the caller's.
    const local = new AbortController();
    const sig = local.signal;
    const onAbort = () => local.abort(signal.reason);
    if (signal.aborted) local.abort(signal.reason);
    else signal.addEventListener("abort", onAbort, { once: true });
    try {
      for (let current = slice; ; ) {
        let pending: Promise<PageResult> | null = this.page(
          current,
          state,
          this.def.retriever.paginator.initialToken(),
          null,
          sig,
          bounds,
        );
        let count = 0;
        let latest: unknown = null;
        let resetting = false;
        while (pending !== null) {
          let result: PageResult;
          try {
            result = await pending;
          } catch (error) {
            if (!(error instanceof PaginationResetRequiredError)) throw error;
            resetting = true;
            break;
          }
          const { records, next, repeatedRecords } = result;
          pending = null;
          count += records.length;
          if (split) latest = this.latestOf(records, latest);
          const reached = limit !== null && count >= limit;
          if (next !== null && next !== undefined && !reached) {
            pending = this.page(current, state, next, repeatedRecords, sig, bounds);
            pending.catch(() => {}); // surfaced when awaited; this only silences the early warning
          }
          if (records.length > 0) yield records;
          if (reached) {
            resetting = true;
            break;
          }
        }
        if (!resetting) return;
        const narrowed = split && latest !== null ? this.narrow(current, latest) : current;
        sameSlice = JSON.stringify(narrowed.cursor) === JSON.stringify(current.cursor) ? sameSlice + 1 : 0;
        if (sameSlice >= allowed)
          throw new DeclarativeError(
            `Stream '${this.def.name}': There were ${sameSlice} attempts with the same slice already while the max allowed is ${allowed}`,
          );
        current = narrowed;
      }
    } finally {
      signal.removeEventListener("abort", onAbort);
      local.abort();
    }
  }

  /** The greatest cursor value among `records` and `latest`. */
  private latestOf(records: Obj[], latest: unknown): unknown {
    const cursor = this.def.cursor;
    const counter = this.def.counter;
    let top = latest;
    for (const r of records) {
      if (cursor) {
        let t: number | null = null;
        try {
          t = cursor.parse(r[cursor.field]);
        } catch {
          t = null;
        }
        if (t !== null && (top === null || t > (top as number))) top = t;
      } else if (counter) {
        const v = r[counter.field];
        if (isCount(v) && (top === null || compareCounts(v, top) > 0)) top = v;
      }
    }
    return top;
  }

  /** ConcurrentCursor.reduce_slice_range: the slice from the greatest cursor value read on. */
  private narrow(slice: StreamSlice, latest: unknown): StreamSlice {
    if (this.def.cursor)
      return {
        partition: slice.partition,
        cursor: this.def.cursor.withStart(slice.cursor, latest as number),
      };
    return { partition: slice.partition, cursor: { ...slice.cursor, start: latest } };
  }

  /** AsyncRetriever.read_records: the job's records through the stream's record selector. */
  private async *jobRecords(
    jobs: AsyncJobs,
    slice: StreamSlice,
    state: Obj,
    signal: AbortSignal,
    bounds: Bounds | null,
  ): AsyncGenerator<Obj[]> {
    const ctx = contextOf({ config: this.config, parameters: this.def.parameters, slice, state });
    const clientSide = this.def.cursor?.spec.clientSide === true && bounds !== null;
    for await (const batch of jobs.records(slice, signal)) {
      let records = selectRecords(this.def.retriever.selector, batch, ctx);
      if (clientSide && bounds) records = records.filter((r) => bounds.progress.inRange(r, bounds.end));
      if (records.length > 0) yield records;
    }
  }

  /** The request of a page and its records; null when its status gives none. */
  private async fetch(
    scope: Scope,
    ctx: Obj,
    token: unknown,
    signal: AbortSignal,
    /** A chunk of query properties, as its request parameter. */
    properties: [string, string] | null = null,
    /** contextOf(scope) for the request: ctx itself, or undefined when scope is not ctx's (a chunk's). */
    scopeCtx: Obj | undefined = ctx,
  ): Promise<Fetched | null> {
    const { requester, selector, paginator, decoder } = this.def.retriever;
    const slice = scope.slice as StreamSlice;
    const slicerOnFirstPageOnly = this.def.retriever.slicerOnFirstPageOnly === true;
    const router = this.def.router;
    const cursor = this.def.cursor;
    // Everything from the token it is given (a page plan's placeholder, or the page's own).
    const inject: PageInjector = (parts, c, pageToken) => {
      if (properties !== null) parts.setParam(properties[0], properties[1]);
      paginator.inject(parts, c, pageToken);
      if (!(slicerOnFirstPageOnly && pageToken !== null && pageToken !== undefined)) {
        // The CDK merges partition | cursor: on a shared name the cursor's value wins.
        router?.inject(parts, c, slice.partition);
        cursor?.inject(parts, c, slice.cursor);
        this.def.counter?.inject(parts, c, slice.cursor);
      }
    };
    const result = await requester.sendPage(
      scope,
      inject,
      token,
      paginator.path(token),
      signal,
      scopeCtx,
      properties === null,
    );
    // As the CDK's retriever reads only a truthy response (`response.ok`): an error status that the
    // error handler let through (IGNORE, or SUCCESS on a 4xx or 5xx) gives no records and ends the
    // slice; an IGNOREd success (2xx, 3xx) is read as usual.
    if (!(result.status > 0 && result.status < 400)) return null;
    const { bodies, response } = decoder.decode(result);
    const extracted = { count: 0 };
    const records = selectRecords(selector, bodies, ctx, extracted);
    // A streamed body is read once, by the records: the CDK's OffsetIncrement counts what its own
    // extractor finds in the pagination response (a remainder, or {}).
    if (decoder.streamed) extracted.count = selector.extract(response, ctx).length;
    return { result, response, records, extracted };
  }

  /**
   * A page asked once per chunk of query properties, each request with the same page token and
   * the chunk as the slice's only extra field; records with the same merge key are merged (those
   * without one go first), and the last chunk's response gives the next page.
   */
  private async fetchChunks(
    qp: QueryProperties,
    scope: Scope,
    ctx: Obj,
    token: unknown,
    signal: AbortSignal,
  ): Promise<Fetched | null> {
    const slice = scope.slice as StreamSlice;
    const key = qp.spec.key;
    const immediate: Obj[] = [];
    const merged = new Map<string, Obj>();
    let last: Fetched | null = null;
    let lastAnswered = false;
    for (const chunk of await qp.chunks(signal)) {
      const partition = { ...slice.partition };
      setExtraFields(partition, { query_properties: chunk });
      const chunkScope = { ...scope, slice: { partition, cursor: slice.cursor } };
      const fetched = await this.fetch(
        chunkScope,
        ctx,
        token,
        signal,
        key === null ? null : [key, chunk.join(",")],
        undefined,
      );
      // A chunk answered with an error status let through gives no records; the others still count.
      lastAnswered = fetched !== null;
      if (fetched === null) continue;
      last = fetched;
      for (const record of fetched.records) {
        const group = qp.spec.chunking ? qp.groupKey(record) : null;
        if (group === null) immediate.push(record);
        else {
          const into = merged.get(group);
          if (into) deepMerge(into, record);
          else merged.set(group, record);
        }
      }
    }
    const records = [...immediate, ...merged.values()];
    // Only the last chunk's response decides whether pagination goes on.
    if (last === null || !lastAnswered)
      return records.length > 0 ? { ...(last as Fetched), records, end: true } : null;
    return { ...last, records };
  }

  /** One page: request, decode, select; then the token of the next page (null at the end). */
  private async page(
    slice: StreamSlice,
    state: Obj,
    token: unknown,
    /** The previous page's records (as JSON) when it gave this same token again; null otherwise. */
    previousRecords: string | null,
    signal: AbortSignal,
    bounds: Bounds | null,
  ): Promise<PageResult> {
    const paginator = this.def.retriever.paginator;
    const cursor = this.def.cursor;
    const scope = {
      config: this.config,
      parameters: this.def.parameters,
      slice,
      state,
      nextPageToken: token === null || token === undefined ? null : { next_page_token: token },
    };
    const ctx = contextOf(scope);
    const qp = this.def.retriever.queryProperties;
    const fetched = qp
      ? await this.fetchChunks(qp, scope, ctx, token, signal)
      : await this.fetch(scope, ctx, token, signal);
    if (fetched === null) return { records: [], next: null, repeatedRecords: null };
    const { result, response, extracted } = fetched;
    let records = fetched.records;
    // Client-side incremental filtering belongs to the record selector in the CDK, so the page
    // size and last record the paginator sees are counted after it.
    if (cursor?.spec.clientSide && bounds)
      records = records.filter((r) => bounds.progress.inRange(r, bounds.end));
    const last = records.length > 0 ? (records[records.length - 1] as Obj) : null;
    const lastPageSize = records.length;
    if (cursor?.spec.isDataFeed && bounds) {
      // A newest-first feed: once the page's last record is out of range, the rest is already
      // synced. The paginator sees the whole page; the records outside the cursor's window (older
      // than the sync start, or dated in the future) are left out, so they never move the state.
      const stop = last !== null && !bounds.progress.inRange(last, bounds.end);
      records = records.filter((r) => bounds.progress.inRange(r, bounds.end));
      if (stop) return { records, next: null, repeatedRecords: null };
    }
    if (fetched.end) return { records, next: null, repeatedRecords: null };
    const next = paginator.next(
      {
        response,
        headers: () => headersView(result),
        lastRecord: last,
        lastPageSize,
        extractedCount: extracted.count,
        token,
      },
      ctx,
    );
    if (next === null || next === undefined) return { records, next: null, repeatedRecords: null };
    const repeated =
      token !== null &&
      token !== undefined &&
      (next === token || (typeof next === "object" && JSON.stringify(next) === JSON.stringify(token)));
    if (!repeated) return { records, next, repeatedRecords: null };
    // The same token again is fine where the API keeps it (a scroll id) and moves on by itself; the
    // CDK would follow it. Only the same token answered with the same records means the API ignores
    // it (a request id or a timing in the body may still change), and following it would loop forever.
    const recordsJson = JSON.stringify(records);
    if (previousRecords !== null && recordsJson === previousRecords) {
      throw new DeclarativeError(
        `Stream '${this.def.name}': the API answered the same next-page token with the same page again; stopping instead of looping forever.`,
      );
    }
    return { records, next, repeatedRecords: recordsJson };
  }
}

interface Fetched {
  result: HttpResult;
  /** What the paginator reads as `response`. */
  response: unknown;
  records: Obj[];
  /** Records the extractor found before any filter (what OffsetIncrement counts). */
  extracted: { count: number };
  /** The page is the last: its records count, but no next page is asked for. */
  end?: boolean;
}

interface PageResult {
  records: Obj[];
  next: unknown;
  /** This page's records as JSON, kept only when its next token is the one it was requested with. */
  repeatedRecords: string | null;
}

async function* one(partition: Obj): AsyncGenerator<Obj> {
  yield partition;
}
