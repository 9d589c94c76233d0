// `--engine-image`: probe a real image (Debian's nginx + its Lua module, installed by apt, standing in for an
// engine) and put the app layer on it. The wasm module, resty.proxy-wasm, resty.http and libwasmtime in the
// stand-in are TEST FIXTURE placeholder files: the probe and the app layer are under test, not running plugins.
import { execFile, execFileSync, spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildGatewayImage } from "../../src/engine/image.js";
import type { ImageCommandRunner } from "../../src/engine/probe-run.js";
import { checkMemoryGrowth, probeImage } from "../../src/engine/probe-run.js";
import { probeToTarget } from "../../src/engine/probe.js";
import { ConfigError } from "../../src/errors.js";
import { loadProject } from "../../src/app/load-project.js";
import { dockerAvailable, testDocker } from "../helpers/docker.js";
import { requireOrSkip } from "../helpers/skip.js";
import { proxyWasm } from "../helpers/wat.js";
import { runCli } from "../helpers/cli.js";
import { haveGo } from "../fixtures/go-plugins/build.js";

const avail = await dockerAvailable();
const skip = requireOrSkip("docker", avail.ok, avail.ok ? "" : avail.reason);
const docker = (await testDocker()).images;
const engineTag = `orwasm-test/standin-engine:${process.pid}`;
const bareTag = `orwasm-test/standin-nowasm:${process.pid}`;
const appTag = `orwasm-test/on-engine:${process.pid}`;
const tmp = mkdtempSync(join(tmpdir(), "orwasm-engine-image-"));

