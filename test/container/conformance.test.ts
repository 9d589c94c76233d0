// Conformance: the same requests on orwasm's embedded host and on a real OpenResty + wasm-nginx-module
// gateway (ORWASM_ENGINE_IMAGE) must come out the same: every check passes on both, with equal responses.
import { beforeAll, describe, expect, it } from "vitest";
import { runEmbeddedTests } from "../../src/gateway/test-run.js";
import { loadProject } from "../../src/project/load.js";
import type { Project } from "../../src/project/project.js";
import type { SmokeReport } from "../../src/smoke/report.js";
import { runSmoke } from "../../src/smoke/runner.js";
import { conformanceProject } from "../conformance/project.js";
import { dockerAvailable } from "../helpers/docker.js";
import { requireOrSkip } from "../helpers/skip.js";

process.env.TESTCONTAINERS_RYUK_DISABLED = "true";
const engineImage = process.env.ORWASM_ENGINE_IMAGE;
const docker = await dockerAvailable();
const noEngine =
  requireOrSkip(
    "engine-image",
    engineImage !== undefined,
    "ORWASM_ENGINE_IMAGE is not set: no real OpenResty + wasm-nginx-module engine image to compare with",
  ) ?? requireOrSkip("docker", docker.ok, `no Docker engine: ${docker.ok ? "" : docker.reason}`);

/** What must be equal between the two gateways, per check. */
function outcomes(r: SmokeReport) {
  return r.checks.map((c) => ({
    check: c.name,
    passed: c.passed,
    status: c.response?.status,
    probe:
      c.response?.headers["x-probe-result"] ??
      c.response?.headers["x-probe-response-result"] ??
      c.response?.headers["x-probe-body-result"],
    hello: c.response?.headers["x-hello"],
  }));
}

let project: Project;
let file: string;
let embedded: SmokeReport;
beforeAll(async () => {
  file = await conformanceProject();
  project = (await loadProject(file)).project;
  embedded = await runEmbeddedTests(project, file);
}, 600_000);

describe("conformance cases on the embedded host (wasm-nginx-module profile, WasmEdge)", () => {
  it("passes every case", () => {
    expect(
      embedded.checks
        .filter((c) => !c.passed)
        .map((c) => ({ name: c.name, differences: c.differences })),
    ).toEqual([]);
    expect(embedded.checks.length).toBe(project.data.smoke.length);
  });
});

describe.skipIf(noEngine)(
  `the same cases on the real engine ${engineImage ?? ""}${noEngine ? ` (skipped: ${noEngine})` : ""}`,
  () => {
    let real: SmokeReport;
    beforeAll(async () => {
      real = (
        await runSmoke(
          project,
          { kind: "engine-image", image: engineImage! },
          { onProgress: () => {} },
        )
      ).report;
    }, 600_000);

    it("starts, passes every case, and gives the embedded host's outcomes", () => {
      expect(real.startFailure).toBeUndefined();
      expect(outcomes(real)).toEqual(outcomes(embedded));
      expect(real.checks.every((c) => c.passed)).toBe(true);
    });
  },
);
