// Visible skips, and no silent ones in CI: a test that cannot run here says why, in its name and on stderr, and
// shows as skipped; under CI=true a missing tool the project's own setup installs is a failure instead.
import { execFileSync } from "node:child_process";

/**
 * What a test may need. Everything but `engine-image` is installed or started by scripts/setup-test-env.sh,
 * so CI must have it; a real engine image (ORWASM_ENGINE_IMAGE) is built by hand outside the repo.
 */
export type Requirement =
  | "asc"
  | "go"
  | "docker"
  | "redis"
  | "luajit"
  | "shellcheck"
  | "make"
  | "nginx"
  | "registry"
  | "engine-image";

/** True when the run is CI (CI=true or CI=1): then only a real engine image may be missing. */
export function inCi(): boolean {
  return process.env.CI === "true" || process.env.CI === "1";
}

/**
 * Returns the reason to skip, or undefined when `available`. Under CI a missing requirement other than
 * `engine-image` throws, so the test file fails instead of skipping. The reason is printed once.
 */
export function requireOrSkip(
  what: Requirement,
  available: boolean,
  reason: string,
): string | undefined {
  if (available) return undefined;
  if (what !== "engine-image" && inCi()) {
    throw new Error(
      `${what} is missing under CI=true: ${reason}. scripts/setup-test-env.sh provides it; only a real engine image may be skipped`,
    );
  }
  process.stderr.write(`[skip] ${reason}\n`);
  return reason;
}

/** True when `cmd` is on PATH. */
export function hasCommand(cmd: string): boolean {
  try {
    execFileSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}
