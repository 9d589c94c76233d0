// The one Docker client over dockerode. The daemon is found once, the way testcontainers finds it (DOCKER_HOST,
// ~/.testcontainers.properties, the local socket), which also knows the host published ports are reached on.
import type Docker from "dockerode";
import { pack } from "tar-stream";
import { getContainerRuntimeClient } from "testcontainers";
import type { DockerClient } from "./client.js";
import type {
  ContainerFile,
  ContainerSpec,
  ContainerState,
  DockerContainers,
} from "./containers.js";
import { dockerFailure, statusOf } from "./errors.js";
import { dockerodeImages } from "./images-dockerode.js";
import { demuxDockerLogs } from "./logs.js";
import type { DockerNetworks } from "./networks.js";

let connecting: Promise<{ dockerode: Docker; host: string }> | undefined;

/**
 * The daemon, found once per process; a daemon that does not answer is a DockerError saying how to start one.
 * Adapters in src/docker that need more of Docker than the client's concepts (reload's exec and archives) take it.
 */
export function connectDockerode(): Promise<{ dockerode: Docker; host: string }> {
  connecting ??= getContainerRuntimeClient().then(
    (client) => ({
      dockerode: client.container.dockerode,
      host: client.info.containerRuntime.host,
    }),
    (err: unknown) => {
      connecting = undefined;
      throw dockerFailure(
        "cannot reach Docker",
        Object.assign(err as object, { code: "ECONNREFUSED" }),
      );
    },
  );
  return connecting;
}

/** The one Docker client, over the daemon connectDockerode finds. */
export async function connectDocker(): Promise<DockerClient> {
  const { dockerode, host } = await connectDockerode();
  return dockerClientOver(dockerode, host);
}

/** The client over a dockerode instance; `host` is where published ports are reached. */
export function dockerClientOver(d: Docker, host: string): DockerClient {
  return {
    host,
    images: dockerodeImages(d),
    containers: dockerodeContainers(d),
    networks: dockerodeNetworks(d),
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
  };
}

const ignore404 = (err: unknown) => {
  if (statusOf(err) !== 404) throw err;
};

function dockerodeNetworks(d: Docker): DockerNetworks {
  return {
    async create(name, labels) {
      await d.createNetwork({ Name: name, Driver: "bridge", Labels: labels }).catch((err) => {
        throw dockerFailure(`cannot create network ${name}`, err);
      });
    },
    async remove(name) {
      await d
        .getNetwork(name)
        .remove()
        .catch(ignore404)
        .catch((err) => {
          throw dockerFailure(`cannot remove network ${name}`, err);
        });
    },
  };
}

function dockerodeContainers(d: Docker): DockerContainers {
  /** A container that vanished (removed by someone else, or an interrupt) is a DockerError, not a stack trace. */
  const inspect = (name: string) =>
    d
      .getContainer(name)
      .inspect()
      .catch((err) => {
        throw dockerFailure(`cannot inspect container ${name}`, err);
      });
  return {
    async run(spec) {
      let c: Docker.Container;
      try {
        c = await d.createContainer(createOptions(spec));
      } catch (err) {
        throw dockerFailure(`cannot create container ${spec.name} from ${spec.image}`, err);
      }
      try {
        if (spec.files?.length) await c.putArchive(await tarOf(spec.files), { path: "/" });
        await c.start();
      } catch (err) {
        throw dockerFailure(`cannot start container ${spec.name} from ${spec.image}`, err);
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
      const buf = await d
        .getContainer(name)
        .logs({ stdout: true, stderr: true, follow: false })
        .catch((err) => {
          throw dockerFailure(`cannot read the log of container ${name}`, err);
        });
      return demuxDockerLogs(buf);
    },

    async remove(name) {
      await d
        .getContainer(name)
        .remove({ force: true, v: true })
        .catch(ignore404)
        .catch((err) => {
          throw dockerFailure(`cannot remove container ${name}`, err);
        });
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
