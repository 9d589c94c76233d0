// State wasm-nginx-module keeps in C statics, so one copy per nginx worker process is shared by every
// plugin that worker loaded: the callout-id counter (ngx_http_wasm_call.c: `static uint32_t cur_callout_id`).

/**
 * One nginx worker as the plugins loaded into it share it. Plugin instances run in separate threads,
 * so the counter lives in shared memory and is advanced atomically.
 */
export class NginxWorker {
  /** ngx_http_wasm_call.c cur_callout_id: starts at 0, ++ after each registered call, per worker. */
  readonly calloutIds = new Int32Array(new SharedArrayBuffer(4));
}
