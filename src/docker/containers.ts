// The containers concept of the one Docker client: run one from a spec, read its state, ports and log, remove it.
import type { LogLine } from "./logs.js";

/** A file placed into a container before it starts. */
export interface ContainerFile {
  /** Absolute path inside the container. */
  path: string;
  content: string | Uint8Array;
  /** Default 0o644. */
  mode?: number;
}

/** A container to create and start, attached to one network. */
export interface ContainerSpec {
  /** Unique container name; also the handle every other call takes. */
  name: string;
  image: string;
  /** Replaces the image's entrypoint; `[]` clears it. */
  entrypoint?: string[];
  /** Replaces the image's command. */
  cmd?: string[];
  env?: Record<string, string>;
  network: string;
  /** Names other containers on the network reach it by. */
  aliases?: string[];
  /** Container TCP ports published on free host ports. */
  publish?: number[];
  files?: ContainerFile[];
  labels: Record<string, string>;
}

/** Whether a container still runs, and how it ended if not. */
export interface ContainerState {
  running: boolean;
  exitCode?: number;
  /** Docker's own error (e.g. the entrypoint does not exist). */
  error?: string;
  oomKilled?: boolean;
}

/** Containers. Every method rejects with a DockerError. */
export interface DockerContainers {
  /** Creates the container, copies its files in, starts it. */
  run(spec: ContainerSpec): Promise<void>;
  state(name: string): Promise<ContainerState>;
  /** The host port a published container port landed on. */
  hostPort(name: string, port: number): Promise<number | undefined>;
  logs(name: string): Promise<LogLine[]>;
  /** Kills and removes a container; absent is not an error. */
  remove(name: string): Promise<void>;
}
