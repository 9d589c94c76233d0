// Facts about api7/wasm-nginx-module 0.7.0's proxy-wasm host that code reads, from its source (tag 0.7.0); the
// surprising behaviours, as prose with ids tests cite, are in docs/wasm-nginx-module-0.7.0.md.
//
// Source files referred to below (paths relative to the module's repository):
//   src/http/ngx_http_wasm_api.c        - bodies of every host function (module "env")
//   src/http/ngx_http_wasm_api_def.h    - generated import table (names + arity)
//   src/http/ngx_http_wasm_module.c     - plugin load, contexts, callback dispatch
//   src/http/ngx_http_wasm_call.c       - proxy_http_call bookkeeping
//   src/http/ngx_http_wasm_state.c      - "current state" (request, conf, body, plugin name)
//   src/proxy_wasm/proxy_wasm_memory.c  - host-side allocation inside the plugin
//   src/proxy_wasm/proxy_wasm_map.c     - header map (de)serialisation
//   src/vm/wasmtime.c, src/vm/wasmedge.c - VM wiring (imports, WASI, memory access)
//   lib/resty/proxy-wasm.lua            - the Lua driver that OpenResty code calls
// The VM versions are the ones pinned by install-wasmtime.sh (wasmtime C API v0.38.1) and
// install-wasmedge.sh (WasmEdge 0.10.0). WASI function lists were read from wasmtime v0.38.1
// (crates/wasi-common/src/snapshots/preview_{0,1}.rs, crates/wasi/src/lib.rs) and WasmEdge 0.10.0
// (lib/host/wasi/wasimodule.cpp).

export type ImportStatus = "implemented" | "unimplemented" | "partial";

export interface HostFunction {
  status: ImportStatus;
  note?: string;
  /** e.g. "ngx_http_wasm_api.c:proxy_get_shared_data" */
  source: string;
  /**
   * Wasm type the host registers for the import (module "env"). Both VMs link strictly, so a
   * plugin importing the same name with another type fails to instantiate.
   * Added because proxy_get_metric deviates from the SDKs' (i32, i32) -> i32.
   */
  signature: string;
  /** true when the host returns Ok but does nothing at all (a stub that only lets plugins load). */
  noop?: boolean;
}

export interface HostProfile {
  id: string;
  description: string;
  /** export names the host looks for; none of them is required (docs/wasm-nginx-module-0.7.0.md LOAD-6). */
  abiVersions: string[];
  /** every import the host defines in module "env", with status */
  env: Record<string, HostFunction>;
  /** WASI module name -> function names the VM provides to plugins */
  wasi: Record<string, string[]>;
  /** plugin exports the host calls (plus "memory", docs/wasm-nginx-module-0.7.0.md LOAD-3) */
  callbacks: string[];
  /** plugin exports from the proxy-wasm ABI that this host never calls (added field) */
  uncalledCallbacks: string[];
  /** proxy-wasm WasmResult codes the module actually returns from host functions */
  statusCodes: Record<string, number>;
  /** property paths proxy_get_property resolves (see comment at PROPERTIES) */
  properties: string[];
}

// ---------------------------------------------------------------------------------------------
// Status codes. proxy_wasm_types.h declares the full 0..12 enum (Ok=0, NotFound=1,
// BadArgument=2, SerializationFailure=3, ParseFailure=4, BadExpression=5,
// InvalidMemoryAccess=6, Empty=7, CasMismatch=8, ResultMismatch=9, InternalFailure=10,
// BrokenConnection=11, Unimplemented=12) but ngx_http_wasm_api.c only ever returns these six.
// ---------------------------------------------------------------------------------------------
const STATUS_CODES: Record<string, number> = {
  Ok: 0,
  NotFound: 1,
  BadArgument: 2, // also: "no request in the current state" (must_get_req macro)
  InvalidMemoryAccess: 6, // pointer/size outside linear memory, or plugin allocation failed
  InternalFailure: 10,
  Unimplemented: 12,
};

