// Reads what the engine commands need from disk: the project file's data (no plugin builds) and the lockfile.
import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { ConfigError } from "../errors.js";
import { readProjectText } from "../app/load-project.js";
import { parseProjectText } from "../project/parse.js";
import type { ProjectData } from "../project/schema.js";
import { parseLockfile, type Lockfile } from "./lockfile.js";

/** The project file's schema-checked data and where it lives; plugins are not built or inspected. */
export interface ProjectFileData {
  file: string;
  dir: string;
  data: ProjectData;
}

/** Reads and checks a project file; every schema problem is reported with file (as `shown`), line and key. */
export async function readProjectFile(file: string, shown = file): Promise<ProjectFileData> {
  const text = await readProjectText(file, shown);
  const parsed = parseProjectText(text, shown);
  if (!parsed.data) throw new ConfigError(parsed.problems);
  return { file, dir: dirname(file), data: parsed.data };
}

/** Absolute path of the project's lockfile (`engine.lockfile`, relative to the project file). */
export function lockfilePath(project: { dir: string; data: ProjectData }): string {
  return resolve(project.dir, project.data.engine.lockfile);
}

/** The lockfile, or undefined when there is none yet. */
export async function readLockfile(path: string): Promise<Lockfile | undefined> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
  return parseLockfile(text, path);
}
