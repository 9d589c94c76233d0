// The asc command line for a proxy-wasm plugin: pure, so the cache key and tests see exactly what runs.
import { ABORT_SHIM_GLOBAL } from "./abort-shim.js";

/** What varies between builds. */
export interface AscArgsInput {
  /** Entry file, relative to the plugin folder (asc runs there). */
  entry: string;
  /** Where asc writes the module. */
  binaryFile: string;
  optimize: boolean;
  /** orwasm's abort handler file, when the plugin wires none of its own. */
  abortShimFile?: string;
}

/**
 * `--runtime half`: @solo-io/proxy-runtime's `malloc` needs the full (TLSF + refcount) runtime, and
 * `half` is that runtime without exporting `__alloc`/`__retain`/`__release`/... to the host,
 * which a proxy-wasm host never calls. `--optimize` is asc's default -O3s; `--debug` keeps names.
 */
export function ascArgs(input: AscArgsInput): string[] {
  const args = [input.entry, "--binaryFile", input.binaryFile, "--runtime", "half", "--noColors"];
  args.push(input.optimize ? "--optimize" : "--debug");
  if (input.abortShimFile !== undefined) {
    args.push("--lib", input.abortShimFile, "--use", `abort=${ABORT_SHIM_GLOBAL}`);
  }
  return args;
}
