// Returning bytes to a plugin the Envoy way (a fresh allocation, then pointer and size written out), for the
// envoy-like and higress host functions alike.
import { WasmResult as R } from "../abi.js";
import type { PluginVm } from "./vm.js";

/** A copier into `vm`'s memory: Ok, InternalFailure when the plugin cannot allocate, or InvalidMemoryAccess. */
export function copyOutTo(vm: PluginVm) {
  return (data: Uint8Array, addr: number, sizeAddr: number): number => {
    if (data.length === 0) {
      return vm.writeI32(addr, 0) && vm.writeI32(sizeAddr, 0) ? R.Ok : R.InvalidMemoryAccess;
    }
    const ptr = vm.alloc(data.length);
    if (ptr === 0) return R.InternalFailure;
    const buf = vm.mem(ptr, data.length);
    if (!buf) return R.InvalidMemoryAccess;
    buf.set(data);
    return vm.writeI32(addr, ptr) && vm.writeI32(sizeAddr, data.length)
      ? R.Ok
      : R.InvalidMemoryAccess;
  };
}
