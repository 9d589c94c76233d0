// Writes a command's result to a file atomically, or to stdout for `-`.
import { mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import { writeFileAtomic } from "./atomic.js";

/** `-` means stdout (through `out`); anything else is written all at once or not at all. */
export async function writeOutput(
  target: string,
  text: string,
  out: (t: string) => void,
): Promise<void> {
  if (target === "-") {
    out(text);
    return;
  }
  await mkdir(dirname(target), { recursive: true });
  await writeFileAtomic(target, text);
}
