// Errors of a declarative run carry the Airbyte failure type, so the TRACE ERROR message tells an
// agent whether to fix the config (config_error), retry later (transient_error) or report a bug.

export type FailureType = "system_error" | "config_error" | "transient_error";

export class DeclarativeError extends Error {
  constructor(
    message: string,
    readonly failureType: FailureType = "system_error",
    readonly internal?: string,
  ) {
    super(message);
    this.name = "DeclarativeError";
  }
}

export function failureTypeOf(error: unknown): FailureType {
  const t = (error as { failureType?: unknown } | null)?.failureType;
  return t === "config_error" || t === "transient_error" || t === "system_error" ? t : "system_error";
}

export function isAbort(error: unknown): boolean {
  return (error as { name?: unknown } | null)?.name === "AbortError";
}
