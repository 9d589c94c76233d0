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
  /**
   * Requests written to a keep-alive connection the server then closed without answering them. nginx's old workers
   * close their idle keep-alive connections when a reload begins, and a request written at that instant is never
   * read; autocannon does not count it anywhere but sends the next request on a new connection (as HTTP/1.1
   * clients retry an idempotent request there, RFC 9112 section 9.3.1).
   */
  closedUnanswered: number;
  /** When each of those connections closed (performance.now() clock). */
  closedUnansweredAtMs: number[];
  /** Connections closed after a response that said "Connection: close" (the next request took a new one). */
  closedAsAsked: number;
  /** Requests still waiting for their response when the load ended (at most one per connection). */
  inFlightAtEnd: number;
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
  const closedUnansweredAtMs: number[] = [];
  let closedAsAsked = 0;
  let inFlightAtEnd = 0;
  const instance = autocannon({
    url: opts.url,
    connections: opts.connections,
    overallRate: opts.rate,
    duration: opts.seconds,
    timeout: 10,
    // autocannon's client internals (lib/httpClient.js): a connection's queue of requests written and not answered.
    setupClient: (client: unknown) => {
      const c = client as AutocannonClient;
      const connect = c._connect.bind(c);
      c._connect = () => {
        connect();
        // Before autocannon's own 'end' listener, which connects again and writes the next request.
        c.conn.prependListener("end", () => {
          const n = c.pipelinedRequests.size();
          for (let k = 0; k < n; k++) closedUnansweredAtMs.push(performance.now());
          c.pipelinedRequests.clear();
        });
      };
      const doRequest = c._doRequest.bind(c);
      c._doRequest = () => {
        const ctx = c.requestIterator.context;
        if (!ctx.mustClose) return doRequest();
        ctx.mustClose = false;
        closedAsAsked++;
        c._destroyConnection();
        c._connect(); // writes the next request on the new connection
      };
      const destroy = c.destroy.bind(c);
      c.destroy = () => {
        if (!c.destroyed) inFlightAtEnd += c.pipelinedRequests.size();
        destroy();
      };
    },
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
          // "Connection: close": a client MUST NOT send another request on this connection (RFC 9112 section
          // 9.6); autocannon would, and lose it when the server closes. nginx says it on every response a
          // worker sends once it is shutting down (a reload), so the next request goes on a new connection.
          const connection = Object.entries(headers).find(
            ([k]) => k.toLowerCase() === "connection",
          );
          if (connection && /\bclose\b/i.test(connection[1])) ctx.mustClose = true;
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
    closedUnanswered: closedUnansweredAtMs.length,
    closedUnansweredAtMs,
    closedAsAsked,
    inFlightAtEnd,
    swapStartMs,
    swapEndMs,
    swapError,
  };
}

/** The parts of autocannon's Client that setupClient hooks. */
interface AutocannonClient {
  conn: import("node:net").Socket;
  destroyed: boolean;
  pipelinedRequests: { size(): number; clear(): void };
  requestIterator: { context: Record<string, unknown> };
  _connect(): void;
  _doRequest(): void;
  _destroyConnection(): void;
  destroy(): void;
}

/** Figures for the report: from the swap's start to the first response carrying `version` (ms), or undefined. */
export function msToFirst(o: LoadOutcome, version: string): number | undefined {
  const first = o.samples.find((s) => s.version === version && s.atMs >= o.swapStartMs);
  return first ? first.atMs - o.swapStartMs : undefined;
}
