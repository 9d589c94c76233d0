// One request through a location's plugin chain, the way orwasm's rendered nginx.conf drives it
// (templates/partials/lua-runtime.hbs): request headers → request body → upstream → response
// headers → response body, each phase over the plugins in priority order, with a failure policy.

import type { LogEntry } from "./runtime/protocol.js";
import type { RequestInit, RequestState } from "./nginx/request.js";
import { reasonPhrase, specialResponseBody } from "./nginx/special-response.js";
import type { PluginContext } from "./plugin.js";
import { HostRequest, toBytes, type UpstreamRequest, type UpstreamResponse } from "./request.js";
import type { HttpStream } from "./stream.js";
import type { HttpCallRecord, ObservedResponse, PhaseResult, PluginFailure } from "./types.js";

/** The status a fail-closed plugin answers unless its policy names another: the project schema's default too. */
export const DEFAULT_FAILURE_STATUS = 503;

/** What happens when a plugin call fails. */
export interface FailurePolicy {
  /** closed: answer `status` (default DEFAULT_FAILURE_STATUS) and stop; open: log a warning and continue. */
  mode: "closed" | "open";
  status?: number;
}

/** One plugin of a location, in priority order. */
export interface ChainEntry {
  context: PluginContext;
  /** The name logs use (the project's plugin name); default the name the plugin was loaded under (its root id). */
  name?: string;
  /** Default: closed with 500. */
  failure?: FailurePolicy;
}

/** Knobs of the simulated location. */
export interface RunRequestOptions {
  body?: Uint8Array | string;
  /** The upstream or content handler; default answers 200 with an empty body. */
  upstream?: (req: UpstreamRequest) => Promise<UpstreamResponse> | UpstreamResponse;
  /** Phase the request callbacks run in (the rendered location uses access or rewrite). */
  requestPhase?: "access" | "rewrite";
  /** nginx default_type, used when a printed local response sets no Content-Type. */
  defaultType?: string;
  /** The upstream body in chunks, each passed to the body plugins; default: the whole body once. */
  chunked?: boolean;
}

