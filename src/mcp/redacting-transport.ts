// Masks known secret values in what the server sends back: tool results, prompt and resource
// contents, error messages, and log notifications, whoever built them (our handlers, or the SDK's
// own errors, which may quote a request's parameters). The protocol envelope (versions,
// capabilities, tool schemas, result keys) is never touched, so a secret that happens to equal a
// protocol word cannot break the session.

import type { JSONRPCMessage, Transport, TransportSendOptions } from "@modelcontextprotocol/server";
import type { Redactor } from "../core/redact.ts";

/** Requests whose results carry data a secret could appear in. */
const PAYLOAD_METHODS = new Set(["tools/call", "prompts/get", "resources/read", "completion/complete"]);

type Message = Record<string, unknown>;

export class RedactingTransport implements Transport {
  /** Methods of the requests in flight, by id, to know what a response carries. */
  private readonly methods = new Map<string | number, string>();
  private userOnMessage: Transport["onmessage"];

  constructor(
    private readonly inner: Transport,
    private readonly redactor: Redactor,
  ) {}

  start(): Promise<void> {
    return this.inner.start();
  }

  send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    return this.inner.send(this.mask(message as unknown as Message) as unknown as JSONRPCMessage, options);
  }

  private mask(m: Message): Message {
    const id = m.id as string | number | undefined;
    if ("error" in m && m.error && typeof m.error === "object") {
      if (id !== undefined) this.methods.delete(id);
      const error = m.error as Message;
      return {
        ...m,
        error: {
          ...error,
          message: this.redactor.text(String(error.message ?? "")),
          ...("data" in error ? { data: this.redactor.value(error.data) } : {}),
        },
      };
    }
    if ("result" in m && id !== undefined) {
      const method = this.methods.get(id);
      this.methods.delete(id);
      if (method && PAYLOAD_METHODS.has(method)) {
        const result = m.result as Message;
        const masked: Message = {};
        for (const [k, v] of Object.entries(result)) masked[k] = k === "_meta" ? v : this.redactor.value(v);
        return { ...m, result: masked };
      }
      return m;
    }
    if (m.method === "notifications/message" || m.method === "notifications/progress") {
      return { ...m, params: this.redactor.value(m.params) };
    }
    return m;
  }

  close(): Promise<void> {
    return this.inner.close();
  }
  get onclose() {
    return this.inner.onclose;
  }
  set onclose(f) {
    this.inner.onclose = f;
  }
  get onerror() {
    return this.inner.onerror;
  }
  set onerror(f) {
    this.inner.onerror = f;
  }
  get onmessage() {
    return this.userOnMessage;
  }
  set onmessage(f) {
    this.userOnMessage = f;
    this.inner.onmessage = f
      ? (message, extra) => {
          const m = message as unknown as Message;
          if (typeof m.method === "string" && m.id !== undefined)
            this.methods.set(m.id as string | number, m.method);
          f(message, extra);
        }
      : undefined;
  }
  get sessionId() {
    return this.inner.sessionId;
  }
  get setProtocolVersion() {
    return this.inner.setProtocolVersion;
  }
  get setSupportedProtocolVersions() {
    return this.inner.setSupportedProtocolVersions;
  }
}
