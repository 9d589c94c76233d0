import { describe, expect, it } from "vitest";
import { parseProbeOutput, probeToTarget, splitArgs } from "../../src/engine/probe.js";

/** What the probe prints in an OpenResty image built by orwasm (modules compiled in, VM library under the prefix). */
const OPENRESTY = [
  "@@bin /usr/local/openresty/nginx/sbin/nginx",
  "@@V",
  "nginx version: openresty/1.21.4.2",
  "built with OpenSSL 3.0.11 19 Sep 2023",
  "configure arguments: --prefix=/usr/local/openresty/nginx --with-cc-opt='-O2 -DNGX_LUA_ABORT_AT_PANIC' --add-module=../ngx_devel_kit-0.3.2 --add-module=../ngx_lua-0.10.25 --with-ld-opt='-Wl,-rpath,/usr/local/openresty/luajit/lib -Wl,-rpath,/usr/local/openresty/wasm/lib' --add-module=/tmp/orwasm-build/build/wasm-nginx-module --with-http_ssl_module",
  "@@end",
  "@@files",
  "/usr/local/openresty/lualib/resty/http.lua",
  "/usr/local/openresty/lualib/resty/proxy-wasm.lua",
  "/usr/local/openresty/wasm/lib/libwasmtime.so",
  "@@end",
].join("\n");

describe("engine image probe", () => {
  it("splits nginx -V arguments, keeping quoted values with spaces whole", () => {
    expect(splitArgs(" --a=1 --with-cc-opt='-O2 -g' --b=\"x y\" --c")).toEqual([
      "--a=1",
      "--with-cc-opt=-O2 -g",
      "--b=x y",
      "--c",
    ]);
  });

  it("reads an OpenResty layout: compiled-in lua and wasm need no load_module, lualib goes on the package path", () => {
    const probe = parseProbeOutput(OPENRESTY);
    expect(probe).toMatchObject({
      nginxBin: "/usr/local/openresty/nginx/sbin/nginx",
      version: "openresty/1.21.4.2",
      prefix: "/usr/local/openresty/nginx",
      confPath: "/usr/local/openresty/nginx/conf/nginx.conf",
      lua: "static",
      wasm: "static",
      vms: ["wasmtime"],
    });
    const { engine, problems } = probeToTarget(probe, { vm: "wasmtime" }, "image x");
    expect(problems).toEqual([]);
    expect(engine!.target.loadModules).toEqual([]);
    expect(engine!.target.luaPackagePath).toEqual(["/usr/local/openresty/lualib/?.lua"]);
    expect(engine!.target.pluginDir).toBe("/usr/local/openresty/nginx/wasm");
  });

  it("refuses a VM the image does not have, and an image with no nginx at all", () => {
    const { problems } = probeToTarget(parseProbeOutput(OPENRESTY), { vm: "wasmedge" }, "image x");
    expect(problems.map((p) => p.message)).toEqual([
      "the project asks for vm wasmedge but the image only has wasmtime; set engine.vm accordingly",
    ]);
    const none = probeToTarget(
      parseProbeOutput("@@bin \n@@files\n@@end\n"),
      { vm: "wasmtime" },
      "image y",
    );
    expect(none.problems).toEqual([
      {
        file: "image y",
        message:
          "no nginx binary found (looked on PATH and in /usr/local/openresty, /usr/sbin, /usr/local/nginx)",
      },
    ]);
  });

  it("uses gateway.pluginDir when the project sets one", () => {
    const { engine } = probeToTarget(
      parseProbeOutput(OPENRESTY),
      { vm: "wasmtime", pluginDir: "/srv/wasm" },
      "i",
    );
    expect(engine!.target.pluginDir).toBe("/srv/wasm");
  });
});
