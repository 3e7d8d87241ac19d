// A stream slice as the CDK has it: the partition (from a partition router) and the cursor slice
// (from an incremental cursor). Templates see one merged mapping under three names.

import type { Obj } from "./values.ts";

export interface StreamSlice {
  partition: Obj;
  cursor: Obj;
}

export const EMPTY_SLICE: StreamSlice = Object.freeze({ partition: {}, cursor: {} }) as StreamSlice;

export function sliceView(slice: StreamSlice): Obj {
  const c = slice.cursor;
  for (const _ in c) return { ...slice.partition, ...c };
  return slice.partition;
}

/** The template context shared by requesters, paginators, selectors and transformations. */
export interface Scope {
  config: Obj;
  parameters?: Obj | undefined;
  slice?: StreamSlice | undefined;
  state?: Obj | undefined;
  nextPageToken?: Obj | null | undefined;
  extra?: Obj | undefined;
}

export function contextOf(scope: Scope): Obj {
  const view = scope.slice ? sliceView(scope.slice) : {};
  const ctx: Obj = {
    config: scope.config,
    parameters: scope.parameters ?? {},
    stream_slice: view,
    stream_partition: view,
    stream_interval: view,
    stream_state: scope.state ?? {},
    next_page_token: scope.nextPageToken ?? null,
  };
  if (scope.extra) Object.assign(ctx, scope.extra);
  return ctx;
}
