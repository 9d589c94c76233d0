// One instantiated plugin and the VM-level behaviour wasm-nginx-module relies on
// (src/vm/wasmtime.c: call, has, get_memory; src/proxy_wasm/proxy_wasm_memory.c: alloc).

import { NGX_ERROR, NGX_OK } from "../abi.js";
import type { ModuleShape } from "../../wasm/binary.js";
import type { TrapInfo } from "./protocol.js";

/** Thrown by the WASI proc_exit import: wasmtime turns it into an error for the running call. */
export class ProcExit extends Error {
  constructor(readonly code: number) {
    super(`Exited with i32 exit status ${code}`);
  }
}

/** Why the nginx worker would crash at this point (a NULL dereference in the module's C code). */
export class WorkerCrash extends Error {}

/** Thrown inside host functions to abandon the running callback (e.g. the allocator trapped). */
export class AbandonCall extends Error {}

const PAGE = 65536;

/** The VM's view of an instance: calls by export name with wasmtime's checks, bounds-checked memory. */
export class PluginVm {
  private memory: WebAssembly.Memory | undefined;
  private exportsObj: WebAssembly.Exports = {};
  /** Set when the last call failed; cleared when a new top-level call starts. */
  lastTrap: TrapInfo | undefined;
  private depth = 0;

  constructor(
    readonly shape: ModuleShape,
    private readonly logError: (msg: string) => void,
    private readonly memoryPages: number | undefined,
  ) {}

  /** Binds the instance once it exists. */
  attach(instance: WebAssembly.Instance): void {
    this.exportsObj = instance.exports;
    const mem = instance.exports["memory"];
    this.memory = mem instanceof WebAssembly.Memory ? mem : undefined;
  }

