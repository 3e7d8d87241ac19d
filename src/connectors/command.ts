// Running a helper command (venv creation, pip, the container CLI) to its end, with cancellation
// that stops its whole process group and a bounded, redacted tail of its output for errors.

import type { Redactor } from "../core/redact.ts";

export interface CommandResult {
  code: number;
  /** The last lines of stdout and stderr together, redacted. */
  tail: string;
}

const TAIL_BYTES = 6 * 1024;

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
  const stop = () => {
    try {
      process.kill(-proc.pid, "SIGKILL");
    } catch {
      proc.kill("SIGKILL");
    }
  };
  options.signal.addEventListener("abort", stop, { once: true });
  let tail = "";
  const collect = async (stream: ReadableStream<Uint8Array>) => {
    const decoder = new TextDecoder();
    for await (const chunk of stream)
      tail = (tail + decoder.decode(chunk, { stream: true })).slice(-TAIL_BYTES);
  };
  try {
    await Promise.all([collect(proc.stdout), collect(proc.stderr)]);
    const code = await proc.exited;
    // A tail cut mid-line may hold part of a secret: drop that partial first line.
    const whole = tail.length >= TAIL_BYTES ? tail.slice(tail.indexOf("\n") + 1) : tail;
    return { code, tail: options.redactor.text(lastLines(whole, 20)) };
  } finally {
    options.signal.removeEventListener("abort", stop);
  }
}

function lastLines(text: string, n: number): string {
  return text.trim().split("\n").slice(-n).join("\n");
}
