// What both plugin builders (AssemblyScript, Go) do with a compiler's output and the file it wrote.
import { createHash } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { readStamp } from "./stamp.js";

/** The last `n` lines of a compiler's output, trailing blank lines dropped: what a BuildError shows. */
export function outputTail(output: string, n: number): string[] {
  const lines = output.split(/\r?\n/);
  while (lines.length > 0 && lines.at(-1)?.trim() === "") lines.pop();
  return lines.slice(-n);
}

/** Hex sha256 of a built module. */
export function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** True when `path` is a regular file (a cached output exists). */
export async function isFile(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isFile(),
    () => false,
  );
}

/** True when `outFile` was built from these sources by this compiler and is the file its stamp names. */
export async function upToDate(
  outFile: string,
  sources: string,
  compilerId: string,
): Promise<boolean> {
  const stamp = await readStamp(outFile);
  if (!stamp || stamp.sources !== sources || stamp.compiler !== compilerId) return false;
  const bytes = await readFile(outFile).catch(() => undefined);
  return bytes !== undefined && sha256(bytes) === stamp.wasmSha256;
}
