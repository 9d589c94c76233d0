// Path normalisation and prefix matching. wasm-nginx-module answers `:path` with nginx's raw
// request URI (query string included, nothing decoded), so `/%61dmin`, `//admin` or
// `/x/../admin` would slip past a plain `startsWith`. The path is normalised first.

/** `/a/./b//c/../d?x=1` → `/a/b/d`: drops the query, decodes %XX, resolves `.` and `..`. */
export function normalizePath(raw: string): string {
  let end = raw.length;
  const q = raw.indexOf("?");
  if (q >= 0) end = q;
  const h = raw.indexOf("#");
  if (h >= 0 && h < end) end = h;
  const decoded = percentDecode(raw.substring(0, end));

  const parts = decoded.split("/");
  const kept = new Array<string>();
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    if (part.length == 0 || part == ".") continue;
    if (part == "..") {
      if (kept.length > 0) kept.pop();
      continue;
    }
    kept.push(part);
  }
  return "/" + kept.join("/");
}

/** True when `path` is `prefix` itself or lies under it: `/admin` matches `/admin/x`, not `/administrator`. */
export function underPrefix(path: string, prefix: string): bool {
  let p = prefix;
  while (p.length > 1 && p.endsWith("/")) p = p.substring(0, p.length - 1);
  if (p == "/") return true;
  if (!path.startsWith(p)) return false;
  return path.length == p.length || path.charCodeAt(p.length) == 0x2f; /* / */
}

/** Decodes %XX byte escapes as UTF-8; a malformed escape stays as written. */
function percentDecode(s: string): string {
  if (s.indexOf("%") < 0) return s;
  const bytes = String.UTF8.encode(s);
  const src = Uint8Array.wrap(bytes);
  const out = new Uint8Array(src.length);
  let n = 0;
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (c == 0x25 && i + 2 < src.length) {
      const hi = hexValue(src[i + 1]);
      const lo = hexValue(src[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out[n++] = <u8>((hi << 4) | lo);
        i += 2;
        continue;
      }
    }
    out[n++] = c;
  }
  return String.UTF8.decode(out.buffer.slice(0, n));
}

function hexValue(c: i32): i32 {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}
