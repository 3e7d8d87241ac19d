// Choosing how to run a connector. Auto mode: a connector built into the binary runs in-process;
// a manifest-only connector goes to the native runner (when present); an executable of that name
// on PATH runs as is; a Python connector runs in a venv when Python is usable; else its image runs
// in a container. Every choice carries the reason, which each local tool returns.

import { isAbsolute } from "node:path";
import { splitCommandLine } from "../core/command-line.ts";
import { looksSecret } from "../core/env-vars.ts";
import { ToolError } from "../core/errors.ts";
import type { Logger } from "../core/log.ts";
import type { Redactor } from "../core/redact.ts";
import type { Settings } from "../core/settings.ts";
import type { IndexEntry } from "../registry/model.ts";
import { builtinConnector } from "./builtin/index.ts";
import type { ExecutionMode, Executor, ExecutorInfo } from "./executor.ts";
import { BuiltinExecutor } from "./executors/builtin.ts";
import { containerCliFound, DockerExecutor, defaultLocalDir } from "./executors/docker.ts";
import { PathExecutor } from "./executors/path.ts";
import type { ProcessExecutorDeps, Which } from "./executors/process-executor.ts";
import { PythonExecutor, pythonMakesVenvs, pythonTooling } from "./executors/python.ts";
import {
  type ManifestSource,
  manifestFromFile,
  YAML_RUNNER_AVAILABLE,
  YamlExecutor,
} from "./executors/yaml.ts";

export interface ConnectorRequest {
  name: string;
  mode: ExecutionMode;
  connectorVersion: string | null;
  dockerImage: string | null;
  pipUrl: string | null;
  executable: string | null;
  manifestPath: string | null;
}

export interface SelectDeps {
  settings: Settings;
  redactor: Redactor;
  log: Logger;
  /** The registry entry: null when the connector is not in the registry. */
  lookup: () => Promise<IndexEntry | null>;
  /** Why the lookup found nothing (for errors), once it has run. */
  lookupError?: () => ToolError | null;
  /** Default: Bun.which on the server's PATH. */
  which?: Which;
  /** The registry's manifest of a manifest-only connector (for the yaml executor). */
  registryManifest?: (entry: IndexEntry, version: string | null) => ManifestSource;
}

const NAME = /^[a-z0-9][a-z0-9._-]{0,127}$/i;

