// The gateway benchmark's configurations: the project orwasm renders (every measured route in one file) and, for a
// real engine, the hand-written confs it is compared with (pure Lua, on_configure per request, the minimal glue).
import type { EngineTarget } from "../src/render/target.js";

/** The path every request of a variant goes to, and the plugins on that route. */
export const ROUTES = {
  none: "/none",
  addHeader: "/add-header",
  noop: "/noop",
  noopOpen: "/noop-open",
  three: "/three",
  ten: "/ten",
  bodyNone: "/body-none",
  body: "/body",
  bigNone: "/big-none",
  big: "/big",
} as const;

/** Size of the response the response-body plugin sees. */
export const BIG = 1024 * 1024;

/** Names of the add-header copies (each loaded as its own plugin, root id add_header). */
export const addHeaderNames = (n: number): string[] =>
  Array.from({ length: n }, (_, i) => (i === 0 ? "add_header" : `add_header_${i + 1}`));

/**
 * The orwasm.yaml of the benchmark. `bigUpstream` (host:port) serves the 1 MB response on a real engine (a Lua
 * string that long cannot be written in a content_by_lua_block); the embedded engine answers it itself.
 */
export function benchProjectYaml(
  port: number,
  bigUpstream: string | undefined,
  vm?: "wasmtime" | "wasmedge",
): string {
  const ok = `respond: { body: "ok\\n" }`;
  const big = bigUpstream ? `upstream: bigfile` : `respond: { body: "${"x".repeat(BIG)}" }`;
  const plugins = [
    ...addHeaderNames(10).map(
      (n, i) =>
        `  - { name: ${n}, rootId: add_header, file: plugins/${n}.wasm, config: v${i + 1} }`,
    ),
    "  - { name: noop, file: plugins/noop.wasm }",
    // fail-open: its route has no body filter (a fail-closed response-headers plugin needs one to replace the body)
    "  - { name: noop_open, file: plugins/noop_open.wasm, failure: open }",
    "  - { name: reqbody, file: plugins/reqbody.wasm }",
    "  - { name: respbody, file: plugins/respbody.wasm }",
  ];
  return `# The gateway benchmark's project (bench/gateway.ts): every measured route in one gateway.
${vm ? `engine:\n  vm: ${vm}\n` : ""}gateway:
  workerProcesses: 1
  accessLog: "off"
  clientBodyBufferSize: 16k # the 64 KB and 1 MB bodies spill to a temp file, as they do on nginx's default
  clientMaxBodySize: 2m
plugins:
${plugins.join("\n")}
${bigUpstream ? `upstreams:\n  - { name: bigfile, servers: ["${bigUpstream}"] }\n` : ""}servers:
  - listen: "127.0.0.1:${port}"
    routes:
      - { path: ${ROUTES.none}, match: exact, ${ok} }
      - { path: ${ROUTES.addHeader}, match: exact, ${ok}, plugins: [add_header] }
      - { path: ${ROUTES.noop}, match: exact, ${ok}, plugins: [noop] }
      - { path: ${ROUTES.noopOpen}, match: exact, ${ok}, plugins: [noop_open] }
      - { path: ${ROUTES.three}, match: exact, ${ok}, plugins: [${addHeaderNames(3).join(", ")}] }
      - { path: ${ROUTES.ten}, match: exact, ${ok}, plugins: [${addHeaderNames(10).join(", ")}] }
      - { path: ${ROUTES.bodyNone}, match: exact, ${ok} }
      - { path: ${ROUTES.body}, match: exact, ${ok}, plugins: [reqbody] }
      - { path: ${ROUTES.bigNone}, match: exact, ${big} }
      - { path: ${ROUTES.big}, match: exact, ${big}, plugins: [respbody] }
`;
}

/** Appended inside the rendered conf's http block on a real engine: the upstream that serves the 1 MB file. */
export function bigFileServer(port: number, root: string): string {
  return `
    # bench: the upstream of ${ROUTES.big} and ${ROUTES.bigNone}
    server {
        listen 127.0.0.1:${port};
        location / {
            root ${root};
        }
    }
`;
}

/** The hand-written variants, one location each, on one real-engine conf. */
export const HAND = {
  lua: "/lua",
  perRequest: "/per-request-configure",
  minimal: "/minimal",
  minimalNoop: "/minimal-noop",
  none: "/none",
  timers: "/timers",
  timersReport: "/timers-report",
} as const;

/**
 * A conf as people write it by hand for the same engine: the pure-Lua equivalent of add-header, the common
 * pattern (on_configure in every request), and the minimal glue (one context per worker, reused, one
 * on_http_response_headers call and nothing else) with add-header and with the do-nothing plugin.
 */
