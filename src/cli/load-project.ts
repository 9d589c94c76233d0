// What every project command does first: find the project file, load it (building plugins), show audit warnings.
import { formatProblems } from "../errors.js";
import { loadProject, resolveProjectFile, type LoadedProject } from "../project/load.js";
import type { ProfileName } from "../host/engine/protocol.js";
import { UsageError } from "../errors.js";
import type { CliIO } from "./io.js";

const PROFILES: readonly ProfileName[] = ["wasm-nginx-module", "envoy-like", "higress"];

/** --profile's value, checked; undefined means the project's host.profile. */
export function checkProfile(value: string | undefined): ProfileName | undefined {
  if (value === undefined) return undefined;
  if (!(PROFILES as readonly string[]).includes(value)) {
    throw new UsageError(`--profile must be ${PROFILES.join(", ")} (got ${value})`);
  }
  return value as ProfileName;
}

/** Progress goes to stderr; warnings too, unless the command prints JSON (they are in its result). */
export async function loadForCommand(
  projectArg: string,
  io: CliIO,
  opts: { json?: boolean; profile?: ProfileName | "project" } = {},
): Promise<LoadedProject & { file: string }> {
  const file = await resolveProjectFile(projectArg, io.cwd);
  const loaded = await loadProject(file, {
    cwd: io.cwd,
    onProgress: (l) => io.err(`${l}\n`),
    ...(opts.profile ? { profile: opts.profile } : {}),
  });
  if (loaded.warnings.length && !opts.json) io.err(`${formatProblems(loaded.warnings)}\n`);
  return { ...loaded, file };
}
