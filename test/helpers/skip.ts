// Visible skips: a test that cannot run here says why, in its name and on stderr, and shows as skipped in the summary.
import { execFileSync } from "node:child_process";

/** Returns the reason to skip, or undefined when `cond` holds; logs the reason once. */
export function skipReason(cond: boolean, reason: string): string | undefined {
  if (cond) return undefined;
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
