// A throwaway PostgreSQL server for the cache tests: Debian's server binaries
// (/usr/lib/postgresql/N/bin), a cluster in a temp dir, listening on 127.0.0.1 at a free port
// with its socket inside that dir, and a non-superuser role with a password owning a database.
// PostgreSQL refuses to run as root, so as root the cluster belongs to the `postgres` user.

import { afterAll, beforeAll } from "bun:test";
import {
  chownSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SQL } from "bun";
import { requireInCi } from "./container.ts";

export interface PostgresServer {
  /** postgres://user:password@127.0.0.1:port/db of a role that is not a superuser. */
  url: string;
  password: string;
  port: number;
  stop(): void;
}

/** The newest installed server's bin dir, or null. */
export function postgresBin(): string | null {
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, "bin", "initdb")) && existsSync(join(root, v, "bin", "pg_ctl")))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], "bin") : null;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

/** The uid and gid the cluster runs as when we are root (PostgreSQL will not run as root). */
function serverUser(): { name: string; uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  for (const name of ["postgres", "nobody"]) {
    const line = readFileSync("/etc/passwd", "utf8")
      .split("\n")
      .find((l) => l.startsWith(`${name}:`));
    const [, , uid, gid] = line?.split(":") ?? [];
    if (uid && gid) return { name, uid: Number(uid), gid: Number(gid) };
  }
  throw new Error("running as root, and there is neither a postgres nor a nobody user to run PostgreSQL as");
}

function run(argv: string[], as: { name: string } | null): void {
  const full = as ? ["runuser", "-u", as.name, "--", ...argv] : argv;
  const r = Bun.spawnSync(full, { stdout: "pipe", stderr: "pipe", env: { PATH: process.env.PATH ?? "" } });
  if (r.exitCode !== 0) {
    throw new Error(`${argv.join(" ")} failed (${r.exitCode}): ${r.stderr.toString()}${r.stdout.toString()}`);
  }
}

/** Starts a server, or returns why it cannot (no PostgreSQL installed). */
export async function startPostgres(): Promise<PostgresServer | string> {
  const bin = postgresBin();
  if (!bin) return "PostgreSQL is not installed (apt-get install postgresql)";
  const as = serverUser();
  // As root, a dir the server's user can reach (root's TMPDIR may not be).
  const dir = mkdtempSync(join(as ? "/tmp" : tmpdir(), "airbyte-mcp-pg-"));
  if (as) chownSync(dir, as.uid, as.gid);
  const data = join(dir, "data");
  const superPassword = crypto.randomUUID();
  const pwfile = join(dir, "pw");
  writeFileSync(pwfile, superPassword, { mode: 0o600 });
  if (as) chownSync(pwfile, as.uid, as.gid);
  const port = await freePort();
  const pgCtl = join(bin, "pg_ctl");
  let started = false;
  const stop = () => {
    if (started) {
      started = false;
      try {
        run([pgCtl, "-D", data, "-m", "immediate", "-w", "stop"], as);
      } catch {
        // Already gone; the dir is removed anyway.
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    // Password auth over TCP (so a wrong password is refused), trust on the private socket.
    run(
      [
        join(bin, "initdb"),
        "-D",
        data,
        "-U",
        "postgres",
        `--pwfile=${pwfile}`,
        "--auth-host=scram-sha-256",
        "--auth-local=trust",
        "-E",
        "UTF8",
        "--locale=C",
        "--no-sync",
      ],
      as,
    );
    const options = [
      "-c listen_addresses=127.0.0.1",
      `-p ${port}`,
      `-k ${dir}`,
      // A test server: no durability, small and quick.
      "-c fsync=off",
      "-c synchronous_commit=off",
      "-c full_page_writes=off",
      "-c shared_buffers=16MB",
      "-c max_connections=50",
    ].join(" ");
    started = true; // Even a start that timed out may have left a server to stop.
    run([pgCtl, "-D", data, "-o", options, "-l", join(dir, "log"), "-w", "-t", "60", "start"], as);
    const password = `pw-${crypto.randomUUID()}`;
    const admin = new SQL({
      url: `postgres://postgres:${encodeURIComponent(superPassword)}@127.0.0.1:${port}/postgres`,
      max: 1,
    });
    try {
      await admin.unsafe(`CREATE ROLE cache_user LOGIN PASSWORD '${password}'`);
      await admin.unsafe("CREATE DATABASE cache_db OWNER cache_user");
    } finally {
      await admin.close();
    }
    return {
      url: `postgres://cache_user:${encodeURIComponent(password)}@127.0.0.1:${port}/cache_db`,
      password,
      port,
      stop,
    };
  } catch (error) {
    const log = join(dir, "log");
    const tail = existsSync(log) ? readFileSync(log, "utf8").slice(-2000) : "";
    stop();
    throw new Error(`${(error as Error).message}\n${tail}`);
  }
}

/** Why the PostgreSQL tests cannot run here, or null. */
export const postgresMissing: string | null = postgresBin()
  ? null
  : "PostgreSQL is not installed (apt-get install postgresql; .ci/run does it in CI)";

/**
 * One server for a test file, started in beforeAll and stopped in afterAll. `skip` is true when
 * PostgreSQL is missing (a message says so); in CI that fails the file instead (requireInCi).
 */
export function usePostgres(): { skip: boolean; server(): PostgresServer } {
  const skip = requireInCi(postgresMissing, "the PostgreSQL cache tests");
  let server: PostgresServer | null = null;
  if (!skip) {
    beforeAll(async () => {
      const started = await startPostgres();
      if (typeof started === "string") throw new Error(started);
      server = started;
    }, 120_000);
    afterAll(() => server?.stop());
  }
  return {
    skip,
    server: () => {
      if (!server) throw new Error("the PostgreSQL test server is not running");
      return server;
    },
  };
}
