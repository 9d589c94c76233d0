// The media types of the plugin image layouts Istio and Higress read (istio/istio pkg/wasm, Higress' plugin builds).
export const MT = {
  ociManifest: "application/vnd.oci.image.manifest.v1+json",
  ociIndex: "application/vnd.oci.image.index.v1+json",
  ociConfig: "application/vnd.oci.image.config.v1+json",
  ociLayerTarGzip: "application/vnd.oci.image.layer.v1.tar+gzip",
  dockerManifest: "application/vnd.docker.distribution.manifest.v2+json",
  dockerManifestList: "application/vnd.docker.distribution.manifest.list.v2+json",
  dockerConfig: "application/vnd.docker.container.image.v1+json",
  dockerLayer: "application/vnd.docker.image.rootfs.diff.tar.gzip",
  wasmConfig: "application/vnd.module.wasm.config.v1+json",
  wasmContent: "application/vnd.module.wasm.content.layer.v1+wasm",
  higressSpec: "application/vnd.module.wasm.spec.v1+yaml",
  higressReadme: "application/vnd.module.wasm.doc.v1+markdown",
} as const;

/** Every manifest type orwasm asks a registry for (the Accept header of a manifest GET). */
export const MANIFEST_ACCEPT = [
  MT.ociManifest,
  MT.dockerManifest,
  MT.ociIndex,
  MT.dockerManifestList,
].join(", ");

/** A content descriptor, as manifests list their config and layers. */
export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
}

/** An image manifest (OCI or Docker schema 2: both have this shape). */
export interface ImageManifest {
  schemaVersion: 2;
  mediaType?: string;
  config: Descriptor;
  layers: Descriptor[];
  annotations?: Record<string, string>;
}
