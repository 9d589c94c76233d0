// The benches' one reader of per-thread CPU time: which thread pays for a plugin call is what they measure.
import { existsSync, readdirSync, readFileSync } from "node:fs";

/** Every thread's CPU time so far, in µs, by thread id (Linux, from schedstat); undefined elsewhere. */
export function threadMicros(): Map<number, number> | undefined {
  if (!existsSync("/proc/self/task")) return undefined;
  const out = new Map<number, number>();
  for (const tid of readdirSync("/proc/self/task")) {
    try {
      const run = readFileSync(`/proc/self/task/${tid}/schedstat`, "utf8").split(" ")[0];
      out.set(Number(tid), Number(run) / 1000);
    } catch {
      // the thread ended while the list was read
    }
  }
  return out;
}

/** The CPU time spent between two readings: the main thread's and the sum of all the others', in µs. */
export function spentBetween(
  before: Map<number, number>,
  after: Map<number, number>,
): { main: number; other: number } {
  let main = 0;
  let other = 0;
  for (const [tid, us] of after) {
    const spent = us - (before.get(tid) ?? 0);
    if (tid === process.pid) main += spent;
    else other += spent;
  }
  return { main, other };
}
