// The import audit: what a plugin needs from its host against what the chosen host really provides.
import type { HostProfile } from "../module-abi/wasm-nginx-module-0.7.0.js";
import { explainMissingEnvImport, explainMissingModule, goWorldFindings } from "./go-world.js";
import type { WasmInfo } from "./wasm-info.js";

import type { Finding } from "./finding.js";

export type { Finding, Severity } from "./finding.js";

const HTTP_CALLBACKS = [
  "proxy_on_request_headers",
  "proxy_on_request_body",
  "proxy_on_response_headers",
  "proxy_on_response_body",
];

/**
 * Pure: compares a module's imports, signatures and exports with a host profile.
 * Errors mean the plugin will not instantiate or cannot work there; warnings name host functions that answer
 * UNIMPLEMENTED or behave surprisingly; infos are worth knowing.
 */
export function auditPlugin(
  info: WasmInfo,
  signatures: Map<string, string>,
  host: HostProfile,
  hostName: string,
): Finding[] {
  const out: Finding[] = [];
  const exports = new Set(info.exports);
  const isProxyWasm = info.abiVersion !== undefined || info.callbacks.length > 0;
  if (!isProxyWasm) {
    return [
      {
        severity: "error",
        message:
          "not a proxy-wasm module: it exports no proxy_abi_version_* marker and no proxy_on_* callback",
      },
    ];
  }
  const unknownAbi = info.exports.some(
    (e) => e.startsWith("proxy_abi_version_") && !host.abiVersions.includes(e),
  );
  const knownMarker = info.exports.some((e) => host.abiVersions.includes(e));
  if (!info.abiVersion && !unknownAbi && !knownMarker) {
    out.push({
      severity: "warning",
      message:
        "exports no proxy_abi_version_* marker; wasm-nginx-module then assumes the newest ABI (0.2.1)",
    });
  }
  if (!exports.has("memory"))
    out.push({
      severity: "error",
      subject: "memory",
      message: "exports no memory named 'memory'; the host cannot exchange data with it",
    });
  if (!exports.has("proxy_on_memory_allocate") && !exports.has("malloc")) {
    out.push({
      severity: "error",
      subject: "proxy_on_memory_allocate",
      message:
        "exports neither proxy_on_memory_allocate nor malloc; the host cannot pass it headers or config",
    });
  }
  for (const cb of ["proxy_on_context_create", "proxy_on_configure"]) {
    if (!exports.has(cb))
      out.push({
        severity: "error",
        subject: cb,
        message: `does not export ${cb}, which the host calls for every plugin`,
      });
  }
  if (!HTTP_CALLBACKS.some((cb) => exports.has(cb))) {
    out.push({
      severity: "warning",
      message:
        "exports no HTTP callback (proxy_on_request_headers/body, proxy_on_response_headers/body): it will never see a request",
    });
  }

  for (const imp of info.imports) {
    const subject = `${imp.module}.${imp.name}`;
    if (imp.kind !== "function") {
      out.push({
        severity: "error",
        subject,
        message: `imports a ${imp.kind} (${subject}); ${hostName} provides only functions`,
      });
      continue;
    }
    if (imp.module === "env") {
      const fn = host.env[imp.name];
      if (!fn) {
        out.push({
          severity: "error",
          subject,
          message:
            explainMissingEnvImport(imp.name, hostName) ??
            `imports ${subject}, which ${hostName} does not provide: the plugin fails to instantiate`,
        });
        continue;
      }
      const sig = signatures.get(subject);
      if (sig && sig !== fn.signature) {
        out.push({
          severity: "error",
          subject,
          message: `imports ${subject} as ${sig} but ${hostName} defines it as ${fn.signature}: the plugin fails to instantiate`,
        });
        continue;
      }
      if (fn.status === "unimplemented") {
        out.push({
          severity: "warning",
          subject,
          message: `${imp.name} answers UNIMPLEMENTED on ${hostName}${fn.note ? ` (${fn.note})` : ""}`,
        });
      } else if (fn.noop) {
        out.push({
          severity: "info",
          subject,
          message: `${imp.name} returns Ok but does nothing on ${hostName}${fn.note ? ` (${fn.note})` : ""}`,
        });
      } else if (fn.status === "partial") {
        out.push({
          severity: "info",
          subject,
          message: `${imp.name} is partly implemented on ${hostName}${fn.note ? `: ${fn.note}` : ""}`,
        });
      }
      continue;
    }
    const wasi = host.wasi[imp.module];
    if (!wasi) {
      const known = Object.keys(host.wasi).join(", ");
      out.push({
        severity: "error",
        subject,
        message:
          explainMissingModule(imp.module) ??
          `imports ${subject}, but ${hostName} has no module '${imp.module}' (its WASI modules: ${known}): the plugin fails to instantiate`,
      });
    } else if (!wasi.includes(imp.name)) {
      out.push({
        severity: "error",
        subject,
        message: `imports ${subject}, which ${hostName}'s ${imp.module} does not provide: the plugin fails to instantiate`,
      });
    }
  }

  // only wasm-nginx-module limits calls to request phases (Envoy and Higress dispatch them from any phase)
  const moduleHost = host.id.startsWith("wasm-nginx-module");
  if (moduleHost && info.imports.some((i) => i.module === "env" && i.name === "proxy_http_call")) {
    const responseCbs = info.callbacks.filter(
      (c) => c === "proxy_on_response_headers" || c === "proxy_on_response_body",
    );
    if (responseCbs.length > 0) {
      out.push({
        severity: "warning",
        subject: "env.proxy_http_call",
        message: `imports proxy_http_call and exports ${responseCbs.join(", ")}: wasm-nginx-module only dispatches calls from request phases (access, rewrite); a call made from a response phase returns BadArgument`,
      });
    }
  }
  out.push(
    ...goWorldFindings(
      info,
      hostName,
      host.abiVersions,
      (name) => host.env[name]?.status === "unimplemented",
    ),
  );
  const requestCbs = info.callbacks.filter(
    (c) => c === "proxy_on_request_headers" || c === "proxy_on_request_body",
  );
  if (
    requestCbs.length > 0 &&
    !info.imports.some((i) => i.module === "env" && i.name === "proxy_http_call")
  ) {
    // A note, not a warning: most such plugins only ever return Continue, and every conf run would repeat it.
    // lib/resty/proxy-wasm.lua:on_http_request reads rc 1 as RC_NEED_HTTP_CALL; with no call registered,
    // ngx_http_wasm_call.c:ngx_http_wasm_call_max_headers_count dereferences the NULL callout
    out.push({
      severity: "info",
      subject: requestCbs[0],
      message: `exports ${requestCbs.join(", ")} but imports no proxy_http_call: if it returns Pause (1), would crash the nginx worker (wasm-nginx-module takes 1 for a pending http call and dereferences a NULL callout); return Continue (0)`,
    });
  }
  for (const cb of host.uncalledCallbacks) {
    if (exports.has(cb))
      out.push({
        severity: "info",
        subject: cb,
        message: `exports ${cb}, which ${hostName} never calls`,
      });
  }
  return out;
}
