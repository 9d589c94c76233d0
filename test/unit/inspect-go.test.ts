// The audit's Go world, on small modules made from WAT here: Higress host extensions, an ABI version the module
// does not know, TinyGo's marks (and its -target=wasm mistake), and standard Go built the wrong way.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { proxyWasm, wat } from "../helpers/wat.js";

const dir = mkdtempSync(join(tmpdir(), "orwasm-inspect-go-"));
function file(name: string, bytes: Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
}
const I32x = (n: number) => `(param ${Array(n).fill("i32").join(" ")}) (result i32)`;

/** Appends a custom section (id 0) to a module. */
function withCustom(bytes: Uint8Array, name: string, payload: Uint8Array): Uint8Array {
  const enc = (n: number) => {
    const out: number[] = [];
    do {
      let b = n & 0x7f;
      n >>>= 7;
      if (n) b |= 0x80;
      out.push(b);
    } while (n);
    return out;
  };
  const nameBytes = [...new TextEncoder().encode(name)];
  const body = [...enc(nameBytes.length), ...nameBytes, ...payload];
  return new Uint8Array([...bytes, 0, ...enc(body.length), ...body]);
}
/** A `producers` section: one field with one name/version pair. */
function producers(field: string, name: string, version: string): Uint8Array {
  const s = (t: string) => {
    const b = [...new TextEncoder().encode(t)];
    return [b.length, ...b];
  };
  return new Uint8Array([1, ...s(field), 1, ...s(name), ...s(version)]);
}

interface Out {
  ok: boolean;
  findings: { severity: string; subject?: string; message: string }[];
}
async function audit(p: string): Promise<{ code: number; out: Out; text: string }> {
  const r = await runCli(["inspect", p, "--json"]);
  const text = await runCli(["inspect", p]);
  return { code: r.code, out: JSON.parse(r.stdout) as Out, text: text.stdout };
}

