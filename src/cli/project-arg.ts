// What every project command does first: find the project file, load it (building plugins, pulling plugin images
// at the digests the lockfile pins), show audit warnings.
import { formatProblems } from "../errors.js";
import { readLockfile } from "../engine/project-file.js";
import type { RegistryAccess } from "../oci/plugin-image.js";
import { loadProject, resolveProjectFile, type LoadedProject } from "../app/load-project.js";
import type { ProfileName } from "../proxy-host/runtime/protocol.js";
import type { CliIO } from "./io.js";

/** Progress goes to stderr; warnings too, unless the command prints JSON (they are in its result). */
export async function loadForCommand(
  projectArg: string,
  io: CliIO,
  opts: {
    json?: boolean;
    requirePinnedImages?: boolean;
    registry?: RegistryAccess;
    /** The host plugins are audited for (see LoadOptions.profile). */
    profile?: ProfileName | "project";
  } = {},
): Promise<LoadedProject & { file: string }> {
  const file = await resolveProjectFile(projectArg, io.cwd);
  const loaded = await loadProject(file, {
    cwd: io.cwd,
    onProgress: (l) => io.err(`${l}\n`),
    imagePins: async (lockfile) =>
      new Map(((await readLockfile(lockfile))?.images ?? []).map((i) => [i.image, i.digest])),
    requirePinnedImages: opts.requirePinnedImages,
    registry: opts.registry,
    ...(opts.profile ? { profile: opts.profile } : {}),
  });
  if (loaded.warnings.length && !opts.json) io.err(`${formatProblems(loaded.warnings)}\n`);
  return { ...loaded, file };
}
