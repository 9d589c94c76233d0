// One plugin context on one request, driven the way lib/resty/proxy-wasm.lua drives it:
// request phases loop over local responses and http calls, response phases only report traps.

import { RC_NEED_HTTP_CALL, type HttpPhase } from "./abi.js";
import {
  buildHttpCallRequest,
  callbackHeaders,
  type HttpCallDispatcher,
  type HttpCallResponse,
} from "./dispatcher.js";
import type { EngineCall, HttpReply, LogEntry, ReplyFor, TrapInfo } from "./runtime/protocol.js";
import { DeadlineExceeded } from "./runtime/transport.js";
import { followHigress, type RedisDispatcher } from "./higress-driver.js";
import { toBytes, type HostRequest, type UpstreamResponse } from "./request.js";
import type { PhaseOutcome, PhaseResult, PluginFailure } from "./types.js";

/** What a stream needs from its plugin context. */
export interface StreamHost {
  readonly pluginName: string;
  /** Current root context id (it changes when the instance is recreated after a deadline). */
  rootId(): number;
  dispatcher(): HttpCallDispatcher;
  /** Where Redis commands go (higress profile). */
  redis?(): RedisDispatcher | undefined;
  /** Sends a call to the engine; rejects with DeadlineExceeded / EngineDied. */
  call<C extends EngineCall>(call: C): Promise<ReplyFor<C>>;
  /** Registers the request so the engine runs proxy_on_done/proxy_on_delete at its end. */
  hold(req: HostRequest): void;
  /** The engine already ended the request for this plugin (a call with `finish`): nothing left to do at its end. */
  release(req: HostRequest): void;
  /** Recreates the instance if needed, then hands over host log lines waiting to be reported. */
  prepare(): Promise<LogEntry[]>;
  /** Drops the instance so the next call recreates it (after it ran out of memory). */
  recycle(reason: string): Promise<void>;
}

// lib/resty/proxy-wasm.lua error strings
const LUA_ERRORS: Record<HttpPhase | "http_call_response", string> = {
  request_headers: "failed to run proxy_on_http_request_headers",
  request_body: "failed to run proxy_on_http_request_body",
  response_headers: "failed to run proxy_on_http_response_headers",
  response_body: "failed to run proxy_on_http_response_body",
  http_call_response: "failed to run proxy_on_http_call_response",
};

const dec = new TextDecoder();

/** A plugin's HTTP context on one request. */
export class HttpStream {
  constructor(
    private readonly host: StreamHost,
    /** The request this stream runs on (shared with other plugins' streams). */
    readonly request: HostRequest,
  ) {}

  /** Plugin name. */
  get plugin(): string {
    return this.host.pluginName;
  }

  /** proxy_wasm.on_http_request_headers(ctx) */
  onRequestHeaders(): Promise<PhaseResult> {
    return this.requestPhase("request_headers", undefined, true);
  }

  /** proxy_wasm.on_http_request_body(ctx, body, eof); the body also becomes the request's body. */
  onRequestBody(body: Uint8Array | string, end = true): Promise<PhaseResult> {
    const bytes = toBytes(body) ?? new Uint8Array(0);
    if (this.request.body === undefined) this.request.body = bytes;
    return this.requestPhase("request_body", bytes, end);
  }

  /**
   * proxy_wasm.on_http_response_headers(ctx) in header_filter. `response` is applied first when
   * the request has no response yet (a single-plugin run); runRequest applies it itself.
   */
  async onResponseHeaders(
    response?: UpstreamResponse,
    /** @internal the request's last call to this plugin: end the request for it in the same engine call. */
    last?: { finishRequest: boolean },
  ): Promise<PhaseResult> {
    if (response && this.request.state.response.status === 0) {
      this.request.applyUpstreamResponse(response);
    }
    this.request.setPhase("header_filter");
    return this.responsePhase("response_headers", undefined, true, last?.finishRequest === true);
  }

