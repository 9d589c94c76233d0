// proxy-wasm ABI numbers as wasm-nginx-module 0.7.0 uses them (src/proxy_wasm/proxy_wasm_types.h,
// proxy_wasm_map.h) plus the nginx return codes its C functions hand to the Lua driver.

/** proxy_result_t: what every host function returns. */
export const WasmResult = {
  Ok: 0,
  NotFound: 1,
  BadArgument: 2,
  SerializationFailure: 3,
  ParseFailure: 4,
  BadExpression: 5,
  InvalidMemoryAccess: 6,
  Empty: 7,
  CasMismatch: 8,
  ResultMismatch: 9,
  InternalFailure: 10,
  BrokenConnection: 11,
  Unimplemented: 12,
} as const;

/** proxy_map_type_t: which header map a call addresses. */
export const MapType = {
  RequestHeaders: 0,
  RequestTrailers: 1,
  ResponseHeaders: 2,
  ResponseTrailers: 3,
  HttpCallResponseHeaders: 6,
  HttpCallResponseTrailers: 7,
} as const;

/** proxy_buffer_type_t: which buffer proxy_get_buffer_bytes reads. */
export const BufferType = {
  HttpRequestBody: 0,
  HttpResponseBody: 1,
  DownstreamData: 2,
  UpstreamData: 3,
  HttpCallResponseBody: 4,
  GrpcReceiveBuffer: 5,
  VmConfiguration: 6,
  PluginConfiguration: 7,
  CallData: 8,
} as const;

/** proxy_log_level_t names, indexed by the level number a plugin passes. */
export const PROXY_LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "critical"] as const;

/** A proxy-wasm log level name. */
export type ProxyLogLevel = (typeof PROXY_LOG_LEVELS)[number];

/** nginx error-log levels, most verbose first. */
export const NGINX_LOG_LEVELS = [
  "debug",
  "info",
  "notice",
  "warn",
  "error",
  "crit",
  "alert",
  "emerg",
] as const;

/** One nginx error-log level. */
export type NginxLogLevel = (typeof NGINX_LOG_LEVELS)[number];

/** True when a line at `level` is written by an error log set to `min` (nginx's `error_log ... min`). */
export function levelShown(level: NginxLogLevel, min: NginxLogLevel): boolean {
  return NGINX_LOG_LEVELS.indexOf(level) >= NGINX_LOG_LEVELS.indexOf(min);
}

/** nginx return codes the module's C functions return to Lua (ngx_core.h): success. */
export const NGX_OK = 0;
/** ... failure (also what a trapping callback yields). */
export const NGX_ERROR = -1;
/** ... declined (e.g. proxy_on_context_create failed). */
export const NGX_DECLINED = -5;

/** ngx_http_wasm_module.c: the pseudo return code that asks Lua to perform the pending http call. */
export const RC_NEED_HTTP_CALL = 1;

/** The export names that declare the ABI, in the order the module probes them (index = version id). */
export const ABI_VERSION_EXPORTS = [
  "proxy_abi_version_0_1_0",
  "proxy_abi_version_0_2_0",
  "proxy_abi_version_0_2_1",
] as const;

/** The plugin callbacks the Lua driver can run per request. */
export type HttpPhase = "request_headers" | "request_body" | "response_headers" | "response_body";

/** The export each phase calls. */
export const PHASE_CALLBACK: Record<HttpPhase, string> = {
  request_headers: "proxy_on_request_headers",
  request_body: "proxy_on_request_body",
  response_headers: "proxy_on_response_headers",
  response_body: "proxy_on_response_body",
};
