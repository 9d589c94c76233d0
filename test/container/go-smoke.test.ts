// `orwasm smoke` on the Go examples, compiled from source with the machine's Go: on the embedded engine in a
// container (always, with Docker) and on a real engine image when ORWASM_ENGINE_IMAGE names one, once per VM the
// image has. On a real engine the VM decides: a VM that loses memory.grow ([WASMTIME-4], measured with
// libwasmtime.so 0.38.1 built by rustc 1.95) cannot run Go, and orwasm must refuse it before start, naming why.
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkMemoryGrowth, probeImage } from "../../src/engine/probe-run.js";
import { probeToTarget } from "../../src/engine/probe.js";
import { connectDocker } from "../../src/docker/client-dockerode.js";
import { runCli } from "../helpers/cli.js";
import { dockerAvailable } from "../helpers/docker.js";
import { requireOrSkip } from "../helpers/skip.js";
import { haveGo } from "../fixtures/go-plugins/build.js";

const ENGINE = process.env.ORWASM_ENGINE_IMAGE;
const GO = haveGo();
const avail = await dockerAvailable();
const noDocker = avail.ok ? undefined : requireOrSkip("docker", false, avail.reason);
const noEngine =
  noDocker ??
  requireOrSkip(
    "engine-image",
    !!ENGINE,
    "ORWASM_ENGINE_IMAGE is not set (name a local engine image with wasm-nginx-module)",
  );

/** One gateway to smoke the examples on: the VM rendered, and whether that VM keeps memory.grow. */
interface Gateway {
  title: string;
  args: string[];
  vm: "wasmtime" | "wasmedge";
  growth: "ok" | "lost" | "unknown";
  skip?: string;
}

const GATEWAYS: Gateway[] = [
  { title: "the embedded engine", args: [], vm: "wasmtime", growth: "ok", skip: noDocker },
];
if (!noEngine && GO) {
  // Each VM the image has, with what the growth check says of it, so the expectation is in the test's name.
  const images = (await connectDocker()).images;
  const probe = await probeImage(images, ENGINE!);
  for (const vm of probe.vms) {
    const engine = probeToTarget(probe, { vm }, ENGINE!).engine;
    const growth = engine ? (await checkMemoryGrowth(images, ENGINE!, engine)).kind : "unknown";
    GATEWAYS.push({
      title: `${ENGINE} with vm ${vm} (memory.grow ${growth === "ok" ? "seen" : growth})`,
      args: ["--engine-image", ENGINE!],
      vm,
      growth,
    });
  }
} else {
  GATEWAYS.push({
    title: ENGINE ?? "a real engine image",
    args: [],
    vm: "wasmtime",
    growth: "ok",
    skip: noEngine,
  });
}
const EXAMPLES = resolve(import.meta.dirname, "../../examples");
const CASES = [
  ["go-headers", 1, "go_headers"],
  ["go-auth", 3, "go_auth"],
  ["go-http-call", 1, "go_http_call"],
] as const;

for (const gw of GATEWAYS) {
  describe.skipIf(gw.skip || !GO)(
    `orwasm smoke with Go plugins on ${gw.title}${gw.skip ? ` (skipped: ${gw.skip})` : ""}`,
    () => {
      let dir: string;
      beforeAll(async () => {
        dir = await mkdtemp(join(tmpdir(), "orwasm-go-smoke-"));
      });
      afterAll(async () => {
        await rm(dir, { recursive: true, force: true });
      });

      /** A copy of the example with `engine: { vm }` prepended. */
      async function copyWithVm(name: string): Promise<string> {
        const d = join(dir, name);
        await cp(join(EXAMPLES, name), d, {
          recursive: true,
          filter: (s) => !s.endsWith("/build"),
        });
        const yaml = join(d, "orwasm.yaml");
        await writeFile(yaml, `engine: { vm: ${gw.vm} }\n${await readFile(yaml, "utf8")}`);
        return d;
      }

      for (const [name, count, plugin] of CASES) {
        if (gw.growth === "lost") {
          it(`examples/${name}: refused before start (exit 2): engine.vm names the lost memory.grow, the plugin and vm wasmedge as the fix`, async () => {
            const r = await runCli(["smoke", await copyWithVm(name), ...gw.args], dir);
            expect(r.code, r.stderr).toBe(2);
            expect(r.stderr).toMatch(
              /orwasm\.yaml: engine\.vm: engine image .* VM loses memory\.grow/,
            );
            expect(r.stderr).toContain(`Go plugin ${plugin} will trap the same way, at load`);
            expect(r.stderr).toContain("engine: { vm: wasmedge }");
            expect(r.stderr).toMatch(/\| .*wasm trap: out of bounds memory access/);
            expect(r.stderr).not.toMatch(/gateway .* started/);
          }, 600_000);
        } else {
          it(`examples/${name}: its ${count} smoke check(s) pass and the run exits 0`, async () => {
            const r = await runCli(["smoke", await copyWithVm(name), ...gw.args], dir);
            expect(r.stdout, r.stderr).toMatch(new RegExp(`^${count} passed, 0 failed`, "m"));
            expect(r.code).toBe(0);
          }, 600_000);
        }
      }
    },
  );
}
