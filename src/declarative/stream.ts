// One declarative stream at run time: its slices (partitions × date ranges), the pages of each
// slice (SimpleRetriever), and its state as the CDK's concurrent cursors shape it.

import { CursorProgress, type DatetimeCursor } from "./cursor.ts";
import { DeclarativeError } from "./errors.ts";
import type { Paginator } from "./paginator.ts";
import type { PartitionRouter } from "./partitions.ts";
import { partitionKey } from "./partitions.ts";
import { decodeJson, firstBody, type RecordSelector, selectRecords } from "./records.ts";
import type { HttpRequester, RequestInjector } from "./requester.ts";
import { headersView } from "./response.ts";
import { contextOf, type StreamSlice } from "./slice.ts";
import { isObj, type Obj } from "./values.ts";

export interface Retriever {
  requester: HttpRequester;
  selector: RecordSelector;
  paginator: Paginator;
}

export type StreamEvent = { kind: "records"; records: Obj[] } | { kind: "state"; state: Obj };

export interface StreamDefinition {
  name: string;
  primaryKey: string[][];
  schema: Obj;
  retriever: Retriever;
  cursor: DatetimeCursor | null;
  router: PartitionRouter | null;
  parameters: Obj;
}

const NO_CURSOR_STATE = { __ab_no_cursor_state_message: true };

export class DeclarativeStreamRunner {
  constructor(
    readonly def: StreamDefinition,
    private readonly config: Obj,
  ) {}

  get name(): string {
    return this.def.name;
  }

  /** Every record of every slice, with the partition it came from (for parent streams). */
  async *records(signal: AbortSignal): AsyncGenerator<{ record: Obj; partition: Obj }> {
    for await (const slice of this.slices(signal)) {
      for await (const page of this.pages(slice, {}, signal)) {
        for (const record of page) yield { record, partition: slice.partition };
      }
    }
  }

  /** Check: the first page of the first slice (an empty stream counts as available). */
  async firstPage(signal: AbortSignal): Promise<void> {
    for await (const slice of this.slices(signal)) {
      for await (const _ of this.pages(slice, {}, signal)) return;
      return;
    }
  }

  private async *slices(signal: AbortSignal): AsyncGenerator<StreamSlice> {
    const partitions = this.def.router ? this.def.router.partitions(signal) : one({});
    for await (const partition of partitions) {
      const cursors = this.def.cursor ? this.def.cursor.slices(null) : [{}];
      for (const cursor of cursors) yield { partition, cursor };
    }
  }

  /** Reads the stream; `incremental` uses and produces state, otherwise ends with the no-cursor state. */
  async *read(incremental: boolean, state: unknown, signal: AbortSignal): AsyncGenerator<StreamEvent> {
    const cursor = incremental ? this.def.cursor : null;
    if (!cursor) {
      const partitions = this.def.router ? this.def.router.partitions(signal) : one({});
      for await (const partition of partitions) {
        const cursorSlices = this.def.cursor ? this.def.cursor.slices(null) : [{}];
        for (const c of cursorSlices) {
          for await (const records of this.pages({ partition, cursor: c }, {}, signal)) yield { kind: "records", records };
        }
      }
      yield { kind: "state", state: { ...NO_CURSOR_STATE } };
      return;
    }
    if (!this.def.router) {
      const prior = cursor.stateValue(state);
      const progress = new CursorProgress(cursor, prior);
      const start = cursor.earliest(prior);
      const stateObj = isObj(state) ? state : {};
      for (const c of cursor.slices(prior)) {
        for await (const records of this.pages({ partition: {}, cursor: c }, stateObj, signal)) {
          for (const r of records) progress.observe(r);
          yield { kind: "records", records };
        }
        yield { kind: "state", state: progress.state(prior ?? start) };
      }
      return;
    }
    yield* this.readPerPartition(cursor, state, signal);
  }

