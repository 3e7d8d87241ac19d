// The connector registry as the tools see it: an index of every connector (from the network, the
// disk cache, a local file, or the embedded snapshot, in that order of preference), the full
// registry entries when available, and per-connector metadata files fetched only when needed.

import { existsSync, readFileSync, statSync } from "node:fs";
import { ToolError } from "../core/errors.ts";
import { type CachedResponse, durableWrite, type HttpCache, OfflineMissError } from "../core/http-cache.ts";
import type { Settings } from "../core/settings.ts";
import { displayUrl } from "../core/url.ts";
import {
  buildIndex,
  type IndexEntry,
  isRegistryIndex,
  parseRegistry,
  type RawRegistryEntry,
  RegistryFormatError,
  type RegistryIndex,
  specOf,
} from "./model.ts";
import { closestNames, normalizeName } from "./names.ts";

export interface Provenance {
  /** network: downloaded now; cache: the disk cache; file: AIRBYTE_LOCAL_REGISTRY file; snapshot: embedded in the binary. */
  source: "network" | "cache" | "file" | "snapshot";
  location: string;
  /** When the data was fetched (or the snapshot made, or the file last modified). */
  as_of: string | null;
  stale: boolean;
  note: string | null;
}

export interface RegistryDeps {
  settings: Pick<Settings, "localRegistry" | "offlineMode" | "registry">;
  cache: HttpCache;
  snapshot: () => Promise<RegistryIndex | null>;
}

interface Loaded {
  index: RegistryIndex;
  provenance: Provenance;
  /** The full registry JSON, when we have it (not with the snapshot); read on first use only. */
  fullText: (() => string) | null;
}

/** Bumped whenever IndexEntry changes, so that an index left by an older build is rebuilt. */
const INDEX_FILE_FORMAT = 2;

/** After a stale or snapshot answer, a long-running server tries the network again after this long. */
const RETRY_AFTER_MS = 60_000;

export class Registry {
  private loaded: { at: number; value: Promise<Loaded> } | null = null;
  private rawByName: Map<string, RawRegistryEntry> | null = null;

  constructor(private readonly deps: RegistryDeps) {}

  /** The index and where it came from. Loaded once per process (a failure or a stale answer is retried later). */
  async index(signal?: AbortSignal): Promise<{ index: RegistryIndex; provenance: Provenance }> {
    const l = await this.current(signal);
    return { index: l.index, provenance: l.provenance };
  }

  private async current(signal?: AbortSignal): Promise<Loaded> {
    if (this.loaded) {
      const l = await this.loaded.value.catch(() => null);
      if (l && !(l.provenance.stale && Date.now() - this.loaded.at > RETRY_AFTER_MS)) return l;
    }
    const value = this.load(signal);
    this.loaded = { at: Date.now(), value };
    this.rawByName = null;
    value.catch(() => {
      if (this.loaded?.value === value) this.loaded = null;
    });
    return value;
  }

  /** The entry for a connector name, or a tool error naming the closest names. */
  async find(name: string, signal?: AbortSignal): Promise<{ entry: IndexEntry; provenance: Provenance }> {
    const { index, provenance } = await this.index(signal);
    const wanted = normalizeName(name);
    const entry = index.connectors.find((e) => e.name.toLowerCase() === wanted);
    if (entry) return { entry, provenance };
    const close = closestNames(name, index.connectors);
    throw new ToolError(
      `No connector named '${name}' in the registry (${index.connectors.length} connectors${provenance.source === "snapshot" ? ", embedded snapshot" : ""}).`,
      {
        hint:
          close.length > 0
            ? `Closest names: ${close.join(", ")}. Connector names look like 'source-github' or 'destination-postgres'.`
            : "Use list_connectors with a keyword_filter to find the name.",
      },
    );
  }

