// The embedded engine process (what the image runs), in-process: serves prebuilt plugins over HTTP, logs plugin
// start-up failures as nginx's glue does, refuses plugins given by their sources.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError } from "../../src/errors.js";
import {
  serveEmbedded,
  startFailureLines,
  type RunningEngine,
} from "../../src/embedded-engine/serve.js";
import { buildExample } from "../fixtures/host-plugins/build.js";
import { wat } from "../helpers/wat.js";

/** A proxy-wasm module that passes the import audit but traps while instantiating (in _start). */
const TRAPPING_START = wat(`(module
  (memory (export "memory") 1)
  (func (export "proxy_abi_version_0_2_1"))
  (func (export "malloc") (param i32) (result i32) i32.const 1024)
  (func (export "proxy_on_context_create") (param i32 i32))
  (func (export "proxy_on_configure") (param i32 i32) (result i32) i32.const 1)
  (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32) i32.const 0)
  (func (export "_start") unreachable))`);

function projectDir(yaml: string, files: Record<string, Uint8Array> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "orwasm-embedded-"));
  writeFileSync(join(dir, "orwasm.yaml"), yaml);
  for (const [name, bytes] of Object.entries(files)) writeFileSync(join(dir, name), bytes);
  return join(dir, "orwasm.yaml");
}

describe("the embedded engine serving prebuilt plugins", () => {
  const err: string[] = [];
  const out: string[] = [];
  let engine: RunningEngine;
  beforeAll(async () => {
    const file = projectDir(
      `gateway: { errorLogLevel: info }
plugins:
  - { name: add_header, file: add_header.wasm, config: world }
  - { name: bad, file: bad.wasm }
upstreams:
  - { name: backend, servers: ["backend:8080"], mock: echo }
servers:
  - routes:
      - { path: /bad, upstream: backend, plugins: [bad] }
      - { path: /, upstream: backend, plugins: [add_header] }
`,
      { "add_header.wasm": await buildExample("add-header"), "bad.wasm": TRAPPING_START },
    );
    engine = await serveEmbedded(
      file,
      { err: (l) => void err.push(l), out: (l) => void out.push(l), pid: 7 },
      { host: "127.0.0.1", port: 0 },
    );
  }, 300_000);
  afterAll(() => engine?.close());

  it("answers through the plugin: x-hello: world on the response", async () => {
    const res = await fetch(`${engine.urls[0]}/hello`);
    expect(res.status).toBe(200);
    expect(res.headers.get("x-hello")).toBe("world");
    expect(out).toContainEqual(expect.stringMatching(/^GET \/hello -> 200 /));
  });

  it("logs a plugin that cannot instantiate with the glue's 'failed to load' text at [error], then says it is ready", () => {
    const failed = err.findIndex((l) =>
      /^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d \[error\] 7#7: orwasm: plugin bad failed to load from \S+bad\.wasm: .*unreachable/.test(
        l,
      ),
    );
    const ready = err.findIndex((l) =>
      /\[notice\] 7#7: orwasm embedded engine ready, serving http:\/\/127\.0\.0\.1:\d+$/.test(l),
    );
    expect(failed).toBeGreaterThanOrEqual(0);
    expect(ready).toBeGreaterThan(failed);
  });

  it("fails the routes of the plugin that did not load by its policy (closed: 503)", async () => {
    expect((await fetch(`${engine.urls[0]}/bad`)).status).toBe(503);
  });

  it("writes the plugin's own info lines, since the project's error-log level is info", async () => {
    await fetch(`${engine.urls[0]}/again`);
    expect(err).toContainEqual(
      expect.stringMatching(/\[info\] 7#7: .*added response header x-hello: world/),
    );
  });
});

describe("the embedded engine with gateway.accessLog off", () => {
  it("answers but writes no request line, as nginx with access_log off", async () => {
    const out: string[] = [];
    const file = projectDir(`gateway: { accessLog: "off" }
upstreams:
  - { name: backend, servers: ["backend:8080"], mock: echo }
servers:
  - routes: [{ path: /, upstream: backend }]
`);
    const engine = await serveEmbedded(
      file,
      { err: () => {}, out: (l) => void out.push(l), pid: 7 },
      { host: "127.0.0.1", port: 0 },
    );
    try {
      expect((await fetch(`${engine.urls[0]}/quiet`)).status).toBe(200);
      expect(out).toEqual([]);
    } finally {
      await engine.close();
    }
  });
});

describe("the embedded engine refusing to start", () => {
  const io = { err: () => {}, out: () => {}, pid: 1, now: () => new Date(2026, 0, 2, 3, 4, 5) };

  it("names each plugin given by its sources, at its build key, and says to give a .wasm file", async () => {
    const file = projectDir(`plugins:
  - name: src
    build: { lang: assemblyscript, dir: . }
servers:
  - routes: [{ path: /, respond: {}, plugins: [src] }]
`);
    const err = await serveEmbedded(file, io, { port: 0 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect(startFailureLines(err, io)).toEqual([
      expect.stringMatching(
        /^2026\/01\/02 03:04:05 \[emerg\] 1#1: orwasm\.yaml:3:5: plugins\.0\.build: plugin src is built from sources, but the embedded engine image has no compiler: give a prebuilt \.wasm with `file:`/,
      ),
    ]);
  });

  it("reports an invalid project as [emerg] lines with file, line and key", async () => {
    const file = projectDir(`servers:
  - listen: 70000
    routes: [{ path: /, respond: {} }]
`);
    const err = await serveEmbedded(file, io, { port: 0 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    const lines = startFailureLines(err, io);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^2026\/01\/02 03:04:05 \[emerg\] 1#1: orwasm\.yaml:2:13: servers\.0\.listen: /,
    );
  });

  it("reports a missing .wasm as an [emerg] line naming it", async () => {
    const file = projectDir(`plugins: [{ name: gone, file: gone.wasm }]
servers:
  - routes: [{ path: /, respond: {}, plugins: [gone] }]
`);
    const err = await serveEmbedded(file, io, { port: 0 }).catch((e: unknown) => e);
    expect(startFailureLines(err, io)).toEqual([
      expect.stringMatching(
        /\[emerg\] 1#1: orwasm\.yaml:1:\d+: plugins\.0\.file: wasm file gone\.wasm does not exist$/,
      ),
    ]);
  });
});
