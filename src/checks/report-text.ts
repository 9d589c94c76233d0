// The human report: one PASS/FAIL line per check with its differences indented, then a summary, and the gateway's
// log tail when anything failed. Pure.
import { formatDifference } from "./difference.js";
import { tally, type SmokeReport } from "./report.js";

/** The report as lines of text, ending with a newline. */
export function renderTextReport(r: SmokeReport): string {
  const lines: string[] = [];
  const gateway = `${r.gateway.kind} ${r.gateway.image}`;
  if (r.startFailure) {
    lines.push(`ERROR the gateway (${gateway}) did not start properly`);
    lines.push(...indent(r.startFailure.message.split("\n")));
    lines.push(...indent(r.startFailure.lines, "    | "));
  }
  for (const c of r.checks) {
    lines.push(`${c.passed ? "PASS" : "FAIL"} ${c.name} (${Math.round(c.durationMs)} ms)`);
    if (c.passed) continue;
    lines.push(`    ${c.request.method} ${c.request.url}`);
    if (c.error) lines.push(`    no response: ${c.error}`);
    lines.push(...indent(c.differences.map(formatDifference)));
  }
  const { passed, failed } = tally(r);
  const notRun = r.notRun.length ? `, ${r.notRun.length} not run` : "";
  const started =
    r.startMs !== undefined ? `; gateway answered ${Math.round(r.startMs)} ms after start` : "";
  lines.push(`${passed} passed, ${failed} failed${notRun} (${gateway}${started})`);
  if ((r.startFailure || failed > 0) && r.logTail.length) {
    const n = r.logTail.length;
    lines.push(`--- gateway log (last ${n === 1 ? "line" : `${n} lines`}) ---`, ...r.logTail);
  }
  return `${lines.join("\n")}\n`;
}

function indent(lines: string[], prefix = "    "): string[] {
  return lines.map((l) => `${prefix}${l}`);
}
