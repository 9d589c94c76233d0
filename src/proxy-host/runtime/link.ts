// Linking a plugin the way the VM does: every import must be defined with the same type, else
// instantiation fails naming the import (wasmtime_linker_instantiate in src/vm/wasmtime.c).

import { createRequire } from "node:module";
import type { WASI as WasiType } from "node:wasi";
import {
  wasmNginxModule070WasmEdge,
  wasmNginxModule070Wasmtime,
  type HostProfile,
} from "../../module-abi/wasm-nginx-module-0.7.0.js";
import type { ModuleShape } from "../../wasm/binary.js";
import { ENVOY_LIKE_SIGNATURES } from "./envoy-api.js";
import { HIGRESS_SIGNATURES } from "./higress-api.js";
import type { ProfileName, VmName } from "./protocol.js";
import { ProcExit } from "./vm.js";

/** What a profile defines: `env` functions with their types, and the WASI functions per module. */
export interface ImportTable {
  env: Record<string, string>;
  wasi: Record<string, string[]>;
}

/** The research table for the VM wasm-nginx-module was built with. */
export function moduleProfile(vm: VmName): HostProfile {
  return vm === "wasmedge" ? wasmNginxModule070WasmEdge : wasmNginxModule070Wasmtime;
}

/** The imports a profile offers. envoy-like = the module's table + the functions it lacks; higress adds its extensions. */
export function importTable(profile: ProfileName, vm: VmName): ImportTable {
  const base = moduleProfile(vm);
  const env: Record<string, string> = {};
  for (const [name, fn] of Object.entries(base.env)) env[name] = fn.signature;
  if (profile === "envoy-like" || profile === "higress") {
    Object.assign(env, ENVOY_LIKE_SIGNATURES);
    if (profile === "higress") Object.assign(env, HIGRESS_SIGNATURES);
    // Envoy offers both WASI snapshots whatever wasm-nginx-module's VM does
    return { env, wasi: { ...moduleProfile("wasmtime").wasi } };
  }
  return { env, wasi: { ...base.wasi } };
}

/** The first import the table cannot satisfy, as the VM would report it; undefined when all link. */
export function linkError(shape: ModuleShape, table: ImportTable, vm: VmName): string | undefined {
  for (const imp of shape.imports) {
    const where = `${imp.module}::${imp.name}`;
    if (imp.module === "env" && imp.kind === "function") {
      const sig = table.env[imp.name];
      if (sig === undefined) return unknownImport(vm, imp.module, imp.name);
      if (imp.signature !== undefined && imp.signature !== sig) {
        return (
          `incompatible import type for \`${where}\`: the plugin imports ${imp.signature}, ` +
          `the host defines ${sig}`
        );
      }
      continue;
    }
    const wasi = table.wasi[imp.module];
    if (wasi && imp.kind === "function" && wasi.includes(imp.name)) continue;
    return unknownImport(vm, imp.module, imp.name);
  }
  if (!shape.exports.includes("memory")) return "the wasm plugin doesn't export memory";
  return undefined;
}

function unknownImport(vm: VmName, module: string, name: string): string {
  return vm === "wasmedge"
    ? `unknown import: module "${module}", function "${name}" (WasmEdge: "unknown import")`
    : `unknown import: \`${module}::${name}\` has not been defined`;
}

const ENOSYS = 52;

/**
 * Puts a JS frame between the plugin and node:wasi. Imported directly, node:wasi's functions are V8
 * "fast API" calls from wasm, and uvwasi's allocations inside them report external memory to V8,
 * which can start and finish a garbage collection in the middle of the fast call (nodejs/node#46777):
 * after a plugin grew its memory (Go at its limit printing "fatal error: out of memory" through
 * fd_write) Node died with SIGSEGV. Called from JS, node:wasi takes its ordinary (GC-safe) path.
 */
function viaJs(f: (...a: unknown[]) => unknown): (...a: unknown[]) => unknown {
  return (...a) => f(...a);
}

/**
 * WASI import objects for the table's namespaces the plugin imports from (the VM defines them all,
 * but a namespace nobody imports is unobservable), bound to the instance's memory later.
 */
export function wasiImports(
  table: ImportTable,
  env: Record<string, string>,
  shape: ModuleShape,
): {
  imports: Record<string, Record<string, unknown>>;
  bind: (memory: WebAssembly.Memory) => void;
} {
  const imports: Record<string, Record<string, unknown>> = {};
  const instances: WasiType[] = [];
  const used = new Set(shape.imports.map((i) => i.module));
  for (const [ns, names] of Object.entries(table.wasi)) {
    if (!used.has(ns)) continue;
    // loaded on first use: Node prints an ExperimentalWarning when node:wasi is loaded
    const { WASI } = createRequire(import.meta.url)("node:wasi") as typeof import("node:wasi");
    const wasi = new WASI({
      version: ns === "wasi_unstable" ? "unstable" : "preview1",
      env,
      args: [],
      returnOnExit: true,
    });
    instances.push(wasi);
    const impl = wasi.wasiImport as Record<string, unknown>;
    const fns: Record<string, unknown> = {};
    for (const n of names) {
      const f = impl[n];
      fns[n] = typeof f === "function" ? viaJs(f as (...a: unknown[]) => unknown) : () => ENOSYS;
    }
    // wasmtime turns proc_exit into an error for the running call; so do we
    fns["proc_exit"] = (code: number) => {
      throw new ProcExit(code);
    };
    imports[ns] = fns;
  }
  return {
    imports,
    bind: (memory) => {
      for (const w of instances) w.initialize({ exports: { memory } });
    },
  };
}
