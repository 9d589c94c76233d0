// Byte escaping nginx and lua-nginx-module apply before storing header names/values and URIs.

const enc = new TextEncoder();
const dec = new TextDecoder();

/** A 256-bit table in nginx's layout: one u32 per 32 byte values. */
type EscapeTable = readonly number[];

// lua-nginx-module ngx_http_lua_util.c:ngx_http_lua_escape_uri, NGX_HTTP_LUA_ESCAPE_HEADER_NAME:
// controls, space, "(),/:;<=>?@[\]{} and DEL..0xFF.
const HEADER_NAME: EscapeTable = [
  0xffffffff, 0xfc009305, 0x38000001, 0xa8000000, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff,
];
// NGX_HTTP_LUA_ESCAPE_HEADER_VALUE: %00-%08, %0A-%1F, %7F (tab is kept).
const HEADER_VALUE: EscapeTable = [0xfffffdff, 0, 0, 0x80000000, 0, 0, 0, 0];
// nginx ngx_escape_uri NGX_ESCAPE_URI (used by proxy_pass for a rewritten r->uri):
// " ", "#", "%", "?", %00-%1F, %7F-%FF.
const URI: EscapeTable = [
  0xffffffff, 0x80000029, 0x00000000, 0x80000000, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff,
];

function escapeWith(table: EscapeTable, s: string): string {
  // most names and values are ASCII that needs no escaping: decided on the UTF-16 units, without encoding
  let ascii = true;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) {
      ascii = false;
      break;
    }
    if (((table[c >> 5] ?? 0) >>> (c & 0x1f)) & 1) {
      ascii = false;
      break;
    }
  }
  if (ascii) return s;
  const bytes = enc.encode(s);
  let needs = false;
  for (const b of bytes) {
    if (((table[b >> 5] ?? 0) >>> (b & 0x1f)) & 1) {
      needs = true;
      break;
    }
  }
  if (!needs) return s;
  const out: number[] = [];
  for (const b of bytes) {
    if (((table[b >> 5] ?? 0) >>> (b & 0x1f)) & 1) {
      out.push(0x25, ...enc.encode(b.toString(16).toUpperCase().padStart(2, "0")));
    } else {
      out.push(b);
    }
  }
  return dec.decode(new Uint8Array(out));
}

/** What lua-nginx-module stores for a header name a plugin writes (ngx_http_lua_copy_escaped_header). */
export function escapeHeaderName(s: string): string {
  return escapeWith(HEADER_NAME, s);
}

/** What lua-nginx-module stores for a header value a plugin writes. */
export function escapeHeaderValue(s: string): string {
  return escapeWith(HEADER_VALUE, s);
}

/** How proxy_pass writes a changed r->uri on the upstream request line. */
export function escapeUri(s: string): string {
  return escapeWith(URI, s);
}

/** nginx's normalised r->uri from a request target path: %XX decoded, `//` merged, dot segments resolved. */
export function normaliseUri(rawPath: string): string {
  // already normal: starts with "/", nothing to decode, no empty, "." or ".." segment
  if (rawPath.startsWith("/") && !/%|\/\/|\/\.\.?(\/|$)/.test(rawPath)) return rawPath;
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    decoded = rawPath;
  }
  const segments: string[] = [];
  for (const seg of decoded.split("/")) {
    if (seg === "" || seg === ".") continue;
    if (seg === "..") segments.pop();
    else segments.push(seg);
  }
  const trailing = decoded.endsWith("/") || decoded.endsWith("/.") || decoded.endsWith("/..");
  const joined = "/" + segments.join("/");
  return trailing && joined !== "/" ? joined + "/" : joined;
}