  /** proxy_wasm.on_http_response_body(ctx) in body_filter with ngx.arg[1], ngx.arg[2]. */
  onResponseBody(chunk: Uint8Array | string, eof: boolean): Promise<PhaseResult> {
    this.request.setPhase("body_filter");
    this.request.state.response.headerSent = true;
    return this.responsePhase("response_body", toBytes(chunk) ?? new Uint8Array(0), eof);
  }

  /** Runs proxy_on_done + proxy_on_delete for every plugin on the request (request end). */
  finish(): Promise<LogEntry[]> {
    return this.request.finish();
  }

  private async callHttp(
    phase: HttpPhase,
    body: Uint8Array | undefined,
    eob: boolean,
    finish = false,
  ): Promise<HttpReply | PluginFailure> {
    this.host.hold(this.request);
    const call: EngineCall = {
      op: "http",
      rootId: this.host.rootId(),
      reqKey: this.request.key,
      phase,
      req: this.request.state,
      eob,
    };
    if (body !== undefined) call.body = body;
    if (finish) call.finish = true;
    const reply = await this.send(call, phase);
    if ("rc" in reply && reply.finishLogs) this.host.release(this.request);
    return reply;
  }

  private async send(
    call: Extract<EngineCall, { op: "http" | "httpCallResponse" | "higressCallResponse" }>,
    phase: HttpPhase | "http_call_response",
  ): Promise<HttpReply | PluginFailure> {
    try {
      const reply: HttpReply = await this.host.call(call);
      this.request.state = reply.req;
      return reply;
    } catch (err) {
      if (err instanceof DeadlineExceeded) {
        return this.failure(phase, "deadline", err.message);
      }
      return this.failure(phase, "crash", `the plugin's engine is gone: ${(err as Error).message}`);
    }
  }

  private failure(
    phase: HttpPhase | "http_call_response",
    kind: PluginFailure["kind"],
    detail: string,
  ): PluginFailure {
    return { plugin: this.plugin, phase, kind, message: LUA_ERRORS[phase], detail };
  }

  private trapFailure(phase: HttpPhase | "http_call_response", reply: HttpReply): PluginFailure {
    const trap: TrapInfo | undefined = reply.trap;
    if (trap?.kind === "memory") {
      // the instance's memory stays exhausted: orwasm (not the module) starts a fresh one
      void this.host.recycle(`it reached its memory limit in ${trap.callback}`);
    }
    if (trap) return this.failure(phase, trap.kind, `${trap.callback}: ${trap.message}`);
    return this.failure(phase, "declined", `the module returned ${reply.rc}`);
  }