// Map types (proxy_wasm_map.h): 0 request headers, 1 request trailers, 2 response headers,
// 3 response trailers, 6 http-call response headers, 7 http-call response trailers.
// Only 0, 2 and 6 are ever served (6 read-only).
// Buffer types (proxy_wasm_types.h): 0 request body, 1 response body, 2 downstream data,
// 3 upstream data, 4 http-call response body, 5 grpc receive buffer, 6 VM configuration,
// 7 plugin configuration, 8 call data. Only 0, 1, 4 and 7 are served, read-only.

const I32 = (n: number): string => `(${Array.from({ length: n }, () => "i32").join(", ")}) -> i32`;
const I32_I64 = "(i32, i64) -> i32";

const API = "ngx_http_wasm_api.c";

// The import table is generated identically for both VMs (ngx_http_wasm_api_wasmtime.h and
// ngx_http_wasm_api_wasmedge.h list the same 41 names with the same types, all returning i32).
const ENV: Record<string, HostFunction> = {
  proxy_set_effective_context: {
    status: "partial",
    noop: true,
    note: "Stub kept only so plugins link; always Ok and the effective context never changes (the host has one current state per call).",
    source: `${API}:proxy_set_effective_context`,
    signature: I32(1),
  },
  proxy_get_property: {
    status: "partial",
    note: 'Only "plugin_root_id" (returns the plugin NAME passed to proxy_wasm.load, works without a request) and nginx variables (path lowercased, looked up with ngx_http_get_variable; needs a request, else BadArgument; unknown/unset variable -> NotFound). Envoy attribute paths are not supported.',
    source: `${API}:proxy_get_property`,
    signature: I32(4),
  },
  proxy_set_property: {
    status: "partial",
    note: 'Sets an nginx variable through lua-nginx-module\'s ngx_http_lua_ffi_var_set; needs a request (else BadArgument); variable missing or not writable ("not found for writing") -> NotFound; any other failure -> InternalFailure.',
    source: `${API}:proxy_set_property`,
    signature: I32(4),
  },
  proxy_log: {
    status: "implemented",
    note: "Levels: trace/debug -> NGX_LOG_DEBUG, info -> INFO, warn -> WARN, error -> ERR, critical -> EMERG, anything else -> ERR. Logged to the request log when a request is current, else the cycle log.",
    source: `${API}:proxy_log`,
    signature: I32(3),
  },
  proxy_get_buffer_bytes: {
    status: "partial",
    note: "Types 0 (request body) and 1 (response body) both return the chunk handed to the current body callback; 4 = http-call response body; 7 = plugin configuration (whole buffer, start/size ignored). Other types -> Unimplemented. Empty buffer -> NotFound; for non-config types start<0, size<=0 or start>=len -> BadArgument, size clamped to the end.",
    source: `${API}:proxy_get_buffer_bytes`,
    signature: I32(5),
  },
  proxy_set_buffer_bytes: {
    status: "unimplemented",
    note: "Bodies cannot be rewritten by plugins.",
    source: `${API}:proxy_set_buffer_bytes`,
    signature: I32(5),
  },
  proxy_send_local_response: {
    status: "partial",
    note: "Records status code + body for the Lua driver and immediately ADDS the given headers to the response; status details and grpc_status are ignored. Only acted on after request-phase callbacks (and the http-call response callback); see docs/wasm-nginx-module-0.7.0.md LOCAL-2.",
    source: `${API}:proxy_send_local_response`,
    signature: I32(8),
  },
  proxy_send_http_response: {
    status: "partial",
    note: "Alias that forwards to proxy_send_local_response.",
    source: `${API}:proxy_send_http_response`,
    signature: I32(8),
  },
  proxy_get_current_time_nanoseconds: {
    status: "unimplemented",
    note: "Use WASI clock_time_get instead (provided by both VMs).",
    source: `${API}:proxy_get_current_time_nanoseconds`,
    signature: I32(1),
  },
  proxy_set_tick_period_milliseconds: {
    status: "unimplemented",
    note: "proxy_on_tick is never called.",
    source: `${API}:proxy_set_tick_period_milliseconds`,
    signature: I32(1),
  },
  proxy_get_configuration: {
    status: "implemented",
    note: "Returns the conf string given to proxy_wasm.on_configure (kept for the plugin context's lifetime, so also readable during HTTP callbacks). Empty while the root context is being created; NotFound when no state is current (e.g. inside _start).",
    source: `${API}:proxy_get_configuration`,
    signature: I32(2),
  },
  proxy_get_header_map_pairs: {
    status: "partial",
    note: "Map types 0 (request headers + pseudo headers), 2 (response headers, partly synthesised), 6 (http-call response headers, NotFound if none). Other types -> Unimplemented.",
    source: `${API}:proxy_get_header_map_pairs`,
    signature: I32(3),
  },
  proxy_set_header_map_pairs: {
    status: "unimplemented",
    note: "Replace whole maps with add/replace/remove calls instead.",
    source: `${API}:proxy_set_header_map_pairs`,
    signature: I32(3),
  },
  proxy_get_header_map_value: {
    status: "partial",
    note: "Map types 0, 2, 6 (case-insensitive lookup, first match only); other types -> Unimplemented; missing -> NotFound.",
    source: `${API}:proxy_get_header_map_value`,
    signature: I32(5),
  },
  proxy_remove_header_map_value: {
    status: "partial",
    note: "Map types 0 and 2 only (others -> Unimplemented). Removing a pseudo header -> BadArgument.",
    source: `${API}:proxy_remove_header_map_value`,
    signature: I32(3),
  },
  proxy_replace_header_map_value: {
    status: "partial",
    note: "Map types 0 and 2 only (others -> Unimplemented); request side via ngx_http_lua_ffi_req_set_header, response side via ngx_http_lua_ffi_set_resp_header (override). Pseudo-header handling has bugs, see docs/wasm-nginx-module-0.7.0.md MAP-6 to MAP-9.",
    source: `${API}:proxy_replace_header_map_value`,
    signature: I32(5),
  },
  proxy_add_header_map_value: {
    status: "partial",
    note: "Map types 0 and 2 only (others -> Unimplemented); appends another value (no override). Pseudo headers are set exactly as by replace.",
    source: `${API}:proxy_add_header_map_value`,
    signature: I32(5),
  },
  proxy_get_shared_data: {
    status: "unimplemented",
    source: `${API}:proxy_get_shared_data`,
    signature: I32(5),
  },
  proxy_set_shared_data: {
    status: "unimplemented",
    source: `${API}:proxy_set_shared_data`,
    signature: I32(5),
  },
  proxy_register_shared_queue: {
    status: "unimplemented",
    source: `${API}:proxy_register_shared_queue`,
    signature: I32(3),
  },
  proxy_resolve_shared_queue: {
    status: "unimplemented",
    source: `${API}:proxy_resolve_shared_queue`,
    signature: I32(5),
  },
  proxy_dequeue_shared_queue: {
    status: "unimplemented",
    source: `${API}:proxy_dequeue_shared_queue`,
    signature: I32(3),
  },
  proxy_enqueue_shared_queue: {
    status: "unimplemented",
    source: `${API}:proxy_enqueue_shared_queue`,
    signature: I32(3),
  },
  proxy_continue_request: {
    status: "partial",
    noop: true,
    note: "Always Ok; the host never really pauses a request, so there is nothing to resume.",
    source: `${API}:proxy_continue_request`,
    signature: I32(0),
  },
  proxy_continue_response: {
    status: "partial",
    noop: true,
    note: "Always Ok, does nothing.",
    source: `${API}:proxy_continue_response`,
    signature: I32(0),
  },
  proxy_clear_route_cache: {
    status: "unimplemented",
    source: `${API}:proxy_clear_route_cache`,
    signature: I32(0),
  },
  proxy_continue_stream: {
    status: "partial",
    noop: true,
    note: "Always Ok; the request automatically continues after the http-call callback returns.",
    source: `${API}:proxy_continue_stream`,
    signature: I32(1),
  },
  proxy_close_stream: {
    status: "partial",
    noop: true,
    note: "Always Ok and does NOT close anything.",
    source: `${API}:proxy_close_stream`,
    signature: I32(1),
  },
  proxy_http_call: {
    status: "partial",
    note: 'Only in rewrite/access/content/timer phases (else BadArgument); upstream must be "host[:port]"; one pending call per request (2nd -> InternalFailure); trailers ignored; negative timeout -> InternalFailure; actually performed by the Lua driver with lua-resty-http after the callback returns.',
    source: `${API}:proxy_http_call`,
    signature: I32(10),
  },
  proxy_grpc_call: {
    status: "unimplemented",
    source: `${API}:proxy_grpc_call`,
    signature: I32(12),
  },
  proxy_grpc_stream: {
    status: "unimplemented",
    source: `${API}:proxy_grpc_stream`,
    signature: I32(9),
  },
  proxy_grpc_send: {
    status: "unimplemented",
    source: `${API}:proxy_grpc_send`,
    signature: I32(4),
  },
  proxy_grpc_cancel: {
    status: "unimplemented",
    source: `${API}:proxy_grpc_cancel`,
    signature: I32(1),
  },
  proxy_grpc_close: {
    status: "unimplemented",
    source: `${API}:proxy_grpc_close`,
    signature: I32(1),
  },
  proxy_get_status: {
    status: "unimplemented",
    note: 'Read an http-call status from the ":status" entry of map type 6 instead.',
    source: `${API}:proxy_get_status`,
    signature: I32(3),
  },
  proxy_done: {
    status: "unimplemented",
    source: `${API}:proxy_done`,
    signature: I32(0),
  },
  proxy_call_foreign_function: {
    status: "unimplemented",
    source: `${API}:proxy_call_foreign_function`,
    signature: I32(6),
  },
  proxy_define_metric: {
    status: "partial",
    noop: true,
    note: "Always Ok but never writes the metric id out-parameter (the plugin keeps whatever was there, usually 0).",
    source: `${API}:proxy_define_metric`,
    signature: I32(4),
  },
  proxy_increment_metric: {
    status: "partial",
    noop: true,
    note: "Always Ok, nothing is recorded.",
    source: `${API}:proxy_increment_metric`,
    signature: I32_I64,
  },
  proxy_record_metric: {
    status: "partial",
    noop: true,
    note: "Always Ok, nothing is recorded.",
    source: `${API}:proxy_record_metric`,
    signature: I32_I64,
  },
  proxy_get_metric: {
    status: "partial",
    noop: true,
    note: "Registered as (i32, i64) -> i32 although the SDKs import (i32 metric_id, i32 result_ptr) -> i32, so any plugin that references it fails to link; if it did link it would return Ok and write nothing.",
    source: "ngx_http_wasm_api_def.h:proxy_get_metric (DEFINE_WASM_API_ARG_I32_I64)",
    signature: I32_I64,
  },
};

