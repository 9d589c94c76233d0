// The plugin-build library: what the project loader and `orwasm plugin build` call.
export { buildPlugin, type BuildPluginOptions, type BuildPluginResult } from "./build.js";
export { buildGoPlugin, type GoBuildOptions } from "./go-build.js";
export {
  buildTarget,
  targetFor,
  type BuildTarget,
  type BuildTargetOptions,
} from "./build-target.js";

export { defaultPluginOutFile } from "./output-path.js";
