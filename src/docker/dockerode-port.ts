// DockerPort over dockerode: the only file that talks to the Docker daemon.
import { describeDockerError, statusOf } from "./daemon-errors.js";
import { readdirSync } from "node:fs";
import Docker from "dockerode";
import { BuildError, InternalError } from "../errors.js";
import {
  flushBuildState,
  initialBuildParseState,
  parseBuildMessage,
  splitJsonLines,
  type BuildEvent,
} from "./build-events.js";
import { BuildLog, buildFailure } from "./build-log.js";
import type { BuildContext, BuildOptions, DockerPort, ImageInfo } from "./port.js";
import { runInImage } from "./run-in-image.js";

/** A DockerPort on the daemon dockerode finds (DOCKER_HOST or the local socket), or on the given client. */
export function createDockerPort(client: Docker = new Docker()): DockerPort {
  const port: DockerPort = {
    async ping() {
      try {
        await client.ping();
      } catch (err) {
        throw new BuildError(
          `Docker does not answer (${describeDockerError(err)}); start it, e.g. with scripts/docker-up.sh`,
          [],
          { cause: err },
        );
      }
    },

    async runInImage(image, cmd, opts) {
      try {
        return await runInImage(client, image, cmd, opts);
      } catch (err) {
        throw new BuildError(
          `cannot run a command in image ${image}: ${describeDockerError(err)}`,
          [],
          {
            cause: err,
          },
        );
      }
    },

    async imageInfo(ref): Promise<ImageInfo | undefined> {
      try {
        const i = await client.getImage(ref).inspect();
        return { id: i.Id, sizeBytes: i.Size, labels: i.Config?.Labels ?? {} };
      } catch (err) {
        if (statusOf(err) === 404) return undefined;
        throw new InternalError(`docker image inspect ${ref} failed: ${describeDockerError(err)}`, {
          cause: err,
        });
      }
    },

    async buildImage(context, options, onEvent) {
      const log = new BuildLog();
      const emit = (e: BuildEvent) => {
        log.add(e);
        onEvent?.(e);
      };
      let stream: NodeJS.ReadableStream;
      try {
        stream = await client.buildImage(toDockerodeContext(context), toQuery(options));
      } catch (err) {
        // The daemon refused before building (bad Dockerfile syntax, missing context file...).
        throw buildFailure(options.tag, log, describeDockerError(err));
      }
      let imageId: string | undefined;
      let rest = "";
      let state = initialBuildParseState;
      const feed = (chunk: string) => {
        const split = splitJsonLines(rest, chunk);
        rest = split.rest;
        for (const m of split.messages) {
          const r = parseBuildMessage(state, m);
          state = r.state;
          for (const e of r.events) {
            if (e.kind === "built") imageId = e.imageId;
            emit(e);
          }
        }
      };
      try {
        for await (const chunk of stream as AsyncIterable<Buffer | string>) feed(chunk.toString());
      } catch (err) {
        throw buildFailure(options.tag, log, `the build stream broke: ${describeDockerError(err)}`);
      }
      feed("\n");
      for (const e of flushBuildState(state)) emit(e);
      if (log.error) throw buildFailure(options.tag, log);
      imageId ??= (await port.imageInfo(options.tag))?.id;
      if (!imageId)
        throw buildFailure(options.tag, log, "the build ended without producing an image");
      return { imageId };
    },

    async removeImage(ref, opts) {
      try {
        await client.getImage(ref).remove({ force: opts?.force ?? false });
      } catch (err) {
        if (statusOf(err) === 404) return;
        throw new InternalError(`docker rmi ${ref} failed: ${describeDockerError(err)}`, {
          cause: err,
        });
      }
    },
  };
  return port;
}

function toDockerodeContext(
  c: BuildContext,
): NodeJS.ReadableStream | { context: string; src: string[] } {
  if ("tar" in c) return c.tar;
  return { context: c.dir, src: c.files ?? readdirSync(c.dir) };
}

function toQuery(o: BuildOptions): Docker.ImageBuildOptions {
  return {
    t: o.tag,
    dockerfile: o.dockerfile ?? "Dockerfile",
    ...(o.buildargs ? { buildargs: o.buildargs } : {}),
    ...(o.labels ? { labels: o.labels } : {}),
    ...(o.nocache ? { nocache: true } : {}),
    rm: true,
    forcerm: true,
  };
}
