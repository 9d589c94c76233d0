// The images concept over dockerode (inspect, build with parsed progress, remove, throw-away runs).
import { daemonUnreachable, describeDockerError, dockerFailure, statusOf } from "./errors.js";
import { readdirSync } from "node:fs";
import Docker from "dockerode";
import {
  flushBuildState,
  initialBuildParseState,
  parseBuildMessage,
  splitJsonLines,
  type BuildEvent,
} from "./build-events.js";
import { BuildLog, buildFailure } from "./build-log.js";
import type { BuildContext, BuildOptions, DockerImages, ImageInfo } from "./images.js";
import { runInImage } from "./run-in-image.js";

/** The images concept over a dockerode client. */
export function dockerodeImages(client: Docker): DockerImages {
  const images: DockerImages = {
    async run(image, cmd, opts) {
      try {
        return await runInImage(client, image, cmd, opts);
      } catch (err) {
        throw dockerFailure(`cannot run a command in image ${image}`, err);
      }
    },

    async info(ref): Promise<ImageInfo | undefined> {
      try {
        const i = await client.getImage(ref).inspect();
        return {
          id: i.Id,
          sizeBytes: i.Size,
          labels: i.Config?.Labels ?? {},
          cmd: i.Config?.Cmd ?? [],
        };
      } catch (err) {
        if (statusOf(err) === 404) return undefined;
        throw dockerFailure(`cannot inspect image ${ref}`, err);
      }
    },

    async build(context, options, onEvent) {
      const log = new BuildLog();
      const emit = (e: BuildEvent) => {
        log.add(e);
        onEvent?.(e);
      };
      let stream: NodeJS.ReadableStream;
      try {
        stream = await client.buildImage(toDockerodeContext(context), toQuery(options));
      } catch (err) {
        if (daemonUnreachable(err)) throw dockerFailure(`cannot build ${options.tag}`, err);
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
      imageId ??= (await images.info(options.tag))?.id;
      if (!imageId)
        throw buildFailure(options.tag, log, "the build ended without producing an image");
      return { imageId };
    },

    async remove(ref, opts) {
      try {
        await client.getImage(ref).remove({ force: opts?.force ?? false });
      } catch (err) {
        if (statusOf(err) === 404) return;
        throw dockerFailure(`cannot remove image ${ref}`, err);
      }
    },
  };
  return images;
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
