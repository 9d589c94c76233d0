// The machine report: the SmokeReport as JSON, with `ok`, counts and each difference's readable message added. Pure.
import { formatDifference } from "./difference.js";
import { reportOk, tally, type SmokeReport } from "./report.js";

/** Pretty-printed JSON with a trailing newline. */
export function renderJsonReport(r: SmokeReport): string {
  const out = {
    ok: reportOk(r),
    ...tally(r),
    ...r,
    checks: r.checks.map((c) => ({
      ...c,
      differences: c.differences.map((d) => ({ ...d, message: formatDifference(d) })),
    })),
  };
  return `${JSON.stringify(out, null, 2)}\n`;
}
