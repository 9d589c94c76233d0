// proxy_http_call's upstream check: ngx_parse_url with no_resolve and no URI part
// (nginx src/core/ngx_inet.c), which is what ngx_http_wasm_api.c:proxy_http_call runs.

function atoi(s: string): number | undefined {
  return /^[0-9]+$/.test(s) ? Number(s) : undefined;
}

/** Returns nginx's error ("invalid host", "invalid port", "no host", ...) or undefined when accepted. */
export function parseUpstream(url: string): string | undefined {
  if (url.slice(0, 5).toLowerCase() === "unix:") {
    return url.length > 5 ? undefined : "no path in the unix domain socket";
  }
  if (url.startsWith("[")) {
    const close = url.indexOf("]");
    if (close === -1) return "invalid host";
    const rest = url.slice(close + 1);
    if (rest.includes("/")) return "invalid host";
    if (rest.startsWith(":")) {
      const port = atoi(rest.slice(1));
      if (port === undefined || port < 1 || port > 65535) return "invalid port";
    }
    const addr = url.slice(1, close);
    if (addr === "") return "no host";
    return /^[0-9a-fA-F:.]+$/.test(addr) && addr.includes(":") ? undefined : "invalid IPv6 address";
  }
  // a "/" or "?" means a URI part, which this caller does not allow
  if (/[/?]/.test(url)) return "invalid host";
  const colon = url.indexOf(":");
  let host = url;
  if (colon !== -1) {
    const port = atoi(url.slice(colon + 1));
    if (port === undefined || port < 1 || port > 65535) return "invalid port";
    host = url.slice(0, colon);
  }
  return host === "" ? "no host" : undefined;
}
