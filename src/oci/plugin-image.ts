// Pushing a plugin to a registry and pulling one back: the adapter between layouts, the registry client and the cache.
import { mkdir, readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { createHash } from "node:crypto";
import { writeFileAtomic } from "../fs/atomic.js";
import { findCredential } from "./credentials.js";
import {
  buildArtifact,
  extractWasm,
  parseManifest,
  type PluginExtras,
  type PulledLayout,
  type PushFormat,
} from "./layout.js";
import { formatRef, type ImageRef } from "./reference.js";
import { DigestMismatchError, RegistryClient, RegistryError } from "./registry.js";

/** How to reach registries: --insecure, a Docker config other than the default, the chunk size, a fetch for tests. */
export interface RegistryAccess {
  insecure?: boolean;
  dockerConfig?: string;
  chunkSize?: number;
  fetch?: typeof fetch;
}

const sha256Hex = (data: Uint8Array) => createHash("sha256").update(data).digest("hex");

/** `$ORWASM_OCI_CACHE`, else `$XDG_CACHE_HOME/orwasm/oci`, else `~/.cache/orwasm/oci`: pulled plugins by manifest digest. */
export function ociCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.ORWASM_OCI_CACHE) return env.ORWASM_OCI_CACHE;
  return join(env.XDG_CACHE_HOME || join(homedir(), ".cache"), "orwasm", "oci");
}

export function registryClient(registry: string, access: RegistryAccess = {}): RegistryClient {
  return new RegistryClient({
    registry,
    insecure: access.insecure,
    chunkSize: access.chunkSize,
    fetch: access.fetch,
    credential: () => findCredential(registry, { configPath: access.dockerConfig }),
  });
}

/** What a push did: the manifest digest and how each blob went up. */
export interface PushResult {
  ref: string;
  digest: string;
  mediaType: string;
  format: PushFormat;
  blobs: { digest: string; size: number; upload: "exists" | "monolithic" | "chunked" }[];
}

/** Pushes `wasm` as `format` to `ref` (its tag, or its digest when it has none). */
export async function pushPlugin(
  wasm: Uint8Array,
  ref: ImageRef,
  opts: RegistryAccess & {
    format: PushFormat;
    extras?: PluginExtras;
    annotations?: Record<string, string>;
    onProgress?: (l: string) => void;
  },
): Promise<PushResult> {
  const built = await buildArtifact(wasm, opts.format, opts.extras, opts.annotations);
  if (ref.digest && ref.digest !== built.digest)
    throw new DigestMismatchError(
      `the image to push to ${formatRef(ref)}`,
      ref.digest,
      built.digest,
      "The reference's digest must be the digest of what is pushed; leave it out.",
    );
  const client = registryClient(ref.registry, opts);
  const blobs: PushResult["blobs"] = [];
  for (const b of built.blobs) {
    const upload = await client.pushBlob(ref.repository, b);
    const digest = `sha256:${sha256Hex(b)}`;
    opts.onProgress?.(
      `blob ${digest.slice(0, 19)}… ${b.length} bytes: ${upload === "exists" ? "already in the registry" : `uploaded (${upload})`}`,
    );
    blobs.push({ digest, size: b.length, upload });
  }
  const digest = await client.putManifest(
    ref.repository,
    ref.tag ?? built.digest,
    built.manifest,
    built.mediaType,
  );
  return {
    ref: formatRef({ ...ref, digest: undefined }),
    digest,
    mediaType: built.mediaType,
    format: opts.format,
    blobs,
  };
}

/** A pulled plugin: its wasm (verified), the manifest digest it came from, its layout, and whether the cache had it. */
export interface PullResult {
  wasm: Uint8Array;
  digest: string;
  wasmSha256: string;
  layout: PulledLayout;
  cached: boolean;
}

interface CacheMeta {
  wasmSha256: string;
  layout: PulledLayout;
}

/**
 * Pulls a plugin. `repo@sha256:D` is served from the cache when present (no network); `repo:tag@sha256:D` resolves
 * the tag and refuses it when it points elsewhere than D (as Istio does with a WasmPlugin's url and sha256);
 * `repo:tag` pulls whatever the tag names now. Every manifest and blob is checked against its digest.
 */
export async function pullPlugin(
  ref: ImageRef,
  opts: RegistryAccess & { cacheDir?: string; onProgress?: (l: string) => void } = {},
): Promise<PullResult> {
  const cacheDir = opts.cacheDir ?? ociCacheDir();
  const client = registryClient(ref.registry, opts);
  let digest = ref.digest;
  if (ref.tag) {
    const now = await client.resolveTag(ref.repository, ref.tag);
    if (digest && now !== digest)
      throw new DigestMismatchError(
        `${formatRef({ ...ref, digest: undefined })}: the tag points at another manifest than the pinned one`,
        digest,
        now,
        "The tag was moved after it was pinned. If the new image is intended, pin its digest (orwasm lock, or edit the reference).",
      );
    digest = now;
  }
  if (!digest) throw new RegistryError(`${formatRef(ref)} names neither a tag nor a digest`);
  const dir = join(cacheDir, "sha256", digest.slice(7));
  const hit = await readCache(dir);
  if (hit) return { ...hit, digest, cached: true };
  const m = await client.getManifest(ref.repository, digest);
  let manifest;
  try {
    manifest = parseManifest(m.bytes, m.mediaType);
  } catch (err) {
    throw new RegistryError(`${formatRef(ref)}: ${(err as Error).message}`);
  }
  let got;
  try {
    got = await extractWasm(manifest, (d) => client.getBlob(ref.repository, d.digest));
  } catch (err) {
    if (err instanceof RegistryError || err instanceof DigestMismatchError) throw err;
    throw new RegistryError(`${formatRef(ref)}: ${(err as Error).message}`);
  }
  const wasmSha256 = sha256Hex(got.wasm);
  await mkdir(dir, { recursive: true });
  await writeFileAtomic(join(dir, "plugin.wasm"), got.wasm);
  await writeFileAtomic(
    join(dir, "meta.json"),
    `${JSON.stringify({ wasmSha256, layout: got.layout } satisfies CacheMeta)}\n`,
  );
  opts.onProgress?.(
    `pulled ${formatRef({ ...ref, digest })} (${got.layout}, ${got.wasm.length} bytes)`,
  );
  return { wasm: got.wasm, digest, wasmSha256, layout: got.layout, cached: false };
}

/** A cache entry whose plugin.wasm still hashes to what was recorded; anything else is a miss. */
async function readCache(dir: string): Promise<Omit<PullResult, "digest" | "cached"> | undefined> {
  try {
    const meta = JSON.parse(await readFile(join(dir, "meta.json"), "utf8")) as CacheMeta;
    const wasm = new Uint8Array(await readFile(join(dir, "plugin.wasm")));
    if (sha256Hex(wasm) !== meta.wasmSha256) return undefined;
    return { wasm, wasmSha256: meta.wasmSha256, layout: meta.layout };
  } catch {
    return undefined;
  }
}

/** Path of a cached plugin's wasm (after pullPlugin), for builds that copy files. */
export function cachedWasmPath(digest: string, cacheDir = ociCacheDir()): string {
  return join(cacheDir, "sha256", digest.slice(7), "plugin.wasm");
}
