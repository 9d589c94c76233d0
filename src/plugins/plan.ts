// Decides what `orwasm plugin build` builds: every `build:` plugin of a project file, or one plugin folder
// (a Go module when it holds go.mod, else AssemblyScript).
import { readFile, stat } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { ConfigError, UsageError } from "../errors.js";
import { parseProjectText } from "../project/parse.js";
import type { ProjectData } from "../project/schema.js";
import { targetFor, type BuildTarget } from "./build-target.js";

/** Where the targets came from: a project file, or a bare plugin folder. */
export interface BuildPlan {
  projectFile?: string;
  targets: BuildTarget[];
}

/** Project file names looked for in a folder, in order. */
export const PROJECT_FILE_NAMES = ["orwasm.yaml", "orwasm.yml"];

/** `build:` plugins of a parsed project, with their default output paths. */
export function projectTargets(projectDir: string, data: ProjectData): BuildTarget[] {
  return data.plugins.flatMap((p) => (p.build ? [targetFor(projectDir, p.name, p.build)] : []));
}

/**
 * `path` is a project file, a folder holding one, or a plugin folder (built alone from `entry`).
 * `outFile` overrides the output when exactly one plugin is built.
 */
export async function planBuilds(
  path: string,
  opts: { outFile?: string; entry?: string },
): Promise<BuildPlan> {
  const abs = resolve(path);
  const st = await stat(abs).catch(() => undefined);
  if (!st) throw new UsageError(`${abs} does not exist`);
  let projectFile: string | undefined;
  if (st.isFile()) projectFile = abs;
  else {
    for (const name of PROJECT_FILE_NAMES) {
      const candidate = join(abs, name);
      if (await isFile(candidate)) {
        projectFile = candidate;
        break;
      }
    }
  }

  if (!projectFile) {
    const name = basename(abs);
    const outFile = opts.outFile ? resolve(opts.outFile) : join(abs, "build", `${name}.wasm`);
    const isGo = opts.entry === undefined && (await isFile(join(abs, "go.mod")));
    return {
      targets: [
        isGo
          ? { name, dir: abs, outFile, lang: "go", package: "." }
          : {
              name,
              dir: abs,
              outFile,
              lang: "assemblyscript",
              entry: opts.entry ?? "assembly/index.ts",
            },
      ],
    };
  }

  if (opts.entry !== undefined) {
    throw new UsageError(
      `--entry is for a plugin folder without a project file; ${projectFile} sets each plugin's build.entry`,
    );
  }
  const parsed = parseProjectText(await readFile(projectFile, "utf8"), projectFile);
  if (!parsed.data) throw new ConfigError(parsed.problems);
  const targets = projectTargets(dirname(projectFile), parsed.data);
  if (opts.outFile !== undefined) {
    if (targets.length !== 1) {
      throw new UsageError(
        `-o names one output file, but ${projectFile} declares ${targets.length} plugins with build:`,
      );
    }
    const outFile = resolve(opts.outFile);
    return { projectFile, targets: targets.map((t) => ({ ...t, outFile })) };
  }
  return { projectFile, targets };
}

async function isFile(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isFile(),
    () => false,
  );
}
