// Where proxy_http_call requests go. wasm-nginx-module's Lua driver builds the request from the
// plugin's pairs and sends it with lua-resty-http (lib/resty/proxy-wasm.lua:send_http_call); the
// host hands the same request to a pluggable dispatcher: a recorder in tests, fetch in dev.

import { headerPairs, type HeadersInit } from "./nginx/request.js";

/** The request as lua-resty-http would be asked to send it. */
export interface HttpCallRequest {
  /** Plugin that made the call. */
  plugin: string;
  calloutId: number;
  /** The upstream argument, host[:port]. */
  upstream: string;
  /** (:scheme or http) + "://" + upstream + :path ("/" prepended when missing). */
  url: string;
  /** :method or GET. */
  method: string;
  /** The plugin's pairs minus pseudo headers, :authority sent as `host`, in the plugin's order. */
  headers: [string, string][];
  body: Uint8Array | undefined;
  /** The plugin's timeout; 0 leaves lua-resty-http on the cosocket default (60 s). */
  timeoutMs: number;
}

/** What came back; undefined from a dispatcher means the call failed (no response at all). */
export interface HttpCallResponse {
  status: number;
  headers?: HeadersInit;
  body?: Uint8Array | string;
}

/** Performs (or fakes) one http call. */
export type HttpCallDispatcher = (
  req: HttpCallRequest,
) => Promise<HttpCallResponse | undefined> | HttpCallResponse | undefined;

/** A dispatcher that records every call and answers with `respond` (default: 200, empty body). */
export interface RecordingDispatcher {
  dispatch: HttpCallDispatcher;
  readonly calls: HttpCallRequest[];
}

/** For tests: records calls, answers from `respond`. */
export function recordingDispatcher(
  respond: (
    req: HttpCallRequest,
  ) => HttpCallResponse | undefined | Promise<HttpCallResponse | undefined> = () => ({
    status: 200,
  }),
): RecordingDispatcher {
  const calls: HttpCallRequest[] = [];
  return {
    calls,
    dispatch: (req) => {
      calls.push(req);
      return respond(req);
    },
  };
}

/** For dev: sends the call with fetch (undefined on network error or timeout, like a failed cosocket). */
export function fetchDispatcher(): HttpCallDispatcher {
  return async (req) => {
    const headers = new Headers();
    for (const [k, v] of req.headers) {
      if (k.toLowerCase() !== "host") headers.append(k, v);
    }
    try {
      const res = await fetch(req.url, {
        method: req.method,
        headers,
        body: req.body && req.method !== "GET" && req.method !== "HEAD" ? req.body : null,
        signal: AbortSignal.timeout(req.timeoutMs > 0 ? req.timeoutMs : 60_000),
        redirect: "manual",
      });
      const out: [string, string][] = [];
      res.headers.forEach((v, k) => out.push([k, v]));
      return { status: res.status, headers: out, body: new Uint8Array(await res.arrayBuffer()) };
    } catch {
      return undefined;
    }
  };
}

/** lib/resty/proxy-wasm.lua:send_http_call + ngx_http_wasm_call.c:ngx_http_wasm_call_get. */
export function buildHttpCallRequest(
  plugin: string,
  callout: {
    calloutId: number;
    upstream: string;
    pairs: [string, string][];
    body: Uint8Array | undefined;
    timeoutMs: number;
  },
): HttpCallRequest {
  let method = "";
  let scheme = "";
  let path = "";
  const headers: [string, string][] = [];
  for (const [k, v] of callout.pairs) {
    if (k.length === 0) continue;
    const lower = k.toLowerCase();
    if (lower === ":path") path = v;
    else if (lower === ":method") method = v;
    else if (lower === ":scheme") scheme = v;
    else if (lower === ":authority") headers.push(["host", v]);
    else headers.push([k, v]);
  }
  let url = `${scheme !== "" ? scheme : "http"}://${callout.upstream}`;
  if (path !== "") url += path.startsWith("/") ? path : `/${path}`;
  return {
    plugin,
    calloutId: callout.calloutId,
    upstream: callout.upstream,
    url,
    method: method !== "" ? method : "GET",
    headers,
    body: callout.body,
    timeoutMs: callout.timeoutMs,
  };
}

/** lib/resty/proxy-wasm.lua:handle_http_callback: lowercased names, one pair per value, then :status. */
export function callbackHeaders(res: HttpCallResponse): [string, string][] {
  const out = headerPairs(res.headers).map(([k, v]): [string, string] => [k.toLowerCase(), v]);
  out.push([":status", String(res.status)]);
  return out;
}
