// The narrow Docker interface the rest of orwasm uses; one adapter (dockerode) implements it, tests may fake it.
import type { BuildEvent } from "./build-events.js";
import type { CommandOutput } from "./run-in-image.js";

/** What orwasm needs to know about a local image. */
export interface ImageInfo {
  id: string;
  sizeBytes: number;
  labels: Record<string, string>;
}

/** A build context: a directory (all of it, or the listed files) or a ready tar stream. */
export type BuildContext = { dir: string; files?: string[] } | { tar: NodeJS.ReadableStream };

/** `docker build` options orwasm uses; object values are sent as the API expects (JSON). */
export interface BuildOptions {
  tag: string;
  /** Path of the Dockerfile inside the context; default `Dockerfile`. */
  dockerfile?: string;
  buildargs?: Record<string, string>;
  labels?: Record<string, string>;
  /** Ignore the build cache. */
  nocache?: boolean;
}

/** Docker as orwasm sees it. Every method rejects with an OrwasmError subclass. */
export interface DockerPort {
  /** Resolves when the daemon answers. */
  ping(): Promise<void>;
  /** The image's id, size and labels, or undefined when no such image is present locally. */
  imageInfo(ref: string): Promise<ImageInfo | undefined>;
  /** Builds with the classic builder; `onEvent` sees each parsed event; rejects with BuildError naming the failed step. */
  buildImage(
    context: BuildContext,
    options: BuildOptions,
    onEvent?: (e: BuildEvent) => void,
  ): Promise<{ imageId: string }>;
  /** Runs `cmd` in a throw-away container of `image` and captures its output (engine probing). */
  runInImage(
    image: string,
    cmd: string[],
    opts?: { entrypoint?: string[] },
  ): Promise<CommandOutput>;
  /** Removes an image by reference; absent images are not an error. */
  removeImage(ref: string, opts?: { force?: boolean }): Promise<void>;
}

/** True when `ref` is present locally. */
export async function imageExists(docker: DockerPort, ref: string): Promise<boolean> {
  return (await docker.imageInfo(ref)) !== undefined;
}

/** The image's labels, or undefined when it is absent. */
export async function imageLabels(
  docker: DockerPort,
  ref: string,
): Promise<Record<string, string> | undefined> {
  return (await docker.imageInfo(ref))?.labels;
}
