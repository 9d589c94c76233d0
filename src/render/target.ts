// Where the rendered config will run: the engine's layout, which differs between orwasm's own build and a user's image.
import { posix } from "node:path";
import type { Project } from "../project/project.js";
import { nginxWritableDirs, type WritableDir } from "./nginx-writes.js";

export interface EngineTarget {
  /** The wasm VM the module was built with (`wasm_vm` directive). */
  vm: "wasmtime" | "wasmedge";
  /** nginx's prefix (`-p`); relative paths in nginx.conf resolve against it. */
  prefix: string;
  /** Entries for `lua_package_path`, e.g. `/usr/local/openresty/lualib/?.lua`. `;;` (the default path) is appended. */
  luaPackagePath: string[];
  /** Entries for `lua_package_cpath`; `;;` is appended. */
  luaPackageCpath: string[];
  /** Dynamic modules to `load_module` (absolute paths), e.g. the lua and wasm modules of a distro nginx. */
  loadModules: string[];
  /** Folder holding the plugins' .wasm files at run time. */
  pluginDir: string;
  /** `pid` directive value. */
  pidFile: string;
  /** `error_log` path; `stderr` logs to the container's output. */
  errorLog: string;
  /** `access_log` path or `off`. */
  accessLog: string;
  /** Folders the engine's nginx writes in whatever the conf says (compiled-in temp paths, startup error log). */
  writableDirs: WritableDir[];
  /** DNS servers for cosockets (`resolver`) when the project names none, e.g. Docker's 127.0.0.11 in smoke runs. */
  resolver?: string[];
}

/** The layout of an engine built by orwasm itself (OpenResty under `engine.prefix`). */
export function defaultTarget(project: Project): EngineTarget {
  const prefix = project.data.engine.prefix;
  return {
    vm: project.data.engine.vm,
    prefix: `${prefix}/nginx`,
    luaPackagePath: [
      `${prefix}/lualib/?.lua`,
      `${prefix}/lualib/?/init.lua`,
      `${prefix}/site/lualib/?.lua`,
    ],
    luaPackageCpath: [`${prefix}/lualib/?.so`],
    loadModules: [],
    pluginDir: project.data.gateway.pluginDir ?? `${prefix}/nginx/wasm`,
    pidFile: "/tmp/nginx.pid",
    errorLog: "stderr",
    accessLog: "/dev/stdout",
    // OpenResty's ./configure gets only --prefix from build.sh; the preset flags name modules, never paths.
    writableDirs: nginxWritableDirs(`${prefix}/nginx`, project.data.engine.configure.extraFlags),
  };
}

/**
 * The file `orwasm reload` writes the time a drain began into; the Lua runtime's workers that started before it answer
 * "Connection: close" from then on. Beside the pid file, which is writable wherever nginx runs.
 */
export function drainFile(target: EngineTarget): string {
  return posix.join(posix.dirname(target.pidFile), "orwasm-drain");
}
