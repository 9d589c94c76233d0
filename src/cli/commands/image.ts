// `orwasm image`: build the gateway image (engine from verified sources, or an existing engine image) with its app layer.
import { arch as osArch } from "node:os";
import { relative, resolve } from "node:path";
import { dockerImages } from "../docker-images.js";
import { UsageError } from "../../errors.js";
import type { Arch } from "../../engine/artifacts.js";
import { defaultCacheDir } from "../../engine/cache.js";
import { buildGatewayImage, engineStepsRebuilt } from "../../engine/image.js";
import { parseMirror } from "../../engine/obtain.js";
import { lockfilePath, readLockfile } from "../../engine/project-file.js";
import { loadForCommand } from "../project-arg.js";
import type { Register } from "../command.js";

export const registerImage: Register = (program, io, run) => {
  program
    .command("image")
    .description(
      "build the gateway image: OpenResty + wasm-nginx-module, then nginx.conf and the plugins",
    )
    .argument("[project]", "orwasm.yaml or a folder holding one", ".")
    .option("-t, --tag <tag>", "image tag (default: <project name>:latest)")
    .option(
      "--engine-image <image>",
      "skip the engine build: probe this image and add only the app layer",
    )
    .option(
      "--dockerfile-only <dir>",
      "write the Dockerfile and its build context to DIR instead of building",
    )
    .option(
      "--mirror <dir|url>",
      "read engine artifacts from this folder or base URL instead of upstream",
    )
    .option("--json", "print the result (tag, image id, engine, cached steps) as JSON")
    .addHelpText(
      "after",
      `
The engine stages build OpenResty from the sources pinned in orwasm.lock: each file is verified
(sha256) before it enters the build context and again by build.sh inside the build, and nothing
is downloaded during the build. The last stage holds only nginx.conf and the plugins, so after
a plugin or config change only that stage is rebuilt. Unpinned sources are refused: run
\`orwasm lock\` first. With --engine-image (or engine.image) orwasm runs \`nginx -V\` in that image
to find its prefix, modules and Lua libraries, and renders nginx.conf for it; it also checks that
the image's VM sees a module's memory.grow ([WASMTIME-4]), without which Go plugins cannot load.

Examples:
  $ orwasm lock && orwasm image -t my-gateway:dev
  $ orwasm image --engine-image my-openresty-with-wasm:1.0
  $ orwasm image --dockerfile-only build/image && docker build build/image`,
    )
    .action((projectArg, opts) =>
      run(async () => {
        const { file, project } = await loadForCommand(projectArg, io, {
          ...opts,
          requirePinnedImages: true,
        });
        const engineImage = opts.engineImage ?? project.data.engine.image;
        const needsDocker = !opts.dockerfileOnly || engineImage !== undefined;
        const docker = needsDocker ? await dockerImages() : undefined;
        const lockPath = lockfilePath(project);
        const mirrorValue = opts.mirror ?? project.data.engine.mirror;
        const result = await buildGatewayImage(
          {
            project,
            projectLabel: relative(io.cwd, file) || file,
            tag: opts.tag ?? `${project.data.name}:latest`,
            engineImage,
            dockerfileOnly: opts.dockerfileOnly ? resolve(io.cwd, opts.dockerfileOnly) : undefined,
            arch: hostArch(),
            lock: engineImage ? undefined : await readLockfile(lockPath),
            lockfilePath: relative(io.cwd, lockPath) || lockPath,
            mirror: mirrorValue
              ? parseMirror(mirrorValue, opts.mirror ? io.cwd : project.dir)
              : undefined,
            cacheDir: defaultCacheDir(),
          },
          { docker, onLine: (l) => io.err(`${l}\n`) },
        );
        const rebuilt = engineStepsRebuilt(result.steps);
        if (opts.json) {
          io.out(
            `${JSON.stringify(
              {
                tag: result.imageId ? result.tag : null,
                imageId: result.imageId ?? null,
                contextDir: result.contextDir ?? null,
                engine: result.engine,
                target: result.target,
                engineCached: result.steps.length ? rebuilt.length === 0 : null,
                steps: result.steps,
              },
              null,
              2,
            )}\n`,
          );
          return 0;
        }
        if (result.imageId) {
          io.out(`built ${result.tag} (${result.imageId.replace(/^sha256:/, "").slice(0, 12)})\n`);
          io.err(
            result.engine.kind === "image"
              ? `engine: ${result.engine.ref} as it is; only the app layer was built\n`
              : rebuilt.length === 0
                ? "engine stages: all cached; only the app layer was rebuilt\n"
                : `engine stages: ${rebuilt.length} step(s) ran\n`,
          );
        } else {
          io.out(`wrote ${opts.dockerfileOnly}/Dockerfile\n`);
        }
        return 0;
      }),
    );
};

/** The engine is built for this machine's CPU (the local Docker daemon's). */
function hostArch(): Arch {
  const a = osArch();
  if (a === "x64") return "x86_64";
  if (a === "arm64") return "aarch64";
  throw new UsageError(`unsupported CPU ${a}: engines are built for x86_64 and aarch64`);
}
