// Partition routers: one slice per parent record (SubstreamPartitionRouter), per listed value
// (ListPartitionRouter), or per combination (CartesianProductStreamSlicer).

import { isRawJson } from "../core/json.ts";
import { DeclarativeError } from "./errors.ts";
import { pyRepr } from "./interpolation/index.ts";
import type { RequestOption, RequestParts } from "./request.ts";
import { extraFieldsOf, setExtraFields } from "./slice.ts";
import { evalString, evalValue } from "./template.ts";
import { dpathGet, isObj, type Obj, truthy } from "./values.ts";

export interface PartitionRouter {
  partitions(signal: AbortSignal): AsyncGenerator<Obj>;
  inject(parts: RequestParts, ctx: Obj, partition: Obj): void;
  /** It reads parent streams, so a per-partition state carries `parent_state` (the CDK's get_stream_state is not None). */
  readonly hasParents: boolean;
  /** An incremental read over it keeps one global cursor (the CDK's use_global_cursor). */
  readonly globalCursor?: boolean;
}

/** What a router needs of a parent stream: its records, read in full. */
export interface ParentReader {
  name: string;
  records(signal: AbortSignal): AsyncGenerator<{ record: Obj; partition: Obj }>;
}

export interface ParentConfig {
  parent: ParentReader;
  parentKey: string;
  partitionField: string;
  option: RequestOption | null;
  /** extra_fields: paths (of templates) into the parent record. */
  extraFields: unknown[][];
}

export class SubstreamRouter implements PartitionRouter {
  readonly hasParents = true;
  constructor(
    private readonly configs: ParentConfig[],
    private readonly ctx: Obj,
  ) {}

  async *partitions(signal: AbortSignal): AsyncGenerator<Obj> {
    for (const c of this.configs) {
      const key = evalString(c.parentKey, this.ctx).split("/");
      const field = evalString(c.partitionField, this.ctx);
      const extraPaths = c.extraFields.map((path) => path.map((p) => evalString(p, this.ctx)));
      for await (const { record, partition } of c.parent.records(signal)) {
        const value = dpathGet(record, key);
        if (value === undefined) continue;
        const p: Obj = { [field]: value, parent_slice: partition };
        if (extraPaths.length > 0) {
          // _extract_extra_fields: each under its path joined with dots, None when the parent lacks it.
          const extra: Obj = {};
          for (const path of extraPaths) extra[path.join(".")] = dpathGet(record, path) ?? null;
          setExtraFields(p, extra);
        }
        yield p;
      }
    }
  }

  inject(parts: RequestParts, ctx: Obj, partition: Obj): void {
    for (const c of this.configs) {
      if (!c.option) continue;
      const field = evalString(c.partitionField, this.ctx);
      // The CDK injects only a truthy value (`if value:`): a parent id of 0 or "" is not sent.
      if (truthy(partition[field])) parts.inject(c.option, partition[field], ctx);
    }
  }
}

export class ListRouter implements PartitionRouter {
  readonly hasParents = false;
  constructor(
    private readonly values: unknown,
    private readonly cursorField: string,
    private readonly option: RequestOption | null,
    private readonly ctx: Obj,
  ) {}

  private field(): string {
    return evalString(this.cursorField, this.ctx);
  }

  async *partitions(): AsyncGenerator<Obj> {
    let values = this.values;
    if (typeof values === "string") values = evalValue(values, this.ctx);
    if (typeof values === "string") values = values.split(",").map((v) => v.trim());
    if (!Array.isArray(values)) {
      throw new DeclarativeError(
        "The ListPartitionRouter's values did not evaluate to a list. Check the config value it reads.",
        "config_error",
      );
    }
    const field = this.field();
    for (const v of values) yield { [field]: v };
  }

  inject(parts: RequestParts, ctx: Obj, partition: Obj): void {
    const field = this.field();
    if (this.option && truthy(partition[field])) parts.inject(this.option, partition[field], ctx);
  }
}

export class CartesianRouter implements PartitionRouter {
  readonly hasParents: boolean;
  constructor(private readonly routers: PartitionRouter[]) {
    this.hasParents = routers.some((r) => r.hasParents);
  }

  async *partitions(signal: AbortSignal): AsyncGenerator<Obj> {
    let combos: Obj[] = [{}];
    for (const r of this.routers) {
      const next: Obj[] = [];
      const own: Obj[] = [];
      for await (const p of r.partitions(signal)) own.push(p);
      // The CDK merges with a ChainMap: on a shared key the earlier router's value wins.
      for (const c of combos)
        for (const p of own) {
          const merged: Obj = { ...c };
          for (const k in p) if (!Object.hasOwn(merged, k)) merged[k] = p[k];
          const extra = extraFieldsOf(c);
          const more = extraFieldsOf(p);
          if (extra || more) setExtraFields(merged, { ...more, ...extra });
          next.push(merged);
        }
      combos = next;
    }
    yield* combos;
  }

