// The one path every tool call takes, from either front-end: find, filter, validate, run, check, redact.

import type { z } from "zod";
import { editDistance } from "./edit-distance.ts";
import { errorText, ToolError } from "./errors.ts";
import type { AnyToolDef, ToolContext } from "./tool.ts";
import { hiddenReason, type Transport } from "./visibility.ts";

export type CallOutcome =
  | { ok: true; result: Record<string, unknown> }
  | { ok: false; kind: "unknown" | "hidden" | "invalid" | "failed"; message: string };

export async function invokeTool(
  tools: readonly AnyToolDef[],
  name: string,
  rawArgs: unknown,
  ctx: ToolContext,
  transport: Transport,
): Promise<CallOutcome> {
  const redact = (message: string) => ctx.redactor.text(message);
  const tool = tools.find((t) => t.name === name);
  if (!tool) {
    const visible = tools
      .filter((t) => hiddenReason(t, ctx.settings, transport) === undefined)
      .map((t) => t.name);
    return { ok: false, kind: "unknown", message: redact(unknownToolMessage(name, visible)) };
  }
  const hidden = hiddenReason(tool, ctx.settings, transport);
  if (hidden) return { ok: false, kind: "hidden", message: hidden };

  const args = rawArgs === undefined || rawArgs === null ? {} : rawArgs;
  if (typeof args !== "object" || Array.isArray(args)) {
    return { ok: false, kind: "invalid", message: `Arguments for ${name} must be a JSON object.` };
  }
  const parsed = tool.input.safeParse(args);
  if (!parsed.success) {
    return { ok: false, kind: "invalid", message: redact(formatArgumentIssues(tool, parsed.error)) };
  }

  let output: unknown;
  try {
    output = await tool.handler(parsed.data, { ...ctx, transport });
  } catch (error) {
    if (!(error instanceof ToolError)) ctx.log.error(`tool ${name} crashed`, { error: String(error) });
    return { ok: false, kind: "failed", message: redact(errorText(error)) };
  }
  const checked = tool.output.safeParse(output);
  if (!checked.success) {
    ctx.log.error(`tool ${name} returned a result that does not match its output schema`, {
      issues: checked.error.issues.map((i: z.core.$ZodIssue) => `${i.path.join(".")}: ${i.message}`),
    });
    return {
      ok: false,
      kind: "failed",
      message: `Internal error: ${name} produced a malformed result. This is a bug in airbyte-mcp; please report it.`,
    };
  }
  return { ok: true, result: ctx.redactor.value(checked.data as Record<string, unknown>) };
}

/** Names each bad field, what was expected, and lists the valid parameters when a name is unknown. */
export function formatArgumentIssues(tool: AnyToolDef, error: z.ZodError): string {
  const params = Object.keys(tool.input.shape);
  const lines = error.issues.map((issue) => {
    if (issue.code === "unrecognized_keys") {
      const keys = issue.keys.map((k) => `'${k}'`).join(", ");
      const valid = params.length > 0 ? `valid parameters: ${params.join(", ")}` : "it takes no parameters";
      return `unknown parameter ${keys} (${valid})`;
    }
    const field = issue.path.length > 0 ? `'${issue.path.join(".")}'` : "arguments";
    return `${field}: ${issue.message}`;
  });
  return `Invalid arguments for ${tool.name}: ${lines.join("; ")}.`;
}

function unknownToolMessage(name: string, visible: string[]): string {
  const close = visible
    .map((v) => ({ v, d: editDistance(name, v) }))
    .filter((x) => x.d <= Math.max(3, Math.floor(name.length / 3)))
    .sort((a, b) => a.d - b.d)
    .slice(0, 3)
    .map((x) => x.v);
  const suggestion = close.length > 0 ? ` Did you mean ${close.join(", ")}?` : "";
  return `Unknown tool '${name}'.${suggestion} List the available tools with tools/list (CLI: airbyte-mcp tools).`;
}
