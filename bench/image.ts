// Benchmark: `orwasm image` cold (Docker cache ignored) versus the warm rebuild after a plugin-only change.
// The engine is built from TEST-MADE source tarballs (test/fixtures/fake-engine-sources.ts): what is measured is
// orwasm's context preparation and the layer caching, not a real OpenResty compile.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { connectDocker } from "../src/docker/client-dockerode.js";
import { buildGatewayImage, engineStepsRebuilt } from "../src/engine/image.js";
import { serializeLockfile } from "../src/engine/lockfile.js";
import { parseMirror } from "../src/engine/obtain.js";
import { readLockfile } from "../src/engine/project-file.js";
import { loadProject } from "../src/app/load-project.js";
import { FAKE_VERSIONS, makeFakeEngineSources } from "../test/fixtures/fake-engine-sources.js";
import { dockerAvailable } from "../test/helpers/docker.js";
import { proxyWasm } from "../test/helpers/wat.js";
import type { BenchResult } from "./result.js";

/** Cold build, warm rebuild after a plugin change, and cold/warm; [] (with the reason printed) without Docker. */
export async function benchImage(): Promise<BenchResult[]> {
  const avail = await dockerAvailable();
  if (!avail.ok) {
    process.stdout.write(`image bench skipped: ${avail.reason}\n`);
    return [];
  }
  const tmp = mkdtempSync(join(tmpdir(), "orwasm-bench-image-"));
  const docker = (await connectDocker()).images;
  const tag = `orwasm-bench/image:${process.pid}`;
  try {
    const dir = join(tmp, "project");
    const mirror = join(tmp, "mirror");
    mkdirSync(dir, { recursive: true });
    const lock = makeFakeEngineSources(mirror, FAKE_VERSIONS);
    writeFileSync(join(dir, "orwasm.lock"), serializeLockfile(lock));
    writeFileSync(
      join(dir, "orwasm.yaml"),
      `name: bench
engine: { openresty: "${FAKE_VERSIONS.openresty}", wasmNginxModule: "${FAKE_VERSIONS.wasmNginxModule}", wasmtime: "${FAKE_VERSIONS.wasmtime}", luaRestyHttp: "${FAKE_VERSIONS.luaRestyHttp}" }
plugins: [{ name: p, file: p.wasm }]
servers: [{ routes: [{ path: /, respond: { status: 200 }, plugins: [p] }] }]
`,
    );
    const build = async (callbacks: string[], nocache: boolean) => {
      writeFileSync(join(dir, "p.wasm"), proxyWasm(callbacks));
      const t0 = performance.now();
      const { project } = await loadProject(join(dir, "orwasm.yaml"), { cwd: dir });
      const result = await buildGatewayImage(
        {
          project,
          projectLabel: "orwasm.yaml",
          tag,
          arch: process.arch === "arm64" ? "aarch64" : "x86_64",
          lock: await readLockfile(join(dir, "orwasm.lock")),
          lockfilePath: "orwasm.lock",
          mirror: parseMirror(mirror, "/"),
          cacheDir: join(tmp, "cache"),
          nocache,
        },
        { docker, onLine: () => {} },
      );
      return { ms: performance.now() - t0, rebuilt: engineStepsRebuilt(result.steps).length };
    };
    const cold = await build(["proxy_on_http_request_headers"], true);
    const warm = await build(
      ["proxy_on_http_request_headers", "proxy_on_http_response_headers"],
      false,
    );
    if (warm.rebuilt !== 0) {
      process.stdout.write(
        `warning: ${warm.rebuilt} engine step(s) re-ran after a plugin-only change\n`,
      );
    }
    return [
      {
        name: "image: cold build, Docker cache ignored (test-made engine sources)",
        value: cold.ms,
        unit: "ms",
      },
      { name: "image: warm rebuild after a plugin-only change", value: warm.ms, unit: "ms" },
      { name: "image: cold / warm", value: cold.ms / warm.ms, unit: "x" },
      {
        name: "image: engine steps re-run by the warm rebuild",
        value: warm.rebuilt,
        unit: "steps",
      },
    ];
  } finally {
    await docker.remove(tag, { force: true });
    rmSync(tmp, { recursive: true, force: true });
  }
}
