// Benchmark: requests per second through `orwasm dev` with the add-header plugin vs the same route without plugins,
// on the built package (dist/, what the orwasm command runs), with the CPU time per request of each thread.
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { Agent, request } from "node:http";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { buildExample } from "../test/fixtures/host-plugins/build.js";
import { median, type BenchResult } from "./result.js";
import { spentBetween, threadMicros } from "./threads.js";

const QUICK = process.argv.includes("--quick");
const REQUESTS = QUICK ? 2000 : 6000;
const CONCURRENCY = 16;
// Rounds per route, alternating; the ratio reported is the median of the rounds' own ratios (the machine may be
// shared, and a 2-CPU machine moves the plugin's thread around).
const ROUNDS = QUICK ? 5 : 11;
/** Seconds per round of the client in its own process. */
const SECONDS = QUICK ? 1 : 2;

/** The main thread's CPU time so far, in µs (Linux); undefined elsewhere. */
function mainThreadMicros(): number | undefined {
  return threadMicros()?.get(process.pid);
}

type Run = { rps: number; mainUs?: number; otherUs?: number };

/**
 * Sends `requests` GETs over keep-alive connections, `CONCURRENCY` at a time: req/s and main-thread µs/request.
 * `agent` keeps its connections from round to round; without one, each round opens its own.
 */
async function load(url: string, requests: number, agent?: Agent): Promise<Run> {
  const via = agent ?? new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  let sent = 0;
  const one = () =>
    new Promise<void>((ok, fail) => {
      request(url, { agent: via }, (res) => {
        res.resume();
        res.on("end", () =>
          res.statusCode === 200 ? ok() : fail(new Error(`status ${res.statusCode}`)),
        );
      })
        .on("error", fail)
        .end();
    });
  const worker = async () => {
    while (sent < requests) {
      sent++;
      await one();
    }
  };
  const cpu0 = mainThreadMicros();
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const secs = (performance.now() - t0) / 1000;
  const cpu1 = mainThreadMicros();
  if (!agent) via.destroy();
  return {
    rps: requests / secs,
    ...(cpu0 !== undefined && cpu1 !== undefined ? { mainUs: (cpu1 - cpu0) / requests } : {}),
  };
}

const AUTOCANNON = createRequire(import.meta.url).resolve("autocannon/autocannon.js");

/**
 * The same load sent by autocannon in a process of its own, as someone measuring `orwasm dev` with a load tool
 * would: req/s over autocannon's own run, and the CPU time per request of this process's main thread and of its
 * other threads (the plugin's worker, the garbage collector's helpers).
 */
async function external(url: string, seconds: number): Promise<Run> {
  const before = threadMicros();
  const { stdout } = await execa(process.execPath, [
    AUTOCANNON,
    ...["-c", String(CONCURRENCY), "-d", String(seconds), "--json", url],
  ]);
  const after = threadMicros();
  const out = JSON.parse(stdout) as {
    duration: number;
    "2xx": number;
    non2xx: number;
    errors: number;
  };
  if (out.non2xx > 0 || out.errors > 0)
    throw new Error(`${url}: ${out.non2xx} answers other than 2xx, ${out.errors} errors`);
  // autocannon stops on its 1 s sampling tick, so a fixed duration times the run where a request count would not
  const requests = out["2xx"];
  const run: Run = { rps: requests / out.duration };
  if (before && after) {
    const { main, other } = spentBetween(before, after);
    run.mainUs = main / requests;
    run.otherUs = other / requests;
  }
  return run;
}

/** ROUNDS alternating rounds of the two routes (the order flips each round). */
async function rounds(
  without: string,
  withPlugin: string,
  send: (url: string) => Promise<Run>,
): Promise<[Run[], Run[]]> {
  const a: Run[] = [];
  const b: Run[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    if (round % 2 === 0) {
      a.push(await send(without));
      b.push(await send(withPlugin));
    } else {
      b.push(await send(withPlugin));
      a.push(await send(without));
    }
  }
  return [a, b];
}

/** The figures of one client: both routes' median req/s, the median of the rounds' ratios, main-thread µs. */
function figures(label: string, [a, b]: [Run[], Run[]], round = `${REQUESTS}`): BenchResult[] {
  const out: BenchResult[] = [
    {
      name: `dev ${label}: route without plugins (${ROUNDS} rounds of ${round}, ${CONCURRENCY} at a time)`,
      value: median(a.map((r) => r.rps)),
      unit: "req/s",
    },
    {
      name: `dev ${label}: same route with add-header (worker isolation)`,
      value: median(b.map((r) => r.rps)),
      unit: "req/s",
    },
    {
      name: `dev ${label}: with plugin / without`,
      value: median(b.map((r, i) => r.rps / a[i]!.rps)),
      unit: "x",
    },
  ];
  const us = (rs: Run[]) =>
    rs.every((r) => r.mainUs !== undefined) ? median(rs.map((r) => r.mainUs!)) : undefined;
  const usA = us(a);
  const usB = us(b);
  if (usA !== undefined && usB !== undefined) {
    out.push(
      { name: `dev ${label}: main thread CPU per request, without`, value: usA, unit: "µs" },
      {
        name: `dev ${label}: main thread CPU per request, with add-header`,
        value: usB,
        unit: "µs",
      },
    );
  }
  if (b.every((r) => r.otherUs !== undefined)) {
    out.push({
      name: `dev ${label}: other threads' CPU per request, with add-header (the plugin's worker)`,
      value: median(b.map((r) => r.otherUs!)),
      unit: "µs",
    });
  }
  return out;
}

export async function benchDev(): Promise<BenchResult[]> {
  const built = new URL("../dist/gateway/dev-server.js", import.meta.url);
  if (!existsSync(built))
    throw new Error("dist/ is not built: run npm run build (npm run bench does)");
  const { startDevServer } = (await import(
    built.href
  )) as typeof import("../src/gateway/dev-server.js");
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
    const without = `${dev.urls[0]}/without`;
    const withPlugin = `${dev.urls[0]}/with`;
    await load(without, 2000); // warm-up: JIT, the plugin's first contexts
    await load(withPlugin, 2000);
    // Two clients, because the ratio moves with them: connections opened afresh each round (how the first figures,
    // 0.69, were taken), and one set of connections kept for the whole run.
    const fresh = await rounds(without, withPlugin, (url) => load(url, REQUESTS));
    const kept = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    const reused = await rounds(without, withPlugin, (url) => load(url, REQUESTS, kept));
    kept.destroy();
    // A third client, in its own process: there the client no longer shares the server's main thread, and on a
    // machine with few CPUs the plugin's worker competes with both for them.
    const apart = await rounds(without, withPlugin, (url) => external(url, SECONDS));
    return [
      ...figures("new connections each round", fresh),
      ...figures("connections kept", reused),
      ...figures("autocannon in its own process", apart, `${SECONDS} s`),
    ];
  } finally {
    await dev.close();
  }
}
