// Docker's failures, classified once: the HTTP status, the daemon's own message, and the one error class they become.
import { DockerError } from "../errors.js";

/** The HTTP status of a failed Docker API call (404: no such image/container). */
export function statusOf(err: unknown): number | undefined {
  const s = (err as { statusCode?: unknown } | null)?.statusCode;
  return typeof s === "number" ? s : undefined;
}

/** dockerode errors carry the daemon's JSON reply in `json.message`; prefer it over the generic HTTP text. */
export function describeDockerError(err: unknown): string {
  const json = (err as { json?: { message?: unknown } } | null)?.json;
  if (json && typeof json.message === "string") return json.message;
  return err instanceof Error ? err.message : String(err);
}

/** How to get a daemon, said once for every "does not answer". */
export const START_DOCKER_HINT = "start it, e.g. with scripts/docker-up.sh";

/** True when the failure means no daemon answered at all (socket missing, refused, timed out). */
export function daemonUnreachable(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return (
    typeof code === "string" &&
    ["ECONNREFUSED", "ENOENT", "EACCES", "ETIMEDOUT", "ECONNRESET", "EHOSTUNREACH"].includes(code)
  );
}

/** Every failed Docker call becomes this: what orwasm tried, and what the daemon (or its absence) said. */
export function dockerFailure(what: string, err: unknown): DockerError {
  if (err instanceof DockerError) return err;
  const detail = daemonUnreachable(err)
    ? `Docker does not answer (${describeDockerError(err)}); ${START_DOCKER_HINT}`
    : describeDockerError(err);
  return new DockerError(`${what}: ${detail}`, { cause: err });
}
