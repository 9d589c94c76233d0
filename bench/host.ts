// Benchmark: the embedded host running the add-header example's proxy_on_response_headers,
// in the caller's thread and through a worker thread (the hop that buys deadlines).
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { HostPlugin, runRequest, type PluginContext } from "../src/proxy-host/index.js";
import { buildPlugin } from "../src/plugins/build.js";
import type { BenchResult } from "./result.js";

const root = join(import.meta.dirname, "..");

async function addHeaderWasm(): Promise<string> {
  const outFile = join(root, "node_modules", ".cache", "orwasm-bench", "add-header.wasm");
  await buildPlugin({
    lang: "assemblyscript",
    dir: join(root, "examples", "add-header"),
    entry: "assembly/index.ts",
    outFile,
  });
  return outFile;
}

/** Mean µs per call of `fn` after a warm-up, over at least `minMs`. */
async function perCall(fn: () => Promise<unknown>, minMs = 1500): Promise<number> {
  for (let i = 0; i < 200; i++) await fn();
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < minMs) {
    for (let i = 0; i < 100; i++) await fn();
    n += 100;
  }
  return ((performance.now() - start) * 1000) / n;
}

async function measure(ctx: PluginContext): Promise<{ call: number; request: number }> {
  // one HTTP context, its proxy_on_response_headers called over and over
  const stream = ctx.newHttpContext({ path: "/" });
  await stream.onResponseHeaders({ status: 200 });
  // add-header appends x-hello each time: start every call from the same response headers
  const call = await perCall(() => {
    stream.request.state.response.list = [];
    return stream.onResponseHeaders();
  });
  await stream.finish();
  // whole requests: context created lazily, header callback, body pass-through, done + delete
  const request = await perCall(() => runRequest([{ context: ctx }], { path: "/" }));
  return { call, request };
}

/** Per-call cost of on_http_response_headers with add-header, in-thread and through the worker. */
export async function benchHost(): Promise<BenchResult[]> {
  const wasm = await addHeaderWasm();
  const results: BenchResult[] = [];
  const figures: Record<string, { call: number; request: number }> = {};
  for (const isolation of ["in-thread", "worker"] as const) {
    const plugin = await HostPlugin.load({ name: "add_header", wasm, isolation });
    try {
      figures[isolation] = await measure(await plugin.configure("bench"));
    } finally {
      await plugin.close();
    }
  }
  const local = figures["in-thread"]!;
  const worker = figures["worker"]!;
  results.push(
    { name: "host: on_http_response_headers, in-thread", value: local.call, unit: "µs/call" },
    { name: "host: on_http_response_headers, via worker", value: worker.call, unit: "µs/call" },
    {
      name: "host: worker hop overhead per call",
      value: worker.call - local.call,
      unit: "µs/call",
    },
    { name: "host: runRequest (1 plugin), in-thread", value: local.request, unit: "µs/request" },
    { name: "host: runRequest (1 plugin), via worker", value: worker.request, unit: "µs/request" },
  );
  return results;
}
