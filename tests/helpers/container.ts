// Real containers for the docker executor: Podman with runc (../shared/notes/container-runtime.md),
// and an image imported from a root filesystem holding the compiled airbyte-mcp binary, whose
// `connector source-faker` command speaks the Airbyte protocol like a connector image.

import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { binaryPath, tempDir } from "./binary.ts";

export interface ContainerSetup {
  /** AIRBYTE_MCP_CONTAINER_CLI value. */
  cli: string;
  image: string;
  /** Runs the container CLI (for checks such as `ps`). */
  run(args: string[]): { code: number; stdout: string };
}

const RUNC = "/usr/sbin/runc";

/** Null (with the reason) when Podman or runc is missing; CI treats that as a failure. */
export async function podmanSetup(): Promise<ContainerSetup | string> {
  const podman = Bun.which("podman");
  if (!podman || !existsSync(RUNC)) return "podman and runc are not installed (apt-get install podman runc)";
  // The two settings these machines need; the spawned CLI inherits them through the environment.
  const conf = join(tmpdir(), "airbyte-mcp-tests-containers.conf");
  writeFileSync(conf, '[containers]\ndefault_ulimits = []\n[engine]\ncgroup_manager = "cgroupfs"\n');
  process.env.CONTAINERS_CONF = conf;
  const base = [podman, "--runtime", RUNC];
  const run = (args: string[]) => {
    const r = Bun.spawnSync([...base, ...args], { stdout: "pipe", stderr: "pipe" });
    return { code: r.exitCode ?? -1, stdout: r.stdout.toString() + r.stderr.toString() };
  };
  const binary = await binaryPath();
  const hash = createHash("sha256").update(readFileSync(binary)).digest("hex").slice(0, 12);
  const image = `localhost/airbyte-mcp-faker:${hash}`;
  if (run(["image", "exists", image]).code !== 0) {
    const dir = tempDir("airbyte-mcp-rootfs-");
    try {
      const root = join(dir.path, "rootfs");
      mkdirSync(join(root, "tmp"), { recursive: true });
      copyFileSync(binary, join(root, "airbyte-mcp"));
      const ldd = Bun.spawnSync(["ldd", binary], { stdout: "pipe" }).stdout.toString();
      for (const lib of ldd.match(/\/\S+/g) ?? []) {
        mkdirSync(join(root, dirname(lib)), { recursive: true });
        copyFileSync(lib, join(root, lib));
      }
      const tar = join(dir.path, "rootfs.tar");
      const t = Bun.spawnSync(["tar", "-C", root, "-cf", tar, "."]);
      if (t.exitCode !== 0) throw new Error("tar failed");
      const imported = run([
        "import",
        "--change",
        'ENTRYPOINT ["/airbyte-mcp", "connector", "source-faker"]',
        tar,
        image,
      ]);
      if (imported.code !== 0) throw new Error(`podman import failed: ${imported.stdout}`);
    } finally {
      dir.cleanup();
    }
  }
  return { cli: `${podman} --runtime ${RUNC}`, image, run };
}

/** Skip locally with the reason; fail in CI. */
export function requireInCi(reason: string | null, what: string): boolean {
  if (reason === null) return false;
  if (process.env.CI === "true") throw new Error(`${what} cannot run in CI: ${reason}`);
  console.warn(`skipping ${what}: ${reason}`);
  return true;
}
