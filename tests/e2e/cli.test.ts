// The CLI of the compiled binary: output, exit codes, env-file errors.

import { describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { e2eFixture, runBinary } from "../helpers/binary.ts";

const { dir, envFile, env } = e2eFixture("GITHUB_TOKEN=ghp_cli_test_token_1\n");

const pkg = await Bun.file(new URL("../../package.json", import.meta.url)).json();

describe("airbyte-mcp CLI", () => {
  test("--version prints the package version; --help and <cmd> --help print usage", async () => {
    const version = await runBinary(["--version"], { env: env() });
    expect(version.code).toBe(0);
    expect(version.stdout).toStartWith(`airbyte-mcp ${pkg.version}`);
    const help = await runBinary(["--help"], { env: env() });
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("airbyte-mcp call <tool>");
    for (const cmd of ["serve", "tools", "call"]) {
      const r = await runBinary([cmd, "--help"], { env: env() });
      expect(r.code).toBe(0);
      expect(r.stdout).toStartWith(`Usage: airbyte-mcp ${cmd}`);
    }
  });

  test("tools --json lists name, domain and the four hints", async () => {
    const r = await runBinary(["tools", "--json"], { env: env() });
    expect(r.code).toBe(0);
    const list = JSON.parse(r.stdout) as Record<string, unknown>[];
    const entry = list.find((t) => t.name === "list_dotenv_secrets");
    expect(entry).toMatchObject({
      name: "list_dotenv_secrets",
      domain: "local",
      readOnlyHint: true,
      destructiveHint: false,
      idempotentHint: true,
      openWorldHint: false,
    });
    const hidden = await runBinary(["tools", "--json"], { env: env({ AIRBYTE_MCP_TRUSTED_EXECUTION: "0" }) });
    expect(JSON.parse(hidden.stdout).map((t: { name: string }) => t.name)).not.toContain(
      "list_dotenv_secrets",
    );
    const all = await runBinary(["tools", "--json", "--all"], {
      env: env({ AIRBYTE_MCP_TRUSTED_EXECUTION: "0" }),
    });
    const shown = JSON.parse(all.stdout).find((t: { name: string }) => t.name === "list_dotenv_secrets");
    expect(shown.hidden_by).toContain("AIRBYTE_MCP_TRUSTED_EXECUTION=0");
    const table = await runBinary(["tools"], { env: env() });
    expect(table.stdout).toMatch(/list_dotenv_secrets\s+local\s+RO,I,FS/);
  });

  test("call prints the structured result as JSON and exits 0", async () => {
    const r = await runBinary(["call", "list_dotenv_secrets"], { env: env() });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ env_file: envFile, variable_names: ["GITHUB_TOKEN"], note: null });
    const viaStdin = await runBinary(["call", "list_dotenv_secrets", "--json", "-"], {
      env: env(),
      stdin: "{}",
    });
    expect(viaStdin.code).toBe(0);
    const argsFile = join(dir, "args.json");
    writeFileSync(argsFile, "{}");
    const viaFile = await runBinary(["call", "list_dotenv_secrets", "--json-file", argsFile], { env: env() });
    expect(viaFile.code).toBe(0);
    expect(viaFile.stdout).toBe(r.stdout);
  });

  test.each([
    [["call", "list_dotenv_secrets", "--json", '{"nope": 1}'], "unknown parameter 'nope'"],
    [["call", "list_dotenv_secrets", "--json", "{not json"], "not valid JSON"],
    [["call", "list_dotenv_secrets", "--json", "[1,2]"], "must be a JSON object"],
    [["call", "list_dotenv_secrets", "--json-file", "/no/such/file.json"], "cannot read --json-file"],
    [["call", "list_dotenv_secrets", "--json", "{}", "--json-file", "/x"], "not both"],
    [["call"], "needs a tool name"],
    [["call", "list_dotenv_secret"], "Did you mean list_dotenv_secrets"],
    [["call", "list_dotenv_secrets", "--jsn", "{}"], "Unknown option '--jsn'"],
    [["frobnicate"], "unknown command 'frobnicate'"],
    [["serve", "extra"], "takes no arguments"],
  ])("bad usage %j exits 2 with a message on stderr", async (args, message) => {
    const r = await runBinary(args, { env: env() });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain(message);
  });

  test("a hidden tool is refused with exit 2 and the setting that hides it", async () => {
    const r = await runBinary(["call", "list_dotenv_secrets"], {
      env: env({ MCP_EXCLUDE_TOOLS: "list_dotenv_secrets" }),
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("MCP_EXCLUDE_TOOLS");
  });

  describe("env-file errors stop start-up with exit 2, naming the file and line but no value", () => {
    test.each([
      ["relative path", "secrets.env", "must be an absolute path"],
      ["missing file", "/definitely/not/here.env", "does not exist"],
    ])("%s", async (_label, path, message) => {
      for (const args of [["call", "list_dotenv_secrets"], ["tools"], []]) {
        const r = await runBinary(args, { env: env({ AIRBYTE_MCP_ENV_FILE: path }) });
        expect(r.code).toBe(2);
        expect(r.stdout).toBe("");
        expect(r.stderr).toContain(path);
        expect(r.stderr).toContain(message);
      }
    });

    test("malformed line", async () => {
      const bad = join(dir, "bad.env");
      writeFileSync(bad, "GOOD=1\n# comment\nSECRETISH='sup3r-s3cret-value\n");
      for (const args of [["call", "list_dotenv_secrets"], []]) {
        const r = await runBinary(args, { env: env({ AIRBYTE_MCP_ENV_FILE: bad }) });
        expect(r.code).toBe(2);
        expect(r.stdout).toBe("");
        expect(r.stderr).toContain(`${bad}, line 3`);
        expect(r.stderr).not.toContain("sup3r-s3cret-value");
      }
    });
  });

  test("the binary ignores a stray ./.env and bunfig.toml in its working directory", async () => {
    const cwd = join(dir, "stray");
    await Bun.write(join(cwd, ".env"), "AIRBYTE_MCP_DOMAINS=cloud\nSTRAY_SECRET=should-never-load\n");
    await Bun.write(join(cwd, "bunfig.toml"), 'preload = ["./boom.ts"]\n');
    await Bun.write(join(cwd, "boom.ts"), "console.log('bunfig was loaded'); process.exit(99);\n");
    const r = await runBinary(["tools", "--json"], { env: env(), cwd });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).map((t: { name: string }) => t.name)).toContain("list_dotenv_secrets");
  });
});
