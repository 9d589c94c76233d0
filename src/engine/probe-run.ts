// Runs the probe script inside an engine image through Docker and parses what it printed.
import type { DockerImages } from "../docker/images.js";
import { BuildError, ConfigError } from "../errors.js";
import type { Project } from "../project/project.js";
import {
  parseProbeOutput,
  PROBE_SCRIPT,
  probeToTarget,
  type ProbedEngine,
  type ProbeResult,
} from "./probe.js";
import {
  growthCheckScript,
  growthLostMessage,
  parseGrowthOutput,
  type GrowthVerdict,
} from "./growth-check.js";

/** What probing needs from Docker: run one command in a throw-away container of an image and capture its output. */
export type ImageCommandRunner = Pick<DockerImages, "run">;

/** Probes `ref`: finds nginx, runs `nginx -V`, and searches for the modules, Lua libraries and VM libraries. */
export async function probeImage(runner: ImageCommandRunner, ref: string): Promise<ProbeResult> {
  const r = await runner.run(ref, ["-c", PROBE_SCRIPT], { entrypoint: ["/bin/sh"] });
  if (!r.stdout.includes("@@bin")) {
    throw new BuildError(
      `could not probe engine image ${ref}: /bin/sh -c exited ${r.exitCode} without output (does the image have /bin/sh?)`,
      r.stderr.split("\n").filter(Boolean).slice(-10),
    );
  }
  return parseProbeOutput(r.stdout);
}

/**
 * Probes `ref` and maps it to the layout this project's config must be rendered for; an image that cannot run
 * the gateway is refused with every reason (ConfigError). Shared by conf, image and smoke.
 */
export async function probeEngine(
  runner: ImageCommandRunner,
  ref: string,
  project: Project,
  onProgress: (line: string) => void,
): Promise<ProbedEngine> {
  onProgress(`probing engine image ${ref} (nginx -V, modules, Lua libraries)`);
  const probe = await probeImage(runner, ref);
  const probed = probeToTarget(
    probe,
    { vm: project.data.engine.vm, pluginDir: project.data.gateway.pluginDir },
    `image ${ref}`,
  );
  if (!probed.engine) {
    throw new ConfigError(
      probed.problems,
      `engine image ${ref} cannot run this gateway:\n${probed.problems.map((p) => `  - ${p.message}`).join("\n")}`,
    );
  }
  const engine = probed.engine;
  onProgress(`checking that vm ${engine.target.vm} in ${ref} sees a module's memory.grow`);
  const growth = await checkMemoryGrowth(runner, ref, engine);
  if (growth.kind === "lost") {
    const goPlugins = project.plugins
      .filter((p) => p.info.toolchain?.kind === "go")
      .map((p) => p.data.name);
    const message = growthLostMessage(ref, engine.target.vm, goPlugins);
    const evidence = growth.lines.map((l) => `  | ${l}`).join("\n");
    if (goPlugins.length > 0) {
      throw new ConfigError([
        { file: project.file, path: "engine.vm", message: `${message}\n${evidence}` },
      ]);
    }
    onProgress(`warning: ${message}\n${evidence}`);
  } else if (growth.kind === "unknown") {
    onProgress(
      `warning: could not tell whether vm ${engine.target.vm} in ${ref} sees memory.grow; the check printed:\n` +
        growth.lines.map((l) => `  | ${l}`).join("\n"),
    );
  }
  return engine;
}

/**
 * Loads a 73-byte module that grows its memory and clears the new page in the image's nginx (one throw-away
 * container) and says whether the VM saw the growth ([WASMTIME-4]).
 */
export async function checkMemoryGrowth(
  runner: ImageCommandRunner,
  ref: string,
  engine: ProbedEngine,
): Promise<GrowthVerdict> {
  const r = await runner.run(ref, ["-c", growthCheckScript(engine)], { entrypoint: ["/bin/sh"] });
  return parseGrowthOutput(`${r.stdout}\n${r.stderr}`);
}
