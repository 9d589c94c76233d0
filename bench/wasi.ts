// Benchmark: what a WASI call from a plugin costs through the host's imports (node:wasi behind a JS frame, which
// keeps V8's fast-call path and its GC hazard out: see link.ts viaJs) against node:wasi imported directly.
import { performance } from "node:perf_hooks";
import wabtInit from "wabt";
import { importTable, wasiImports } from "../src/proxy-host/runtime/link.js";
import { readModuleShape } from "../src/wasm/binary.js";
import type { BenchResult } from "./result.js";

const CALLS = 2_000_000;

const WAT = `(module
  (import "wasi_snapshot_preview1" "clock_time_get" (func $c (param i32 i64 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "run") (param $n i32) (local $i i32)
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $i) (local.get $n)))
      (drop (call $c (i32.const 1) (i64.const 0) (i32.const 8)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l)))))`;

/** ns per clock_time_get made by wasm through `imports`. */
function nsPerCall(
  module: WebAssembly.Module,
  imports: WebAssembly.Imports,
  bind: (m: WebAssembly.Memory) => void,
): number {
  const instance = new WebAssembly.Instance(module, imports);
  bind(instance.exports["memory"] as WebAssembly.Memory);
  const run = instance.exports["run"] as (n: number) => void;
  run(CALLS / 10);
  const start = performance.now();
  run(CALLS);
  return ((performance.now() - start) * 1e6) / CALLS;
}

/** WASI clock_time_get from wasm: through the host's imports and through node:wasi directly, and their ratio. */
export async function benchWasi(): Promise<BenchResult[]> {
  const wabt = await wabtInit();
  const parsed = wabt.parseWat("bench.wat", WAT);
  const bytes = new Uint8Array(parsed.toBinary({}).buffer);
  parsed.destroy();
  const module = new WebAssembly.Module(bytes);
  const table = importTable("wasm-nginx-module", "wasmtime");
  const host = wasiImports(table, {}, readModuleShape(bytes));
  const viaHost = nsPerCall(module, host.imports as WebAssembly.Imports, host.bind);
  const { WASI } = await import("node:wasi");
  const wasi = new WASI({ version: "preview1", returnOnExit: true });
  const direct = nsPerCall(
    module,
    { wasi_snapshot_preview1: wasi.wasiImport as WebAssembly.ModuleImports },
    (memory) => wasi.initialize({ exports: { memory } }),
  );
  return [
    { name: "wasi clock_time_get through the host's imports", value: viaHost, unit: "ns/call" },
    { name: "wasi clock_time_get, node:wasi imported directly", value: direct, unit: "ns/call" },
    { name: "host / direct", value: viaHost / direct, unit: "x" },
  ];
}
