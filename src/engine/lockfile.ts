// orwasm.lock: the reviewed, committed record of every engine artifact's sha256. Pure parse and serialise.
import { createHash } from "node:crypto";
import { LineCounter, parseDocument } from "yaml";
import { z } from "zod";
import { ConfigError, type Problem } from "../errors.js";
import { dotted, locate, type PathKey } from "../project/locate.js";
import { ARCHES, artifactKey, type Artifact, type ArtifactName } from "./artifacts.js";

/** The lockfile format this orwasm reads and writes; a newer one is refused rather than misread. */
export const LOCKFILE_VERSION = 1;

const ARTIFACT_ORDER: readonly ArtifactName[] = [
  "openresty",
  "wasm-nginx-module",
  "wasmtime-c-api",
  "wasmedge",
  "lua-resty-http",
];

const entrySchema = z.strictObject({
  name: z.enum(ARTIFACT_ORDER as [ArtifactName, ...ArtifactName[]]),
  version: z.string().regex(/^[0-9]+(\.[0-9]+)*$/, "must be a version such as 1.2.3"),
  arch: z.enum(ARCHES as [string, ...string[]]).optional(),
  file: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._+-]*$/, "must be a plain file name (no folders, no spaces)"),
  url: z.string().regex(/^https:\/\/[^\s'"`$\\]+$/, "must be an https URL"),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, "must be 64 lowercase hex digits"),
});

/** A plugin image tag pinned to its manifest digest by `orwasm lock`. */
const imagePinSchema = z.strictObject({
  image: z
    .string()
    .regex(/^oci:\/\/[^\s@]+:[A-Za-z0-9_][A-Za-z0-9_.-]*$/, "must be oci://REGISTRY/REPO:TAG"),
  digest: z.string().regex(/^sha256:[0-9a-f]{64}$/, "must be sha256: and 64 lowercase hex digits"),
});

const lockfileSchema = z.strictObject({
  lockfileVersion: z.literal(LOCKFILE_VERSION, {
    error: `this orwasm reads lockfileVersion ${LOCKFILE_VERSION}`,
  }),
  comment: z.string().optional(),
  artifacts: z.array(entrySchema),
  images: z.array(imagePinSchema).optional(),
});

/** A pinned plugin image: `image` is the tag as the project names it, `digest` its manifest's. */
export type ImagePin = z.output<typeof imagePinSchema>;

/** One pinned artifact as the lockfile records it. */
export type LockEntry = Artifact & { sha256: string };

/** A parsed lockfile. */
export interface Lockfile {
  lockfileVersion: typeof LOCKFILE_VERSION;
  artifacts: LockEntry[];
  /** Plugin images pinned by tag (absent when the project has none). */
  images?: ImagePin[];
}

/** What the lockfile says to whoever opens it. */
export const LOCKFILE_COMMENT =
  "Written by `orwasm lock`. Every engine artifact orwasm downloads is checked against the sha256 here " +
  "before it is extracted. Review changes to this file like code, and commit it.";

/** Parses lockfile text (JSON, or YAML); every problem is located at its line and key. */
export function parseLockfile(text: string, file: string): Lockfile {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const where = (path: readonly PathKey[]) => locate(doc, lines, path);
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((e) => ({
        file,
        ...lines.linePos(e.pos[0]),
        message: `not valid JSON/YAML: ${e.message.split("\n")[0]}`,
      })),
    );
  }
  const result = lockfileSchema.safeParse(doc.toJS());
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((i): Problem => {
        const path = i.path.filter((k): k is PathKey => typeof k !== "symbol");
        return { file, ...where(path), path: dotted(path) || undefined, message: i.message };
      }),
    );
  }
  const seen = new Map<string, number>();
  const problems: Problem[] = [];
  result.data.artifacts.forEach((a, i) => {
    const key = artifactKey(a as LockEntry);
    if (seen.has(key)) {
      problems.push({
        file,
        ...where(["artifacts", i]),
        path: `artifacts.${i}`,
        message: `${key} is pinned twice (also at artifacts.${seen.get(key)})`,
      });
    }
    seen.set(key, i);
  });
  if (problems.length) throw new ConfigError(problems);
  return {
    lockfileVersion: LOCKFILE_VERSION,
    artifacts: result.data.artifacts as LockEntry[],
    ...(result.data.images ? { images: result.data.images } : {}),
  };
}

/** Stable, reviewable text: artifacts in build order, one key order, two-space JSON, trailing newline. */
export function serializeLockfile(lock: Lockfile): string {
  const sorted = [...lock.artifacts].sort(compareEntries);
  const body = {
    lockfileVersion: LOCKFILE_VERSION,
    comment: LOCKFILE_COMMENT,
    artifacts: sorted.map((a) => ({
      name: a.name,
      version: a.version,
      ...(a.arch ? { arch: a.arch } : {}),
      file: a.file,
      url: a.url,
      sha256: a.sha256,
    })),
    ...(lock.images?.length
      ? {
          images: [...lock.images]
            .sort((a, b) => a.image.localeCompare(b.image))
            .map((i) => ({ image: i.image, digest: i.digest })),
        }
      : {}),
  };
  return `${JSON.stringify(body, null, 2)}\n`;
}

function compareEntries(a: LockEntry, b: LockEntry): number {
  const byName = ARTIFACT_ORDER.indexOf(a.name) - ARTIFACT_ORDER.indexOf(b.name);
  if (byName !== 0) return byName;
  return ARCHES.indexOf(a.arch ?? "x86_64") - ARCHES.indexOf(b.arch ?? "x86_64");
}

/** sha256 of the lockfile's canonical text: the image label that says which pins built an engine. */
export function lockfileSha256(lock: Lockfile): string {
  // Only the engine's pins: a re-pinned plugin image must not rebuild the engine stages.
  const engineOnly: Lockfile = { lockfileVersion: lock.lockfileVersion, artifacts: lock.artifacts };
  return createHash("sha256").update(serializeLockfile(engineOnly)).digest("hex");
}

/** The digest `orwasm lock` pinned for a plugin image tag (`oci://REGISTRY/REPO:TAG`), if any. */
export function imagePin(lock: Lockfile | undefined, image: string): string | undefined {
  return lock?.images?.find((i) => i.image === image)?.digest;
}

/** Finds the entry pinning `key`, if any. */
export function lockEntry(lock: Lockfile | undefined, key: string): LockEntry | undefined {
  return lock?.artifacts.find((a) => artifactKey(a) === key);
}
