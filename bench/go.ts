// Benchmark: Go plugins: build time (cold Go build cache, warm cache, orwasm's stamp hit), .wasm sizes, and the
// per-call cost of on_http_response_headers for examples/go-headers against the AssemblyScript add-header.
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { HostPlugin, type PluginContext } from "../src/proxy-host/index.js";
import { buildPlugin } from "../src/plugins/build.js";
import { buildGoPlugin } from "../src/plugins/go-build.js";
import type { BenchResult } from "./result.js";

const root = join(import.meta.dirname, "..");
const cache = join(root, "node_modules", ".cache", "orwasm-bench");

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

/** µs per proxy_on_response_headers on one HTTP context, response headers reset before each call. */
async function responseHeadersCost(ctx: PluginContext): Promise<number> {
  const stream = ctx.newHttpContext({ path: "/" });
  await stream.onRequestHeaders();
  await stream.onResponseHeaders({ status: 200 });
  const us = await perCall(() => {
    stream.request.state.response.list = [];
    return stream.onResponseHeaders();
  });
  await stream.finish();
  return us;
}

/** Build times, sizes and the Go/AssemblyScript per-call ratio. */
export async function benchGo(): Promise<BenchResult[]> {
  const out: BenchResult[] = [];
  const gocache = await mkdtemp(join(tmpdir(), "orwasm-bench-gocache-"));
  const dir = join(root, "examples", "go-headers");
  try {
    // cold: an empty Go build cache (modules already in GOMODCACHE: no network in the figure)
    const env = { ...process.env, GOCACHE: gocache };
    const cold = await buildGoPlugin({ dir, outFile: join(gocache, "cold.wasm"), env });
    // warm: Go's build cache filled, no orwasm stamp for this output yet
    const warm = await buildGoPlugin({ dir, outFile: join(gocache, "warm.wasm"), env });
    // cached: orwasm's stamp matches, go is not run
    const hit = await buildGoPlugin({ dir, outFile: join(gocache, "warm.wasm"), env });
    out.push(
      {
        name: "go build go-headers, cold Go build cache",
        value: cold.durationMs / 1000,
        unit: "s",
      },
      {
        name: "go build go-headers, warm Go build cache",
        value: warm.durationMs / 1000,
        unit: "s",
      },
      { name: "go build go-headers, orwasm stamp hit", value: hit.durationMs, unit: "ms" },
    );
  } finally {
    await rm(gocache, { recursive: true, force: true });
  }

  const goHeaders = join(cache, "go-headers.wasm");
  const goAuth = join(cache, "go-auth.wasm");
  const addHeader = join(cache, "add-header.wasm");
  await buildGoPlugin({ dir, outFile: goHeaders });
  await buildGoPlugin({ dir: join(root, "examples", "go-auth"), outFile: goAuth });
  await buildPlugin({
    lang: "assemblyscript",
    dir: join(root, "examples", "add-header"),
    entry: "assembly/index.ts",
    outFile: addHeader,
  });
  const kib = async (f: string) => (await stat(f)).size / 1024;
  out.push(
    { name: ".wasm size go-headers (proxy-wasm-go-sdk)", value: await kib(goHeaders), unit: "KiB" },
    { name: ".wasm size go-auth (Higress wasm-go)", value: await kib(goAuth), unit: "KiB" },
    { name: ".wasm size add-header (AssemblyScript)", value: await kib(addHeader), unit: "KiB" },
  );

  const go = await HostPlugin.load({ name: "go_headers", wasm: goHeaders, isolation: "in-thread" });
  const as = await HostPlugin.load({ name: "add_header", wasm: addHeader, isolation: "in-thread" });
  try {
    const goUs = await responseHeadersCost(
      await go.configure('{"response":{"x-go-hello":"world"}}'),
    );
    const asUs = await responseHeadersCost(await as.configure("world"));
    out.push(
      { name: "on_http_response_headers go-headers, in-thread", value: goUs, unit: "µs/call" },
      { name: "on_http_response_headers add-header (AS), in-thread", value: asUs, unit: "µs/call" },
      { name: "ratio go-headers / add-header per call", value: goUs / asUs, unit: "x" },
    );
  } finally {
    await go.close();
    await as.close();
  }
  return out;
}
