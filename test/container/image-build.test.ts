// Real image builds on the local daemon: the engine stages run build.sh offline against TEST-MADE source tarballs
// (test/fixtures/fake-engine-sources.ts), then a plugin-only change must rebuild only the app layer.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lockfileSha256, serializeLockfile, type Lockfile } from "../../src/engine/lockfile.js";
import { runCli } from "../helpers/cli.js";
import { dockerAvailable, testDocker } from "../helpers/docker.js";
import { requireOrSkip } from "../helpers/skip.js";
import { proxyWasm } from "../helpers/wat.js";
import { FAKE_VERSIONS, makeFakeEngineSources } from "../fixtures/fake-engine-sources.js";

const avail = await dockerAvailable();
const skip = requireOrSkip("docker", avail.ok, avail.ok ? "" : avail.reason);
const docker = (await testDocker()).images;
const tag = `orwasm-test/image-build:${process.pid}`;
const tmp = mkdtempSync(join(tmpdir(), "orwasm-image-build-"));
const savedCache = process.env.ORWASM_ARTIFACT_CACHE;

const PROJECT = `
name: imgtest
engine:
  openresty: "${FAKE_VERSIONS.openresty}"
  wasmNginxModule: "${FAKE_VERSIONS.wasmNginxModule}"
  wasmtime: "${FAKE_VERSIONS.wasmtime}"
  luaRestyHttp: "${FAKE_VERSIONS.luaRestyHttp}"
  configure:
    preset: minimal
    extraFlags: [--with-http_slice_module]
plugins:
  - name: hello
    file: hello.wasm
servers:
  - listen: 8080
    routes:
      - path: /
        respond: { status: 200, body: ok }
        plugins: [hello]
`;

/** Runs a shell command in the built image (as its default user) and returns stdout. */
function inImage(cmd: string): string {
  return execFileSync("docker", ["run", "--rm", "--entrypoint", "/bin/sh", tag, "-c", cmd], {
    encoding: "utf8",
  });
}

interface ImageJson {
  tag: string;
  imageId: string;
  engine: { kind: string; lockSha256: string };
  engineCached: boolean;
  steps: { step: number; instruction: string; cached: boolean; ms: number }[];
}

