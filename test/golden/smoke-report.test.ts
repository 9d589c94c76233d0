// Golden files for the smoke report renderers: each file under __snapshots__/ is reviewed like code.
import { describe, expect, it } from "vitest";
import type { SmokeReport } from "../../src/checks/report.js";
import { renderJsonReport } from "../../src/checks/report-json.js";
import { renderJunitReport } from "../../src/checks/report-junit.js";
import { renderTextReport } from "../../src/checks/report-text.js";

const ran: SmokeReport = {
  project: "deny-list",
  file: "examples/deny-list/orwasm.yaml",
  gateway: { kind: "engine-image", image: "my-engine:1.0" },
  startMs: 649.2,
  checks: [
    {
      name: "an allowed path reaches the upstream",
      request: {
        method: "GET",
        path: "/public/page",
        server: 0,
        url: "http://localhost:32773/public/page",
      },
      passed: true,
      differences: [],
      durationMs: 6.1,
    },
    {
      name: "a denied prefix is answered by the plugin",
      request: {
        method: "GET",
        path: "/admin/users",
        server: 0,
        url: "http://localhost:32773/admin/users",
      },
      passed: false,
      differences: [
        { subject: "status", expected: "403", got: "200" },
        { subject: "header content-type", expected: '"text/plain"', got: '"application/json"' },
      ],
      durationMs: 3.4,
    },
    {
      name: 'a slow upstream <answers> in time & "quotes"',
      request: { method: "POST", path: "/slow", server: 1, url: "http://localhost:32774/slow" },
      passed: false,
      differences: [],
      error: "timed out after 10000 ms",
      durationMs: 10002,
    },
  ],
  notRun: [],
  logTail: [
    "2026/11/22 16:34:22 [notice] 1#1: start worker process 7",
    "2026/11/22 16:34:22 [info] 7#7: loaded wasm plugin",
    '172.18.0.1 - - [22/Nov/2026:16:34:22 +0000] "GET /admin/users HTTP/1.1" 200 133 "-" "-"',
  ],
};

const startFailed: SmokeReport = {
  project: "add-header",
  file: "orwasm.yaml",
  gateway: { kind: "image", image: "gw:dev" },
  checks: [],
  notRun: ["the response carries x-hello"],
  startFailure: {
    message:
      "the gateway answers, but plugin add_header could not be loaded or configured, so every route using it fails",
    lines: [
      "[2026-11-22 16:34:22.101] [error] instantiation failed: unknown import, Code: 0x62",
      "2026/11/22 16:34:22 [error] 7#7: orwasm: plugin add_header failed to load from /usr/share/nginx/wasm/add_header.wasm: failed to load wasm plugin",
    ],
  },
  logTail: [
    "[2026-11-22 16:34:22.101] [error] instantiation failed: unknown import, Code: 0x62",
    "2026/11/22 16:34:22 [error] 7#7: orwasm: plugin add_header failed to load from /usr/share/nginx/wasm/add_header.wasm: failed to load wasm plugin",
  ],
};

describe("smoke report golden files", () => {
  it("text: passes, a failure with differences, a check without response", async () => {
    await expect(renderTextReport(ran)).toMatchFileSnapshot("./__snapshots__/smoke-report.txt");
  });
  it("JSON", async () => {
    await expect(renderJsonReport(ran)).toMatchFileSnapshot("./__snapshots__/smoke-report.json");
  });
  it("JUnit: failure, error (no response), escaping", async () => {
    await expect(renderJunitReport(ran)).toMatchFileSnapshot("./__snapshots__/smoke-report.xml");
  });
  it("JUnit: a gateway whose plugin did not load", async () => {
    await expect(renderJunitReport(startFailed)).toMatchFileSnapshot(
      "./__snapshots__/smoke-report-start-failure.xml",
    );
  });
  it("text: a gateway whose plugin did not load", async () => {
    await expect(renderTextReport(startFailed)).toMatchFileSnapshot(
      "./__snapshots__/smoke-report-start-failure.txt",
    );
  });
});
