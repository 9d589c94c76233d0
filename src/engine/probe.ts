// Reads an existing engine image's layout from what a probe script printed in it (`nginx -V` and a file search). Pure.
import { dirname, posix } from "node:path";
import type { Problem } from "../errors.js";
import type { EngineTarget } from "../render/target.js";
import { nginxWritableDirs } from "../render/nginx-writes.js";

/** The shell script run inside the image (as its default user, entrypoint replaced by /bin/sh). */
export const PROBE_SCRIPT = `
bin=
for n in "$(command -v nginx 2>/dev/null)" "$(command -v openresty 2>/dev/null)" /usr/local/openresty/nginx/sbin/nginx /usr/sbin/nginx /usr/local/nginx/sbin/nginx; do
  if [ -n "$n" ] && [ -x "$n" ]; then bin=$n; break; fi
done
echo "@@bin $bin"
if [ -n "$bin" ]; then echo "@@V"; "$bin" -V 2>&1; echo "@@end"; fi
echo "@@files"
find / -xdev \\( -path /proc -o -path /sys -o -path /dev \\) -prune -o \\( -path '*/resty/proxy-wasm.lua' -o -path '*/resty/http.lua' -o -name 'ndk_http_module.so' -o -name 'ngx_http_lua_module.so' -o -name 'ngx_http_wasm_module.so' -o -name 'libwasmtime.so*' -o -name 'libwasmedge*.so*' \\) -print 2>/dev/null
echo "@@end"
`.trim();

/** How a module is present in the image's nginx. */
export type ModulePresence = "static" | "dynamic" | "missing";

/** What the probe found. */
export interface ProbeResult {
  nginxBin?: string;
  /** `openresty/1.21.4.2`, `nginx/1.22.1`. */
  version?: string;
  configureArgs: string[];
  prefix: string;
  confPath: string;
  modulesPath: string;
  lua: ModulePresence;
  wasm: ModulePresence;
  /** Absolute paths of dynamic modules found, by file name. */
  moduleFiles: { ndk?: string; lua?: string; wasm?: string };
  proxyWasmLua?: string;
  restyHttp?: string;
  /** The VMs the image can run, the one it was built for first. */
  vms: ("wasmtime" | "wasmedge")[];
}

/** Parses the probe script's output. */
export function parseProbeOutput(out: string): ProbeResult {
  const lines = out.split("\n").map((l) => l.replace(/\r$/, ""));
  const bin =
    lines
      .find((l) => l.startsWith("@@bin "))
      ?.slice(6)
      .trim() || undefined;
  const section = (start: string) => {
    const i = lines.indexOf(start);
    if (i < 0) return [];
    const end = lines.indexOf("@@end", i + 1);
    return lines.slice(i + 1, end < 0 ? undefined : end).filter((l) => l.trim() !== "");
  };
  const vOut = section("@@V");
  const files = section("@@files");
  const version = vOut.map((l) => /^nginx version: (\S+)/.exec(l)?.[1]).find(Boolean);
  const argsLine = vOut.find((l) => l.startsWith("configure arguments:"));
  const configureArgs = argsLine ? splitArgs(argsLine.slice("configure arguments:".length)) : [];
  const opt = (name: string) =>
    configureArgs.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const prefix = stripSlash(opt("prefix") ?? "/usr/local/nginx");
  const abs = (p: string) => (p.startsWith("/") ? p : posix.join(prefix, p));
  const confPath = abs(opt("conf-path") ?? "conf/nginx.conf");
  const modulesPath = stripSlash(abs(opt("modules-path") ?? "modules"));
  const added = configureArgs.filter((a) => a.startsWith("--add-module="));
  const addedDyn = configureArgs.filter((a) => a.startsWith("--add-dynamic-module="));
  // Prefer module files in nginx's own modules folder when the search found several.
  const pick = (name: string) => {
    const hits = files.filter((f) => posix.basename(f) === name);
    return hits.find((f) => dirname(f) === modulesPath) ?? hits[0];
  };
  const moduleFiles = {
    ndk: pick("ndk_http_module.so"),
    lua: pick("ngx_http_lua_module.so"),
    wasm: pick("ngx_http_wasm_module.so"),
  };
  const presence = (re: RegExp, file: string | undefined): ModulePresence =>
    added.some((a) => re.test(a))
      ? "static"
      : file || addedDyn.some((a) => re.test(a))
        ? "dynamic"
        : "missing";
  // wasm-nginx-module links the wasmtime C API whichever VM it was built for, so libwasmedge beside it means the
  // image was built for WasmEdge: that VM comes first.
  const vms: ProbeResult["vms"] = [];
  if (files.some((f) => /\/libwasmedge[^/]*\.so/.test(f))) vms.push("wasmedge");
  if (files.some((f) => /\/libwasmtime\.so/.test(f))) vms.push("wasmtime");
  return {
    ...(bin ? { nginxBin: bin } : {}),
    ...(version ? { version } : {}),
    configureArgs,
    prefix,
    confPath,
    modulesPath,
    lua: presence(/(ngx_lua|lua-nginx-module)[^/]*\/?$/, moduleFiles.lua),
    wasm: presence(/wasm-nginx-module[^/]*\/?$/, moduleFiles.wasm),
    moduleFiles: Object.fromEntries(Object.entries(moduleFiles).filter(([, v]) => v !== undefined)),
    ...(pickLua(files, "proxy-wasm.lua") ? { proxyWasmLua: pickLua(files, "proxy-wasm.lua") } : {}),
    ...(pickLua(files, "http.lua") ? { restyHttp: pickLua(files, "http.lua") } : {}),
    vms,
  };
}

