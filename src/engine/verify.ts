// Checks downloaded bytes against a pinned sha256 before anything uses them.
import { createHash } from "node:crypto";
import { BuildError } from "../errors.js";
import type { Artifact } from "./artifacts.js";

/** Hex sha256 of some bytes. */
export function sha256Hex(data: Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/** A mismatch: both hashes, the file and where it came from, so the user can tell a bad mirror from a changed release. */
export class ChecksumMismatchError extends BuildError {
  readonly expected: string;
  readonly actual: string;
  readonly origin: string;
  constructor(file: string, origin: string, expected: string, actual: string, pinnedBy: string) {
    super(
      `checksum mismatch for ${file} from ${origin}\n` +
        `  expected sha256 ${expected} (${pinnedBy})\n` +
        `  actual   sha256 ${actual}\n` +
        `The file was not used. If upstream really re-published it, check why, then delete its entry from ` +
        `the lockfile and run \`orwasm lock\` again.`,
    );
    this.expected = expected;
    this.actual = actual;
    this.origin = origin;
  }
}

/** Throws ChecksumMismatchError unless `data` hashes to the pinned `artifact.sha256`; returns the hash. */
export function verifyArtifactBytes(
  artifact: Pick<Artifact, "file" | "sha256">,
  data: Uint8Array,
  origin: string,
  pinnedBy = "pinned",
): string {
  const actual = sha256Hex(data);
  if (artifact.sha256 !== null && actual !== artifact.sha256) {
    throw new ChecksumMismatchError(artifact.file, origin, artifact.sha256, actual, pinnedBy);
  }
  return actual;
}
