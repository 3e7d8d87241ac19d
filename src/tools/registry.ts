// Registry-domain tools: list and inspect Airbyte connectors. No credentials needed.

import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { defineTool, type ToolHints } from "../core/tool.ts";
import { displayUrl } from "../core/url.ts";
import { compareVersionsDesc, parseChangelog } from "../registry/changelog.ts";
import { INSTALL_TYPES, type IndexEntry } from "../registry/model.ts";
import type { Provenance } from "../registry/registry.ts";

// Registry reads go to connectors.airbyte.com and docs.airbyte.com: an open world, read-only.
const READ: ToolHints = {
  readOnlyHint: true,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: true,
};

const provenance = z
  .object({
    source: z.enum(["network", "cache", "file", "snapshot"]),
    location: z.string(),
    as_of: z.string().nullable(),
    stale: z.boolean(),
    note: z.string().nullable(),
  })
  .describe("Where the registry data came from, and how fresh it is");

const connectorNameParam = z
  .string()
  .min(1)
  .describe("Canonical connector name, e.g. 'source-github' or 'destination-postgres'");

const installType = z.enum(INSTALL_TYPES);

export const listConnectors = defineTool({
  name: "list_connectors",
  title: "List connectors",
  description:
    "List Airbyte connector names from the registry, sorted, optionally filtered. keyword_filter is a " +
    "case-insensitive substring of the name; connector_type_filter is 'source' or 'destination'; install_types " +
    "keeps connectors installable in any of the given ways: 'yaml' (manifest-only, runs natively here), " +
    "'python' (PyPI package), 'java', or 'docker' (every connector).",
  domain: "registry",
  input: z
    .object({
      keyword_filter: z
        .string()
        .nullable()
        .default(null)
        .describe("Case-insensitive substring of the connector name"),
      connector_type_filter: z.enum(["source", "destination"]).nullable().default(null),
      install_types: z
        .union([installType, z.array(installType)])
        .nullable()
        .default(null)
        .describe("One install type or a list (ORed); null for all"),
    })
    .strict(),
  output: z.object({
    connectors: z.array(z.string()),
    count: z.number().int(),
    registry: provenance,
  }),
  hints: READ,
  needsFilesystem: false,
  async handler(input, { registry, signal }) {
    const { index, provenance } = await registry.index(signal);
    const keyword = input.keyword_filter?.toLowerCase() ?? null;
    const types =
      input.install_types === null
        ? null
        : new Set(Array.isArray(input.install_types) ? input.install_types : [input.install_types]);
    const names = index.connectors
      .filter(
        (e) =>
          (keyword === null || e.name.toLowerCase().includes(keyword)) &&
          (input.connector_type_filter === null || e.connector_type === input.connector_type_filter) &&
          (types === null || e.install_types.some((t) => types.has(t))),
      )
      .map((e) => e.name)
      .sort();
    return { connectors: names, count: names.length, registry: provenance };
  },
});

const connectorMetadata = z.object({
  name: z.string(),
  display_name: z.string(),
  connector_type: z.enum(["source", "destination"]),
  definition_id: z.string(),
  docker_repository: z.string(),
  latest_available_version: z.string(),
  pypi_package_name: z.string().nullable(),
  language: z.string(),
  install_types: z.array(installType),
  suggested_streams: z.array(z.string()).nullable(),
  support_level: z.string().nullable(),
  release_stage: z.string().nullable(),
  source_type: z.string().nullable(),
  documentation_url: z.string(),
  release_date: z.string().nullable(),
  github_issue_label: z.string().nullable(),
});

function docsUrl(entry: IndexEntry, docsBase: string): string {
  return entry.documentation_url ?? integrationPage(entry, docsBase);
}

