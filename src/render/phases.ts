// Which nginx phases a plugin needs, read from the callbacks its module exports (never from the user).
import type { WasmInfo } from "../inspect/wasm-info.js";

export interface PluginPhases {
  requestHeaders: boolean;
  requestBody: boolean;
  responseHeaders: boolean;
  responseBody: boolean;
}

/** A phase is wired only when the plugin exports its callback: no body is read for a plugin that never looks. */
export function phasesOf(info: WasmInfo): PluginPhases {
  const has = (cb: string) => info.callbacks.includes(cb);
  return {
    requestHeaders: has("proxy_on_request_headers"),
    requestBody: has("proxy_on_request_body"),
    responseHeaders: has("proxy_on_response_headers"),
    responseBody: has("proxy_on_response_body"),
  };
}
