// The images concept of the one Docker client: inspect, build, remove, and run a throw-away command.
import type { BuildEvent } from "./build-events.js";
import type { CommandOutput } from "./run-in-image.js";

/** What orwasm needs to know about a local image. */
export interface ImageInfo {
  id: string;
  sizeBytes: number;
  labels: Record<string, string>;
  /** The image's configured command (`CMD`). */
  cmd: string[];
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

/** Local images. Every method rejects with an OrwasmError subclass (DockerError, or BuildError for builds). */
export interface DockerImages {
  /** The image's id, size, labels and command, or undefined when no such image is present locally. */
  info(ref: string): Promise<ImageInfo | undefined>;
  /** Builds with the classic builder; `onEvent` sees each parsed event; rejects with BuildError naming the failed step. */
  build(
    context: BuildContext,
    options: BuildOptions,
    onEvent?: (e: BuildEvent) => void,
  ): Promise<{ imageId: string }>;
  /** Runs `cmd` in a throw-away container of `image` and captures its output (engine probing). */
  run(image: string, cmd: string[], opts?: { entrypoint?: string[] }): Promise<CommandOutput>;
  /** Removes an image by reference; absent images are not an error. */
  remove(ref: string, opts?: { force?: boolean }): Promise<void>;
}

/** True when `ref` is present locally. */
export async function imageExists(images: DockerImages, ref: string): Promise<boolean> {
  return (await images.info(ref)) !== undefined;
}

/** The image's labels, or undefined when it is absent. */
export async function imageLabels(
  images: DockerImages,
  ref: string,
): Promise<Record<string, string> | undefined> {
  return (await images.info(ref))?.labels;
}
