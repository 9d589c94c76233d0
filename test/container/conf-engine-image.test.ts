// `orwasm conf --engine-image`: the config is rendered for the layout found in the image, or refused with why.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { connectDocker } from "../../src/docker/client-dockerode.js";
import { probeImage } from "../../src/engine/probe-run.js";
import { runCli } from "../helpers/cli.js";
import { dockerAvailable } from "../helpers/docker.js";
import { requireOrSkip } from "../helpers/skip.js";
import { proxyWasm } from "../helpers/wat.js";

const avail = await dockerAvailable();
const noDocker = avail.ok ? undefined : requireOrSkip("docker", false, avail.reason);
const ENGINE = process.env.ORWASM_ENGINE_IMAGE;
const noEngine =
  noDocker ??
  requireOrSkip(
    "engine-image",
    !!ENGINE,
    "ORWASM_ENGINE_IMAGE is not set: no engine image to render for",
  );

function project(vm: string): string {
  const dir = mkdtempSync(join(tmpdir(), "orwasm-conf-image-"));
  writeFileSync(join(dir, "p.wasm"), proxyWasm(["proxy_on_response_headers"]));
  writeFileSync(
    join(dir, "orwasm.yaml"),
    `engine: { vm: ${vm} }\nplugins: [{ name: p, file: p.wasm }]\nservers: [{ routes: [{ path: /, respond: {}, plugins: [p] }] }]\n`,
  );
  return dir;
}

describe.skipIf(noDocker)(
  `orwasm conf --engine-image${noDocker ? ` (skipped: ${noDocker})` : ""}`,
  () => {
    it("refuses an image without nginx, saying what is missing, with exit 2 and nothing written", async () => {
      const dir = project("wasmtime");
      const r = await runCli([
        "conf",
        dir,
        "--engine-image",
        "debian:bookworm-slim",
        "-o",
        join(dir, "nginx.conf"),
      ]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain("image debian:bookworm-slim: no nginx binary found");
      expect(r.stderr).toContain("nothing was written");
    });

    it.skipIf(noEngine)(
      `renders load_module lines, the lua path and the VM of ${ENGINE ?? "the engine image"}${noEngine ? ` (skipped: ${noEngine})` : ""}`,
      async () => {
        // the VM the image's probe puts first (WasmEdge when the image has it: every image also links wasmtime)
        const vm = (await probeImage((await connectDocker()).images, ENGINE!)).vms[0] ?? "wasmtime";
        const r = await runCli(["conf", project(vm), "--engine-image", ENGINE!]);
        expect(r.code).toBe(0);
        expect(r.stdout).toMatch(/^load_module ".*ngx_http_wasm_module\.so";$/m);
        expect(r.stdout).toContain(`wasm_vm ${vm};`);
      },
    );
  },
);
