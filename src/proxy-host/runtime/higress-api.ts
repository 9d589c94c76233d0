// The higress profile's additions to envoy-like: Higress' host extensions as higress-group/proxy-wasm-go-sdk
// declares them (proxy_redis_init, proxy_redis_call, the Redis reply buffer 9, proxy_call_foreign_function with
// get_log_level), cluster names resolved to the project's upstreams, Envoy's pause/resume, and the properties
// wasm-go reads (route_name, cluster_name, x_request_id, plugin_name).

import { WasmResult } from "../abi.js";
import { decodeHeaderMap } from "../header-map.js";
import type { ApiHost } from "./host-api.js";
import { copyOutTo } from "./copy-out.js";
import type {
  ClusterTarget,
  HigressCallout,
  HigressInit,
  RedisClientParams,
  UnknownCluster,
} from "./higress-types.js";

export type {
  ClusterTarget,
  HigressCallout,
  HigressInit,
  RedisClientParams,
  UnknownCluster,
} from "./higress-types.js";

const R = WasmResult;
const enc = new TextEncoder();
const dec = new TextDecoder();

/** proxy_buffer_type_t 9 in Higress' SDK: the reply of the Redis call being delivered. */
export const BUFFER_REDIS_CALL_RESPONSE = 9;

/** Action values of proxy_on_request_headers & co (Envoy): 0 Continue, 1 Pause. */
export const ACTION_PAUSE = 1;

/** Per-request Higress state: calls not yet handed to the driver, and whether the plugin resumed. */
interface HigressRequest {
  pending: HigressCallout[];
  resumed: boolean;
}

/** The Higress state of one plugin VM. */
export class HigressState {
  readonly redisClients = new Map<string, RedisClientParams>();
  readonly unknownClusters: UnknownCluster[] = [];
  private readonly requests = new Map<number, HigressRequest>();
  /** The Redis reply being delivered (buffer 9). */
  redisReply: Uint8Array | undefined;

  constructor(readonly init: HigressInit) {}

  request(reqKey: number): HigressRequest {
    let r = this.requests.get(reqKey);
    if (!r) {
      r = { pending: [], resumed: false };
      this.requests.set(reqKey, r);
    }
    return r;
  }

  /** Hands over the calls dispatched so far and clears the resume flag read with them. */
  take(reqKey: number): { callouts: HigressCallout[]; resumed: boolean } {
    const r = this.request(reqKey);
    const out = { callouts: r.pending, resumed: r.resumed };
    r.pending = [];
    r.resumed = false;
    return out;
  }

  finish(reqKey: number): void {
    this.requests.delete(reqKey);
  }

  /** The target of a cluster name, `?` parameters cut off. */
  resolve(name: string): ClusterTarget | undefined {
    const base = name.split("?")[0] ?? name;
    return this.init.clusters[base];
  }
}

/** What the Higress functions need beyond ApiHost. */
export interface HigressHost extends ApiHost {
  /** Root context of the running callback. */
  currentRootId(): number | undefined;
  higress: HigressState;
  /** The request key of the running callback, or undefined in a root context. */
  currentReqKey(): number | undefined;
  /** The base (module) functions, to fall back on. */
  base: Record<string, (...args: never[]) => number>;
}

type HostFn = (...args: never[]) => number;

/** Parses `cluster?db=1&buffer_flush_timeout=3` as proxy_redis_init receives it. */
export function parseClusterParams(name: string): { base: string; params: Record<string, string> } {
  const q = name.indexOf("?");
  if (q === -1) return { base: name, params: {} };
  const params: Record<string, string> = {};
  for (const part of name.slice(q + 1).split("&")) {
    if (part === "") continue;
    const eq = part.indexOf("=");
    if (eq === -1) params[part] = "";
    else params[part.slice(0, eq)] = part.slice(eq + 1);
  }
  return { base: name.slice(0, q), params };
}

