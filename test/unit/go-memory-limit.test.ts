// A Go plugin that allocates without bound under `orwasm test --memory-limit` and `orwasm dev`'s memory limit: the
// failure policy answers that request (kind memory, logged) and the next ones are served by a fresh instance.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDevServer, type DevServer } from "../../src/gateway/dev-server.js";
import { runCli } from "../helpers/cli.js";
import { buildGoFixture, haveGo } from "../fixtures/go-plugins/build.js";

const GO = haveGo();

const PROJECT = `plugins:
  - { name: faults, file: faults.wasm, config: {}, failure: { policy: closed, status: 503 } }
upstreams:
  - { name: backend, servers: ["backend:8080"], mock: echo }
servers:
  - routes: [{ path: /, upstream: backend, plugins: [faults] }]
smoke:
  - name: smoke alloc answers 503
    request: { path: /a, headers: { x-fault: alloc } }
    expect: { status: 503 }
  - name: smoke next is served with the plugin's response header
    request: { path: /b }
    expect: { status: 200, headers: { x-go-ok: "1" } }
tests:
  - name: test alloc answers 503 and logs the memory limit
    plugins: [faults]
    request: { path: /c, headers: { x-fault: alloc } }
    expect:
      status: 503
      reachedUpstream: false
      logs: [{ level: error, matches: "of the 1024 pages allowed: out of memory" }]
  - name: test next reaches the upstream with the plugin's request header
    plugins: [faults]
    request: { path: /d }
    expect: { status: 200, upstreamHeaders: { x-go-ok: "1" } }
`;

describe.skipIf(!GO)("a Go plugin allocating without bound in orwasm test and orwasm dev", () => {
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "orwasm-go-memory-"));
    writeFileSync(join(dir, "faults.wasm"), await buildGoFixture("faults"));
    writeFileSync(join(dir, "orwasm.yaml"), PROJECT);
  }, 400_000);

  it("orwasm test --memory-limit 64: every alloc request answers 503 with the memory failure logged, every next one is served; exit 0", async () => {
    const r = await runCli(["test", dir, "--memory-limit", "64"]);
    expect(r.stdout.match(/^FAIL .*/gm)).toBeNull();
    expect(r.stdout).toMatch(/^4 passed, 0 failed \(embedded/m);
    expect(r.code).toBe(0);
  }, 120_000);

  it("orwasm test without --memory-limit: the alloc request still answers 503 (the 2 s deadline stops it), but not as a memory failure", async () => {
    const r = await runCli(["test", dir]);
    expect(r.stdout.match(/^FAIL .*?(?= \(\d+ ms\)$)/gm)).toEqual([
      "FAIL test alloc answers 503 and logs the memory limit",
    ]);
    expect(r.stdout).toMatch(/log: expected a error line matching \/of the 1024 pages allowed/);
    expect(r.stdout).toMatch(/^3 passed, 1 failed/m);
    expect(r.code).toBe(1);
  }, 120_000);

  it("--memory-limit 0 is a usage error naming the range, exit 2", async () => {
    const r = await runCli(["test", dir, "--memory-limit", "0"]);
    expect(r.stderr).toContain("It must be a whole number of MiB, 1 to 4096.");
    expect(r.code).toBe(2);
  });

  describe("orwasm dev with a 64 MiB limit", () => {
    let dev: DevServer;
    const logs: string[] = [];
    beforeAll(async () => {
      dev = await startDevServer(join(dir, "orwasm.yaml"), {
        port: 0,
        host: "127.0.0.1",
        watch: false,
        log: (l) => void logs.push(l),
        memoryPages: 64 * 16,
      });
    }, 120_000);
    afterAll(() => dev?.close());

    it("answers 503 to each alloc request, logging the memory limit, and serves each next request with x-go-ok", async () => {
      for (let round = 1; round <= 2; round++) {
        logs.length = 0;
        const failed = await fetch(`${dev.urls[0]}/alloc`, { headers: { "x-fault": "alloc" } });
        expect({ round, status: failed.status }).toEqual({ round, status: 503 });
        await failed.text();
        expect(logs.some((l) => l.includes("of the 1024 pages allowed: out of memory"))).toBe(true);
        const next = await fetch(`${dev.urls[0]}/next`);
        expect({ round, status: next.status, ok: next.headers.get("x-go-ok") }).toEqual({
          round,
          status: 200,
          ok: "1",
        });
        const echoed = (await next.json()) as { path: string; headers: Record<string, string> };
        expect(echoed.path).toBe("/next");
        expect(echoed.headers["x-go-ok"]).toBe("1");
      }
    }, 60_000);
  });
});
