// Drives Debian's wrk against a gateway on loopback and reads back its figures (req/s, p99, requests, errors).
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";

/** One wrk run's figures. */
export interface LoadFigures {
  reqPerSec: number;
  p99Ms: number;
  requests: number;
  seconds: number;
  /** Socket errors plus non-2xx/3xx responses. */
  errors: number;
}

/** How to load: seconds, connections, and an optional request body (sent as POST). */
export interface LoadOptions {
  seconds: number;
  connections?: number;
  body?: number;
}

/** wrk's unit suffixes for latencies. */
const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000 };

/** Parses wrk's `--latency` report. */
export function parseWrk(out: string): LoadFigures {
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(out);
  const p99 = /^\s*99%\s+([\d.]+)(us|ms|s|m)\s*$/m.exec(out);
  const total = /(\d+) requests in ([\d.]+)(us|ms|s|m),/.exec(out);
  if (!rps || !p99 || !total) throw new Error(`cannot read wrk's report:\n${out}`);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(out);
  const errors =
    (socket ? socket.slice(1).reduce((n, v) => n + Number(v), 0) : 0) +
    (non2xx ? Number(non2xx[1]) : 0);
  return {
    reqPerSec: Number(rps[1]),
    p99Ms: Number(p99[1]) * UNIT_MS[p99[2]!]!,
    requests: Number(total[1]),
    seconds: (Number(total[2]) * UNIT_MS[total[3]!]!) / 1000,
    errors,
  };
}

/** A wrk script that POSTs a body of `size` bytes. */
function bodyScript(size: number): string {
  const dir = mkdtempSync(join(tmpdir(), "orwasm-bench-wrk-"));
  const file = join(dir, `post-${size}.lua`);
  writeFileSync(
    file,
    `wrk.method = "POST"\nwrk.body = string.rep("x", ${size})\nwrk.headers["Content-Type"] = "application/octet-stream"\n`,
  );
  return file;
}

/** Loads `url` for `opts.seconds` with one wrk thread (the gateway gets the other core). */
export async function wrk(url: string, opts: LoadOptions): Promise<LoadFigures> {
  const args = [
    "-t1",
    `-c${opts.connections ?? 16}`,
    `-d${Math.max(1, Math.round(opts.seconds))}s`,
    "--latency",
    "--timeout",
    "10s",
  ];
  if (opts.body !== undefined) args.push("-s", bodyScript(opts.body));
  const r = await execa("wrk", [...args, url], {
    reject: false,
    timeout: (opts.seconds + 30) * 1000,
  });
  if (r.exitCode !== 0) throw new Error(`wrk failed (${r.exitCode}): ${r.stderr || r.stdout}`);
  return parseWrk(r.stdout);
}

/** True when wrk is installed (scripts/setup-wrk.sh installs Debian's). */
export async function hasWrk(): Promise<boolean> {
  const r = await execa("wrk", ["--version"], { reject: false });
  return r.stdout.includes("wrk") || r.stderr.includes("wrk");
}
