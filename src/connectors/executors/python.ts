// The python executor: one venv per connector under the install dir (pyairbyte-mcp.md §5), made
// with `uv` when it is on PATH (unless AIRBYTE_NO_UV), else `python3 -m venv` and pip. A marker
// file records what was installed, so a changed version or pip URL reinstalls; a failed install
// leaves no half-made venv behind.

import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ToolError } from "../../core/errors.ts";
import { runCommand } from "../command.ts";
import type { ExecutorInfo } from "../executor.ts";
import { ProcessExecutor, type ProcessExecutorDeps, type Which } from "./process-executor.ts";

export interface PythonTarget {
  connectorName: string;
  /** What pip installs: `package==version`, a pip URL or a local path. */
  source: string;
  /** The source fit to show (a URL without its credentials). */
  display: string;
  installDir: string;
  noUv: boolean;
}

const MARKER = ".airbyte-mcp-install.json";
// Two calls for the same venv at once share one install.
const installing = new Map<string, Promise<void>>();

export function venvPaths(installDir: string, connectorName: string) {
  const venv = join(installDir, `.venv-${connectorName}`);
  const bin = join(venv, process.platform === "win32" ? "Scripts" : "bin");
  const exe = process.platform === "win32" ? ".exe" : "";
  return { venv, python: join(bin, `python${exe}`), program: join(bin, `${connectorName}${exe}`) };
}

/** The installer to use: uv unless disabled or absent, else python3 (see pythonMakesVenvs). */
export function pythonTooling(noUv: boolean, which: Which): { uv: string | null; python: string | null } {
  const uv = noUv ? null : which("uv");
  return { uv, python: which("python3") ?? which("python") };
}

const venvProbes = new Map<string, Promise<boolean>>();

/**
 * Whether `python` can make a venv with pip in it. Debian's and Ubuntu's python3 cannot until the
 * python3-venv package is installed, so auto mode asks before choosing it (once per interpreter).
 */
export function pythonMakesVenvs(python: string): Promise<boolean> {
  let probe = venvProbes.get(python);
  if (!probe) {
    probe = (async () => {
      try {
        const proc = Bun.spawn([python, "-c", "import venv, ensurepip"], {
          stdin: "ignore",
          stdout: "ignore",
          stderr: "ignore",
          timeout: 15_000,
        });
        return (await proc.exited) === 0;
      } catch {
        return false;
      }
    })();
    venvProbes.set(python, probe);
  }
  return probe;
}

export class PythonExecutor extends ProcessExecutor {
  private readonly paths: ReturnType<typeof venvPaths>;

  constructor(
    info: ExecutorInfo,
    deps: ProcessExecutorDeps,
    private readonly target: PythonTarget,
  ) {
    super(info, deps);
    this.paths = venvPaths(target.installDir, target.connectorName);
  }

  protected argv(): string[] {
    return [this.paths.program];
  }

  async prepare(signal: AbortSignal): Promise<void> {
    if (this.installed()) return;
    const key = this.paths.venv;
    let pending = installing.get(key);
    if (!pending) {
      pending = this.install(signal).finally(() => installing.delete(key));
      installing.set(key, pending);
    }
    await pending;
    // Another call may have installed a different source into the same venv meanwhile.
    if (!this.installed()) await this.prepare(signal);
  }

  private installed(): boolean {
    if (!existsSync(this.paths.program)) return false;
    try {
      const marker = JSON.parse(readFileSync(join(this.paths.venv, MARKER), "utf8")) as { source?: string };
      return marker.source === this.target.source;
    } catch {
      return false;
    }
  }

  private async install(signal: AbortSignal): Promise<void> {
    const { uv, python } = pythonTooling(this.target.noUv, this.deps.which);
    if (!uv && !python) {
      throw new ToolError("Neither uv nor python3 is on PATH, so a Python connector cannot be installed.", {
        hint: "Install Python 3 (with its venv module) or uv, or use override_execution_mode 'docker'.",
      });
    }
    const { venv, python: venvPython, program } = this.paths;
    rmSync(venv, { recursive: true, force: true });
    mkdirSync(this.target.installDir, { recursive: true });
    const steps: { what: string; argv: string[] }[] = uv
      ? [
          { what: "create the venv", argv: [uv, "venv", "--quiet", venv] },
          {
            what: "install the package",
            argv: [uv, "pip", "install", "--python", venvPython, this.target.source],
          },
        ]
      : [
          { what: "create the venv", argv: [python as string, "-m", "venv", venv] },
          {
            what: "install the package",
            argv: [
              venvPython,
              "-m",
              "pip",
              "install",
              "--disable-pip-version-check",
              "--no-input",
              this.target.source,
            ],
          },
        ];
    try {
      for (const step of steps) {
        const result = await runCommand(step.argv, { signal, redactor: this.deps.redactor });
        if (signal.aborted)
          throw new ToolError("The Python install was cancelled; the partial venv was removed.");
        if (result.code !== 0) {
          throw new ToolError(
            `Could not ${step.what} for ${this.target.connectorName} (${uv ? "uv" : "python3 -m venv + pip"}, package '${this.target.display}'): exit code ${result.code}.`,
            {
              hint: `${result.tail ? `Last lines:\n${result.tail}\n` : ""}${step.what === "create the venv" && !uv ? "On Debian and Ubuntu, python3 makes venvs only once the python3-venv package is installed (or install uv). " : ""}If PyPI cannot be reached, pass pip_url with a local wheel or directory, or use override_execution_mode 'docker'.`,
            },
          );
        }
      }
      if (!existsSync(program)) {
        throw new ToolError(
          `The package '${this.target.display}' installed, but it has no console script named '${this.target.connectorName}'.`,
          { hint: "An Airbyte Python connector declares a console script with the connector's name." },
        );
      }
      writeFileSync(
        join(venv, MARKER),
        JSON.stringify({ source: this.target.source, installed_at: new Date().toISOString() }),
      );
    } catch (error) {
      rmSync(venv, { recursive: true, force: true });
      throw error;
    }
  }
}
