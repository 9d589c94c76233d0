// Checks that an engine image's wasm VM sees a module's own memory.grow: a libwasmtime.so 0.38.1 built with a
// recent Rust compiler grows the memory but never tells the module or the host ([WASMTIME-4]), and every Go
// plugin then traps while its runtime starts. Pure: the module, the script run in the image, and its verdict.
import type { ProbedEngine } from "./probe.js";
import { shellQuote } from "./shell-quote.js";

/**
 * A 73-byte module, written here by hand:
 * `(module (memory (export "memory") 1)
 *   (func (export "_initialize")
 *     (drop (memory.grow (i32.const 1)))
 *     (memory.fill (i32.const 65536) (i32.const 0) (i32.const 65536))))`
 * It grows its memory by one page and clears the new page, as Go's runtime does for each span it adds
 * (runtime.memclrNoHeapPointers is one memory.fill). A VM that lost the growth traps in `_initialize`.
 */
export const GROWTH_MODULE = Uint8Array.from([
  // magic, version
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  // type section: one type () -> ()
  0x01, 0x04, 0x01, 0x60, 0x00, 0x00,
  // function section: one function of type 0
  0x03, 0x02, 0x01, 0x00,
  // memory section: one memory, min 1 page, no max
  0x05, 0x03, 0x01, 0x00, 0x01,
  // export section: "memory" (memory 0), "_initialize" (func 0)
  0x07, 0x18, 0x02, 0x06, 0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, 0x02, 0x00, 0x0b, 0x5f, 0x69, 0x6e,
  0x69, 0x74, 0x69, 0x61, 0x6c, 0x69, 0x7a, 0x65, 0x00, 0x00,
  // code section: i32.const 1, memory.grow, drop, i32.const 65536, i32.const 0, i32.const 65536, memory.fill
  0x0a,
  0x16, 0x01, 0x14, 0x00, 0x41, 0x01, 0x40, 0x00, 0x1a, 0x41, 0x80, 0x80, 0x04, 0x41, 0x00, 0x41,
  0x80, 0x80, 0x04, 0xfc, 0x0b, 0x00, 0x0b,
]);

/** Where the script writes the module and its conf inside the throw-away container. */
const DIR = "/tmp/orwasm-growth";

/** The load name; wasm-nginx-module logs nothing with it, it only has to be a valid root id. */
const LOAD_NAME = "orwasm_growth_check";

/**
 * A shell script for the image: writes the module and an nginx.conf that loads it from init_worker_by_lua (the
 * only phase where wasm.load works) with `master_process off`, prints `@@growth ok` or `@@growth failed ...`
 * and exits nginx from Lua. nginx's own error lines (the VM's trap) go to stderr, which the caller reads.
 */
export function growthCheckScript(engine: ProbedEngine): string {
  const t = engine.target;
  const octal = [...GROWTH_MODULE].map((b) => `\\${b.toString(8).padStart(3, "0")}`).join("");
  const conf = [
    ...t.loadModules.map((m) => `load_module ${m};`),
    `pid ${DIR}/nginx.pid;`,
    "error_log stderr warn;",
    "master_process off;",
    "daemon off;",
    "events {}",
    "http {",
    `  wasm_vm ${t.vm};`,
    `  lua_package_path "${t.luaPackagePath.join(";")};;";`,
    "  init_worker_by_lua_block {",
    `    local ok, plugin, err = pcall(function() return require("resty.proxy-wasm").load("${LOAD_NAME}", "${DIR}/growth.wasm") end)`,
    `    if not ok then err = plugin plugin = nil end`,
    `    io.stderr:write(plugin and "@@growth ok\\n" or ("@@growth failed " .. tostring(err) .. "\\n"))`,
    "    io.stderr:flush()",
    "    os.exit(0)",
    "  }",
    "}",
  ].join("\n");
  return [
    `mkdir -p ${DIR} || exit 1`,
    `printf '${octal}' > ${DIR}/growth.wasm`,
    `cat > ${DIR}/nginx.conf <<'ORWASM_CONF'`,
    conf,
    "ORWASM_CONF",
    'T=""; if command -v timeout >/dev/null 2>&1; then T="timeout 30"; fi',
    `$T ${shellQuote(engine.nginxBin)} -p ${DIR}/ -c ${DIR}/nginx.conf 2>&1`,
    'echo "@@exit $?"',
  ].join("\n");
}

/** What the check saw: the VM sees growth, loses it (with the VM's own lines), or the check could not tell. */
export type GrowthVerdict =
  { kind: "ok" } | { kind: "lost"; lines: string[] } | { kind: "unknown"; lines: string[] };

/** Reads the script's output (stdout and stderr together). */
export function parseGrowthOutput(out: string): GrowthVerdict {
  const lines = out.split("\n").map((l) => l.replace(/\r$/, ""));
  const marker = lines.find((l) => l.startsWith("@@growth "));
  const errors = lines.filter((l) => /\[(emerg|alert|crit|error)\]/.test(l) || /^\s+\d+: /.test(l));
  if (marker === "@@growth ok") return { kind: "ok" };
  if (marker && errors.some((l) => /wasm trap: out of bounds memory access/.test(l))) {
    return { kind: "lost", lines: errors.slice(0, 6) };
  }
  return { kind: "unknown", lines: (errors.length ? errors : lines.filter(Boolean)).slice(-6) };
}

/** The message for a VM that loses memory growth; `goPlugins` are the project's plugins built by standard Go. */
export function growthLostMessage(ref: string, vm: string, goPlugins: string[]): string {
  const who = goPlugins.length
    ? `Go plugin${goPlugins.length === 1 ? "" : "s"} ${goPlugins.join(", ")} will trap the same way, at load or when its heap first grows`
    : "any plugin that grows its memory can fail: memory.fill, memory.copy, WASI and the host's reads and writes in the new pages trap or fail";
  return (
    `engine image ${ref}: its ${vm} VM loses memory.grow: a module that grows its memory by one page and clears ` +
    `the new page traps in _initialize ("failed to call function: wasm trap: out of bounds memory access"), so ` +
    `${who} (Go's runtime grows memory as it starts; see [WASMTIME-4] in ` +
    `docs/wasm-nginx-module-0.7.0.md). Seen with libwasmtime.so 0.38.1 built by a recent Rust compiler. ` +
    `Fix: set engine: { vm: wasmedge } if the image has WasmEdge, or use an image whose libwasmtime.so ` +
    `passes this check`
  );
}
