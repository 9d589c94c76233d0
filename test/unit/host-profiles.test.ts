// What each host profile answers: wasm-nginx-module 0.7.0's Unimplemented functions and link
// failures under the default profile, working shared data / queues / tick / time / metrics under
// envoy-like. Statuses are observed through real plugins built from source.
import { beforeAll, describe, expect, it, vi } from "vitest";
import { ascBin, buildFixture } from "../fixtures/host-plugins/build.js";
import { requireOrSkip } from "../helpers/skip.js";
import { wasmNginxModule070Wasmtime } from "../../src/module-abi/wasm-nginx-module-0.7.0.js";
import { wasmNginxModuleApi, type ApiHost } from "../../src/proxy-host/runtime/host-api.js";
import { PluginVm } from "../../src/proxy-host/runtime/vm.js";
import { createRequestState } from "../../src/proxy-host/nginx/request.js";
import {
  HostPlugin,
  PluginLoadError,
  runRequest,
  WasmResult,
  type ProfileName,
  type RequestOutcome,
} from "../../src/proxy-host/index.js";

const noAsc = requireOrSkip(
  "asc",
  ascBin() !== undefined,
  "AssemblyScript 0.14 is not installed (npm install)",
);

describe("the host's env table matches the research table of wasm-nginx-module 0.7.0", () => {
  const vm = new PluginVm(
    { imports: [], exports: ["memory"], exportSignatures: {} },
    () => undefined,
    undefined,
  );
  vm.attach({
    exports: { memory: new WebAssembly.Memory({ initial: 1 }) },
  });
  const req = createRequestState({ path: "/" });
  const host: ApiHost = {
    vm,
    pluginName: "t",
    state: () => ({ conf: new Uint8Array(0), body: new Uint8Array(0), req, reqKey: 1 }),
    log: () => undefined,
    logsAt: () => true,
    requestCtx: () => ({
      callout: undefined,
      calloutId: 0,
      callRespHeaders: [],
      callRespBody: undefined,
    }),
    mainConf: { code: 0, body: undefined },
    nextCalloutId: () => 0,
  };
  const api = wasmNginxModuleApi(host);
  const table = wasmNginxModule070Wasmtime.env;

  it("defines exactly the 41 functions the module registers", () => {
    expect(Object.keys(api).sort()).toEqual(Object.keys(table).sort());
  });

  it.each(Object.entries(table))(
    "%s answers Unimplemented exactly when the table says so",
    (name, fn) => {
      const call = api[name] as unknown as (...a: unknown[]) => number;
      const args = name.endsWith("_metric") ? [0, 0n] : [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
      const rc = call(...args);
      if (fn.status === "unimplemented") expect(rc).toBe(WasmResult.Unimplemented);
      else expect(rc).not.toBe(WasmResult.Unimplemented);
    },
  );
});

describe.skipIf(noAsc)(
  `host profiles with real plugins${noAsc ? ` (skipped: ${noAsc})` : ""}`,
  () => {
    let probe: Uint8Array;
    let extras: Uint8Array;
    let getMetric: Uint8Array;
    beforeAll(async () => {
      [probe, extras, getMetric] = await Promise.all([
        buildFixture("probe"),
        buildFixture("envoy-extras"),
        buildFixture("get-metric"),
      ]);
    });

    const probeWith = async (profile: ProfileName, config = "c") => {
      const plugin = await HostPlugin.load({
        name: "probe",
        wasm: probe,
        profile,
        isolation: "in-thread",
      });
      const ctx = await plugin.configure(config);
      const run = (actions: string): Promise<RequestOutcome> =>
        runRequest([{ context: ctx }], { path: "/", headers: { "x-probe": actions } });
      return { plugin, ctx, run };
    };
    const result = (out: RequestOutcome): string | undefined =>
      out.response.headers.find(([k]) => k === "x-probe-result")?.[1];

    const UNIMPLEMENTED_ACTIONS =
      "set_buffer|set_pairs|clear_route_cache|grpc_call|get_status|foreign";

    it("default profile: shared data, queues, tick, time, done and the rest answer 12 (Unimplemented)", async () => {
      const { run } = await probeWith("wasm-nginx-module");
      const out = await run(
        `shared_get|shared_set:v|queue|tick|time|done|${UNIMPLEMENTED_ACTIONS}`,
      );
      expect(result(out)).toBe(
        "shared_get=12;shared_set:v=12;queue=12;tick=12;time=12;done=12;" +
          "set_buffer=12;set_pairs=12;clear_route_cache=12;grpc_call=12;get_status=12;foreign=12",
      );
    });

    it("default profile: metrics answer Ok but define never writes the id (the plugin keeps 77)", async () => {
      const { run, plugin } = await probeWith("wasm-nginx-module");
      const out = await run("metric|continue_stream");
      expect(result(out)).toBe("define=0;metric_id=77;increment=0;continue_stream=0");
      expect(await plugin.metrics()).toEqual([]);
    });

    it("envoy-like: shared data round-trips with CAS (a stale CAS is CasMismatch = 8)", async () => {
      const { run } = await probeWith("envoy-like");
      expect(result(await run("shared_get|shared_set:v1"))).toBe("shared_get=1;shared_set:v1=0");
      expect(result(await run("shared_cas:v2"))).toBe("get=0;value=v1;set1=0;set2=8");
    });

    it("envoy-like: time, tick period, real metrics and proxy_done answer Ok", async () => {
      const { run, plugin } = await probeWith("envoy-like");
      const out = await run("time|tick|metric|done");
      expect(result(out)).toBe(
        "time=0;time_nonzero=yes;tick=0;define=0;metric_id=1;increment=0;done=0",
      );
      expect(await plugin.metrics()).toEqual([
        { name: "probe_requests", type: "counter", value: 2 },
      ]);
    });

    it("envoy-like: an enqueued item is delivered to proxy_on_queue_ready of the registering root context", async () => {
      const { run } = await probeWith("envoy-like");
      const out = await run("queue|enqueue:hello");
      expect(result(out)).toBe("queue=0;enqueue:hello=0");
      expect(out.logs.map((l) => l.message)).toContain("probe: queue ready 1 rc=0 item=hello");
    });

    it("envoy-like: a tick period set in proxy_on_configure makes tick() run proxy_on_tick; the module never ticks", async () => {
      const envoy = await probeWith("envoy-like", "tick");
      expect(envoy.ctx.configureLogs.map((l) => l.message)).toContain("probe: tick period rc=0");
      const first = await envoy.plugin.tick();
      expect(first.ticked).toEqual([envoy.ctx.rootId]);
      expect(first.logs.map((l) => l.message)).toContain("probe: tick 1");

      const nginx = await probeWith("wasm-nginx-module", "tick");
      expect(nginx.ctx.configureLogs.map((l) => l.message)).toContain("probe: tick period rc=12");
      expect((await nginx.plugin.tick()).ticked).toEqual([]);
    });

    it("envoy-like: startTicker calls proxy_on_tick once per elapsed period (1000 ms here)", async () => {
      vi.useFakeTimers({ toFake: ["setInterval", "clearInterval", "Date"] });
      try {
        const { plugin } = await probeWith("envoy-like", "tick");
        const lines: string[] = [];
        const stop = plugin.startTicker((logs) => lines.push(...logs.map((l) => l.message)));
        await vi.advanceTimersByTimeAsync(500);
        expect(lines).toEqual([]);
        await vi.advanceTimersByTimeAsync(2600);
        stop();
        expect(lines).toEqual(["probe: tick 1", "probe: tick 2", "probe: tick 3"]);
      } finally {
        vi.useRealTimers();
      }
    });

    it("envoy-like still answers Unimplemented for what neither host offers here (buffers, gRPC, ...)", async () => {
      const { run } = await probeWith("envoy-like");
      expect(result(await run(UNIMPLEMENTED_ACTIONS))).toBe(
        "set_buffer=12;set_pairs=12;clear_route_cache=12;grpc_call=12;get_status=12;foreign=12",
      );
    });

    it("a plugin importing a function the module never defines fails to load, naming the import", async () => {
      const err: unknown = await HostPlugin.load({
        name: "envoy_extras",
        wasm: extras,
        isolation: "in-thread",
      }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PluginLoadError);
      expect((err as Error).message).toMatch(
        /failed to new instance: unknown import: `env::proxy_get_(header_map_size|buffer_status)` has not been defined/,
      );
    });

    it("envoy-like links that plugin and answers header map size and buffer status", async () => {
      const plugin = await HostPlugin.load({
        name: "envoy_extras",
        wasm: extras,
        profile: "envoy-like",
        isolation: "in-thread",
      });
      const ctx = await plugin.configure("abc");
      const out = await runRequest([{ context: ctx }], { path: "/", authority: "localhost" });
      // host=localhost, :scheme=http, :path=/, :method=GET, :authority=localhost:
      // 4-byte count + 5 pairs × 8 bytes of lengths + each key and value with a NUL after it
      const size = 4 + 5 * 8 + (4 + 9 + 2) + (7 + 4 + 2) + (5 + 1 + 2) + (7 + 3 + 2) + (10 + 9 + 2);
      expect(out.logs.map((l) => l.message)).toContain(
        `envoy-extras: map_size rc=0 size=${size} config_status rc=0 length=3`,
      );
    });

    it("proxy_get_metric imported as (i32, i32) -> i32 does not link with the module's (i32, i64) -> i32", async () => {
      const err: unknown = await HostPlugin.load({
        name: "get_metric",
        wasm: getMetric,
        isolation: "in-thread",
      }).catch((e: unknown) => e);
      expect((err as Error).message).toContain(
        "incompatible import type for `env::proxy_get_metric`: the plugin imports (i32, i32) -> i32, the host defines (i32, i64) -> i32",
      );
      const envoy = await HostPlugin.load({
        name: "get_metric",
        wasm: getMetric,
        profile: "envoy-like",
        isolation: "in-thread",
      });
      expect(envoy.abiVersion).toBe("proxy_abi_version_0_2_0");
    });
  },
);
