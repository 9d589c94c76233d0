// orwasm's AssemblyScript abort handler, for plugins that declare none of their own.
//
// AssemblyScript 0.14 calls `abort` on a failed assertion or out-of-memory. Its default handler
// imports `env.abort`, and the SDK's `--use abort=abort_proc_exit` imports
// `wasi_unstable.proc_exit`. wasm-nginx-module never provides `env.abort`, and with WasmEdge there
// is no `wasi_unstable` either (wasmtime has it), so such a plugin fails to load. This handler imports only `env.proxy_log` (which every proxy-wasm host has),
// logs the message at critical level and traps. It is passed to asc as a library file
// (`--lib`), whose top-level exports become globals, and selected with `--use abort=...`.

/** The file name asc sees; its exports become AssemblyScript globals. */
export const ABORT_SHIM_FILE = "orwasm_abort.ts";

/** The global the `--use abort=` alias points at. */
export const ABORT_SHIM_GLOBAL = "orwasm_abort";

/** The AssemblyScript source of the handler. */
export const ABORT_SHIM_SOURCE = `// Written by orwasm: logs an AssemblyScript abort through proxy_log, then traps.
// @ts-ignore: decorator
@external("env", "proxy_log")
declare function orwasm_proxy_log(level: i32, message: usize, size: usize): i32;

export function ${ABORT_SHIM_GLOBAL}(
  message: string | null,
  fileName: string | null,
  lineNumber: u32,
  columnNumber: u32,
): void {
  let text = "abort: " + (message !== null ? message : "(no message)");
  if (fileName !== null) {
    text += " at " + fileName + ":" + lineNumber.toString() + ":" + columnNumber.toString();
  }
  const bytes = String.UTF8.encode(text);
  orwasm_proxy_log(5 /* critical */, changetype<usize>(bytes), bytes.byteLength);
  unreachable();
}
`;
