// Runs a PodRun (derived from a rendered Deployment) with Docker the way a kubelet would: user, read-only root,
// no new privileges, capabilities dropped, ConfigMap files bind-mounted read-only, emptyDirs as fresh 0777 folders.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import Docker from "dockerode";
import type { PodRun } from "../../src/k8s/kubelet.js";

/** A started pod container. */
export interface RunningPod {
  container: Docker.Container;
  /** The loopback host port a named container port is published on. */
  port(name: string): number;
  /** Runs a command in the container as the pod's user; stdout and stderr together. */
  exec(cmd: string[]): Promise<{ code: number; output: string }>;
  logs(): Promise<string>;
  remove(): Promise<void>;
}

export async function runPod(docker: Docker, run: PodRun, name: string): Promise<RunningPod> {
  const hostDir = mkdtempSync(join(tmpdir(), "orwasm-pod-"));
  const binds = run.files.map((f, i) => {
    const host = join(hostDir, String(i), f.path);
    mkdirSync(dirname(host), { recursive: true });
    writeFileSync(host, f.content, { mode: 0o644 });
    return `${host}:${f.path}:ro`;
  });
  // The kubelet makes each emptyDir a fresh 0777 folder on the node and bind-mounts it. (Docker's tmpfs is no
  // stand-in: on a path the image already has, it takes that folder's owner and mode, whatever mode= says.)
  const emptyDirs = run.emptyDirs.map((d, i) => {
    const host = join(hostDir, `empty-${i}`);
    mkdirSync(host);
    chmodSync(host, 0o777);
    return `${host}:${d}`;
  });
  const exposed = Object.fromEntries(Object.values(run.ports).map((p) => [`${p}/tcp`, {}]));
  const container = await docker.createContainer({
    name,
    Image: run.image,
    ...(run.argv.length ? { Entrypoint: [run.argv[0]!], Cmd: run.argv.slice(1) } : {}),
    User: run.user,
    Env: Object.entries(run.env).map(([k, v]) => `${k}=${v}`),
    ExposedPorts: exposed,
    Labels: { "org.orwasm.test": "pod" },
    HostConfig: {
      ReadonlyRootfs: run.readOnlyRootFilesystem,
      CapDrop: run.capDrop,
      SecurityOpt: run.noNewPrivileges ? ["no-new-privileges"] : [],
      Binds: [...binds, ...emptyDirs],
      PortBindings: Object.fromEntries(
        Object.keys(exposed).map((p) => [p, [{ HostIp: "127.0.0.1", HostPort: "" }]]),
      ),
    },
  });
  await container.start();
  const info = await container.inspect();
  const published = info.NetworkSettings.Ports;
  const port = (n: string) => {
    const p = run.ports[n];
    const host = p === undefined ? undefined : published[`${p}/tcp`]?.[0]?.HostPort;
    if (!host) throw new Error(`container port ${n} is not published`);
    return Number(host);
  };
  return {
    container,
    port,
    async exec(cmd) {
      const e = await container.exec({
        Cmd: cmd,
        AttachStdout: true,
        AttachStderr: true,
        User: run.user,
      });
      const stream = await e.start({});
      const chunks: Buffer[] = [];
      await new Promise<void>((ok) => {
        stream.on("data", (c: Buffer) => chunks.push(c));
        stream.on("end", () => ok());
      });
      const code = (await e.inspect()).ExitCode ?? -1;
      return { code, output: demux(Buffer.concat(chunks)) };
    },
    async logs() {
      return demux(await container.logs({ stdout: true, stderr: true }));
    },
    async remove() {
      await container.remove({ force: true }).catch(() => undefined);
      rmSync(hostDir, { recursive: true, force: true });
    },
  };
}

/** Docker's multiplexed stream (8-byte frame headers) to text. */
export function demux(buf: Buffer): string {
  let out = "";
  let i = 0;
  while (i + 8 <= buf.length) {
    const len = buf.readUInt32BE(i + 4);
    out += buf.subarray(i + 8, i + 8 + len).toString("utf8");
    i += 8 + len;
  }
  return out;
}
