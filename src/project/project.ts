// The validated, resolved project every renderer and adapter works from.
import type { PluginData, ProjectData } from "./schema.js";
import type { WasmInfo } from "../inspect/wasm-info.js";

/** A plugin with its .wasm located and inspected. */
export interface ResolvedPlugin {
  data: PluginData;
  /** Absolute path of the .wasm on this machine (built from source when the plugin declares `build`). */
  wasmPath: string;
  /** sha256 of the .wasm bytes, hex. */
  sha256: string;
  info: WasmInfo;
  /** For a plugin from a registry: the reference as written and the manifest digest it was pulled at. */
  image?: { ref: string; digest: string; layout: string };
}

export interface Project {
  /** Absolute path of the project file. */
  file: string;
  /** Its folder: relative paths in the file resolve against it. */
  dir: string;
  data: ProjectData;
  /** Same order as `data.plugins`. */
  plugins: ResolvedPlugin[];
}