  /** The full registry entry (with its spec), or null when only the snapshot is available. */
  async rawEntry(entry: IndexEntry): Promise<RawRegistryEntry | null> {
    if (!this.rawByName) {
      // Read lazily (a warm list_connectors never needs the 2.7 MB body). If another process
      // replaced or removed the body meanwhile, load again once.
      for (let attempt = 0; ; attempt++) {
        const l = await this.current();
        if (l.fullText === null) return null;
        try {
          const byName = new Map<string, RawRegistryEntry>();
          for (const { raw } of parseRegistry(l.fullText()))
            byName.set(normalizeName(raw.dockerRepository), raw);
          this.rawByName = byName;
          break;
        } catch (error) {
          if (attempt > 0) throw error;
          if (l.provenance.source !== "file")
            this.deps.cache.invalidate(this.deps.settings.localRegistry ?? "");
          this.loaded = null;
        }
      }
    }
    return this.rawByName.get(entry.name.toLowerCase()) ?? null;
  }

  /**
   * The connector's config JSON Schema: from its registry entry, else from the metadata service
   * (cloud.json, then oss.json). Null with a note when neither can be had.
   */
  async spec(
    entry: IndexEntry,
    signal?: AbortSignal,
  ): Promise<{ spec: Record<string, unknown> | null; note: string | null }> {
    const raw = await this.rawEntry(entry);
    const fromEntry = raw ? specOf(raw) : null;
    if (fromEntry) return { spec: fromEntry, note: null };
    const failures: string[] = [];
    for (const file of ["cloud.json", "oss.json"]) {
      try {
        const response = await this.metadataFile(
          entry,
          file,
          (body) => {
            if (!specOf(JSON.parse(body))) throw new Error(`${file} carries no spec.connectionSpecification`);
          },
          signal,
        );
        const spec = specOf(JSON.parse(response.text()));
        if (spec) return { spec, note: response.note };
      } catch (error) {
        failures.push(describe(error));
      }
    }
    return {
      spec: null,
      note: `The config spec could not be fetched (${failures.join("; ")}). It is available once the metadata service (${displayUrl(this.deps.settings.registry.metadataBaseUrl)}) can be reached.`,
    };
  }

  metadataUrl(entry: IndexEntry, file: string, version = entry.docker_image_tag): string {
    return `${this.deps.settings.registry.metadataBaseUrl}/${entry.name}/${version}/${file}`;
  }

  /** A connector metadata file (cloud.json, oss.json, metadata.yaml, manifest.yaml) through the cache. */
  metadataFile(
    entry: IndexEntry,
    file: string,
    validate?: (body: string) => void,
    signal?: AbortSignal,
    version?: string,
  ): Promise<CachedResponse> {
    return this.cachedGet(this.metadataUrl(entry, file, version), validate, signal);
  }

  /** The connector's docs page (for its changelog). */
  docsPage(url: string, signal?: AbortSignal): Promise<CachedResponse> {
    return this.cachedGet(url, undefined, signal);
  }

  private async cachedGet(
    url: string,
    validate?: (body: string) => void,
    signal?: AbortSignal,
  ): Promise<CachedResponse> {
    try {
      return await this.deps.cache.get(url, validate, signal);
    } catch (error) {
      if (error instanceof OfflineMissError) {
        throw new ToolError(`${displayUrl(url)} is not cached and AIRBYTE_OFFLINE_MODE is on.`);
      }
      throw error;
    }
  }

