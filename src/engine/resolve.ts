// Decides each artifact's pinned sha256: the lockfile's, else the one orwasm ships, else none (unverified).
import { ConfigError } from "../errors.js";
import type { EngineData } from "../project/schema-engine.js";
import {
  artifactKey,
  engineArtifactSpecs,
  KNOWN_CHECKSUMS,
  type Arch,
  type Artifact,
} from "./artifacts.js";
import { lockEntry, type Lockfile } from "./lockfile.js";

/** An artifact with where its pin came from; `stale` names a lockfile entry for another version. */
export interface ResolvedArtifact extends Artifact {
  pinnedBy: "lockfile" | "built-in" | null;
  /** When the lockfile pins this artifact at another version or file, what it pins. */
  stale?: { version: string; file: string };
  /** When the lockfile pins this very file at a hash other than its published one (which wins), that hash. */
  conflict?: string;
}

/**
 * Every artifact the engine needs, for every architecture, with its pin (or null). A published checksum that
 * orwasm ships always wins over the lockfile for the same file, so an edited lockfile cannot swap a release.
 */
export function resolveArtifacts(engine: EngineData, lock?: Lockfile): ResolvedArtifact[] {
  return engineArtifactSpecs(engine).map((spec): ResolvedArtifact => {
    const entry = lockEntry(lock, artifactKey(spec));
    const current = entry && entry.version === spec.version && entry.file === spec.file;
    const stale = entry && !current ? { version: entry.version, file: entry.file } : undefined;
    const known = KNOWN_CHECKSUMS[spec.file];
    if (known) {
      const conflict = current && entry.sha256 !== known.sha256 ? entry.sha256 : undefined;
      return { ...spec, sha256: known.sha256, pinnedBy: "built-in", stale, conflict };
    }
    if (current) return { ...spec, sha256: entry.sha256, pinnedBy: "lockfile" };
    return { ...spec, sha256: null, pinnedBy: null, stale };
  });
}

/** One line per lockfile entry that contradicts a published checksum (the published one is used). */
export function conflictWarnings(artifacts: ResolvedArtifact[], lockfilePath: string): string[] {
  return artifacts
    .filter((a) => a.conflict)
    .map(
      (a) =>
        `${lockfilePath} pins ${a.file} at sha256 ${a.conflict}, but its published sha256 is ${a.sha256} ` +
        `(${KNOWN_CHECKSUMS[a.file]?.source}); the published one is used. Check how the lockfile changed.`,
    );
}

/** The artifacts one build on `arch` uses (the arch-less ones plus that arch's binaries). */
export function forArch(artifacts: ResolvedArtifact[], arch: Arch): ResolvedArtifact[] {
  return artifacts.filter((a) => !a.arch || a.arch === arch);
}

/** Refuses unpinned artifacts: one problem each, naming the artifact and telling the user to run `orwasm lock`. */
export function requirePinned(
  artifacts: ResolvedArtifact[],
  lockfilePath: string,
): asserts artifacts is (ResolvedArtifact & { sha256: string })[] {
  const missing = artifacts.filter((a) => a.sha256 === null);
  if (missing.length === 0) return;
  throw new ConfigError(
    missing.map((a) => ({
      file: lockfilePath,
      path: artifactKey(a),
      message: unpinnedMessage(a),
    })),
    `unverified artifacts: ${missing.map((a) => a.file).join(", ")}`,
  );
}

/** Why an artifact is unpinned and what to do, in one line. */
export function unpinnedMessage(a: ResolvedArtifact): string {
  const why = a.stale
    ? `the lockfile pins ${a.stale.file}, but the project asks for ${a.file}`
    : `${a.file} has no pinned sha256 (unverified)`;
  return `${why}; nothing unverified is extracted or run: run \`orwasm lock\` (with network, or --mirror DIR|URL), review and commit the lockfile`;
}