describe("the audit of Go plugins", () => {
  const higress: [string, string][] = [
    ["proxy_redis_init", I32x(7)],
    ["proxy_redis_call", I32x(5)],
    ["proxy_inject_encoded_data_to_filter_chain", I32x(3)],
    ["proxy_get_upstream_hosts", I32x(2)],
    ["proxy_set_upstream_override_host", I32x(2)],
  ];
  for (const [name, sig] of higress) {
    it(`a module importing ${name} fails, named as a Higress host extension that runs only on Higress`, async () => {
      const p = file(
        `${name}.wasm`,
        proxyWasm(["proxy_on_request_headers"], { [`env.${name}`]: sig }),
      );
      const { code, out } = await audit(p);
      expect(code).toBe(1);
      const f = out.findings.find((x) => x.subject === `env.${name}`);
      expect(f?.severity).toBe("error");
      expect(f?.message).toContain(`imports env.${name}, a Higress host extension`);
      expect(f?.message).toContain(
        "runs on a Higress gateway (deployment.higress), not on OpenResty",
      );
    });
  }

  it("an unknown ABI version (Higress' 0_2_100) is a warning saying the module assumes 0.2.1, not an error", async () => {
    const p = file(
      "abi-0-2-100.wasm",
      proxyWasm(["proxy_on_request_headers"], {}, "proxy_abi_version_0_2_100"),
    );
    const { code, out, text } = await audit(p);
    expect(code).toBe(0);
    const f = out.findings.find((x) => x.subject === "proxy_abi_version_0_2_100");
    expect(f?.severity).toBe("warning");
    expect(f?.message).toContain("the marker of Higress' proxy-wasm-go-sdk");
    expect(f?.message).toContain("assumes the newest it knows, 0.2.1");
    expect(
      out.findings.some((x) => x.message.includes("exports no proxy_abi_version_* marker")),
    ).toBe(false);
    expect(text).toContain("ABI:        proxy_abi_version_0_2_100 (unknown to the host)");
  });

  it("another unknown version (0_3_0) is reported the same way, without the Higress attribution", async () => {
    const p = file(
      "abi-0-3-0.wasm",
      proxyWasm(["proxy_on_request_headers"], {}, "proxy_abi_version_0_3_0"),
    );
    const f = (await audit(p)).out.findings.find((x) => x.subject === "proxy_abi_version_0_3_0");
    expect(f?.message).toMatch(/^exports proxy_abi_version_0_3_0, an ABI version/);
  });

  it("a wasm-go module (0_2_100) importing proxy_set_tick_period_milliseconds is warned that tick functions fail its start", async () => {
    const p = file(
      "wasm-go-tick.wasm",
      proxyWasm(
        ["proxy_on_request_headers"],
        { "env.proxy_set_tick_period_milliseconds": I32x(1) },
        "proxy_abi_version_0_2_100",
      ),
    );
    const f = (await audit(p)).out.findings.filter(
      (x) => x.subject === "env.proxy_set_tick_period_milliseconds",
    );
    expect(f.map((x) => x.message).join("\n")).toContain(
      "wrapper.RegisterTickFunc) fails its start",
    );
  });

  it("TinyGo's -target=wasm mistake (env.runtime.ticks) is an error that says which target to use", async () => {
    const p = file(
      "tinygo-wasm-target.wasm",
      proxyWasm(["proxy_on_request_headers"], { "env.runtime.ticks": "(result f64)" }),
    );
    const { code, out } = await audit(p);
    expect(code).toBe(1);
    const f = out.findings.find((x) => x.subject === "env.runtime.ticks");
    expect(f?.severity).toBe("error");
    expect(f?.message).toContain("TinyGo built this module with -target=wasm");
    expect(f?.message).toContain("-target=wasi");
  });

  it("a module whose producers section names TinyGo is recognised, with a warning about its garbage collector", async () => {
    const p = file(
      "tinygo.wasm",
      withCustom(
        proxyWasm(["proxy_on_request_headers"]),
        "producers",
        producers("processed-by", "TinyGo", "0.34.0"),
      ),
    );
    const { out, text } = await audit(p);
    expect(text).toContain("built by:   TinyGo 0.34.0");
    const f = out.findings.find((x) => x.message.startsWith("built with TinyGo 0.34.0"));
    expect(f?.severity).toBe("warning");
    expect(f?.message).toContain("conservative garbage collector");
  });

  it("a TinyGo module without producers is still recognised by its exported C allocators and asyncify", async () => {
    const base = wat(`(module
      (memory (export "memory") 1)
      (func (export "proxy_abi_version_0_2_0"))
      (func (export "proxy_on_memory_allocate") (param i32) (result i32) i32.const 1024)
      (func (export "malloc") (param i32) (result i32) i32.const 1024)
      (func (export "free") (param i32))
      (func (export "calloc") (param i32 i32) (result i32) i32.const 1024)
      (func (export "realloc") (param i32 i32) (result i32) i32.const 1024)
      (func (export "asyncify_start_unwind") (param i32))
      (func (export "proxy_on_context_create") (param i32 i32))
      (func (export "proxy_on_configure") (param i32 i32) (result i32) i32.const 1)
      (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32) i32.const 0))`);
    const { out } = await audit(file("tinygo-bare.wasm", base));
    expect(out.findings.some((x) => x.message.startsWith("built with TinyGo:"))).toBe(true);
  });

  it("standard Go built without -buildmode=c-shared (it exports _start) is an error", async () => {
    const base = wat(`(module
      (memory (export "memory") 1)
      (func (export "_start"))
      (func (export "proxy_abi_version_0_2_0"))
      (func (export "proxy_on_memory_allocate") (param i32) (result i32) i32.const 1024)
      (func (export "proxy_on_context_create") (param i32 i32))
      (func (export "proxy_on_configure") (param i32 i32) (result i32) i32.const 1)
      (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32) i32.const 0))`);
    const p = file(
      "go-no-c-shared.wasm",
      withCustom(base, "go:buildid", new TextEncoder().encode("x")),
    );
    const { code, out, text } = await audit(p);
    expect(code).toBe(1);
    expect(text).toContain("built by:   Go");
    const f = out.findings.find((x) => x.subject === "_start");
    expect(f?.message).toContain("built without -buildmode=c-shared");
  });

  it("a module built with GOOS=js (imports gojs) is told to use GOOS=wasip1", async () => {
    const p = file(
      "gojs.wasm",
      proxyWasm(["proxy_on_request_headers"], { "gojs.runtime.wasmExit": "(param i32)" }),
    );
    const { code, out } = await audit(p);
    expect(code).toBe(1);
    expect(out.findings.find((x) => x.subject === "gojs.runtime.wasmExit")?.message).toContain(
      "built with GOOS=js",
    );
  });
});
