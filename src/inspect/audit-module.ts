// A module's bytes audited against wasm-nginx-module 0.7.0 on one VM: reading, signatures and the host table in one call.
import { hostProfiles } from "../module-abi/wasm-nginx-module-0.7.0.js";
import { auditPlugin, type Finding } from "./audit.js";
import { readWasmInfo } from "./read-wasm.js";
import { importSignatures } from "./wasm-signatures.js";
import type { WasmInfo } from "./wasm-info.js";

/** What an audit found, with the host it was audited against as messages name it. */
export interface ModuleAudit {
  info: WasmInfo;
  findings: Finding[];
  /** `wasm-nginx-module 0.7.0 + wasmtime`. */
  hostName: string;
}

/** Throws NotWasmError for bytes that are not a WebAssembly module; `vm` must be a key of hostProfiles. */
export function auditModule(bytes: Uint8Array, vm: string): ModuleAudit {
  const host = Object.hasOwn(hostProfiles, vm) ? hostProfiles[vm] : undefined;
  if (!host)
    throw new RangeError(`unknown VM ${vm} (known: ${Object.keys(hostProfiles).join(", ")})`);
  const info = readWasmInfo(bytes);
  const hostName = `wasm-nginx-module 0.7.0 + ${vm}`;
  return { info, findings: auditPlugin(info, importSignatures(bytes), host, hostName), hostName };
}
