// Where a plugin declared with `build:` in orwasm.yaml is built to.
import { join, resolve } from "node:path";

/** `<project dir>/<build.dir>/build/<plugin name>.wasm`: next to the plugin's sources, git-ignored. */
export function defaultPluginOutFile(
  projectDir: string,
  buildDir: string,
  pluginName: string,
): string {
  return join(resolve(projectDir, buildDir), "build", `${pluginName}.wasm`);
}
