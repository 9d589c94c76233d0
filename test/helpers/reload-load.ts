// A fixed-rate load (autocannon, loopback only, bounded in count and time) on a gateway while `swap` runs, with every
// response classified by the version it carries: what the reload tests assert and the reload benchmark prints.
import autocannon from "autocannon";

/** One response: when its request was handed to the connection, when it arrived, and what it carried. */
export interface Sample {
  sentMs: number;
  atMs: number;
  status: number;
  version: string | undefined;
}

export interface LoadOutcome {
  /** Requests handed to a connection (setupRequest calls). */
  sent: number;
  /** Responses autocannon counted (2xx and others). */
  responses: number;
  /** Connection errors, timeouts, resets and non-2xx responses. */
  failed: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  samples: Sample[];
  /** When `swap` began and returned (performance.now() clock). */
  swapStartMs: number;
  swapEndMs: number;
  swapError?: unknown;
}

/**
 * Sends `rate` req/s for `seconds` over `connections` keep-alive connections to `url`, runs `swap` after
 * `swapAfterSeconds`, and reads each response's `header` as its version.
 */
export async function loadDuringSwap(opts: {
  url: string;
  header: string;
  rate: number;
  seconds: number;
  connections: number;
  swapAfterSeconds: number;
  swap: () => Promise<void>;
}): Promise<LoadOutcome> {
  const samples: Sample[] = [];
  // Counted here: autocannon's requests.sent adds each connection's per-second rate up front (run.js), so it
  // reports more requests than were written.
  let sent = 0;
  let swapStartMs = 0;
  let swapEndMs = 0;
  let swapError: unknown;
  const instance = autocannon({
    url: opts.url,
    connections: opts.connections,
    overallRate: opts.rate,
    duration: opts.seconds,
    timeout: 10,
    requests: [
      {
        method: "GET",
        setupRequest: (req: object, ctx: Record<string, unknown>) => {
          ctx.sentMs = performance.now();
          sent++;
          return req;
        },
        onResponse: (
          status: number,
          _body: string,
          ctx: Record<string, unknown>,
          headers: Record<string, string>,
        ) => {
          samples.push({
            sentMs: ctx.sentMs as number,
            atMs: performance.now(),
            status,
            version: headers[opts.header],
          });
        },
      } as never,
    ],
  });
  const swapping = new Promise<void>((ok) =>
    setTimeout(() => {
      swapStartMs = performance.now();
      opts
        .swap()
        .catch((err: unknown) => void (swapError = err))
        .finally(() => {
          swapEndMs = performance.now();
          ok();
        });
    }, opts.swapAfterSeconds * 1000),
  );
  const result = await instance;
  await swapping;
  const errors = result.errors;
  const timeouts = result.timeouts;
  const non2xx = result.non2xx;
  return {
    sent,
    responses: result["2xx"] + non2xx,
    failed: errors + timeouts + non2xx + result.resets,
    errors,
    timeouts,
    non2xx,
    samples,
    swapStartMs,
    swapEndMs,
    swapError,
  };
}

/** Figures for the report: from the swap's start to the first response carrying `version` (ms), or undefined. */
export function msToFirst(o: LoadOutcome, version: string): number | undefined {
  const first = o.samples.find((s) => s.version === version && s.atMs >= o.swapStartMs);
  return first ? first.atMs - o.swapStartMs : undefined;
}
