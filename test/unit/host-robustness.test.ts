// Failures: traps and the failure policy, deadlines (worker terminated, instance recreated),
// memory limits, return codes the Lua driver cannot handle, and modules that must not load.
import wabtInit from "wabt";
import { beforeAll, describe, expect, it } from "vitest";
import { ascBin, buildFixture } from "../fixtures/host-plugins/build.js";
import { requireOrSkip } from "../helpers/skip.js";
import {
  HostPlugin,
  PluginLoadError,
  runRequest,
  type ChainEntry,
  type RequestOutcome,
} from "../../src/proxy-host/index.js";

const noAsc = requireOrSkip(
  "asc",
  ascBin() !== undefined,
  "AssemblyScript 0.14 is not installed (npm install)",
);

async function wat(text: string): Promise<Uint8Array> {
  const wabt = await wabtInit();
  const mod = wabt.parseWat("t.wat", text);
  return new Uint8Array(mod.toBinary({}).buffer);
}

const messages = (out: RequestOutcome): string[] => out.logs.map((l) => l.message);

describe.skipIf(noAsc)(
  `host failures with the probe plugin${noAsc ? ` (skipped: ${noAsc})` : ""}`,
  () => {
    let probe: Uint8Array;
    beforeAll(async () => {
      probe = await buildFixture("probe");
    });

    const entry = async (
      policy: ChainEntry["failure"],
      opts: { isolation?: "worker" | "in-thread"; deadlineMs?: number; memoryPages?: number } = {},
    ): Promise<ChainEntry & { plugin: HostPlugin }> => {
      const plugin = await HostPlugin.load({
        name: "probe",
        wasm: probe,
        isolation: opts.isolation ?? "in-thread",
        limits: { deadlineMs: opts.deadlineMs ?? 2000, memoryPages: opts.memoryPages },
      });
      const context = await plugin.configure("robust");
      return { context, failure: policy, plugin };
    };
    const upstreamCalls: string[] = [];
    const run = (e: ChainEntry, headers: Record<string, string>): Promise<RequestOutcome> =>
      runRequest(
        [e],
        { path: "/r", headers },
        {
          upstream: (r) => {
            upstreamCalls.push(r.path);
            return { status: 200, body: "upstream body" };
          },
        },
      );

    it("fail-closed: a trap answers the policy's status with nginx's error page and logs why", async () => {
      const e = await entry({ mode: "closed", status: 503 });
      upstreamCalls.length = 0;
      const out = await run(e, { "x-probe": "trap" });
      expect(out.failures).toEqual([
        {
          plugin: "probe",
          phase: "request_headers",
          kind: "trap",
          message: "failed to run proxy_on_http_request_headers",
          detail: expect.stringContaining("unreachable"),
        },
      ]);
      expect(out.response).toMatchObject({
        status: 503,
        source: "failure-policy",
        nginxErrorPage: true,
      });
      expect(out.response.text).toContain("<title>503 Service Temporarily Unavailable</title>");
      expect(upstreamCalls).toEqual([]);
      expect(out.logs).toContainEqual(
        expect.objectContaining({
          level: "error",
          message: expect.stringMatching(
            /^orwasm: plugin probe failed in request headers \(fail-closed, answering 503\)/,
          ),
        }),
      );
    });

    it("fail-open: a trap is logged as a warning and the request reaches the upstream", async () => {
      const e = await entry({ mode: "open" });
      const out = await run(e, { "x-probe": "trap" });
      expect(out.response).toMatchObject({
        status: 200,
        text: "upstream body",
        source: "upstream",
      });
      expect(out.logs).toContainEqual(
        expect.objectContaining({
          level: "warn",
          message: expect.stringContaining("(fail-open, continuing)"),
        }),
      );
    });

    it("fail-closed without a status answers 503, the project schema's default", async () => {
      const out = await run(await entry({ mode: "closed" }), { "x-probe": "trap" });
      expect(out.response.status).toBe(503);
    });

    it("after a trap the same instance serves the next request", async () => {
      const e = await entry({ mode: "closed" });
      await run(e, { "x-probe": "trap" });
      const next = await run(e, { "x-probe": "continue_stream" });
      expect(next.failures).toEqual([]);
      expect(next.response.headers).toContainEqual(["x-probe-result", "continue_stream=0"]);
    });

    it("returning Pause without an http call is reported as the nginx worker crash it causes", async () => {
      const out = await run(await entry({ mode: "closed" }), { "x-probe": "ret:1" });
      expect(out.failures[0]).toMatchObject({
        kind: "crash",
        detail: expect.stringContaining("NULL callout"),
      });
    });

    it("returning 2..99 from a request callback is reported as the endless Lua loop it causes", async () => {
      const out = await run(await entry({ mode: "closed" }), { "x-probe": "ret:2" });
      expect(out.failures[0]).toMatchObject({
        kind: "hang",
        detail: expect.stringContaining("returned 2"),
      });
    });

    it("an endless loop hits the deadline; the worker is terminated and the next request is served", async () => {
      const e = await entry({ mode: "closed" }, { isolation: "worker", deadlineMs: 300 });
      try {
        const stuck = await run(e, { "x-probe": "loop" });
        expect(stuck.failures[0]).toMatchObject({ kind: "deadline", phase: "request_headers" });
        expect(stuck.response.status).toBe(503);
        // the instance is recreated as soon as it is needed again: here by the same request's
        // header_filter, which runs after the fail-closed answer
        expect(messages(stuck)).toContain(
          "orwasm: recreating the instance of plugin probe after it was terminated",
        );
        // and configured again under the same configuration
        expect(messages(stuck)).toContain("probe: configure size=6 rc=0 config=robust");
        const next = await run(e, { "x-probe": "continue_stream" });
        expect(next.failures).toEqual([]);
        expect(next.response.headers).toContainEqual(["x-probe-result", "continue_stream=0"]);
      } finally {
        await e.plugin.close();
      }
    });

    it("growing past the page limit fails that request with kind 'memory'; a fresh instance serves the next", async () => {
      const e = await entry({ mode: "closed" }, { memoryPages: 64 });
      const oom = await run(e, { "x-probe": "oom" });
      expect(oom.failures[0]).toMatchObject({
        kind: "memory",
        detail: expect.stringContaining("64 pages"),
      });
      const next = await run(e, { "x-probe": "continue_stream" });
      expect(next.failures).toEqual([]);
      expect(next.response.headers).toContainEqual(["x-probe-result", "continue_stream=0"]);
    });

    it("fail-closed in header_filter answers nginx's error page for the policy status: the upstream's headers and body are dropped", async () => {
      const out = await run(await entry({ mode: "closed", status: 502 }), {
        "x-probe-response": "trap",
      });
      // ngx.exit(502) in a header filter: ngx_http_filter_finalize_request, then the page of OpenResty's nginx
      // (the engine orwasm builds), whose last line names the build
      expect(out.response).toMatchObject({
        status: 502,
        text:
          "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n" +
          "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>openresty</center>\r\n</body>\r\n</html>\r\n",
        source: "failure-policy",
        nginxErrorPage: true,
      });
      expect(out.response.headers).toContainEqual(["Content-Type", "text/html"]);
      expect(out.response.headers.map(([k]) => k.toLowerCase())).not.toContain("x-probe-result");
    });

    it("fail-closed in body_filter cuts the response (ngx.ERROR): the status stays, the body is lost", async () => {
      const out = await run(await entry({ mode: "closed" }), { "x-probe-response-body": "trap" });
      expect(out.response).toMatchObject({ status: 200, text: "", aborted: true });
    });
  },
);