// ---------------------------------------------------------------------------------------------
// WASI
// ---------------------------------------------------------------------------------------------

/** The 45 functions common to wasi_unstable and wasi_snapshot_preview1. */
const WASI_CORE: string[] = [
  "args_get",
  "args_sizes_get",
  "environ_get",
  "environ_sizes_get",
  "clock_res_get",
  "clock_time_get",
  "fd_advise",
  "fd_allocate",
  "fd_close",
  "fd_datasync",
  "fd_fdstat_get",
  "fd_fdstat_set_flags",
  "fd_fdstat_set_rights",
  "fd_filestat_get",
  "fd_filestat_set_size",
  "fd_filestat_set_times",
  "fd_pread",
  "fd_prestat_get",
  "fd_prestat_dir_name",
  "fd_pwrite",
  "fd_read",
  "fd_readdir",
  "fd_renumber",
  "fd_seek",
  "fd_sync",
  "fd_tell",
  "fd_write",
  "path_create_directory",
  "path_filestat_get",
  "path_filestat_set_times",
  "path_link",
  "path_open",
  "path_readlink",
  "path_remove_directory",
  "path_rename",
  "path_symlink",
  "path_unlink_file",
  "poll_oneoff",
  "proc_exit",
  "proc_raise",
  "sched_yield",
  "random_get",
  "sock_recv",
  "sock_send",
  "sock_shutdown",
];

