// Writes a command's result to a file atomically, or to stdout for `-`; a file-system mistake is a user error.
import { mkdir, stat } from "node:fs/promises";
import { dirname } from "node:path";
import { ConfigError } from "../errors.js";
import { describeErrno } from "./read-input.js";
import { writeFileAtomic } from "./atomic.js";

/** `-` means stdout (through `out`); anything else is written all at once or not at all. */
export async function writeOutput(
  target: string,
  text: string,
  out: (t: string) => void,
  /** How the user named the file, for messages (default: `target`). */
  shown: string = target,
): Promise<void> {
  if (target === "-") {
    out(text);
    return;
  }
  const fail = (message: string): never => {
    throw new ConfigError([{ file: shown, message: `cannot write the output: ${message}` }]);
  };
  if ((await stat(target).catch(() => undefined))?.isDirectory())
    fail("it is a folder (name a file)");
  try {
    await mkdir(dirname(target), { recursive: true });
    await writeFileAtomic(target, text);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (!e.code) throw err;
    fail(
      e.code === "ENOTDIR" || e.code === "EEXIST"
        ? "a parent of it is a file, not a folder"
        : e.code === "EACCES" || e.code === "EPERM" || e.code === "EROFS"
          ? "permission denied (the folder is read-only)"
          : e.code === "ENOSPC"
            ? "the disk is full"
            : describeErrno(e),
    );
  }
}
