// Facts about api7/wasm-nginx-module 0.7.0's proxy-wasm host, read from its source (tag 0.7.0).
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
  /** export names the host looks for; see quirks: none of them is required. */
  abiVersions: string[];
  /** every import the host defines in module "env", with status */
  env: Record<string, HostFunction>;
  /** WASI module name -> function names the VM provides to plugins */
  wasi: Record<string, string[]>;
  /** plugin exports the host calls (plus "memory" handling documented in quirks) */
  callbacks: string[];
  /** plugin exports from the proxy-wasm ABI that this host never calls (added field) */
  uncalledCallbacks: string[];
  /** proxy-wasm WasmResult codes the module actually returns from host functions */
  statusCodes: Record<string, number>;
  /** property paths proxy_get_property resolves (see comment at PROPERTIES) */
  properties: string[];
  /** surprising behaviours, one sentence each, with the source location */
  quirks: string[];
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
    note: "Records status code + body for the Lua driver and immediately ADDS the given headers to the response; status details and grpc_status are ignored. Only acted on after request-phase callbacks (and the http-call response callback); see quirks.",
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
    note: "Map types 0 and 2 only (others -> Unimplemented); request side via ngx_http_lua_ffi_req_set_header, response side via ngx_http_lua_ffi_set_resp_header (override). Pseudo-header handling has bugs, see quirks.",
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