/** The docs page holding the changelog: the registry's docs URL moved onto the docs base, else the usual path. */
function changelogPage(entry: IndexEntry, docsBase: string): string {
  const documented = entry.documentation_url?.match(/^https:\/\/docs\.airbyte\.com(\/integrations\/[^#?]+)/);
  return documented?.[1]
    ? `${docsBase}${documented[1].replace(/\/$/, "")}`
    : integrationPage(entry, docsBase);
}

/** The usual docs page of a connector: {docs}/integrations/{sources|destinations}/{short name}. */
function integrationPage(entry: IndexEntry, docsBase: string): string {
  return `${docsBase}/integrations/${entry.connector_type}s/${shortName(entry)}`;
}

function shortName(entry: IndexEntry): string {
  return entry.name.replace(/^(source|destination)-/, "");
}

export const getConnectorInfo = defineTool({
  name: "get_connector_info",
  title: "Get connector info",
  description:
    "Describe one connector: registry metadata (type, language, install types, versions, support level), its " +
    "documentation URL, the JSON Schema of its config (config_spec_jsonschema), and for manifest-only connectors " +
    "the URL of its manifest. An unknown name is an error that lists the closest names.",
  domain: "registry",
  input: z.object({ connector_name: connectorNameParam }).strict(),
  output: z.object({
    connector_name: z.string(),
    connector_metadata: connectorMetadata,
    documentation_url: z.string(),
    config_spec_jsonschema: z.record(z.string(), z.unknown()).nullable(),
    manifest_url: z.string().nullable(),
    notes: z.array(z.string()),
    registry: provenance,
  }),
  hints: READ,
  needsFilesystem: false,
  async handler({ connector_name }, { registry, settings, signal }) {
    const { entry, provenance } = await registry.find(connector_name, signal);
    const { spec, note } = await registry.spec(entry, signal);
    const notes = [provenance.note, note].filter((n): n is string => n !== null);
    const documentation_url = docsUrl(entry, settings.registry.docsBaseUrl);
    return {
      connector_name: entry.name,
      connector_metadata: {
        name: entry.name,
        display_name: entry.display_name,
        connector_type: entry.connector_type,
        definition_id: entry.definition_id,
        docker_repository: entry.docker_repository,
        latest_available_version: entry.docker_image_tag,
        pypi_package_name: entry.pypi_package_name,
        language: entry.language,
        install_types: entry.install_types,
        suggested_streams: entry.suggested_streams,
        support_level: entry.support_level,
        release_stage: entry.release_stage,
        source_type: entry.source_type,
        documentation_url,
        release_date: entry.release_date,
        github_issue_label: entry.github_issue_label,
      },
      documentation_url,
      config_spec_jsonschema: spec,
      manifest_url: entry.install_types.includes("yaml")
        ? registry.metadataUrl(entry, "manifest.yaml")
        : null,
      notes,
      registry: provenance,
    };
  },
});

const docsUrlItem = z.object({
  title: z.string(),
  url: z.string(),
  source: z.enum(["registry", "registry_external_docs", "data_external_docs"]),
  doc_type: z.string(),
  requires_login: z.boolean(),
});

const MetadataYaml = z.looseObject({
  data: z
    .looseObject({
      externalDocumentationUrls: z
        .array(
          z.looseObject({
            title: z.string().nullish(),
            url: z.string(),
            type: z.string().nullish(),
            requiresLogin: z.boolean().nullish(),
          }),
        )
        .nullish(),
    })
    .nullish(),
});

export const getApiDocsUrls = defineTool({
  name: "get_api_docs_urls",
  title: "Get API docs URLs",
  description:
    "List documentation URLs for a connector: its Airbyte docs page and the external API docs (reference, " +
    "authentication, rate limits, changelog...) named in the registry or in the connector's metadata.yaml. " +
    "Deduplicated by URL.",
  domain: "registry",
  input: z.object({ connector_name: connectorNameParam }).strict(),
  output: z.object({
    connector_name: z.string(),
    docs_urls: z.array(docsUrlItem),
    notes: z.array(z.string()),
    registry: provenance,
  }),
  hints: READ,
  needsFilesystem: false,
  async handler({ connector_name }, { registry, settings, signal }) {
    const { entry, provenance } = await registry.find(connector_name, signal);
    const notes = provenance.note ? [provenance.note] : [];
    const urls: z.infer<typeof docsUrlItem>[] = [
      {
        title: `${entry.display_name} Airbyte documentation`,
        url: docsUrl(entry, settings.registry.docsBaseUrl),
        source: "registry",
        doc_type: "other",
        requires_login: false,
      },
    ];
    for (const d of entry.external_documentation_urls ?? []) {
      urls.push({
        title: d.title,
        url: d.url,
        source: "registry_external_docs",
        doc_type: d.type ?? "other",
        requires_login: d.requires_login,
      });
    }
    // Older registry entries do not carry the external docs; then metadata.yaml may.
    if (entry.external_documentation_urls === null) await addMetadataDocs();
    const seen = new Set<string>();
    const docs_urls = urls.filter((u) => !seen.has(u.url) && seen.add(u.url));
    return { connector_name: entry.name, docs_urls, notes, registry: provenance };

    async function addMetadataDocs() {
      try {
        const response = await registry.metadataFile(
          entry,
          "metadata.yaml",
          (body) => {
            MetadataYaml.parse(parseYaml(body));
          },
          signal,
        );
        if (response.note) notes.push(response.note);
        const data = MetadataYaml.parse(parseYaml(response.text())).data;
        for (const d of data?.externalDocumentationUrls ?? []) {
          urls.push({
            title: d.title ?? d.url,
            url: d.url,
            source: "data_external_docs",
            doc_type: d.type ?? "other",
            requires_login: d.requiresLogin ?? false,
          });
        }
      } catch (error) {
        notes.push(
          `metadata.yaml could not be read (${error instanceof Error ? error.message : String(error)}); external API docs it may list are missing.`,
        );
      }
    }
  },
});

const versionInfo = z.object({
  version: z.string(),
  release_date: z.string().nullable().describe("From the docs changelog (YYYY-MM-DD); null when unknown"),
  registry_published_at: z
    .string()
    .nullable()
    .describe("When the registry says this version was published (checked for the newest versions only)"),
  docker_image_url: z.string(),
  changelog_url: z.string(),
  pr_url: z.string().nullable(),
  pr_title: z.string().nullable(),
  breaking_change: z.string().nullable(),
  is_release_candidate: z.boolean(),
  parsing_errors: z.array(z.string()),
});

export const getConnectorVersionHistory = defineTool({
  name: "get_connector_version_history",
  title: "Get connector version history",
  description:
    "List a connector's versions, newest first, with release date, pull request and subject from its docs " +
    "changelog, breaking changes and release candidates from the registry, and the Docker image URL. For the " +
    "newest num_versions_to_validate versions the registry's publish time is added where the registry knows it. " +
    "What cannot be had (for example the changelog while offline) is reported in notes, never guessed.",
  domain: "registry",
  input: z
    .object({
      connector_name: connectorNameParam,
      num_versions_to_validate: z.number().int().min(0).default(5),
      limit: z
        .number()
        .int()
        .min(1)
        .nullable()
        .default(null)
        .describe("Deprecated: keep only the newest N versions"),
    })
    .strict(),
  output: z.object({
    connector_name: z.string(),
    latest_version: z.string(),
    versions: z.array(versionInfo),
    changelog_available: z.boolean(),
    notes: z.array(z.string()),
    registry: provenance,
  }),
  hints: READ,
  needsFilesystem: false,
  async handler({ connector_name, num_versions_to_validate, limit }, { registry, settings, signal }) {
    const { entry, provenance } = await registry.find(connector_name, signal);
    const notes = provenance.note ? [provenance.note] : [];
    const pageUrl = changelogPage(entry, settings.registry.docsBaseUrl);
    const changelogUrl = `${pageUrl}#changelog`;

    let rows: ReturnType<typeof parseChangelog> | null = null;
    try {
      const page = await registry.docsPage(pageUrl, signal);
      if (page.note) notes.push(page.note);
      rows = parseChangelog(page.text());
      if (rows.length === 0) {
        notes.push(`The docs page ${displayUrl(pageUrl)} has no changelog table that could be read.`);
        rows = null;
      }
    } catch (error) {
      notes.push(
        `The changelog at ${displayUrl(pageUrl)} could not be fetched (${error instanceof Error ? error.message : String(error)}); only the versions the registry knows are listed, without dates or pull requests.`,
      );
    }

    const candidates = new Map(entry.release_candidates.map((rc) => [rc.version, rc.published]));
    const breaking = new Map(entry.breaking_changes.map((b) => [b.version, b]));
    const byVersion = new Map<string, z.infer<typeof versionInfo>>();
    const base = (version: string): z.infer<typeof versionInfo> => ({
      version,
      release_date: null,
      registry_published_at: null,
      docker_image_url: `https://hub.docker.com/r/${entry.docker_repository}/tags?name=${encodeURIComponent(version)}`,
      changelog_url: changelogUrl,
      pr_url: null,
      pr_title: null,
      breaking_change: null,
      is_release_candidate: candidates.has(version),
      parsing_errors: [],
    });
    for (const row of rows ?? []) {
      if (byVersion.has(row.version)) continue;
      byVersion.set(row.version, {
        ...base(row.version),
        release_date: row.date,
        pr_url: row.pr_url,
        pr_title: row.subject,
        parsing_errors: row.parsing_errors,
      });
    }
    // Versions the registry knows but the changelog (or its absence) does not list.
    for (const v of [
      entry.docker_image_tag,
      ...candidates.keys(),
      ...(rows === null ? breaking.keys() : []),
    ]) {
      if (!byVersion.has(v)) byVersion.set(v, base(v));
    }
    const versions = [...byVersion.values()].sort((a, b) => compareVersionsDesc(a.version, b.version));
    for (const v of versions) {
      const b = breaking.get(v.version);
      if (b)
        v.breaking_change = b.upgrade_deadline
          ? `${b.message} (upgrade by ${b.upgrade_deadline})`
          : b.message;
    }
    for (const v of versions.slice(0, num_versions_to_validate)) {
      if (v.version === entry.docker_image_tag) v.registry_published_at = entry.last_published;
      else if (candidates.has(v.version)) v.registry_published_at = candidates.get(v.version) ?? null;
    }
    return {
      connector_name: entry.name,
      latest_version: entry.docker_image_tag,
      versions: limit === null ? versions : versions.slice(0, limit),
      changelog_available: rows !== null,
      notes,
      registry: provenance,
    };
  },
});

export type { Provenance };
