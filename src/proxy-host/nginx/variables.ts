// nginx variables, the only properties wasm-nginx-module resolves besides plugin_root_id
// (ngx_http_wasm_api.c:proxy_get_property → ngx_http_get_variable; proxy_set_property →
// ngx_http_lua_ffi_var_set). Only the common built-ins are modelled; others read as not found.

import { hostname } from "node:os";
import type { RequestState } from "./request.js";
import { requestHeader, responseHeader } from "./request.js";

function argValue(args: string | undefined, name: string): string | undefined {
  if (args === undefined) return undefined;
  for (const part of args.split("&")) {
    const eq = part.indexOf("=");
    const k = eq === -1 ? part : part.slice(0, eq);
    if (k.toLowerCase() === name) return eq === -1 ? "" : part.slice(eq + 1);
  }
  return undefined;
}

function cookieValue(req: RequestState, name: string): string | undefined {
  for (const h of req.headersIn) {
    if (h.hidden || h.key.toLowerCase() !== "cookie") continue;
    for (const c of h.value.split(";")) {
      const eq = c.indexOf("=");
      if (eq !== -1 && c.slice(0, eq).trim().toLowerCase() === name) return c.slice(eq + 1).trim();
    }
  }
  return undefined;
}

/** $http_NAME: the header with "_" read as "-"; cookie and x-forwarded-for join repeats. */
function httpHeaderVar(req: RequestState, name: string): string | undefined {
  const header = name.replace(/_/g, "-");
  const all = req.headersIn.filter((h) => !h.hidden && h.key.toLowerCase() === header);
  if (all.length === 0) return undefined;
  if (header === "cookie") return all.map((h) => h.value).join("; ");
  if (header === "x-forwarded-for") return all.map((h) => h.value).join(", ");
  return all[0]!.value;
}

function hostVar(req: RequestState): string {
  const host = requestHeader(req, "host");
  if (!host) return req.serverName;
  const noPort = host.startsWith("[") ? host.slice(0, host.indexOf("]") + 1) : host.split(":")[0];
  return (noPort ?? host).toLowerCase();
}

/** A variable value, or undefined when nginx reports not_found. */
export function getVariable(req: RequestState, rawName: string): string | undefined {
  const name = rawName.toLowerCase();
  if (Object.prototype.hasOwnProperty.call(req.variables, name)) {
    return req.variables[name] ?? undefined;
  }
  switch (name) {
    case "request_method":
      return req.method;
    case "request_uri":
      return req.unparsedUri;
    case "uri":
    case "document_uri":
      return req.uri;
    case "args":
    case "query_string":
      return req.args;
    case "is_args":
      return req.args ? "?" : "";
    case "scheme":
      return req.scheme;
    case "https":
      return req.scheme === "https" ? "on" : "";
    case "host":
      return hostVar(req);
    case "hostname":
      return hostname();
    case "server_name":
      return req.serverName;
    case "server_addr":
      return req.serverAddr;
    case "server_port":
      return String(req.serverPort);
    case "server_protocol":
      return req.httpVersion === "2.0" ? "HTTP/2.0" : `HTTP/${req.httpVersion}`;
    case "remote_addr":
      return req.remoteAddr;
    case "remote_port":
      return String(req.remotePort);
    case "content_type":
      return requestHeader(req, "content-type");
    case "content_length":
      return requestHeader(req, "content-length");
    case "request_id":
      return req.requestId;
    case "status":
      return String(req.response.errStatus || req.response.status).padStart(3, "0");
  }
  if (name.startsWith("http_")) return httpHeaderVar(req, name.slice(5));
  if (name.startsWith("arg_")) return argValue(req.args, name.slice(4));
  if (name.startsWith("cookie_")) return cookieValue(req, name.slice(7));
  if (name.startsWith("sent_http_")) {
    return responseHeader(req.response, name.slice(10).replace(/_/g, "-"));
  }
  return undefined;
}

// Built-ins that exist but are not NGX_HTTP_VAR_CHANGEABLE (writing them gives "not changeable").
const READ_ONLY = new Set([
  "request_method",
  "request_uri",
  "uri",
  "document_uri",
  "query_string",
  "is_args",
  "scheme",
  "https",
  "host",
  "hostname",
  "server_name",
  "server_addr",
  "server_port",
  "server_protocol",
  "remote_addr",
  "remote_port",
  "content_type",
  "content_length",
  "request_id",
  "status",
]);

/** ngx_http_lua_ffi_var_set: ok, or the error text nginx writes into errbuf. */
export function setVariable(req: RequestState, rawName: string, value: string): string | undefined {
  const name = rawName.toLowerCase();
  if (Object.prototype.hasOwnProperty.call(req.variables, name)) {
    req.variables[name] = value;
    return undefined;
  }
  if (name === "args") {
    req.args = value;
    return undefined;
  }
  if (READ_ONLY.has(name)) return `variable "${name}" not changeable`;
  return (
    `variable "${name}" not found for writing; maybe it is a built-in variable that is not ` +
    `changeable or you forgot to use "set $${name} '';" in the config file to define it first`
  );
}
