// The plugin-build library: what the project loader and `orwasm plugin build` call.
export { buildPlugin, type BuildPluginOptions, type BuildPluginResult } from "./build.js";
export { defaultPluginOutFile } from "./output-path.js";
