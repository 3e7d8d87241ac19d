// The one way a connector process is run: its config, catalog and state go into files (mode 0600)
// in a private temp dir that is removed whatever happens; the process gets its own process group,
// so cancelling kills the whole tree; stdout is parsed line by line as it comes; stderr is kept as a
// bounded, redacted tail for error messages; a TRACE ERROR or a non-zero exit is a tool error.

import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ToolError } from "../core/errors.ts";
import type { Redactor } from "../core/redact.ts";
import { OutputTail, signalGroup } from "./command.ts";
import { type AirbyteMessage, parseLine, readLineBatches } from "./protocol.ts";

export type ConnectorCommand = "spec" | "check" | "discover" | "read" | "write";

export interface ProcessRequest {
  /**
   * The program and its leading arguments (for example ["source-faker"] or ["docker", "run", ...]),
   * or a function of the directory holding the run's files (a container mounts only that one).
   */
  argv: string[] | ((filesDir: string) => string[]);
  /**
   * The files are read by another user (a container's): they go in a 0755 subfolder with mode
   * 0644, inside the private 0700 run dir, so no other user of the host can reach them.
   */
  shareFiles?: boolean;
  command: ConnectorCommand;
  config?: Record<string, unknown> | undefined;
  catalog?: unknown;
  state?: unknown[] | undefined;
  /** Messages written to stdin as NDJSON (for `write`). */
  stdin?: AsyncIterable<AirbyteMessage> | undefined;
  env?: Record<string, string>;
  /** Parent of the private temp dir. */
  tempRoot: string;
  /** Maps a host path to the path the program sees (for containers). */
  mapPath?: (hostPath: string, filesDir: string) => string;
  signal: AbortSignal;
  redactor: Redactor;
  /** Non-protocol lines and LOG messages, for the caller's logger. */
  onLog?: (line: string) => void;
  /** Label for messages, e.g. "source-faker (path executor)". */
  label: string;
  /**
   * Called when the run is stopped early (cancel, timeout, enough records), beside SIGTERM to the
   * process group: a container's PID 1 ignores SIGTERM, so the executor kills the container itself.
   */
  onStop?: () => void;
}

const STDERR_TAIL_CHARS = 8 * 1024;
const KILL_GRACE_MS = 2_000;

export class ConnectorError extends ToolError {}

// Runs in progress, so that a server told to stop can stop them and let their cleanup (process
// group, temp files) finish before it exits.
const live = new Set<{ stop: () => void; finished: Promise<void> }>();

/** Stops every connector run in progress and waits (at most `limitMs`) for their cleanup. */
export async function stopAllConnectors(limitMs = KILL_GRACE_MS + 1_500): Promise<number> {
  const runs = [...live];
  for (const run of runs) run.stop();
  await Promise.race([Promise.all(runs.map((r) => r.finished)), Bun.sleep(limitMs)]);
  return runs.length;
}

