// The messages between the Lua-side driver (main thread) and the engine that plays the C module
// (in a worker or in-thread). Everything here is structured-clone safe.

import type { HttpPhase, NginxLogLevel, ProxyLogLevel } from "../abi.js";
import type { HeaderPair } from "../header-map.js";
import type { ModuleShape } from "../../wasm/binary.js";
import type { RequestState } from "../nginx/request.js";
import type { HigressCallout, HigressInit, UnknownCluster } from "./higress-types.js";

/** Which host to mirror. */
export type ProfileName = "wasm-nginx-module" | "envoy-like" | "higress";

/** Which wasm VM wasm-nginx-module was built with (changes the WASI modules offered). */
export type VmName = "wasmtime" | "wasmedge";

/** One error-log line: what the plugin logged through proxy_log, or what the host logged about it. */
export interface LogEntry {
  /** nginx level the line is written at. */
  level: NginxLogLevel;
  message: string;
  /** "plugin" for proxy_log, "host" for lines the module or orwasm writes. */
  source: "plugin" | "host";
  /** For plugin lines: the level the plugin asked for. */
  proxyLevel?: ProxyLogLevel;
  /** Plugin name (as loaded). */
  plugin: string;
}

/** How a call into the plugin went wrong. */
export interface TrapInfo {
  /**
   * "trap": wasm trap or exception; "proc_exit": WASI exit; "memory": grew past the page limit;
   * "crash": the module's C code would dereference NULL here and the nginx worker would die.
   */
  kind: "trap" | "proc_exit" | "memory" | "crash";
  message: string;
  /** The export that was running. */
  callback: string;
}

/** What the engine is created from. */
export interface EngineInit {
  name: string;
  module: WebAssembly.Module;
  shape: ModuleShape;
  profile: ProfileName;
  vm: VmName;
  /** Page limit applied to the binary before compiling, reported in memory failures. */
  memoryPages?: number;
  /** Environment variables WASI exposes (nginx clears the worker environment, so {} by default). */
  wasiEnv?: Record<string, string>;
  /** The higress profile's cluster map, log level and plugin name. */
  higress?: HigressInit;
  /**
   * The worker's callout-id counter (a SharedArrayBuffer view, see src/proxy-host/nginx-worker.ts), shared by
   * every plugin of one nginx worker; absent: the engine counts alone.
   */
  calloutIds?: Int32Array;
  /**
   * The error_log level: lines below it that a request's calls write are dropped where they are written, as nginx
   * drops them before formatting (a plugin SDK's debug lines would otherwise be most of every reply). Default: all kept.
   */
  requestLogLevel?: NginxLogLevel;
}

/** What loading found out. */
export interface LoadReport {
  /** Index into ABI_VERSION_EXPORTS, or undefined when no marker is exported. */
  abiVersion: string | undefined;
  logs: LogEntry[];
}

/** A pending proxy_http_call as ngx_http_wasm_call_get hands it to Lua. */
export interface Callout {
  calloutId: number;
  /** The `upstream` argument: host[:port] (validated like ngx_parse_url). */
  upstream: string;
  /** Every pair the plugin passed, pseudo headers included, in order. */
  pairs: HeaderPair[];
  body: Uint8Array | undefined;
  timeoutMs: number;
}

/** ngx_http_wasm_on_http / on_http_call_resp result after handle_rc_before_proxy. */
export interface HttpReply {
  rc: number;
  req: RequestState;
  logs: LogEntry[];
  /** Present when rc >= 100: ngx_http_wasm_fetch_local_body (undefined when empty). */
  localBody?: Uint8Array | undefined;
  /** Present when rc is RC_NEED_HTTP_CALL and a call is pending. */
  callout?: Callout;
  trap?: TrapInfo;
  /** The http context id the callback ran with. */
  httpContextId?: number;
  /** higress profile: calls dispatched by the callback, and whether it paused (Envoy's ActionPause). */
  higress?: { callouts: HigressCallout[]; paused: boolean; resumed: boolean };
  /** Present when the call carried `finish` and the request was ended: the lines that ending logged. */
  finishLogs?: LogEntry[];
}

/** Calls the driver makes; one engine serves one loaded plugin. */
export type EngineCall =
  | { op: "configure"; conf: Uint8Array }
  | { op: "deleteRoot"; rootId: number }
  | {
      op: "http";
      rootId: number;
      reqKey: number;
      phase: HttpPhase;
      req: RequestState;
      body?: Uint8Array;
      eob: boolean;
      /**
       * Also end the request (proxy_on_done, proxy_on_delete) after the callback, in the same call, when it returns
       * without a trap: the driver sets it on the request's last call to this plugin, to save a second call.
       */
      finish?: boolean;
    }
  | {
      op: "httpCallResponse";
      rootId: number;
      reqKey: number;
      req: RequestState;
      /** undefined when the call failed (the callback still runs, with no headers). */
      headers: HeaderPair[] | undefined;
      body: Uint8Array | undefined;
    }
  | {
      op: "higressCallResponse";
      rootId: number;
      reqKey: number;
      req: RequestState;
      calloutId: number;
      /** redis: status 0 and the RESP reply bytes, or a non-zero status when Redis gave no answer. */
      redis?: { status: number; reply: Uint8Array | undefined };
      /** http: the response (undefined when the call failed). */
      http?: { headers: HeaderPair[]; body: Uint8Array | undefined } | undefined;
    }
  | { op: "finishRequest"; reqKey: number; req: RequestState }
  /** force: tick every root with a period now; else only those whose period has elapsed. */
  | { op: "tick"; force: boolean }
  | { op: "metrics" }
  /** higress profile: cluster names the plugin used that the project does not declare (since the last ask). */
  | { op: "unknownClusters" };

/** Configure outcome: a root context id, or why not. */
export interface ConfigureReply {
  rootId: number | undefined;
  logs: LogEntry[];
  trap?: TrapInfo;
}

/** A metric as the envoy-like profile records it. */
export interface MetricValue {
  name: string;
  type: "counter" | "gauge" | "histogram";
  value: number;
}

/** Replies by op. */
export interface EngineReplies {
  configure: ConfigureReply;
  deleteRoot: { logs: LogEntry[] };
  http: HttpReply;
  httpCallResponse: HttpReply;
  higressCallResponse: HttpReply;
  unknownClusters: { clusters: UnknownCluster[]; logs: LogEntry[] };
  finishRequest: { logs: LogEntry[]; req: RequestState };
  tick: { logs: LogEntry[]; ticked: number[] };
  /** memoryPages: the instance's linear memory now, in 64 KiB pages. */
  metrics: { metrics: MetricValue[]; logs: LogEntry[]; memoryPages: number };
}

/** The reply type for a call. */
export type ReplyFor<C extends EngineCall> = EngineReplies[C["op"]];