export async function selectExecutor(req: ConnectorRequest, deps: SelectDeps): Promise<Executor> {
  if (!NAME.test(req.name)) {
    throw new ToolError(`'${req.name}' is not a valid connector name.`, {
      hint: "Connector names look like 'source-github' or 'destination-postgres': letters, digits, '-', '_' and '.'.",
    });
  }
  const which: Which = deps.which ?? ((command) => Bun.which(command));
  const processDeps: ProcessExecutorDeps = {
    tempRoot: deps.settings.tempDir,
    which,
    redactor: deps.redactor,
    log: deps.log,
    env: connectorEnvironment(process.env),
  };
  const versionNote = req.connectorVersion ? ` (version ${req.connectorVersion})` : "";

  const builtin = (reason: string): Executor => {
    const connector = builtinConnector(req.name);
    if (!connector) {
      throw new ToolError(
        `'${req.name}' is not built into airbyte-mcp; the only built-in connector is source-faker.`,
        {
          hint: "Use override_execution_mode 'auto' to pick a way to run it.",
        },
      );
    }
    if (req.connectorVersion) {
      throw new ToolError(
        "The built-in connector has no versions to pin; connector_version needs the real connector.",
        {
          hint: "Use override_execution_mode 'docker' or 'python' with connector_version.",
        },
      );
    }
    return new BuiltinExecutor(info("builtin", reason, `built-in ${req.name}`, null), connector);
  };
  const yaml = async (reason: string): Promise<Executor> => {
    let source: ManifestSource;
    if (req.manifestPath) {
      if (!isAbsolute(req.manifestPath)) {
        throw new ToolError(`manifest_path must be an absolute path; got '${req.manifestPath}'.`);
      }
      source = manifestFromFile(req.manifestPath);
    } else {
      const entry = await requireEntry(deps);
      if (!isManifestOnly(entry) || !deps.registryManifest) {
        throw new ToolError(
          `${req.name} is not a manifest-only connector, so the registry has no manifest for it.`,
          {
            hint: "Pass manifest_path with a declarative manifest, or use another execution mode.",
          },
        );
      }
      source = deps.registryManifest(entry, req.connectorVersion);
    }
    return new YamlExecutor(info("yaml", reason, source.origin, req.connectorVersion), source, {
      settings: deps.settings,
      redactor: deps.redactor,
      log: deps.log,
    });
  };
  const path = (reason: string, command: string[]): Executor =>
    new PathExecutor(info("path", reason, command.join(" "), req.connectorVersion), processDeps, command);
  const python = (reason: string, entry: IndexEntry | null): Executor => {
    let source = req.pipUrl;
    if (!source) {
      const pkg = entry?.pypi_package_name;
      if (!pkg) {
        throw new ToolError(
          entry
            ? `${req.name} is not published on PyPI, so the python executor cannot install it.`
            : `${req.name} is not in the registry, so its PyPI package is unknown.`,
          {
            hint: "Pass pip_url (a package spec, URL or local path), or use override_execution_mode 'docker'.",
          },
        );
      }
      source = req.connectorVersion ? `${pkg}==${req.connectorVersion}` : pkg;
    }
    if (source.trim().startsWith("-")) {
      throw new ToolError("pip_url must be a package, a URL or a path, not a pip option.");
    }
    const shown = pipSourceForDisplay(source, deps.redactor);
    const venv = `${deps.settings.installDir}/.venv-${req.name}`;
    return new PythonExecutor(
      info("python", reason, `${venv} (pip: ${shown})`, req.connectorVersion),
      processDeps,
      {
        connectorName: req.name,
        source,
        display: shown,
        installDir: deps.settings.installDir,
        noUv: deps.settings.noUv,
      },
    );
  };
  const docker = (reason: string, entry: IndexEntry | null): Executor => {
    const image =
      req.dockerImage ??
      `${entry?.docker_repository ?? `airbyte/${req.name}`}:${req.connectorVersion ?? (entry?.docker_image_tag || "latest")}`;
    const tag = imageTag(image);
    const cli = deps.settings.container.cli;
    return new DockerExecutor(
      info("docker", reason, `${image} via ${cli[0]}`, req.dockerImage ? tag : (req.connectorVersion ?? tag)),
      processDeps,
      {
        image,
        cli,
        runArgs: deps.settings.container.runArgs,
        localDir: defaultLocalDir(deps.settings.projectDir, req.name),
      },
    );
  };
  const executableArgv = (): string[] => {
    try {
      return splitCommandLine(req.executable as string);
    } catch (error) {
      throw new ToolError(`executable: ${(error as Error).message}.`, {
        hint: "Give a program path, optionally followed by arguments, e.g. '/opt/bin/source-x' or 'python3 /opt/source_x/main.py'.",
      });
    }
  };

  switch (req.mode) {
    case "builtin":
      return builtin("override_execution_mode is 'builtin'");
    case "yaml":
      return await yaml("override_execution_mode is 'yaml'");
    case "path": {
      if (req.executable)
        return path("override_execution_mode is 'path' with the given executable", executableArgv());
      const found = which(req.name);
      if (!found) {
        throw new ToolError(
          `override_execution_mode is 'path', but no executable named '${req.name}' is on PATH.`,
          {
            hint: "Pass 'executable' with the program's path or command line.",
          },
        );
      }
      return path(`override_execution_mode is 'path'; found ${found} on PATH`, [found]);
    }
    case "python":
      return python(
        `override_execution_mode is 'python'${versionNote}`,
        req.pipUrl ? await deps.lookup().catch(() => null) : await requireEntry(deps),
      );
    case "docker":
      return docker(
        `override_execution_mode is 'docker'${versionNote}`,
        req.dockerImage ? null : await deps.lookup().catch(() => null),
      );
    case "auto":
      break;
  }

  // Auto: what the caller gave decides first.
  if (req.manifestPath) return await yaml("manifest_path was given");
  if (req.executable) return path("executable was given", executableArgv());
  if (req.dockerImage) return docker("docker_image was given", null);
  if (req.pipUrl) return python("pip_url was given", await deps.lookup().catch(() => null));
  if (builtinConnector(req.name) && !req.connectorVersion) {
    return builtin("built into airbyte-mcp: runs in-process, nothing to install");
  }

  const entry = await deps.lookup();
  const skipped: string[] = [];
  if (entry && isManifestOnly(entry)) {
    if (YAML_RUNNER_AVAILABLE && deps.registryManifest) {
      return await yaml("manifest-only connector: runs natively, no Docker or Python");
    }
    skipped.push("it is manifest-only, but the native manifest runner is not in this version");
  }
  const onPath = which(req.name);
  if (onPath) return path(`found the executable ${onPath} on PATH`, [onPath]);
  if (!entry)
    throw deps.lookupError?.() ?? new ToolError(`No connector named '${req.name}' in the registry.`);

  const tooling = pythonTooling(deps.settings.noUv, which);
  if (entry.pypi_package_name) {
    if (tooling.uv || (tooling.python && (await pythonMakesVenvs(tooling.python)))) {
      return python(
        `Python connector published on PyPI as ${entry.pypi_package_name}; ${tooling.uv ? "uv" : "python3"} is available${versionNote}`,
        entry,
      );
    }
    skipped.push(
      tooling.python
        ? `it is on PyPI (${entry.pypi_package_name}), but ${tooling.python} cannot make a venv with pip (on Debian and Ubuntu, install python3-venv; or install uv)`
        : `it is on PyPI (${entry.pypi_package_name}), but neither uv nor python3 is on PATH`,
    );
  }
  if (containerCliFound(deps.settings.container.cli, which)) {
    const why = skipped.length ? `${skipped.join("; ")}; so its image runs` : "its image runs in a container";
    return docker(`${why} (${deps.settings.container.cli[0]})${versionNote}`, entry);
  }
  skipped.push(`no container CLI '${deps.settings.container.cli[0]}' was found`);
  throw new ToolError(`No way to run ${req.name} on this machine: ${skipped.join("; ")}.`, {
    hint: "Install Docker or Podman (AIRBYTE_MCP_CONTAINER_CLI selects it), install Python 3 for PyPI connectors, or pass 'executable' with a local program.",
  });
}

