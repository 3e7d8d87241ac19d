// A disk cache for GET responses (registry, connector metadata, docs): each entry keeps its fetch
// time and ETag; a fresh entry is served without a request, a stale one is revalidated, and when the
// network fails the cached copy is served with a note that it may be stale.

import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type HttpClient, HttpError } from "./http.ts";

export interface CachedResponse {
  url: string;
  /** Path of the body on disk (for derived files kept beside it). */
  bodyPath: string;
  fetchedAt: string;
  etag: string | null;
  /** Where the body came from in this call. */
  origin: "network" | "cache";
  /** True when the copy is past its TTL and could not be revalidated. */
  stale: boolean;
  /** Why a cached copy was served, when that matters to the caller. */
  note: string | null;
  text(): string;
}

interface Meta {
  url: string;
  fetched_at: string;
  etag: string | null;
}

export interface HttpCacheOptions {
  dir: string;
  ttlMs: number;
  http: HttpClient;
  /** Never go to the network; serve what is cached, whatever its age. */
  offline: boolean;
  now?: () => number;
}

export class OfflineMissError extends Error {
  constructor(readonly url: string) {
    super(`${url} is not cached and offline mode is on`);
  }
}

export class HttpCache {
  private readonly memo = new Map<string, Promise<CachedResponse>>();
  private readonly now: () => number;

  constructor(private readonly options: HttpCacheOptions) {
    this.now = options.now ?? Date.now;
  }

  /**
   * The body of `url`, from the cache or the network. `validate` runs on a downloaded body before it
   * is stored (a truncated or malformed body is never cached). Each URL is fetched at most once per
   * process.
   */
  get(url: string, validate?: (body: string) => void): Promise<CachedResponse> {
    let p = this.memo.get(url);
    if (!p) {
      p = this.load(url, validate);
      this.memo.set(url, p);
      p.catch(() => this.memo.delete(url));
    }
    return p;
  }

  private paths(url: string) {
    const key = createHash("sha256").update(url).digest("hex").slice(0, 32);
    return { meta: join(this.options.dir, `${key}.meta.json`), body: join(this.options.dir, `${key}.body`) };
  }

  private async load(url: string, validate?: (body: string) => void): Promise<CachedResponse> {
    const paths = this.paths(url);
    const cached = readMeta(paths.meta, paths.body);
    const age = cached ? this.now() - Date.parse(cached.fetched_at) : Number.POSITIVE_INFINITY;
    const fromCache = (stale: boolean, note: string | null): CachedResponse =>
      response(url, paths.body, cached as Meta, "cache", stale, note);

    if (cached && age >= 0 && age < this.options.ttlMs) return fromCache(false, null);
    if (this.options.offline) {
      if (cached) return fromCache(true, `offline mode: served the copy cached at ${cached.fetched_at}`);
      throw new OfflineMissError(url);
    }
    try {
      const result = await this.options.http.get(url, { etag: cached?.etag ?? null });
      if (result.notModified) {
        if (!cached) throw new HttpError(url, "HTTP 304 without a cached copy", 304);
        const meta = { ...cached, fetched_at: new Date(this.now()).toISOString() };
        this.write(paths, meta, null);
        return response(url, paths.body, meta, "cache", false, null);
      }
      validate?.(result.body);
      const meta: Meta = { url, fetched_at: new Date(this.now()).toISOString(), etag: result.etag };
      this.write(paths, meta, result.body);
      return response(url, paths.body, meta, "network", false, null);
    } catch (error) {
      if (!cached) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      return fromCache(true, `${reason} Served the copy cached at ${cached.fetched_at}, which may be stale.`);
    }
  }

  private write(paths: { meta: string; body: string }, meta: Meta, body: string | null): void {
    mkdirSync(this.options.dir, { recursive: true });
    // Body first, then meta, each by rename: a crash never leaves a meta pointing at a partial body.
    if (body !== null) atomicWrite(paths.body, body);
    atomicWrite(paths.meta, JSON.stringify(meta));
  }
}

function response(
  url: string,
  bodyPath: string,
  meta: Meta,
  origin: "network" | "cache",
  stale: boolean,
  note: string | null,
): CachedResponse {
  let text: string | null = null;
  return {
    url,
    bodyPath,
    fetchedAt: meta.fetched_at,
    etag: meta.etag,
    origin,
    stale,
    note,
    text: () => {
      text ??= readFileSync(bodyPath, "utf8");
      return text;
    },
  };
}

function readMeta(metaPath: string, bodyPath: string): Meta | null {
  try {
    const meta = JSON.parse(readFileSync(metaPath, "utf8")) as Meta;
    if (typeof meta.fetched_at !== "string" || !existsSync(bodyPath)) return null;
    return meta;
  } catch {
    return null;
  }
}

export function atomicWrite(path: string, content: string): void {
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  writeFileSync(tmp, content);
  renameSync(tmp, path);
}

/** Modification time of a file in ms, or null. */
export function mtimeMs(path: string): number | null {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return null;
  }
}
