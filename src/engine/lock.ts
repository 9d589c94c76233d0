// `orwasm lock`: downloads (or reads from a mirror) every engine artifact, checks existing pins, records sha256s.
import { join } from "node:path";
import type { EngineData } from "../project/schema-engine.js";
import { writeFileAtomic } from "../fs/atomic.js";
import { artifactKey, KNOWN_CHECKSUMS } from "./artifacts.js";
import { LOCKFILE_VERSION, type LockEntry, type Lockfile } from "./lockfile.js";
import { obtainArtifact, type ObtainOptions } from "./obtain.js";
import { resolveArtifacts, type ResolvedArtifact } from "./resolve.js";
import { verifyArtifactBytes } from "./verify.js";

/** What happened to one artifact: `verified` matched an existing pin, `new` was pinned now. */
export interface LockOutcome {
  key: string;
  file: string;
  version: string;
  sha256: string;
  origin: string;
  status: "verified" | "new";
  /** For `verified`: which pin it matched. */
  pinnedBy?: "lockfile" | "built-in";
}

/** Progress of a lock run, one call per artifact before and after it is read. */
export type LockProgress = (event: {
  key: string;
  file: string;
  phase: "start" | "done";
  index: number;
  total: number;
}) => void;

/**
 * Reads every artifact the engine needs (both architectures), checks each against its existing pin (lockfile or
 * built-in) and returns the new lockfile. Throws on the first unreadable artifact or mismatch: nothing is returned
 * half-done. `cacheDir` (optional) receives the verified files so a later `orwasm image` needs no download.
 */
export async function lockArtifacts(
  engine: EngineData,
  existing: Lockfile | undefined,
  opts: ObtainOptions & {
    onProgress?: LockProgress;
    cacheDir?: string;
    lockfilePath?: string;
  } = {},
): Promise<{ lockfile: Lockfile; outcomes: LockOutcome[] }> {
  const artifacts = resolveArtifacts(engine, existing);
  const outcomes: LockOutcome[] = [];
  const entries: LockEntry[] = [];
  for (const [index, a] of artifacts.entries()) {
    const key = artifactKey(a);
    opts.onProgress?.({ key, file: a.file, phase: "start", index, total: artifacts.length });
    const got = await obtainArtifact(a, opts);
    const sha256 = verifyArtifactBytes(
      a,
      got.data,
      got.origin,
      pinDescription(a, opts.lockfilePath),
    );
    if (opts.cacheDir) await writeFileAtomic(join(opts.cacheDir, sha256, a.file), got.data);
    const { name, version, arch, file, url } = a;
    entries.push({ name, version, ...(arch ? { arch } : {}), file, url, sha256 });
    outcomes.push({
      key,
      file,
      version,
      sha256,
      origin: got.origin,
      status: a.pinnedBy ? "verified" : "new",
      ...(a.pinnedBy ? { pinnedBy: a.pinnedBy } : {}),
    });
    opts.onProgress?.({ key, file: a.file, phase: "done", index, total: artifacts.length });
  }
  return { lockfile: { lockfileVersion: LOCKFILE_VERSION, artifacts: entries }, outcomes };
}

/** Where the pin a mismatch contradicts came from, for the error message. */
function pinDescription(a: ResolvedArtifact, lockfilePath = "orwasm.lock"): string {
  if (a.pinnedBy === "lockfile") return `pinned in ${lockfilePath}`;
  if (a.pinnedBy === "built-in")
    return `built into orwasm, from ${KNOWN_CHECKSUMS[a.file]?.source}`;
  return "not pinned";
}
