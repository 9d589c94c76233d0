// The plugin image layouts, pure: what `orwasm plugin push` writes, and how every layout Istio reads is unpacked.
import { digestOf } from "./registry.js";
import { MT, type Descriptor, type ImageManifest } from "./media-types.js";
import { findInTarGzip, tarGzip } from "./tar.js";

/** `image`: an OCI image whose last layer is tar+gzip with plugin.wasm (Higress' layout); `wasm`: the wasm artifact. */
export type PushFormat = "image" | "wasm";

/** A layout ready to upload: blobs by digest, then the manifest. */
export interface BuiltArtifact {
  manifest: Uint8Array;
  mediaType: string;
  digest: string;
  blobs: Uint8Array[];
}

/** Files Higress keeps next to plugin.wasm in its images, as layers before the wasm layer. */
export interface PluginExtras {
  specYaml?: Uint8Array;
  readme?: Uint8Array;
}

const descriptor = (
  mediaType: string,
  data: Uint8Array,
  annotations?: Record<string, string>,
): Descriptor => ({
  mediaType,
  digest: digestOf(data),
  size: data.length,
  ...(annotations ? { annotations } : {}),
});

const json = (v: unknown) => new Uint8Array(Buffer.from(JSON.stringify(v)));

/** Builds the manifest and blobs for a plugin; the same wasm and extras always give the same digest. */
export async function buildArtifact(
  wasm: Uint8Array,
  format: PushFormat,
  extras: PluginExtras = {},
  annotations: Record<string, string> = {},
): Promise<BuiltArtifact> {
  let config: Uint8Array;
  let configType: string;
  const layers: { desc: Descriptor; data: Uint8Array }[] = [];
  if (format === "wasm") {
    // Istio's "oci variant": exactly two layers, a wasm config layer and the raw module.
    const wasmConfig = json({});
    config = wasmConfig;
    configType = MT.wasmConfig;
    layers.push({ desc: descriptor(MT.wasmConfig, wasmConfig), data: wasmConfig });
    layers.push({
      desc: descriptor(MT.wasmContent, wasm, { "org.opencontainers.image.title": "plugin.wasm" }),
      data: wasm,
    });
  } else {
    const diffIds: string[] = [];
    if (extras.specYaml) {
      layers.push({
        desc: descriptor(MT.higressSpec, extras.specYaml, {
          "org.opencontainers.image.title": "spec.yaml",
        }),
        data: extras.specYaml,
      });
      diffIds.push(digestOf(extras.specYaml));
    }
    if (extras.readme) {
      layers.push({
        desc: descriptor(MT.higressReadme, extras.readme, {
          "org.opencontainers.image.title": "README.md",
        }),
        data: extras.readme,
      });
      diffIds.push(digestOf(extras.readme));
    }
    // Istio reads the last layer, so plugin.wasm's tar+gzip goes last.
    const { gz, tar } = await tarGzip([{ name: "plugin.wasm", data: wasm }]);
    layers.push({ desc: descriptor(MT.ociLayerTarGzip, gz), data: gz });
    diffIds.push(digestOf(tar));
    config = json({
      architecture: "wasm",
      os: "wasip1",
      rootfs: { type: "layers", diff_ids: diffIds },
      config: {},
    });
    configType = MT.ociConfig;
  }
  const manifest: ImageManifest & { mediaType: string } = {
    schemaVersion: 2,
    mediaType: MT.ociManifest,
    config: descriptor(configType, config),
    layers: layers.map((l) => l.desc),
    ...(Object.keys(annotations).length ? { annotations } : {}),
  };
  const bytes = json(manifest);
  return {
    manifest: bytes,
    mediaType: MT.ociManifest,
    digest: digestOf(bytes),
    blobs: [config, ...layers.map((l) => l.data)],
  };
}

/** Which layout a pulled image had. */
export type PulledLayout = "docker-image" | "oci-image" | "wasm-artifact";

/** Parses manifest bytes; an index (several platforms) is refused with what to do instead. */
export function parseManifest(bytes: Uint8Array, mediaType: string): ImageManifest {
  let m: ImageManifest & { mediaType?: string; manifests?: unknown };
  try {
    m = JSON.parse(Buffer.from(bytes).toString("utf8")) as typeof m;
  } catch {
    throw new Error("the manifest is not JSON");
  }
  const type = m.mediaType ?? mediaType;
  if (m.manifests || type === MT.ociIndex || type === MT.dockerManifestList)
    throw new Error(
      "the reference names an image index (a multi-platform list), not a plugin image; name one image's digest",
    );
  if (m.schemaVersion !== 2 || !m.config || !Array.isArray(m.layers))
    throw new Error("the manifest is not an image manifest (schema 2)");
  return { ...m, mediaType: type };
}

/**
 * The plugin's wasm from an image, in Istio's order: a Docker image (last layer, plugin.wasm), an OCI image whose
 * last layer is tar+gzip with plugin.wasm, or the wasm artifact (two layers, one of them the raw module).
 */
export async function extractWasm(
  manifest: ImageManifest,
  getBlob: (d: Descriptor) => Promise<Uint8Array>,
): Promise<{ wasm: Uint8Array; layout: PulledLayout }> {
  const last = manifest.layers.at(-1);
  if (!last) throw new Error("the image has no layers");
  if (manifest.mediaType === MT.dockerManifest) {
    if (last.mediaType !== MT.dockerLayer)
      throw new Error(
        `the last layer of the Docker image is ${last.mediaType}, not ${MT.dockerLayer}`,
      );
    const wasm = await findInTarGzip(await getBlob(last), "plugin.wasm");
    if (!wasm) throw new Error("the last layer of the Docker image holds no plugin.wasm");
    return { wasm, layout: "docker-image" };
  }
  const errors: string[] = [];
  if (last.mediaType === MT.ociLayerTarGzip) {
    const wasm = await findInTarGzip(await getBlob(last), "plugin.wasm");
    if (wasm) return { wasm, layout: "oci-image" };
    errors.push("its last layer (tar+gzip) holds no plugin.wasm");
  } else errors.push(`its last layer is ${last.mediaType}, not ${MT.ociLayerTarGzip}`);
  if (manifest.layers.length === 2) {
    const layer = manifest.layers.find((l) => l.mediaType === MT.wasmContent);
    if (layer) return { wasm: await getBlob(layer), layout: "wasm-artifact" };
    errors.push(`no layer is ${MT.wasmContent}`);
  } else errors.push(`a wasm artifact has 2 layers, this image ${manifest.layers.length}`);
  throw new Error(`the image is in no layout Istio reads: ${errors.join("; ")}`);
}
