// An SDK client over the compiled binary's stdio, recording every byte the server writes.

import type { JSONRPCMessage, Transport } from "@modelcontextprotocol/client";
import { Client } from "@modelcontextprotocol/client";
import { binaryPath } from "./binary.ts";

export type Era = "2025-11-25" | "2026-07-28";
export const ERAS: Era[] = ["2025-11-25", "2026-07-28"];

/** A stdio client transport that keeps the raw stdout and stderr of the server process. */
export class RecordingStdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  rawStdout = "";
  rawStderr = "";
  private proc: ReturnType<typeof Bun.spawn> | null = null;
  /** The server's process id, once started. */
  get pid(): number | undefined {
    return this.proc?.pid;
  }
  private done: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly command: string,
    private readonly env: Record<string, string>,
    private readonly cwd: string,
  ) {}

  async start(): Promise<void> {
    const proc = Bun.spawn([this.command], {
      env: this.env,
      cwd: this.cwd,
      stdin: "pipe",
      stdout: "pipe",
      stderr: "pipe",
    });
    this.proc = proc;
    const decoder = new TextDecoder();
    let buffer = "";
    const readOut = (async () => {
      for await (const chunk of proc.stdout as ReadableStream<Uint8Array>) {
        const text = decoder.decode(chunk, { stream: true });
        this.rawStdout += text;
        buffer += text;
        let nl = buffer.indexOf("\n");
        while (nl >= 0) {
          const line = buffer.slice(0, nl);
          buffer = buffer.slice(nl + 1);
          if (line.trim() !== "") {
            try {
              this.onmessage?.(JSON.parse(line) as JSONRPCMessage);
            } catch (error) {
              this.onerror?.(error as Error);
            }
          }
          nl = buffer.indexOf("\n");
        }
      }
    })();
    const readErr = (async () => {
      const errDecoder = new TextDecoder();
      for await (const chunk of proc.stderr as ReadableStream<Uint8Array>) {
        this.rawStderr += errDecoder.decode(chunk, { stream: true });
      }
    })();
    this.done = Promise.all([readOut, readErr, proc.exited]).then(() => this.onclose?.());
  }

  async send(message: JSONRPCMessage): Promise<void> {
    const stdin = this.proc?.stdin;
    if (!stdin || typeof stdin === "number") throw new Error("not started");
    stdin.write(`${JSON.stringify(message)}\n`);
    await stdin.flush();
  }

  async close(): Promise<void> {
    const stdin = this.proc?.stdin;
    if (stdin && typeof stdin !== "number") await stdin.end();
    await Promise.race([this.done, Bun.sleep(3000)]);
    this.proc?.kill();
    await this.done;
  }
}

export interface Session {
  client: Client;
  transport: RecordingStdioTransport;
  close: () => Promise<void>;
}

export async function connect(era: Era, env: Record<string, string>): Promise<Session> {
  const bin = await binaryPath();
  const transport = new RecordingStdioTransport(bin, env, env.HOME ?? "/");
  const client = new Client(
    { name: "airbyte-mcp-tests", version: "1.0.0" },
    { versionNegotiation: { mode: era === "2025-11-25" ? "legacy" : { pin: "2026-07-28" } } },
  );
  await client.connect(transport);
  return { client, transport, close: () => client.close() };
}
