// orwasm's embedded proxy-wasm host: runs plugins the way api7/wasm-nginx-module 0.7.0 (and its
// Lua driver) would inside OpenResty, without nginx. `orwasm test` and `orwasm dev` build on it.
//
//   const plugin = await HostPlugin.load({ name: "add_header", wasm: "build/plugin.wasm" });
//   const ctx = await plugin.configure("hello");            // proxy_on_configure
//   const out = await runRequest([{ context: ctx }], { path: "/" }, {
//     upstream: () => ({ status: 200, body: "ok" }),
//   });
//   out.response.headers;   // [["x-hello", "hello"], ...]
//   out.logs;               // proxy_log lines with levels
//
// Lower level: `ctx.newHttpContext({ path })` gives an HttpStream whose onRequestHeaders /
// onRequestBody / onResponseHeaders / onResponseBody / finish run single callbacks.

export {
  HostPlugin,
  PluginContext,
  PluginConfigureError,
  PluginLoadError,
  type HostLimits,
  type LoadOptions,
} from "./plugin.js";
export { HttpStream } from "./stream.js";
export { HostRequest, type UpstreamRequest, type UpstreamResponse } from "./request.js";
export {
  runRequest,
  statusLine,
  type ChainEntry,
  type FailurePolicy,
  type RequestOutcome,
  type RunRequestOptions,
} from "./run-request.js";
export {
  fetchDispatcher,
  recordingDispatcher,
  type HttpCallDispatcher,
  type HttpCallRequest,
  type HttpCallResponse,
  type RecordingDispatcher,
} from "./dispatcher.js";
export type {
  HttpCallRecord,
  ObservedResponse,
  PhaseOutcome,
  PhaseResult,
  PluginFailure,
} from "./types.js";
export type { LogEntry, MetricValue, ProfileName, VmName } from "./engine/protocol.js";
export type { RequestInit, HeadersInit } from "./nginx/request.js";
export { WasmResult, type HttpPhase, type NginxLogLevel, type ProxyLogLevel } from "./abi.js";
