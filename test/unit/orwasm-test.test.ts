// `orwasm test`: smoke checks and plugin test cases in the embedded host, as a user runs them.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { XMLParser } from "fast-xml-parser";
import { beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { buildFixture } from "../fixtures/host-plugins/build.js";

describe("orwasm test", () => {
  it("passes both examples' smoke checks and plugin tests, exit 0", async () => {
    for (const ex of ["add-header", "deny-list"]) {
      const r = await runCli(["test", `examples/${ex}`]);
      expect({ ex, code: r.code, failed: r.stdout.match(/^FAIL .*/gm) }).toEqual({
        ex,
        code: 0,
        failed: null,
      });
      expect(r.stdout).toMatch(/\d+ passed, 0 failed \(embedded/);
    }
  }, 300_000);

  describe("on a project whose expectations are wrong", () => {
    let dir: string;
    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), "orwasm-test-cmd-"));
      writeFileSync(join(dir, "probe.wasm"), await buildFixture("probe"));
      writeFileSync(
        join(dir, "orwasm.yaml"),
        `plugins:
  - { name: probe, file: probe.wasm }
upstreams:
  - { name: backend, servers: ["backend:8080"], mock: echo }
servers:
  - routes: [{ path: /, upstream: backend, plugins: [probe] }]
smoke:
  - name: smoke expects a header the route does not add
    request: { path: /x }
    expect: { status: 200, headers: { x-missing: yes } }
tests:
  - name: http call goes where the canned answer waits
    plugins: [probe]
    request: { path: /call, headers: { x-probe: "http_call:auth.internal:9000" } }
    httpCalls:
      "auth.internal:9000": { status: 200, body: "allowed" }
    expect:
      status: 200
      headers: { x-call-status: "200 allowed" }
      httpCalls: [{ upstream: "auth.internal:9000", method: POST, path: /cb, headers: { x-a: "1" } }]
  - name: wrong on purpose
    plugins: [probe]
    request: { path: /y, headers: { x-probe: "trap" } }
    expect:
      status: 200
      reachedUpstream: true
      logs: [{ level: info, matches: "never logged" }]
      httpCalls: [{ upstream: "nowhere:1" }]
`,
      );
    }, 300_000);

    it("exits 1 and names each failed check with what differed", async () => {
      const r = await runCli(["test", dir]);
      expect(r.code).toBe(1);
      expect(r.stdout).toContain("FAIL smoke expects a header the route does not add");
      expect(r.stdout).toContain('header x-missing: expected "yes", got (absent)');
      expect(r.stdout).toContain("PASS http call goes where the canned answer waits");
      expect(r.stdout).toContain("FAIL wrong on purpose");
      expect(r.stdout).toContain("status: expected 200, got 503"); // the default fail-closed status
      expect(r.stdout).toContain("upstream: expected (reached), got (not reached: failure-policy)");
      expect(r.stdout).toMatch(/log: expected a info line matching \/never logged\//);
      expect(r.stdout).toContain("http calls: expected 1, got 0 (none)");
      expect(r.stdout).toContain("1 passed, 2 failed");
    }, 120_000);

    it("--json prints the report as JSON on stdout, naming the failed checks", async () => {
      const r = await runCli(["test", dir, "--json"]);
      expect(r.code).toBe(1);
      const report = JSON.parse(r.stdout) as { checks: { name: string; passed: boolean }[] };
      expect(report.checks.filter((c) => !c.passed).map((c) => c.name)).toEqual([
        "smoke expects a header the route does not add",
        "wrong on purpose",
      ]);
    }, 120_000);

    it("writes a JUnit report that parses, with one failure per failed check", async () => {
      const out = join(dir, "report.xml");
      const r = await runCli(["test", dir, "--report", "junit", "-o", out]);
      expect(r.code).toBe(1);
      const xml = new XMLParser({ ignoreAttributes: false }).parse(readFileSync(out, "utf8"));
      const suite = xml.testsuites?.testsuite ?? xml.testsuite;
      expect(Number(suite["@_tests"])).toBe(3);
      expect(Number(suite["@_failures"])).toBe(2);
    }, 120_000);
  });
});
