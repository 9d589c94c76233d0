// The conformance set: requests whose outcomes the embedded host must share with a real OpenResty +
// wasm-nginx-module 0.7.0 gateway. Each case names where it comes from: a test of the module's own suite
// (t/<file>.t, "TEST n: name", ported here with orwasm's probe plugin, never copied), a quirk read in the
// module's C or Lua (file:function), or orwasm's own examples. Recordings of real engines (recordings/*.json)
// hold what each case did there; test/unit/conformance-recordings.test.ts replays them on every run.
import type { SmokeCheckData } from "../../src/project/schema-smoke.js";

/** What a case compares between engines, besides the status. */
export interface Compare {
  /** Response headers compared (lower-case names); absent ones must be absent on both. */
  headers?: string[];
  /** Compare the whole response body. */
  body?: boolean;
  /** Fields of orwasm's echo upstream reply (its JSON body): "method", "path", "query.a", "headers.x-api". */
  echo?: string[];
}

/** One request of the set. */
export interface ConformanceCase {
  /** Unique: the key of the case in recordings. */
  name: string;
  /** Where the behaviour comes from. */
  source: string;
  request: { method?: string; path: string; headers?: Record<string, string>; body?: string };
  compare?: Compare;
  /** Regular expressions looked for in the error log (each recorded as matched or not, with the lines). */
  logs?: string[];
  /** What reading the source predicts, checked on the embedded host as a smoke expectation. */
  expect?: SmokeCheckData["expect"] extends infer E ? Partial<E> : never;
  /** Reading the C: this request takes the nginx worker down (it crashes, or spins forever). */
  worker?: "crashes" | "hangs";
}

/** Cases that share one gateway, in order (callout ids and context ids depend on what ran before). */
export interface ConformanceGroup {
  name: string;
  cases: ConformanceCase[];
}

const H = "example.test";
const probe = (path: string, actions: string, extra: Record<string, string> = {}) => ({
  path,
  headers: { host: H, "x-probe": actions, ...extra },
});
const result = (v: string) => ({ headers: { "x-probe-result": v } });
const R = ["x-probe-result"];