/** Test-side runner: `docker run --rm --entrypoint …`, a client independent of orwasm's own. */
const runner: ImageCommandRunner = {
  async run(image, cmd, opts) {
    const args = [
      "run",
      "--rm",
      ...(opts?.entrypoint ? ["--entrypoint", opts.entrypoint[0]!] : []),
      image,
      ...cmd,
    ];
    try {
      const { stdout, stderr } = await promisify(execFile)("docker", args, { maxBuffer: 16 << 20 });
      return { exitCode: 0, stdout, stderr };
    } catch (err) {
      const e = err as { code?: number; stdout?: string; stderr?: string };
      return { exitCode: e.code ?? 1, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
    }
  },
};

const STANDIN = (withWasm: boolean) => `FROM debian:bookworm-slim
RUN apt-get update \\
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nginx libnginx-mod-http-lua \\
    && rm -rf /var/lib/apt/lists/*
${
  withWasm
    ? `# TEST FIXTURE placeholders for wasm-nginx-module, its Lua API, lua-resty-http and the VM library.
RUN mkdir -p /usr/local/share/lua/5.1/resty /usr/local/lib/orwasm-vm \\
    && echo '-- TEST FIXTURE' > /usr/local/share/lua/5.1/resty/proxy-wasm.lua \\
    && echo '-- TEST FIXTURE' > /usr/local/share/lua/5.1/resty/http.lua \\
    && echo 'TEST FIXTURE' > /usr/lib/nginx/modules/ngx_http_wasm_module.so \\
    && echo 'TEST FIXTURE' > /usr/local/lib/orwasm-vm/libwasmtime.so`
    : ""
}
`;

async function buildStandin(tagName: string, withWasm: boolean): Promise<void> {
  const ctx = join(tmp, tagName.replace(/\W+/g, "-"));
  mkdirSync(ctx, { recursive: true });
  writeFileSync(join(ctx, "Dockerfile"), STANDIN(withWasm));
  await docker.build({ dir: ctx }, { tag: tagName });
}

describe.skipIf(skip)(
  `--engine-image on the local daemon${skip ? ` (skipped: ${skip})` : ""}`,
  () => {
    beforeAll(async () => {
      await buildStandin(engineTag, true);
      await buildStandin(bareTag, false);
    }, 600_000);
    afterAll(async () => {
      for (const t of [appTag, engineTag, bareTag]) await docker.remove(t, { force: true });
      rmSync(tmp, { recursive: true, force: true });
    });

    it("probes Debian's nginx: prefix, conf path, Lua and wasm as dynamic modules (NDK first), Lua library paths", async () => {
      const probe = await probeImage(runner, engineTag);
      expect(probe.nginxBin).toBe("/usr/sbin/nginx");
      expect(probe.version).toMatch(/^nginx\/1\./);
      const { engine, problems } = probeToTarget(probe, { vm: "wasmtime" }, `image ${engineTag}`);
      expect(problems).toEqual([]);
      expect(engine!.confPath).toBe("/etc/nginx/nginx.conf");
      expect(engine!.target).toMatchObject({
        vm: "wasmtime",
        prefix: "/usr/share/nginx",
        loadModules: [
          "/usr/lib/nginx/modules/ndk_http_module.so",
          "/usr/lib/nginx/modules/ngx_http_lua_module.so",
          "/usr/lib/nginx/modules/ngx_http_wasm_module.so",
        ],
        luaPackagePath: ["/usr/local/share/lua/5.1/?.lua"],
        pluginDir: "/usr/share/nginx/wasm",
      });
    });

    it("says clearly when the image has no wasm module and no resty.http", async () => {
      const probe = await probeImage(runner, bareTag);
      const { engine, problems } = probeToTarget(probe, { vm: "wasmtime" }, `image ${bareTag}`);
      expect(engine).toBeUndefined();
      const text = problems.map((p) => p.message).join("\n");
      expect(text).toMatch(
        /no wasm module: `\/usr\/sbin\/nginx -V` shows no --add-module for wasm-nginx-module/,
      );
      expect(text).toContain("no resty/http.lua (lua-resty-http)");
      expect(text).toContain("no resty/proxy-wasm.lua");
    });

    it("builds only the app layer on the engine image: nginx.conf loads the modules, the plugin is in place", async () => {
      const dir = join(tmp, "project");
      mkdirSync(dir, { recursive: true });
      writeFileSync(
        join(dir, "orwasm.yaml"),
        `name: onengine
plugins:
  - name: hello
    file: hello.wasm
servers:
  - listen: 8080
    routes:
      - path: /
        respond: { status: 200, body: ok }
        plugins: [hello]
`,
      );
      writeFileSync(join(dir, "hello.wasm"), proxyWasm(["proxy_on_http_request_headers"]));
      const { project } = await loadProject(join(dir, "orwasm.yaml"), { cwd: dir });
      const lines: string[] = [];
      const result = await buildGatewayImage(
        {
          project,
          projectLabel: "orwasm.yaml",
          tag: appTag,
          engineImage: engineTag,
          arch: "x86_64",
          lockfilePath: "orwasm.lock",
        },
        {
          docker: Object.assign(Object.create(docker) as typeof docker, runner),
          onLine: (l) => lines.push(l),
        },
      );
      expect(result.engine).toEqual({ kind: "image", ref: engineTag });
      expect(result.steps[0]?.instruction).toBe(`FROM ${engineTag} AS app`);
      const show = (cmd: string) =>
        execFileSync("docker", ["run", "--rm", "--entrypoint", "/bin/sh", appTag, "-c", cmd], {
          encoding: "utf8",
        });
      const conf = show("cat /etc/nginx/nginx.conf");
      const loads = conf.split("\n").filter((l) => l.trim().startsWith("load_module"));
      expect(loads.map((l) => l.trim().replace(/"/g, ""))).toEqual([
        "load_module /usr/lib/nginx/modules/ndk_http_module.so;",
        "load_module /usr/lib/nginx/modules/ngx_http_lua_module.so;",
        "load_module /usr/lib/nginx/modules/ngx_http_wasm_module.so;",
      ]);
      expect(conf).toContain("/usr/local/share/lua/5.1/?.lua");
      expect(conf).toContain("/usr/share/nginx/wasm/hello.wasm");
      expect(show("ls /usr/share/nginx/wasm/").trim()).toBe("hello.wasm");
      expect((await docker.info(appTag))?.labels).toMatchObject({
        "org.orwasm.engine.image": engineTag,
        "org.orwasm.project": "onengine",
      });
    }, 600_000);

    it("refuses to build on an image without the wasm module, listing what is missing", async () => {
      const dir = join(tmp, "project");
      const { project } = await loadProject(join(dir, "orwasm.yaml"), { cwd: dir });
      const run = buildGatewayImage(
        {
          project,
          projectLabel: "orwasm.yaml",
          tag: appTag,
          engineImage: bareTag,
          arch: "x86_64",
          lockfilePath: "orwasm.lock",
        },
        { docker: Object.assign(Object.create(docker) as typeof docker, runner), onLine: () => {} },
      );
      await expect(run).rejects.toBeInstanceOf(ConfigError);
      await expect(run).rejects.toThrow(/cannot run this gateway:\n {2}- no wasm module/);
    });
  },
);

// A Go plugin on a real engine image (ORWASM_ENGINE_IMAGE): `orwasm image --engine-image` of examples/go-headers,
// run with a backend on a Docker network, answers with the plugin's headers. The VM is the first the image has
// whose memory.grow the growth check sees ([WASMTIME-4]: Go cannot run on one that loses it), named in the title.
const ENGINE = process.env.ORWASM_ENGINE_IMAGE;
const noEngine =
  skip ??
  requireOrSkip(
    "engine-image",
    !!ENGINE,
    "ORWASM_ENGINE_IMAGE is not set (name a local engine image with wasm-nginx-module)",
  ) ??
  (haveGo() ? undefined : "no go");
let goVm: string | undefined;
/** The image's first VM, when none keeps memory.grow: orwasm image must refuse the Go project on it. */
let lostVm: string | undefined;
if (!noEngine) {
  const probe = await probeImage(runner, ENGINE!);
  for (const vm of probe.vms) {
    const engine = probeToTarget(probe, { vm }, ENGINE!).engine;
    if (engine && (await checkMemoryGrowth(runner, ENGINE!, engine)).kind === "ok") {
      goVm = vm;
      break;
    }
  }
  if (!goVm) lostVm = probe.vms[0];
}

describe.skipIf(noEngine)(
  `orwasm image --engine-image ${ENGINE ?? "(real engine)"} with a Go plugin${noEngine ? ` (skipped: ${noEngine})` : goVm ? ` on vm ${goVm}` : ` on vm ${lostVm} (memory.grow lost)`}`,
  () => {
    const id = `orwasm-test-go-image-${process.pid}`;
    const sh = (args: string[]) => execFileSync("docker", args, { encoding: "utf8" }).trim();
    /** The gateway's log, stdout and stderr (nginx logs to stderr). */
    const gwLog = () =>
      execFileSync("sh", ["-c", `docker logs ${id}-gw 2>&1`], { encoding: "utf8" });
    afterAll(() => {
      // whatever the test got to create; what is absent is not an error
      spawnSync("docker", ["rm", "-f", `${id}-gw`, `${id}-backend`], { stdio: "ignore" });
      spawnSync("docker", ["network", "rm", id], { stdio: "ignore" });
      spawnSync("docker", ["rmi", "-f", `${id}:latest`], { stdio: "ignore" });
    });

    /** A copy of examples/go-headers with `engine: { vm }` prepended. */
    function goHeaders(vm: string): string {
      const d = join(tmp, `go-headers-${vm}`);
      cpSync(join(import.meta.dirname, "../../examples/go-headers"), d, {
        recursive: true,
        filter: (s) => !s.endsWith("/build"),
      });
      const yaml = join(d, "orwasm.yaml");
      writeFileSync(yaml, `engine: { vm: ${vm} }\n${readFileSync(yaml, "utf8")}`);
      return d;
    }

    it.runIf(lostVm)(
      "examples/go-headers: refused (exit 2, no image) naming the lost memory.grow and vm wasmedge",
      async () => {
        const d = goHeaders(lostVm!);
        const r = await runCli(["image", d, "--engine-image", ENGINE!, "-t", `${id}:latest`], d);
        expect(r.code, r.stderr).toBe(2);
        expect(r.stderr).toMatch(/engine\.vm: engine image .* VM loses memory\.grow/);
        expect(r.stderr).toContain("Go plugin go_headers will trap the same way, at load");
        expect(await docker.info(`${id}:latest`)).toBeUndefined();
      },
      600_000,
    );

    it.runIf(goVm)(
      "examples/go-headers: the image is built, and GET /hello through it carries x-go-hello: world and the backend's body",
      async () => {
        const d = goHeaders(goVm!);
        const built = await runCli(
          ["image", d, "--engine-image", ENGINE!, "-t", `${id}:latest`],
          d,
        );
        expect(built.code, built.stderr).toBe(0);

        sh(["network", "create", id]);
        const backendConf =
          'pid /tmp/b.pid; error_log stderr; events {} http { server { listen 8080; location / { return 200 "from the backend\\n"; } } }';
        sh([
          "run",
          "-d",
          "--name",
          `${id}-backend`,
          "--network",
          id,
          "--network-alias",
          "backend",
          "--entrypoint",
          "/bin/sh",
          ENGINE!,
          "-c",
          `printf '%s' '${backendConf}' > /tmp/b.conf && exec nginx -c /tmp/b.conf -g 'daemon off;'`,
        ]);
        sh([
          "run",
          "-d",
          "--name",
          `${id}-gw`,
          "--network",
          id,
          "-p",
          "127.0.0.1::8080",
          `${id}:latest`,
        ]);
        const port = sh(["port", `${id}-gw`, "8080/tcp"])
          .split("\n")[0]!
          .split(":")
          .at(-1);
        let res: Response | undefined;
        for (let i = 0; i < 60 && !res; i++) {
          res = await fetch(`http://127.0.0.1:${port}/hello`).catch(() => undefined);
          if (!res) await new Promise((r) => setTimeout(r, 500));
        }
        expect(res?.status, gwLog()).toBe(200);
        expect(res!.headers.get("x-go-hello")).toBe("world");
        expect(res!.headers.get("x-go-status-seen")).toBe("200");
        expect(await res!.text()).toBe("from the backend\n");
        const logs = execFileSync("docker", ["logs", `${id}-gw`], {
          encoding: "utf8",
          stdio: "pipe",
        });
        expect(logs).not.toMatch(/failed to call function|orwasm: plugin go_headers failed/);
      },
      600_000,
    );
  },
);
