// The `env` host functions of wasm-nginx-module 0.7.0, ported one by one from
// src/http/ngx_http_wasm_api.c. Each function returns the proxy_result_t the C code returns,
// including its oddities; comments name the C function where behaviour is surprising.

import { BufferType, MapType, PROXY_LOG_LEVELS, WasmResult } from "../abi.js";
import type { NginxLogLevel, ProxyLogLevel } from "../abi.js";
import { decodeHeaderMap, type HeaderPair } from "../header-map.js";
import { authority, encodeExact, requestHeaderMap, responseHeaderMap } from "./maps.js";
import {
  responseHeader,
  setRequestHeader,
  setResponseHeader,
  statusForPseudoHeader,
  type LuaPhase,
  type RequestState,
} from "../nginx/request.js";
import { getVariable, setVariable } from "../nginx/variables.js";
import { parseUpstream } from "./upstream.js";
import { WorkerCrash, type PluginVm } from "./vm.js";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** ngx_http_wasm_state_t: what a host function can see of the call in progress. */
export interface CallState {
  /** The plugin configuration (empty for the plugin-wide state used while a root ctx is created). */
  conf: Uint8Array;
  /** The body chunk of the running body callback (length 0 otherwise). */
  body: Uint8Array;
  req: RequestState | undefined;
  reqKey: number | undefined;
}

/** ngx_http_wasm_ctx_t: per request, shared by the plugin's callbacks for that request. */
export interface RequestCtx {
  callout:
    | {
        upstream: string;
        map: Uint8Array | undefined;
        body: Uint8Array | undefined;
        timeoutMs: number;
      }
    | undefined;
  calloutId: number;
  callRespHeaders: HeaderPair[];
  callRespBody: Uint8Array | undefined;
}

/** What the host functions need from the engine. */
export interface ApiHost {
  readonly vm: PluginVm;
  readonly pluginName: string;
  /** cur_state (ngx_http_wasm_state.c), undefined between calls. */
  state(): CallState | undefined;
  log(level: NginxLogLevel, message: string, proxyLevel?: ProxyLogLevel): void;
  /** False when a line at `level` would be dropped (below the error_log level): proxy_log then reads nothing. */
  logsAt(level: NginxLogLevel): boolean;
  /** ngx_http_wasm_get_module_ctx(r) for the current request. */
  requestCtx(reqKey: number): RequestCtx;
  /** wmcf->code / wmcf->body: the pending local response. */
  mainConf: { code: number; body: Uint8Array | undefined };
  /** ngx_http_wasm_call.c cur_callout_id++ */
  nextCalloutId(): number;
}

type HostFn = (...args: never[]) => number;

const R = WasmResult;

// ngx_http_wasm_call.h NGX_HTTP_WASM_YIELDABLE
const YIELDABLE: ReadonlySet<LuaPhase> = new Set(["rewrite", "access", "content", "timer"]);

// proxy_log: trace/debug → debug, critical → emerg, unknown levels → error.
const NGX_LEVEL: Record<ProxyLogLevel, NginxLogLevel> = {
  trace: "debug",
  debug: "debug",
  info: "info",
  warn: "warn",
  error: "error",
  critical: "emerg",
};

function isUnsafeUriByte(c: number): boolean {
  // ngx_http_wasm_check_unsafe_uri_bytes: %00-%08, %0A-%1F, %7F
  return (c <= 0x1f && c !== 0x09) || c === 0x7f;
}