// ---------------------------------------------------------------------------------------------
// Quirks common to both VMs
// ---------------------------------------------------------------------------------------------
const COMMON_QUIRKS: string[] = [
  // linking / loading
  "The env import table is fixed (41 names above) and both VMs link strictly, so a plugin that imports any other env function (e.g. proxy_get_header_map_size, proxy_get_buffer_status, proxy_get_log_level, proxy_get_buffer, proxy_get_map*, proxy_dispatch_http_call) fails to load (vm/wasmtime.c:ngx_wasm_wasmtime_load, vm/wasmedge.c:ngx_wasm_wasmedge_load).",
  "proxy_get_metric is registered as (i32, i64) -> i32 while the Rust/Go/C++ SDKs import it as (i32, i32) -> i32, so a plugin that references get_metric cannot be instantiated (ngx_http_wasm_api_def.h).",
  'The plugin must export a linear memory called "memory", otherwise loading fails (vm/wasmtime.c and vm/wasmedge.c load functions).',
  "At load the host runs _start if it is exported, otherwise _initialize if exported, never both; a trap there aborts the load (ngx_http_wasm_module.c:ngx_http_wasm_load_plugin).",
  'During _start/_initialize no host state is set: request-bound calls return BadArgument, proxy_get_configuration returns NotFound, and proxy_get_property("plugin_root_id") dereferences a NULL plugin name (worker crash) (ngx_http_wasm_state.c:ngx_http_wasm_get_plugin_name, ngx_http_wasm_api.c:proxy_get_property).',
  "ABI version exports are only probed: if none of proxy_abi_version_0_1_0/0_2_0/0_2_1 is exported the plugin still loads and is treated as the newest ABI, and the version only changes whether the headers callbacks get 2 or 3 arguments (ngx_http_wasm_module.c:ngx_http_wasm_load_plugin, ngx_http_wasm_on_http).",
  "Every value the host returns is copied into a fresh allocation made with the plugin's proxy_on_memory_allocate(size), falling back to an exported malloc(size) when that export is missing or returns 0 (proxy_wasm_memory.c:proxy_wasm_memory_alloc).",
  "A zero-length result (e.g. an empty header value or variable) returns Ok with size 0 and leaves the data-pointer out-parameter untouched (ngx_http_wasm_api.c:ngx_http_wasm_copy_to_wasm).",
  "A missing callback export is treated as if it returned 0, so a plugin without proxy_on_request_headers simply continues, but one without proxy_on_configure can never be configured because that result must be > 0 (vm call returns NGX_OK when the export is absent; ngx_http_wasm_module.c:ngx_http_wasm_on_configure).",
  'A trap inside a callback makes the Lua call return nil plus an error like "failed to run proxy_on_http_request_headers", but the same instance keeps serving later calls (vm call returns NGX_ERROR; lib/resty/proxy-wasm.lua).',
  // lifecycle
  "proxy_on_vm_start is never called and the VM-configuration buffer type is Unimplemented, so all initialisation must happen in _start/_initialize, proxy_on_context_create or proxy_on_configure (ngx_http_wasm_module.c has no vm-start call).",
  "Each proxy_wasm.on_configure(plugin, conf) call creates one more root context in the same instance (proxy_on_context_create(root_id, 0) then proxy_on_configure(root_id, #conf)), and the Lua wrapper rejects an empty conf string, so the plugin configuration is never empty (ngx_http_wasm_module.c:ngx_http_wasm_on_configure, lib/resty/proxy-wasm.lua:_M.on_configure).",
  "While the root context is created (proxy_on_context_create with parent 0) the configuration is not yet visible: proxy_get_configuration returns Ok with size 0 and proxy_get_buffer_bytes(plugin configuration) returns NotFound (ngx_http_wasm_module.c:ngx_http_wasm_on_configure uses the plugin-wide state whose conf is empty).",
  "Root and HTTP context ids come from one per-plugin counter starting at 1 and are recycled from free lists after proxy_on_delete, so a later request can reuse an earlier request's context id (ngx_http_wasm_module.c:ngx_http_wasm_create_http_ctx).",
  "The HTTP context is created lazily on the first callback of a request, and proxy_on_done (its result only logged; proxy_done is Unimplemented) plus proxy_on_delete run from the request pool cleanup at request end; proxy_on_log is never called (ngx_http_wasm_module.c:ngx_http_wasm_cleanup).",
  "proxy_on_request_headers and proxy_on_response_headers always receive num_headers = 0 and end_of_stream = 1, even when a body follows (ngx_http_wasm_module.c:ngx_http_wasm_on_http; documented as TODO in proxy_wasm_abi.md).",
  "proxy_on_request_body only runs when the embedding Lua code calls proxy_wasm.on_http_request_body(ctx, body, eof), typically once with the whole body and end_of_stream = 1, and body_size is the length of that Lua string (lib/resty/proxy-wasm.lua:_M.on_http_request_body).",
  "proxy_on_response_body runs once per body_filter chunk with end_of_stream = ngx.arg[2]; its return value is ignored (Pause does not buffer) and the chunk cannot be changed because proxy_set_buffer_bytes is Unimplemented (lib/resty/proxy-wasm.lua:_M.on_http_response_body).",
  "Response-phase callbacks only report traps: any non-negative return value, a send_local_response code or an http-call request is ignored by the Lua driver (lib/resty/proxy-wasm.lua:_M.on_http_response_headers/_M.on_http_response_body).",
  'In request phases, returning Pause (1) without a pending proxy_http_call is mistaken for the internal "need http call" code and dereferences a NULL callout (worker crash), and any return value from 2 to 99 makes the Lua loop spin forever; only 0 (Continue) is safe (lib/resty/proxy-wasm.lua:on_http_request, ngx_http_wasm_call.c:ngx_http_wasm_call_max_headers_count).',
  // buffers
  "Buffer types 0 (request body) and 1 (response body) are the same thing: the chunk passed to the currently running body callback, so outside a body callback both return NotFound (ngx_http_wasm_state.c:ngx_http_wasm_get_body).",
  "proxy_get_buffer_bytes returns NotFound for an empty buffer, BadArgument for start < 0, size <= 0 or start >= length, clamps size to the end, and returns the whole plugin configuration regardless of start/size (ngx_http_wasm_api.c:proxy_get_buffer_bytes).",
  // header maps
  "Maps are exchanged in the usual proxy-wasm layout (i32 count, then an i32 key length and value length per pair, then each key and value followed by a NUL byte) (proxy_wasm_map.c).",
  "Request header pairs list at most 100 real headers (lua-nginx-module's default limit, keys lowercased, duplicates kept as separate pairs) followed by four pseudo headers appended at the END in the order :scheme, :path, :method, :authority, so the host appears twice (as host and :authority) (ngx_http_wasm_api.c:ngx_http_wasm_req_get_headers).",
  ':scheme is "https" when the connection uses TLS else "http", :path is r->unparsed_uri (raw, including the query string), :method is the request method name and :authority is the Host header value (ngx_http_wasm_api.c:ngx_http_wasm_get_scheme/get_path/get_method/get_authority).',
  ":authority is read from the Host header without a NULL check, so fetching request headers (pairs, or the :authority value) on a request without a Host header (e.g. HTTP/1.0) crashes the worker (ngx_http_wasm_api.c:ngx_http_wasm_get_authority, marked TODO in the source).",
  "Request header value lookup checks the pseudo headers first and then returns the first case-insensitive match among all request headers (ngx_http_wasm_api.c:ngx_http_wasm_req_get_header).",
  "Writing :path only rewrites r->uri (rejecting control characters, not splitting off a query string, marking the request internal), so reading :path afterwards still returns the original unparsed URI (ngx_http_wasm_api.c:ngx_http_wasm_set_req_header).",
  "Writing :method changes only the method name string (letters only, otherwise BadArgument) and not nginx's internal method code (ngx_http_wasm_api.c:ngx_http_wasm_set_req_header).",
  "Writing :authority is wrongly handled by the :method branch, so it either replaces the request METHOD with the value (letters-only values) or fails with BadArgument (values with '.', ':' or digits); the Host header is never changed (ngx_http_wasm_api.c:ngx_http_wasm_set_req_header).",
  'Writing :scheme is not treated as a pseudo header and is passed on to lua-nginx-module as an ordinary request header named ":scheme", and removing any request pseudo header returns BadArgument (ngx_http_wasm_api.c:ngx_http_wasm_set_req_header).',
  "Response header pairs mimic ngx.resp.get_headers: list headers with lowercased names, then content-type, content-length (only when not already a list entry), a synthesised connection header (upgrade/keep-alive/close), transfer-encoding: chunked when r->chunked is set, and :status last when a status is set (ngx_http_wasm_api.c:ngx_http_wasm_resp_get_headers).",
  "When the response header list spans more than one nginx list part (more than 20 entries) only the last part is serialised while the count covers all of them, leaving uninitialised trailing pairs; the reported map size can also exceed the serialised bytes by a few bytes (ngx_http_wasm_api.c:ngx_http_wasm_resp_get_headers).",
  "Reading the response :status value returns r->err_status when set, otherwise headers_out.status, and other response headers return only their first value (ngx_http_wasm_api.c:ngx_http_wasm_get_status, ngx_http_wasm_resp_get_header).",
  "Writing the response :status parses the value as an integer and sets the status (BadArgument if not a number), removing it returns BadArgument, and add behaves like replace for it (ngx_http_wasm_api.c:ngx_http_wasm_set_resp_header).",
  "Response header writes after the headers were sent (e.g. from proxy_on_response_body) return Ok but change nothing, because lua-nginx-module declines and the module counts a decline as success (ngx_http_wasm_api.c:ngx_http_wasm_set_resp_header).",
  "Header-map calls need a request: called from proxy_on_context_create/proxy_on_configure of a root context they return BadArgument (ngx_http_wasm_api.c must_get_req).",
  // http call
  'proxy_http_call only works while the lua-nginx-module phase is rewrite, access, content or timer; from header_filter/body_filter/log it logs "http call is only supported during processing HTTP request" and returns BadArgument (ngx_http_wasm_api.c:proxy_http_call, ngx_http_wasm_call.h:NGX_HTTP_WASM_YIELDABLE).',
  'The upstream argument of proxy_http_call must be "host[:port]" as accepted by ngx_parse_url without resolving (e.g. "127.0.0.1:1980", "[::1]:80", "example.com"), not an Envoy cluster name or a URL; an unparsable value returns BadArgument (ngx_http_wasm_api.c:proxy_http_call).',
  'The outgoing request is built by Lua with lua-resty-http: URL = (:scheme or "http") + "://" + upstream + :path (a "/" is prepended when missing, nothing when absent), method = :method or GET, :authority is sent as the host header, the remaining pairs are sent as headers (repeats become multi-value), trailers are ignored and the timeout is used in milliseconds (lib/resty/proxy-wasm.lua:send_http_call, ngx_http_wasm_call.c:ngx_http_wasm_call_get).',
  'Only one call may be pending per request: a second proxy_http_call before the first is dispatched returns InternalFailure ("multiple calls are not supported"), as does a negative timeout (ngx_http_wasm_call.c:ngx_http_wasm_call_register).',
  "Callout ids come from one per-worker counter that starts at 0, so the first token is 0, and it is shared by every plugin in the worker: a second plugin's first call gets the next id (ngx_http_wasm_call.c:cur_callout_id is a file-level static).",
  "proxy_http_call with no headers (headers_size 0) returns Ok but leaves the map NULL; sending the call then dereferences it and the worker crashes (ngx_http_wasm_api.c:proxy_http_call, ngx_http_wasm_call.c:ngx_http_wasm_call_max_headers_count).",
  "The call is made synchronously (cosocket) after the request callback returns; while a call is pending the callback's own return value is ignored (ngx_http_wasm_module.c:ngx_http_wasm_handle_rc_before_proxy).",
  "proxy_on_http_call_response is invoked even when the call failed (0 headers, body size 0) and receives the ROOT (plugin) context id as its first argument, not the HTTP context id; its num_headers counts the appended :status pair and num_trailers is always 0 (ngx_http_wasm_module.c:ngx_http_wasm_on_http_call_resp, lib/resty/proxy-wasm.lua:handle_http_callback).",
  'Http-call response headers (map type 6) are lua-resty-http\'s headers with lowercased names, one pair per value, followed by ":status"; there is no proxy_get_status, and map type 6 is read-only (lib/resty/proxy-wasm.lua:handle_http_callback, ngx_http_wasm_api.c:ngx_http_wasm_http_call_resp_get_headers).',
  "After proxy_on_http_call_response the request continues by itself unless the callback called send_local_response or dispatched another call (calls can be chained); proxy_continue_request/proxy_continue_stream are no-ops (lib/resty/proxy-wasm.lua:on_http_request).",
  // local response
  "proxy_send_local_response only records the status code and body (in the worker-wide main conf) and immediately ADDS the given headers to the response; status details and grpc_status are ignored (ngx_http_wasm_api.c:proxy_send_local_response).",
  "The local-response code is stored unsigned and read back signed, so a code of 2^31 or more is negative and ignored: the request goes on, with the headers already added (ngx_http_wasm_module.h: uint32_t code; ngx_http_wasm_module.c:ngx_http_wasm_handle_rc_before_proxy: int32_t code = wmcf->code).",
  "After a request-phase callback (or the http-call callback) returns, a recorded code >= 100 makes Lua set ngx.status, print the body if it is not empty and call ngx.exit(code), so with an empty body the response is whatever ngx.exit(code) yields (nginx's built-in page for error statuses); codes below 100 are ignored (lib/resty/proxy-wasm.lua:on_http_request, ngx_http_wasm_module.c:ngx_http_wasm_handle_rc_before_proxy).",
  "If a callback both dispatches an http call and sends a local response, the call wins and the local response code is discarded, although its headers were already added (ngx_http_wasm_module.c:ngx_http_wasm_handle_rc_before_proxy; t/http_call.t test 6).",
  "In response phases send_local_response returns Ok but its status and body are dropped; only its headers take effect, and only in the header_filter phase (lib/resty/proxy-wasm.lua:_M.on_http_response_headers).",
  // properties
  'proxy_get_property("plugin_root_id") returns the plugin name passed to proxy_wasm.load(name, path), not a root id, and works without a request (ngx_http_wasm_api.c:proxy_get_property).',
  'Every other property path is lowercased and resolved as one nginx variable name (no "$"), so Envoy attribute paths such as request.path or SDK path vectors joined with NUL bytes return NotFound, and outside a request the call returns BadArgument (ngx_http_wasm_api.c:proxy_get_property).',
  "proxy_set_property writes an nginx variable through ngx_http_lua_ffi_var_set: the variable must already exist and be changeable (e.g. one declared with set), otherwise NotFound or InternalFailure (ngx_http_wasm_api.c:proxy_set_property).",
  // unimplemented
  "Unimplemented functions link fine but return 12 (Unimplemented), which SDKs that panic on an unexpected status (e.g. the Rust SDK for get_current_time or set_tick_period) turn into a trap; plugins can read time through WASI clock_time_get instead (ngx_http_wasm_api.c).",
  "Metric functions are stubs that return Ok: proxy_define_metric never writes the metric id, and increment/record do nothing (ngx_http_wasm_api.c:proxy_define_metric etc.).",
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
  quirks: [
    ...COMMON_QUIRKS,
    "wasmtime_linker_define_wasi in wasmtime 0.38.1 defines both wasi_snapshot_preview1 and wasi_unstable, so plugins built against either WASI snapshot link (wasmtime crates/wasi/src/lib.rs add_to_linker; vm/wasmtime.c:ngx_wasm_wasmtime_load).",
    "WASI environ_get exposes the nginx worker's environment variables (wasi_config_inherit_env), and WASI stdout/stderr go to the worker's own descriptors (vm/wasmtime.c:ngx_wasm_wasmtime_load).",
    "Host memory accesses are checked against the current memory size and fail with InvalidMemoryAccess when out of range (vm/wasmtime.c:ngx_wasm_wasmtime_get_memory).",
  ],
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
  quirks: [
    ...COMMON_QUIRKS,
    "WasmEdge 0.10's WASI module is only wasi_snapshot_preview1 (there is no wasi_unstable), and it also offers WasmEdge-specific socket functions such as sock_open and sock_connect (WasmEdge lib/host/wasi/wasimodule.cpp; vm/wasmedge.c:ngx_wasm_wasmedge_load).",
    "WASI is created with no environment variables (the source carries a TODO to add them), so environ_get/environ_sizes_get report an empty environment (vm/wasmedge.c:ngx_wasm_wasmedge_load).",
    'The wasmedge VM exists only if nginx was built with the ./wasmedge directory present (NGX_WASM_HAVE_WASMEDGE); otherwise `wasm_vm wasmedge` fails with "unsupported wasm vm" (config, vm/vm.c:ngx_wasm_vm_init).',
    "Host memory accesses go through WasmEdge_MemoryInstanceGetPointer and fail with InvalidMemoryAccess when out of range (vm/wasmedge.c:ngx_wasm_wasmedge_get_memory).",
  ],
};

export const hostProfiles: Record<string, HostProfile> = {
  wasmtime: wasmNginxModule070Wasmtime,
  wasmedge: wasmNginxModule070WasmEdge,
};
