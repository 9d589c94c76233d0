// The envoy-like profile: wasm-nginx-module's functions plus what that module leaves
// Unimplemented (shared data with CAS, shared queues, tick, current time, real metrics, map
// sizes), with the semantics proxy-wasm-cpp-host gives them, for plugins written for Envoy.

import { BufferType, MapType, WasmResult } from "../abi.js";
import type { ApiHost } from "./host-api.js";
import { copyOutTo } from "./copy-out.js";
import type { MetricValue } from "./protocol.js";

const R = WasmResult;
const dec = new TextDecoder();

/** Shared data, queues and metrics of one plugin VM (one engine). */
export class EnvoyStore {
  readonly data = new Map<string, { value: Uint8Array; cas: number }>();
  private casCounter = 0;
  readonly queues = new Map<number, { name: string; owner: number; items: Uint8Array[] }>();
  readonly metrics = new Map<number, MetricValue>();
  /** proxy_on_queue_ready notifications to deliver after the running callback. */
  readonly queueReady: { rootId: number; token: number }[] = [];

  /** Next CAS value, never 0 (0 means "no CAS" to set). */
  nextCas(): number {
    return ++this.casCounter;
  }
}

/** What the extra functions need beyond ApiHost. */
export interface EnvoyHost extends ApiHost {
  /** Root context of the context whose callback is running. */
  currentRootId(): number | undefined;
  setTickPeriod(rootId: number, ms: number): void;
  nowNanos(): bigint;
  store: EnvoyStore;
  /** The module's serialised header map, for proxy_get_header_map_size. */
  headerMapBytes(type: number): Uint8Array | undefined;
  /** The buffer proxy_get_buffer_bytes would read, for proxy_get_buffer_status. */
  bufferBytes(type: number): Uint8Array | undefined;
}

type HostFn = (...args: never[]) => number;

const METRIC_TYPES = ["counter", "gauge", "histogram"] as const;

