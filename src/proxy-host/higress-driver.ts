// Envoy's side of a paused request under the higress profile: the calls a callback dispatched (Redis and HTTP,
// by cluster name) are performed, each answer runs its callback, and the chain waits until a callback resumes
// (ResumeHttpRequest: the next plugin runs) or answers (SendHttpResponse: the chain ends).

import { buildHttpCallRequest, callbackHeaders, type HttpCallDispatcher } from "./dispatcher.js";
import type { HigressCallout } from "./runtime/higress-api.js";
import type { EngineCall, HttpReply, LogEntry } from "./runtime/protocol.js";
import { toBytes } from "./bytes.js";
import type { HttpCallRecord, PhaseOutcome, PluginFailure } from "./types.js";

/** A Redis command the plugin sent, as orwasm hands it to a Redis server. */
export interface RedisCallRequest {
  plugin: string;
  calloutId: number;
  /** The cluster name the plugin used (without `?` parameters). */
  cluster: string;
  /** The project upstream it maps to, and that upstream's server. */
  upstream: string;
  server: string;
  username: string;
  password: string;
  database: number;
  /** proxy_redis_init's timeout, ms (0: none). */
  timeoutMs: number;
  /** The RESP bytes exactly as the plugin built them. */
  query: Uint8Array;
}

/** A Redis answer: the raw reply, or a failure (Higress then calls back with a non-zero status). */
export type RedisCallAnswer = { reply: Uint8Array } | { error: string };

/** Performs one Redis command. */
export type RedisDispatcher = (req: RedisCallRequest) => Promise<RedisCallAnswer>;

/** A Redis call and its answer, as a run reports it. */
export interface RedisCallRecord {
  request: RedisCallRequest;
  answer: RedisCallAnswer;
}

/** Status proxy_on_redis_call_response gets when Redis gave no reply (wasm-go only tests status != 0). */
export const REDIS_STATUS_FAILED = 1;

/** What the loop needs from its stream. */
export interface PauseHost {
  plugin: string;
  send(
    call: Extract<EngineCall, { op: "higressCallResponse" }>,
  ): Promise<HttpReply | PluginFailure>;
  /** Builds the call with the current root id and request state. */
  callFor(
    c: HigressCallout,
  ): Omit<Extract<EngineCall, { op: "higressCallResponse" }>, "redis" | "http">;
  http: HttpCallDispatcher;
  redis: RedisDispatcher | undefined;
  trap(reply: HttpReply): PluginFailure;
  stalled(detail: string): PluginFailure;
  log(level: LogEntry["level"], message: string): LogEntry;
}

type Done = { callout: HigressCallout; redis?: RedisCallAnswer; http?: HttpCallRecord };

/** Follows a higress reply until the plugin continues, answers or fails. */
export async function followHigress(
  first: HttpReply,
  host: PauseHost,
  logs: LogEntry[],
  httpCalls: HttpCallRecord[],
  redisCalls: RedisCallRecord[],
): Promise<PhaseOutcome> {
  let reply = first;
  let paused = (first.higress?.paused ?? false) && !(first.higress?.resumed ?? false);
  const inflight = new Map<number, Promise<Done>>();
  for (;;) {
    if (reply.rc >= 100) {
      return { kind: "local-response", status: reply.rc, body: reply.localBody };
    }
    for (const c of reply.higress?.callouts ?? [])
      inflight.set(c.calloutId, perform(c, host, logs));
    if (inflight.size === 0) {
      if (!paused) return { kind: "continue" };
      return {
        kind: "failed",
        failure: host.stalled(
          "the plugin returned ActionPause and no call it dispatched is pending: Higress holds the request " +
            "until the client or the route timeout gives up",
        ),
      };
    }
    const done = await Promise.race(inflight.values());
    inflight.delete(done.callout.calloutId);
    const call = host.callFor(done.callout);
    let next: HttpReply | PluginFailure;
    if (done.redis) {
      const answer = done.redis;
      const rec = redisCalls.find((r) => r.request.calloutId === done.callout.calloutId);
      if (rec) rec.answer = answer;
      next = await host.send({
        ...call,
        redis:
          "reply" in answer
            ? { status: 0, reply: answer.reply }
            : { status: REDIS_STATUS_FAILED, reply: undefined },
      });
    } else {
      const rec = done.http!;
      httpCalls.push(rec);
      next = await host.send({
        ...call,
        http: rec.response
          ? {
              headers: callbackHeaders(rec.response),
              body: rec.response.body !== undefined ? toBytes(rec.response.body) : undefined,
            }
          : undefined,
      });
    }
    if (!("rc" in next)) return { kind: "failed", failure: next };
    logs.push(...next.logs);
    if (next.rc < 0) return { kind: "failed", failure: host.trap(next) };
    if (next.higress?.resumed) paused = false;
    reply = next;
  }

  async function perform(c: HigressCallout, h: PauseHost, out: LogEntry[]): Promise<Done> {
    if (c.kind === "redis") {
      const request: RedisCallRequest = {
        plugin: h.plugin,
        calloutId: c.calloutId,
        cluster: c.client.cluster,
        upstream: c.client.upstream,
        server: c.client.server,
        username: c.client.username,
        password: c.client.password,
        database: c.client.database,
        timeoutMs: c.client.timeoutMs,
        query: c.query,
      };
      redisCalls.push({ request, answer: { error: "pending" } });
      let answer: RedisCallAnswer;
      if (!h.redis) answer = { error: "no Redis dispatcher is configured for this host" };
      else {
        try {
          answer = await h.redis(request);
        } catch (err) {
          answer = { error: (err as Error).message };
        }
      }
      if ("error" in answer) {
        out.push(h.log("error", `redis call to ${c.client.cluster} failed: ${answer.error}`));
      }
      return { callout: c, redis: answer };
    }
    const request = buildHttpCallRequest(h.plugin, {
      calloutId: c.calloutId,
      upstream: c.server,
      pairs: c.pairs,
      body: c.body,
      timeoutMs: c.timeoutMs,
    });
    let response;
    try {
      response = (await h.http(request)) ?? undefined;
    } catch {
      response = undefined;
    }
    if (!response)
      out.push(h.log("error", `http call to cluster ${c.cluster} failed, uri: ${request.url}`));
    return { callout: c, http: { request, response } };
  }
}
