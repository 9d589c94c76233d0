// `orwasm smoke` on the Go examples, compiled from source with the machine's Go: on the embedded engine in a
// container (always, with Docker) and on a real engine image when ORWASM_ENGINE_IMAGE names one.
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { probeImage } from "../../src/engine/probe-run.js";
import { connectDocker } from "../../src/docker/client-dockerode.js";
import { runCli } from "../helpers/cli.js";
import { dockerAvailable } from "../helpers/docker.js";
import { requireOrSkip } from "../helpers/skip.js";
import { haveGo } from "../fixtures/go-plugins/build.js";

const ENGINE = process.env.ORWASM_ENGINE_IMAGE;
const GO = haveGo();
const avail = await dockerAvailable();
const noDocker = avail.ok ? undefined : requireOrSkip("docker", false, avail.reason);
const GATEWAYS = [
  { kind: "embedded", args: [] as string[], skip: noDocker },
  {
    kind: "engine-image",
    args: ["--engine-image", ENGINE ?? ""],
    skip:
      noDocker ??
      requireOrSkip(
        "engine-image",
        !!ENGINE,
        "ORWASM_ENGINE_IMAGE is not set (name a local engine image with wasm-nginx-module)",
      ),
  },
];
const EXAMPLES = resolve(import.meta.dirname, "../../examples");

for (const gw of GATEWAYS) {
  const shown = gw.kind === "embedded" ? "the embedded engine" : ENGINE;
  describe.skipIf(gw.skip || !GO)(
    `orwasm smoke with Go plugins on ${shown}${gw.skip ? ` (skipped: ${gw.skip})` : ""}`,
    () => {
      let dir: string;
      let vm = "wasmtime";
      beforeAll(async () => {
        dir = await mkdtemp(join(tmpdir(), "orwasm-go-smoke-"));
        if (gw.kind !== "embedded") {
          vm = (await probeImage((await connectDocker()).images, ENGINE!)).vms[0] ?? "wasmtime";
        }
      });
      afterAll(async () => {
        await rm(dir, { recursive: true, force: true });
      });

      for (const [name, count] of [
        ["go-headers", 1],
        ["go-auth", 3],
        ["go-http-call", 1],
      ] as const) {
        it(`examples/${name}: its ${count} smoke check(s) pass and the run exits 0`, async () => {
          const d = join(dir, name);
          await cp(join(EXAMPLES, name), d, {
            recursive: true,
            filter: (s) => !s.endsWith("/build"),
          });
          const yaml = join(d, "orwasm.yaml");
          const text = await readFile(yaml, "utf8");
          await writeFile(yaml, `engine: { vm: ${vm} }\n${text}`);
          const r = await runCli(["smoke", d, ...gw.args], dir);
          expect(r.stdout, r.stderr).toMatch(new RegExp(`^${count} passed, 0 failed`, "m"));
          expect(r.code).toBe(0);
        }, 600_000);
      }
    },
  );
}
