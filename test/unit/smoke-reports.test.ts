// The three report formats of a smoke run: what a person reads, what a machine parses, what CI (JUnit) shows.
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { describe, expect, it } from "vitest";
import type { SmokeReport } from "../../src/checks/report.js";
import { renderJsonReport } from "../../src/checks/report-json.js";
import { renderJunitReport } from "../../src/checks/report-junit.js";
import { renderTextReport } from "../../src/checks/report-text.js";

const ran: SmokeReport = {
  project: "deny-list",
  file: "examples/deny-list/orwasm.yaml",
  gateway: { kind: "engine-image", image: "engine:1" },
  startMs: 812.4,
  checks: [
    {
      name: "an allowed path reaches the upstream",
      request: { method: "GET", path: "/public", server: 0, url: "http://localhost:32768/public" },
      passed: true,
      differences: [],
      durationMs: 7.6,
    },
    {
      name: "a denied prefix is answered by the plugin",
      request: { method: "GET", path: "/admin", server: 0, url: "http://localhost:32768/admin" },
      passed: false,
      differences: [
        { subject: "status", expected: "403", got: "200" },
        { subject: "body", expected: '"denied"', got: '"{}"' },
      ],
      durationMs: 3.2,
    },
  ],
  notRun: [],
  logTail: ["2026/01/01 00:00:00 [notice] 1#1: start worker processes", "GET /admin 200"],
};

const startFailed: SmokeReport = {
  project: "deny-list",
  file: "orwasm.yaml",
  gateway: { kind: "engine-image", image: "engine:1" },
  checks: [],
  notRun: ["first check", "second check"],
  startFailure: {
    message: 'nginx exited with status 1 before answering: [emerg] unknown directive "wasm_vm"',
    lines: [
      '2026/01/01 00:00:00 [emerg] 1#1: unknown directive "wasm_vm" in /etc/nginx/nginx.conf:12',
    ],
  },
  logTail: [
    '2026/01/01 00:00:00 [emerg] 1#1: unknown directive "wasm_vm" in /etc/nginx/nginx.conf:12',
  ],
};

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "@" });
type Case = Record<string, unknown> & { "@name": string };
function junit(r: SmokeReport) {
  const xml = renderJunitReport(r);
  expect(XMLValidator.validate(xml)).toBe(true);
  const doc = parser.parse(xml) as {
    testsuites: Record<string, string> & {
      testsuite: Record<string, string> & { testcase: Case | Case[] };
    };
  };
  const suite = doc.testsuites.testsuite;
  const cases = Array.isArray(suite.testcase) ? suite.testcase : [suite.testcase];
  return { doc, suite, cases };
}

describe("text report", () => {
  it("prints PASS/FAIL per check, the failing request and differences indented, a summary and the log tail", () => {
    expect(renderTextReport(ran)).toBe(
      [
        "PASS an allowed path reaches the upstream (8 ms)",
        "FAIL a denied prefix is answered by the plugin (3 ms)",
        "    GET http://localhost:32768/admin",
        "    status: expected 403, got 200",
        '    body: expected "denied", got "{}"',
        "1 passed, 1 failed (engine-image engine:1; gateway answered 812 ms after start)",
        "--- gateway log (last 2 lines) ---",
        "2026/01/01 00:00:00 [notice] 1#1: start worker processes",
        "GET /admin 200",
        "",
      ].join("\n"),
    );
  });
  it("leaves the log out when everything passed", () => {
    const ok = { ...ran, checks: [ran.checks[0]!] };
    expect(renderTextReport(ok)).toBe(
      "PASS an allowed path reaches the upstream (8 ms)\n1 passed, 0 failed (engine-image engine:1; gateway answered 812 ms after start)\n",
    );
  });
  it("a gateway that did not start is an ERROR with its log lines, and the checks count as not run", () => {
    const out = renderTextReport(startFailed);
    expect(out).toContain("ERROR the gateway (engine-image engine:1) did not start properly\n");
    expect(out).toContain('    | 2026/01/01 00:00:00 [emerg] 1#1: unknown directive "wasm_vm"');
    expect(out).toContain("0 passed, 0 failed, 2 not run (engine-image engine:1)\n");
  });
});

describe("JSON report", () => {
  it("has ok, the counts, and each difference with its readable message", () => {
    const j = JSON.parse(renderJsonReport(ran)) as {
      ok: boolean;
      passed: number;
      failed: number;
      checks: { differences: { message: string }[] }[];
    };
    expect(j.ok).toBe(false);
    expect([j.passed, j.failed]).toEqual([1, 1]);
    expect(j.checks[1]!.differences.map((d) => d.message)).toEqual([
      "status: expected 403, got 200",
      'body: expected "denied", got "{}"',
    ]);
  });
});

describe("JUnit report (parsed back with fast-xml-parser)", () => {
  it("one testcase per check; the failure carries every difference and the log tail as system-out", () => {
    const { suite, cases } = junit(ran);
    expect(suite["@tests"]).toBe("2");
    expect(suite["@failures"]).toBe("1");
    expect(suite["@errors"]).toBe("0");
    expect(cases.map((c) => c["@name"])).toEqual([
      "an allowed path reaches the upstream",
      "a denied prefix is answered by the plugin",
    ]);
    expect(cases[0]!.failure).toBeUndefined();
    const failure = cases[1]!.failure as Record<string, string>;
    expect(failure["@message"]).toBe("status: expected 403, got 200");
    expect(failure["#text"]).toBe(
      'GET http://localhost:32768/admin\nstatus: expected 403, got 200\nbody: expected "denied", got "{}"',
    );
    expect(cases[1]!["system-out"]).toBe(
      "2026/01/01 00:00:00 [notice] 1#1: start worker processes\nGET /admin 200",
    );
    expect(cases[1]!["@time"]).toBe("0.003");
  });

  it("markup characters in names and logs survive the round trip; characters XML cannot hold show as \\xNN", () => {
    const nasty = "a <b> & \"c\" 'd' ]]>";
    const r: SmokeReport = {
      ...ran,
      project: nasty,
      checks: [{ ...ran.checks[1]!, name: nasty }],
      logTail: ["\u001b[31mred\u001b[0m <tag> & done", "tab\there"],
    };
    const { suite, cases } = junit(r);
    expect(suite["@name"]).toBe(nasty);
    expect(cases[0]!["@name"]).toBe(nasty);
    expect(cases[0]!["system-out"]).toBe("\\x1B[31mred\\x1B[0m <tag> & done\ntab\there");
  });

  it("a gateway that did not start is one <error> testcase with the log, and every check is <skipped>", () => {
    const { suite, cases } = junit(startFailed);
    expect([suite["@tests"], suite["@errors"], suite["@skipped"], suite["@failures"]]).toEqual([
      "3",
      "1",
      "2",
      "0",
    ]);
    const error = cases[0]!.error as Record<string, string>;
    expect(cases[0]!["@name"]).toBe("the gateway starts");
    expect(error["@type"]).toBe("GatewayStartFailure");
    expect(error["@message"]).toContain('unknown directive "wasm_vm"');
    expect(String(cases[0]!["system-out"])).toContain("[emerg]");
    expect(cases.slice(1).map((c) => c["@name"])).toEqual(["first check", "second check"]);
    expect(cases.slice(1).every((c) => c.skipped !== undefined)).toBe(true);
  });
});
