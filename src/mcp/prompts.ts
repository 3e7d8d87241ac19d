export function testMyToolsPrompt(scope: string | undefined): string {
  const text = [
    "Test each tool this MCP server offers, to confirm it works.",
    "- Start with tools/list and go through the tools one by one.",
    "- Prefer read-only calls; do not create, change or delete anything unless the scope below asks for it.",
    "- Where a tool needs a secret, use list_dotenv_secrets and 'secret_reference::NAME'; never ask for a secret value.",
    "- For each tool, note whether it worked, and for failures the error text and what it suggests.",
    "- End with a short summary table: tool, result, notes.",
  ].join("\n");
  return scope?.trim() ? `${text}\n\n---\n\n${scope.trim()}` : text;
}
