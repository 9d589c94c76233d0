// Writes a file all at once or not at all: a temp file in the same folder, then a rename.
import { randomBytes } from "node:crypto";
import { rename, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/** A temp path next to `file` (same file system, so the rename is atomic); dot-named, never hashed. */
export function tempPathFor(file: string, suffix = ""): string {
  const tag = `${process.pid}-${randomBytes(4).toString("hex")}`;
  return join(dirname(file), `.${basename(file)}.orwasm-tmp-${tag}${suffix}`);
}

/** Readers see the old content or the new one, never a half-written file. */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const tmp = tempPathFor(file);
  try {
    await writeFile(tmp, data);
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}
