// A disk cache for GET responses (registry, connector metadata, docs): each entry keeps its fetch
// time and ETag; a fresh entry is served without a request, a stale one is revalidated, and when the
// network fails the cached copy is served with a note that it may be stale.
//
// Layout: <key>.meta.json names a body file <key>.<sha>.body. Bodies are content-addressed and
// written before the meta that names them, and the meta is replaced by one rename: a crash or two
// processes writing at once can leave an unused body, never a meta paired with the wrong body.

import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import { type HttpClient, HttpError } from "./http.ts";
import { displayUrl } from "./url.ts";

export interface CachedResponse {
  url: string;
  /** Path of the body on disk; it changes whenever the content does. */
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
  /** The URL without credentials (for humans); the cache key is a hash of the full URL. */
  url: string;
  fetched_at: string;
  etag: string | null;
  body: string;
  size: number;
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
    super(`${displayUrl(url)} is not cached and offline mode is on`);
  }
}

/** A stale answer is reused within the process for this long before the network is tried again. */
const STALE_MEMO_MS = 60_000;

export class HttpCache {
  private readonly memo = new Map<string, { at: number; response: Promise<CachedResponse> }>();
  private readonly now: () => number;

  constructor(private readonly options: HttpCacheOptions) {
    this.now = options.now ?? Date.now;
  }

  /**
   * The body of `url`, from the cache or the network. `validate` runs on a downloaded body before it
   * is stored (a truncated or malformed body is never cached). Each URL is fetched at most once per
   * process, except that a stale answer is retried after a minute.
   */
  async get(url: string, validate?: (body: string) => void, signal?: AbortSignal): Promise<CachedResponse> {
    const hit = this.memo.get(url);
    if (hit) {
      const response = await hit.response.catch(() => null);
      if (response && !(response.stale && this.now() - hit.at > STALE_MEMO_MS)) return response;
    }
    const response = this.load(url, validate, signal);
    this.memo.set(url, { at: this.now(), response });
    response.catch(() => this.memo.delete(url));
    return response;
  }

  /** Forgets a cached entry (its body turned out to be unusable). */
  invalidate(url: string): void {
    this.memo.delete(url);
    rmSync(this.metaPath(url), { force: true });
  }

  private key(url: string): string {
    return new Bun.CryptoHasher("sha256").update(url).digest("hex").slice(0, 32);
  }
  private metaPath(url: string): string {
    return join(this.options.dir, `${this.key(url)}.meta.json`);
  }

  private async load(
    url: string,
    validate?: (body: string) => void,
    signal?: AbortSignal,
  ): Promise<CachedResponse> {
    const metaPath = this.metaPath(url);
    const cached = this.readMeta(metaPath);
    const age = cached ? this.now() - Date.parse(cached.fetched_at) : Number.POSITIVE_INFINITY;
    const fromCache = (stale: boolean, note: string | null): CachedResponse =>
      this.response(url, cached as Meta, "cache", stale, note);

    if (cached && age >= 0 && age < this.options.ttlMs) return fromCache(false, null);
    if (this.options.offline) {
      if (cached) return fromCache(true, `offline mode: served the copy cached at ${cached.fetched_at}`);
      throw new OfflineMissError(url);
    }
    try {
      const result = await this.options.http.get(url, {
        etag: cached?.etag ?? null,
        ...(signal ? { signal } : {}),
      });
      if (result.notModified) {
        if (!cached) throw new HttpError(displayUrl(url), "HTTP 304 without a cached copy", 304);
        const meta = { ...cached, fetched_at: new Date(this.now()).toISOString() };
        this.writeMeta(metaPath, meta);
        return this.response(url, meta, "cache", false, null);
      }
      validate?.(result.body);
      const meta = this.store(url, result.body, result.etag);
      if (cached && cached.body !== meta.body) rmSync(join(this.options.dir, cached.body), { force: true });
      return this.response(url, meta, "network", false, null);
    } catch (error) {
      if (!cached) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      return fromCache(true, `${reason} Served the copy cached at ${cached.fetched_at}, which may be stale.`);
    }
  }

  private store(url: string, body: string, etag: string | null): Meta {
    mkdirSync(this.options.dir, { recursive: true });
    const bytes = Buffer.from(body);
    const name = `${this.key(url)}.${new Bun.CryptoHasher("sha256").update(bytes).digest("hex").slice(0, 16)}.body`;
    durableWrite(join(this.options.dir, name), bytes);
    const meta: Meta = {
      url: displayUrl(url),
      fetched_at: new Date(this.now()).toISOString(),
      etag,
      body: name,
      size: bytes.length,
    };
    this.writeMeta(this.metaPath(url), meta);
    return meta;
  }

  private writeMeta(path: string, meta: Meta): void {
    durableWrite(path, Buffer.from(JSON.stringify(meta)));
  }

  /** The meta of a usable entry: its body exists with the recorded size (else it is ignored). */
  private readMeta(metaPath: string): Meta | null {
    try {
      const meta = JSON.parse(readFileSync(metaPath, "utf8")) as Meta;
      if (typeof meta.fetched_at !== "string" || typeof meta.body !== "string") return null;
      if (statSync(join(this.options.dir, meta.body)).size !== meta.size) return null;
      return meta;
    } catch {
      return null;
    }
  }

  private response(
    url: string,
    meta: Meta,
    origin: "network" | "cache",
    stale: boolean,
    note: string | null,
  ): CachedResponse {
    const bodyPath = join(this.options.dir, meta.body);
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
}

/** Writes a file by rename after an fsync, so a crash leaves the old file or the new one, whole. */
export function durableWrite(path: string, content: Buffer | string): void {
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  const fd = openSync(tmp, "w");
  try {
    writeSync(fd, typeof content === "string" ? Buffer.from(content) : content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}
