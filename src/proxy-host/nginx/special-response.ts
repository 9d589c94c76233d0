// What `ngx.exit(code)` answers when nothing was printed: nginx's built-in page for the status
// (src/http/ngx_http_special_response.c), as OpenResty serves it.

// Status lines nginx uses (ngx_http_header_filter_module.c ngx_http_status_lines); they differ
// from the IANA names in places (401, 405, 408, 413, 414, 416, 503, 504).
const REASONS: Record<number, string> = {
  200: "OK",
  201: "Created",
  202: "Accepted",
  204: "No Content",
  206: "Partial Content",
  301: "Moved Permanently",
  302: "Moved Temporarily",
  303: "See Other",
  304: "Not Modified",
  307: "Temporary Redirect",
  308: "Permanent Redirect",
  400: "Bad Request",
  401: "Unauthorized",
  402: "Payment Required",
  403: "Forbidden",
  404: "Not Found",
  405: "Not Allowed",
  406: "Not Acceptable",
  408: "Request Time-out",
  409: "Conflict",
  410: "Gone",
  411: "Length Required",
  412: "Precondition Failed",
  413: "Request Entity Too Large",
  414: "Request-URI Too Large",
  415: "Unsupported Media Type",
  416: "Requested Range Not Satisfiable",
  421: "Misdirected Request",
  429: "Too Many Requests",
  500: "Internal Server Error",
  501: "Not Implemented",
  502: "Bad Gateway",
  503: "Service Temporarily Unavailable",
  504: "Gateway Time-out",
  505: "HTTP Version Not Supported",
  507: "Insufficient Storage",
};

// Statuses with a built-in page (ngx_http_error_pages); others get an empty body.
const HAS_PAGE = new Set([
  301, 302, 303, 307, 308, 400, 401, 402, 403, 404, 405, 406, 408, 409, 410, 411, 412, 413, 414,
  415, 416, 421, 429, 494, 495, 496, 497, 500, 501, 502, 503, 504, 505, 507,
]);

const PAGE_TITLES: Record<number, string> = {
  494: "400 Request Header Or Cookie Too Large",
  495: "400 The SSL certificate error",
  496: "400 No required SSL certificate was sent",
  497: "400 The plain HTTP request was sent to HTTPS port",
  401: "401 Authorization Required",
};

/** The reason phrase nginx puts on the status line, or "" when it has none. */
export function reasonPhrase(status: number): string {
  return REASONS[status] ?? "";
}

/** nginx's error page body for `status` (server_tokens off), or undefined when it has none. */
export function specialResponseBody(status: number): string | undefined {
  if (!HAS_PAGE.has(status)) return undefined;
  const title = PAGE_TITLES[status] ?? `${status} ${reasonPhrase(status)}`;
  return (
    `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n` +
    `<center><h1>${title}</h1></center>\r\n` +
    `<hr><center>openresty</center>\r\n</body>\r\n</html>\r\n`
  );
}
