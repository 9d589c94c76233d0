// The header maps the module serialises for proxy_get_header_map_pairs
// (ngx_http_wasm_api.c: ngx_http_wasm_req_get_headers, ngx_http_wasm_resp_get_headers).

import type { HeaderPair } from "../header-map.js";
import { hasContentLengthEntry, type RequestState } from "../nginx/request.js";
import { WorkerCrash } from "./vm.js";

const enc = new TextEncoder();

/** ngx_http_wasm_get_authority: the Host header value, read without a NULL check. */
export function authority(r: RequestState): string {
  const host = r.headersIn.find((h) => !h.hidden && h.key.toLowerCase() === "host");
  if (!host) throw new WorkerCrash("reading :authority of a request without a Host header");
  return host.value;
}

/**
 * Request headers: at most 100 list entries (ngx_http_lua_ffi_req_get_headers_count(r, -1)),
 * lowercased, hidden ones included, then :scheme, :path, :method, :authority at the END.
 */
export function requestHeaderMap(r: RequestState): Uint8Array {
  const real = r.headersIn.slice(0, 100).map((h): HeaderPair => [h.key.toLowerCase(), h.value]);
  return encodeExact([
    ...real,
    [":scheme", r.scheme],
    [":path", r.unparsedUri],
    [":method", r.method],
    [":authority", authority(r)],
  ]);
}

/**
 * Response headers like ngx.resp.get_headers plus synthesised pairs: visible list entries, then
 * content-type, content-length (unless a list entry), connection, transfer-encoding, :status.
 */
export function responseHeaderMap(r: RequestState): Uint8Array {
  const resp = r.response;
  const visible = resp.list.filter((h) => !h.hidden);
  // the serialising loop reuses `part` from the counting loop, so only the last 20-entry nginx
  // list part is written while the count covers every visible entry: trailing pairs stay zeroed
  const lastPartStart = resp.list.length > 20 ? Math.floor((resp.list.length - 1) / 20) * 20 : 0;
  const written: HeaderPair[] = resp.list
    .slice(lastPartStart)
    .filter((h) => !h.hidden)
    .map((h) => [h.key.toLowerCase(), h.value]);
  const extra: HeaderPair[] = [];
  let size = 0;
  for (const h of visible) size += enc.encode(h.key).length + enc.encode(h.value).length + 2;
  if (resp.contentType !== "") {
    extra.push(["content-type", resp.contentType]);
    size += 13 + enc.encode(resp.contentType).length + 1;
  }
  if (!hasContentLengthEntry(resp) && resp.contentLengthN >= 0) {
    extra.push(["content-length", String(resp.contentLengthN)]);
    size += 15 + String(resp.contentLengthN).length + 1;
  }
  // the connection pair is sized with sizeof("content-length"): 4 bytes more than needed
  size += 15;
  if (resp.status === 101) {
    extra.push(["connection", "upgrade"]);
    size += 8;
  } else if (r.keepalive) {
    extra.push(["connection", "keep-alive"]);
    size += 11;
  } else {
    extra.push(["connection", "close"]);
    size += 6;
  }
  if (resp.chunked) {
    extra.push(["transfer-encoding", "chunked"]);
    size += 18 + 8;
  }
  if (resp.status) {
    extra.push([":status", String(resp.status)]);
    size += 8 + String(resp.status).length + 1;
  }
  const count = visible.length + extra.length;
  size += 4 + count * 8;
  return encodeWithCount([...written, ...extra], count, size);
}

/** Map bytes with the exact size the serialised pairs need. */
export function encodeExact(pairs: HeaderPair[]): Uint8Array {
  let size = 4 + pairs.length * 8;
  for (const [k, v] of pairs) size += enc.encode(k).length + enc.encode(v).length + 2;
  return encodeWithCount(pairs, pairs.length, size);
}

/** Serialises `pairs` under a declared `count` into a zeroed buffer of `size` bytes. */
function encodeWithCount(pairs: HeaderPair[], count: number, size: number): Uint8Array {
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  view.setInt32(0, count, true);
  let sizes = 4;
  let data = 4 + count * 8;
  for (const [k, v] of pairs) {
    const kb = enc.encode(k);
    const vb = enc.encode(v);
    view.setInt32(sizes, kb.length, true);
    view.setInt32(sizes + 4, vb.length, true);
    sizes += 8;
    out.set(kb, data);
    data += kb.length + 1;
    out.set(vb, data);
    data += vb.length + 1;
  }
  return out;
}
