// Masks known secret values in every message the server sends, whoever built it (our handlers or
// the SDK's own error messages, which may quote a request's parameters).

import type { JSONRPCMessage, Transport, TransportSendOptions } from "@modelcontextprotocol/server";
import type { Redactor } from "../core/redact.ts";

export class RedactingTransport implements Transport {
  constructor(
    private readonly inner: Transport,
    private readonly redactor: Redactor,
  ) {}

  start(): Promise<void> {
    return this.inner.start();
  }
  send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    return this.inner.send(this.redactor.value(message), options);
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
    return this.inner.onmessage;
  }
  set onmessage(f) {
    this.inner.onmessage = f;
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
