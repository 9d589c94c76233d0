// Whether container tests can run here, and why not: reads scripts/docker-up.sh's marker, then asks the daemon itself.
import { readFileSync } from "node:fs";
import Docker from "dockerode";
import type { DockerClient } from "../../src/docker/client.js";
import { connectDocker } from "../../src/docker/client-dockerode.js";

/** The marker file scripts/docker-up.sh writes (with the reason) when it cannot make Docker usable. */
export const DOCKER_MARKER = process.env.ORWASM_DOCKER_MARKER ?? "/tmp/orwasm-docker-unavailable";

/** The base image container tests build from. */
const BASE_IMAGE = "debian:bookworm-slim";

// testcontainers would otherwise try to pull its reaper image, and no registry is reachable.
process.env.TESTCONTAINERS_RYUK_DISABLED ??= "true";

let cached: Promise<{ ok: true } | { ok: false; reason: string }> | undefined;

/** `{ok: true}` when the daemon answers and the base image is present; otherwise the reason to put in a skip. */
export function dockerAvailable(): Promise<{ ok: true } | { ok: false; reason: string }> {
  cached ??= probe();
  return cached;
}

async function probe(): Promise<{ ok: true } | { ok: false; reason: string }> {
  let marker: string | undefined;
  try {
    marker = readFileSync(DOCKER_MARKER, "utf8").trim();
  } catch {
    // no marker: docker-up.sh did not give up (or did not run)
  }
  if (marker)
    return {
      ok: false,
      reason: `Docker unavailable: ${marker} (from ${DOCKER_MARKER}; rerun scripts/docker-up.sh)`,
    };
  const docker = new Docker();
  try {
    await withTimeout(docker.ping(), 5000);
  } catch (err) {
    return {
      ok: false,
      reason: `Docker daemon does not answer (${(err as Error).message}); run scripts/docker-up.sh`,
    };
  }
  try {
    await docker.getImage(BASE_IMAGE).inspect();
  } catch {
    return { ok: false, reason: `base image ${BASE_IMAGE} is missing; run scripts/docker-up.sh` };
  }
  return { ok: true };
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms);
    p.then(
      (v) => (clearTimeout(t), resolve(v)),
      (e: unknown) => (clearTimeout(t), reject(e instanceof Error ? e : new Error(String(e)))),
    );
  });
}

/**
 * The one Docker client for container tests: connected only when Docker is available; otherwise (the suite is
 * skipped) a client whose every use throws the reason, so a file can hold it at top level either way.
 */
export async function testDocker(): Promise<DockerClient> {
  const avail = await dockerAvailable();
  if (avail.ok) return connectDocker();
  const reason = avail.reason;
  const refuse: ProxyHandler<object> = {
    get: () => {
      throw new Error(reason);
    },
  };
  return new Proxy({}, refuse) as DockerClient;
}