/** Every normal case, in one gateway. */
const main: ConformanceCase[] = [
  // ---- orwasm's examples and the first 12 cases (agreed with a real WasmEdge engine by hand)
  {
    name: "add-header adds the configured header on a proxied route",
    source: "orwasm: examples/add-header",
    request: { path: "/ah", headers: { host: H } },
    compare: { headers: ["x-hello"], echo: ["path"] },
    expect: { status: 200, headers: { "x-hello": "world" } },
  },
  {
    name: "a per-route config reaches the same plugin",
    source: "orwasm: examples/add-header, per-route config (a second root context)",
    request: { path: "/ah2", headers: { host: H } },
    compare: { headers: ["x-hello"] },
    expect: { headers: { "x-hello": "override" } },
  },
  {
    name: "add-header also runs on a fixed response",
    source: "orwasm: examples/add-header on a `respond:` route",
    request: { path: "/fixed", headers: { host: H } },
    compare: { headers: ["x-hello"], body: true },
    expect: { status: 200, body: "fixed\n", headers: { "x-hello": "world" } },
  },
  {
    name: "deny-list answers its local response before the upstream",
    source: "orwasm: examples/deny-list; t/http_send_response.t TEST 1: sanity",
    request: { path: "/admin/x", headers: { host: H } },
    compare: { headers: ["content-type"], body: true },
    expect: { status: 403, body: "denied" },
  },
  {
    name: "deny-list lets other paths through to the upstream",
    source: "orwasm: examples/deny-list",
    request: { path: "/deny/ok", headers: { host: H } },
    compare: { echo: ["path"] },
    expect: { status: 200 },
  },
  {
    name: "shared data answers UNIMPLEMENTED (12)",
    source: "ngx_http_wasm_api.c:proxy_get_shared_data",
    request: probe("/probe/s", "shared_get"),
    compare: { headers: R },
    expect: result("shared_get=12"),
  },
  {
    name: "plugin_root_id is the name the plugin was loaded under",
    source: "ngx_http_wasm_api.c:proxy_get_property",
    request: probe("/probe/r", "property:plugin_root_id"),
    compare: { headers: R },
    expect: result("property:plugin_root_id=0;value=probe"),
  },
  {
    name: "other properties are nginx variables",
    source: "t/property.t TEST 1: get_property (host), with $uri",
    request: probe("/probe/v?a=1", "property:uri"),
    compare: { headers: R },
    expect: result("property:uri=0;value=/probe/v"),
  },
  {
    name: "proxy_http_call from a response phase is refused with BadArgument (2)",
    source: "t/http_call.t TEST 1: call in response",
    request: {
      path: "/probe/c",
      headers: { host: H, "x-probe-response": "http_call:127.0.0.1:1" },
    },
    compare: { headers: ["x-probe-response-result"] },
    logs: ["http call is only supported during processing HTTP request"],
    expect: { status: 200, headers: { "x-probe-response-result": "http_call=2" } },
  },
  {
    name: "the request body reaches proxy_on_request_body",
    source: "t/http_req_body.t TEST 3: get body",
    request: {
      method: "POST",
      path: "/probe/b",
      headers: { host: H, "x-probe-body": "body" },
      body: "hello",
    },
    compare: { headers: ["x-probe-body-result"] },
    logs: ["probe: body hello", "probe: request body 5 bytes, end 1"],
    expect: { status: 200, headers: { "x-probe-body-result": "body=0" } },
  },
  {
    name: "a trapping plugin fails closed with the configured status",
    source: "orwasm failure policy: closed, request headers",
    request: probe("/probe/t", "trap"),
    logs: ["failed in request headers \\(fail-closed, answering 503\\)"],
    expect: { status: 503 },
  },
  {
    name: "a trapping fail-open plugin lets the request through",
    source: "orwasm failure policy: open, request headers",
    request: probe("/open/t", "trap"),
    compare: { echo: ["path"] },
    logs: ["failed in request headers \\(fail-open, continuing\\)"],
    expect: { status: 200 },
  },

  // ---- t/http_req_header.t
  {
    name: "a request header is read",
    source: "t/http_req_header.t TEST 1: get header",
    request: probe("/probe/h1", "get_req:x-api", { "x-api": "foo" }),
    compare: { headers: R },
    expect: result("get_req:x-api=0;value=foo"),
  },
  {
    name: "a missing request header is NotFound (1)",
    source: "t/http_req_header.t TEST 3: get miss",
    request: probe("/probe/h2", "get_req:x-api", { "x-apia": "bar" }),
    compare: { headers: R },
    expect: result("get_req:x-api=1"),
  },
  {
    name: ":authority is the Host header",
    source: "t/http_req_header.t TEST 4: get http request authority",
    request: probe("/probe/h3", "get_req::authority"),
    compare: { headers: R },
    expect: result(`get_req::authority=0;value=${H}`),
  },
  {
    name: "request header names are matched ignoring case",
    source: "t/http_req_header.t TEST 5: get header, ignoring case",
    request: probe("/probe/h4", "get_req:X-Api", { "x-api": "foo" }),
    compare: { headers: R },
    expect: result("get_req:X-Api=0;value=foo"),
  },
  {
    name: "a replaced request header reaches the upstream",
    source: "t/http_req_header.t TEST 8: set header",
    request: probe("/probe/h5", "replace_req:x-api=bar", { "x-api": "foo" }),
    compare: { headers: R, echo: ["headers.x-api"] },
    expect: result("replace_req:x-api=bar=0"),
  },
  {
    name: "an added request header reaches the upstream",
    source: "t/http_req_header.t TEST 10: add header",
    request: probe("/probe/h6", "add_req:x-new=1"),
    compare: { headers: R, echo: ["headers.x-new"] },
    expect: result("add_req:x-new=1=0"),
  },
  {
    name: "a removed request header does not reach the upstream",
    source: "t/http_req_header.t TEST 12: remove header",
    request: probe("/probe/h7", "remove_req:x-api", { "x-api": "foo" }),
    compare: { headers: R, echo: ["headers.x-api"] },
    expect: result("remove_req:x-api=0"),
  },
  {
    name: ":path is the URI with its arguments",
    source: "t/http_req_header.t TEST 16: get path (args)",
    request: probe("/probe/h8?a=1&b=2", "get_req::path"),
    compare: { headers: R },
  },
  {
    name: ":method of a POST",
    source: "t/http_req_header.t TEST 18: get method (POST)",
    request: { method: "POST", ...probe("/probe/h9", "get_req::method"), body: "x" },
    compare: { headers: R },
    expect: result("get_req::method=0;value=POST"),
  },
  {
    name: ":scheme of a plain HTTP request",
    source: "t/http_req_header.t TEST 24: get schema(http)",
    request: probe("/probe/h10", "get_req::scheme"),
    compare: { headers: R },
    expect: result("get_req::scheme=0;value=http"),
  },
  {
    name: "removing a request pseudo header is BadArgument (2)",
    source: "t/http_req_header.t TEST 25: delete pseduo headers",
    request: probe("/probe/h11", "remove_req::path"),
    compare: { headers: R },
    expect: result("remove_req::path=2"),
  },
  {
    name: "a :path rewrite changes the URI and arguments the upstream gets",
    source: "t/http_req_header.t TEST 27: set path; quirk: :path rewrites",
    request: probe("/probe/h12?old=1", "replace_req::path=/rewritten?new=2"),
    compare: { headers: R, echo: ["path", "query.new", "query.old"] },
  },
  {
    name: "a :method write changes the method the upstream gets",
    source: "t/http_req_header.t TEST 29: set method",
    request: probe("/probe/h13", "replace_req::method=PUT"),
    compare: { headers: R, echo: ["method"] },
  },
  {
    name: "a :method write that is not letters is BadArgument",
    source: "t/http_req_header.t TEST 28: set method, abnormal",
    request: probe("/probe/h14", "replace_req::method=GET1"),
    compare: { headers: R, echo: ["method"] },
  },
  {
    name: "an :authority write of letters replaces the METHOD, not the Host",
    source: "quirk: :authority writes (ngx_http_wasm_api.c:ngx_http_wasm_set_req_header)",
    request: probe("/probe/h15", "replace_req::authority=elsewhere"),
    // the echo upstream (Node) refuses the method "elsewhere" with a bare 400
    compare: { headers: R },
    expect: { status: 400, headers: { "x-probe-result": "replace_req::authority=elsewhere=0" } },
  },
  {
    name: "an :authority write of a host name is BadArgument",
    source: "quirk: :authority writes (ngx_http_wasm_api.c:ngx_http_wasm_set_req_header)",
    request: probe("/probe/h16", "replace_req::authority=other.example"),
    compare: { headers: R, echo: ["method", "headers.host"] },
  },

  // ---- t/http_resp_header.t
  {
    name: "an added response header is sent",
    source: "t/http_resp_header.t TEST 1: response header add",
    request: { path: "/probe/r1", headers: { host: H, "x-probe-response": "add_resp:x-added=1" } },
    compare: { headers: ["x-added", "x-probe-response-result"] },
    expect: { headers: { "x-added": "1" } },
  },
  {
    name: "a replaced response header is sent",
    source: "t/http_resp_header.t TEST 2: response header set",
    request: {
      path: "/probe/r2",
      headers: { host: H, "x-probe-response": "replace_resp:content-type=text/x" },
    },
    compare: { headers: ["content-type", "x-probe-response-result"] },
  },
  {
    name: "a response header is read",
    source: "t/http_resp_header.t TEST 4: response header get",
    request: {
      path: "/probe/r3",
      headers: { host: H, "x-probe-response": "get_resp:content-type" },
    },
    compare: { headers: ["x-probe-response-result"] },
  },
  {
    name: "a removed response header is not sent",
    source: "t/http_resp_header.t TEST 7: response header delete",
    request: {
      path: "/probe/r4",
      headers: { host: H, "x-probe-response": "remove_resp:content-type" },
    },
    compare: { headers: ["content-type", "x-probe-response-result"] },
  },
  {
    name: "the response :status is read",
    source: "t/http_resp_header.t TEST 16: get response status (200)",
    request: { path: "/probe/r5", headers: { host: H, "x-probe-response": "get_resp::status" } },
    compare: { headers: ["x-probe-response-result"] },
    expect: { headers: { "x-probe-response-result": "get_resp::status=0;value=200" } },
  },
  {
    name: "writing the response :status changes it",
    source: "t/http_resp_header.t TEST 19: response set status",
    request: {
      path: "/probe/r6",
      headers: { host: H, "x-probe-response": "replace_resp::status=201" },
    },
    compare: { headers: ["x-probe-response-result"] },
  },
  {
    name: "a response :status that is not a number is BadArgument",
    source: "t/http_resp_header.t TEST 20: response set bad status",
    request: {
      path: "/probe/r7",
      headers: { host: H, "x-probe-response": "replace_resp::status=abc" },
    },
    compare: { headers: ["x-probe-response-result"] },
  },
  {
    name: "removing the response :status is BadArgument",
    source: "t/http_resp_header.t TEST 21: response del status",
    request: { path: "/probe/r8", headers: { host: H, "x-probe-response": "remove_resp::status" } },
    compare: { headers: ["x-probe-response-result"] },
  },
  {
    name: "response headers past the 20th: the pairs call still answers Ok",
    source:
      "quirk: response headers past the 20th (ngx_http_wasm_api.c:ngx_http_wasm_resp_get_headers)",
    request: { path: "/many", headers: { host: H, "x-probe-response": "pairs_resp" } },
    compare: { headers: ["x-probe-response-result", "x-h21", "x-h22"] },
    logs: ["probe: pairs_resp "],
  },
  {
    name: "a response header written after the headers were sent changes nothing",
    source:
      "quirk: writes after headers were sent (ngx_http_wasm_api.c:ngx_http_wasm_set_resp_header)",
    request: {
      path: "/probe/r9",
      headers: { host: H, "x-probe-response-body": "add_resp:x-late=1" },
    },
    compare: { headers: ["x-late"] },
    logs: ["probe: response body results add_resp:x-late=1=0"],
  },

  // ---- t/http_send_response.t and local-response codes at the edges
  {
    name: "a local response without a body is nginx's own page",
    source: "t/http_send_response.t TEST 2: without body",
    request: probe("/probe/l1", "local:401:"),
    compare: { headers: ["x-local", "content-type"] },
    expect: { status: 401 },
  },
  ...[99, 100, 200, 204, 302, 599, 600, 999, 1000, 2147483647, 2147483648, 4294967295].map(
    (code): ConformanceCase => ({
      name: `a local response with code ${code}`,
      source:
        "quirk: local-response codes at the edges (lib/resty/proxy-wasm.lua:on_http_request rc >= 100; " +
        "ngx_http_wasm_module.c:ngx_http_wasm_handle_rc_before_proxy int32_t code)",
      request: probe(`/probe/code${code}`, `local:${code}:body-${code}`),
      compare: { headers: ["x-local"], body: true },
    }),
  ),

  // ---- t/http_call.t, t/http_call_callback.t
  {
    name: "an http call to a URL instead of host:port is BadArgument",
    source: "t/http_call.t TEST 2: invalid host",
    request: probe("/probe/c1", "http_call:http://127.0.0.1:8080/x"),
    compare: { headers: R },
    logs: ["http call gets invalid host: http://127.0.0.1:8080/x"],
    expect: result("http_call=2"),
  },
  {
    name: "an http call is answered and its callback reads status and body",
    source: "t/http_call.t TEST 3: sanity; t/http_call_callback.t TEST 5: get body",
    request: probe("/probe/c2", "http_call:127.0.0.1:8080"),
    compare: { headers: [...R, "x-call-status"] },
    logs: ["send http request to http://127.0.0.1:8080/cb, method: POST, timeout in ms: 500"],
    expect: { headers: { "x-probe-result": "http_call=0", "x-call-status": "200 pong" } },
  },
  {
    name: "a refused http call still runs the callback, with no status",
    source:
      "t/http_call.t TEST 4: connect refused; t/http_call_callback.t TEST 3: callback when the request failed",
    request: probe("/probe/c3", "http_call:127.0.0.1:1"),
    compare: { headers: [...R, "x-call-status"] },
    logs: ["http call failed: "],
  },
  {
    name: "an http call and a local response in one callback: the call wins",
    source: "t/http_call.t TEST 6: call and send (handle call, skip send)",
    request: probe("/probe/c4", "http_call:127.0.0.1:8080|local:403:no"),
    compare: { headers: [...R, "x-local", "x-call-status"], echo: ["path"] },
  },
  {
    name: "a local response from the http-call callback ends the request",
    source: "t/http_call_callback.t TEST 7: call then send",
    request: probe("/probe/c5", "http_call:127.0.0.1:8080", {
      "x-probe-callback": "local:202:after",
    }),
    compare: { body: true, headers: ["x-local"] },
  },
  {
    name: "callout ids across plugins: one counter per worker",
    source: "quirk: callout ids across plugins (ngx_http_wasm_call.c: static cur_callout_id)",
    request: {
      path: "/calls",
      headers: { host: H, "x-a": "http_call_id:127.0.0.1:1", "x-b": "http_call_id:127.0.0.1:1" },
    },
    compare: { headers: R },
    logs: ["register http call callout id: \\d+, host: 127.0.0.1:1"],
  },

  // ---- t/http_req_body.t, bodies spilled to a temp file
  {
    name: "a request without a body does not run proxy_on_request_body",
    source: "t/http_req_body.t TEST 2: no body",
    request: { method: "POST", path: "/probe/b2", headers: { host: H, "x-probe-body": "body" } },
    compare: { headers: ["x-probe-body-result"] },
  },
  {
    name: "a local response from proxy_on_request_body",
    source: "t/http_req_body.t TEST 5: callback and local response",
    request: {
      method: "POST",
      path: "/probe/b3",
      headers: { host: H, "x-probe-body": "local:403:body-denied" },
      body: "abc",
    },
    compare: { body: true, headers: ["x-local"] },
    expect: { status: 403, body: "body-denied" },
  },
  {
    name: "a request body spilled to a temp file reaches proxy_on_request_body whole",
    source:
      "quirk: request bodies spilled to a temp file (gateway.clientBodyBufferSize 1k; orwasm's glue reads the file)",
    request: {
      method: "POST",
      path: "/probe/b4",
      headers: { host: H, "x-probe-body": "body" },
      body: "x".repeat(5000),
    },
    compare: { headers: ["x-probe-body-result"] },
    logs: ["probe: request body 5000 bytes, end 1"],
  },

  // ---- t/property.t, t/log.t
  {
    name: "a missing property is NotFound",
    source: "t/property.t TEST 2: get_property (missing)",
    request: probe("/probe/p1", "property:no_such_variable"),
    compare: { headers: R },
    expect: result("property:no_such_variable=1"),
  },
  {
    name: "setting an unchangeable variable fails",
    source: "t/property.t TEST 4: set_property (host: unchangeable)",
    request: probe("/probe/p2", "set_property:host=x"),
    compare: { headers: R },
  },
  {
    name: "setting a variable that does not exist is NotFound",
    source: "t/property.t TEST 5: set_property (non-existent variable)",
    request: probe("/probe/p3", "set_property:no_such_variable=x"),
    compare: { headers: R },
  },
  {
    name: "a plugin's warn line lands in the error log at warn",
    source: "t/log.t TEST 2: log in http request",
    request: probe("/probe/g1", "log:3:probe-says-warn"),
    logs: ["\\[warn\\].*probe-says-warn"],
  },

  // ---- several plugins, priorities, failure policies in every phase
  {
    name: "plugins run from the highest priority down, whatever the route's order",
    source: "orwasm: priority (APISIX order); two probes told apart by their action header",
    request: {
      path: "/order",
      headers: { host: H, "x-first": "add_req:x-order=first", "x-second": "get_req:x-order" },
    },
    compare: { headers: R },
  },
  ...(
    [
      ["request body", { method: "POST", "x-probe-body": "trap" }],
      ["response headers", { "x-probe-response": "trap" }],
      ["response body", { "x-probe-response-body": "trap" }],
    ] as const
  ).flatMap(([phase, h]): ConformanceCase[] =>
    (["closed", "open"] as const).map((mode) => {
      const { method, ...headers } = h as Record<string, string>;
      return {
        name: `a trap in ${phase}, fail-${mode}`,
        source: `orwasm failure policy: ${mode}, ${phase} (templates/partials/lua-runtime.hbs)`,
        request: {
          ...(method ? { method, body: "trap-body" } : {}),
          path: `/${mode === "closed" ? "probe" : "open"}/f-${phase.replace(" ", "-")}`,
          headers: { host: H, ...headers },
        },
        compare: { body: mode === "closed" },
        logs: [`failed in ${phase} \\(fail-${mode}`],
      };
    }),
  ),
];

