// A local cache of verified artifacts, addressed by sha256, so `orwasm image` downloads each file once.
import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { writeFileAtomic } from "../fs/atomic.js";
import type { ArtifactSpec } from "./artifacts.js";
import { obtainArtifact, type Obtained, type ObtainOptions } from "./obtain.js";
import { verifyArtifactBytes } from "./verify.js";

/** `$ORWASM_ARTIFACT_CACHE`, else `$XDG_CACHE_HOME/orwasm/artifacts`, else `~/.cache/orwasm/artifacts`. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.ORWASM_ARTIFACT_CACHE) return env.ORWASM_ARTIFACT_CACHE;
  return join(env.XDG_CACHE_HOME || join(homedir(), ".cache"), "orwasm", "artifacts");
}

/** A pinned artifact: the only kind that may be read from the cache or handed to a build. */
export type PinnedSpec = ArtifactSpec & { sha256: string };

/**
 * The verified bytes of a pinned artifact: from the cache when a copy there still matches its sha256,
 * else from the mirror or upstream; a fresh download is verified before it is cached or returned.
 */
export async function fetchVerified(
  spec: PinnedSpec,
  opts: ObtainOptions & { cacheDir?: string; pinnedBy?: string } = {},
): Promise<Obtained & { cached: boolean }> {
  const cachePath = opts.cacheDir ? join(opts.cacheDir, spec.sha256, spec.file) : undefined;
  if (cachePath) {
    const data = await readFile(cachePath).catch(() => undefined);
    if (data) {
      try {
        verifyArtifactBytes(spec, data, cachePath, opts.pinnedBy);
        return { data: new Uint8Array(data), origin: cachePath, cached: true };
      } catch {
        // A damaged cache entry is ignored and replaced by a fresh, verified copy.
      }
    }
  }
  const got = await obtainArtifact(spec, opts);
  verifyArtifactBytes(spec, got.data, got.origin, opts.pinnedBy);
  if (cachePath) await writeFileAtomic(cachePath, got.data);
  return { ...got, cached: false };
}
