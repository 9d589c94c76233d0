// What the audit checks a plugin against under the higress profile: wasm-nginx-module's table with Envoy's answers
// where envoy-like gives them, plus Higress' extensions (Redis calls, foreign functions) and its ABI marker.
import type { HostFunction, HostProfile } from "./wasm-nginx-module-0.7.0.js";

const HIGRESS = "higress-group/proxy-wasm-go-sdk proxywasm/internal/abi_hostcalls.go";

const implemented = (source: string, signature: string): HostFunction => ({
  status: "implemented",
  source,
  signature,
});

/** The higress profile as an audit table, derived from the module's table for `vm`. */
export function higressHostProfile(module: HostProfile): HostProfile {
  const env: Record<string, HostFunction> = {};
  // envoy-like and higress answer every ABI function (no UNIMPLEMENTED warnings from the module's table)
  for (const [name, fn] of Object.entries(module.env)) env[name] = { ...fn, status: "implemented" };
  env["proxy_redis_init"] = implemented(HIGRESS, "(i32, i32, i32, i32, i32, i32, i32) -> i32");
  env["proxy_redis_call"] = implemented(HIGRESS, "(i32, i32, i32, i32, i32) -> i32");
  env["proxy_get_metric"] = { ...env["proxy_get_metric"]!, signature: "(i32, i32) -> i32" };
  env["proxy_get_header_map_size"] = {
    ...(env["proxy_get_header_map_size"] ?? implemented(HIGRESS, "")),
    signature: "(i32, i32) -> i32",
  };
  env["proxy_get_buffer_status"] = {
    ...(env["proxy_get_buffer_status"] ?? implemented(HIGRESS, "")),
    signature: "(i32, i32, i32) -> i32",
  };
  return {
    ...module,
    id: "orwasm-higress",
    description: "orwasm's higress host profile: envoy-like plus Higress' host extensions",
    abiVersions: [...module.abiVersions, "proxy_abi_version_0_2_100"],
    env,
    callbacks: [
      ...module.callbacks,
      "proxy_on_redis_call_response",
      "proxy_on_log",
      "proxy_on_vm_start",
    ],
    uncalledCallbacks: module.uncalledCallbacks.filter(
      (c) => !["proxy_on_log", "proxy_on_vm_start", "proxy_on_redis_call_response"].includes(c),
    ),
  };
}
