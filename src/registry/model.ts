// The compact registry index: what every registry tool needs except config specs. Built from the
// registry JSON once per download (and by scripts/registry-snapshot.ts for the embedded snapshot).

import { z } from "zod";

export const INSTALL_TYPES = ["docker", "python", "java", "yaml"] as const;
export type InstallType = (typeof INSTALL_TYPES)[number];
export type ConnectorType = "source" | "destination";

export interface ExternalDocUrl {
  title: string;
  url: string;
  type: string | null;
  requires_login: boolean;
}

export interface IndexEntry {
  name: string;
  connector_type: ConnectorType;
  display_name: string;
  definition_id: string;
  docker_repository: string;
  docker_image_tag: string;
  language: string;
  install_types: InstallType[];
  pypi_package_name: string | null;
  support_level: string | null;
  release_stage: string | null;
  source_type: string | null;
  documentation_url: string | null;
  release_date: string | null;
  github_issue_label: string | null;
  suggested_streams: string[] | null;
  /** null when the registry entry does not say (then metadata.yaml may). */
  external_documentation_urls: ExternalDocUrl[] | null;
  /** When the latest version's metadata was committed (generated.git.commit_timestamp). */
  last_published: string | null;
  release_candidates: { version: string; published: string | null }[];
  breaking_changes: {
    version: string;
    message: string;
    upgrade_deadline: string | null;
    migration_url: string | null;
  }[];
  has_spec: boolean;
}

export interface RegistryIndex {
  format: 1;
  generated_at: string;
  /** The newest metadata change among the entries: how current the registry data is. */
  data_as_of: string | null;
  /** Where the registry JSON came from (URL or path). */
  source: string;
  connectors: IndexEntry[];
}

// Only the fields we read are checked; everything else passes through untouched.
const str = z.string().nullish();
const RawEntry = z.looseObject({
  dockerRepository: z.string(),
  dockerImageTag: z.string().nullish(),
  name: str,
  sourceDefinitionId: str,
  destinationDefinitionId: str,
  language: str,
  tags: z.array(z.string()).nullish(),
  remoteRegistries: z
    .looseObject({ pypi: z.looseObject({ enabled: z.boolean().nullish(), packageName: str }).nullish() })
    .nullish(),
  suggestedStreams: z.looseObject({ streams: z.array(z.string()).nullish() }).nullish(),
  supportLevel: str,
  releaseStage: str,
  sourceType: str,
  documentationUrl: str,
  releaseDate: str,
  githubIssueLabel: str,
  externalDocumentationUrls: z
    .array(z.looseObject({ title: str, url: z.string(), type: str, requiresLogin: z.boolean().nullish() }))
    .nullish(),
  generated: z
    .looseObject({
      git: z.looseObject({ commit_timestamp: str }).nullish(),
      source_file_info: z.looseObject({ metadata_last_modified: str }).nullish(),
    })
    .nullish(),
  releases: z
    .looseObject({
      releaseCandidates: z.record(z.string(), z.unknown()).nullish(),
      breakingChanges: z
        .record(
          z.string(),
          z.looseObject({ message: str, upgradeDeadline: str, migrationDocumentationUrl: str }),
        )
        .nullish(),
    })
    .nullish(),
  spec: z.unknown().optional(),
});
export type RawRegistryEntry = z.infer<typeof RawEntry>;

export const RawRegistry = z.looseObject({
  sources: z.array(z.unknown()).default([]),
  destinations: z.array(z.unknown()).default([]),
});

export class RegistryFormatError extends Error {}

/** Parses registry JSON text into raw entries by type; throws RegistryFormatError on anything else. */
export function parseRegistry(text: string): { type: ConnectorType; raw: RawRegistryEntry }[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new RegistryFormatError(`the registry is not valid JSON (${(error as Error).message})`);
  }
  const top = RawRegistry.safeParse(json);
  if (!top.success) throw new RegistryFormatError("the registry JSON has no 'sources'/'destinations' lists");
  const out: { type: ConnectorType; raw: RawRegistryEntry }[] = [];
  for (const [type, list] of [
    ["source", top.data.sources],
    ["destination", top.data.destinations],
  ] as const) {
    for (const item of list) {
      const entry = RawEntry.safeParse(item);
      // An entry without a docker repository cannot be named; skip it rather than fail the registry.
      if (entry.success) out.push({ type, raw: entry.data });
    }
  }
  if (out.length === 0) throw new RegistryFormatError("the registry lists no connectors");
  return out;
}

