// The slice of an nginx request (ngx_http_request_t) that wasm-nginx-module reads and writes,
// as plain data so it can cross into a worker thread and back.

import { randomFillSync } from "node:crypto";
import { escapeHeaderName, escapeHeaderValue, normaliseUri } from "./escape.js";

/**
 * One entry of an nginx header list. `hidden` is nginx's `hash == 0`: the entry is still in the
 * list (and counted by some readers) but lookups and the final response skip it.
 */
export interface HeaderEntry {
  key: string;
  value: string;
  hidden: boolean;
  /** Response only: r->headers_out points at this entry (Location, Content-Length, ...). */
  builtin?: boolean;
}

/** The lua-nginx-module phase a call runs in; decides e.g. whether proxy_http_call may yield. */
export type LuaPhase =
  "rewrite" | "access" | "content" | "header_filter" | "body_filter" | "log" | "timer";

/** r->headers_out and the flags the module looks at. */
export interface ResponseState {
  /** headers_out.status; 0 until a response (upstream or local) sets it. */
  status: number;
  /** r->err_status, set when nginx answers with its own error page. */
  errStatus: number;
  list: HeaderEntry[];
  /** headers_out.content_type ("" when unset). */
  contentType: string;
  /** headers_out.content_length_n (-1 when unknown). */
  contentLengthN: number;
  chunked: boolean;
  /** r->header_sent: true once the header filter chain finished. */
  headerSent: boolean;
}

/** The request as the module sees it. */
export interface RequestState {
  phase: LuaPhase;
  method: string;
  /** r->unparsed_uri: the request target as received, query included (what :path reads). */
  unparsedUri: string;
  /** r->uri: decoded, normalised path without the query. */
  uri: string;
  /** r->args; undefined when the target has no "?". */
  args: string | undefined;
  /** r->internal: set when a plugin rewrote :path (proxy_pass then sends the escaped r->uri). */
  uriRewritten: boolean;
  scheme: "http" | "https";
  httpVersion: "1.0" | "1.1" | "2.0";
  headersIn: HeaderEntry[];
  keepalive: boolean;
  remoteAddr: string;
  remotePort: number;
  serverAddr: string;
  serverPort: number;
  serverName: string;
  /** Variables declared in nginx.conf with `set $name ...` (changeable); null = set but empty/not found. */
  variables: Record<string, string | null>;
  requestId: string;
  response: ResponseState;
}

/** Request headers as a caller may give them. */
export type HeadersInit =
  Record<string, string | readonly string[]> | readonly (readonly [string, string])[];

/** What a caller describes when making a request. */
export interface RequestInit {
  method?: string;
  /** The request target: path plus optional query, e.g. "/api/users?id=1". */
  path: string;
  scheme?: "http" | "https";
  /** Host (and port) the client addressed; becomes the Host header when `headers` has none. */
  authority?: string;
  headers?: HeadersInit;
  httpVersion?: "1.0" | "1.1" | "2.0";
  remoteAddr?: string;
  remotePort?: number;
  serverAddr?: string;
  serverPort?: number;
  serverName?: string;
  /** nginx variables the rendered location declares with `set` (writable through proxy_set_property). */
  variables?: Record<string, string>;
  /** Fixed $request_id, for reproducible runs; random otherwise. */
  requestId?: string;
}

/** Flattens HeadersInit into ordered pairs. */
export function headerPairs(init: HeadersInit | undefined): [string, string][] {
  if (!init) return [];
  if (Array.isArray(init)) return (init as [string, string][]).map(([k, v]) => [k, v]);
  const out: [string, string][] = [];
  for (const [k, v] of Object.entries(init as Record<string, string | readonly string[]>)) {
    if (typeof v === "string") out.push([k, v]);
    else for (const one of v) out.push([k, one]);
  }
  return out;
}

/** Random bytes for request ids, drawn from a pool refilled 4 KiB at a time (one fill per 256 requests). */
const pool = Buffer.alloc(4096);
let poolAt = pool.length;