/** The functions the higress profile adds to or overrides in envoy-like's table. */
export function higressApi(host: HigressHost): Record<string, HostFn> {
  const vm = host.vm;
  const st = host.higress;
  const text = (data: number, size: number): string | undefined => {
    if (size === 0) return "";
    const b = vm.mem(data, size);
    return b ? dec.decode(b) : undefined;
  };
  const copyOut = copyOutTo(vm);
  const unknown = (cluster: string, call: UnknownCluster["call"]): number => {
    st.unknownClusters.push({ cluster, call });
    host.log("error", `${call}: cluster ${cluster} not found`);
    // Envoy answers a call to a cluster it does not know with BadArgument
    return R.BadArgument;
  };
  /** Queues a callout for the running request and writes its id to `calloutAddr`; `call` names the host function. */
  const queueCallout = (
    call: string,
    calloutAddr: number,
    callout: (calloutId: number) => HigressCallout,
  ): number => {
    const reqKey = host.currentReqKey();
    if (reqKey === undefined) {
      host.log("error", `${call} outside a request is not supported by orwasm's host`);
      return R.BadArgument;
    }
    const id = host.nextCalloutId();
    st.request(reqKey).pending.push(callout(id));
    return vm.writeI32(calloutAddr, id) ? R.Ok : R.InvalidMemoryAccess;
  };
  const baseGetBuffer = host.base["proxy_get_buffer_bytes"] as unknown as (
    ...a: number[]
  ) => number;
  const baseGetProperty = host.base["proxy_get_property"] as unknown as (...a: number[]) => number;

  return {
    proxy_redis_init: (
      clusterData: number,
      clusterSize: number,
      userData: number,
      userSize: number,
      passData: number,
      passSize: number,
      timeout: number,
    ) => {
      const name = text(clusterData, clusterSize);
      const username = text(userData, userSize);
      const password = text(passData, passSize);
      if (name === undefined || username === undefined || password === undefined) {
        return R.InvalidMemoryAccess;
      }
      const { base, params } = parseClusterParams(name);
      const target = st.resolve(base);
      if (!target || target.kind !== "redis") return unknown(base, "proxy_redis_init");
      const database = Number(params["db"] ?? "0");
      // per plugin context: two configs of one plugin may init the same cluster with other credentials
      st.redisClients.set(`${host.currentRootId() ?? 0}|${base}`, {
        cluster: base,
        upstream: target.upstream,
        server: target.server,
        username,
        password,
        timeoutMs: timeout >>> 0,
        database: Number.isInteger(database) ? database : 0,
        params,
      });
      host.log("info", `redis client for cluster ${base} -> upstream ${target.upstream}`);
      return R.Ok;
    },

    proxy_redis_call: (
      clusterData: number,
      clusterSize: number,
      queryData: number,
      querySize: number,
      calloutAddr: number,
    ) => {
      const name = text(clusterData, clusterSize);
      const query = vm.mem(queryData, querySize);
      if (name === undefined || !query) return R.InvalidMemoryAccess;
      const { base } = parseClusterParams(name);
      const client = st.redisClients.get(`${host.currentRootId() ?? 0}|${base}`);
      if (!client) {
        if (!st.resolve(base)) return unknown(base, "proxy_redis_call");
        host.log("error", `proxy_redis_call: no redis client was initialised for cluster ${base}`);
        return R.BadArgument;
      }
      return queueCallout("proxy_redis_call", calloutAddr, (calloutId) => ({
        kind: "redis",
        calloutId,
        client,
        query: query.slice(),
      }));
    },

    proxy_http_call: (
      upData: number,
      upSize: number,
      headerData: number,
      headerSize: number,
      bodyData: number,
      bodySize: number,
      _trailerData: number,
      _trailerSize: number,
      timeout: number,
      calloutAddr: number,
    ) => {
      const name = text(upData, upSize);
      if (name === undefined) return R.InvalidMemoryAccess;
      const target = st.resolve(name);
      if (!target || target.kind !== "http") return unknown(name, "proxy_http_call");
      const map = headerSize > 0 ? vm.mem(headerData, headerSize) : new Uint8Array(0);
      const body = bodySize > 0 ? vm.mem(bodyData, bodySize) : undefined;
      if (!map || (bodySize > 0 && !body)) return R.InvalidMemoryAccess;
      return queueCallout("proxy_http_call", calloutAddr, (calloutId) => ({
        kind: "http",
        calloutId,
        cluster: name,
        upstream: target.upstream,
        server: target.server,
        pairs: decodeHeaderMap(map) ?? [],
        body: body?.slice(),
        timeoutMs: timeout >>> 0,
      }));
    },

    // ResumeHttpRequest / ResumeHttpResponse: the chain goes on with the next filter
    proxy_continue_stream: () => {
      const reqKey = host.currentReqKey();
      if (reqKey === undefined) return R.BadArgument;
      st.request(reqKey).resumed = true;
      return R.Ok;
    },

    proxy_call_foreign_function: (
      nameData: number,
      nameSize: number,
      _argData: number,
      _argSize: number,
      retAddr: number,
      retSizeAddr: number,
    ) => {
      const name = text(nameData, nameSize);
      if (name === undefined) return R.InvalidMemoryAccess;
      if (name === "get_log_level") {
        const out = new Uint8Array(4);
        new DataView(out.buffer).setUint32(0, st.init.logLevel, true);
        return copyOut(out, retAddr, retSizeAddr);
      }
      if (name === "set_global_max_requests_per_io_cycle") {
        return copyOut(new Uint8Array(0), retAddr, retSizeAddr);
      }
      // proxy-wasm-cpp-host: a foreign function nobody registered is NotFound
      return R.NotFound;
    },

    proxy_get_buffer_bytes: (
      type: number,
      start: number,
      size: number,
      addr: number,
      sizeAddr: number,
    ) => {
      if (type !== BUFFER_REDIS_CALL_RESPONSE)
        return baseGetBuffer(type, start, size, addr, sizeAddr);
      const reply = st.redisReply;
      if (!reply) return R.NotFound;
      const from = Math.max(0, start);
      return copyOut(reply.subarray(from, from + Math.max(0, size)), addr, sizeAddr);
    },

    proxy_get_property: (pathData: number, pathSize: number, resData: number, resSize: number) => {
      const path = text(pathData, pathSize);
      if (path === undefined) return R.InvalidMemoryAccess;
      const req = host.state()?.req;
      let value: string | undefined;
      if (path === "plugin_name") value = st.init.pluginName;
      else if (req && path === "x_request_id") value = req.requestId;
      else if (req && (path === "route_name" || path === "cluster_name")) {
        value = req.variables[`orwasm_${path}`] ?? undefined;
        if (value === undefined) return R.NotFound;
      }
      if (value !== undefined) return copyOut(enc.encode(value), resData, resSize);
      return baseGetProperty(pathData, pathSize, resData, resSize);
    },
  };
}

/** Signatures of the Higress extensions (higress-group/proxy-wasm-go-sdk abi_hostcalls.go). */
export const HIGRESS_SIGNATURES: Record<string, string> = {
  proxy_redis_init: "(i32, i32, i32, i32, i32, i32, i32) -> i32",
  proxy_redis_call: "(i32, i32, i32, i32, i32) -> i32",
};
