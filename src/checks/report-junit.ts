// The CI report: JUnit XML (one testsuite, one testcase per check; failures carry the differences and the gateway log
// tail as system-out; a gateway that did not start is an <error> testcase and the checks are <skipped>). Pure.
import { formatDifference } from "./difference.js";
import { tally, type CheckResult, type SmokeReport } from "./report.js";

/** The XML document, UTF-8, with a trailing newline. */
export function renderJunitReport(r: SmokeReport): string {
  const classname = `orwasm.smoke.${r.project}`;
  const cases: string[] = [];
  if (r.startFailure) {
    const detail = [r.startFailure.message, ...r.startFailure.lines].join("\n");
    cases.push(
      testcase(classname, "the gateway starts", (r.startMs ?? 0) / 1000, [
        `<error message="${attr(firstLine(r.startFailure.message))}" type="GatewayStartFailure">${text(detail)}</error>`,
        systemOut(r.logTail),
      ]),
    );
  }
  for (const c of r.checks) {
    cases.push(testcase(classname, c.name, c.durationMs / 1000, checkBody(c, r.logTail)));
  }
  for (const name of r.notRun) {
    cases.push(testcase(classname, name, 0, [`<skipped message="the gateway did not start"/>`]));
  }
  const errors = (r.startFailure ? 1 : 0) + r.checks.filter((c) => !c.passed && c.error).length;
  const failures = r.checks.filter((c) => !c.passed && !c.error).length;
  const time = seconds((r.startMs ?? 0) + r.checks.reduce((sum, c) => sum + c.durationMs, 0));
  const counts = `tests="${cases.length}" failures="${failures}" errors="${errors}" skipped="${r.notRun.length}" time="${time}"`;
  const { passed } = tally(r);
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites name="orwasm smoke" ${counts}>`,
    `  <testsuite name="${attr(r.project)}" ${counts}>`,
    `    <properties>`,
    `      <property name="project.file" value="${attr(r.file)}"/>`,
    `      <property name="gateway.kind" value="${attr(r.gateway.kind)}"/>`,
    `      <property name="gateway.image" value="${attr(r.gateway.image)}"/>`,
    `      <property name="gateway.startMs" value="${r.startMs === undefined ? "" : Math.round(r.startMs)}"/>`,
    `      <property name="passed" value="${passed}"/>`,
    `    </properties>`,
    ...cases.map((c) => `    ${c}`),
    `  </testsuite>`,
    `</testsuites>`,
    "",
  ].join("\n");
}

function checkBody(c: CheckResult, logTail: string[]): string[] {
  if (c.passed) return [];
  const request = `${c.request.method} ${c.request.url}`;
  if (c.error) {
    return [
      `<error message="${attr(`no response: ${c.error}`)}" type="NoResponse">${text(request)}</error>`,
      systemOut(logTail),
    ];
  }
  const messages = c.differences.map(formatDifference);
  return [
    `<failure message="${attr(messages[0] ?? "failed")}" type="SmokeCheckFailed">${text([request, ...messages].join("\n"))}</failure>`,
    systemOut(logTail),
  ];
}

function testcase(classname: string, name: string, time: number, body: string[]): string {
  const open = `<testcase classname="${attr(classname)}" name="${attr(name)}" time="${seconds(time * 1000)}"`;
  const inner = body.filter(Boolean);
  return inner.length ? `${open}>${inner.join("")}</testcase>` : `${open}/>`;
}

function systemOut(lines: string[]): string {
  return lines.length ? `<system-out>${text(lines.join("\n"))}</system-out>` : "";
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

function firstLine(s: string): string {
  return s.split("\n")[0] ?? "";
}

/** Characters XML 1.0 cannot carry at all (even as references), e.g. the ESC of terminal colours: shown as \xNN. */
const NOT_XML =
  // eslint-disable-next-line no-control-regex
  /[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function visible(s: string): string {
  return s.replace(
    NOT_XML,
    (c) => `\\x${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`,
  );
}

/** Escaped element text. */
export function text(s: string): string {
  return visible(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Escaped attribute value; tabs and newlines become references so attribute normalisation keeps them. */
export function attr(s: string): string {
  return text(s)
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;")
    .replace(/\t/g, "&#9;")
    .replace(/\n/g, "&#10;")
    .replace(/\r/g, "&#13;");
}
