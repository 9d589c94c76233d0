// What the audit knows about Go plugins: Higress' host extensions and ABI marker, TinyGo's marks and mistakes,
// and standard Go built the wrong way.
import type { Finding } from "./finding.js";
import type { WasmInfo } from "./wasm-info.js";

/** Where a plugin that needs a Higress host extension can run. */
export const HIGRESS_ONLY =
  "only Higress' Envoy defines it (stock Envoy, Istio and wasm-nginx-module do not): such a plugin runs on a Higress gateway (deployment.higress), not on OpenResty; orwasm test and orwasm dev run it with `host: { profile: higress }` (or --profile higress)";

/** The host functions Higress' proxy-wasm-go-sdk imports beyond the proxy-wasm ABI, and what wasm-go uses each for. */
export const HIGRESS_HOST_EXTENSIONS: Record<string, string> = {
  proxy_redis_init: "opens the Redis client of wasm-go's wrapper.NewRedisClusterClient (Init)",
  proxy_redis_call: "sends a Redis command for wasm-go's Redis client (Get, Set, Incr, Eval ...)",
  proxy_inject_encoded_data_to_filter_chain:
    "injects body data into the filter chain (streamed responses, e.g. Higress' AI plugins)",
  proxy_get_upstream_hosts: "lists the hosts of the request's upstream cluster",
  proxy_set_upstream_override_host: "overrides the upstream host a request is sent to",
};

/** Callbacks only a Higress host calls. */
const HIGRESS_CALLBACKS = ["proxy_on_redis_call_response"];

/** The ABI marker of Higress' proxy-wasm-go-sdk since its Go 1.24 line. */
export const HIGRESS_ABI = "proxy_abi_version_0_2_100";

/** The message for an `env` import the host lacks, when the Go world explains it; undefined otherwise. */
export function explainMissingEnvImport(name: string, hostName: string): string | undefined {
  const ext = HIGRESS_HOST_EXTENSIONS[name];
  if (ext) {
    return (
      `imports env.${name}, a Higress host extension (it ${ext}); ${hostName} does not provide it, so the ` +
      `plugin fails to instantiate: ${HIGRESS_ONLY}`
    );
  }
  if (name.startsWith("runtime.") || name.startsWith("syscall/js.")) {
    return (
      `imports env.${name}: TinyGo built this module with -target=wasm (the browser target), which no proxy-wasm ` +
      `host provides (the load fails with "unknown import: \`env::${name}\` has not been defined"); build with ` +
      `\`tinygo build -scheduler=none -target=wasi\`, or better with Go 1.24+ (build: { lang: go })`
    );
  }
  return undefined;
}

/** The message for an import from a module the host lacks, when the Go world explains it. */
export function explainMissingModule(module: string): string | undefined {
  if (module === "gojs") {
    return (
      "imports from 'gojs': the module was built with GOOS=js (for browsers and Node's wasm_exec.js); a proxy-wasm " +
      "plugin is built with GOOS=wasip1 GOARCH=wasm -buildmode=c-shared (build: { lang: go } does this)"
    );
  }
  return undefined;
}

/** Findings about how a Go module was built and which SDK it assumes (pure). */
export function goWorldFindings(
  info: WasmInfo,
  hostName: string,
  knownAbis: readonly string[],
  unimplemented: (name: string) => boolean,
): Finding[] {
  const out: Finding[] = [];
  const exports = new Set(info.exports);
  const imports = new Set(info.imports.filter((i) => i.module === "env").map((i) => i.name));

  for (const marker of info.exports.filter((e) => e.startsWith("proxy_abi_version_"))) {
    if (knownAbis.includes(marker)) continue;
    const who = marker === HIGRESS_ABI ? " (the marker of Higress' proxy-wasm-go-sdk)" : "";
    const newest = knownAbis.at(-1)?.replace("proxy_abi_version_", "").replaceAll("_", ".");
    out.push({
      severity: "warning",
      subject: marker,
      message:
        `exports ${marker}${who}, an ABI version ${hostName} does not know (it looks for ${knownAbis.join(", ")}); ` +
        `finding none, it assumes the newest it knows, ${newest}: header callbacks get (context id, header count, ` +
        `end_of_stream) and only the functions of its own tables answer`,
    });
  }

  if (info.abiVersion === undefined && exports.has(HIGRESS_ABI)) {
    if (
      imports.has("proxy_set_tick_period_milliseconds") &&
      unimplemented("proxy_set_tick_period_milliseconds")
    ) {
      out.push({
        severity: "warning",
        subject: "env.proxy_set_tick_period_milliseconds",
        message:
          `a wasm-go plugin that registers tick functions (wrapper.RegisterTickFunc) fails its start ("plugin start ` +
          `failed") on ${hostName}, which answers UNIMPLEMENTED to proxy_set_tick_period_milliseconds`,
      });
    }
  }
  for (const cb of HIGRESS_CALLBACKS) {
    if (exports.has(cb)) {
      out.push({
        severity: "info",
        subject: cb,
        message: `exports ${cb}, a Higress callback ${hostName} never calls`,
      });
    }
  }

  const tc = info.toolchain;
  if (tc?.kind === "tinygo") {
    out.push({
      severity: "warning",
      message:
        `built with TinyGo${tc.version ? ` ${tc.version}` : ""}: its conservative garbage collector keeps memory it ` +
        `cannot prove free, so a long-lived plugin instance grows; since Go 1.24 proxy-wasm-go-sdk and Higress' ` +
        `wasm-go build with the standard toolchain (build: { lang: go } runs GOOS=wasip1 -buildmode=c-shared)`,
    });
  }
  if (tc?.kind === "go" && exports.has("_start")) {
    out.push({
      severity: "error",
      subject: "_start",
      message:
        `exports _start: this Go module was built without -buildmode=c-shared; ${hostName} runs _start at load, ` +
        `Go's _start runs main and exits (proc_exit), and the load fails; build with -buildmode=c-shared (build: { lang: go })`,
    });
  }
  return out;
}
