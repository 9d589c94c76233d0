// The images part of the one Docker client, for commands that only build or probe (connected on first use).
import type { DockerImages } from "../docker/images.js";

/** Connects (importing testcontainers only now: it takes half a second) and returns the images client. */
export async function dockerImages(): Promise<DockerImages> {
  const { connectDocker } = await import("../docker/client-dockerode.js");
  return (await connectDocker()).images;
}
