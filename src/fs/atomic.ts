// Outputs are written whole or not at all: a temp file or folder beside the target, then a rename.
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readdir, rename, rm, stat, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { UsageError } from "../errors.js";

/** A temp path next to `file` (same file system, so the rename is atomic); dot-named, never hashed. */
export function tempPathFor(file: string, suffix = ""): string {
  const tag = `${process.pid}-${randomBytes(4).toString("hex")}`;
  return join(dirname(file), `.${basename(file)}.orwasm-tmp-${tag}${suffix}`);
}

/**
 * Writes `data` to `path` via a temp file in the same folder and a rename, so readers see the old content or the
 * new one, never a half-written file; `mode` e.g. 0o755 for scripts. Missing parent folders are made.
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  mode = 0o644,
): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = tempPathFor(path);
  try {
    await writeFile(tmp, data, { mode });
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** The file that marks a folder as one orwasm wrote, so replacing it never deletes a user's own folder. */
export const CONTEXT_MARKER = ".orwasm-context";

/**
 * Fills a fresh temp folder beside `dir` with `fill`, then puts it at `dir`. An existing `dir` is replaced only
 * when it is empty or was written by orwasm (has CONTEXT_MARKER); anything else is refused.
 */
export async function writeDirAtomic(
  dir: string,
  fill: (tmpDir: string) => Promise<void>,
): Promise<void> {
  const existing = await stat(dir).catch(() => undefined);
  if (existing) {
    if (!existing.isDirectory()) throw new UsageError(`${dir} exists and is not a folder`);
    const entries = await readdir(dir);
    if (entries.length > 0 && !entries.includes(CONTEXT_MARKER)) {
      throw new UsageError(
        `${dir} is not empty and was not written by orwasm; choose an empty or new folder`,
      );
    }
  }
  await mkdir(dirname(dir), { recursive: true });
  const tmp = await mkdtemp(join(dirname(dir), `.${basename(dir)}.tmp-`));
  try {
    await fill(tmp);
    await writeFile(join(tmp, CONTEXT_MARKER), "written by orwasm; safe to delete\n");
    if (existing) {
      const old = `${tmp}.old`;
      await rename(dir, old);
      await rename(tmp, dir);
      await rm(old, { recursive: true, force: true });
    } else {
      await rename(tmp, dir);
    }
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
}
