// add-header: adds the response header `x-hello` whose value is the plugin's configuration.
//
// Only the callbacks this plugin needs are exported: orwasm (and wasm-nginx-module) decide
// which nginx phases to run from the module's exports, so exporting every SDK callback
// (`export * from "@solo-io/proxy-runtime/proxy"`) would make the gateway do work for nothing.
export {
  proxy_abi_version_0_2_0,
  proxy_on_vm_start,
  proxy_on_configure,
  proxy_on_context_create,
  proxy_on_response_headers,
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
  stream_context,
  log,
  LogLevelValues,
} from "@solo-io/proxy-runtime";

/** Holds the configuration: the header value. */
class AddHeaderRoot extends RootContext {
  createContext(context_id: u32): Context {
    return new AddHeader(context_id, this);
  }
}

/** One per request: adds the header when the response headers pass through. */
class AddHeader extends Context {
  constructor(context_id: u32, root_context: AddHeaderRoot) {
    super(context_id, root_context);
  }

  onResponseHeaders(headers: u32, end_of_stream: bool): FilterHeadersStatusValues {
    const value = this.root_context.getConfiguration();
    stream_context.headers.response.add("x-hello", value);
    log(LogLevelValues.info, "add_header: added response header x-hello: " + value);
    return FilterHeadersStatusValues.Continue;
  }
}

// The root id must equal the plugin's name in orwasm.yaml: wasm-nginx-module answers the
// `plugin_root_id` property with the name the plugin was loaded under.
registerRootContext((context_id: u32) => {
  return new AddHeaderRoot(context_id);
}, "add_header");