/** Cases that take the worker down: each runs in a gateway of its own. */
const fatal: ConformanceGroup[] = [
  {
    name: "crash: Pause with no pending http call",
    cases: [
      {
        name: "Pause (1) with no pending http call crashes the worker",
        source:
          "lib/resty/proxy-wasm.lua:on_http_request (rc 1 = RC_NEED_HTTP_CALL); ngx_http_wasm_call.c:ngx_http_wasm_call_max_headers_count (NULL callout)",
        request: probe("/probe/x1", "ret:1"),
        logs: ["worker process \\d+ exited on signal \\d+"],
        worker: "crashes",
      },
    ],
  },
  {
    name: "crash: proxy_http_call with no headers",
    cases: [
      {
        name: "proxy_http_call with no headers crashes the worker when the call is sent",
        source:
          "ngx_http_wasm_api.c:proxy_http_call (headers = NULL when headers_size is 0); ngx_http_wasm_call.c:ngx_http_wasm_call_max_headers_count",
        request: probe("/probe/x2", "http_call_noheaders:127.0.0.1:8080"),
        logs: ["worker process \\d+ exited on signal \\d+"],
        worker: "crashes",
      },
    ],
  },
  {
    name: "hang: return code 2",
    cases: [
      {
        name: "a return code of 2 spins the Lua driver forever",
        source:
          "lib/resty/proxy-wasm.lua:on_http_request (`while true` handles only >= 100, 1 and 0)",
        request: probe("/probe/x3", "ret:2"),
        worker: "hangs",
      },
    ],
  },
];

/** The whole set, in the order it runs. */
export const CONFORMANCE: ConformanceGroup[] = [{ name: "main", cases: main }, ...fatal];
