// What a smoke run found, the one model every report format (text, JSON, JUnit) renders. Pure data.
import type { Difference } from "./difference.js";
import type { SmokeResponse } from "./checks.js";

/** One check's outcome. */
export interface CheckResult {
  name: string;
  request: { method: string; path: string; server: number; url: string };
  passed: boolean;
  /** Empty when it passed. */
  differences: Difference[];
  /** Set when no response came back at all (connection refused, reset, timeout). */
  error?: string;
  response?: SmokeResponse;
  durationMs: number;
}

/** The gateway that was tested, as reports name it. */
export interface GatewayLabel {
  kind: string;
  image: string;
}

/** Why the gateway never became ready to test, with the log lines that say so. */
export interface StartFailureInfo {
  message: string;
  /** The log lines that explain it (nginx emerg/alert, orwasm's plugin load errors, the VM's own errors). */
  lines: string[];
}

/** A whole smoke run. */
export interface SmokeReport {
  /** The project's name (`name:` in orwasm.yaml). */
  project: string;
  /** The project file as the user named it. */
  file: string;
  gateway: GatewayLabel;
  /** Milliseconds from creating the first container until the gateway answered (absent when it never did). */
  startMs?: number;
  /** Same order as the project's `smoke` list; empty when the gateway did not start. */
  checks: CheckResult[];
  /** The names of the checks when the gateway did not start (they never ran). */
  notRun: string[];
  startFailure?: StartFailureInfo;
  /** The gateway container's last log lines (error log and access log), for failures. */
  logTail: string[];
}

/** Counts for summaries. */
export function tally(r: SmokeReport): { passed: number; failed: number } {
  const passed = r.checks.filter((c) => c.passed).length;
  return { passed, failed: r.checks.length - passed };
}

/** True when every check ran and passed. */
export function reportOk(r: SmokeReport): boolean {
  return !r.startFailure && r.checks.every((c) => c.passed);
}