// wasmtime v0.38.1: wasmtime_linker_define_wasi -> wasmtime_wasi::add_to_linker, which adds BOTH
// the preview1 module and the older wasi_unstable (snapshot 0) module. Preview1 additionally has
// sock_accept (46 functions); wasi_unstable has the 45 core ones.
const WASI_WASMTIME: Record<string, string[]> = {
  wasi_snapshot_preview1: [...WASI_CORE, "sock_accept"],
  wasi_unstable: [...WASI_CORE],
};

// WasmEdge 0.10.0: WasmEdge_ModuleInstanceCreateWASI builds a single module named
// wasi_snapshot_preview1 (no wasi_unstable) with 57 functions: the 45 core ones, sock_accept,
// and WasmEdge's own socket extensions.
const WASI_WASMEDGE: Record<string, string[]> = {
  wasi_snapshot_preview1: [
    ...WASI_CORE,
    "sock_accept",
    "sock_open",
    "sock_bind",
    "sock_connect",
    "sock_listen",
    "sock_recv_from",
    "sock_send_to",
    "sock_getsockopt",
    "sock_setsockopt",
    "sock_getlocaladdr",
    "sock_getpeeraddr",
    "sock_getaddrinfo",
  ],
};

// ---------------------------------------------------------------------------------------------
// Plugin exports
// ---------------------------------------------------------------------------------------------

