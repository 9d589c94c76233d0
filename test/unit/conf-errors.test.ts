// Bad project files: each gives exit 2, one located message per problem, and writes nothing.
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { proxyWasm, wat } from "../helpers/wat.js";

function project(yaml: string, files: Record<string, string | Uint8Array> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "orwasm-conf-"));
  writeFileSync(join(dir, "orwasm.yaml"), yaml);
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}

const good = { "p.wasm": proxyWasm(["proxy_on_response_headers"]) };
const ROUTES = `servers:
  - routes:
      - path: /
        respond: { body: ok }
        plugins: [p]
`;

async function conf(dir: string) {
  const out = join(dir, "out", "nginx.conf");
  const res = await runCli(["conf", ".", "-o", out], dir);
  return { ...res, wrote: existsSync(out) };
}

describe("orwasm conf rejects bad projects", () => {
  it("reports a YAML syntax error with its line, column and the key path it sits under", async () => {
    const r = await conf(project("plugins:\n  - name: p\n    file: [unclosed\n"));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/orwasm\.yaml:\d+:\d+: plugins\.0\.file(\.\d+)?: YAML: /);
    expect(r.wrote).toBe(false);
  });

  it("names an unknown key at the key's own line and column", async () => {
    const r = await conf(
      project(`plugins:\n  - name: p\n    file: p.wasm\n    priorty: 5\n${ROUTES}`, good),
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("orwasm.yaml:4:5: plugins.0.priorty: unknown key 'priorty'");
  });

  it("names a wrong type with what was expected and what was found", async () => {
    const r = await conf(
      project(`plugins:\n  - name: p\n    file: p.wasm\n    priority: high\n${ROUTES}`, good),
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      'orwasm.yaml:4:15: plugins.0.priority: expected number, got string "high"',
    );
  });

  it("reports a missing wasm file at the plugin's file key", async () => {
    const r = await conf(project(`plugins:\n  - name: p\n    file: nope.wasm\n${ROUTES}`));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /orwasm\.yaml:3:11: plugins\.0\.file: wasm file .*nope\.wasm does not exist/,
    );
  });

  it("reports a file that is not WebAssembly", async () => {
    const r = await conf(
      project(`plugins:\n  - name: p\n    file: p.wasm\n${ROUTES}`, {
        "p.wasm": "#!/bin/sh\necho hi\n",
      }),
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /orwasm\.yaml:3:11: plugins\.0\.file: .*p\.wasm is not a WebAssembly module/,
    );
  });

  it("reports a WebAssembly module that is not a proxy-wasm plugin", async () => {
    const plain = wat(
      `(module (memory (export "memory") 1) (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))`,
    );
    const r = await conf(
      project(`plugins:\n  - name: p\n    file: p.wasm\n${ROUTES}`, { "p.wasm": plain }),
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("plugins.0.name: plugin p: not a proxy-wasm module");
  });

  it("reports duplicate plugin names, pointing at the second", async () => {
    const r = await conf(
      project(
        `plugins:\n  - name: p\n    file: p.wasm\n  - name: p\n    file: p.wasm\n${ROUTES}`,
        good,
      ),
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      "orwasm.yaml:4:11: plugins.1.name: duplicate plugin name 'p' (first declared at plugins.0)",
    );
  });

  it("reports a route naming an unknown plugin, with a suggestion", async () => {
    const r = await conf(
      project(
        `plugins:\n  - name: add_header\n    file: p.wasm\nservers:\n  - routes:\n      - path: /\n        respond: {}\n        plugins: [add_headr]\n`,
        good,
      ),
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      "orwasm.yaml:8:19: servers.0.routes.0.plugins.0: unknown plugin 'add_headr' (did you mean 'add_header'?)",
    );
  });

  it("refuses names that would land unsafely in Lua, nginx or file names", async () => {
    const r = await conf(
      project(
        `plugins:\n  - name: 'evil"]] os.exit()'\n    file: p.wasm\nupstreams:\n  - name: "up; evil"\n    servers: ["x:1"]\n${ROUTES}`,
        good,
      ),
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/orwasm\.yaml:2:11: plugins\.0\.name: must start with a letter/);
    expect(r.stderr).toMatch(/orwasm\.yaml:5:11: upstreams\.0\.name: must start with a letter/);
  });

  it("refuses an access log path or format that would land unsafely in nginx syntax", async () => {
    const r = await conf(
      project(
        `gateway:\n  accessLog: "logs/a.log; evil"\n` +
          `plugins:\n  - { name: p, file: p.wasm }\n${ROUTES}`,
        good,
      ),
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/orwasm\.yaml:2:14: gateway\.accessLog: .*absolute path/);
    expect(r.wrote).toBe(false);
    const f = await conf(
      project(
        `gateway:\n  accessLog: { format: "a\\tb" }\nplugins:\n  - { name: p, file: p.wasm }\n${ROUTES}`,
        good,
      ),
    );
    expect(f.code).toBe(2);
    expect(f.stderr).toMatch(
      /orwasm\.yaml:2:\d+: gateway\.accessLog\.format: must not contain control characters/,
    );
  });

  it("refuses an empty config string, which on_configure would reject at start-up", async () => {
    const r = await conf(
      project(`plugins:\n  - name: p\n    file: p.wasm\n    config: ""\n${ROUTES}`, good),
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("orwasm.yaml:4:13: plugins.0.config: must not be empty");
  });

  it("reports every problem of a file in one run", async () => {
    const r = await conf(
      project(
        `name: ok\nplugins:\n  - name: p\n    file: missing.wasm\n    colour: red\nservers:\n  - routes:\n      - path: api\n        upstream: nowhere\n        plugins: [q]\n`,
      ),
    );
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split("\n");
    // Schema problems and the cross-reference rules in one run.
    expect(lines.filter((l) => l.startsWith("orwasm.yaml:"))).toEqual([
      "orwasm.yaml:5:5: plugins.0.colour: unknown key 'colour'",
      "orwasm.yaml:8:15: servers.0.routes.0.path: a prefix location must start with '/'",
      "orwasm.yaml:9:19: servers.0.routes.0.upstream: unknown upstream 'nowhere' (none are declared)",
      "orwasm.yaml:10:19: servers.0.routes.0.plugins.0: unknown plugin 'q' (did you mean 'p'?)",
    ]);
    const r2 = await conf(
      project(
        `plugins:\n  - name: p\n    file: missing.wasm\nservers:\n  - routes:\n      - path: api\n        upstream: nowhere\n        plugins: [q]\n`,
      ),
    );
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain("servers.0.routes.0.path: a prefix location must start with '/'");
    expect(r2.stderr).toContain(
      "servers.0.routes.0.upstream: unknown upstream 'nowhere' (none are declared)",
    );
    expect(r2.stderr).toContain("servers.0.routes.0.plugins.0: unknown plugin 'q'");
    expect(r2.stderr).toContain("plugins.0.file: wasm file");
    expect(r2.stderr).toContain("4 problems found; nothing was written");
  });

  it("refuses a plugin whose imports the chosen VM lacks (wasi_unstable.proc_exit on WasmEdge)", async () => {
    const procExit = proxyWasm(["proxy_on_response_headers"], {
      "wasi_unstable.proc_exit": "(param i32)",
    });
    const yaml = (vm: string) =>
      `engine: { vm: ${vm} }\nplugins:\n  - name: p\n    file: p.wasm\n${ROUTES}`;
    const onEdge = await conf(project(yaml("wasmedge"), { "p.wasm": procExit }));
    expect(onEdge.code).toBe(2);
    expect(onEdge.stderr).toContain(
      "plugins.0.name: plugin p: imports wasi_unstable.proc_exit, but wasm-nginx-module 0.7.0 + wasmedge has no module 'wasi_unstable'",
    );
    const onWasmtime = await conf(project(yaml("wasmtime"), { "p.wasm": procExit }));
    expect(onWasmtime.code).toBe(0);
  });

  it("reports a missing project file or folder with exit 2", async () => {
    const r = await runCli(["conf", "/nonexistent/orwasm"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("no such file or folder");
  });
});
