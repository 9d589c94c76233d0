// What every project command does first: find the project file, load it (building plugins), show audit warnings.
import { formatProblems } from "../errors.js";
import { loadProject, resolveProjectFile, type LoadedProject } from "../app/load-project.js";
import type { CliIO } from "./io.js";

/** Progress goes to stderr; warnings too, unless the command prints JSON (they are in its result). */
export async function loadForCommand(
  projectArg: string,
  io: CliIO,
  opts: { json?: boolean } = {},
): Promise<LoadedProject & { file: string }> {
  const file = await resolveProjectFile(projectArg, io.cwd);
  const loaded = await loadProject(file, { cwd: io.cwd, onProgress: (l) => io.err(`${l}\n`) });
  if (loaded.warnings.length && !opts.json) io.err(`${formatProblems(loaded.warnings)}\n`);
  return { ...loaded, file };
}
