// `orwasm dev`: real HTTP through the embedded host; failures stay per request; reloads keep requests in flight.
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDevServer, type DevServer } from "../../src/gateway/dev-server.js";
import { buildExample, buildFixture } from "../fixtures/host-plugins/build.js";

const logs: string[] = [];
const log = (l: string) => void logs.push(l);

describe("orwasm dev keeps serving when a plugin traps, loops or runs out of memory", () => {
  let dev: DevServer;
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), "orwasm-dev-"));
    writeFileSync(join(dir, "probe.wasm"), await buildFixture("probe"));
    writeFileSync(
      join(dir, "orwasm.yaml"),
      `plugins:
  - { name: closed, rootId: probe, file: probe.wasm, failure: { policy: closed, status: 503 } }
  - { name: open, rootId: probe, file: probe.wasm, failure: open }
upstreams:
  - { name: backend, servers: ["backend:8080"], mock: echo }
servers:
  - routes:
      - { path: /closed, upstream: backend, plugins: [closed] }
      - { path: /open, upstream: backend, plugins: [open] }
`,
    );
    dev = await startDevServer(join(dir, "orwasm.yaml"), {
      port: 0,
      watch: false,
      log,
      deadlineMs: 500,
      memoryPages: 64,
    });
  }, 300_000);
  afterAll(() => dev?.close());

  const get = (path: string, probe?: string) =>
    fetch(`${dev.urls[0]}${path}`, { headers: probe ? { "x-probe": probe } : {} });

  it("answers the closed policy's status for a trap, an endless loop and memory exhaustion, then serves normally", async () => {
    for (const action of ["trap", "loop", "oom"]) {
      const res = await get("/closed", action);
      expect({ action, status: res.status }).toEqual({ action, status: 503 });
    }
    const ok = await get("/closed");
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { path: string }).path).toBe("/closed");
  }, 60_000);

  it("lets the request through a fail-open plugin that trapped", async () => {
    const res = await get("/open", "trap");
    expect(res.status).toBe(200);
    expect(
      logs.some((l) =>
        l.includes("orwasm: plugin open failed in request headers (fail-open, continuing)"),
      ),
    ).toBe(true);
  });
});

describe("orwasm dev reloads on change without dropping requests in flight", () => {
  let dev: DevServer;
  let slow: Server;
  let dir: string;
  const project = (value: string, port: number) => `plugins:
  - { name: add_header, file: add_header.wasm, config: ${value} }
upstreams:
  - { name: slow, servers: ["127.0.0.1:${port}"] }
servers:
  - routes: [{ path: /, upstream: slow, plugins: [add_header] }]
`;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "orwasm-dev-reload-"));
    writeFileSync(join(dir, "add_header.wasm"), await buildExample("add-header"));
    slow = createServer((req, res) =>
      setTimeout(
        () => res.end(`slow ${req.url}`),
        Number(new URL(req.url!, "http://x").searchParams.get("ms") ?? 0),
      ),
    );
    await new Promise<void>((ok) => slow.listen(0, "127.0.0.1", ok));
    writeFileSync(
      join(dir, "orwasm.yaml"),
      project("before", (slow.address() as AddressInfo).port),
    );
    dev = await startDevServer(join(dir, "orwasm.yaml"), { port: 0, watch: true, log });
  }, 300_000);
  afterAll(async () => {
    await dev?.close();
    slow?.close();
  });

  it("finishes a request that started before the reload, then serves the new config", async () => {
    expect((await fetch(`${dev.urls[0]}/`)).headers.get("x-hello")).toBe("before");
    const inFlight = fetch(`${dev.urls[0]}/?ms=1500`);
    await new Promise((r) => setTimeout(r, 200));
    const reloaded = new Promise<void>((ok) => {
      const t = setInterval(() => {
        if (logs.some((l) => l.startsWith("reloaded in"))) {
          clearInterval(t);
          ok();
        }
      }, 50);
    });
    writeFileSync(join(dir, "orwasm.yaml"), project("after", (slow.address() as AddressInfo).port));
    await reloaded;
    const old = await inFlight;
    expect(old.status).toBe(200);
    expect(await old.text()).toBe("slow /?ms=1500");
    expect(old.headers.get("x-hello")).toBe("before");
    expect((await fetch(`${dev.urls[0]}/`)).headers.get("x-hello")).toBe("after");
  }, 60_000);

  it("keeps serving the previous version when the changed project is invalid, and says why", async () => {
    writeFileSync(join(dir, "orwasm.yaml"), "plugins: [oops\n");
    await new Promise((r) => setTimeout(r, 1000));
    expect(
      logs.some((l) => l.startsWith("reload failed; still serving the previous version")),
    ).toBe(true);
    expect((await fetch(`${dev.urls[0]}/`)).headers.get("x-hello")).toBe("after");
  }, 30_000);
});
