// Runs the probe script inside an engine image through Docker and parses what it printed.
import type { DockerPort } from "../docker/port.js";
import { BuildError } from "../errors.js";
import { parseProbeOutput, PROBE_SCRIPT, type ProbeResult } from "./probe.js";

/** What probing needs from Docker: run one command in a throw-away container of an image and capture its output. */
export type ImageCommandRunner = Pick<DockerPort, "runInImage">;

/** Probes `ref`: finds nginx, runs `nginx -V`, and searches for the modules, Lua libraries and VM libraries. */
export async function probeImage(runner: ImageCommandRunner, ref: string): Promise<ProbeResult> {
  const r = await runner.runInImage(ref, ["-c", PROBE_SCRIPT], { entrypoint: ["/bin/sh"] });
  if (!r.stdout.includes("@@bin")) {
    throw new BuildError(
      `could not probe engine image ${ref}: /bin/sh -c exited ${r.exitCode} without output (does the image have /bin/sh?)`,
      r.stderr.split("\n").filter(Boolean).slice(-10),
    );
  }
  return parseProbeOutput(r.stdout);
}