export function connectorName(dockerRepository: string): string {
  return dockerRepository.replace(/^airbyte\//, "");
}

function language(raw: RawRegistryEntry): string {
  if (raw.language) return raw.language;
  const tag = raw.tags?.find((t) => t.startsWith("language:"));
  return tag ? tag.slice("language:".length) : "unknown";
}

export function toIndexEntry(type: ConnectorType, raw: RawRegistryEntry): IndexEntry {
  const lang = language(raw);
  const pypi = raw.remoteRegistries?.pypi;
  const pypiName = pypi?.enabled && pypi.packageName ? pypi.packageName : null;
  const installTypes: InstallType[] = ["docker"];
  if (pypiName) installTypes.push("python");
  if (lang === "java") installTypes.push("java");
  if (lang === "manifest-only") installTypes.push("yaml");
  const candidates = raw.releases?.releaseCandidates ?? {};
  return {
    name: connectorName(raw.dockerRepository),
    connector_type: type,
    display_name: raw.name ?? connectorName(raw.dockerRepository),
    definition_id: (type === "source" ? raw.sourceDefinitionId : raw.destinationDefinitionId) ?? "",
    docker_repository: raw.dockerRepository,
    docker_image_tag: raw.dockerImageTag ?? "latest",
    language: lang,
    install_types: installTypes,
    pypi_package_name: pypiName,
    support_level: raw.supportLevel ?? null,
    release_stage: raw.releaseStage ?? null,
    source_type: raw.sourceType ?? null,
    documentation_url: raw.documentationUrl ?? null,
    release_date: raw.releaseDate ?? null,
    github_issue_label: raw.githubIssueLabel ?? null,
    suggested_streams: raw.suggestedStreams?.streams ?? null,
    external_documentation_urls: raw.externalDocumentationUrls
      ? raw.externalDocumentationUrls.map((d) => ({
          title: d.title ?? d.url,
          url: d.url,
          type: d.type ?? null,
          requires_login: d.requiresLogin ?? false,
        }))
      : null,
    last_published: raw.generated?.git?.commit_timestamp ?? null,
    release_candidates: Object.entries(candidates).map(([version, rc]) => ({
      version,
      published:
        (rc as { generated?: { git?: { commit_timestamp?: string } } } | null)?.generated?.git
          ?.commit_timestamp ?? null,
    })),
    breaking_changes: Object.entries(raw.releases?.breakingChanges ?? {}).map(([version, bc]) => ({
      version,
      message: bc.message ?? "",
      upgrade_deadline: bc.upgradeDeadline ?? null,
      migration_url: bc.migrationDocumentationUrl ?? null,
    })),
    has_spec: specOf(raw) !== null,
  };
}

export function buildIndex(
  text: string,
  source: string,
  generatedAt = new Date().toISOString(),
): RegistryIndex {
  const parsed = parseRegistry(text);
  const connectors = parsed.map(({ type, raw }) => toIndexEntry(type, raw));
  connectors.sort((a, b) => a.name.localeCompare(b.name));
  let newest: string | null = null;
  for (const { raw } of parsed) {
    const t = raw.generated?.source_file_info?.metadata_last_modified;
    if (t && Date.parse(t) > (newest ? Date.parse(newest) : 0))
      newest = new Date(Date.parse(t)).toISOString();
  }
  return { format: 1, generated_at: generatedAt, data_as_of: newest, source, connectors };
}

/** The config JSON Schema carried by a registry entry (or a metadata cloud.json/oss.json), if any. */
export function specOf(raw: { spec?: unknown }): Record<string, unknown> | null {
  const spec = raw.spec as { connectionSpecification?: unknown } | undefined;
  const cs = spec?.connectionSpecification;
  return cs !== null && typeof cs === "object" && !Array.isArray(cs) ? (cs as Record<string, unknown>) : null;
}

export function isRegistryIndex(v: unknown): v is RegistryIndex {
  const x = v as RegistryIndex | null;
  return x !== null && typeof x === "object" && x.format === 1 && Array.isArray(x.connectors);
}
