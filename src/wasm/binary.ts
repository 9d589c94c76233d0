// Just enough of the wasm binary format for the host and the audit: import signatures (the VM links by name AND
// type, and Node's WebAssembly cannot tell us an import's type) and a memory-limit rewrite.

/** A wasm value type as written in a signature. */
export type ValType = "i32" | "i64" | "f32" | "f64" | "v128" | "funcref" | "externref";

/** One import of a module, with the function type for function imports. */
export interface ImportDecl {
  module: string;
  name: string;
  kind: "function" | "table" | "memory" | "global" | "tag";
  /** For functions: `(i32, i64) -> i32`. */
  signature?: string;
}

/** What the host needs to know about a module before instantiating it. */
export interface ModuleShape {
  imports: ImportDecl[];
  exports: string[];
  /** Signature of each exported function, by export name. */
  exportSignatures: Record<string, string>;
}

const VALTYPES: Record<number, ValType> = {
  0x7f: "i32",
  0x7e: "i64",
  0x7d: "f32",
  0x7c: "f64",
  0x7b: "v128",
  0x70: "funcref",
  0x6f: "externref",
};

/** Formats a function type the way src/module-abi/ tables write it: `(i32, i32) -> i32`. */
export function formatSignature(params: ValType[], results: ValType[]): string {
  const res =
    results.length === 0 ? "()" : results.length === 1 ? results[0] : `(${results.join(", ")})`;
  return `(${params.join(", ")}) -> ${res}`;
}

class Reader {
  pos = 0;
  constructor(readonly bytes: Uint8Array) {}
  byte(): number {
    const b = this.bytes[this.pos++];
    if (b === undefined) throw new Error("unexpected end of the wasm binary");
    return b;
  }
  u32(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = this.byte();
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
      shift += 7;
      if (shift > 35) throw new Error("bad LEB128 in the wasm binary");
    }
  }
  name(): string {
    const len = this.u32();
    const s = new TextDecoder().decode(this.bytes.subarray(this.pos, this.pos + len));
    this.pos += len;
    return s;
  }
  valtype(): ValType {
    const b = this.byte();
    const t = VALTYPES[b];
    if (!t) throw new Error(`unknown value type 0x${b.toString(16)}`);
    return t;
  }
  limits(): { flags: number; min: number; max?: number } {
    const flags = this.byte();
    const min = this.u32();
    const max = flags & 1 ? this.u32() : undefined;
    return max === undefined ? { flags, min } : { flags, min, max };
  }
}

interface Section {
  id: number;
  /** offset of the section id byte */
  start: number;
  /** offset of the payload */
  body: number;
  end: number;
}

/** True when the bytes start like a WebAssembly binary (`\0asm` and a version). */
export function hasWasmMagic(bytes: Uint8Array): boolean {
  return (
    bytes.length >= 8 &&
    bytes[0] === 0x00 &&
    bytes[1] === 0x61 &&
    bytes[2] === 0x73 &&
    bytes[3] === 0x6d
  );
}

function sections(bytes: Uint8Array): Section[] {
  if (!hasWasmMagic(bytes)) {
    throw new Error("not a WebAssembly binary (bad magic number)");
  }
  const r = new Reader(bytes);
  r.pos = 8;
  const out: Section[] = [];
  while (r.pos < bytes.length) {
    const start = r.pos;
    const id = r.byte();
    const size = r.u32();
    const body = r.pos;
    r.pos = body + size;
    out.push({ id, start, body, end: r.pos });
  }
  return out;
}

/** Reads the imports (with function signatures) and export names of a module. */
export function readModuleShape(bytes: Uint8Array): ModuleShape {
  const types: string[] = [];
  const imports: ImportDecl[] = [];
  const exports: string[] = [];
  const exportSignatures: Record<string, string> = {};
  const funcTypes: (string | undefined)[] = [];
  const exportedFuncs: [string, number][] = [];
  for (const s of sections(bytes)) {
    const r = new Reader(bytes);
    r.pos = s.body;
    if (s.id === 1) {
      const n = r.u32();
      for (let i = 0; i < n; i++) {
        const form = r.byte();
        if (form !== 0x60) throw new Error(`unsupported type form 0x${form.toString(16)}`);
        const params = Array.from({ length: r.u32() }, () => r.valtype());
        const results = Array.from({ length: r.u32() }, () => r.valtype());
        types.push(formatSignature(params, results));
      }
    } else if (s.id === 2) {
      const n = r.u32();
      for (let i = 0; i < n; i++) {
        const module = r.name();
        const name = r.name();
        const kind = r.byte();
        if (kind === 0) {
          const sig = types[r.u32()];
          funcTypes.push(sig);
          imports.push(
            sig === undefined
              ? { module, name, kind: "function" }
              : { module, name, kind: "function", signature: sig },
          );
        } else if (kind === 1) {
          r.byte();
          r.limits();
          imports.push({ module, name, kind: "table" });
        } else if (kind === 2) {
          r.limits();
          imports.push({ module, name, kind: "memory" });
        } else if (kind === 3) {
          r.valtype();
          r.byte();
          imports.push({ module, name, kind: "global" });
        } else if (kind === 4) {
          r.byte();
          r.u32();
          imports.push({ module, name, kind: "tag" });
        } else {
          throw new Error(`unknown import kind ${kind}`);
        }
      }
    } else if (s.id === 3) {
      const n = r.u32();
      for (let i = 0; i < n; i++) funcTypes.push(types[r.u32()]);
    } else if (s.id === 7) {
      const n = r.u32();
      for (let i = 0; i < n; i++) {
        const name = r.name();
        const kind = r.byte();
        const index = r.u32();
        exports.push(name);
        if (kind === 0) exportedFuncs.push([name, index]);
      }
    }
  }
  for (const [name, index] of exportedFuncs) {
    const sig = funcTypes[index];
    if (sig !== undefined) exportSignatures[name] = sig;
  }
  return { imports, exports, exportSignatures };
}

function leb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n = Math.floor(n / 128);
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

/** Why a memory limit cannot be applied. */
export class MemoryLimitError extends Error {}

/**
 * Returns a copy of the module whose defined memories may not grow past `maxPages` (64 KiB each),
 * so `memory.grow` fails inside the plugin instead of eating the host. Imported memories are left
 * alone (no wasm-nginx-module VM provides one, so such a plugin does not link anyway).
 */
export function limitMemoryPages(bytes: Uint8Array, maxPages: number): Uint8Array {
  const mem = sections(bytes).find((s) => s.id === 5);
  if (!mem) return bytes;
  const r = new Reader(bytes);
  r.pos = mem.body;
  const n = r.u32();
  const payload: number[] = [...leb(n)];
  for (let i = 0; i < n; i++) {
    const { flags, min, max } = r.limits();
    if (flags & 0x04) throw new MemoryLimitError("64-bit memories are not supported");
    if (min > maxPages) {
      throw new MemoryLimitError(
        `the plugin's memory starts at ${min} pages, above the limit of ${maxPages} pages`,
      );
    }
    const newMax = max === undefined ? maxPages : Math.min(max, maxPages);
    payload.push(flags | 0x01, ...leb(min), ...leb(newMax));
  }
  const head = bytes.subarray(0, mem.start);
  const tail = bytes.subarray(mem.end);
  const section = [5, ...leb(payload.length), ...payload];
  const out = new Uint8Array(head.length + section.length + tail.length);
  out.set(head, 0);
  out.set(section, head.length);
  out.set(tail, head.length + section.length);
  return out;
}
