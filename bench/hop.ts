// Benchmark: what one round trip to a worker thread costs this machine, with the worker idle between messages (one at
// a time) and kept busy (16 in flight). Every plugin call of `orwasm dev` and of the embedded engine is such a trip;
// where a thread sleeps and is woken for each message, the waking can cost more CPU than the plugin.
import { MessageChannel, receiveMessageOnPort, Worker } from "node:worker_threads";
import { median, type BenchResult } from "./result.js";
import { spentBetween, threadMicros } from "./threads.js";

const QUICK = process.argv.includes("--quick");

export async function benchHop(): Promise<BenchResult[]> {
  const { port1, port2 } = new MessageChannel();
  // the worker answers each message at once, as text, the way plugin workers answer
  const worker = new Worker(
    `const { workerData } = require("node:worker_threads");
     workerData.port.on("message", (m) => workerData.port.postMessage(JSON.stringify(m)));`,
    { eval: true, workerData: { port: port2 }, transferList: [port2] },
  );
  const waiting = new Map<number, () => void>();
  const settle = (text: string): void => {
    const id = (JSON.parse(text) as { id: number }).id;
    waiting.get(id)?.();
    waiting.delete(id);
  };
  port1.on("message", (text: string) => {
    settle(text);
    for (let m = receiveMessageOnPort(port1); m; m = receiveMessageOnPort(port1))
      settle(m.message as string);
  });
  let next = 0;
  const trip = () =>
    new Promise<void>((ok) => {
      const id = next++;
      waiting.set(id, ok);
      port1.postMessage({ id });
    });
  const run = async (count: number, inFlight: number) => {
    let sent = 0;
    const before = threadMicros();
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: inFlight }, async () => {
        while (sent < count) {
          sent++;
          await trip();
        }
      }),
    );
    const wallUs = ((performance.now() - t0) * 1000) / count;
    const after = threadMicros();
    const spent = before && after ? spentBetween(before, after) : undefined;
    return {
      wallUs,
      mainUs: spent ? spent.main / count : Number.NaN,
      workerUs: spent ? spent.other / count : Number.NaN,
    };
  };
  try {
    await run(2000, 16); // warm-up
    const out: BenchResult[] = [];
    for (const [inFlight, count] of [
      [1, QUICK ? 1000 : 3000],
      [16, QUICK ? 10_000 : 50_000],
    ] as const) {
      const rounds = [];
      for (let r = 0; r < (QUICK ? 1 : 3); r++) rounds.push(await run(count, inFlight));
      const label = inFlight === 1 ? "one at a time (the worker idles between)" : "16 in flight";
      out.push(
        {
          name: `round trip, ${label}: time`,
          value: median(rounds.map((x) => x.wallUs)),
          unit: "µs",
        },
        {
          name: `round trip, ${label}: main thread CPU`,
          value: median(rounds.map((x) => x.mainUs)),
          unit: "µs",
        },
        {
          name: `round trip, ${label}: worker CPU`,
          value: median(rounds.map((x) => x.workerUs)),
          unit: "µs",
        },
      );
    }
    return out;
  } finally {
    port1.close();
    await worker.terminate();
  }
}
