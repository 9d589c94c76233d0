// `orwasm inspect`: the import audit against wasm-nginx-module 0.7.0's real host tables.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { buildPlugin, defaultPluginOutFile } from "../../src/plugins/index.js";
import { runCli } from "../helpers/cli.js";
import { proxyWasm } from "../helpers/wat.js";

const dir = mkdtempSync(join(tmpdir(), "orwasm-inspect-"));
function file(name: string, bytes: Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
}
const I32x = (n: number) => `(param ${Array(n).fill("i32").join(" ")}) (result i32)`;

describe("orwasm inspect", () => {
  const example = defaultPluginOutFile("examples/add-header", ".", "add_header");
  beforeAll(async () => {
    await buildPlugin({
      lang: "assemblyscript",
      dir: "examples/add-header",
      entry: "assembly/index.ts",
      outFile: example,
    });
  }, 300_000);

  it("passes the add-header example on both VMs and names its phase", async () => {
    for (const host of ["wasmtime", "wasmedge"]) {
      const r = await runCli(["inspect", example, "--host", host]);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain("phases:     responseHeaders");
      expect(r.stdout).toContain(`OK: runs on wasm-nginx-module 0.7.0 + ${host}`);
    }
  });

  it("flags wasi_unstable.proc_exit as an error on WasmEdge, but not on wasmtime, which provides wasi_unstable", async () => {
    const p = file(
      "proc-exit.wasm",
      proxyWasm(["proxy_on_request_headers"], { "wasi_unstable.proc_exit": "(param i32)" }),
    );
    const edge = await runCli(["inspect", p, "--host", "wasmedge"]);
    expect(edge.code).toBe(1);
    expect(edge.stdout).toContain(
      "error   imports wasi_unstable.proc_exit, but wasm-nginx-module 0.7.0 + wasmedge has no module 'wasi_unstable'",
    );
    expect(edge.stdout).toContain("FAIL: 1 error(s)");
    const wasmtime = await runCli(["inspect", p, "--host", "wasmtime"]);
    expect(wasmtime.code).toBe(0);
  });

  it("flags an import the host lacks and one whose signature differs from the host's", async () => {
    const p = file(
      "bad-imports.wasm",
      proxyWasm(["proxy_on_request_headers"], {
        "env.abort": "(param i32 i32 i32 i32)",
        "env.proxy_get_metric": I32x(2), // the module registers (i32, i64) -> i32
      }),
    );
    const r = await runCli(["inspect", p, "--json"]);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as {
      ok: boolean;
      findings: { severity: string; subject: string; message: string }[];
    };
    expect(out.ok).toBe(false);
    const errors = out.findings.filter((f) => f.severity === "error").map((f) => f.subject);
    expect(errors).toEqual(["env.abort", "env.proxy_get_metric"]);
    expect(out.findings.find((f) => f.subject === "env.proxy_get_metric")?.message).toContain(
      "as (i32, i32) -> i32 but",
    );
  });

  it("warns, naming the function, about host functions that answer UNIMPLEMENTED", async () => {
    const p = file(
      "shared.wasm",
      proxyWasm(["proxy_on_request_headers"], {
        "env.proxy_get_shared_data": I32x(5),
        "env.proxy_set_tick_period_milliseconds": I32x(1),
      }),
    );
    const r = await runCli(["inspect", p]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/warning proxy_get_shared_data answers UNIMPLEMENTED/);
    expect(r.stdout).toMatch(/warning proxy_set_tick_period_milliseconds answers UNIMPLEMENTED/);
  });

  it("warns when a plugin that dispatches http calls also runs in a response phase", async () => {
    const p = file(
      "call.wasm",
      proxyWasm(["proxy_on_response_headers"], { "env.proxy_http_call": I32x(10) }),
    );
    const r = await runCli(["inspect", p]);
    expect(r.stdout).toContain("imports proxy_http_call and exports proxy_on_response_headers");
  });

  it("refuses a file that is not wasm with exit 2", async () => {
    const p = join(dir, "not.wasm");
    writeFileSync(p, "hello");
    const r = await runCli(["inspect", p]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("not a WebAssembly module");
  });
});
