// Why `orwasm reload` refused a new nginx generation, read from its throwaway nginx's log: one line per failed plugin
// with the engine's own words (lines as WasmEdge 0.10 and wasmtime 0.38 under wasm-nginx-module 0.7.0 write them).
import { describe, expect, it } from "vitest";
import { refusalReasons } from "../../src/reload/reasons.js";

const AT = "2026/12/02 00:40:01";
const ORWASM = (pid: number, msg: string) =>
  `${AT} [error] ${pid}#${pid}: [lua] init_by_lua(validate.conf:26):70: init_worker(): orwasm: ${msg}, context: init_worker_by_lua*`;

describe("reload refusal reasons", () => {
  it("WasmEdge: the VM's error lines are attached to the plugin that failed to load", () => {
    const log = [
      `${AT} [notice] 30#30: init wasm vm: wasmedge`,
      `${AT} [warn] 30#30: [lua] http_connect.lua:21: failed to load module \`resty.openssl.*\``,
      `${AT} [error] 31#31: execution failed: unreachable, Code: 0x89`,
      `${AT} [error] 31#31: Instantiation phase failed: unreachable`,
      ORWASM(
        31,
        "plugin add_header failed to load from /tmp/g/plugins/add_header.wasm: failed to load wasm plugin",
      ),
      "orwasm-validate: failed",
    ].join("\n");
    expect(refusalReasons(log)).toEqual([
      "plugin add_header failed to load from /tmp/g/plugins/add_header.wasm: failed to load wasm plugin (the engine said: execution failed: unreachable, Code: 0x89; Instantiation phase failed: unreachable)",
    ]);
  });

  it("wasmtime: a panic and the worker's crash are attached to the failure the respawned worker reports", () => {
    const log = [
      "thread '<unnamed>' (53) panicked at crates/wasmtime/src/store/data.rs:258:5:",
      "object used with the wrong store",
      "note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace",
      "thread '<unnamed>' (53) panicked at /rustc/abc/library/core/src/panicking.rs:225:5:",
      "panic in a function that cannot unwind",
      `${AT} [alert] 30#30: worker process 53 exited on signal 6`,
      ORWASM(
        54,
        "plugin add_header failed to load from /tmp/g/plugins/add_header.wasm: the worker loading or configuring it crashed (the engine's log says why)",
      ),
    ].join("\n");
    expect(refusalReasons(log)).toEqual([
      "plugin add_header failed to load from /tmp/g/plugins/add_header.wasm: the worker loading or configuring it crashed (the engine said: the VM panicked: object used with the wrong store; worker process 53 exited on signal 6)",
    ]);
  });

  it("wasmtime built with an older Rust (1.63): the panic's message is read from its quoted form", () => {
    const log = [
      "thread '<unnamed>' panicked at 'object used with the wrong store', crates/wasmtime/src/store/data.rs:258:5",
      "note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace",
      "fatal runtime error: Rust panics must be rethrown",
      `${AT} [alert] 30#30: worker process 53 exited on signal 6`,
      ORWASM(
        54,
        "plugin add_header failed to load from /tmp/g/plugins/add_header.wasm: the worker loading or configuring it crashed (the engine's log says why)",
      ),
    ].join("\n");
    expect(refusalReasons(log)).toEqual([
      "plugin add_header failed to load from /tmp/g/plugins/add_header.wasm: the worker loading or configuring it crashed (the engine said: the VM panicked: object used with the wrong store; worker process 53 exited on signal 6)",
    ]);
  });

  it("nginx's own refusal stays as it is; engine lines no failure followed come last; repeats are dropped", () => {
    const log = [
      `${AT} [emerg] 30#30: unknown directive "wasm_vmx" in /tmp/g/validate.conf:9`,
      `${AT} [error] 31#31: something the VM said`,
      `${AT} [error] 32#32: something the VM said`,
    ].join("\n");
    expect(refusalReasons(log)).toEqual([
      'unknown directive "wasm_vmx" in /tmp/g/validate.conf:9',
      "something the VM said",
    ]);
  });

  it("a rejected configuration is a reason of its own", () => {
    expect(
      refusalReasons(
        ORWASM(
          31,
          "plugin add_header rejected its configuration (context 1): failed to run proxy_on_configure",
        ),
      ),
    ).toEqual([
      "plugin add_header rejected its configuration (context 1): failed to run proxy_on_configure",
    ]);
  });
});