function pickLua(files: string[], name: string): string | undefined {
  return files.find((f) => f.endsWith(`/resty/${name}`));
}

function stripSlash(p: string): string {
  return p.length > 1 ? p.replace(/\/+$/, "") : p;
}

/** Splits `nginx -V`'s configure arguments: space-separated, with '...' or "..." around values holding spaces. */
export function splitArgs(s: string): string[] {
  const out: string[] = [];
  let cur = "";
  let quote: string | undefined;
  let inWord = false;
  for (const ch of s) {
    if (quote) {
      if (ch === quote) quote = undefined;
      else cur += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) out.push(cur);
      cur = "";
      inWord = false;
    } else {
      cur += ch;
      inWord = true;
    }
  }
  if (inWord) out.push(cur);
  return out;
}

/** Where an engine image keeps things, beyond the renderer's EngineTarget: what the app layer writes to. */
export interface ProbedEngine {
  target: EngineTarget;
  nginxBin: string;
  confPath: string;
  probe: ProbeResult;
}

/**
 * The EngineTarget for an image, or every reason it cannot run the gateway (no nginx, no wasm module, no lua,
 * no resty.proxy-wasm or resty.http, or not the VM the project asks for). `where` names the image in problems.
 */
export function probeToTarget(
  probe: ProbeResult,
  want: { vm: "wasmtime" | "wasmedge"; pluginDir?: string },
  where: string,
): { engine?: ProbedEngine; problems: Problem[] } {
  const problems: Problem[] = [];
  const no = (message: string) => problems.push({ file: where, message });
  if (!probe.nginxBin) {
    no(
      "no nginx binary found (looked on PATH and in /usr/local/openresty, /usr/sbin, /usr/local/nginx)",
    );
    return { problems };
  }
  if (probe.wasm === "missing") {
    no(
      `no wasm module: \`${probe.nginxBin} -V\` shows no --add-module for wasm-nginx-module and no ngx_http_wasm_module.so was found`,
    );
  }
  if (probe.lua === "missing") {
    no(
      `no Lua module: \`${probe.nginxBin} -V\` shows no ngx_lua/lua-nginx-module and no ngx_http_lua_module.so was found`,
    );
  }
  if (!probe.proxyWasmLua) {
    no("no resty/proxy-wasm.lua (wasm-nginx-module's Lua library) on the filesystem");
  }
  if (!probe.restyHttp) {
    no("no resty/http.lua (lua-resty-http) on the filesystem");
  }
  if (probe.vms.length > 0 && !probe.vms.includes(want.vm)) {
    no(
      `the project asks for vm ${want.vm} but the image only has ${probe.vms.join(", ")}; set engine.vm accordingly`,
    );
  }
  if (problems.length) return { problems };

  const luaDirs = [probe.proxyWasmLua!, probe.restyHttp!].map((f) => dirname(dirname(f)));
  const loadModules: string[] = [];
  if (probe.lua === "dynamic" && probe.moduleFiles.lua) {
    // ngx_http_lua_module needs the NDK loaded first when the distribution builds it as a module.
    if (probe.moduleFiles.ndk) loadModules.push(probe.moduleFiles.ndk);
    loadModules.push(probe.moduleFiles.lua);
  }
  if (probe.wasm === "dynamic" && probe.moduleFiles.wasm) loadModules.push(probe.moduleFiles.wasm);
  return {
    problems,
    engine: {
      nginxBin: probe.nginxBin,
      confPath: probe.confPath,
      probe,
      target: {
        vm: want.vm,
        prefix: probe.prefix,
        luaPackagePath: [...new Set(luaDirs)].map((d) => `${d}/?.lua`),
        luaPackageCpath: [],
        loadModules,
        pluginDir: want.pluginDir ?? `${probe.prefix}/wasm`,
        pidFile: "/tmp/nginx.pid",
        errorLog: "stderr",
        accessLog: "/dev/stdout",
        writableDirs: nginxWritableDirs(probe.prefix, probe.configureArgs),
      },
    },
  };
}