  /** ngx_wasm_wasmtime_has: is there an export with that name. */
  has(name: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.exportsObj, name);
  }

  /**
   * ngx_wasm_wasmtime_call: a missing export counts as NGX_OK (0); a failure (trap, wrong arity,
   * proc_exit) is logged and returns NGX_ERROR (-1); otherwise the i32 result (0 when !hasResult).
   */
  call(name: string, hasResult: boolean, args: number[]): number {
    const fn = this.exportsObj[name];
    if (typeof fn !== "function") return NGX_OK;
    if (this.depth === 0) this.lastTrap = undefined;
    const sig = this.shape.exportSignatures[name];
    if (sig !== undefined) {
      const mismatch = checkCall(sig, args.length, hasResult ? 1 : 0);
      if (mismatch) {
        this.fail(name, "trap", mismatch);
        return NGX_ERROR;
      }
    }
    this.depth++;
    try {
      const result = (fn as (...a: number[]) => unknown)(...args);
      if (!hasResult) return NGX_OK;
      return typeof result === "number" ? result | 0 : NGX_ERROR;
    } catch (err) {
      // the allocator already trapped and was logged; the outer callback just fails
      if (err instanceof AbandonCall && this.lastTrap) return NGX_ERROR;
      if (err instanceof WorkerCrash) this.fail(name, "crash", err.message);
      else if (this.memoryExhausted()) this.fail(name, "memory", describe(err));
      else if (err instanceof ProcExit) this.fail(name, "proc_exit", err.message);
      else this.fail(name, "trap", describe(err));
      return NGX_ERROR;
    } finally {
      this.depth--;
    }
  }

  private fail(callback: string, kind: TrapInfo["kind"], message: string): void {
    const msg =
      kind === "memory"
        ? `${message} (memory at ${this.pages()} of the ${this.memoryPages} pages allowed: out of memory)`
        : message;
    this.lastTrap = { kind, message: msg, callback };
    this.logError(`failed to call function: ${msg}`);
  }

  /**
   * Heuristic: a failed memory.grow is invisible from outside, and allocators trap (or abort)
   * when it fails. Growth usually doubles or asks for a large block, so a trap while the memory
   * holds at least half of the page limit is taken as "out of memory".
   */
  private memoryExhausted(): boolean {
    if (this.memoryPages === undefined || !this.memory) return false;
    return (this.memory.buffer.byteLength / PAGE) * 2 >= this.memoryPages;
  }

  /** Current size in pages. */
  pages(): number {
    return this.memory ? this.memory.buffer.byteLength / PAGE : 0;
  }

  /** Current linear memory as bytes (re-read after every call: growing replaces the buffer). */
  bytes(): Uint8Array {
    return this.memory ? new Uint8Array(this.memory.buffer) : new Uint8Array(0);
  }

  /** ngx_wasm_wasmtime_get_memory: a view of [addr, addr+size) or undefined (logged) when out of range. */
  mem(addr: number, size: number): Uint8Array | undefined {
    const bytes = this.bytes();
    const a = addr >>> 0;
    const s = size >>> 0;
    if (a + s > bytes.length) {
      this.logError(
        `access memory addr ${addr} with size ${size}, but the max addr is ${bytes.length}`,
      );
      return undefined;
    }
    return bytes.subarray(a, a + s);
  }

  /** Writes a little-endian i32 at addr; false when out of range. */
  writeI32(addr: number, value: number): boolean {
    const m = this.mem(addr, 4);
    if (!m) return false;
    new DataView(m.buffer, m.byteOffset, 4).setInt32(0, value, true);
    return true;
  }

  /** Writes a little-endian u64 at addr; false when out of range. */
  writeU64(addr: number, value: bigint): boolean {
    const m = this.mem(addr, 8);
    if (!m) return false;
    new DataView(m.buffer, m.byteOffset, 8).setBigUint64(0, value, true);
    return true;
  }

  /** Reads a little-endian i32 at addr. */
  readI32(addr: number): number | undefined {
    const m = this.mem(addr, 4);
    return m ? new DataView(m.buffer, m.byteOffset, 4).getInt32(0, true) : undefined;
  }

  /**
   * proxy_wasm_memory_alloc: proxy_on_memory_allocate(size), then malloc(size) when that gives 0;
   * 0 means failure ("failed to malloc" is logged). A trap in the allocator abandons the callback
   * (the C module would go on and write through address -1).
   */
  alloc(size: number): number {
    let addr = this.call("proxy_on_memory_allocate", true, [size]);
    if (addr === 0) addr = this.call("malloc", true, [size]);
    if (addr === NGX_ERROR && this.lastTrap) throw new AbandonCall();
    if (addr === 0) this.logError("failed to malloc");
    return addr;
  }
}

/** A signature's shape, parsed once: a plugin's few export signatures are checked on every call. */
interface Shape {
  params: string[];
  results: string[];
}
const shapes = new Map<string, Shape | null>();

function checkCall(sig: string, nargs: number, nresults: number): string | undefined {
  let shape = shapes.get(sig);
  if (shape === undefined) {
    shape = parseSignature(sig);
    shapes.set(sig, shape);
  }
  if (shape === null) return undefined;
  const { params, results } = shape;
  if (params.length !== nargs) return `expected ${params.length} arguments, got ${nargs}`;
  if (params.some((p) => p !== "i32")) return "argument type mismatch";
  if (results.length !== nresults) return `expected ${results.length} results, got ${nresults}`;
  if (results.some((r) => r !== "i32")) return "function returns unexpected type";
  return undefined;
}

function parseSignature(sig: string): Shape | null {
  const m = /^\((.*)\) -> (.*)$/.exec(sig);
  if (!m) return null;
  const params = m[1] === "" ? [] : (m[1] ?? "").split(", ");
  const resultsText = m[2] ?? "()";
  const results = resultsText === "()" ? [] : resultsText.replace(/^\(|\)$/g, "").split(", ");
  return { params, results };
}

function describe(err: unknown): string {
  if (err instanceof WebAssembly.RuntimeError) return `wasm trap: ${err.message}`;
  if (err instanceof RangeError && /call stack/i.test(err.message)) {
    return "wasm trap: call stack exhausted";
  }
  if (err instanceof Error) return err.message;
  return String(err);
}