  /** Substream + cursor: the CDK's per-partition state, new partitions starting from the global cursor. */
  private async *readPerPartition(
    cursor: DatetimeCursor,
    state: unknown,
    signal: AbortSignal,
  ): AsyncGenerator<StreamEvent> {
    const saved = new Map<string, { partition: Obj; cursor: Obj }>();
    const input = isObj(state) ? state : {};
    if (Array.isArray(input.states)) {
      for (const s of input.states) {
        if (isObj(s) && isObj(s.partition) && isObj(s.cursor)) saved.set(partitionKey(s.partition), { partition: s.partition, cursor: s.cursor });
      }
    }
    const globalPrior = cursor.stateValue(isObj(input.state) ? input.state : input.states === undefined ? input : null);
    let global: number | null = globalPrior;
    const router = this.def.router as PartitionRouter;
    for await (const partition of router.partitions(signal)) {
      const key = partitionKey(partition);
      const own = saved.get(key);
      const prior = own ? cursor.stateValue(own.cursor) : globalPrior;
      const progress = new CursorProgress(cursor, prior);
      const start = cursor.earliest(prior);
      for (const c of cursor.slices(prior)) {
        for await (const records of this.pages({ partition, cursor: c }, own?.cursor ?? {}, signal)) {
          for (const r of records) progress.observe(r);
          yield { kind: "records", records };
        }
      }
      saved.set(key, { partition, cursor: progress.state(prior ?? start) });
      if (progress.latest !== null && (global === null || progress.latest > global)) global = progress.latest;
      yield { kind: "state", state: this.perPartitionState(saved, cursor, global) };
    }
    yield { kind: "state", state: this.perPartitionState(saved, cursor, global) };
  }

  private perPartitionState(saved: Map<string, { partition: Obj; cursor: Obj }>, cursor: DatetimeCursor, global: number | null): Obj {
    const out: Obj = { use_global_cursor: false, states: [...saved.values()] };
    if (global !== null) out.state = { [cursor.field]: cursor.format(global) };
    return out;
  }

  /** SimpleRetriever: the pages of one slice, following the paginator. */
  async *pages(slice: StreamSlice, state: Obj, signal: AbortSignal): AsyncGenerator<Obj[]> {
    const { requester, selector, paginator } = this.def.retriever;
    const cursor = this.def.cursor;
    const router = this.def.router;
    const dataFeedStart = cursor?.spec.isDataFeed ? cursor.sliceStart(slice.cursor) : null;
    const clientStart = cursor?.spec.clientSide ? cursor.sliceStart(slice.cursor) : null;
    let token: unknown = paginator.initialToken();
    let previous: string | null = null;
    for (;;) {
      const scope = {
        config: this.config,
        parameters: this.def.parameters,
        slice,
        state,
        nextPageToken: token === null || token === undefined ? null : { next_page_token: token },
      };
      const injectors: RequestInjector[] = [
        (parts, ctx) => paginator.inject(parts, ctx, token),
        (parts, ctx) => cursor?.inject(parts, ctx, slice.cursor),
        (parts, ctx) => router?.inject(parts, ctx, slice.partition),
      ];
      const result = await requester.send(scope, injectors, paginator.path(token), signal);
      if (result.ignored) return;
      const bodies = decodeJson(result.text);
      const ctx = contextOf(scope);
      let records = selectRecords(selector, bodies, ctx);
      const last = records.length > 0 ? records[records.length - 1] : null;
      const lastPageSize = records.length;
      if (clientStart !== null && cursor) records = records.filter((r) => (safeParse(cursor, r) ?? clientStart) >= clientStart);
      if (records.length > 0) yield records;
      if (dataFeedStart !== null && cursor && last) {
        const t = safeParse(cursor, last);
        if (t !== null && t < dataFeedStart) return;
      }
      const next = paginator.next(
        { response: firstBody(bodies), headers: headersView(result), lastRecord: last, lastPageSize, token },
        ctx,
      );
      if (next === null || next === undefined) return;
      const seen = JSON.stringify(next);
      if (seen === previous) {
        throw new DeclarativeError(
          `Stream '${this.def.name}': the paginator returned the same next-page token twice in a row; stopping instead of looping forever.`,
        );
      }
      previous = seen;
      token = next;
    }
  }
}

function safeParse(cursor: DatetimeCursor, record: Obj): number | null {
  try {
    return cursor.parse(record[cursor.field]);
  } catch {
    return null;
  }
}

async function* one(partition: Obj): AsyncGenerator<Obj> {
  yield partition;
}
