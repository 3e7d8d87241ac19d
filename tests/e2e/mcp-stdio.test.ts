// The compiled binary, driven over stdio by the SDK client in both protocol eras.

import { describe, expect, test } from "bun:test";
import { describeTool } from "../../src/core/describe.ts";
import { ALL_TOOLS } from "../../src/tools/index.ts";
import { e2eFixture } from "../helpers/binary.ts";
import { connect, ERAS } from "../helpers/mcp-client.ts";

const { envFile, env } = e2eFixture(
  "GITHUB_TOKEN=ghp_not_a_real_token_1234\nPOSTGRES_PASSWORD=also-not-real\n",
);

describe.each(ERAS)("stdio server, protocol %s", (era) => {
  test("negotiates the era and lists every tool with explicit hints and output schemas", async () => {
    const s = await connect(era, env());
    try {
      expect(s.client.getNegotiatedProtocolVersion()).toBe(era);
      const { tools } = await s.client.listTools();
      expect(tools.map((t) => t.name).sort()).toEqual(ALL_TOOLS.map((t) => t.name).sort());
      for (const tool of tools) {
        const a = tool.annotations ?? {};
        for (const hint of ["readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint"] as const) {
          expect(typeof a[hint]).toBe("boolean");
        }
        expect(tool.outputSchema?.type).toBe("object");
        expect(tool.inputSchema.type).toBe("object");
        expect(tool.description?.length ?? 0).toBeGreaterThan(20);
        // The binary serves the schemas the build embedded: they must be what the code defines.
        const source = describeTool(
          ALL_TOOLS.find((t) => t.name === tool.name) as (typeof ALL_TOOLS)[number],
        );
        expect(tool.inputSchema as unknown).toEqual(source.inputSchema);
        expect(tool.outputSchema as unknown).toEqual(source.outputSchema);
      }
      expect(s.client.getInstructions()).toContain("secret_reference::");
    } finally {
      await s.close();
    }
  });

  test("a tool call returns structuredContent and the same JSON as text", async () => {
    const s = await connect(era, env());
    try {
      const result = await s.client.callTool({ name: "list_dotenv_secrets", arguments: {} });
      expect(result.isError).toBeFalsy();
      expect(result.structuredContent).toEqual({
        env_file: envFile,
        variable_names: ["GITHUB_TOKEN", "POSTGRES_PASSWORD"],
        note: null,
      });
      const text = (result.content as { type: string; text: string }[])[0];
      expect(text?.type).toBe("text");
      expect(JSON.parse(text?.text ?? "")).toEqual(result.structuredContent);
    } finally {
      await s.close();
    }
  });

  test("a hidden tool is absent from tools/list and refused with the setting that hides it", async () => {
    const s = await connect(era, env({ AIRBYTE_MCP_DOMAINS: "registry,cloud" }));
    try {
      const { tools } = await s.client.listTools();
      expect(tools.map((t) => t.name)).not.toContain("list_dotenv_secrets");
      const result = await s.client.callTool({ name: "list_dotenv_secrets", arguments: {} });
      expect(result.isError).toBe(true);
      const text = (result.content as { text: string }[])[0]?.text ?? "";
      expect(text).toContain("AIRBYTE_MCP_DOMAINS=registry,cloud");
      expect(text).toContain("'local'");
    } finally {
      await s.close();
    }
  });

  test("invalid arguments come back as an error result naming the field; unknown tools as a protocol error", async () => {
    const s = await connect(era, env());
    try {
      const result = await s.client.callTool({ name: "list_dotenv_secrets", arguments: { verbose: true } });
      expect(result.isError).toBe(true);
      expect((result.content as { text: string }[])[0]?.text).toContain("unknown parameter 'verbose'");
      await expect(s.client.callTool({ name: "list_dotenv_secret", arguments: {} })).rejects.toThrow(
        /Did you mean list_dotenv_secrets/,
      );
    } finally {
      await s.close();
    }
  });

  test("serves the server-info resource and the test-my-tools prompt", async () => {
    const s = await connect(era, env());
    try {
      const info = await s.client.readResource({ uri: "airbyte-mcp://server/info" });
      const content = info.contents[0] as { text: string; mimeType: string };
      expect(content.mimeType).toBe("application/json");
      const parsed = JSON.parse(content.text);
      expect(parsed.name).toBe("airbyte-mcp");
      expect(parsed.version).toBe(
        (await Bun.file(new URL("../../package.json", import.meta.url)).json()).version,
      );
      expect(typeof parsed.commit).toBe("string");
      // The build embeds the tools' JSON Schemas; a binary that cannot read them computes them.
      expect(parsed.tool_schemas).toBe("embedded");
      const prompt = await s.client.getPrompt({
        name: "test-my-tools",
        arguments: { scope: "registry only" },
      });
      const message = prompt.messages[0]?.content as { text: string };
      expect(message.text).toContain("---\n\nregistry only");
      const bare = await s.client.getPrompt({ name: "test-my-tools", arguments: {} });
      const bareText = bare.messages[0]?.content as { text: string } | undefined;
      expect(bareText?.text).not.toContain("---");
    } finally {
      await s.close();
    }
  });
});

describe.each(ERAS)("env-file values that equal protocol words, protocol %s", (era) => {
  test("are masked in payloads without breaking the session", async () => {
    const { writeFileSync } = await import("node:fs");
    const { join } = await import("node:path");
    const file = join(envFile, "..", "protocol-words.env");
    // Each value is 6+ characters, so each is treated as a secret.
    writeFileSync(
      file,
      "START_DATE=2025-11-25\nFIELD_TYPE=object\nMODE=content\nWHAT=tools/list\nTEXT_KIND=text\n",
    );
    const s = await connect(era, env({ AIRBYTE_MCP_ENV_FILE: file }));
    try {
      expect(s.client.getNegotiatedProtocolVersion()).toBe(era);
      const { tools } = await s.client.listTools();
      expect(tools.every((t) => t.inputSchema.type === "object")).toBe(true);
      const result = await s.client.callTool({ name: "list_dotenv_secrets", arguments: {} });
      expect(result.structuredContent).toMatchObject({
        variable_names: ["START_DATE", "FIELD_TYPE", "MODE", "WHAT", "TEXT_KIND"],
      });
    } finally {
      await s.close();
    }
  });
});
