// A plugin that would take a real nginx worker down (a crash in the module's C code, or the Lua driver's endless
// loop) fails `orwasm test` whatever its failure policy, gets a 502 and an error line from `orwasm dev`, and is
// flagged by the audit where the module's imports and exports show it.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDevServer, type DevServer } from "../../src/gateway/dev-server.js";
import { ascBin, buildFixture } from "../fixtures/host-plugins/build.js";
import { runCli } from "../helpers/cli.js";
import { requireOrSkip } from "../helpers/skip.js";
import { proxyWasm } from "../helpers/wat.js";

const noAsc = requireOrSkip(
  "asc",
  ascBin() !== undefined,
  "AssemblyScript 0.14 is not installed (npm install)",
);

const PROJECT = `gateway: { errorLogLevel: crit }
plugins:
  - { name: open_probe, rootId: probe, file: probe.wasm, failure: open }
  - { name: closed_probe, rootId: probe, file: probe.wasm, failure: { policy: closed, status: 503 } }
upstreams:
  - { name: backend, servers: ["backend:8080"], mock: echo }
servers:
  - routes:
      - { path: /open, upstream: backend, plugins: [open_probe] }
      - { path: /closed, upstream: backend, plugins: [closed_probe] }
`;

describe.skipIf(noAsc)(`crash and hang reporting${noAsc ? ` (skipped: ${noAsc})` : ""}`, () => {
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "orwasm-fatal-"));
    writeFileSync(join(dir, "probe.wasm"), await buildFixture("probe"));
  }, 300_000);

  it("orwasm test fails a fail-open case that would crash or hang the worker, even when its expectations hold", async () => {
    writeFileSync(
      join(dir, "orwasm.yaml"),
      `${PROJECT}smoke:
  - name: pause without a call on a fail-open route
    request: { path: /open/p, headers: { x-probe: "ret:1" } }
    expect: { status: 200 }
tests:
  - name: return code 3 on a fail-open plugin
    plugins: [open_probe]
    request: { path: /h, headers: { x-probe: "ret:3" } }
    expect: { status: 200 }
  - name: http call with no headers on a fail-closed plugin
    plugins: [closed_probe]
    request: { path: /n, headers: { x-probe: "http_call_noheaders:auth:9000" } }
    httpCalls: { "auth:9000": { status: 200 } }
    expect: { status: 503 }
  - name: a plain request passes
    plugins: [open_probe]
    request: { path: /ok }
    expect: { status: 200 }
`,
    );
    const r = await runCli(["test", dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /FAIL pause without a call on a fail-open route .*\n.*\n {4}no response: would crash the nginx worker: plugin probe, request_headers: the callback returned 1 \(Pause\) without a pending proxy_http_call/,
    );
    expect(r.stdout).toMatch(
      /FAIL return code 3 on a fail-open plugin .*\n.*\n {4}no response: would hang the nginx worker: plugin probe, request_headers: the callback returned 3/,
    );
    expect(r.stdout).toMatch(
      /FAIL http call with no headers on a fail-closed plugin .*\n.*\n {4}no response: would crash the nginx worker: plugin probe, request_headers: proxy_http_call was given no headers/,
    );
    expect(r.stdout).toMatch(/PASS a plain request passes/);
    expect(r.stdout).toMatch(/1 passed, 3 failed/);
    const json = await runCli(["test", dir, "--report", "json"]);
    const report = JSON.parse(json.stdout) as {
      checks: { name: string; passed: boolean; error?: string }[];
    };
    expect(report.checks.filter((c) => c.error?.startsWith("would ")).map((c) => c.name)).toEqual([
      "pause without a call on a fail-open route",
      "return code 3 on a fail-open plugin",
      "http call with no headers on a fail-closed plugin",
    ]);
  }, 120_000);

  describe("orwasm dev", () => {
    let dev: DevServer;
    const logs: string[] = [];
    beforeAll(async () => {
      writeFileSync(join(dir, "orwasm.yaml"), PROJECT);
      dev = await startDevServer(join(dir, "orwasm.yaml"), {
        port: 0,
        watch: false,
        log: (l) => void logs.push(l),
      });
    }, 120_000);
    afterAll(() => dev?.close());

    for (const [route, probe, text] of [
      ["/open", "ret:1", "would crash the nginx worker"],
      ["/closed", "ret:1", "would crash the nginx worker"],
      ["/open", "ret:42", "would hang the nginx worker"],
    ] as const)
      it(`answers 502 and logs "${text}" at error on ${route} (${probe}), though the log level is crit`, async () => {
        logs.length = 0;
        const res = await fetch(`${dev.urls[0]}${route}/x`, { headers: { "x-probe": probe } });
        expect(res.status).toBe(502);
        expect(await res.text()).toContain(text);
        expect(logs.some((l) => l.startsWith("  [error] orwasm: ") && l.includes(text))).toBe(true);
        expect(logs.some((l) => l.includes(`${route}/x -> 502 (fatal)`))).toBe(true);
      });

    it("serves the next request normally", async () => {
      const res = await fetch(`${dev.urls[0]}/open/y`);
      expect(res.status).toBe(200);
    });
  });
});

describe("the audit", () => {
  const dir = mkdtempSync(join(tmpdir(), "orwasm-fatal-audit-"));
  const I32x = (n: number) => `(param ${Array(n).fill("i32").join(" ")}) (result i32)`;

  it("notes that a request callback with no proxy_http_call import would crash the worker if it returns Pause", async () => {
    const p = join(dir, "pause.wasm");
    writeFileSync(p, proxyWasm(["proxy_on_request_headers", "proxy_on_request_body"]));
    const r = await runCli(["inspect", p]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      "note    exports proxy_on_request_body, proxy_on_request_headers but imports no proxy_http_call: if it returns Pause (1), would crash the nginx worker",
    );
  });

  it("does not warn when the plugin imports proxy_http_call (Pause then waits for its call) or has no request callback", async () => {
    const withCall = join(dir, "call.wasm");
    writeFileSync(
      withCall,
      proxyWasm(["proxy_on_request_headers"], { "env.proxy_http_call": I32x(10) }),
    );
    const responseOnly = join(dir, "resp.wasm");
    writeFileSync(responseOnly, proxyWasm(["proxy_on_response_headers"]));
    for (const p of [withCall, responseOnly]) {
      const r = await runCli(["inspect", p]);
      expect(r.stdout).not.toContain("would crash the nginx worker");
    }
  });
});
