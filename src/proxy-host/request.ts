// One request travelling through nginx: the state every plugin stream on it shares (plugins in a
// chain see each other's header changes), its log, and what the upstream gets and answers.

import type { RedisCallRecord } from "./higress-driver.js";
import { toBytes } from "./bytes.js";
import { escapeUri } from "./nginx/escape.js";

export { toBytes } from "./bytes.js";
import {
  createRequestState,
  headerPairs,
  setResponseHeader,
  type HeadersInit,
  type LuaPhase,
  type RequestInit,
  type RequestState,
} from "./nginx/request.js";
import type { LogEntry } from "./runtime/protocol.js";
import type { HttpCallRecord } from "./types.js";

let nextRequestKey = 1;

/** The request as the upstream (proxy_pass) receives it. */
export interface UpstreamRequest {
  method: string;
  /** Request target on the upstream request line. */
  path: string;
  /** Visible request headers after every plugin ran, in nginx's list order. */
  headers: [string, string][];
  body: Uint8Array | undefined;
}

/** What the upstream (or the location's content handler) answers. */
export interface UpstreamResponse {
  status: number;
  headers?: HeadersInit;
  body?: Uint8Array | string;
}

// proxy_hide_header defaults and hop-by-hop headers ngx_http_upstream does not pass on
const NOT_PASSED = new Set([
  "date",
  "server",
  "x-pad",
  "x-accel-expires",
  "x-accel-redirect",
  "x-accel-limit-rate",
  "x-accel-buffering",
  "x-accel-charset",
  "connection",
  "keep-alive",
  "transfer-encoding",
]);

/** A request shared by the plugin streams that run on it. */
export class HostRequest {
  /** Key the engines use for their per-request context (ngx_http_wasm_ctx_t). */
  readonly key = nextRequestKey++;
  state: RequestState;
  body: Uint8Array | undefined;
  /** Every log line of the request, across plugins, in order. */
  readonly logs: LogEntry[] = [];
  readonly httpCalls: HttpCallRecord[] = [];
  /** Redis calls made by plugins on this request (higress profile). */
  readonly redisCalls: RedisCallRecord[] = [];
  /** Plugin engines that hold an HTTP context for this request (finished at the end). */
  readonly holders = new Set<{ finishRequest(req: HostRequest): Promise<LogEntry[]> }>();

  constructor(init: RequestInit, body?: Uint8Array | string) {
    this.state = createRequestState(init);
    this.body = toBytes(body);
  }

  /** Switches the lua-nginx-module phase the next callbacks run in. */
  setPhase(phase: LuaPhase): void {
    this.state.phase = phase;
  }

  /** Visible request headers, as the upstream would get them. */
  get requestHeaders(): [string, string][] {
    return this.state.headersIn.filter((h) => !h.hidden).map((h) => [h.key, h.value]);
  }

  /** What proxy_pass sends: the original target, or the escaped r->uri plus args after a :path rewrite. */
  upstreamRequest(): UpstreamRequest {
    const s = this.state;
    const path = s.uriRewritten
      ? escapeUri(s.uri) + (s.args !== undefined && s.args !== "" ? `?${s.args}` : "")
      : s.unparsedUri;
    return { method: s.method, path, headers: this.requestHeaders, body: this.body };
  }

  /**
   * Puts the upstream's answer into r->headers_out the way ngx_http_upstream does for proxy_pass:
   * Content-Type and Content-Length go to their own fields, hidden and hop-by-hop headers are dropped.
   */
  applyUpstreamResponse(res: UpstreamResponse): void {
    const resp = this.state.response;
    resp.status = res.status;
    resp.errStatus = 0;
    for (const [k, v] of headerPairs(res.headers)) {
      const lower = k.toLowerCase();
      if (NOT_PASSED.has(lower)) continue;
      if (lower === "content-type") resp.contentType = v;
      else if (lower === "content-length")
        resp.contentLengthN = /^[0-9]+$/.test(v) ? Number(v) : -1;
      else resp.list.push({ key: k, value: v, hidden: false });
    }
  }

  /** Sets a response header as `ngx.header[name] = value` does (the failure policy uses it). */
  setResponseHeader(name: string, value: string | null): void {
    setResponseHeader(this.state.response, name, value, true, () => undefined);
  }

  /** Response headers as a client receives them (nginx adds Server, Date, Connection on top). */
  responseHeaders(): [string, string][] {
    const r = this.state.response;
    const out: [string, string][] = r.list.filter((h) => !h.hidden).map((h) => [h.key, h.value]);
    if (r.contentType !== "") out.push(["Content-Type", r.contentType]);
    const hasLength = r.list.some((h) => !h.hidden && h.key.toLowerCase() === "content-length");
    if (!hasLength && r.contentLengthN >= 0) out.push(["Content-Length", String(r.contentLengthN)]);
    return out;
  }

  /** Ends the request: every plugin that saw it runs proxy_on_done and proxy_on_delete. */
  async finish(): Promise<LogEntry[]> {
    this.setPhase("log");
    // Each plugin ends its own contexts in its own instance: the calls run side by side (one hop of waiting, not
    // one per plugin), and their lines are kept in nginx's cleanup order.
    const logs = (await Promise.all([...this.holders].map((h) => h.finishRequest(this)))).flat();
    this.holders.clear();
    this.logs.push(...logs);
    return logs;
  }
}