/** Runs the connector and yields its protocol messages as they arrive, in batches (one per chunk read). */
export async function* runConnector(req: ProcessRequest): AsyncGenerator<AirbyteMessage[]> {
  mkdirSync(req.tempRoot, { recursive: true, mode: 0o700 });
  const dir = mkdtempSync(join(req.tempRoot, "run-"));
  chmodSync(dir, 0o700);
  const filesDir = req.shareFiles ? join(dir, "files") : dir;
  if (req.shareFiles) {
    mkdirSync(filesDir);
    chmodSync(filesDir, 0o755);
  }
  const map = req.mapPath ?? ((p: string) => p);
  const args = [...(typeof req.argv === "function" ? req.argv(filesDir) : req.argv), req.command];
  const write = (name: string, value: unknown) => {
    const path = join(filesDir, name);
    writeFileSync(path, JSON.stringify(value), { mode: req.shareFiles ? 0o644 : 0o600 });
    chmodSync(path, req.shareFiles ? 0o644 : 0o600); // whatever the umask
    return map(path, filesDir);
  };
  let proc: ReturnType<typeof Bun.spawn> | null = null;
  const stderrTail = new OutputTail(STDERR_TAIL_CHARS);
  let lastTraceError: string | null = null;
  let killedByUs = false;
  const kill = () => {
    // The whole group, even when its leader has exited: a grandchild holding stdout open would
    // otherwise keep the call waiting.
    if (!proc || killedByUs) return;
    killedByUs = true;
    req.onStop?.();
    const pid = proc.pid;
    signalGroup(pid, "SIGTERM");
    setTimeout(() => signalGroup(pid, "SIGKILL"), KILL_GRACE_MS).unref();
  };
  let markFinished = () => {};
  const entry = { stop: () => kill(), finished: new Promise<void>((resolve) => (markFinished = resolve)) };
  live.add(entry);
  try {
    if (req.config !== undefined) args.push("--config", write("config.json", req.config));
    if (req.catalog !== undefined) args.push("--catalog", write("catalog.json", req.catalog));
    if (req.state !== undefined) args.push("--state", write("state.json", req.state));
    if (req.signal.aborted) throw new ConnectorError(`${req.label} was cancelled before it started.`);

    try {
      proc = Bun.spawn(args, {
        stdin: req.stdin ? "pipe" : "ignore",
        stdout: "pipe",
        stderr: "pipe",
        env: req.env ?? (process.env as Record<string, string>),
        detached: true,
      });
    } catch (error) {
      throw new ConnectorError(`${req.label} could not be started: ${(error as Error).message}.`, {
        hint: "Check that the program exists and is executable.",
      });
    }
    req.signal.addEventListener("abort", kill, { once: true });
    const running = proc;

    const stderrDone = (async () => {
      const decoder = new TextDecoder();
      for await (const chunk of running.stderr as ReadableStream<Uint8Array>) {
        stderrTail.add(decoder.decode(chunk, { stream: true }));
      }
    })();
    if (req.stdin) void feedStdin(running, req.stdin);

    for await (const lines of readLineBatches(running.stdout as ReadableStream<Uint8Array>)) {
      const batch: AirbyteMessage[] = [];
      for (const line of lines) {
        const out = parseLine(line);
        if (out.kind === "log") {
          req.onLog?.(out.line);
          continue;
        }
        const m = out.message;
        if (m.type === "TRACE" && m.trace.type === "ERROR" && m.trace.error) {
          lastTraceError = m.trace.error.message;
        }
        if (m.type === "LOG") req.onLog?.(`${m.log.level} ${m.log.message}`);
        batch.push(m);
      }
      if (batch.length > 0) yield batch;
    }
    const code = await running.exited;
    await stderrDone;
    if (req.signal.aborted) {
      throw new ConnectorError(`${req.label} was cancelled; its processes were stopped.`);
    }
    if (lastTraceError !== null) {
      throw new ConnectorError(`${req.label} failed: ${req.redactor.text(lastTraceError)}`, {
        hint: tailHint(stderrTail, req.redactor),
      });
    }
    if (code !== 0) {
      throw new ConnectorError(`${req.label} exited with code ${code} during '${req.command}'.`, {
        hint: tailHint(stderrTail, req.redactor) ?? "It printed nothing on stderr.",
      });
    }
  } finally {
    // Reached on success, failure, and when the consumer stops early (return() on the generator).
    req.signal.removeEventListener("abort", kill);
    if (proc && (proc.exitCode === null || killedByUs)) {
      kill();
      await Promise.race([proc.exited, Bun.sleep(KILL_GRACE_MS + 500)]);
    }
    if (proc && killedByUs) signalGroup(proc.pid, "SIGKILL"); // leftovers in the group, if any
    rmSync(dir, { recursive: true, force: true });
    live.delete(entry);
    markFinished();
  }
}

function tailHint(tail: OutputTail, redactor: Redactor): string | undefined {
  const lines = tail.lines(15, redactor);
  return lines === "" ? undefined : `Last lines on stderr:\n${lines}`;
}

async function feedStdin(
  proc: ReturnType<typeof Bun.spawn>,
  messages: AsyncIterable<AirbyteMessage>,
): Promise<void> {
  const stdin = proc.stdin;
  if (!stdin || typeof stdin === "number") return;
  try {
    for await (const m of messages) {
      stdin.write(`${JSON.stringify(m)}\n`);
      await stdin.flush();
    }
  } catch {
    // The connector closed its stdin (it exited); its exit status tells the story.
  } finally {
    try {
      await stdin.end();
    } catch {
      // Already closed.
    }
  }
}
