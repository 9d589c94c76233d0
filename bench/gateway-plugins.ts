// The gateway benchmark's plugins: proxy-wasm modules that do nothing in the callbacks they export (so a run
// measures the glue and the host, not the plugin), written as WebAssembly text here, and the add-header example.
import wabtInit from "wabt";
import { buildExample } from "../test/fixtures/host-plugins/build.js";

const wabt = await wabtInit();

/** Which proxy-wasm callbacks a do-nothing plugin exports; each returns Continue. */
export type NoopCallback =
  | "proxy_on_request_headers"
  | "proxy_on_request_body"
  | "proxy_on_response_headers"
  | "proxy_on_response_body";

/** A plugin (ABI 0.2.1) that exports `callbacks`, each returning Continue, plus the lifecycle every host calls. */
export function noopPlugin(callbacks: NoopCallback[]): Uint8Array {
  const cbs = callbacks
    .map((c) => `(func (export "${c}") (param i32 i32 i32) (result i32) i32.const 0)`)
    .join("\n");
  const mod = wabt.parseWat(
    "noop.wat",
    `(module
  (memory (export "memory") 2)
  (global $heap (mut i32) (i32.const 65536))
  (func (export "proxy_abi_version_0_2_1"))
  ;; a bump allocator: enough for the host's few small writes per request in a run of a few seconds
  (func (export "proxy_on_memory_allocate") (param $n i32) (result i32)
    (local $at i32)
    (local.set $at (global.get $heap))
    (if (i32.gt_u (i32.add (local.get $at) (local.get $n)) (i32.const 131072))
      (then (local.set $at (i32.const 65536))))
    (global.set $heap (i32.add (local.get $at) (local.get $n)))
    (local.get $at))
  (func (export "proxy_on_vm_start") (param i32 i32) (result i32) i32.const 1)
  (func (export "proxy_on_configure") (param i32 i32) (result i32) i32.const 1)
  (func (export "proxy_on_context_create") (param i32 i32))
  (func (export "proxy_on_done") (param i32) (result i32) i32.const 1)
  (func (export "proxy_on_delete") (param i32))
  ${cbs})`,
  );
  try {
    return mod.toBinary({}).buffer;
  } finally {
    mod.destroy();
  }
}

/** The add-header example (AssemblyScript): appends `x-hello: <config>` to the response headers. */
export function addHeaderPlugin(): Promise<Uint8Array> {
  return buildExample("add-header");
}