describe.skipIf(skip)(
  `orwasm image on the local daemon${skip ? ` (skipped: ${skip})` : ""}`,
  () => {
    const dir = join(tmp, "project");
    const mirror = join(tmp, "mirror");
    let lock: Lockfile;
    let first: ImageJson;

    beforeAll(async () => {
      process.env.ORWASM_ARTIFACT_CACHE = join(tmp, "cache");
      mkdirSync(dir, { recursive: true });
      lock = makeFakeEngineSources(mirror, FAKE_VERSIONS);
      lock = { ...lock, artifacts: lock.artifacts.filter((a) => a.name !== "wasmedge") };
      writeFileSync(join(dir, "orwasm.lock"), serializeLockfile(lock));
      writeFileSync(join(dir, "orwasm.yaml"), PROJECT);
      writeFileSync(join(dir, "hello.wasm"), proxyWasm(["proxy_on_http_request_headers"]));
      const r = await runCli(["image", dir, "--tag", tag, "--mirror", mirror, "--json"], tmp);
      if (r.code !== 0) throw new Error(`orwasm image failed (${r.code}):\n${r.stderr}`);
      first = JSON.parse(r.stdout) as ImageJson;
    }, 900_000);

    afterAll(async () => {
      await docker.remove(tag, { force: true });
      if (savedCache === undefined) delete process.env.ORWASM_ARTIFACT_CACHE;
      else process.env.ORWASM_ARTIFACT_CACHE = savedCache;
      rmSync(tmp, { recursive: true, force: true });
    });

    it("ran configure with --add-module for wasm-nginx-module, the VM rpath and the project's flags", () => {
      const args = inImage("cat /usr/local/openresty/nginx/orwasm-configure-args.txt").split("\n");
      expect(args).toContain("--prefix=/usr/local/openresty");
      expect(args).toContain("--add-module=/tmp/orwasm-build/build/wasm-nginx-module");
      expect(args).toContain("--with-ld-opt=-Wl,-rpath,/usr/local/openresty/wasm/lib");
      expect(args).toContain("--with-http_slice_module");
      expect(args).toContain("--with-pcre-jit");
      expect(args).not.toContain("--with-stream");
    });

    it("installed resty/proxy-wasm.lua and resty/http.lua into lualib and libwasmtime under the prefix", () => {
      const found = inImage(
        "ls /usr/local/openresty/lualib/resty/proxy-wasm.lua /usr/local/openresty/lualib/resty/http.lua /usr/local/openresty/wasm/lib/libwasmtime.so",
      );
      expect(found.trim().split("\n")).toHaveLength(3);
    });

    it("runs as a non-root user, stops with SIGQUIT, and carries the pinned versions and the lockfile hash as labels", async () => {
      expect(inImage("id -u").trim()).toBe("10001");
      const info = await docker.info(tag);
      expect(info?.labels).toMatchObject({
        "org.orwasm.engine.openresty": FAKE_VERSIONS.openresty,
        "org.orwasm.engine.wasm-nginx-module": FAKE_VERSIONS.wasmNginxModule,
        "org.orwasm.engine.wasmtime": FAKE_VERSIONS.wasmtime,
        "org.orwasm.engine.lua-resty-http": FAKE_VERSIONS.luaRestyHttp,
        "org.orwasm.engine.vm": "wasmtime",
        "org.orwasm.engine.lockfile-sha256": lockfileSha256(lock),
        "org.orwasm.project": "imgtest",
      });
      const stop = execFileSync(
        "docker",
        ["image", "inspect", "-f", "{{.Config.StopSignal}}", tag],
        {
          encoding: "utf8",
        },
      );
      expect(stop.trim()).toBe("SIGQUIT");
    });

    it("put the rendered nginx.conf and the plugin in the app layer", () => {
      const conf = inImage("cat /usr/local/openresty/nginx/conf/nginx.conf");
      expect(conf).toContain("wasm_vm wasmtime");
      expect(conf).toContain("/usr/local/openresty/nginx/wasm/hello.wasm");
      const sum = inImage("sha256sum /usr/local/openresty/nginx/wasm/hello.wasm").split(" ")[0];
      expect(sum).toBe(
        execFileSync("sha256sum", [join(dir, "hello.wasm")], { encoding: "utf8" }).split(" ")[0],
      );
    });

    it("after a plugin-only change rebuilds without re-running any engine step", async () => {
      writeFileSync(
        join(dir, "hello.wasm"),
        proxyWasm(["proxy_on_http_request_headers", "proxy_on_http_response_headers"]),
      );
      const r = await runCli(["image", dir, "--tag", tag, "--mirror", mirror, "--json"], tmp);
      expect(r.code, r.stderr).toBe(0);
      const second = JSON.parse(r.stdout) as ImageJson;
      expect(second.imageId).not.toBe(first.imageId);
      const app = second.steps.findIndex((s) => s.instruction === "FROM runtime AS app");
      expect(app).toBeGreaterThan(0);
      const engineRun = second.steps
        .slice(0, app)
        .filter((s) => !s.cached && !s.instruction.startsWith("FROM"));
      expect(engineRun).toEqual([]);
      expect(second.engineCached).toBe(true);
      // The first build really ran the engine steps (so "cached" above means something).
      expect(first.steps.some((s) => s.instruction.includes("build.sh") && !s.cached)).toBe(true);
      const wasmCopy = second.steps.find((s) => s.instruction.startsWith('COPY ["app/wasm/"'));
      expect(wasmCopy?.cached).toBe(false);
      const labels = (await docker.info(tag))?.labels ?? {};
      expect(labels["org.orwasm.plugin.hello.sha256"]).toBe(
        execFileSync("sha256sum", [join(dir, "hello.wasm")], { encoding: "utf8" }).split(" ")[0],
      );
    }, 600_000);
  },
);
