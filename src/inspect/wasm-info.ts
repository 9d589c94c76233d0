// What orwasm knows about a .wasm after reading it: pure data, produced by inspect/read-wasm.ts.

export interface WasmImport {
  module: string;
  name: string;
  kind: "function" | "table" | "memory" | "global" | "tag";
}

export interface WasmInfo {
  imports: WasmImport[];
  /** Export names, functions and others. */
  exports: string[];
  /** `proxy_abi_version_0_1_0` | `_0_2_0` | `_0_2_1`, or undefined when the module is not proxy-wasm. */
  abiVersion?: string;
  /** proxy_on_* callbacks the module exports. */
  callbacks: string[];
  /** What built the module, read from its `producers` and `go:buildid` custom sections (see toolchain.ts). */
  toolchain?: Toolchain;
}

/** The compiler a module names: standard Go (gc), TinyGo, or another language. */
export interface Toolchain {
  kind: "go" | "tinygo" | "other";
  /** e.g. `go1.26.8`, when the module says. */
  version?: string;
}
