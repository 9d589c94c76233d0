// `orwasm image`: verified sources + build.sh + nginx.conf + plugins into a build context, then a Docker build.
import { copyFile, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { UsageError } from "../errors.js";
import type { DockerImages } from "../docker/images.js";
import { createBuildReporter, type StepTiming } from "../docker/build-reporter.js";
import type { Project } from "../project/project.js";
import { renderNginxConf } from "../render/nginx-conf.js";
import { defaultTarget, type EngineTarget } from "../render/target.js";
import { writeDirAtomic } from "../fs/atomic.js";
import type { Arch } from "./artifacts.js";
import { renderBuildScript } from "./build-script.js";
import { fetchVerified } from "./cache.js";
import { CONTEXT, renderDockerfile, type DockerfileInput } from "./dockerfile.js";
import { lockfileSha256, LOCKFILE_VERSION, type Lockfile } from "./lockfile.js";
import type { Mirror } from "./obtain.js";
import { probeEngine } from "./probe-run.js";
import { conflictWarnings, forArch, requirePinned, resolveArtifacts } from "./resolve.js";

/** What to build. */
export interface ImageRequest {
  project: Project;
  /** How messages and the Dockerfile header name the project file. */
  projectLabel: string;
  tag: string;
  /** Skip the engine build and put the app layer on this image (probed first). */
  engineImage?: string;
  /** Write Dockerfile + context here (atomically) instead of building. */
  dockerfileOnly?: string;
  /** The architecture the engine is built for (the Docker daemon's). */
  arch: Arch;
  lock?: Lockfile;
  lockfilePath: string;
  mirror?: Mirror;
  cacheDir?: string;
  /** Ignore Docker's build cache (a cold build, e.g. for a benchmark). */
  nocache?: boolean;
}

/** Effects the build uses; `docker` is needed unless only a Dockerfile for orwasm's own engine is written. */
export interface ImageDeps {
  docker?: DockerImages;
  /** Progress lines, without newline. */
  onLine: (line: string) => void;
  fetch?: typeof fetch;
}

/** What was built or written. */
export interface ImageResult {
  tag: string;
  imageId?: string;
  contextDir?: string;
  engine: { kind: "build"; lockSha256: string } | { kind: "image"; ref: string };
  target: EngineTarget;
  /** Per Dockerfile step: cached or how long it took (empty for --dockerfile-only). */
  steps: StepTiming[];
}

/** Builds the context (and the image unless `dockerfileOnly`); nothing unverified reaches the context. */
export async function buildGatewayImage(req: ImageRequest, deps: ImageDeps): Promise<ImageResult> {
  const { project } = req;
  const engineData = project.data.engine;
  const files: { path: string; data: string | Uint8Array; mode?: number }[] = [];
  let engineInput: DockerfileInput["engine"];
  let target: EngineTarget;
  let engine: ImageResult["engine"];

  if (req.engineImage) {
    if (!deps.docker) {
      throw new UsageError(`probing ${req.engineImage} needs Docker (to run \`nginx -V\` in it)`);
    }
    const probed = await probeEngine(deps.docker, req.engineImage, project, deps.onLine);
    const probe = probed.probe;
    target = probed.target;
    engineInput = {
      kind: "image",
      ref: req.engineImage,
      nginxBin: probed.nginxBin,
      confPath: probed.confPath,
    };
    engine = { kind: "image", ref: req.engineImage };
    deps.onLine(
      `engine: ${probe.version ?? "nginx"} at ${probe.nginxBin}; lua ${probe.lua}, wasm ${probe.wasm}; conf ${probe.confPath}`,
    );
  } else {
    const resolved = resolveArtifacts(engineData, req.lock);
    const needed = forArch(resolved, req.arch);
    for (const w of conflictWarnings(needed, req.lockfilePath)) deps.onLine(`warning: ${w}`);
    requirePinned(needed, req.lockfilePath);
    for (const a of needed) {
      const got = await fetchVerified(a, {
        mirror: req.mirror,
        cacheDir: req.cacheDir,
        fetch: deps.fetch,
        pinnedBy: a.pinnedBy === "lockfile" ? `pinned in ${req.lockfilePath}` : "built into orwasm",
      });
      deps.onLine(`verified ${a.file} (sha256 ${a.sha256.slice(0, 12)}…) from ${got.origin}`);
      files.push({ path: `${CONTEXT.engineDir}/sources/${a.file}`, data: got.data });
    }
    files.push({
      path: `${CONTEXT.engineDir}/build.sh`,
      data: renderBuildScript({
        engine: engineData,
        artifacts: resolved,
        projectLabel: req.projectLabel,
      }),
      mode: 0o755,
    });
    const pins: Lockfile = req.lock ?? {
      lockfileVersion: LOCKFILE_VERSION,
      artifacts: needed,
    };
    const lockSha256 = lockfileSha256(pins);
    engineInput = { kind: "build", engine: engineData, lockSha256 };
    engine = { kind: "build", lockSha256 };
    target = defaultTarget(project);
  }

  files.push({ path: `${CONTEXT.appDir}/nginx.conf`, data: renderNginxConf(project, target) });
  const dockerfile = renderDockerfile({
    projectName: project.data.name,
    projectLabel: req.projectLabel,
    engine: engineInput,
    target,
    plugins: project.plugins.map((p) => ({ name: p.data.name, sha256: p.sha256 })),
    ports: listenPorts(project),
  });
  files.push({ path: CONTEXT.dockerfile, data: dockerfile });

  const fill = async (dir: string) => {
    await mkdir(join(dir, CONTEXT.appDir, "wasm"), { recursive: true });
    for (const f of files) {
      await mkdir(join(dir, f.path, ".."), { recursive: true });
      await writeFile(join(dir, f.path), f.data, { mode: f.mode ?? 0o644 });
    }
    for (const p of project.plugins) {
      await copyFile(p.wasmPath, join(dir, CONTEXT.appDir, "wasm", `${p.data.name}.wasm`));
    }
  };

  if (req.dockerfileOnly) {
    await writeDirAtomic(req.dockerfileOnly, fill);
    deps.onLine(`wrote ${req.dockerfileOnly}/Dockerfile and its build context`);
    return { tag: req.tag, contextDir: req.dockerfileOnly, engine, target, steps: [] };
  }
  if (!deps.docker) throw new UsageError("building an image needs Docker");
  const ctx = await mkdtemp(join(tmpdir(), "orwasm-context-"));
  try {
    await fill(ctx);
    const reporter = createBuildReporter({ write: deps.onLine, prefix: req.tag });
    const { imageId } = await deps.docker.build(
      { dir: ctx },
      { tag: req.tag, ...(req.nocache ? { nocache: true } : {}) },
      (e) => reporter.onEvent(e),
    );
    return { tag: req.tag, imageId, engine, target, steps: reporter.steps };
  } finally {
    await rm(ctx, { recursive: true, force: true });
  }
}

/** The TCP ports the project's servers listen on (unix sockets have none). */
export function listenPorts(project: Project): number[] {
  const ports = project.data.servers.flatMap((s) => {
    if (typeof s.listen === "number") return [s.listen];
    const m = /:(\d+)$/.exec(s.listen);
    return m && !s.listen.startsWith("unix:") ? [Number(m[1])] : [];
  });
  return [...new Set(ports)].sort((a, b) => a - b);
}

/**
 * The steps of the engine stages (everything before `FROM runtime AS app`) that had to run instead of coming from
 * the build cache; empty after a plugin- or config-only change. FROM steps never report a cache hit, so they are skipped.
 */
export function engineStepsRebuilt(steps: StepTiming[]): StepTiming[] {
  // The app stage starts FROM the runtime stage, or FROM the user's engine image (then there is no engine stage).
  const app = steps.findIndex((s) => /^FROM\s+\S+\s+AS\s+app$/i.test(s.instruction.trim()));
  const engineSteps = app < 0 ? steps : steps.slice(0, app);
  return engineSteps.filter((s) => !s.cached && !/^FROM\s/i.test(s.instruction));
}
