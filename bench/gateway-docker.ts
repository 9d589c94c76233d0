// The gateway benchmark's containers: a gateway on the host's network namespace, so wrk reaches it on loopback
// with no port proxy in between; started, waited for, and removed again.
import { randomBytes } from "node:crypto";
import { createServer } from "node:net";
import Docker from "dockerode";
import { WORKER_DIED } from "../src/checks/engine-log.js";
import { demuxDockerLogs } from "../src/docker/logs.js";

const docker = new Docker();

/** A running benchmark container. */
export interface BenchContainer {
  name: string;
  /** Its log so far (stdout and stderr), one string. */
  log(): Promise<string>;
  stop(): Promise<void>;
}

/** How many nginx workers died on a signal in `log`. */
export function workerExits(log: string): number {
  return log.split("\n").filter((l) => WORKER_DIED.test(l)).length;
}

/** A TCP port free on 127.0.0.1 right now. */
export function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once("error", fail);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => ok(port));
    });
  });
}

/** Starts `image` on the host network with `binds` (host:container:ro) and waits until `readyUrl` answers. */
export async function startGateway(opts: {
  image: string;
  cmd: string[];
  entrypoint?: string[];
  binds: string[];
  readyUrl: string;
}): Promise<BenchContainer> {
  const name = `orwasm-bench-gateway-${randomBytes(4).toString("hex")}`;
  const c = await docker.createContainer({
    name,
    Image: opts.image,
    Cmd: opts.cmd,
    ...(opts.entrypoint ? { Entrypoint: opts.entrypoint } : {}),
    Labels: { "org.orwasm.role": "bench-gateway" },
    HostConfig: { NetworkMode: "host", Binds: opts.binds },
  });
  const stop = async () => {
    await c.remove({ force: true }).catch(() => undefined);
  };
  const log = async () =>
    demuxDockerLogs(await c.logs({ stdout: true, stderr: true, follow: false }))
      .map((l) => l.text)
      .join("\n");
  try {
    await c.start();
    const until = Date.now() + 60_000;
    for (;;) {
      const ok = await fetch(opts.readyUrl)
        .then((r) => r.arrayBuffer().then(() => true))
        .catch(() => false);
      if (ok) break;
      const state = (await c.inspect()).State;
      if (!state.Running || Date.now() > until) {
        const logs = demuxDockerLogs(await c.logs({ stdout: true, stderr: true, follow: false }));
        const tail = logs
          .slice(-15)
          .map((l) => `  ${l.text}`)
          .join("\n");
        throw new Error(
          `gateway ${opts.image} did not answer ${opts.readyUrl} (${state.Running ? "timed out" : `exited ${state.ExitCode}`}):\n${tail}`,
        );
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { name, log, stop };
}
