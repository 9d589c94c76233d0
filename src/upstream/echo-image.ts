// The orwasm/echo image: the echo upstream on Debian's own nodejs, built locally from debian:bookworm-slim (no registry).
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { BuildEvent } from "../docker/build-events.js";
import type { DockerImages } from "../docker/images.js";
import { ECHO_PORT } from "./echo-server.js";

/** Repository part of the echo image reference; the tag is a hash of what goes into the image. */
export const ECHO_IMAGE_REPO = "orwasm/echo";

/** The local base every orwasm image starts from (made by scripts/docker-up.sh). */
export const BASE_IMAGE = "debian:bookworm-slim";

/** Label every echo image carries, so tools can find and prune them. */
export const ECHO_ROLE_LABEL = { "org.orwasm.role": "echo-upstream" };

/**
 * Debian's nodejs (apt, from the mirror baked into the base image) rather than the host's node binary: a copied binary
 * only runs when the host's glibc and shared libraries match the image, Debian's package always does. The apt layer
 * comes before the script so editing the server rebuilds in seconds.
 */
export const ECHO_DOCKERFILE = `FROM ${BASE_IMAGE}
RUN apt-get update \\
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nodejs \\
 && rm -rf /var/lib/apt/lists/*
COPY echo-server.mjs /srv/echo/echo-server.mjs
USER 65534:65534
ENV PORT=${ECHO_PORT}
EXPOSE ${ECHO_PORT}
CMD ["node", "/srv/echo/echo-server.mjs"]
`;

/** `orwasm/echo:<12 hex>`: changes whenever the Dockerfile or the server script changes. */
export function echoImageRef(script: string): string {
  const hash = createHash("sha256")
    .update(ECHO_DOCKERFILE)
    .update("\0")
    .update(script)
    .digest("hex");
  return `${ECHO_IMAGE_REPO}:${hash.slice(0, 12)}`;
}

/**
 * The echo server as plain JavaScript: the compiled sibling when orwasm runs from dist/, else the TypeScript source
 * with its types stripped (running from a checkout, as the tests do).
 */
export async function echoServerScript(): Promise<string> {
  const compiled = fileURLToPath(new URL("./echo-server.js", import.meta.url));
  if (existsSync(compiled)) return readFile(compiled, "utf8");
  const source = await readFile(
    fileURLToPath(new URL("./echo-server.ts", import.meta.url)),
    "utf8",
  );
  const ts = await import("typescript");
  return ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  }).outputText;
}

/** Builds the echo image unless its tag is already present; returns its reference and whether it was built now. */
export async function ensureEchoImage(
  docker: DockerImages,
  opts: { onEvent?: (e: BuildEvent) => void } = {},
): Promise<{ ref: string; built: boolean }> {
  const script = await echoServerScript();
  const ref = echoImageRef(script);
  if (await docker.info(ref)) return { ref, built: false };
  const dir = await mkdtemp(join(tmpdir(), "orwasm-echo-"));
  try {
    await writeFile(join(dir, "Dockerfile"), ECHO_DOCKERFILE);
    await writeFile(join(dir, "echo-server.mjs"), script);
    await docker.build(
      { dir, files: ["Dockerfile", "echo-server.mjs"] },
      { tag: ref, labels: ECHO_ROLE_LABEL },
      opts.onEvent,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return { ref, built: true };
}