  /** lib/resty/proxy-wasm.lua:on_http_request */
  private async requestPhase(
    phase: HttpPhase,
    body: Uint8Array | undefined,
    eob: boolean,
  ): Promise<PhaseResult> {
    const logs: LogEntry[] = await this.prepared();
    const calls: PhaseResult["httpCalls"] = [];
    const done = (outcome: PhaseOutcome): PhaseResult => {
      this.request.logs.push(...logs);
      this.request.httpCalls.push(...calls);
      return { plugin: this.plugin, phase, outcome, logs, httpCalls: calls };
    };

    let reply = await this.callHttp(phase, body, eob);
    if (!("rc" in reply)) return done({ kind: "failed", failure: reply });
    logs.push(...reply.logs);
    if (reply.rc < 0) return done({ kind: "failed", failure: this.trapFailure(phase, reply) });
    if (reply.higress) {
      // higress profile: Envoy's pause and resume instead of the Lua driver's loop
      return done(
        await followHigress(
          reply,
          {
            plugin: this.plugin,
            send: (c) => this.send(c, "http_call_response"),
            callFor: (c) => ({
              op: "higressCallResponse",
              rootId: this.host.rootId(),
              reqKey: this.request.key,
              req: this.request.state,
              calloutId: c.calloutId,
            }),
            http: this.host.dispatcher(),
            redis: this.host.redis?.(),
            trap: (r) => this.trapFailure("http_call_response", r),
            stalled: (detail) => this.failure(phase, "stalled", detail),
            log: (level, message) => this.hostLog(level, message),
          },
          logs,
          calls,
          this.request.redisCalls,
        ),
      );
    }

    for (;;) {
      if (reply.rc >= 100) {
        return done({ kind: "local-response", status: reply.rc, body: reply.localBody });
      }
      if (reply.rc === RC_NEED_HTTP_CALL) {
        const callout = reply.callout;
        if (!callout && reply.trap?.kind === "crash") {
          return done({
            kind: "failed",
            failure: this.failure(phase, "crash", reply.trap.message),
          });
        }
        if (!callout) {
          // Pause (1) collides with RC_NEED_HTTP_CALL; ngx_http_wasm_call_max_headers_count
          // then dereferences the NULL callout
          return done({
            kind: "failed",
            failure: this.failure(
              phase,
              "crash",
              "the callback returned 1 (Pause) without a pending proxy_http_call: wasm-nginx-module " +
                "reads it as RC_NEED_HTTP_CALL and dereferences a NULL callout (nginx worker crash)",
            ),
          });
        }
        const request = buildHttpCallRequest(this.plugin, callout);
        logs.push(
          this.hostLog(
            "notice",
            `send http request to ${request.url}, method: ${request.method}, timeout in ms: ${request.timeoutMs}`,
          ),
        );
        let response: HttpCallResponse | undefined;
        let error = "no response";
        try {
          response = (await this.host.dispatcher()(request)) ?? undefined;
        } catch (err) {
          error = (err as Error).message;
        }
        if (!response) {
          logs.push(this.hostLog("error", `http call failed: ${error}, uri: ${request.url}`));
        }
        calls.push({ request, response });
        const next = await this.send(
          {
            op: "httpCallResponse",
            rootId: this.host.rootId(),
            reqKey: this.request.key,
            req: this.request.state,
            headers: response ? callbackHeaders(response) : undefined,
            body: response?.body !== undefined ? toBytes(response.body) : undefined,
          },
          "http_call_response",
        );
        if (!("rc" in next)) return done({ kind: "failed", failure: next });
        logs.push(...next.logs);
        if (next.rc < 0) {
          return done({ kind: "failed", failure: this.trapFailure("http_call_response", next) });
        }
        reply = next;
        continue;
      }
      if (reply.rc === 0) return done({ kind: "continue" });
      return done({
        kind: "failed",
        failure: this.failure(
          phase,
          "hang",
          `the callback returned ${reply.rc}: lib/resty/proxy-wasm.lua only handles 0, 1 and codes >= 100, ` +
            "so its loop would spin forever on this request",
        ),
      });
    }
  }

  /** lib/resty/proxy-wasm.lua:_M.on_http_response_headers / _M.on_http_response_body */
  private async responsePhase(
    phase: HttpPhase,
    body: Uint8Array | undefined,
    eob: boolean,
    finish = false,
  ): Promise<PhaseResult> {
    const logs: LogEntry[] = await this.prepared();
    const reply = await this.callHttp(phase, body, eob, finish);
    let outcome: PhaseOutcome;
    if (!("rc" in reply)) outcome = { kind: "failed", failure: reply };
    else {
      logs.push(...reply.logs);
      // any non-negative rc is fine here: local-response codes and pending calls are ignored
      outcome =
        reply.rc < 0
          ? { kind: "failed", failure: this.trapFailure(phase, reply) }
          : { kind: "continue" };
    }
    this.request.logs.push(...logs);
    // what ending the request logged belongs to the request's end, not to this phase
    if ("rc" in reply && reply.finishLogs) this.request.logs.push(...reply.finishLogs);
    return { plugin: this.plugin, phase, outcome, logs, httpCalls: [] };
  }

  /** Host lines to report first; a failed re-creation surfaces in the call that follows. */
  private async prepared(): Promise<LogEntry[]> {
    try {
      return await this.host.prepare();
    } catch (err) {
      return [
        this.hostLog(
          "error",
          `orwasm: could not recreate the plugin instance: ${(err as Error).message}`,
        ),
      ];
    }
  }

  private hostLog(level: LogEntry["level"], message: string): LogEntry {
    return { level, message, source: "host", plugin: this.plugin };
  }
}

/** Decodes bytes for display. */
export function text(bytes: Uint8Array | undefined): string {
  return bytes ? dec.decode(bytes) : "";
}
