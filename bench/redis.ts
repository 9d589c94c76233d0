// Benchmark: req/s through `orwasm dev` for the go-redis-blacklist example (higress profile, real Redis) vs the
// same route without plugins, and Redis round trips per request (the server's total_commands_processed).
import { execFileSync } from "node:child_process";
import { cp, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { request, Agent } from "node:http";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { startDevServer } from "../src/gateway/dev-server.js";
import { redis } from "../test/fixtures/redis.js";
import type { BenchResult } from "./result.js";

const REQUESTS = 2000;
const CONCURRENCY = 16;

async function load(url: string): Promise<number> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  let sent = 0;
  const one = () =>
    new Promise<void>((ok, fail) => {
      request(url, { agent, headers: { "x-api-key": "bench-user" } }, (res) => {
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
  for (let i = 0; i < 100; i++) await one();
  sent = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  agent.destroy();
  return REQUESTS / ((performance.now() - t0) / 1000);
}

async function commands(): Promise<number> {
  const reply: unknown = await redis("INFO", "stats");
  const info = typeof reply === "string" ? reply : Buffer.isBuffer(reply) ? reply.toString() : "";
  return Number(/total_commands_processed:(\d+)/.exec(info)?.[1] ?? NaN);
}

const setup = resolve(import.meta.dirname, "../scripts/setup-redis.sh");

export async function benchRedis(): Promise<BenchResult[]> {
  // the test Redis (scripts/setup-redis.sh): started here when it is not running, and stopped again
  const running = await redis("PING").then(
    () => true,
    () => false,
  );
  if (!running) execFileSync("bash", [setup, "start"], { stdio: "inherit" });
  try {
    return await measure();
  } finally {
    if (!running) execFileSync("bash", [setup, "stop"], { stdio: "inherit" });
  }
}

async function measure(): Promise<BenchResult[]> {
  const dir = await mkdtemp(join(tmpdir(), "orwasm-bench-redis-"));
  await cp(resolve(import.meta.dirname, "../examples/go-redis-blacklist"), dir, {
    recursive: true,
  });
  const file = join(dir, "orwasm.yaml");
  const text = await readFile(file, "utf8");
  await writeFile(
    file,
    text.replace(
      "        plugins: [blacklist]\n",
      "        plugins: [blacklist]\n      - path: /without\n        upstream: backend\n",
    ),
  );
  const dev = await startDevServer(file, { port: 0, watch: false, log: () => undefined });
  try {
    const base = dev.urls[0]!;
    const without = await load(`${base}/without`);
    const before = await commands();
    const withPlugin = await load(`${base}/`);
    const after = await commands();
    const perRequest = (after - before - 1) / (REQUESTS + 100);
    return [
      { name: "dev go-redis-blacklist (GET per request)", value: withPlugin, unit: "req/s" },
      { name: "dev same route without plugins", value: without, unit: "req/s" },
      { name: "with/without", value: withPlugin / without, unit: "ratio" },
      { name: "redis round trips per request", value: perRequest, unit: "commands" },
    ];
  } finally {
    await dev.close();
  }
}