/** Builds the 41 `env` functions of the module around one engine. */
export function wasmNginxModuleApi(host: ApiHost): Record<string, HostFn> {
  const vm = host.vm;
  const str = (b: Uint8Array): string => dec.decode(b);

  const req = (): RequestState | undefined => host.state()?.req;
  const reqKey = (): number => host.state()?.reqKey ?? -1;

  /** ngx_http_wasm_copy_to_wasm: size first, then an allocation holding a copy, then the pointer. */
  const copyToWasm = (data: Uint8Array, addr: number, sizeAddr: number): number => {
    if (!vm.writeI32(sizeAddr, data.length)) return R.InvalidMemoryAccess;
    if (data.length === 0) return R.Ok;
    const bufAddr = vm.alloc(data.length);
    if (bufAddr === 0) {
      host.log("error", "no memory");
      return R.InternalFailure;
    }
    const buf = vm.mem(bufAddr, data.length);
    if (!buf) return R.InvalidMemoryAccess;
    buf.set(data);
    return vm.writeI32(addr, bufAddr) ? R.Ok : R.InvalidMemoryAccess;
  };

  /** ngx_http_wasm_get_buf_to_write + copy: allocation first, then pointer, then size. */
  const writeBuffer = (data: Uint8Array, addr: number, sizeAddr: number): number => {
    const bufAddr = vm.alloc(data.length);
    if (bufAddr === 0) {
      host.log("error", "no memory");
      return R.InvalidMemoryAccess;
    }
    const buf = vm.mem(bufAddr, data.length);
    if (!buf) return R.InvalidMemoryAccess;
    if (!vm.writeI32(addr, bufAddr)) return R.InvalidMemoryAccess;
    if (!vm.writeI32(sizeAddr, data.length)) return R.InvalidMemoryAccess;
    buf.set(data);
    return R.Ok;
  };

  const pseudoReq = (r: RequestState, key: string): string | undefined => {
    if (!key.startsWith(":")) return undefined;
    const lower = key.toLowerCase();
    if (lower === ":scheme") return r.scheme;
    if (lower === ":path") return r.unparsedUri;
    if (lower === ":method") return r.method;
    if (lower === ":authority") return authority(r);
    return undefined;
  };

  // ---- header writes (ngx_http_wasm_set_req_header / ngx_http_wasm_set_resp_header)
  const setReqHeader = (r: RequestState, key: string, val: string, override: boolean): boolean => {
    let found = false;
    if (key.startsWith(":")) {
      if (val === "") {
        host.log("error", `failed to set request header ${key}: can't remove pseudo header`);
        return false;
      }
      // the static table is scanned from index 1: :scheme is skipped (read-only), so it falls
      // through to lua-nginx-module as an ordinary header (escaped to "%3Ascheme")
      const lower = key.toLowerCase();
      if (lower === ":path") {
        found = true;
        const bad = enc.encode(val).find(isUnsafeUriByte);
        if (bad !== undefined) {
          host.log("error", `failed to set request header ${key}: invalid char "${bad}"`);
          return false;
        }
        r.uri = val;
        r.uriRewritten = true;
      } else if (lower === ":method" || lower === ":authority") {
        // the else-branch handles every non-:path entry as the method, :authority included
        found = true;
        const bad = enc
          .encode(val)
          .find((c) => !((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)));
        if (bad !== undefined) {
          host.log("error", `failed to set request header ${key}: invalid char "${bad}"`);
          return false;
        }
        r.method = val;
      }
    }
    if (!found) setRequestHeader(r, key, val, override);
    return true;
  };

  const setRespHeader = (
    r: RequestState,
    key: string,
    val: string | null,
    override: boolean,
  ): boolean => {
    if (key.length === 7 && key.toLowerCase() === ":status") {
      if (val === null) {
        host.log("error", `failed to set response header ${key}: can't remove pseudo header`);
        return false;
      }
      if (!/^[0-9]+$/.test(val)) {
        host.log("error", `failed to set response header ${key}: invalid value`);
        return false;
      }
      if (r.response.headerSent) {
        // ngx_http_lua_ffi_set_resp_status declines, which the module counts as success
        host.log("error", "attempt to set ngx.status after sending out response headers");
        return true;
      }
      r.response.status = Number(val);
      r.response.errStatus = 0;
      return true;
    }
    // lua_transform_underscores_in_response_headers is on by default
    const name = key.replace(/_/g, "-");
    const rc = setResponseHeader(r.response, name, val, override, (m) => host.log("error", m));
    if (rc === "error") {
      host.log(
        "error",
        `failed to set response header ${key} to ${val ?? ""}: failed to set header`,
      );
      return false;
    }
    return true;
  };

  const getHeaderMapPairs = (type: number, addr: number, sizeAddr: number): number => {
    const r = req();
    if (!r) return R.BadArgument;
    if (type === MapType.RequestHeaders) return writeBuffer(requestHeaderMap(r), addr, sizeAddr);
    if (type === MapType.ResponseHeaders) return writeBuffer(responseHeaderMap(r), addr, sizeAddr);
    if (type === MapType.HttpCallResponseHeaders) {
      const ctx = host.requestCtx(reqKey());
      if (ctx.callRespHeaders.length === 0) return R.NotFound;
      return writeBuffer(encodeExact(ctx.callRespHeaders), addr, sizeAddr);
    }
    return R.Unimplemented;
  };

  const getHeaderMapValue = (
    type: number,
    keyData: number,
    keySize: number,
    addr: number,
    size: number,
  ): number => {
    const r = req();
    if (!r) return R.BadArgument;
    const keyBytes = vm.mem(keyData, keySize);
    if (!keyBytes) return R.InvalidMemoryAccess;
    const key = str(keyBytes);
    let value: string | undefined;
    if (type === MapType.RequestHeaders) {
      value =
        pseudoReq(r, key) ??
        r.headersIn.find((h) => !h.hidden && h.key.toLowerCase() === key.toLowerCase())?.value;
    } else if (type === MapType.ResponseHeaders) {
      value =
        key.toLowerCase() === ":status"
          ? String(statusForPseudoHeader(r.response))
          : responseHeader(r.response, key.replace(/_/g, "-"));
    } else if (type === MapType.HttpCallResponseHeaders) {
      const ctx = host.requestCtx(reqKey());
      value = ctx.callRespHeaders.find(([k]) => k.toLowerCase() === key.toLowerCase())?.[1];
    } else {
      return R.Unimplemented;
    }
    if (value === undefined) return R.NotFound;
    return copyToWasm(enc.encode(value), addr, size);
  };

  const headerWrite =
    (mode: "add" | "replace") =>
    (type: number, keyData: number, keySize: number, data: number, size: number): number => {
      const r = req();
      if (!r) return R.BadArgument;
      const k = vm.mem(keyData, keySize);
      if (!k) return R.InvalidMemoryAccess;
      const v = vm.mem(data, size);
      if (!v) return R.InvalidMemoryAccess;
      let ok: boolean;
      if (type === MapType.RequestHeaders) ok = setReqHeader(r, str(k), str(v), mode === "replace");
      else if (type === MapType.ResponseHeaders)
        ok = setRespHeader(r, str(k), str(v), mode === "replace");
      else return R.Unimplemented;
      return ok ? R.Ok : R.BadArgument;
    };

  const unimplemented = (): number => R.Unimplemented;
  const ok = (): number => R.Ok;

  return {
    // "dummy function to make plugin load"
    proxy_set_effective_context: ok,

    proxy_get_property: (pathData: number, pathSize: number, resData: number, resSize: number) => {
      const p = vm.mem(pathData, pathSize);
      if (!p) return R.InvalidMemoryAccess;
      const path = str(p);
      if (pathSize === 14 && path === "plugin_root_id") {
        // works without a request: the AssemblyScript SDK asks while creating the root context
        if (!host.state()) throw new WorkerCrash("plugin_root_id read while no state is set");
        return copyToWasm(enc.encode(host.pluginName), resData, resSize);
      }
      const r = req();
      if (!r) return R.BadArgument;
      const value = getVariable(r, path);
      if (value === undefined) return R.NotFound;
      return copyToWasm(enc.encode(value), resData, resSize);
    },

    proxy_set_property: (pathData: number, pathSize: number, data: number, size: number) => {
      const r = req();
      if (!r) return R.BadArgument;
      const k = vm.mem(pathData, pathSize);
      if (!k) return R.InvalidMemoryAccess;
      // the C code re-checks `key` instead of `value`, so an out-of-range value is not caught:
      // lua-nginx-module then receives NULL and unsets the variable
      const v = vm.mem(data, size);
      const err = setVariable(r, str(k), v ? str(v) : "");
      if (!v && err === undefined) r.variables[str(k).toLowerCase()] = null;
      if (err !== undefined) {
        host.log("error", err);
        return err.includes("not found for writing") ? R.NotFound : R.InternalFailure;
      }
      return R.Ok;
    },

    proxy_log: (level: number, addr: number, size: number) => {
      const p = vm.mem(addr, size);
      if (!p) return R.InvalidMemoryAccess;
      const proxyLevel = PROXY_LOG_LEVELS[level];
      const ngxLevel = proxyLevel ? NGX_LEVEL[proxyLevel] : "error";
      if (host.logsAt(ngxLevel)) host.log(ngxLevel, str(p), proxyLevel ?? "error");
      return R.Ok;
    },

    proxy_get_buffer_bytes: (
      type: number,
      start: number,
      size: number,
      addr: number,
      sizeAddr: number,
    ) => {
      const st = host.state();
      let buffer: Uint8Array | undefined;
      if (type === BufferType.PluginConfiguration) buffer = st?.conf;
      else if (type === BufferType.HttpRequestBody || type === BufferType.HttpResponseBody) {
        // both types read the chunk of whichever body callback is running
        buffer = st?.body;
      } else if (type === BufferType.HttpCallResponseBody) {
        if (!st?.req) return R.BadArgument;
        buffer = host.requestCtx(reqKey()).callRespBody;
      } else return R.Unimplemented;
      const len = buffer?.length ?? 0;
      if (!buffer || len === 0) return R.NotFound;
      let data = buffer;
      if (type !== BufferType.PluginConfiguration) {
        // configuration is fetched as a whole; the others honour start/size
        if (start < 0 || size <= 0 || start >= len) return R.BadArgument;
        data = buffer.subarray(start, Math.min(len, start + size));
      }
      return copyToWasm(data, addr, sizeAddr);
    },

    proxy_set_buffer_bytes: unimplemented,

    proxy_send_local_response: (
      code: number,
      _detailsData: number,
      _detailsSize: number,
      body: number,
      bodySize: number,
      headers: number,
      headersSize: number,
      _grpcStatus: number,
    ) => sendLocalResponse(code, body, bodySize, headers, headersSize),

    proxy_send_http_response: (
      code: number,
      _detailsData: number,
      _detailsSize: number,
      body: number,
      bodySize: number,
      headers: number,
      headersSize: number,
      _grpcStatus: number,
    ) => sendLocalResponse(code, body, bodySize, headers, headersSize),

    proxy_get_current_time_nanoseconds: unimplemented,
    proxy_set_tick_period_milliseconds: unimplemented,

    proxy_get_configuration: (addr: number, sizeAddr: number) => {
      const st = host.state();
      if (!st) return R.NotFound;
      return copyToWasm(st.conf, addr, sizeAddr);
    },

    proxy_get_header_map_pairs: getHeaderMapPairs,
    proxy_set_header_map_pairs: unimplemented,
    proxy_get_header_map_value: getHeaderMapValue,

    proxy_remove_header_map_value: (type: number, keyData: number, keySize: number) => {
      const r = req();
      if (!r) return R.BadArgument;
      const k = vm.mem(keyData, keySize);
      if (!k) return R.InvalidMemoryAccess;
      let done: boolean;
      if (type === MapType.RequestHeaders) done = setReqHeader(r, str(k), "", true);
      else if (type === MapType.ResponseHeaders) done = setRespHeader(r, str(k), null, true);
      else return R.Unimplemented;
      return done ? R.Ok : R.BadArgument;
    },

    proxy_replace_header_map_value: headerWrite("replace"),
    proxy_add_header_map_value: headerWrite("add"),

    proxy_get_shared_data: unimplemented,
    proxy_set_shared_data: unimplemented,
    proxy_register_shared_queue: unimplemented,
    proxy_resolve_shared_queue: unimplemented,
    proxy_dequeue_shared_queue: unimplemented,
    proxy_enqueue_shared_queue: unimplemented,

    proxy_continue_request: ok,
    proxy_continue_response: ok,
    proxy_clear_route_cache: unimplemented,
    // "we don't need to continue the HTTP request as it always waits the HTTP call to finish"
    proxy_continue_stream: ok,
    proxy_close_stream: ok,

    proxy_http_call: (
      upData: number,
      upSize: number,
      headersData: number,
      headersSize: number,
      bodyData: number,
      bodySize: number,
      _trailerData: number,
      _trailerSize: number,
      timeout: number,
      calloutAddr: number,
    ) => {
      const r = req();
      if (!r) return R.BadArgument;
      if (!YIELDABLE.has(r.phase)) {
        host.log("error", "http call is only supported during processing HTTP request");
        return R.BadArgument;
      }
      const up = vm.mem(upData, upSize);
      if (!up) return R.InvalidMemoryAccess;
      const upstream = str(up);
      if (parseUpstream(upstream) !== undefined) {
        host.log("error", `http call gets invalid host: ${upstream}`);
        return R.BadArgument;
      }
      let map: Uint8Array | undefined;
      if (headersSize > 0) {
        const h = vm.mem(headersData, headersSize);
        if (!h) return R.InvalidMemoryAccess;
        map = h.slice();
      }
      let body: Uint8Array | undefined;
      if (bodySize > 0) {
        const b = vm.mem(bodyData, bodySize);
        if (!b) return R.InvalidMemoryAccess;
        body = b.slice();
      }
      // trailers: "TODO: handle trailer"
      const ctx = host.requestCtx(reqKey());
      // ngx_http_wasm_call_register
      if (ctx.callout) {
        host.log("error", "multiple calls are not supported");
        return R.InternalFailure;
      }
      if (timeout < 0) {
        host.log("error", `invalid timeout: ${timeout}`);
        return R.InternalFailure;
      }
      const id = host.nextCalloutId();
      ctx.callout = { upstream, map, body, timeoutMs: timeout };
      ctx.calloutId = id;
      host.log("info", `register http call callout id: ${id}, host: ${upstream}`);
      return vm.writeI32(calloutAddr, id) ? R.Ok : R.InvalidMemoryAccess;
    },

    proxy_grpc_call: unimplemented,
    proxy_grpc_stream: unimplemented,
    proxy_grpc_send: unimplemented,
    proxy_grpc_cancel: unimplemented,
    proxy_grpc_close: unimplemented,
    proxy_get_status: unimplemented,
    proxy_done: unimplemented,
    proxy_call_foreign_function: unimplemented,

    // stubs: Ok, nothing recorded, metric id never written
    proxy_define_metric: ok,
    proxy_increment_metric: ok,
    proxy_record_metric: ok,
    proxy_get_metric: ok,
  };

  function sendLocalResponse(
    code: number,
    body: number,
    bodySize: number,
    headers: number,
    headersSize: number,
  ): number {
    const r = req();
    if (!r) return R.BadArgument;
    // the code and body length are recorded before anything is validated
    host.mainConf.code = code >>> 0;
    host.mainConf.body = undefined;
    if (headersSize > 0) {
      const p = vm.mem(headers, headersSize);
      if (!p) return R.InvalidMemoryAccess;
      for (const [k, v] of decodeHeaderMap(p) ?? []) {
        // added immediately (override = 0), also when the response phase ignores the code
        if (!setRespHeader(r, k, v, false)) return R.BadArgument;
      }
    }
    if (bodySize > 0) {
      const p = vm.mem(body, bodySize);
      if (!p) return R.InvalidMemoryAccess;
      host.mainConf.body = p.slice();
    }
    return R.Ok;
  }
}
