// What every local connector tool does first: pick the executor, install what it needs, and get
// the spec and the resolved config, all under one deadline (AIRBYTE_MCP_CONNECTOR_TIMEOUT) and the
// caller's cancellation. A timeout or a cancel stops the connector's whole process tree.

import { ToolError } from "../core/errors.ts";
import type { ToolContext } from "../core/tool.ts";
import type { IndexEntry } from "../registry/model.ts";
import { type ConfigArguments, type JsonObject, resolveConfig } from "./config.ts";
import type { ExecutionMode, Executor } from "./executor.ts";
import { type ConnectorRequest, selectExecutor } from "./select.ts";
import { connectorSpec } from "./verbs.ts";

export interface ExecutionParams {
  override_execution_mode: ExecutionMode;
  manifest_path: string | null;
  connector_version: string | null;
  docker_image: string | null;
  pip_url: string | null;
  executable: string | null;
}

export interface OpenConnector {
  executor: Executor;
  /** The call's deadline and cancellation together. */
  signal: AbortSignal;
  spec(): Promise<JsonObject>;
  /** The config from the cfg trio, secrets resolved (an empty object when none was given). */
  config(args: ConfigArguments): Promise<JsonObject>;
}

// Specs are stable for a given executor target (image tag, venv source, command line).
const specCache = new Map<string, JsonObject>();

export async function withConnector<T>(
  name: string,
  params: ExecutionParams,
  ctx: ToolContext,
  body: (connector: OpenConnector) => Promise<T>,
): Promise<T> {
  const seconds = Math.round(ctx.settings.connectorTimeoutMs / 1000);
  const timeout = AbortSignal.timeout(ctx.settings.connectorTimeoutMs);
  const signal = AbortSignal.any([ctx.signal, timeout]);
  try {
    let lookupError: ToolError | null = null;
    let entry: Promise<IndexEntry | null> | null = null;
    const request: ConnectorRequest = {
      name,
      mode: params.override_execution_mode,
      connectorVersion: params.connector_version,
      dockerImage: params.docker_image,
      pipUrl: params.pip_url,
      executable: params.executable,
      manifestPath: params.manifest_path,
    };
    const executor = await selectExecutor(request, {
      settings: ctx.settings,
      redactor: ctx.redactor,
      log: ctx.log,
      lookup: () => {
        entry ??= ctx.registry.find(name, signal).then(
          (r) => r.entry,
          (error) => {
            if (!(error instanceof ToolError)) throw error;
            lookupError = error;
            return null;
          },
        );
        return entry;
      },
      lookupError: () => lookupError,
      registryManifest: (entry, version) => ({
        origin: ctx.registry.metadataUrl(entry, "manifest.yaml", version ?? undefined),
        load: async (s) => {
          try {
            return (
              await ctx.registry.metadataFile(entry, "manifest.yaml", undefined, s, version ?? undefined)
            ).text();
          } catch (error) {
            if (s.aborted || !(error instanceof ToolError)) throw error;
            throw new ToolError(
              `The manifest of ${entry.name} ${version ?? entry.docker_image_tag} (manifest-only, run natively) could not be fetched: ${error.message}`,
              {
                hint: "It is fetched once and then cached, also for offline use. Until it can be fetched, pass manifest_path with a local copy of the manifest, or use override_execution_mode 'docker' to run the connector's image.",
                cause: error,
              },
            );
          }
        },
      }),
    });
    ctx.log.debug(`${name}: ${executor.info.kind} executor (${executor.info.reason})`);
    await executor.prepare(signal);
    const key = `${executor.info.kind}\u0000${executor.info.target}`;
    const spec = async () => {
      let s = specCache.get(key);
      if (!s) {
        s = await connectorSpec(executor, signal);
        specCache.set(key, s);
      }
      return s;
    };
    return await body({
      executor,
      signal,
      spec,
      config: async (args) => {
        const given =
          args.config_file || args.config_secret_name || (args.config !== null && args.config !== undefined);
        if (!given) return {};
        return resolveConfig(args, {
          spec: await spec(),
          secrets: ctx.secrets,
          envFilePath: ctx.settings.envFile?.path ?? null,
          redactor: ctx.redactor,
        });
      },
    });
  } catch (error) {
    if (timeout.aborted && !ctx.signal.aborted) {
      throw new ToolError(`${name} did not finish within ${seconds} s; its processes were stopped.`, {
        hint: "Ask for fewer records or streams, or raise AIRBYTE_MCP_CONNECTOR_TIMEOUT.",
      });
    }
    throw error;
  }
}
