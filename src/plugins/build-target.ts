// Builds one plugin whatever its language: the one entry point the project loader and `orwasm plugin build` call.
import { buildPlugin, type BuildPluginResult } from "./build.js";
import { buildGoPlugin } from "./go-build.js";
import { resolve } from "node:path";
import type { PluginBuildData } from "../project/schema.js";
import { defaultPluginOutFile } from "./output-path.js";

/** One plugin to build: an AssemblyScript entry file or a Go main package in `dir`. */
export type BuildTarget = {
  name: string;
  dir: string;
  outFile: string;
} & ({ lang: "assemblyscript"; entry: string } | { lang: "go"; package: string });

/** The build target of one plugin's `build:` section (output: <dir>/build/<name>.wasm). */
export function targetFor(projectDir: string, name: string, build: PluginBuildData): BuildTarget {
  const dir = resolve(projectDir, build.dir);
  const outFile = defaultPluginOutFile(projectDir, build.dir, name);
  return build.lang === "go"
    ? { name, dir, outFile, lang: "go", package: build.package }
    : { name, dir, outFile, lang: "assemblyscript", entry: build.entry };
}

/** Options every language shares. */
export interface BuildTargetOptions {
  /** AssemblyScript: -O3s (default true) or --debug; Go builds are always optimised. */
  optimize?: boolean;
  onLog?: (line: string) => void;
}

/** Dispatches on `target.lang` to the AssemblyScript or the Go builder. */
export function buildTarget(
  target: BuildTarget,
  opts: BuildTargetOptions = {},
): Promise<BuildPluginResult> {
  if (target.lang === "go") {
    return buildGoPlugin({
      dir: target.dir,
      package: target.package,
      outFile: target.outFile,
      onLog: opts.onLog,
    });
  }
  return buildPlugin({
    lang: "assemblyscript",
    dir: target.dir,
    entry: target.entry,
    outFile: target.outFile,
    optimize: opts.optimize,
    onLog: opts.onLog,
  });
}
