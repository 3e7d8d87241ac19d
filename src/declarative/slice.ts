// A stream slice as the CDK has it: the partition (from a partition router) and the cursor slice
// (from an incremental cursor). Templates see one merged mapping under three names.

import { PY_ATTRS } from "./interpolation/index.ts";
import type { Obj } from "./values.ts";

export interface StreamSlice {
  partition: Obj;
  cursor: Obj;
}

export const EMPTY_SLICE: StreamSlice = Object.freeze({ partition: {}, cursor: {} }) as StreamSlice;

export function sliceView(slice: StreamSlice): Obj {
  const c = slice.cursor;
  for (const _ in c) {
    const view = { ...slice.partition, ...c };
    const extra = extraFieldsOf(slice.partition);
    if (extra) setExtraFields(view, extra);
    return view;
  }
  return slice.partition;
}

type WithAttrs = Obj & { [PY_ATTRS]?: { extra_fields: Obj } };

/**
 * ParentStreamConfig.extra_fields of a partition, kept beside its values as the CDK's StreamSlice
 * keeps them: out of the partition's key, its state and its requests; templates read them as the
 * slice's attribute, `stream_slice.extra_fields`.
 */
export function setExtraFields(partition: Obj, extra: Obj): void {
  Object.defineProperty(partition, PY_ATTRS, { value: { extra_fields: extra }, configurable: true });
}

export function extraFieldsOf(partition: Obj): Obj | undefined {
  return (partition as WithAttrs)[PY_ATTRS]?.extra_fields;
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
