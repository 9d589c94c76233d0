// Golden files for the nginx.conf renderer: each file under __snapshots__/ is reviewed like code.
import { describe, expect, it } from "vitest";
import { renderNginxConf } from "../../src/render/nginx-conf.js";
import { defaultTarget, type EngineTarget } from "../../src/render/target.js";
import { projectFrom } from "../helpers/project.js";
import { splitRuntime } from "./conf-split.js";

const REQ = "proxy_on_request_headers";
const REQ_BODY = "proxy_on_request_body";
const RESP = "proxy_on_response_headers";
const RESP_BODY = "proxy_on_response_body";

const UPSTREAM = `upstreams:
  - name: backend
    servers: ["backend:8080", "backend-2:8080"]
`;

/** Renders a case; its Lua runtime code must be the shared golden's, and the conf golden keeps the rest. */
async function render(
  yaml: string,
  exports: Record<string, string[]>,
  target?: (t: EngineTarget) => EngineTarget,
): Promise<string> {
  const project = projectFrom(yaml, exports);
  const base = defaultTarget(project);
  const { conf, runtime } = splitRuntime(renderNginxConf(project, target ? target(base) : base));
  await expect(runtime).toMatchFileSnapshot("./__snapshots__/lua-runtime.lua");
  return conf;
}

describe("nginx.conf golden files", () => {
  it("one response-header plugin on a proxied route", async () => {
    const out = await render(
      `plugins:
  - name: add_header
    file: add_header.wasm
    config: world
${UPSTREAM}servers:
  - listen: 8080
    routes:
      - path: /
        upstream: backend
        plugins: [add_header]
`,
      { add_header: [RESP] },
    );
    await expect(out).toMatchFileSnapshot("./__snapshots__/one-plugin.conf");
  });

  it("several plugins on one route run by priority, with per-route config overrides sharing contexts", async () => {
    const out = await render(
      `plugins:
  - { name: auth, file: auth.wasm, priority: 1000, config: { issuer: "https://id.example" } }
  - { name: ratelimit, file: rl.wasm, priority: 500, config: "10r/s" }
  - { name: add_header, file: add_header.wasm, priority: 1, config: default }
${UPSTREAM}servers:
  - routes:
      - path: /api
        upstream: backend
        plugins: [add_header, ratelimit, auth]
      - path: /admin
        match: exact
        upstream: backend
        plugins:
          - auth
          - { name: add_header, config: admin }
      - path: /public
        upstream: backend
        plugins: [{ name: add_header, config: admin }]
`,
      { auth: [REQ], ratelimit: [REQ], add_header: [RESP] },
    );
    await expect(out).toMatchFileSnapshot("./__snapshots__/priorities-and-overrides.conf");
  });

  it("a request-body plugin gets the body phase only where it runs, in the rewrite phase when chosen", async () => {
    const out = await render(
      `gateway:
  accessLog: "off"
  requestHeadersPhase: rewrite
  clientBodyBufferSize: 4m
  clientMaxBodySize: 4m
plugins:
  - { name: waf, file: waf.wasm }
${UPSTREAM}servers:
  - routes:
      - { path: /upload, upstream: backend, plugins: [waf] }
      - { path: /, upstream: backend }
`,
      { waf: [REQ, REQ_BODY] },
    );
    await expect(out).toMatchFileSnapshot("./__snapshots__/request-body.conf");
  });

  it("a response-body plugin gets header and body filters", async () => {
    const out = await render(
      `plugins:
  - { name: scrub, file: scrub.wasm, failure: open }
${UPSTREAM}servers:
  - routes:
      - { path: /, upstream: backend, plugins: [scrub] }
`,
      { scrub: [RESP, RESP_BODY] },
    );
    await expect(out).toMatchFileSnapshot("./__snapshots__/response-body.conf");
  });

  it("fail-open and fail-closed plugins, and a fixed-response route", async () => {
    const out = await render(
      `plugins:
  - { name: deny_list, file: deny.wasm, failure: { policy: closed, status: 403 }, config: { deny: ["/admin"] } }
  - { name: metrics, file: metrics.wasm, failure: open }
  - { name: stamp, file: stamp.wasm, failure: closed }
servers:
  - listen: "127.0.0.1:9090"
    serverName: [api.example.com, "*.api.example.com"]
    routes:
      - path: "^/v[0-9]+/items/(?<id>[^/]+)$"
        match: regex
        respond: { status: 200, body: "item\\n", headers: { content-type: text/plain } }
        plugins: [deny_list, metrics, stamp]
`,
      { deny_list: [REQ], metrics: [REQ, RESP], stamp: [RESP] },
    );
    await expect(out).toMatchFileSnapshot("./__snapshots__/failure-policies.conf");
  });

  it("an access log with its own path, nginx log_format (quotes escaped) and a write buffer", async () => {
    const out = await render(
      `gateway:
  accessLog:
    path: /var/log/orwasm/access.log
    format: '$remote_addr "$request" $status $request_time \\ $upstream_response_time'
    buffer: 64k
${UPSTREAM}servers:
  - routes: [{ path: /, upstream: backend }]
`,
      {},
    );
    await expect(out).toMatchFileSnapshot("./__snapshots__/access-log.conf");
  });

  it("a resolver for the plugins' http calls: the project's addresses, IPv6 with a port included", async () => {
    const out = await render(
      `gateway:
  resolver: ["10.0.0.2", "[fd00::53]:5353"]
${UPSTREAM}servers:
  - routes: [{ path: /, upstream: backend }]
`,
      {},
      // the project's resolver wins over the one a smoke run brings
      (t) => ({ ...t, resolver: ["127.0.0.11"] }),
    );
    await expect(out).toMatchFileSnapshot("./__snapshots__/resolver.conf");
  });

  it("an engine image with dynamic modules and its own lua path", async () => {
    const out = await render(
      `engine: { vm: wasmedge, image: "registry.local/acme/openresty-wasm:1" }
plugins:
  - { name: add_header, file: add_header.wasm }
${UPSTREAM}servers:
  - routes: [{ path: /, upstream: backend, plugins: [add_header] }]
`,
      { add_header: [RESP] },
      (t) => ({
        ...t,
        prefix: "/usr/share/nginx",
        loadModules: [
          "/usr/lib/nginx/modules/ndk_http_module.so",
          "/usr/lib/nginx/modules/ngx_http_lua_module.so",
          "/usr/lib/nginx/modules/ngx_http_wasm_module.so",
        ],
        luaPackagePath: ["/usr/share/lua/5.1/?.lua"],
        luaPackageCpath: ["/usr/lib/x86_64-linux-gnu/lua/5.1/?.so"],
        pluginDir: "/etc/nginx/wasm",
      }),
    );
    await expect(out).toMatchFileSnapshot("./__snapshots__/engine-image.conf");
  });
});