async function requireEntry(deps: SelectDeps): Promise<IndexEntry> {
  const entry = await deps.lookup();
  if (!entry) throw deps.lookupError?.() ?? new ToolError("The connector is not in the registry.");
  return entry;
}

export function isManifestOnly(entry: IndexEntry): boolean {
  return (
    entry.language === "manifest-only" || (entry.install_types.includes("yaml") && !entry.pypi_package_name)
  );
}

function imageTag(image: string): string | null {
  const at = image.indexOf("@");
  if (at >= 0) return image.slice(at + 1);
  const colon = image.lastIndexOf(":");
  return colon > image.lastIndexOf("/") ? image.slice(colon + 1) : null;
}

function info(
  kind: ExecutorInfo["kind"],
  reason: string,
  target: string,
  version: string | null,
): ExecutorInfo {
  return { kind, reason, target, version };
}

/**
 * A pip source fit to show: a URL's user info (often a token) and its query are dropped, and
 * taught to the redactor in case pip prints them.
 */
export function pipSourceForDisplay(source: string, redactor: { add(values: string[]): void }): string {
  const at = source.indexOf("://");
  if (at < 0) return source;
  const scheme = source.slice(0, at + 3);
  const rest = source.slice(at + 3);
  const slash = rest.search(/[/?#]/);
  const authority = slash < 0 ? rest : rest.slice(0, slash);
  let tail = slash < 0 ? "" : rest.slice(slash);
  const userEnd = authority.lastIndexOf("@");
  const secrets: string[] = [];
  if (userEnd >= 0) secrets.push(...authority.slice(0, userEnd).split(":").map(decodeSafe));
  const q = tail.indexOf("?");
  if (q >= 0) {
    secrets.push(tail.slice(q + 1));
    tail = `${tail.slice(0, q)}?…`;
  }
  redactor.add(secrets.filter((s) => s.length >= 4));
  return `${scheme}${userEnd >= 0 ? "…@" : ""}${authority.slice(userEnd + 1)}${tail}`;
}

function decodeSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * The environment a connector process gets: the server's, minus every variable that looks like a
 * credential (Cloud client secrets, tokens, passwords). A connector's secrets reach it through its
 * config, never through the environment.
 */
export function connectorEnvironment(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && !looksSecret(name)) out[name] = value;
  }
  return out;
}