/** Everything a caller can observe of one request. */
export interface RequestOutcome {
  response: ObservedResponse;
  /** What the upstream received; undefined when a plugin or the failure policy answered. */
  upstreamRequest: UpstreamRequest | undefined;
  /** Each plugin callback that ran, in order. */
  phases: PhaseResult[];
  /** Every log line (plugins, module, orwasm runtime), in order. */
  logs: LogEntry[];
  httpCalls: HttpCallRecord[];
  failures: PluginFailure[];
  /**
   * A failure that would take the nginx worker down (kind "crash" or "hang"): no failure policy absorbs
   * it; the request stops and the response is orwasm's 502 naming it.
   */
  fatal?: PluginFailure;
  /** The request the plugins worked on (headers as they left them). */
  request: HostRequest;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Runs one request through `chain` and returns what a client and the upstream would see. */
export async function runRequest(
  chain: readonly ChainEntry[],
  init: RequestInit,
  options: RunRequestOptions = {},
): Promise<RequestOutcome> {
  const req = new HostRequest(init, options.body);
  const streams = new Map<ChainEntry, HttpStream>();
  const stream = (e: ChainEntry): HttpStream => {
    let s = streams.get(e);
    if (!s) {
      s = e.context.newHttpContext(req);
      streams.set(e, s);
    }
    return s;
  };
  const phases: PhaseResult[] = [];
  const failures: PluginFailure[] = [];
  const log = (level: LogEntry["level"], plugin: string, message: string): void => {
    req.logs.push({ level, message, source: "host", plugin });
  };
  const exportsCb = (e: ChainEntry, cb: string): boolean => e.context.plugin.exports(cb);
  const policy = (e: ChainEntry): Required<FailurePolicy> => ({
    mode: e.failure?.mode ?? "closed",
    status: e.failure?.status ?? DEFAULT_FAILURE_STATUS,
  });

  let fatal: PluginFailure | undefined;
  /** lua-runtime.hbs `failed`: true when the request must stop with the policy's status. */
  const failed = (e: ChainEntry, phase: string, f: PluginFailure): number | undefined => {
    failures.push(f);
    if (isFatal(f)) {
      // nothing in Lua runs after a SIGSEGV or inside an endless loop: the policy never gets a say
      fatal = f;
      log(
        "error",
        e.name ?? f.plugin,
        `orwasm: plugin ${e.name ?? f.plugin} failed in ${phase}: ${fatalMessage(f)}`,
      );
      return FATAL_STATUS;
    }
    const p = policy(e);
    const err = `${f.message} (${f.detail})`;
    if (p.mode === "open") {
      log(
        "warn",
        e.name ?? f.plugin,
        `orwasm: plugin ${e.name ?? f.plugin} failed in ${phase} (fail-open, continuing): ${err}`,
      );
      return undefined;
    }
    log(
      "error",
      e.name ?? f.plugin,
      `orwasm: plugin ${e.name ?? f.plugin} failed in ${phase} (fail-closed, answering ${p.status}): ${err}`,
    );
    return p.status;
  };

  // ---- request phases
  req.setPhase(options.requestPhase ?? "access");
  let exit:
    | { status: number; body: Uint8Array | undefined; source: ObservedResponse["source"] }
    | undefined;
  const requestStep = async (
    entries: readonly ChainEntry[],
    label: string,
    run: (s: HttpStream) => Promise<PhaseResult>,
  ): Promise<void> => {
    for (const e of entries) {
      const result = await run(stream(e));
      phases.push(result);
      const o = result.outcome;
      if (o.kind === "local-response") {
        exit = { status: o.status, body: o.body, source: "local-response" };
        return;
      }
      if (o.kind === "failed") {
        const status = failed(e, label, o.failure);
        if (status !== undefined) {
          exit = { status, body: undefined, source: "failure-policy" };
          return;
        }
      }
    }
  };
  await requestStep(
    chain.filter((e) => exportsCb(e, "proxy_on_request_headers")),
    "request headers",
    (s) => s.onRequestHeaders(),
  );
  const bodyPlugins = chain.filter((e) => exportsCb(e, "proxy_on_request_body"));
  if (!exit && bodyPlugins.length > 0 && req.body && req.body.length > 0) {
    const body = req.body;
    await requestStep(bodyPlugins, "request body", (s) => s.onRequestBody(body, true));
  }

  // ---- content: upstream, or ngx.exit
  let upstreamRequest: UpstreamRequest | undefined;
  let upstreamBody: Uint8Array[] = [];
  let nginxErrorPage = false;
  // read afresh each time: a worker-isolated plugin hands back a new copy of the request state
  const resp = (): RequestState["response"] => req.state.response;
  if (exit) {
    resp().status = exit.status;
    if (exit.body) {
      // ngx.status = rc; ngx.print(body): default_type unless a header set Content-Type
      if (resp().contentType === "") resp().contentType = options.defaultType ?? "text/plain";
      resp().contentLengthN = -1;
      upstreamBody = [exit.body];
    } else {
      // ngx.exit(rc) with nothing printed: nginx's own page (ngx_http_special_response_handler)
      resp().errStatus = exit.status;
      const page = exit.status >= 300 ? specialResponseBody(exit.status) : undefined;
      if (page !== undefined) {
        resp().contentType = "text/html";
        resp().contentLengthN = enc.encode(page).length;
        upstreamBody = [enc.encode(page)];
        nginxErrorPage = true;
      } else {
        resp().contentLengthN = 0;
      }
    }
  } else {
    upstreamRequest = req.upstreamRequest();
    req.setPhase("content");
    const answer = options.upstream
      ? await options.upstream(upstreamRequest)
      : ({ status: 200 } as UpstreamResponse);
    req.applyUpstreamResponse(answer);
    const body = toBytes(answer.body) ?? new Uint8Array(0);
    upstreamBody = options.chunked ? splitChunks(body) : [body];
  }

  // ---- header_filter
  req.setPhase("header_filter");
  let failedClosed = false;
  const headerPlugins = chain.filter((x) => exportsCb(x, "proxy_on_response_headers"));
  const noBodyPlugin = !chain.some((x) => exportsCb(x, "proxy_on_response_body"));
  for (const [k, e] of headerPlugins.entries()) {
    if (fatal) break;
    // The request's last call to this plugin, and no other plugin holds the request: the engine ends the request
    // for it in the same call (one worker hop instead of two), and the end's log lines keep nginx's order.
    const holder = e.context.plugin.requestHolder;
    let onlyHolder = true;
    for (const h of req.holders) if (h !== holder) onlyHolder = false;
    const last = noBodyPlugin && k === headerPlugins.length - 1 && onlyHolder;
    const result = await stream(e).onResponseHeaders(undefined, { finishRequest: last });
    phases.push(result);
    if (result.outcome.kind === "failed") {
      const status = failed(e, "response headers", result.outcome.failure);
      if (status !== undefined) {
        // lua-runtime.hbs: ngx.exit(status) in the header filter. nginx drops the response's headers and body
        // (ngx_http_filter_finalize_request, ngx_http_clean_header) and sends its own error page for the status.
        failedClosed = true;
        const page = specialResponseBody(status) ?? "";
        Object.assign(resp(), {
          status,
          errStatus: status,
          list: [],
          contentType: "text/html",
          contentLengthN: enc.encode(page).length,
          chunked: false,
        });
        upstreamBody = [enc.encode(page)];
        break;
      }
    }
  }
  resp().headerSent = true;

  // ---- body_filter
  req.setPhase("body_filter");
  const out: Uint8Array[] = [];
  let aborted = false;
  if (fatal) {
    // the worker is gone (or stuck): no filter runs; orwasm answers in its place
  } else if (failedClosed) {
    // the error page passes the header filter again, where the glue lets it through untouched
    out.push(...upstreamBody);
  } else {
    const bodyPlugins2 = chain.filter((x) => exportsCb(x, "proxy_on_response_body"));
    // the chunks, then the last buffer (empty, eof) as nginx passes them to body filters
    const chunks: [Uint8Array, boolean][] = [
      ...upstreamBody.filter((c) => c.length > 0).map((c): [Uint8Array, boolean] => [c, false]),
      [new Uint8Array(0), true],
    ];
    outer: for (const [chunk, eof] of chunks) {
      for (const e of bodyPlugins2) {
        const result = await stream(e).onResponseBody(chunk, eof);
        phases.push(result);
        if (result.outcome.kind === "failed") {
          if (failed(e, "response body", result.outcome.failure) !== undefined) {
            if (fatal) out.length = 0;
            // ngx.ERROR: the status line is already out, the response is cut
            aborted = true;
            break outer;
          }
        }
      }
      out.push(chunk);
    }
  }

  await req.finish();
  if (fatal) {
    const text = `orwasm: ${fatalMessage(fatal)}\n`;
    const bytes = enc.encode(text);
    return {
      response: {
        status: FATAL_STATUS,
        headers: [["Content-Type", "text/plain"]],
        body: bytes,
        text,
        source: "fatal",
        nginxErrorPage: false,
        aborted: false,
      },
      upstreamRequest,
      phases,
      logs: req.logs,
      httpCalls: req.httpCalls,
      failures,
      fatal,
      request: req,
    };
  }
  const body = concat(out);
  const source: ObservedResponse["source"] = failedClosed
    ? "failure-policy"
    : exit
      ? exit.source
      : "upstream";
  return {
    response: {
      status: resp().errStatus || resp().status,
      headers: req.responseHeaders(),
      body,
      text: dec.decode(body),
      source,
      nginxErrorPage: nginxErrorPage || failedClosed,
      aborted,
    },
    upstreamRequest,
    phases,
    logs: req.logs,
    httpCalls: req.httpCalls,
    failures,
    request: req,
  };
}

/** The status orwasm answers in place of a worker that would crash or hang (no response on a real engine). */
export const FATAL_STATUS = 502;

/** A crash (NULL dereference in the module's C code) or a hang (the Lua driver's endless loop). */
export function isFatal(f: PluginFailure): boolean {
  return f.kind === "crash" || f.kind === "hang";
}

/** "would crash the nginx worker: ..." / "would hang the nginx worker: ...", naming the plugin's callback. */
export function fatalMessage(f: PluginFailure): string {
  const what = f.kind === "hang" ? "would hang the nginx worker" : "would crash the nginx worker";
  return `${what}: plugin ${f.plugin}, ${f.phase}: ${f.detail}`;
}

function splitChunks(body: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < body.length; i += 8192) out.push(body.subarray(i, i + 8192));
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** The status line nginx would send for `status`. */
export function statusLine(status: number): string {
  return `HTTP/1.1 ${status} ${reasonPhrase(status)}`.trimEnd();
}
