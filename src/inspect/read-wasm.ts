// Reads a .wasm's imports and exports with Node's own WebAssembly, and classifies it as proxy-wasm or not.
import { hasWasmMagic } from "../wasm/binary.js";
import { detectToolchain } from "./toolchain.js";
import type { WasmImport, WasmInfo } from "./wasm-info.js";

/** The ABI version markers a proxy-wasm module exports, oldest first. */
export const ABI_VERSIONS = [
  "proxy_abi_version_0_1_0",
  "proxy_abi_version_0_2_0",
  "proxy_abi_version_0_2_1",
] as const;

/** Thrown for bytes that are not a WebAssembly module at all. */
export class NotWasmError extends Error {}

/** Compiles (without instantiating) and lists imports/exports; throws NotWasmError for non-wasm bytes. */
export function readWasmInfo(bytes: Uint8Array): WasmInfo {
  if (!hasWasmMagic(bytes)) {
    throw new NotWasmError(
      "not a WebAssembly module (it does not start with the \\0asm magic bytes)",
    );
  }
  let mod: WebAssembly.Module;
  try {
    mod = new WebAssembly.Module(bytes);
  } catch (err) {
    throw new NotWasmError(`not a valid WebAssembly module: ${(err as Error).message}`);
  }
  const imports: WasmImport[] = WebAssembly.Module.imports(mod).map((i) => ({
    module: i.module,
    name: i.name,
    kind: i.kind,
  }));
  const exports = WebAssembly.Module.exports(mod).map((e) => e.name);
  const abiVersion = [...ABI_VERSIONS].reverse().find((v) => exports.includes(v));
  const callbacks = exports.filter((e) => e.startsWith("proxy_on_")).sort();
  const toolchain = detectToolchain(mod, imports, exports);
  return { imports, exports, abiVersion, callbacks, ...(toolchain ? { toolchain } : {}) };
}
