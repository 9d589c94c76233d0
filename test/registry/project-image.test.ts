// A project whose plugin comes from a registry (plugins[].image): `orwasm lock` pins the tag, `orwasm image` refuses
// an unpinned tag and puts the pulled plugin in the build context, and `orwasm test` runs the pulled plugin.
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serializeLockfile } from "../../src/engine/lockfile.js";
import { buildPlugin } from "../../src/plugins/index.js";
import { FAKE_VERSIONS, makeFakeEngineSources } from "../fixtures/fake-engine-sources.js";
import { runCli } from "../helpers/cli.js";
import { registryToolsSkip, startRegistry, type TestRegistry } from "../helpers/registry.js";

const skip = registryToolsSkip();
const EXAMPLE = resolve(import.meta.dirname, "../../examples/add-header");

const project = (image: string) => `name: from-registry
engine:
  openresty: "${FAKE_VERSIONS.openresty}"
  wasmNginxModule: "${FAKE_VERSIONS.wasmNginxModule}"
  wasmtime: "${FAKE_VERSIONS.wasmtime}"
  luaRestyHttp: "${FAKE_VERSIONS.luaRestyHttp}"
plugins:
  - name: add_header
    image: ${image}
    config: from-the-registry
upstreams:
  - { name: backend, servers: ["backend:8080"], mock: echo }
servers:
  - listen: 8080
    routes:
      - { path: /, upstream: backend, plugins: [add_header] }
smoke:
  - name: the plugin pulled from the registry adds its header
    request: { path: / }
    expect: { status: 200, headers: { x-hello: from-the-registry } }
`;

describe.skipIf(skip)(
  `a project whose plugin is an OCI image${skip ? ` (skipped: ${skip})` : ""}`,
  () => {
    let reg: TestRegistry;
    let dir: string;
    let wasm: Buffer;
    let image: string;
    let digest: string;
    const saved = {
      cache: process.env.ORWASM_OCI_CACHE,
      docker: process.env.DOCKER_CONFIG,
      artifacts: process.env.ORWASM_ARTIFACT_CACHE,
    };

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), "orwasm-i13-project-"));
      process.env.ORWASM_OCI_CACHE = join(dir, "cache");
      process.env.DOCKER_CONFIG = join(dir, "docker");
      reg = await startRegistry();
      const file = join(dir, "add_header.wasm");
      await buildPlugin({
        lang: "assemblyscript",
        dir: EXAMPLE,
        entry: "assembly/index.ts",
        outFile: file,
      });
      wasm = readFileSync(file);
      image = `oci://${reg.host}/plugins/add-header:1`;
      const r = await runCli(["plugin", "push", file, image]);
      expect(r.code).toBe(0);
      digest = r.stdout.trim();
      writeFileSync(join(dir, "orwasm.yaml"), project(image));
      // The engine's pins (test-made sources in a mirror), so that `orwasm image` gets as far as the plugins.
      process.env.ORWASM_ARTIFACT_CACHE = join(dir, "artifacts");
      writeFileSync(
        join(dir, "orwasm.lock"),
        serializeLockfile(makeFakeEngineSources(join(dir, "mirror"), FAKE_VERSIONS)),
      );
    }, 300_000);
    afterAll(async () => {
      process.env.ORWASM_OCI_CACHE = saved.cache;
      process.env.DOCKER_CONFIG = saved.docker;
      process.env.ORWASM_ARTIFACT_CACHE = saved.artifacts;
      await reg?.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    it("orwasm image refuses the unpinned tag (exit 2, file:line:col plugins.0.image) and writes nothing", async () => {
      const r = await runCli(["image", ".", "--dockerfile-only", "ctx", "--mirror", "mirror"], dir);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(
        `orwasm.yaml:9:12: plugins.0.image: the tag ${image} is not pinned to a digest: run \`orwasm lock\``,
      );
      expect(() => readFileSync(join(dir, "ctx", "Dockerfile"))).toThrow();
    });

    it("orwasm lock --images-only pins the tag to the pushed manifest digest; orwasm image then puts the pulled plugin's bytes in the context", async () => {
      const lock = await runCli(["lock", ".", "--images-only"], dir);
      expect(lock.stderr).not.toMatch(/orwasm: /);
      expect(lock.code).toBe(0);
      expect(lock.stdout).toContain(`${image}  pinned  ${digest}`);
      const file = JSON.parse(readFileSync(join(dir, "orwasm.lock"), "utf8")) as {
        images: unknown;
        artifacts: unknown[];
      };
      expect(file.images).toEqual([{ image, digest }]);
      expect(file.artifacts.length).toBeGreaterThan(0); // the engine pins are kept

      const r = await runCli(["image", ".", "--dockerfile-only", "ctx", "--mirror", "mirror"], dir);
      expect(r.stderr).not.toMatch(/orwasm: /);
      expect(r.code).toBe(0);
      const copied = readFileSync(join(dir, "ctx", "app", "wasm", "add_header.wasm"));
      expect(createHash("sha256").update(copied).digest("hex")).toBe(
        createHash("sha256").update(wasm).digest("hex"),
      );
    });

    it("orwasm test runs the pulled plugin in the embedded host: the smoke check sees its header", async () => {
      const r = await runCli(["test", "."], dir);
      expect(r.stdout).toMatch(/PASS the plugin pulled from the registry adds its header/);
      expect(r.code).toBe(0);
    });

    it("a tag moved after orwasm lock: the pin is kept and the run says so; --update-images takes the new digest", async () => {
      const moved = await runCli([
        "plugin",
        "push",
        join(dir, "add_header.wasm"),
        image,
        "--format",
        "wasm",
      ]);
      const now = moved.stdout.trim();
      expect(now).not.toBe(digest);
      const kept = await runCli(["lock", ".", "--images-only"], dir);
      expect(kept.stdout).toContain(
        `${image}  pin kept; the tag now names ${now} (--update-images takes it)  ${digest}`,
      );
      expect(JSON.parse(readFileSync(join(dir, "orwasm.lock"), "utf8"))).toMatchObject({
        images: [{ image, digest }],
      });
      // The pinned tag now names another manifest: loading the project refuses it with both digests.
      const refused = await runCli(["conf", "."], dir);
      expect(refused.code).toBe(3);
      expect(refused.stderr).toContain(`expected ${digest}`);
      expect(refused.stderr).toContain(`actual   ${now}`);
      const updated = await runCli(["lock", ".", "--images-only", "--update-images"], dir);
      expect(updated.stdout).toContain(`${image}  re-pinned (was ${digest})  ${now}`);
      expect((await runCli(["conf", "."], dir)).code).toBe(0);
    });
  },
);
