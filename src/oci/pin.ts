// `orwasm lock` for plugin images: each tag a project names (without a digest) resolved to its manifest digest.
import { registryClient, type RegistryAccess } from "./plugin-image.js";
import { parseImageRef } from "./reference.js";

/** A tag and the manifest digest it is pinned to (the lockfile's `images` entries). */
export interface ImagePin {
  image: string;
  digest: string;
}

/** What happened to one image tag: pinned now, kept (already pinned), or moved (the tag names another digest now). */
export interface ImagePinOutcome {
  image: string;
  digest: string;
  status: "new" | "kept" | "updated" | "moved";
  /** For `moved` and `updated`: the digest the tag names now / named before. */
  other?: string;
}

/**
 * Pins every `images` entry that has no digest. An existing pin is kept (and reported `moved` when the tag now
 * names another manifest) unless `update` is set; pins for images the project no longer names are dropped.
 */
export async function pinImages(
  images: string[],
  existing: ImagePin[] | undefined,
  opts: RegistryAccess & { update?: boolean; onProgress?: (l: string) => void } = {},
): Promise<{ pins: ImagePin[]; outcomes: ImagePinOutcome[] }> {
  const outcomes: ImagePinOutcome[] = [];
  for (const image of [...new Set(images)].sort()) {
    const ref = parseImageRef(image);
    if (ref.digest || !ref.tag) continue;
    opts.onProgress?.(`resolving ${image}`);
    const now = await registryClient(ref.registry, opts).resolveTag(ref.repository, ref.tag);
    const old = existing?.find((p) => p.image === image)?.digest;
    if (!old) outcomes.push({ image, digest: now, status: "new" });
    else if (old === now) outcomes.push({ image, digest: old, status: "kept" });
    else if (opts.update) outcomes.push({ image, digest: now, status: "updated", other: old });
    else outcomes.push({ image, digest: old, status: "moved", other: now });
  }
  return { pins: outcomes.map(({ image, digest }) => ({ image, digest })), outcomes };
}
