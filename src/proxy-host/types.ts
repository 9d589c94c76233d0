// Public result types of the host API: what a caller observes of a plugin run.

import type { HttpPhase } from "./abi.js";
import type { HttpCallRequest, HttpCallResponse } from "./dispatcher.js";
import type { LogEntry } from "./runtime/protocol.js";

/** Why a plugin call failed; the failure policy of the caller decides what happens next. */
export interface PluginFailure {
  plugin: string;
  phase: HttpPhase | "http_call_response";
  /**
   * trap: the wasm trapped or threw; proc_exit: it called WASI proc_exit; memory: it trapped at
   * the page limit; deadline: it did not return in time (instance recreated); crash: the module's
   * C code would crash the nginx worker here; hang: the Lua driver would loop forever on the
   * return code; declined: the module refused the call (e.g. proxy_on_context_create failed);
   * stalled (higress): the plugin paused with nothing pending to resume it, so Higress would hold the request
   * until a timeout: the failure policy decides, as no worker is lost.
   */
  kind: "trap" | "proc_exit" | "memory" | "deadline" | "crash" | "hang" | "declined" | "stalled";
  /** The error the Lua driver returns, e.g. "failed to run proxy_on_http_request_headers". */
  message: string;
  /** What actually happened (trap message, return code, ...). */
  detail: string;
}

/** How one callback ended. */
export type PhaseOutcome =
  | { kind: "continue" }
  /** ngx.exit(status) after proxy_send_local_response; body undefined = nothing printed. */
  | { kind: "local-response"; status: number; body: Uint8Array | undefined }
  | { kind: "failed"; failure: PluginFailure };

/** One http call the plugin made and what its callback got. */
export interface HttpCallRecord {
  request: HttpCallRequest;
  /** undefined when the call failed (the callback still ran, with no headers and no body). */
  response: HttpCallResponse | undefined;
}

/** One phase of one plugin on one request. */
export interface PhaseResult {
  plugin: string;
  phase: HttpPhase;
  outcome: PhaseOutcome;
  /** Log lines written during the phase (plugin and host), in order. */
  logs: LogEntry[];
  httpCalls: HttpCallRecord[];
}

/** Response headers and status as a client would receive them (without Server/Date/Connection). */
export interface ObservedResponse {
  status: number;
  headers: [string, string][];
  body: Uint8Array;
  /** body decoded as UTF-8. */
  text: string;
  /**
   * upstream: the handler answered; local-response: a plugin did; failure-policy: orwasm did; fatal: a plugin
   * would crash or hang the nginx worker (a real engine sends no response), orwasm answers 502.
   */
  source: "upstream" | "local-response" | "failure-policy" | "fatal";
  /** True when the body is nginx's built-in error page (ngx.exit with nothing printed). */
  nginxErrorPage: boolean;
  /** True when a fail-closed body plugin aborted the response (ngx.ERROR in body_filter). */
  aborted: boolean;
}
