// The one Docker client orwasm uses: images, containers and networks as narrow per-concept interfaces.
import type { DockerContainers } from "./containers.js";
import type { DockerImages } from "./images.js";
import type { DockerNetworks } from "./networks.js";

/** Docker as orwasm sees it; `connectDocker` (client-dockerode.ts) makes one, tests may fake one. */
export interface DockerClient {
  /** The host name published ports are reached on (localhost, or the remote Docker host). */
  readonly host: string;
  readonly images: DockerImages;
  readonly containers: DockerContainers;
  readonly networks: DockerNetworks;
  /** Removes every container and network carrying label `key=value` (an interrupted run's leftovers). */
  removeLabelled(key: string, value: string): Promise<void>;
}
