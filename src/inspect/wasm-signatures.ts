// Reads the type and import sections of a .wasm so imports can be checked by signature, not only by name
// (Node's WebAssembly.Module.imports() gives names and kinds only).

const VALTYPES: Record<number, string> = {
  0x7f: "i32",
  0x7e: "i64",
  0x7d: "f32",
  0x7c: "f64",
  0x7b: "v128",
  0x70: "funcref",
  0x6f: "externref",
};

/** `module.name` → signature text such as `(i32, i64) -> i32`, for every imported function. */
export function importSignatures(bytes: Uint8Array): Map<string, string> {
  const r = new Reader(bytes);
  r.pos = 8; // magic + version
  const types: string[] = [];
  const out = new Map<string, string>();
  while (r.pos < bytes.length) {
    const id = r.byte();
    const size = r.u32();
    const end = r.pos + size;
    if (id === 1) {
      const n = r.u32();
      for (let i = 0; i < n; i++) {
        r.byte(); // 0x60 func form
        const params = r.vec(() => VALTYPES[r.byte()] ?? "?");
        const results = r.vec(() => VALTYPES[r.byte()] ?? "?");
        types.push(`(${params.join(", ")}) -> ${results.length === 0 ? "()" : results.join(", ")}`);
      }
    } else if (id === 2) {
      const n = r.u32();
      for (let i = 0; i < n; i++) {
        const mod = r.name();
        const name = r.name();
        const kind = r.byte();
        if (kind === 0) out.set(`${mod}.${name}`, types[r.u32()] ?? "?");
        else if (kind === 1) {
          r.byte(); // table element type
          r.limits();
        } else if (kind === 2) r.limits();
        else if (kind === 3)
          r.skip(2); // global type + mutability
        else if (kind === 4) {
          r.byte(); // tag attribute
          r.u32();
        }
      }
      return out; // nothing after the import section matters here
    }
    r.pos = end;
  }
  return out;
}

class Reader {
  pos = 0;
  constructor(private readonly b: Uint8Array) {}
  byte(): number {
    const v = this.b[this.pos++];
    if (v === undefined) throw new Error("truncated wasm");
    return v;
  }
  skip(n: number): void {
    this.pos += n;
  }
  u32(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const v = this.byte();
      result |= (v & 0x7f) << shift;
      if ((v & 0x80) === 0) return result >>> 0;
      shift += 7;
    }
  }
  vec<T>(item: () => T): T[] {
    const n = this.u32();
    return Array.from({ length: n }, item);
  }
  name(): string {
    const n = this.u32();
    const s = Buffer.from(this.b.subarray(this.pos, this.pos + n)).toString("utf8");
    this.pos += n;
    return s;
  }
  limits(): void {
    const flags = this.byte();
    this.u32();
    if (flags & 1) this.u32();
  }
}
