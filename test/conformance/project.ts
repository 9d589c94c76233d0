// The conformance project: one set of requests whose outcomes must be the same on orwasm's embedded host
// and on a real OpenResty + wasm-nginx-module gateway. Plugins are built from source here.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { buildPlugin } from "../../src/plugins/index.js";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** Builds the probe test plugin with orwasm's own builder (its abort shim imports no proc_exit, so WasmEdge loads it). */
async function buildProbe(): Promise<string> {
  const dir = join(repo, "node_modules", ".cache", "orwasm-conformance", "probe");
  mkdirSync(join(dir, "assembly"), { recursive: true });
  writeFileSync(
    join(dir, "assembly", "index.ts"),
    readFileSync(join(repo, "test/fixtures/host-plugins/probe.as"), "utf8"),
  );
  const outFile = join(dir, "build", "probe.wasm");
  await buildPlugin({ lang: "assemblyscript", dir, entry: "assembly/index.ts", outFile });
  return outFile;
}

/** Writes the project (VM: WasmEdge, like the real engine image this machine can build) and returns its file. */
export async function conformanceProject(): Promise<string> {
  const probe = await buildProbe();
  const dir = mkdtempSync(join(tmpdir(), "orwasm-conformance-"));
  const file = join(dir, "orwasm.yaml");
  writeFileSync(
    file,
    `name: conformance
engine: { vm: wasmedge }
gateway: { errorLogLevel: info }
plugins:
  - name: add_header
    build: { lang: assemblyscript, dir: ${join(repo, "examples/add-header")} }
    config: world
  - name: deny_list
    build: { lang: assemblyscript, dir: ${join(repo, "examples/deny-list")} }
    config: { deny: ["/admin"], status: 403, body: denied }
  - { name: probe, file: ${probe}, failure: { policy: closed, status: 503 } }
  - { name: probe_open, rootId: probe, file: ${probe}, failure: open }
upstreams:
  - { name: backend, servers: ["backend:8080"], mock: echo }
servers:
  - listen: 8080
    routes:
      - { path: /ah, upstream: backend, plugins: [add_header] }
      - { path: /ah2, upstream: backend, plugins: [{ name: add_header, config: override }] }
      - { path: /admin, upstream: backend, plugins: [deny_list] }
      - { path: /deny, upstream: backend, plugins: [deny_list] }
      - { path: /probe, upstream: backend, plugins: [probe] }
      - { path: /open, upstream: backend, plugins: [probe_open] }
      - { path: /fixed, respond: { status: 200, body: "fixed\\n" }, plugins: [add_header] }
smoke:
  - name: add-header adds the configured header on a proxied route
    request: { path: /ah }
    expect: { status: 200, headers: { x-hello: world } }
  - name: a per-route config reaches the same plugin
    request: { path: /ah2 }
    expect: { headers: { x-hello: override } }
  - name: add-header also runs on a fixed response
    request: { path: /fixed }
    expect: { status: 200, body: "fixed\\n", headers: { x-hello: world } }
  - name: deny-list answers its local response before the upstream
    request: { path: /admin/x }
    expect: { status: 403, body: denied, headers: { content-type: text/plain; charset=utf-8 } }
  - name: deny-list lets other paths through to the upstream
    request: { path: /deny/ok }
    expect: { status: 200, body: { json: { path: /deny/ok } } }
  - name: shared data answers UNIMPLEMENTED (12)
    request: { path: /probe/s, headers: { x-probe: shared_get } }
    expect: { status: 200, headers: { x-probe-result: shared_get=12 } }
  - name: plugin_root_id is the name the plugin was loaded under
    request: { path: /probe/r, headers: { x-probe: "property:plugin_root_id" } }
    expect: { headers: { x-probe-result: "property:plugin_root_id=0;value=probe" } }
  - name: other properties are nginx variables
    request: { path: /probe/v?a=1, headers: { x-probe: "property:uri" } }
    expect: { headers: { x-probe-result: "property:uri=0;value=/probe/v" } }
  - name: proxy_http_call from a response phase is refused with BadArgument (2)
    request: { path: /probe/c, headers: { x-probe-response: "http_call:127.0.0.1:1" } }
    expect: { status: 200, headers: { x-probe-response-result: "http_call=2" } }
  - name: the request body reaches proxy_on_request_body
    request: { method: POST, path: /probe/b, headers: { x-probe-body: body }, body: "hello" }
    expect: { status: 200, headers: { x-probe-body-result: body=0 } }
  - name: a trapping plugin fails closed with the configured status
    request: { path: /probe/t, headers: { x-probe: trap } }
    expect: { status: 503 }
  - name: a trapping fail-open plugin lets the request through
    request: { path: /open/t, headers: { x-probe: trap } }
    expect: { status: 200, body: { json: { path: /open/t } } }
`,
  );
  return file;
}
