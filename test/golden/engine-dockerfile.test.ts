import { describe, expect, it } from "vitest";
import { renderDockerfile } from "../../src/engine/dockerfile.js";
import { parseProbeOutput, probeToTarget } from "../../src/engine/probe.js";
import { engineSchema } from "../../src/project/schema-engine.js";
import type { EngineTarget } from "../../src/render/target.js";

const plugins = [
  { name: "add-header", sha256: "1".repeat(64) },
  { name: "deny-list", sha256: "2".repeat(64) },
];

function builtTarget(prefix: string): EngineTarget {
  return {
    vm: "wasmtime",
    prefix: `${prefix}/nginx`,
    luaPackagePath: [`${prefix}/lualib/?.lua`],
    luaPackageCpath: [`${prefix}/lualib/?.so`],
    loadModules: [],
    pluginDir: `${prefix}/nginx/wasm`,
    pidFile: "/tmp/nginx.pid",
    errorLog: "stderr",
    accessLog: "/dev/stdout",
    writableDirs: [],
  };
}

describe("Dockerfile golden files", () => {
  it("default: sources, build, runtime (non-root, SIGQUIT, labels) and the app layer last", async () => {
    const engine = engineSchema.parse({});
    const out = renderDockerfile({
      projectName: "gateway",
      projectLabel: "orwasm.yaml",
      engine: { kind: "build", engine, lockSha256: "a".repeat(64) },
      target: builtTarget(engine.prefix),
      plugins,
      ports: [8080],
    });
    await expect(out).toMatchFileSnapshot("./__snapshots__/engine-Dockerfile.default");
  });

  it("WasmEdge: its version labelled and libstdc++ in the runtime", async () => {
    const engine = engineSchema.parse({ vm: "wasmedge", prefix: "/opt/openresty" });
    const out = renderDockerfile({
      projectName: "edge",
      projectLabel: "orwasm.yaml",
      engine: { kind: "build", engine, lockSha256: "b".repeat(64) },
      target: { ...builtTarget(engine.prefix), vm: "wasmedge" },
      plugins: [],
      ports: [8080, 9090],
    });
    await expect(out).toMatchFileSnapshot("./__snapshots__/engine-Dockerfile.wasmedge");
  });

  it("--engine-image: only the app layer on the probed image, config at its conf path, modules loaded", async () => {
    const probe = parseProbeOutput(
      [
        "@@bin /usr/sbin/nginx",
        "@@V",
        "nginx version: nginx/1.22.1",
        "configure arguments: --with-cc-opt='-g -O2' --prefix=/usr/share/nginx --conf-path=/etc/nginx/nginx.conf --modules-path=/usr/lib/nginx/modules --with-compat",
        "@@end",
        "@@files",
        "/usr/lib/nginx/modules/ndk_http_module.so",
        "/usr/lib/nginx/modules/ngx_http_lua_module.so",
        "/usr/lib/nginx/modules/ngx_http_wasm_module.so",
        "/usr/share/lua/5.1/resty/http.lua",
        "/usr/local/share/lua/5.1/resty/proxy-wasm.lua",
        "/usr/local/lib/wasm/libwasmtime.so",
        "@@end",
      ].join("\n"),
    );
    const { engine, problems } = probeToTarget(probe, { vm: "wasmtime" }, "image my/engine:1");
    expect(problems).toEqual([]);
    const out = renderDockerfile({
      projectName: "gateway",
      projectLabel: "orwasm.yaml",
      engine: {
        kind: "image",
        ref: "my/engine:1",
        nginxBin: engine!.nginxBin,
        confPath: engine!.confPath,
      },
      target: engine!.target,
      plugins,
      ports: [8080],
    });
    await expect(out).toMatchFileSnapshot("./__snapshots__/engine-Dockerfile.engine-image");
  });
});