  private async load(signal?: AbortSignal): Promise<Loaded> {
    const location = this.deps.settings.localRegistry;
    if (location === null) {
      throw new ToolError("The connector registry is disabled (AIRBYTE_LOCAL_REGISTRY=0).", {
        hint: "Unset AIRBYTE_LOCAL_REGISTRY, or set it to a registry URL or an absolute path to a registry JSON file, to use the registry tools.",
      });
    }
    if (!/^https?:\/\//i.test(location)) return this.loadFile(location);
    const shown = displayUrl(location);
    const validate = (body: string) => {
      parseRegistry(body);
    };

    // Two tries: a cached body that turns out unusable is dropped and downloaded again.
    for (let attempt = 0; attempt < 2; attempt++) {
      let response: CachedResponse;
      try {
        response = await this.deps.cache.get(location, validate, signal);
      } catch (error) {
        const why =
          error instanceof OfflineMissError
            ? "AIRBYTE_OFFLINE_MODE is on and nothing is cached"
            : describe(error);
        return this.fromSnapshot(shown, why);
      }
      try {
        return {
          index: this.derivedIndex(response, shown),
          provenance: {
            source: response.origin,
            location: shown,
            as_of: response.fetchedAt,
            stale: response.stale,
            note: response.note,
          },
          fullText: () => response.text(),
        };
      } catch (error) {
        this.deps.cache.invalidate(location);
        if (attempt === 1)
          return this.fromSnapshot(shown, `the cached registry is unusable (${describe(error)})`);
      }
    }
    throw new Error("unreachable");
  }

  /** The index built from a registry body, kept beside it; bodies are content-addressed, so it never goes stale. */
  private derivedIndex(response: CachedResponse, location: string): RegistryIndex {
    const indexPath = `${response.bodyPath}.index.json`;
    if (existsSync(indexPath)) {
      try {
        const stored = JSON.parse(readFileSync(indexPath, "utf8")) as { format: number; index: unknown };
        if (stored.format === INDEX_FILE_FORMAT && isRegistryIndex(stored.index)) return stored.index;
      } catch {
        // Rebuild below.
      }
    }
    const index = buildIndex(response.text(), location, response.fetchedAt);
    durableWrite(indexPath, JSON.stringify({ format: INDEX_FILE_FORMAT, index }));
    return index;
  }

  private loadFile(path: string): Loaded {
    let text: string;
    let mtime: Date;
    try {
      mtime = statSync(path).mtime;
      text = readFileSync(path, "utf8");
    } catch (error) {
      throw new ToolError(
        `The registry file ${path} (AIRBYTE_LOCAL_REGISTRY) cannot be read: ${describe(error)}.`,
        {
          hint: "Fix the path, or unset AIRBYTE_LOCAL_REGISTRY to use the Airbyte registry.",
        },
      );
    }
    let index: RegistryIndex;
    try {
      index = buildIndex(text, path, mtime.toISOString());
    } catch (error) {
      throw new ToolError(
        `The registry file ${path} (AIRBYTE_LOCAL_REGISTRY) is not a usable registry: ${describe(error)}.`,
        {
          hint: "Point AIRBYTE_LOCAL_REGISTRY at a copy of oss_registry.json.",
        },
      );
    }
    return {
      index,
      provenance: { source: "file", location: path, as_of: mtime.toISOString(), stale: false, note: null },
      fullText: () => text,
    };
  }

  private async fromSnapshot(location: string, why: string): Promise<Loaded> {
    const snapshot = await this.deps.snapshot();
    if (!snapshot) {
      throw new ToolError(`The connector registry could not be loaded from ${location}: ${why}.`, {
        hint: "Check the network (or AIRBYTE_LOCAL_REGISTRY); this build has no embedded registry snapshot to fall back on.",
      });
    }
    return {
      index: snapshot,
      provenance: {
        source: "snapshot",
        location: `embedded snapshot of ${snapshot.source}`,
        as_of: snapshot.data_as_of ?? snapshot.generated_at,
        stale: true,
        note: `The registry at ${location} could not be loaded (${why}); answered from the snapshot embedded in this binary (registry data as of ${snapshot.data_as_of ?? snapshot.generated_at}). Newer connectors and versions may be missing, and config specs are not in the snapshot.`,
      },
      fullText: null,
    };
  }
}

function describe(error: unknown): string {
  if (error instanceof RegistryFormatError) return error.message;
  if (error instanceof ToolError) return error.message.replace(/\.$/, "");
  if (error instanceof Error) return error.message;
  return String(error);
}
