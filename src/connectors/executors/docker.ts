// The docker executor: the command line of pyairbyte-mcp.md §5, with the container CLI a setting
// (docker, podman or a path, plus global flags) so that the same code path runs against Podman
// in the tests. The temp dir is mounted at /airbyte/tmp and the connector's project folder at
// /local; file arguments are rewritten to container paths. Each container gets a name, so that a
// run stopped early (max_records, cancel, timeout) can be removed even if the CLI client died.

import { existsSync, mkdirSync } from "node:fs";
import { isAbsolute, join, relative, sep } from "node:path";
import { ToolError } from "../../core/errors.ts";
import { runCommand } from "../command.ts";
import type { ExecutorInfo, RunOptions } from "../executor.ts";
import type { ConnectorCommand } from "../process.ts";
import type { AirbyteMessage } from "../protocol.ts";
import { ProcessExecutor, type ProcessExecutorDeps, type Which } from "./process-executor.ts";

export interface DockerTarget {
  image: string;
  /** Container CLI program and its global flags. */
  cli: string[];
  runArgs: string[];
  /** Host folder mounted at /local (<project dir>/<connector name>). */
  localDir: string;
}

export const CONTAINER_TEMP = "/airbyte/tmp";
export const CONTAINER_LOCAL = "/local";

export function containerCliFound(cli: string[], which: Which): boolean {
  const program = cli[0] as string;
  return isAbsolute(program) ? existsSync(program) : which(program) !== null;
}

export class DockerExecutor extends ProcessExecutor {
  constructor(
    info: ExecutorInfo,
    deps: ProcessExecutorDeps,
    private readonly target: DockerTarget,
  ) {
    super(info, deps);
  }

  async prepare(): Promise<void> {
    if (!containerCliFound(this.target.cli, this.deps.which)) {
      throw new ToolError(`The container CLI '${this.target.cli[0]}' was not found.`, {
        hint: "Install Docker or Podman, or set AIRBYTE_MCP_CONTAINER_CLI (for example 'podman'), or choose another override_execution_mode.",
      });
    }
    mkdirSync(this.target.localDir, { recursive: true });
    mkdirSync(this.deps.tempRoot, { recursive: true, mode: 0o700 });
  }

  // The container may run as another user (Airbyte images run as uid 1000).
  protected override readonly shareFiles = true;

  protected argv(): string[] {
    return this.argvFor(`airbyte-mcp-${randomHex(6)}`, this.deps.tempRoot);
  }

  /** Only this run's files are mounted: a container never sees another run's config. */
  private argvFor(containerName: string, filesDir: string): string[] {
    return [
      ...this.target.cli,
      "run",
      "--rm",
      "-i",
      "--name",
      containerName,
      "--volume",
      `${this.target.localDir}:${CONTAINER_LOCAL}`,
      "--volume",
      `${filesDir}:${CONTAINER_TEMP}`,
      ...this.target.runArgs,
      this.target.image,
    ];
  }

  protected override mapPath(hostPath: string, filesDir: string): string {
    for (const [host, inside] of [
      [filesDir, CONTAINER_TEMP],
      [this.target.localDir, CONTAINER_LOCAL],
    ] as const) {
      const rel = relative(host, hostPath);
      if (rel !== "" && !rel.startsWith("..") && !isAbsolute(rel))
        return `${inside}/${rel.split(sep).join("/")}`;
    }
    return hostPath;
  }

  override async *run(command: ConnectorCommand, options: RunOptions): AsyncGenerator<AirbyteMessage[]> {
    const name = `airbyte-mcp-${randomHex(6)}`;
    let finished = false;
    try {
      yield* this.runWith(
        (filesDir) => this.argvFor(name, filesDir),
        command,
        options,
        () => void this.container("kill", name),
      );
      finished = true;
    } finally {
      // Stopped early or failed: the client was killed, make sure the container is gone too.
      if (!finished) await this.container("rm", name);
    }
  }

  /** `kill` (SIGKILL, at once) or `rm --force` one of our containers; a missing one is fine. */
  private async container(verb: "kill" | "rm", name: string): Promise<void> {
    try {
      await runCommand([...this.target.cli, verb, ...(verb === "rm" ? ["--force"] : []), name], {
        signal: AbortSignal.timeout(15_000),
        redactor: this.deps.redactor,
      });
    } catch {
      // Best effort: the container ran with --rm.
    }
  }
}

export function defaultLocalDir(projectDir: string, connectorName: string): string {
  return join(projectDir, connectorName);
}

/** n random bytes as hex (Web Crypto: node:crypto costs start-up time to load). */
function randomHex(n: number): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(n))).toString("hex");
}
