// Tells which compiler built a module: standard Go and TinyGo leave different marks, and each has its own pitfalls.
import type { Toolchain, WasmImport } from "./wasm-info.js";

/** The strings of a `producers` custom section (tool-conventions: field name, then name/version pairs). */
function producerStrings(section: ArrayBuffer): string[] {
  const bytes = new Uint8Array(section);
  const out: string[] = [];
  let pos = 0;
  const leb = (): number => {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = bytes[pos++];
      if (b === undefined) throw new RangeError("truncated");
      result |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result >>> 0;
      shift += 7;
    }
  };
  const str = (): string => {
    const n = leb();
    const s = new TextDecoder().decode(bytes.subarray(pos, pos + n));
    pos += n;
    return s;
  };
  try {
    const fields = leb();
    for (let f = 0; f < fields; f++) {
      out.push(str());
      const values = leb();
      for (let v = 0; v < values; v++) out.push(str(), str());
    }
  } catch {
    // a damaged section says nothing
  }
  return out;
}

/**
 * Standard Go writes a `go:buildid` section and producers `Go cmd/compile goX.Y.Z`; TinyGo names itself in
 * producers, imports `env.runtime.ticks` on its browser target, and exports the C allocator set.
 */
export function detectToolchain(
  mod: WebAssembly.Module,
  imports: WasmImport[],
  exports: string[],
): Toolchain | undefined {
  const producers = WebAssembly.Module.customSections(mod, "producers").flatMap(producerStrings);
  const text = producers.join(" ");
  if (/tinygo/i.test(text)) {
    const i = producers.findIndex((s) => /tinygo/i.test(s));
    const version = producers[i + 1];
    return version ? { kind: "tinygo", version } : { kind: "tinygo" };
  }
  if (
    WebAssembly.Module.customSections(mod, "go:buildid").length > 0 ||
    /Go cmd\/compile/.test(text)
  ) {
    const version = /go\d+\.\d+(\.\d+)?/.exec(text)?.[0];
    return version ? { kind: "go", version } : { kind: "go" };
  }
  const importsTicks = imports.some((i) => i.module === "env" && i.name.startsWith("runtime."));
  const cAllocators = ["malloc", "free", "calloc", "realloc"].every((e) => exports.includes(e));
  const asyncify = exports.includes("asyncify_start_unwind");
  if (importsTicks || (cAllocators && (asyncify || exports.includes("proxy_on_memory_allocate")))) {
    return { kind: "tinygo" };
  }
  if (producers.length > 0) return { kind: "other" };
  return undefined;
}
