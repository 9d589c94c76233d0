// Import signatures for the audit: Node's WebAssembly.Module.imports() gives names and kinds only.
import { readModuleShape } from "../wasm/binary.js";

/** `module.name` → signature text such as `(i32, i64) -> i32`, for every imported function. */
export function importSignatures(bytes: Uint8Array): Map<string, string> {
  const out = new Map<string, string>();
  for (const i of readModuleShape(bytes).imports) {
    if (i.signature) out.set(`${i.module}.${i.name}`, i.signature);
  }
  return out;
}
