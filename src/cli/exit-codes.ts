// The one place that decides what exit code each failure gets.
import { OrwasmError } from "../errors.js";

export const EXIT = {
  ok: 0,
  /** Checks ran and at least one failed (smoke, test). */
  checksFailed: 1,
  usage: 2,
  config: 2,
  build: 3,
  smoke: 4,
  /** Docker does not answer or refused a call. */
  docker: 5,
  internal: 70,
} as const;

export function exitCodeFor(err: unknown): number {
  if (err instanceof OrwasmError) return EXIT[err.code];
  return EXIT.internal;
}
