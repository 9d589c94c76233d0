// Reads a user's input file (project file, plugin) safely: only regular files, never more than a size limit,
// and a project file only as valid UTF-8, so a FIFO, /dev/zero or a stray binary is one clear problem at once.
import { open } from "node:fs/promises";
import { constants } from "node:fs";
import type { Problem } from "../errors.js";

/** The largest project file read: configs may be large, but not this large. */
export const MAX_PROJECT_BYTES = 64 * 1024 * 1024;
/** The largest .wasm file read. */
export const MAX_PLUGIN_BYTES = 256 * 1024 * 1024;

export type ReadResult = { bytes: Buffer } | { problem: string; code?: string };

/**
 * Reads `path` whole when it is a regular file of at most `limit` bytes. Opened non-blocking, so a FIFO
 * neither blocks the open nor is read; the type is checked on the open descriptor (no race with a rename).
 */
export async function readRegularFile(path: string, limit: number): Promise<ReadResult> {
  let fh;
  try {
    fh = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return { problem: describeErrno(e), code: e.code };
  }
  try {
    const st = await fh.stat();
    if (st.isDirectory()) return { problem: "is a folder, not a file", code: "EISDIR" };
    if (!st.isFile()) return { problem: `is not a regular file (${kindOf(st)})`, code: "ENOTREG" };
    if (st.size > limit)
      return { problem: `is ${st.size} bytes, more than the ${limit}-byte limit`, code: "EFBIG" };
    const bytes = Buffer.alloc(st.size);
    let off = 0;
    while (off < st.size) {
      const { bytesRead } = await fh.read(bytes, off, st.size - off, off);
      if (bytesRead === 0) break;
      off += bytesRead;
    }
    return { bytes: bytes.subarray(0, off) };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return { problem: describeErrno(e), code: e.code };
  } finally {
    await fh.close();
  }
}

function kindOf(st: import("node:fs").Stats): string {
  if (st.isFIFO()) return "a FIFO";
  if (st.isCharacterDevice()) return "a character device";
  if (st.isBlockDevice()) return "a block device";
  if (st.isSocket()) return "a socket";
  return "not a file";
}

export function describeErrno(e: NodeJS.ErrnoException): string {
  switch (e.code) {
    case "ENOENT":
      return "does not exist";
    case "EACCES":
    case "EPERM":
      return "cannot be read (permission denied)";
    case "EISDIR":
      return "is a folder, not a file";
    case "ENOTDIR":
      return "is below something that is not a folder";
    case "ELOOP":
      return "is a symbolic link loop";
    default:
      return `cannot be read (${e.code ?? e.message})`;
  }
}

/** Decodes UTF-8 text (a leading BOM dropped), or locates the first byte that is not UTF-8. */
export function decodeUtf8(bytes: Buffer, file: string): { text: string } | { problem: Problem } {
  try {
    const text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
    return { text };
  } catch {
    const at = firstInvalidUtf8(bytes);
    const before = bytes.subarray(0, at);
    const line = before.filter((b) => b === 0x0a).length + 1;
    const lineStart = before.lastIndexOf(0x0a) + 1;
    const col = Buffer.from(bytes.subarray(lineStart, at)).toString("utf8").length + 1;
    return {
      problem: {
        file,
        line,
        col,
        message: `is not valid UTF-8: byte 0x${bytes[at]!.toString(16).padStart(2, "0")} at offset ${at} (save the file as UTF-8)`,
      },
    };
  }
}

function firstInvalidUtf8(b: Buffer): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    const n =
      c < 0x80
        ? 0
        : c >= 0xc2 && c <= 0xdf
          ? 1
          : c >= 0xe0 && c <= 0xef
            ? 2
            : c >= 0xf0 && c <= 0xf4
              ? 3
              : -1;
    if (n < 0) return i;
    for (let k = 1; k <= n; k++) if (i + k >= b.length || (b[i + k]! & 0xc0) !== 0x80) return i;
    if (n > 0) {
      const cp = new TextDecoder("utf-8", { fatal: true });
      try {
        cp.decode(b.subarray(i, i + n + 1));
      } catch {
        return i; // overlong or surrogate forms
      }
    }
    i += n + 1;
  }
  return b.length;
}
