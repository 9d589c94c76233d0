// deny-list: answers a local response (status and body from the config) for requests whose
// path lies under a denied prefix; every other request continues to the upstream.
//
// Only the callbacks this plugin needs are exported: orwasm (and wasm-nginx-module) decide
// which nginx phases to run from the module's exports, so this plugin exports the request
// headers callback and nothing for the response or the bodies.
export {
  proxy_abi_version_0_2_0,
  proxy_on_vm_start,
  proxy_on_configure,
  proxy_on_context_create,
  proxy_on_request_headers,
  proxy_on_done,
  proxy_on_delete,
  malloc,
} from "@solo-io/proxy-runtime/proxy";

import "./abort";
import {
  RootContext,
  Context,
  registerRootContext,
  FilterHeadersStatusValues,
  GrpcStatusValues,
  HeaderPair,
  stream_context,
  send_local_response,
  log,
  LogLevelValues,
} from "@solo-io/proxy-runtime";
import { DenyConfig, parseDenyConfig } from "./config";
import { normalizePath, underPrefix } from "./path";

/** Parses and holds the configuration; a bad configuration fails `proxy_on_configure`. */
class DenyListRoot extends RootContext {
  config: DenyConfig = new DenyConfig();

  createContext(context_id: u32): Context {
    return new DenyList(context_id, this);
  }

  onConfigure(configuration_size: u32): bool {
    if (configuration_size == 0) {
      log(LogLevelValues.error, 'deny_list: no configuration; expected {"deny": ["/prefix", ...]}');
      return false;
    }
    if (!super.onConfigure(configuration_size)) return false;
    const parsed = parseDenyConfig(this.getConfiguration());
    const config = parsed.config;
    if (config === null) {
      log(LogLevelValues.error, "deny_list: bad configuration: " + parsed.error);
      return false;
    }
    this.config = config;
    log(
      LogLevelValues.info,
      "deny_list: denying " + config.deny.join(", ") + " with status " + config.status.toString(),
    );
    return true;
  }
}

/** One per request: checks the path when the request headers arrive. */
class DenyList extends Context {
  constructor(context_id: u32, root_context: DenyListRoot) {
    super(context_id, root_context);
  }

  onRequestHeaders(headers: u32, end_of_stream: bool): FilterHeadersStatusValues {
    const config = (this.root_context as DenyListRoot).config;
    const path = normalizePath(stream_context.headers.request.get(":path"));
    for (let i = 0; i < config.deny.length; i++) {
      const prefix = config.deny[i];
      if (!underPrefix(path, prefix)) continue;
      log(
        LogLevelValues.info,
        "deny_list: denied " + path + " (prefix " + prefix + "): " + config.status.toString(),
      );
      const contentType = new HeaderPair(
        String.UTF8.encode("content-type"),
        String.UTF8.encode("text/plain; charset=utf-8"),
      );
      send_local_response(
        config.status,
        "",
        String.UTF8.encode(config.body),
        [contentType],
        GrpcStatusValues.PermissionDenied,
      );
      return FilterHeadersStatusValues.StopIteration;
    }
    return FilterHeadersStatusValues.Continue;
  }
}

// The root id must equal the plugin's name in orwasm.yaml: wasm-nginx-module answers the
// `plugin_root_id` property with the name the plugin was loaded under.
registerRootContext((context_id: u32) => {
  return new DenyListRoot(context_id);
}, "deny_list");
