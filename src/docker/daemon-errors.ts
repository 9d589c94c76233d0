// Reading dockerode's errors: the HTTP status and the daemon's own message.

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
