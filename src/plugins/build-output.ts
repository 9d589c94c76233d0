// What both plugin builders (AssemblyScript, Go) do with a compiler's output and the file it wrote.
import { createHash } from "node:crypto";
import { stat } from "node:fs/promises";

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