/** The functions the envoy-like profile adds to or overrides in the module's table. */
export function envoyLikeApi(host: EnvoyHost): Record<string, HostFn> {
  const vm = host.vm;
  const store = host.store;

  const copyOut = copyOutTo(vm);

  const name = (data: number, size: number): string | undefined => {
    const b = vm.mem(data, size);
    return b ? dec.decode(b) : undefined;
  };

  return {
    proxy_get_shared_data: (
      keyData: number,
      keySize: number,
      valueAddr: number,
      sizeAddr: number,
      casAddr: number,
    ) => {
      const key = name(keyData, keySize);
      if (key === undefined) return R.InvalidMemoryAccess;
      const entry = store.data.get(key);
      if (!entry) return R.NotFound;
      const res = copyOut(entry.value, valueAddr, sizeAddr);
      if (res !== R.Ok) return res;
      return vm.writeI32(casAddr, entry.cas) ? R.Ok : R.InvalidMemoryAccess;
    },

    proxy_set_shared_data: (
      keyData: number,
      keySize: number,
      valueData: number,
      valueSize: number,
      cas: number,
    ) => {
      const key = name(keyData, keySize);
      const value = vm.mem(valueData, valueSize);
      if (key === undefined || !value) return R.InvalidMemoryAccess;
      const entry = store.data.get(key);
      if (entry && cas !== 0 && cas >>> 0 !== entry.cas) return R.CasMismatch;
      store.data.set(key, { value: value.slice(), cas: store.nextCas() });
      return R.Ok;
    },

    proxy_register_shared_queue: (nameData: number, nameSize: number, tokenAddr: number) => {
      const q = name(nameData, nameSize);
      if (q === undefined) return R.InvalidMemoryAccess;
      const owner = host.currentRootId() ?? 0;
      let token = [...store.queues].find(([, v]) => v.name === q)?.[0];
      if (token === undefined) {
        token = store.queues.size + 1;
        store.queues.set(token, { name: q, owner, items: [] });
      } else {
        const existing = store.queues.get(token);
        if (existing) existing.owner = owner;
      }
      return vm.writeI32(tokenAddr, token) ? R.Ok : R.InvalidMemoryAccess;
    },

    proxy_resolve_shared_queue: (
      _vmData: number,
      _vmSize: number,
      nameData: number,
      nameSize: number,
      tokenAddr: number,
    ) => {
      const q = name(nameData, nameSize);
      if (q === undefined) return R.InvalidMemoryAccess;
      const token = [...store.queues].find(([, v]) => v.name === q)?.[0];
      if (token === undefined) return R.NotFound;
      return vm.writeI32(tokenAddr, token) ? R.Ok : R.InvalidMemoryAccess;
    },

    proxy_enqueue_shared_queue: (token: number, data: number, size: number) => {
      const q = store.queues.get(token);
      if (!q) return R.NotFound;
      const bytes = vm.mem(data, size);
      if (!bytes) return R.InvalidMemoryAccess;
      q.items.push(bytes.slice());
      store.queueReady.push({ rootId: q.owner, token });
      return R.Ok;
    },

    proxy_dequeue_shared_queue: (token: number, addr: number, sizeAddr: number) => {
      const q = store.queues.get(token);
      if (!q) return R.NotFound;
      const item = q.items.shift();
      if (!item) return R.Empty;
      return copyOut(item, addr, sizeAddr);
    },

    proxy_set_tick_period_milliseconds: (ms: number) => {
      const root = host.currentRootId();
      if (root === undefined) return R.BadArgument;
      host.setTickPeriod(root, ms >>> 0);
      return R.Ok;
    },

    proxy_get_current_time_nanoseconds: (addr: number) =>
      vm.writeU64(addr, host.nowNanos()) ? R.Ok : R.InvalidMemoryAccess,

    proxy_define_metric: (type: number, nameData: number, nameSize: number, idAddr: number) => {
      const n = name(nameData, nameSize);
      const t = METRIC_TYPES[type];
      if (n === undefined) return R.InvalidMemoryAccess;
      if (!t) return R.BadArgument;
      let id = [...store.metrics].find(([, m]) => m.name === n)?.[0];
      if (id === undefined) {
        id = store.metrics.size + 1;
        store.metrics.set(id, { name: n, type: t, value: 0 });
      }
      return vm.writeI32(idAddr, id) ? R.Ok : R.InvalidMemoryAccess;
    },

    proxy_increment_metric: (id: number, offset: bigint) => {
      const m = store.metrics.get(id);
      if (!m) return R.NotFound;
      if (m.type === "histogram") return R.BadArgument;
      m.value += Number(offset);
      return R.Ok;
    },

    proxy_record_metric: (id: number, value: bigint) => {
      const m = store.metrics.get(id);
      if (!m) return R.NotFound;
      m.value = Number(BigInt.asUintN(64, value));
      return R.Ok;
    },

    proxy_get_metric: (id: number, resultAddr: number) => {
      const m = store.metrics.get(id);
      if (!m) return R.NotFound;
      return vm.writeU64(resultAddr, BigInt(Math.max(0, Math.trunc(m.value))))
        ? R.Ok
        : R.InvalidMemoryAccess;
    },

    proxy_get_header_map_size: (type: number, sizeAddr: number) => {
      if (type !== MapType.RequestHeaders && type !== MapType.ResponseHeaders && type !== 6) {
        return R.Unimplemented;
      }
      const bytes = host.headerMapBytes(type);
      if (!bytes) return R.BadArgument;
      return vm.writeI32(sizeAddr, bytes.length) ? R.Ok : R.InvalidMemoryAccess;
    },

    proxy_get_buffer_status: (type: number, lengthAddr: number, flagsAddr: number) => {
      if (
        type !== BufferType.HttpRequestBody &&
        type !== BufferType.HttpResponseBody &&
        type !== BufferType.HttpCallResponseBody &&
        type !== BufferType.PluginConfiguration
      ) {
        return R.Unimplemented;
      }
      const bytes = host.bufferBytes(type);
      if (!bytes) return R.NotFound;
      return vm.writeI32(lengthAddr, bytes.length) && vm.writeI32(flagsAddr, 0)
        ? R.Ok
        : R.InvalidMemoryAccess;
    },

    proxy_done: () => R.Ok,
  };
}

/** Signatures of the functions envoy-like adds or retypes (proxy-wasm ABI 0.2.x). */
export const ENVOY_LIKE_SIGNATURES: Record<string, string> = {
  proxy_get_metric: "(i32, i32) -> i32",
  proxy_get_header_map_size: "(i32, i32) -> i32",
  proxy_get_buffer_status: "(i32, i32, i32) -> i32",
};