// Call order and arguments (ngx_http_wasm_module.c):
//   load:        _start() if exported, else _initialize() if exported (never both).
//   configure:   proxy_on_context_create(root_id, 0); proxy_on_configure(root_id, conf_len) -> must be > 0.
//   per request: proxy_on_context_create(http_id, root_id) lazily on the first callback, then
//                proxy_on_request_headers(http_id, 0, 1)   [ABI 0.1.0: (http_id, 0)]
//                proxy_on_request_body(http_id, chunk_len, eof)
//                proxy_on_response_headers(http_id, 0, 1)  [ABI 0.1.0: (http_id, 0)]
//                proxy_on_response_body(http_id, chunk_len, eof)
//                proxy_on_http_call_response(root_id, callout_id, n_headers, body_len, 0)
//   request end: proxy_on_done(http_id) (result only logged), proxy_on_delete(http_id).
//   plugin ctx freed (Lua GC): proxy_on_done(root_id), proxy_on_delete(root_id).
//   allocation:  proxy_on_memory_allocate(size), falling back to malloc(size).
const CALLBACKS: string[] = [
  "_start",
  "_initialize",
  "proxy_on_memory_allocate",
  "malloc",
  "proxy_on_context_create",
  "proxy_on_configure",
  "proxy_on_request_headers",
  "proxy_on_request_body",
  "proxy_on_response_headers",
  "proxy_on_response_body",
  "proxy_on_http_call_response",
  "proxy_on_done",
  "proxy_on_delete",
];

const UNCALLED_CALLBACKS: string[] = [
  "proxy_on_vm_start",
  "proxy_on_tick",
  "proxy_on_log",
  "proxy_on_request_trailers",
  "proxy_on_response_trailers",
  "proxy_on_request_metadata",
  "proxy_on_response_metadata",
  "proxy_on_new_connection",
  "proxy_on_downstream_data",
  "proxy_on_upstream_data",
  "proxy_on_downstream_connection_close",
  "proxy_on_upstream_connection_close",
  "proxy_on_queue_ready",
  "proxy_on_grpc_receive_initial_metadata",
  "proxy_on_grpc_receive",
  "proxy_on_grpc_receive_trailing_metadata",
  "proxy_on_grpc_close",
  "proxy_on_foreign_function",
];

