// Benchmark: requests per second through `orwasm dev` with the add-header plugin vs the same route without plugins.
import { mkdtempSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startDevServer } from "../src/gateway/dev-server.js";
import { buildExample } from "../test/fixtures/host-plugins/build.js";
import type { BenchResult } from "./result.js";

const REQUESTS = 3000;
const CONCURRENCY = 16;
// Rounds per route, alternating; the best of each counts (the machine may be shared with other work).
const ROUNDS = 5;

/** Sends `REQUESTS` GETs over keep-alive connections, `CONCURRENCY` at a time; returns requests per second. */
async function load(url: string): Promise<number> {
  const { Agent } = await import("node:http");
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  let sent = 0;
  const one = () =>
    new Promise<void>((ok, fail) => {
      request(url, { agent }, (res) => {
        res.resume();
        res.on("end", () =>
          res.statusCode === 200 ? ok() : fail(new Error(`status ${res.statusCode}`)),
        );
      })
        .on("error", fail)
        .end();
    });
  const worker = async () => {
    while (sent < REQUESTS) {
      sent++;
      await one();
    }
  };
  for (let i = 0; i < 200; i++) await one(); // warm-up
  sent = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const secs = (performance.now() - t0) / 1000;
  agent.destroy();
  return REQUESTS / secs;
}

export async function benchDev(): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), "orwasm-bench-dev-"));
  writeFileSync(join(dir, "add_header.wasm"), await buildExample("add-header"));
  writeFileSync(
    join(dir, "orwasm.yaml"),
    `plugins:
  - { name: add_header, file: add_header.wasm, config: world }
upstreams:
  - { name: backend, servers: ["backend:8080"], mock: echo }
servers:
  - routes:
      - { path: /with, upstream: backend, plugins: [add_header] }
      - { path: /without, upstream: backend }
`,
  );
  const dev = await startDevServer(join(dir, "orwasm.yaml"), {
    port: 0,
    watch: false,
    log: () => {},
  });
  try {
    // Alternate the two routes and keep each one's best round, so JIT warm-up favours neither.
    let without = 0;
    let withPlugin = 0;
    for (let round = 0; round < ROUNDS; round++) {
      without = Math.max(without, await load(`${dev.urls[0]}/without`));
      withPlugin = Math.max(withPlugin, await load(`${dev.urls[0]}/with`));
    }
    return [
      {
        name: `dev: route without plugins, best of ${ROUNDS} (${REQUESTS} req, ${CONCURRENCY} concurrent)`,
        value: without,
        unit: "req/s",
      },
      {
        name: "dev: same route with add-header (wasm-nginx-module profile, worker isolation)",
        value: withPlugin,
        unit: "req/s",
      },
      { name: "dev: with plugin / without", value: withPlugin / without, unit: "x" },
    ];
  } finally {
    await dev.close();
  }
}
