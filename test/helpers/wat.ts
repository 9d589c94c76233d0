// Makes small .wasm modules from WebAssembly text, for edge cases that real plugins cannot express (bad imports, missing exports).
import wabtInit from "wabt";

const wabt = await wabtInit();

/** Compiles WAT text to wasm bytes. */
export function wat(text: string): Uint8Array {
  const mod = wabt.parseWat("test.wat", text);
  try {
    return mod.toBinary({}).buffer;
  } finally {
    mod.destroy();
  }
}

/**
 * A minimal proxy-wasm module: memory, ABI marker, malloc, context create/configure and the given callbacks,
 * plus the given function imports (`module.name` → signature such as `(param i32 i32) (result i32)`).
 */
export function proxyWasm(
  callbacks: string[],
  imports: Record<string, string> = {},
  abi = "proxy_abi_version_0_2_1",
): Uint8Array {
  const imp = Object.entries(imports)
    .map(([full, sig], i) => {
      const dot = full.indexOf("."); // names may hold dots themselves (env.runtime.ticks)
      const [m, n] = [full.slice(0, dot), full.slice(dot + 1)];
      return `(import "${m}" "${n}" (func $i${i} ${sig}))`;
    })
    .join("\n");
  const cbs = callbacks
    .map((c) => `(func (export "${c}") (param i32 i32 i32) (result i32) i32.const 0)`)
    .join("\n");
  return wat(`(module ${imp}
    (memory (export "memory") 1)
    ${abi ? `(func (export "${abi}"))` : ""}
    (func (export "malloc") (param i32) (result i32) i32.const 1024)
    (func (export "proxy_on_context_create") (param i32 i32))
    (func (export "proxy_on_configure") (param i32 i32) (result i32) i32.const 1)
    ${cbs})`);
}

/**
 * A module that passes orwasm's audit but whose start function traps: the VM fails to instantiate it (WasmEdge and
 * the embedded host report the trap; wasmtime 0.38.1 panics and its worker dies). `callbacks` as in proxyWasm.
 */
export function trapsAtStart(callbacks: string[] = []): Uint8Array {
  const cbs = callbacks
    .map((c) => `(func (export "${c}") (param i32 i32 i32) (result i32) i32.const 0)`)
    .join("\n");
  return wat(`(module
    (memory (export "memory") 1)
    (func (export "proxy_abi_version_0_2_1"))
    (func (export "malloc") (param i32) (result i32) i32.const 1024)
    (func (export "proxy_on_context_create") (param i32 i32))
    (func (export "proxy_on_configure") (param i32 i32) (result i32) i32.const 1)
    ${cbs}
    (func $boom unreachable)
    (start $boom))`);
}