const ABI_VERSIONS: string[] = [
  "proxy_abi_version_0_1_0",
  "proxy_abi_version_0_2_0",
  "proxy_abi_version_0_2_1",
];

// ---------------------------------------------------------------------------------------------
// PROPERTIES (ngx_http_wasm_api.c:proxy_get_property)
//   * "plugin_root_id" is special-cased (exact, case-sensitive, 14 bytes) and answers with the
//     plugin name given to proxy_wasm.load(name, path); it needs no request.
//   * Any other path is copied, lowercased and resolved with ngx_http_get_variable(), i.e. it is
//     an nginx variable name WITHOUT the "$": built-in variables, the prefix families below,
//     variables defined with `set`/`map`, and named regex captures. Requires a request
//     (BadArgument otherwise); variable unknown or not set -> NotFound; empty value -> Ok/size 0.
//   * The path is one flat byte string: SDK path vectors joined with NUL bytes (Rust SDK) or
//     Envoy attribute names like "request.path" never match anything -> NotFound.
// The entries below use "*" for "any suffix".
// ---------------------------------------------------------------------------------------------
const PROPERTIES: string[] = [
  "plugin_root_id",
  // common nginx built-ins (non-exhaustive; any variable known to the nginx build works)
  "uri",
  "request_uri",
  "args",
  "query_string",
  "is_args",
  "request_method",
  "scheme",
  "host",
  "hostname",
  "server_name",
  "server_addr",
  "server_port",
  "server_protocol",
  "remote_addr",
  "remote_port",
  "binary_remote_addr",
  "request_id",
  "request_length",
  "request_time",
  "content_type",
  "content_length",
  "status",
  "upstream_addr",
  // prefix families resolved by nginx at lookup time
  "http_*",
  "sent_http_*",
  "sent_trailer_*",
  "cookie_*",
  "arg_*",
  "upstream_http_*",
  "upstream_trailer_*",
  "upstream_cookie_*",
];

export const wasmNginxModule070Wasmtime: HostProfile = {
  id: "wasm-nginx-module-0.7.0+wasmtime",
  description:
    "api7/wasm-nginx-module 0.7.0 with `wasm_vm wasmtime;` (wasmtime C API v0.38.1). One engine, store and instance per loaded plugin per worker; WASI context inherits the host environment variables and stdin/stdout/stderr, with no arguments and no preopened directories.",
  abiVersions: [...ABI_VERSIONS],
  env: ENV,
  wasi: WASI_WASMTIME,
  callbacks: [...CALLBACKS],
  uncalledCallbacks: [...UNCALLED_CALLBACKS],
  statusCodes: { ...STATUS_CODES },
  properties: [...PROPERTIES],
};

export const wasmNginxModule070WasmEdge: HostProfile = {
  id: "wasm-nginx-module-0.7.0+wasmedge",
  description:
    'api7/wasm-nginx-module 0.7.0 with `wasm_vm wasmedge;` (WasmEdge 0.10.0, only compiled in when the ./wasmedge directory existed at build time). Imports are registered as module "env" plus WasmEdge\'s WASI module, created with no arguments, no environment variables and no preopened directories.',
  abiVersions: [...ABI_VERSIONS],
  env: ENV,
  wasi: WASI_WASMEDGE,
  callbacks: [...CALLBACKS],
  uncalledCallbacks: [...UNCALLED_CALLBACKS],
  statusCodes: { ...STATUS_CODES },
  properties: [...PROPERTIES],
};

export const hostProfiles: Record<string, HostProfile> = {
  wasmtime: wasmNginxModule070Wasmtime,
  wasmedge: wasmNginxModule070WasmEdge,
};
