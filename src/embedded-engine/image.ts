// The orwasm/embedded image: the embedded engine bundle on Debian's own nodejs, built locally from
// debian:bookworm-slim (no registry), so the smoke runner can run a project's checks against it on any machine.
import { createHash } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createBuildReporter } from "../docker/build-reporter.js";
import type { DockerImages } from "../docker/images.js";
import { BASE_IMAGE } from "../upstream/echo-image.js";
import { CONTAINER_APP_DIR } from "./container-project.js";
import { loadEmbeddedBundle, type EmbeddedBundle } from "./bundle.js";
import { EMBEDDED_BUNDLE_DIR, EMBEDDED_CMD } from "./launch.js";

/** Repository part of the image reference; the tag is a hash of the bundle and the Dockerfile. */
export const EMBEDDED_IMAGE_REPO = "orwasm/embedded";

/** Label every embedded-engine image carries, so tools can find and prune them. */
export const EMBEDDED_ROLE_LABEL = { "org.orwasm.role": "embedded-engine" };

/**
 * The apt line is the echo image's, byte for byte, so both share that layer. The bundle comes after it, so a new
 * bundle rebuilds in seconds. Non-root like the echo image; /app/plugins is where a launch copies the .wasm files.
 */
export const EMBEDDED_DOCKERFILE = `FROM ${BASE_IMAGE}
RUN apt-get update \\
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nodejs \\
 && rm -rf /var/lib/apt/lists/*
RUN mkdir -p ${CONTAINER_APP_DIR}/plugins
COPY package.json serve.mjs worker-entry.js ${EMBEDDED_BUNDLE_DIR}/
WORKDIR ${CONTAINER_APP_DIR}
USER 65534:65534
EXPOSE 8080
CMD ${JSON.stringify(EMBEDDED_CMD)}
`;

/** `orwasm/embedded:<12 hex>`: changes whenever the Dockerfile or any bundle file changes. */
export function embeddedImageRef(bundle: EmbeddedBundle): string {
  const hash = createHash("sha256").update(EMBEDDED_DOCKERFILE);
  for (const name of Object.keys(bundle).sort()) hash.update(`\0${name}\0`).update(bundle[name]!);
  return `${EMBEDDED_IMAGE_REPO}:${hash.digest("hex").slice(0, 12)}`;
}

/**
 * Builds the embedded-engine image unless its tag is already present; `onLine` gets the build's progress lines.
 * Returns the reference and whether it was built now.
 */
export async function ensureEmbeddedImage(
  docker: DockerImages,
  onLine?: (line: string) => void,
): Promise<{ ref: string; built: boolean }> {
  const bundle = await loadEmbeddedBundle();
  const ref = embeddedImageRef(bundle);
  if (await docker.info(ref)) return { ref, built: false };
  const dir = await mkdtemp(join(tmpdir(), "orwasm-embedded-"));
  try {
    await writeFile(join(dir, "Dockerfile"), EMBEDDED_DOCKERFILE);
    for (const [name, text] of Object.entries(bundle)) await writeFile(join(dir, name), text);
    const reporter = onLine
      ? createBuildReporter({ write: onLine, prefix: "embedded image" })
      : undefined;
    await docker.build(
      { dir, files: ["Dockerfile", ...Object.keys(bundle)] },
      { tag: ref, labels: EMBEDDED_ROLE_LABEL },
      reporter && ((e) => reporter.onEvent(e)),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return { ref, built: true };
}
