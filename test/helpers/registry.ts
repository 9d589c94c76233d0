// A real CNCF distribution registry (Debian's docker-registry) on a free loopback port, with its own config and
// storage under a temp dir; optionally behind htpasswd Basic auth. Started and stopped by the tests that use it.
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hasCommand, requireOrSkip } from "./skip.js";

/** A running registry: `host` is 127.0.0.1:PORT; `log()` is everything it printed. */
export interface TestRegistry {
  host: string;
  dir: string;
  log: () => string;
  stop: () => Promise<void>;
}

/** The skip reason when the registry tools are missing; under CI=true a missing tool fails instead. */
export function registryToolsSkip(): string | undefined {
  const missing = ["docker-registry", "skopeo", "htpasswd"].filter((c) => !hasCommand(c));
  if (missing.length === 0) return undefined;
  const why = `${missing.join(", ")} not installed (run scripts/setup-registry.sh)`;
  if (process.env.CI === "true") throw new Error(`CI=true and ${why}`);
  return requireOrSkip("registry", false, why);
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      const port = typeof a === "object" && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** Starts `docker-registry serve CONFIG`; with `auth`, an htpasswd file (bcrypt, from htpasswd -B) guards it. */
export async function startRegistry(auth?: {
  user: string;
  password: string;
}): Promise<TestRegistry> {
  const dir = mkdtempSync(join(tmpdir(), "orwasm-i13-registry-"));
  const port = await freePort();
  let authBlock = "";
  if (auth) {
    const line = execFileSync("htpasswd", ["-Bbn", auth.user, auth.password], { encoding: "utf8" });
    writeFileSync(join(dir, "htpasswd"), line);
    authBlock = `auth:\n  htpasswd:\n    realm: orwasm-test\n    path: ${join(dir, "htpasswd")}\n`;
  }
  writeFileSync(
    join(dir, "config.yml"),
    `version: 0.1
log:
  level: info
  accesslog:
    disabled: false
storage:
  filesystem:
    rootdirectory: ${join(dir, "data")}
  delete:
    enabled: true
http:
  addr: 127.0.0.1:${port}
${authBlock}`,
  );
  let out = "";
  const child: ChildProcess = spawn("docker-registry", ["serve", join(dir, "config.yml")], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (out += d.toString()));
  const host = `127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited:\n${out}`);
    const ok = await fetch(`http://${host}/v2/`).then(
      (r) => r.status === 200 || r.status === 401,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline)
      throw new Error(`docker-registry did not answer on ${host}:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    host,
    dir,
    log: () => out,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