export function handWrittenConf(target: EngineTarget, port: number): string {
  const q = (s: string) => JSON.stringify(s);
  const content = `content_by_lua_block {
                ngx.status = 200
                ngx.print("ok\\n")
            }`;
  return `# bench/gateway.ts: hand-written confs the rendered one is compared with
${target.loadModules.map((m) => `load_module ${q(m)};`).join("\n")}
worker_processes 1;
pid /tmp/nginx.pid;
error_log stderr warn;
events { worker_connections 1024; }
http {
    wasm_vm ${target.vm};
    lua_package_path ${q(`${target.luaPackagePath.join(";")};;`)};
    access_log off;
    init_worker_by_lua_block {
        local wasm = require("resty.proxy-wasm")
        -- two instances of add-header: the per-request pattern leaves a plugin context behind in every request,
        -- which slows every later call into that instance, so the minimal glue must not share it
        local add = assert(wasm.load("add_header", ${q(`${target.pluginDir}/add_header.wasm`)}))
        local add_min = assert(wasm.load("add_header", ${q(`${target.pluginDir}/add_header.wasm`)}))
        local noop = assert(wasm.load("noop", ${q(`${target.pluginDir}/noop.wasm`)}))
        local ffi = require("ffi")
        ffi.cdef[[
            typedef struct { long tv_sec; long tv_nsec; } orwasm_bench_timespec;
            int clock_gettime(int clk, orwasm_bench_timespec *tp);
            int getpid(void);
        ]]
        local ts = ffi.new("orwasm_bench_timespec")
        bench = {
            wasm = wasm,
            add = add,
            add_ctx = assert(wasm.on_configure(add_min, "world")),
            noop_ctx = assert(wasm.on_configure(noop, "{}")),
            -- nanoseconds, CLOCK_MONOTONIC (1)
            now = function()
                ffi.C.clock_gettime(1, ts)
                return tonumber(ts.tv_sec) * 1e9 + tonumber(ts.tv_nsec)
            end,
            -- the cheapest FFI call into C, to compare a plugin call with
            ffi_noop = function() return ffi.C.getpid() end,
            t = { n = 0, clock = 0, ffi = 0, first_noop = 0, noop = 0, add = 0 },
        }
    }
    server {
        listen 127.0.0.1:${port};
        location = ${HAND.none} {
            ${content}
        }
        location = ${HAND.lua} {
            header_filter_by_lua_block {
                ngx.header["x-hello"] = "world"
            }
            ${content}
        }
        location = ${HAND.perRequest} {
            access_by_lua_block {
                ngx.ctx.pw = assert(bench.wasm.on_configure(bench.add, "world"))
            }
            header_filter_by_lua_block {
                bench.wasm.on_http_response_headers(ngx.ctx.pw)
            }
            ${content}
        }
        location = ${HAND.minimal} {
            header_filter_by_lua_block {
                bench.wasm.on_http_response_headers(bench.add_ctx)
            }
            ${content}
        }
        # where a call's time goes: timed with CLOCK_MONOTONIC around calls in one request's header filter.
        # The first call creates the request's http context; the later ones reuse it.
        location = ${HAND.timers} {
            header_filter_by_lua_block {
                local t, now, w = bench.t, bench.now, bench.wasm
                local a = now()
                bench.ffi_noop()
                local b = now()
                w.on_http_response_headers(bench.noop_ctx)
                local c = now()
                for _ = 1, 8 do w.on_http_response_headers(bench.noop_ctx) end
                w.on_http_response_headers(bench.add_ctx) -- creates add-header's http context, untimed
                local d = now()
                for _ = 1, 8 do w.on_http_response_headers(bench.add_ctx) end
                local e = now()
                local f = now()
                t.n = t.n + 1
                t.clock = t.clock + (f - e)
                t.ffi = t.ffi + (b - a)
                t.first_noop = t.first_noop + (c - b)
                t.noop = t.noop + (d - c) / 8
                t.add = t.add + (e - d) / 8
            }
            ${content}
        }
        location = ${HAND.timersReport} {
            content_by_lua_block {
                local t = bench.t
                local n = math.max(t.n, 1)
                ngx.say(string.format('{"n":%d,"clock_ns":%.0f,"ffi_ns":%.0f,"first_noop_ns":%.0f,"noop_ns":%.0f,"add_ns":%.0f}',
                    t.n, t.clock / n, t.ffi / n, t.first_noop / n, t.noop / n, t.add / n))
            }
        }
        location = ${HAND.minimalNoop} {
            header_filter_by_lua_block {
                bench.wasm.on_http_response_headers(bench.noop_ctx)
            }
            ${content}
        }
    }
}
`;
}
