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

// Loading and configuring plugins.
export {
  HostPlugin,
  PluginContext,
  PluginConfigureError,
  PluginLoadError,
  type HostLimits,
  type LoadOptions,
} from "./plugin.js";
// The nginx worker plugins are loaded into (state the module keeps per worker, e.g. callout ids).
export { NginxWorker } from "./nginx-worker.js";
// One plugin context on one request, callback by callback.
export { HttpStream } from "./stream.js";
// The request shared by a chain of plugins, and what the upstream sees and answers.
export { HostRequest, type UpstreamRequest, type UpstreamResponse } from "./request.js";
// A whole request through a plugin chain, with the failure policy.
export {
  runRequest,
  DEFAULT_FAILURE_STATUS,
  statusLine,
  fatalMessage,
  isFatal,
  FATAL_STATUS,
  type ChainEntry,
  type FailurePolicy,
  type RequestOutcome,
  type RunRequestOptions,
} from "./run-request.js";
// Where proxy_http_call goes.
export {
  fetchDispatcher,
  recordingDispatcher,
  type HttpCallDispatcher,
  type HttpCallRequest,
  type HttpCallResponse,
  type RecordingDispatcher,
} from "./dispatcher.js";
// What a run exposes.
export type {
  HttpCallRecord,
  ObservedResponse,
  PhaseOutcome,
  PhaseResult,
  PluginFailure,
} from "./types.js";
// Log lines, metrics, profile and VM names.
export type { LogEntry, MetricValue, ProfileName, VmName } from "./runtime/protocol.js";
// How callers describe a request.
export type { RequestInit, HeadersInit } from "./nginx/request.js";
// proxy-wasm status codes and level/phase names.
export { WasmResult, type HttpPhase, type NginxLogLevel, type ProxyLogLevel } from "./abi.js";
// The higress profile: Redis calls, cluster names, pause and resume.
export type {
  RedisCallAnswer,
  RedisCallRecord,
  RedisCallRequest,
  RedisDispatcher,
} from "./higress-driver.js";
export type { ClusterTarget, HigressInit } from "./runtime/higress-api.js";