describe("modules the host must refuse or treat specially (hand-made wasm)", () => {
  const minimal = (extra: string, abi = `(func (export "proxy_abi_version_0_2_0"))`) => `(module
    ${extra}
    (memory (export "memory") 1)
    ${abi}
    (func (export "proxy_on_context_create") (param i32 i32))
    (func (export "proxy_on_configure") (param i32 i32) (result i32) i32.const 1))`;

  it("an import the module does not provide fails instantiation, naming it", async () => {
    const wasm = await wat(minimal(`(import "env" "proxy_foo" (func (param i32) (result i32)))`));
    const err: unknown = await HostPlugin.load({ name: "x", wasm, isolation: "in-thread" }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(PluginLoadError);
    expect((err as Error).message).toContain(
      'plugin "x" failed to load: failed to new instance: unknown import: `env::proxy_foo` has not been defined',
    );
  });

  it("wasi_unstable links with wasmtime (which defines both snapshots) but not with WasmEdge", async () => {
    const wasm = await wat(
      minimal(`(import "wasi_unstable" "fd_write" (func (param i32 i32 i32 i32) (result i32)))`),
    );
    const ok = await HostPlugin.load({ name: "x", wasm, isolation: "in-thread", vm: "wasmtime" });
    expect(ok.abiVersion).toBe("proxy_abi_version_0_2_0");
    await expect(
      HostPlugin.load({ name: "x", wasm, isolation: "in-thread", vm: "wasmedge" }),
    ).rejects.toThrow(/unknown import: module "wasi_unstable", function "fd_write"/);
  });

  it("no exported memory: the module refuses the plugin", async () => {
    const wasm = await wat(`(module (func (export "proxy_abi_version_0_2_0")))`);
    await expect(HostPlugin.load({ name: "x", wasm, isolation: "in-thread" })).rejects.toThrow(
      "the wasm plugin doesn't export memory",
    );
  });

  it("no ABI version export: the module loads it as the newest ABI; envoy-like refuses it", async () => {
    const wasm = await wat(minimal("", ""));
    const plugin = await HostPlugin.load({ name: "x", wasm, isolation: "in-thread" });
    expect(plugin.abiVersion).toBeUndefined();
    expect((await plugin.configure("c")).rootId).toBe(1);
    await expect(
      HostPlugin.load({ name: "x", wasm, isolation: "in-thread", profile: "envoy-like" }),
    ).rejects.toThrow(
      /exports none of proxy_abi_version_0_1_0, proxy_abi_version_0_2_0, proxy_abi_version_0_2_1/,
    );
  });

  it("a trap in _start fails the load; with both _start and _initialize only _start runs", async () => {
    const trapping = await wat(minimal(`(func (export "_start") unreachable)`));
    await expect(
      HostPlugin.load({ name: "x", wasm: trapping, isolation: "in-thread" }),
    ).rejects.toThrow(/_start\/_initialize failed: wasm trap: unreachable/);
    const both = await wat(
      minimal(`(func (export "_start")) (func (export "_initialize") unreachable)`),
    );
    await expect(
      HostPlugin.load({ name: "x", wasm: both, isolation: "in-thread" }),
    ).resolves.toBeDefined();
  });

  it("ABI 0.1.0 headers callbacks get 2 arguments; a 0.2.x plugin exporting the 2-argument form fails like wasmtime", async () => {
    const headers = `(func (export "proxy_on_request_headers") (param i32 i32) (result i32) i32.const 0)`;
    const v010 = await wat(minimal(headers, `(func (export "proxy_abi_version_0_1_0"))`));
    const v020 = await wat(minimal(headers));
    const go = async (wasm: Uint8Array) => {
      const plugin = await HostPlugin.load({ name: "x", wasm, isolation: "in-thread" });
      const ctx = await plugin.configure("c");
      return runRequest([{ context: ctx }], { path: "/" });
    };
    expect((await go(v010)).failures).toEqual([]);
    expect((await go(v020)).failures[0]).toMatchObject({
      kind: "trap",
      detail: "proxy_on_request_headers: expected 2 arguments, got 3",
    });
  });

  // nodejs/node#46777: imported directly, node:wasi's functions are V8 fast calls from wasm, and a GC that starts
  // inside one (uvwasi's allocations reporting external memory once the wasm memory grew by 64 MiB or more)
  // corrupts the heap: Node died with SIGSEGV/SIGTRAP in most runs of this test before link.ts called them from JS.
  it.each(["worker", "in-thread"] as const)(
    "%s: a plugin that grew its memory by 94 MiB and then makes 5,000 WASI fd_write calls per request keeps Node alive and is served",
    async (isolation) => {
      const wasm = await wat(
        minimal(`
        (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
        (global $grown (mut i32) (i32.const 0))
        (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32)
          (local $i i32)
          (if (i32.eqz (global.get $grown))
            (then
              (if (i32.lt_s (memory.grow (i32.const 1500)) (i32.const 0)) (then unreachable))
              (global.set $grown (i32.const 1))))
          ;; one empty iovec {buf 100, len 0} at 16 for fd 1; the count written goes to 24
          (i32.store (i32.const 16) (i32.const 100))
          (i32.store (i32.const 20) (i32.const 0))
          (block $done
            (loop $l
              (br_if $done (i32.ge_u (local.get $i) (i32.const 5000)))
              ;; an errno from fd_write traps, so a served request means 5,000 answered calls
              (if (call $w (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 24)) (then unreachable))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br $l)))
          i32.const 0)`),
      );
      const plugin = await HostPlugin.load({
        name: "x",
        wasm,
        isolation,
        limits: { memoryPages: 2000, deadlineMs: 20_000 },
      });
      const e: ChainEntry = { context: await plugin.configure("c"), failure: { mode: "closed" } };
      for (let i = 0; i < 5; i++) {
        const out = await runRequest([e], { path: "/" }, { upstream: () => ({ status: 200 }) });
        expect(out.failures).toEqual([]);
        expect(out.response.status).toBe(200);
      }
      expect(await plugin.memoryBytes()).toBe(1501 * 65536);
      await plugin.close();
    },
    60_000,
  );

  it("a memory limit below the module's initial size is refused at load", async () => {
    const wasm = await wat(`(module (memory (export "memory") 10))`);
    await expect(
      HostPlugin.load({ name: "x", wasm, isolation: "in-thread", limits: { memoryPages: 4 } }),
    ).rejects.toThrow("the plugin's memory starts at 10 pages, above the limit of 4 pages");
  });
});
