import { writeFileSync } from "node:fs";
import wabtInit from "wabt";
const wabt = await wabtInit();
// malloc grows memory by one page per call and returns the new page; on_response_headers asks the host for the
// plugin_root_id property, so the host calls malloc (and the memory grows) inside a host function
const wat = `(module
  (import "env" "proxy_log" (func $log (param i32 i32 i32) (result i32)))
  (import "env" "proxy_get_property" (func $prop (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "plugin_root_id")
  (func (export "proxy_abi_version_0_2_1"))
  (func (export "proxy_on_memory_allocate") (param $n i32) (result i32)
    (i32.mul (memory.grow (i32.const 1)) (i32.const 65536)))
  (func (export "proxy_on_vm_start") (param i32 i32) (result i32) i32.const 1)
  (func (export "proxy_on_configure") (param i32 i32) (result i32) i32.const 1)
  (func (export "proxy_on_context_create") (param i32 i32))
  (func (export "proxy_on_response_headers") (param i32 i32 i32) (result i32)
    (drop (call $prop (i32.const 16) (i32.const 14) (i32.const 64) (i32.const 68)))
    (drop (call $log (i32.const 2) (i32.load (i32.const 64)) (i32.load (i32.const 68))))
    i32.const 0)
  (func (export "proxy_on_done") (param i32) (result i32) i32.const 1)
  (func (export "proxy_on_delete") (param i32)))`;
writeFileSync("/tmp/ah/p/grow.wasm", wabt.parseWat("g.wat", wat).toBinary({}).buffer);
