import { writeFileSync } from "node:fs";
import wabtInit from "wabt";
const wabt = await wabtInit();
const wat = (body: string, mem = "1") => `(module
  (import "env" "proxy_log" (func $log (param i32 i32 i32) (result i32)))
  (memory (export "memory") ${mem})
  (data (i32.const 16) "grew")
  (global $heap (mut i32) (i32.const 1024))
  (func (export "proxy_abi_version_0_2_1"))
  (func (export "proxy_on_memory_allocate") (param $n i32) (result i32)
    (local $at i32) (local.set $at (global.get $heap))
    (global.set $heap (i32.add (local.get $at) (i32.and (i32.add (local.get $n) (i32.const 15)) (i32.const -16))))
    (if (i32.gt_u (global.get $heap) (i32.const 60000)) (then (global.set $heap (i32.const 1024))))
    (local.get $at))
  (func (export "proxy_on_vm_start") (param i32 i32) (result i32) i32.const 1)
  (func (export "proxy_on_configure") (param i32 i32) (result i32) i32.const 1)
  (func (export "proxy_on_context_create") (param i32 i32))
  (func (export "proxy_on_response_headers") (param i32 i32 i32) (result i32)
    ${body}
    i32.const 0)
  (func (export "proxy_on_done") (param i32) (result i32) i32.const 1)
  (func (export "proxy_on_delete") (param i32)))`;
const emit = (name: string, body: string) => {
  const m = wabt.parseWat(name, wat(body));
  writeFileSync(`/tmp/ah/p/${name}.wasm`, m.toBinary({}).buffer);
};
// one page per request, then write into the new page and log it
emit("grow", `(drop (memory.grow (i32.const 1)))
    (i32.store (i32.mul (i32.sub (memory.size) (i32.const 1)) (i32.const 65536)) (i32.const 42))
    (drop (call $log (i32.const 2) (i32.const 16) (i32.const 4)))`);
