// Which gateway a smoke run (or an OrwasmGateway) starts, and how each kind becomes a container: the one place a new
// kind (the embedded engine, later) is added.
import { readFile } from "node:fs/promises";
import { UsageError } from "../errors.js";
import { probeEngine } from "../engine/probe-run.js";
import { ensureEmbeddedImage } from "../embedded-engine/image.js";
import { embeddedLaunch } from "../embedded-engine/launch.js";
import type { Project } from "../project/project.js";
import { renderNginxConf } from "../render/nginx-conf.js";
import { pluginRuntimePath } from "../render/view-model.js";
import type { DockerClient } from "../docker/client.js";
import type { ContainerFile } from "../docker/containers.js";
import type { GatewayLabel } from "../checks/report.js";

/** Docker's embedded DNS on a user-defined network, where smoke runs the gateway, its mocks and callout hosts. */
const DOCKER_DNS = ["127.0.0.11"];

/**
 * `engine-image`: an engine image (nginx + lua + wasm modules) that gets this project's rendered nginx.conf and
 * plugins copied in at start, no build; `image`: a gateway image built by `orwasm image`, run as it is.
 */
export type GatewayKind =
  | { kind: "engine-image"; image: string }
  | { kind: "image"; image: string }
  /** orwasm's embedded host in a container (orwasm/embedded, built locally): runs anywhere Docker does. */
  | { kind: "embedded" };

/**
 * The gateway a run starts, as smoke and OrwasmGateway choose it alike: --engine-image, --image, else the project's
 * engine.image (as an engine image), else the embedded engine.
 */
export function chooseGateway(
  opts: { image?: string; engineImage?: string },
  projectEngineImage: string | undefined,
): GatewayKind {
  if (opts.engineImage) return { kind: "engine-image", image: opts.engineImage };
  if (opts.image) return { kind: "image", image: opts.image };
  if (projectEngineImage) return { kind: "engine-image", image: projectEngineImage };
  return { kind: "embedded" };
}

/** How to run the gateway container. */
export interface GatewayLaunch {
  label: GatewayLabel;
  image: string;
  entrypoint?: string[];
  cmd?: string[];
  files: ContainerFile[];
  /** What the container runs, for messages ("nginx", "the gateway container"). */
  what: string;
}

/** Turns a kind into a launch: probes and renders for `engine-image`, checks presence for `image`. */
export async function prepareGateway(
  kind: GatewayKind,
  project: Project,
  docker: DockerClient,
  onProgress: (line: string) => void,
): Promise<GatewayLaunch> {
  if (kind.kind === "embedded") {
    const { ref } = await ensureEmbeddedImage(docker.images, onProgress);
    const launch = await embeddedLaunch(project);
    return {
      label: { kind: "embedded", image: ref },
      image: ref,
      cmd: launch.cmd,
      files: launch.files,
      what: "the embedded engine",
    };
  }
  const label = { kind: kind.kind, image: kind.image };
  if ((await docker.images.info(kind.image)) === undefined) {
    const how =
      kind.kind === "image"
        ? "build it with `orwasm image`"
        : "build or load it (`docker load`), then run again";
    throw new UsageError(
      `image ${kind.image} is not present locally (smoke never pulls images): ${how}`,
    );
  }
  switch (kind.kind) {
    case "image":
      return { label, image: kind.image, files: [], what: "the gateway container" };
    case "engine-image": {
      const { target, nginxBin, confPath, probe } = await probeEngine(
        docker.images,
        kind.image,
        project,
        onProgress,
      );
      // The smoke network is a user-defined Docker network: its DNS (127.0.0.11) knows the mock upstreams and
      // callout hosts by name, which cosockets (the plugins' http calls) can only reach through a resolver.
      const smokeTarget = { ...target, resolver: DOCKER_DNS };
      const files: ContainerFile[] = [
        { path: confPath, content: renderNginxConf(project, smokeTarget) },
      ];
      for (const p of project.plugins) {
        files.push({
          path: pluginRuntimePath(target, p.data.name),
          content: await readFile(p.wasmPath),
        });
      }
      onProgress(
        `engine: ${probe.version ?? "nginx"} at ${nginxBin}, vm ${target.vm}; conf ${confPath}, plugins in ${target.pluginDir}` +
          (project.data.gateway.resolver
            ? ""
            : `; resolver ${DOCKER_DNS.join(" ")} (Docker's DNS)`),
      );
      return {
        label,
        image: kind.image,
        entrypoint: [nginxBin],
        cmd: ["-p", `${target.prefix}/`, "-c", confPath, "-g", "daemon off;"],
        files,
        what: "nginx",
      };
    }
  }
}