function randomHex(bytes: number): string {
  if (poolAt + bytes > pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  poolAt += bytes;
  return pool.toString("hex", poolAt - bytes, poolAt);
}

/** A fresh request in the access phase with no response yet. */
export function createRequestState(init: RequestInit): RequestState {
  const headers = headerPairs(init.headers);
  if (!headers.some(([k]) => k.toLowerCase() === "host")) {
    // nginx rejects an HTTP/1.1 request without Host, so every request here has one.
    headers.unshift(["Host", init.authority ?? "localhost"]);
  }
  const q = init.path.indexOf("?");
  const rawPath = q === -1 ? init.path : init.path.slice(0, q);
  const connection = headers.find(([k]) => k.toLowerCase() === "connection")?.[1].toLowerCase();
  const httpVersion = init.httpVersion ?? "1.1";
  return {
    phase: "access",
    method: init.method ?? "GET",
    unparsedUri: init.path,
    uri: normaliseUri(rawPath),
    args: q === -1 ? undefined : init.path.slice(q + 1),
    uriRewritten: false,
    scheme: init.scheme ?? "http",
    httpVersion,
    headersIn: headers.map(([key, value]) => ({ key, value, hidden: false })),
    keepalive: httpVersion === "1.0" ? connection === "keep-alive" : connection !== "close",
    remoteAddr: init.remoteAddr ?? "127.0.0.1",
    remotePort: init.remotePort ?? 54321,
    serverAddr: init.serverAddr ?? "127.0.0.1",
    serverPort: init.serverPort ?? (init.scheme === "https" ? 443 : 80),
    serverName: init.serverName ?? "_",
    variables: { ...(init.variables ?? {}) },
    requestId: init.requestId ?? randomHex(16),
    response: {
      status: 0,
      errStatus: 0,
      list: [],
      contentType: "",
      contentLengthN: -1,
      chunked: false,
      headerSent: false,
    },
  };
}

const eqi = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

/**
 * ngx_http_lua_ffi_req_set_header → ngx_http_lua_set_input_header → set_header_helper
 * (lua-nginx-module ngx_http_lua_headers_in.c). `value` "" removes every entry of that name when
 * overriding; adding always appends (an empty value appends an entry with hash 0).
 */
export function setRequestHeader(
  req: RequestState,
  rawKey: string,
  rawValue: string,
  override: boolean,
): void {
  const key = escapeHeaderName(rawKey);
  const value = escapeHeaderValue(rawValue);
  const list = req.headersIn;
  if (override) {
    let matched = -1;
    for (let i = 0; i < list.length; i++) {
      const h = list[i]!;
      if (!eqi(h.key, key)) continue;
      if (value === "" || (matched !== -1 && matched !== i)) {
        // ngx_http_lua_rm_header_helper really removes the entry from the list
        list.splice(i, 1);
        i--;
        continue;
      }
      h.value = value;
      if (matched === -1) matched = i;
    }
    if (matched !== -1 || value === "") return;
  }
  list.push({ key, value, hidden: value === "" });
}

// lua-nginx-module ngx_http_lua_headers_out.c ngx_http_lua_set_handlers: headers r->headers_out
// keeps a pointer to, so writing them replaces the pointed-at entry even when "adding".
const BUILTIN_SINGLE = new Set([
  "server",
  "date",
  "content-encoding",
  "location",
  "refresh",
  "last-modified",
  "content-range",
  "accept-ranges",
  "www-authenticate",
  "expires",
  "e-tag",
  "etag",
  "content-length",
]);

/** Outcome of a response header write as lua-nginx-module reports it. */
export type SetResult = "ok" | "declined" | "error";

function setGenericOutput(
  resp: ResponseState,
  key: string,
  value: string,
  noOverride: boolean,
  noCreate: boolean,
  builtin: boolean,
): void {
  // ngx_http_lua_headers_out.c:ngx_http_set_header_helper
  if (!noOverride) {
    let matched = false;
    for (const h of resp.list) {
      if (h.hidden || !eqi(h.key, key)) continue;
      if (value === "" || matched) {
        h.value = "";
        h.hidden = true;
      } else {
        h.value = value;
        h.hidden = false;
      }
      matched = true;
    }
    if (matched) return;
    if (noCreate && value === "") return;
  }
  const entry: HeaderEntry = { key, value, hidden: value === "" };
  if (builtin) entry.builtin = true;
  resp.list.push(entry);
}

/**
 * ngx_http_lua_ffi_set_resp_header (lua-nginx-module ngx_http_lua_headers.c) with the handlers of
 * ngx_http_lua_headers_out.c. `value` null means remove. After the headers are sent nginx logs
 * an error and declines (which wasm-nginx-module then reports as success).
 */
export function setResponseHeader(
  resp: ResponseState,
  rawKey: string,
  rawValue: string | null,
  override: boolean,
  logError: (msg: string) => void,
): SetResult {
  if (resp.headerSent) {
    logError("attempt to set ngx.header.HEADER after sending out response headers");
    return "declined";
  }
  const key = escapeHeaderName(rawKey);
  const value = rawValue === null ? "" : escapeHeaderValue(rawValue);
  const lower = key.toLowerCase();
  if (lower === "content-type") {
    // ngx_http_set_content_type_header: the value lives in headers_out.content_type, list entries go
    resp.contentType = value;
    setGenericOutput(resp, key, "", false, true, false);
    return "ok";
  }
  if (BUILTIN_SINGLE.has(lower)) {
    if (lower === "content-length") {
      if (value === "") resp.contentLengthN = -1;
      else if (/^[0-9]+$/.test(value)) resp.contentLengthN = Number(value);
      else return "error";
    }
    // ngx_http_set_builtin_header: replace the pointed-at entry whatever "override" says
    const old = resp.list.find((h) => h.builtin && eqi(h.key, key));
    if (old) {
      old.value = value;
      old.hidden = value === "";
      old.key = key;
      return "ok";
    }
    setGenericOutput(resp, key, value, false, false, true);
    return "ok";
  }
  setGenericOutput(resp, key, value, !override, false, false);
  return "ok";
}

/** The status nginx would report for :status (ngx_http_wasm_get_status). */
export function statusForPseudoHeader(resp: ResponseState): number {
  return resp.errStatus || resp.status;
}

/** True when the response list has a visible Content-Length entry (headers_out.content_length). */
export function hasContentLengthEntry(resp: ResponseState): boolean {
  return resp.list.some((h) => h.builtin && !h.hidden && eqi(h.key, "content-length"));
}

/** First visible request header with that name, case-insensitively (hidden entries are skipped). */
export function requestHeader(req: RequestState, name: string): string | undefined {
  return req.headersIn.find((h) => !h.hidden && eqi(h.key, name))?.value;
}

/** ngx_http_lua_ffi_get_resp_header with max one value: content-length/-type come from headers_out. */
export function responseHeader(resp: ResponseState, name: string): string | undefined {
  const lower = name.toLowerCase();
  if (lower === "content-length" && !hasContentLengthEntry(resp) && resp.contentLengthN >= 0) {
    return String(resp.contentLengthN);
  }
  if (lower === "content-type" && resp.contentType !== "") return resp.contentType;
  return resp.list.find((h) => !h.hidden && eqi(h.key, name))?.value;
}
