// Go modules (standard Go, wasip1 reactors) in the embedded host: a panic, an endless loop, unbounded allocation and
// the failure policy, with the next request served normally; and the instance's memory over 10,000 requests.
import { beforeAll, describe, expect, it } from "vitest";
import {
  HostPlugin,
  runRequest,
  type ChainEntry,
  type RequestOutcome,
} from "../../src/proxy-host/index.js";
import { buildGoFixture, haveGo } from "../fixtures/go-plugins/build.js";

const GO = haveGo();
const BUILD_TIMEOUT = 400_000;
const MiB = 1024 * 1024;

describe.skipIf(!GO)("Go plugins in the embedded host", () => {
  let faults: Uint8Array;
  let headers: Uint8Array;
  beforeAll(async () => {
    faults = await buildGoFixture("faults");
    headers = await buildGoFixture("go-headers");
  }, BUILD_TIMEOUT);

  const upstreamSaw: string[] = [];
  const run = (e: ChainEntry, fault?: string): Promise<RequestOutcome> =>
    runRequest(
      [e],
      { path: "/r", headers: fault ? { "x-fault": fault } : {} },
      {
        upstream: (r) => {
          upstreamSaw.push(r.headers.find(([k]) => k === "x-go-ok")?.[1] ?? "-");
          return { status: 200, body: "upstream" };
        },
      },
    );
  const header = (out: RequestOutcome, name: string) =>
    out.response.headers.find(([k]) => k === name)?.[1];

  it("a Go panic fails the request by policy closed (503, logged) and the next request is served normally", async () => {
    const plugin = await HostPlugin.load({ name: "faults", wasm: faults, isolation: "in-thread" });
    const e: ChainEntry = {
      context: await plugin.configure("{}"),
      failure: { mode: "closed", status: 503 },
    };
    const failed = await run(e, "panic");
    expect(failed.response.status).toBe(503);
    expect(failed.failures[0]).toMatchObject({ phase: "request_headers", kind: "trap" });
    const next = await run(e);
    expect(next.failures).toEqual([]);
    expect(next.response.status).toBe(200);
    expect(header(next, "x-go-ok")).toBe("1");
    await plugin.close();
  });

  it("with policy open the panicking request goes on to the upstream, and so does the next, with the plugin's header", async () => {
    const plugin = await HostPlugin.load({ name: "faults", wasm: faults, isolation: "in-thread" });
    const e: ChainEntry = {
      context: await plugin.configure("{}"),
      failure: { mode: "open", status: 503 },
    };
    upstreamSaw.length = 0;
    const failed = await run(e, "panic");
    expect(failed.response.status).toBe(200);
    const next = await run(e);
    expect(next.response.status).toBe(200);
    expect(upstreamSaw).toEqual(["-", "1"]);
    await plugin.close();
  });

  it("a Go loop that never returns is stopped at the deadline (503 by policy), and the next request is served by a new instance", async () => {
    const plugin = await HostPlugin.load({
      name: "faults",
      wasm: faults,
      isolation: "worker",
      limits: { deadlineMs: 1000 },
    });
    const e: ChainEntry = {
      context: await plugin.configure("{}"),
      failure: { mode: "closed", status: 503 },
    };
    const failed = await run(e, "loop");
    expect(failed.response.status).toBe(503);
    expect(failed.failures[0]).toMatchObject({ phase: "request_headers", kind: "deadline" });
    const next = await run(e);
    expect(next.failures).toEqual([]);
    expect(next.response.status).toBe(200);
    expect(header(next, "x-go-ok")).toBe("1");
    await plugin.close();
  }, 30_000);

  it("Go's runtime gets its WASI calls answered: a clock, a sleep through poll_oneoff, random bytes, an empty environment", async () => {
    const plugin = await HostPlugin.load({ name: "faults", wasm: faults, isolation: "in-thread" });
    const e: ChainEntry = { context: await plugin.configure("{}") };
    const seen: string[] = [];
    const out = await runRequest(
      [e],
      { path: "/w", headers: { "x-fault": "wasi" } },
      {
        upstream: (r) => (
          seen.push(r.headers.find(([k]) => k === "x-go-wasi")?.[1] ?? "-"),
          { status: 200 }
        ),
      },
    );
    expect(out.failures).toEqual([]);
    // nginx starts workers with a cleared environment (TZ only, unless \`env\` directives): orwasm passes none
    expect(seen).toEqual(["year=true,rand=true,env=0,slept=true"]);
    await plugin.close();
  });

  // Go's runtime prints "fatal error: out of memory" through WASI fd_write after the memory grew to its limit:
  // with node:wasi imported directly Node died right there (SIGSEGV/SIGTRAP: nodejs/node#46777, see link.ts viaJs),
  // so a run of this test either passes or loses its whole vitest worker.
  it.each(["worker", "in-thread"] as const)(
    "%s: a Go plugin allocating without bound fails that request by policy closed (503, kind memory) and a fresh instance serves the next, twice over",
    async (isolation) => {
      const pages = 1024;
      const plugin = await HostPlugin.load({
        name: "faults",
        wasm: faults,
        isolation,
        // the deadline only guards the run; running out of 64 MiB takes well under a second
        limits: { memoryPages: pages, deadlineMs: 20_000 },
      });
      const e: ChainEntry = {
        context: await plugin.configure("{}"),
        failure: { mode: "closed", status: 503 },
      };
      for (let round = 1; round <= 2; round++) {
        upstreamSaw.length = 0;
        const failed = await run(e, "alloc");
        expect(failed.response.status).toBe(503);
        expect(failed.failures).toHaveLength(1);
        expect(failed.failures[0]).toMatchObject({
          phase: "request_headers",
          kind: "memory",
          detail: expect.stringContaining(`of the ${pages} pages allowed: out of memory`),
        });
        expect(upstreamSaw).toEqual([]);
        expect(failed.logs.map((l) => l.message)).toEqual(
          expect.arrayContaining([
            "orwasm: dropping the instance of plugin faults: it reached its memory limit in proxy_on_request_headers",
            "orwasm: recreating the instance of plugin faults after it was terminated",
          ]),
        );
        const next = await run(e);
        expect(next.failures).toEqual([]);
        expect(next.response.status).toBe(200);
        expect(header(next, "x-go-ok")).toBe("1");
        expect(upstreamSaw).toEqual(["1"]);
        // the instance that ran out had ~64 MiB; the one serving now is a new, small one
        expect(await plugin.memoryBytes()).toBeLessThan(16 * MiB);
      }
      await plugin.close();
    },
    60_000,
  );

  it("10,000 requests through go-headers grow the instance's memory by under 4 MiB, and through a plugin dropping 64 KiB per request (625 MiB in all) it stays under 16 MiB", async () => {
    const measure = async (wasm: Uint8Array, config: string, fault?: string) => {
      const plugin = await HostPlugin.load({ name: "m", wasm, isolation: "in-thread" });
      const e: ChainEntry = {
        context: await plugin.configure(config),
        failure: { mode: "closed", status: 503 },
      };
      let first = 0;
      for (let i = 1; i <= 10_000; i++) {
        const out = await run(e, fault);
        if (out.response.status !== 200) throw new Error(`request ${i}: ${out.response.status}`);
        if (i === 1) first = await plugin.memoryBytes();
      }
      const last = await plugin.memoryBytes();
      await plugin.close();
      return { first, last };
    };
    const h = await measure(headers, '{"request":{"x-a":"1"},"response":{"x-b":"2"}}');
    const churn = await measure(faults, "{}", "churn");
    console.log(
      `go-headers: ${(h.first / MiB).toFixed(2)} MiB after 1 request, ${(h.last / MiB).toFixed(2)} MiB after 10,000; ` +
        `churn (64 KiB per request): ${(churn.first / MiB).toFixed(2)} -> ${(churn.last / MiB).toFixed(2)} MiB`,
    );
    expect(h.last - h.first).toBeLessThan(4 * MiB);
    expect(churn.last).toBeLessThan(16 * MiB);
  }, 120_000);
});
