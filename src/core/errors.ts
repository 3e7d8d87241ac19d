// Errors an agent or a script can act on: what went wrong, and what to do next.

export const EXIT = {
  ok: 0,
  /** The tool ran and failed. */
  toolFailed: 1,
  /** Bad usage, invalid arguments, or a start-up configuration error. */
  usage: 2,
} as const;

export interface ToolErrorOptions {
  /** What to do next, appended to the message. */
  hint?: string;
  cause?: unknown;
}

/** A failure a tool reports to its caller (an MCP `isError` result, exit code 1 in the CLI). */
export class ToolError extends Error {
  readonly hint: string | undefined;
  constructor(message: string, options: ToolErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "ToolError";
    this.hint = options.hint;
  }
  /** The message with its hint, as the caller sees it. */
  get text(): string {
    return this.hint ? `${this.message} ${this.hint}` : this.message;
  }
}

/** The caller asked for something that cannot be done as asked: bad arguments, hidden or unknown tool. */
export class InvalidRequestError extends ToolError {
  constructor(message: string, options: ToolErrorOptions = {}) {
    super(message, options);
    this.name = "InvalidRequestError";
  }
}

/** The text of any thrown value, for a caller: a ToolError's message and hint, or an internal error. */
export function errorText(error: unknown): string {
  if (error instanceof ToolError) return error.text;
  if (error instanceof Error) {
    return `Internal error: ${error.message}. This is a bug in airbyte-mcp; please report it with the steps that led here.`;
  }
  return `Internal error: ${String(error)}.`;
}
