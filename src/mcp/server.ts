// The MCP front-end: tools/list and tools/call over the one tool list, plus the info resource and
// the test prompt. Holds no domain logic.

import { McpServer, ProtocolError, ProtocolErrorCode } from "@modelcontextprotocol/server";
import { z } from "zod";
import { describeTool, toolSchemaSource } from "../core/describe.ts";
import { invokeTool } from "../core/invoke.ts";
import type { Runtime } from "../core/runtime.ts";
import type { Progress } from "../core/tool.ts";
import { COMMIT, NAME, VERSION } from "../core/version.ts";
import { hiddenReason, type Transport } from "../core/visibility.ts";
import { serverInstructions } from "./instructions.ts";
import { testMyToolsPrompt } from "./prompts.ts";

export const SERVER_INFO_URI = "airbyte-mcp://server/info";

export function createMcpServer(rt: Runtime, transport: Transport): McpServer {
  const server = new McpServer(
    { name: NAME, title: "Airbyte MCP", version: VERSION },
    { instructions: serverInstructions(rt.settings) },
  );
  // Tools are served by our own handlers rather than registerTool, so that visibility, validation
  // messages and redaction follow the same path as the CLI, and a hidden tool is refused with the
  // setting that hides it.
  server.server.registerCapabilities({ tools: { listChanged: false } });
  const visible = () => rt.tools.filter((t) => hiddenReason(t, rt.settings, transport) === undefined);

  server.server.setRequestHandler("tools/list", () => ({
    tools: visible().map((t) => {
      const d = describeTool(t);
      return {
        name: d.name,
        title: d.title,
        description: d.description,
        inputSchema: d.inputSchema as { type: "object" },
        outputSchema: d.outputSchema as { type: "object" },
        annotations: d.annotations,
      };
    }),
  }));

  server.server.setRequestHandler("tools/call", async (request, ctx) => {
    const outcome = await invokeTool(
      rt.tools,
      request.params.name,
      request.params.arguments,
      rt.context(ctx.mcpReq.signal, progressSender(ctx.mcpReq._meta?.progressToken, ctx.mcpReq.notify)),
      transport,
    );
    if (!outcome.ok) {
      if (outcome.kind === "unknown")
        throw new ProtocolError(ProtocolErrorCode.InvalidParams, outcome.message);
      rt.log.debug(`tools/call ${request.params.name} -> ${outcome.kind}`, { message: outcome.message });
      return { content: [{ type: "text" as const, text: outcome.message }], isError: true };
    }
    return {
      content: [{ type: "text" as const, text: JSON.stringify(outcome.result) }],
      structuredContent: outcome.result,
    };
  });

  server.registerResource(
    "server-info",
    SERVER_INFO_URI,
    {
      title: "Server info",
      description: "Name, version and commit of this server, and where its tool schemas come from",
      mimeType: "application/json",
    },
    async (uri) => ({
      contents: [
        {
          uri: uri.href,
          mimeType: "application/json",
          text: JSON.stringify({
            name: NAME,
            version: VERSION,
            commit: COMMIT,
            tool_schemas: toolSchemaSource(),
          }),
        },
      ],
    }),
  );

  server.registerPrompt(
    "test-my-tools",
    {
      title: "Test my tools",
      description: "Test all available MCP tools to confirm they are working properly",
      argsSchema: z.object({
        scope: z.string().optional().describe("Optional focus, e.g. 'registry tools only'"),
      }),
    },
    ({ scope }) => ({
      messages: [
        {
          role: "user" as const,
          content: { type: "text" as const, text: rt.redactor.text(testMyToolsPrompt(scope)) },
        },
      ],
    }),
  );
  return server;
}

/** Progress notifications for a call whose client gave a progress token; none otherwise. */
function progressSender(
  token: string | number | undefined,
  notify: (n: { method: "notifications/progress"; params: Record<string, unknown> }) => Promise<void>,
): ((p: Progress) => void) | undefined {
  if (token === undefined) return undefined;
  let last = -1;
  return (p) => {
    if (p.progress <= last) return; // The spec wants progress to grow with every notification.
    last = p.progress;
    void notify({ method: "notifications/progress", params: { progressToken: token, ...p } }).catch(() => {});
  };
}
