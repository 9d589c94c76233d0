// The cache stamp written next to a built plugin: which sources and compiler produced which bytes.
import { readFile } from "node:fs/promises";
import { writeFileAtomic } from "../fs/atomic.js";

/** Stored as `<outFile>.stamp.json`. */
export interface BuildStamp {
  /** Source hash (see source-hash.ts). */
  sources: string;
  compiler: string;
  /** sha256 of the .wasm the build wrote: a file replaced by hand does not count as cached. */
  wasmSha256: string;
}

/** The stamp's path for an output file. */
export function stampPathFor(outFile: string): string {
  return `${outFile}.stamp.json`;
}

/** The stamp, or undefined when it is absent or unreadable (then the plugin is rebuilt). */
export async function readStamp(outFile: string): Promise<BuildStamp | undefined> {
  try {
    const s = JSON.parse(await readFile(stampPathFor(outFile), "utf8")) as Partial<BuildStamp>;
    if (
      typeof s.sources === "string" &&
      typeof s.compiler === "string" &&
      typeof s.wasmSha256 === "string"
    ) {
      return { sources: s.sources, compiler: s.compiler, wasmSha256: s.wasmSha256 };
    }
  } catch {
    // absent or damaged: rebuild
  }
  return undefined;
}

/** Written after the .wasm is in place. */
export async function writeStamp(outFile: string, stamp: BuildStamp): Promise<void> {
  await writeFileAtomic(stampPathFor(outFile), `${JSON.stringify(stamp, null, 2)}\n`);
}
