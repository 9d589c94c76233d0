// `orwasm smoke` on the embedded engine container for a project whose plugin comes from a real registry: the plugin
// is pushed by orwasm, pulled by the project at its digest, and its behaviour is what the smoke checks see.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildPlugin } from "../../src/plugins/index.js";
import { runCli } from "../helpers/cli.js";
import { dockerAvailable } from "../helpers/docker.js";
import { registryToolsSkip, startRegistry, type TestRegistry } from "../helpers/registry.js";
import { requireOrSkip } from "../helpers/skip.js";

const avail = await dockerAvailable();
const skip =
  (avail.ok ? undefined : requireOrSkip("docker", false, avail.reason)) ?? registryToolsSkip();
const EXAMPLE = resolve(import.meta.dirname, "../../examples/add-header");

describe.skipIf(skip)(
  `orwasm smoke with a plugin from the registry${skip ? ` (skipped: ${skip})` : ""}`,
  () => {
    let reg: TestRegistry;
    let dir: string;
    const saved = process.env.ORWASM_OCI_CACHE;

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), "orwasm-i13-oci-smoke-"));
      process.env.ORWASM_OCI_CACHE = join(dir, "cache");
      reg = await startRegistry();
    }, 120_000);
    afterAll(async () => {
      process.env.ORWASM_OCI_CACHE = saved;
      await reg?.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    it("the gateway serves the pulled plugin's behaviour: every smoke check passes, exit 0", async () => {
      const wasmFile = join(dir, "add_header.wasm");
      await buildPlugin({
        lang: "assemblyscript",
        dir: EXAMPLE,
        entry: "assembly/index.ts",
        outFile: wasmFile,
      });
      const ref = `oci://${reg.host}/plugins/add-header:smoke`;
      const pushed = await runCli(["plugin", "push", wasmFile, ref], dir);
      expect(pushed.code).toBe(0);
      const digest = pushed.stdout.trim();
      // The local file is gone: the only copy of the plugin is the one in the registry.
      rmSync(wasmFile);
      writeFileSync(
        join(dir, "orwasm.yaml"),
        `name: oci-smoke
plugins:
  - name: add_header
    image: ${ref}@${digest}
    config: pulled
upstreams:
  - { name: backend, servers: ["backend:8080"], mock: echo }
servers:
  - listen: 8080
    routes:
      - { path: /, upstream: backend, plugins: [add_header] }
      - { path: /plain, upstream: backend }
smoke:
  - name: the route with the plugin gets its header
    request: { path: / }
    expect: { status: 200, headers: { x-hello: pulled } }
  - name: the route without it does not
    request: { path: /plain }
    expect: { status: 200, headers: { x-hello: { absent: true } } }
`,
      );
      const r = await runCli(["smoke", "."], dir);
      expect(r.stderr).toContain(`plugin add_header: ${ref}@${digest} (oci-image)`);
      expect(r.stdout).toMatch(/^PASS the route with the plugin gets its header \(\d+ ms\)$/m);
      expect(r.stdout).toMatch(/^PASS the route without it does not \(\d+ ms\)$/m);
      expect(r.code).toBe(0);
    }, 600_000);
  },
);