  inject(parts: RequestParts, ctx: Obj, partition: Obj): void {
    for (const r of this.routers) r.inject(parts, ctx, partition);
  }
}

/**
 * GroupingPartitionRouter: the underlying router's partitions in groups of `groupSize`, each group
 * one partition whose values are lists ({key: [v1, v2…]}, parent_slice too; extra fields likewise,
 * None where a partition lacks one). With `deduplicate`, a value seen before in the sync is
 * skipped. Templates read the lists (`{{ stream_partition.id | join(',') }}`): the CDK refuses
 * request options under it, and an incremental read keeps one global cursor.
 */
export class GroupingRouter implements PartitionRouter {
  readonly hasParents: boolean;
  readonly globalCursor = true;
  constructor(
    private readonly underlying: PartitionRouter,
    private readonly groupSize: number,
    private readonly deduplicate: boolean,
  ) {
    this.hasParents = underlying.hasParents;
  }

  async *partitions(signal: AbortSignal): AsyncGenerator<Obj> {
    const seen = new Set<string>();
    let batch: Obj[] = [];
    for await (const p of this.underlying.partitions(signal)) {
      const keys = Object.keys(p).filter((k) => k !== "parent_slice");
      if (keys.length !== 1) {
        throw new DeclarativeError(
          `GroupingPartitionRouter expects a single partition key-value pair. Got ${pyRepr(p)}`,
        );
      }
      if (this.deduplicate) {
        const key = hashKey(p[keys[0] as string]);
        if (seen.has(key)) continue;
        seen.add(key);
      }
      batch.push(p);
      if (batch.length === this.groupSize) {
        yield group(batch);
        batch = [];
      }
    }
    if (batch.length > 0) yield group(batch);
  }

  inject(): void {}
}

/** A value as a key of Python's set: equal numbers and booleans alike (1 == 1.0 == True). */
function hashKey(v: unknown): string {
  if (typeof v === "number" || typeof v === "boolean") return `n${Number(v)}`;
  if (typeof v === "string") return `s${v}`;
  if (v === null || v === undefined) return "none";
  if (isRawJson(v)) return `n${v.rawJSON}`;
  throw new DeclarativeError(
    `GroupingPartitionRouter: unhashable type: '${Array.isArray(v) ? "list" : "dict"}'`,
  );
}

/** _create_grouped_slice. */
function group(batch: Obj[]): Obj {
  const out: Obj = {};
  for (const key of Object.keys(batch[0] as Obj)) out[key] = batch.map((p) => p[key] ?? null);
  const extras = batch.map(extraFieldsOf);
  if (extras.some((e) => e !== undefined)) {
    const names = new Set(extras.flatMap((e) => (e ? Object.keys(e) : [])));
    const extra: Obj = {};
    for (const name of names) extra[name] = extras.map((e) => (e && name in e ? e[name] : null));
    setExtraFields(out, extra);
  }
  return out;
}

/** The CDK's partition key: the partition as JSON with sorted keys. */
export function partitionKey(partition: Obj): string {
  return JSON.stringify(sortKeys(partition));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (!isObj(v)) return v;
  const out: Obj = {};
  for (const k of Object.keys(v).sort()) out[k] = sortKeys(v[k]);
  return out;
}

/**
 * UnionPartitionRouter: the partitions of each router in turn, each value of `partition_field`
 * once (the first wins); the partition's other keys (parent_slice included) become extra fields.
 */
export class UnionRouter implements PartitionRouter {
  readonly hasParents: boolean;
  constructor(
    private readonly field: string,
    private readonly routers: PartitionRouter[],
  ) {
    this.hasParents = routers.some((r) => r.hasParents);
  }

  async *partitions(signal: AbortSignal): AsyncGenerator<Obj> {
    const seen = new Set<string>();
    for (const router of this.routers) {
      for await (const p of router.partitions(signal)) {
        if (!(this.field in p))
          throw new DeclarativeError(
            `UnionPartitionRouter expects all child partition routers to emit the partition field '${this.field}'. Got ${pyRepr(p)}`,
          );
        const value = p[this.field];
        const key = unionKey(value);
        if (seen.has(key)) continue;
        seen.add(key);
        const out: Obj = { [this.field]: value };
        const extra: Obj = { ...extraFieldsOf(p) };
        for (const [k, v] of Object.entries(p)) if (k !== this.field) extra[k] = v;
        if (Object.keys(extra).length > 0) setExtraFields(out, extra);
        yield out;
      }
    }
  }

  inject(): void {}
}

/** A value as a set member, by value: numbers and booleans as Python compares them, others as JSON. */
function unionKey(v: unknown): string {
  if (typeof v === "number" || typeof v === "boolean") return `n${Number(v)}`;
  if (typeof v === "string") return `s${v}`;
  if (isRawJson(v)) return `n${v.rawJSON}`;
  return `j${JSON.stringify(v)}`;
}
