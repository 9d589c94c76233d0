// SmokeContainers over Docker, through testcontainers' runtime client: it finds the daemon the way testcontainers does
// (DOCKER_HOST, ~/.testcontainers.properties, the local socket) and knows the host published ports are reached on.
import { describeDockerError, statusOf } from "../docker/daemon-errors.js";
import type Docker from "dockerode";
import { pack } from "tar-stream";
import { getContainerRuntimeClient } from "testcontainers";
import { createDockerPort } from "../docker/dockerode-port.js";
import { SmokeError } from "../errors.js";
import type {
  ContainerFile,
  ContainerSpec,
  ContainerState,
  SmokeContainers,
} from "./containers.js";
import { demuxDockerLogs } from "../docker/logs.js";
import { runInImage } from "../docker/run-in-image.js";

/** Connects to Docker; a daemon that does not answer is a SmokeError saying how to start one. */
export async function connectContainers(): Promise<SmokeContainers> {
  let client;
  try {
    client = await getContainerRuntimeClient();
  } catch (err) {
    throw new SmokeError(
      `Docker does not answer (${describeDockerError(err)}); start it, e.g. with scripts/docker-up.sh`,
    );
  }
  return dockerContainers(client.container.dockerode, client.info.containerRuntime.host);
}

/** The adapter over a dockerode client; `host` is where published ports are reached. */
export function dockerContainers(d: Docker, host: string): SmokeContainers {
  const fail = (what: string, err: unknown) =>
    new SmokeError(`${what}: ${describeDockerError(err)}`);
  const ignore404 = (err: unknown) => {
    if (statusOf(err) !== 404) throw err;
  };
  /** A container that vanished (removed by someone else, or an interrupt) is a SmokeError, not a stack trace. */
  const inspect = (name: string) =>
    d
      .getContainer(name)
      .inspect()
      .catch((err) => {
        throw fail(`cannot inspect container ${name}`, err);
      });
  return {
    host,
    docker: createDockerPort(d),

    async createNetwork(name, labels) {
      await d.createNetwork({ Name: name, Driver: "bridge", Labels: labels }).catch((err) => {
        throw fail(`cannot create network ${name}`, err);
      });
    },

    async removeNetwork(name) {
      await d
        .getNetwork(name)
        .remove()
        .catch(ignore404)
        .catch((err) => {
          throw fail(`cannot remove network ${name}`, err);
        });
    },

    async run(spec) {
      let c: Docker.Container;
      try {
        c = await d.createContainer(createOptions(spec));
      } catch (err) {
        throw fail(`cannot create container ${spec.name} from ${spec.image}`, err);
      }
      try {
        if (spec.files?.length) await c.putArchive(await tarOf(spec.files), { path: "/" });
        await c.start();
      } catch (err) {
        throw fail(`cannot start container ${spec.name} from ${spec.image}`, err);
      }
    },

    async state(name): Promise<ContainerState> {
      const s = (await inspect(name)).State;
      return {
        running: s.Running || s.Restarting,
        ...(s.Running ? {} : { exitCode: s.ExitCode }),
        ...(s.Error ? { error: s.Error } : {}),
        ...(s.OOMKilled ? { oomKilled: true } : {}),
      };
    },

    async hostPort(name, port) {
      const ports = (await inspect(name)).NetworkSettings.Ports ?? {};
      const bindings = ports[`${port}/tcp`] ?? [];
      const b = bindings.find((x) => !x.HostIp.includes(":")) ?? bindings[0];
      return b ? Number(b.HostPort) : undefined;
    },

    async logs(name) {
      const buf = (await d
        .getContainer(name)
        .logs({ stdout: true, stderr: true, follow: false })
        .catch((err) => {
          throw fail(`cannot read the log of container ${name}`, err);
        })) as unknown as Buffer;
      return demuxDockerLogs(buf);
    },

    async remove(name) {
      await d
        .getContainer(name)
        .remove({ force: true, v: true })
        .catch(ignore404)
        .catch((err) => {
          throw fail(`cannot remove container ${name}`, err);
        });
    },

    async removeLabelled(key, value) {
      // Runs while the interrupted run may still be removing the same things: errors per item (404, 409 "removal
      // already in progress", network still in use) are retried a few times rather than stopping the sweep.
      const filters = JSON.stringify({ label: [`${key}=${value}`] });
      for (let attempt = 0; attempt < 5; attempt++) {
        const cs = await d.listContainers({ all: true, filters });
        const ns = await d.listNetworks({ filters });
        if (cs.length === 0 && ns.length === 0) return;
        for (const c of cs) {
          await d
            .getContainer(c.Id)
            .remove({ force: true, v: true })
            .catch(() => undefined);
        }
        for (const n of ns) {
          await d
            .getNetwork(n.Id)
            .remove()
            .catch(() => undefined);
        }
        await new Promise((r) => setTimeout(r, 200));
      }
    },

    async imageCmd(image) {
      try {
        return (await d.getImage(image).inspect()).Config.Cmd ?? [];
      } catch (err) {
        if (statusOf(err) === 404) return undefined;
        throw fail(`cannot inspect image ${image}`, err);
      }
    },

    async runInImage(image, cmd, opts) {
      try {
        return await runInImage(d, image, cmd, opts);
      } catch (err) {
        throw fail(`cannot run a command in image ${image}`, err);
      }
    },
  };
}

function createOptions(spec: ContainerSpec): Docker.ContainerCreateOptions {
  const publish = spec.publish ?? [];
  return {
    name: spec.name,
    Image: spec.image,
    ...(spec.entrypoint ? { Entrypoint: spec.entrypoint } : {}),
    ...(spec.cmd ? { Cmd: spec.cmd } : {}),
    Env: Object.entries(spec.env ?? {}).map(([k, v]) => `${k}=${v}`),
    Labels: spec.labels,
    ExposedPorts: Object.fromEntries(publish.map((p) => [`${p}/tcp`, {}])),
    HostConfig: {
      NetworkMode: spec.network,
      PortBindings: Object.fromEntries(publish.map((p) => [`${p}/tcp`, [{ HostPort: "" }]])),
    },
    NetworkingConfig: {
      EndpointsConfig: { [spec.network]: { Aliases: spec.aliases ?? [] } },
    },
  };
}

/**
 * A tar of the files, extracted at `/`. No folder entries: Docker creates missing parents (0755) and an entry for an
 * existing folder would reset its mode and owner (think /tmp).
 */
async function tarOf(files: ContainerFile[]): Promise<Buffer> {
  const p = pack();
  for (const f of files) {
    const data =
      typeof f.content === "string" ? Buffer.from(f.content, "utf8") : Buffer.from(f.content);
    p.entry({ name: f.path.replace(/^\/+/, ""), mode: f.mode ?? 0o644 }, data);
  }
  p.finalize();
  const chunks: Buffer[] = [];
  for await (const c of p as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks);
}
