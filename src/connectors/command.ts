// Running a helper command (venv creation, pip, the container CLI) to its end, with cancellation
// that stops its whole process group and a bounded, redacted tail of its output for errors.

import type { Redactor } from "../core/redact.ts";

export interface CommandResult {
  code: number;
  /** The last lines of stdout and stderr together, redacted. */
  tail: string;
}

const TAIL_CHARS = 6 * 1024;

/** The end of a process's output, bounded, for error messages. */
export class OutputTail {
  private text = "";
  private cut = false;
  constructor(private readonly maxChars: number) {}

  add(chunk: string): void {
    const text = this.text + chunk;
    this.cut ||= text.length > this.maxChars;
    this.text = text.slice(-this.maxChars);
  }

  /**
   * The last `n` whole lines, redacted. A line cut by the bound is dropped: it may hold part of a
   * secret that the redactor no longer recognises. Redaction comes before taking the lines, so a
   * multi-line secret that starts above them is still masked.
   */
  lines(n: number, redactor: Redactor): string {
    const nl = this.text.indexOf("\n");
    const whole = this.cut ? (nl < 0 ? "" : this.text.slice(nl + 1)) : this.text;
    return redactor.text(whole).trim().split("\n").slice(-n).join("\n");
  }
}

/** Signals a process group (a detached child and everything it started), else the one process. */
export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // Already gone.
    }
  }
}

export async function runCommand(
  argv: string[],
  options: { signal: AbortSignal; redactor: Redactor; env?: Record<string, string>; cwd?: string },
): Promise<CommandResult> {
  const proc = Bun.spawn(argv, {
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
    detached: true,
    ...(options.env ? { env: options.env } : {}),
    ...(options.cwd ? { cwd: options.cwd } : {}),
  });
  const stop = () => signalGroup(proc.pid, "SIGKILL");
  options.signal.addEventListener("abort", stop, { once: true });
  const tail = new OutputTail(TAIL_CHARS);
  const collect = async (stream: ReadableStream<Uint8Array>) => {
    const decoder = new TextDecoder();
    for await (const chunk of stream) tail.add(decoder.decode(chunk, { stream: true }));
  };
  try {
    await Promise.all([collect(proc.stdout), collect(proc.stderr)]);
    const code = await proc.exited;
    return { code, tail: tail.lines(20, options.redactor) };
  } finally {
    options.signal.removeEventListener("abort", stop);
  }
}
