// The embedded engine with one project baked in (its plugins and orwasm.yaml), the stand-in for the gateway image
// `orwasm image` builds for nginx: what a Deployment or a reload test runs when no real engine image is at hand.
import { mkdtemp, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DockerImages } from "../docker/images.js";
import type { Project } from "../project/project.js";
import { CONTAINER_APP_DIR, containerProjectYaml } from "./container-project.js";
import { ensureEmbeddedImage } from "./image.js";

/** Builds `tag` FROM the embedded-engine image with the project's .wasm files and container orwasm.yaml in /app. */
export async function buildEmbeddedGatewayImage(
  docker: DockerImages,
  project: Project,
  tag: string,
): Promise<{ ref: string; imageId: string }> {
  const base = await ensureEmbeddedImage(docker);
  const dir = await mkdtemp(join(tmpdir(), "orwasm-embedded-gw-"));
  try {
    await mkdir(join(dir, "plugins"));
    for (const p of project.plugins)
      await writeFile(join(dir, "plugins", `${p.data.name}.wasm`), await readFile(p.wasmPath));
    await writeFile(join(dir, "orwasm.yaml"), containerProjectYaml(project));
    await writeFile(
      join(dir, "Dockerfile"),
      `FROM ${base.ref}\nCOPY plugins/ ${CONTAINER_APP_DIR}/plugins/\nCOPY orwasm.yaml ${CONTAINER_APP_DIR}/orwasm.yaml\n`,
    );
    const { imageId } = await docker.build(
      { dir },
      { tag, labels: { "org.orwasm.project": project.data.name } },
    );
    return { ref: tag, imageId };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
