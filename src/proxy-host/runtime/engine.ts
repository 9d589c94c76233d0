// The engine plays wasm-nginx-module's C side for one loaded plugin: plugin load, root (plugin)
// contexts, lazily created HTTP contexts, the per-phase calls and their return-code handling
// (src/http/ngx_http_wasm_module.c, ngx_http_wasm_state.c, ngx_http_wasm_call.c). It is
// synchronous and runs wherever it is created: in a worker thread or in the caller's thread.

import {
  ABI_VERSION_EXPORTS,
  BufferType,
  levelShown,
  MapType,
  NGX_DECLINED,
  NGX_OK,
  PHASE_CALLBACK,
  RC_NEED_HTTP_CALL,
  type NginxLogLevel,
  type ProxyLogLevel,
} from "../abi.js";
import { decodeHeaderMap, type HeaderPair } from "../header-map.js";
import type { RequestState } from "../nginx/request.js";
import { EnvoyStore, envoyLikeApi, type EnvoyHost } from "./envoy-api.js";
import {
  ACTION_PAUSE,
  HigressState,
  higressApi,
  type HigressCallout,
  type HigressHost,
} from "./higress-api.js";
import { wasmNginxModuleApi, type CallState, type RequestCtx } from "./host-api.js";
import { importTable, linkError, wasiImports } from "./link.js";
import { encodeExact, requestHeaderMap, responseHeaderMap } from "./maps.js";
import type {
  Callout,
  ConfigureReply,
  EngineCall,
  EngineInit,
  EngineReplies,
  HttpReply,
  LoadReport,
  LogEntry,
  ReplyFor,
} from "./protocol.js";
import { PluginVm } from "./vm.js";

/** The plugin could not be loaded; `message` says why as the module would log it. */
export class LoadFailure extends Error {
  constructor(
    message: string,
    readonly logs: LogEntry[],
  ) {
    super(message);
  }
}

// ngx_http_wasm_plugin_ctx_t
interface RootCtx {
  id: number;
  state: CallState;
  done: boolean;
  occupied: Set<number>;
  /** ngx_queue: insert at head, take the last (oldest first). */
  free: HttpCtx[];
}

// ngx_http_wasm_http_ctx_t
interface HttpCtx {
  id: number;
  root: RootCtx;
}

interface RequestEntry {
  ctx: RequestCtx;
  httpCtxs: HttpCtx[];
}

const ABI_010 = 0;
const ABI_MAX = 99;
const empty = new Uint8Array(0);

/** One loaded plugin as the C module holds it. */
export class ModuleEngine implements EnvoyHost, HigressHost {
  readonly vm: PluginVm;
  readonly pluginName: string;
  readonly store = new EnvoyStore();
  /** higress profile state (a placeholder with no clusters under the other profiles). */
  readonly higress: HigressState;
  base: HigressHost["base"] = {};
  mainConf: { code: number; body: Uint8Array | undefined } = { code: 0, body: undefined };

  private cur: CallState | undefined;
  private readonly pluginState: CallState;
  private readonly roots = new Map<number, RootCtx>();
  private readonly freeRoots: RootCtx[] = [];
  private curCtxId = 0;
  private readonly requests = new Map<number, RequestEntry>();
  private calloutCounter = 0;
  private logs: LogEntry[] = [];
  private abi = ABI_MAX;
  private abiName: string | undefined;
  private readonly ticks = new Map<number, number>();
  private readonly lastTick = new Map<number, number>();
  private runningRoot: number | undefined;
  /** The least severe line kept while the running call serves a request; undefined keeps every line. */
  private minLevel: NginxLogLevel | undefined;

  private constructor(private readonly init: EngineInit) {
    this.pluginName = init.name;
    this.vm = new PluginVm(init.shape, (m) => this.log("error", m), init.memoryPages);
    this.pluginState = { conf: empty, body: empty, req: undefined, reqKey: undefined };
    this.higress = new HigressState(
      init.higress ?? { clusters: {}, logLevel: 2, pluginName: init.name },
    );
  }

  /** ngx_http_wasm_load_plugin: link, instantiate, run _start or _initialize, probe the ABI. */
  static load(init: EngineInit): { engine: ModuleEngine; report: LoadReport } {
    const engine = new ModuleEngine(init);
    engine.instantiate();
    return { engine, report: { abiVersion: engine.abiName, logs: engine.takeLogs() } };
  }

  private instantiate(): void {
    const { shape, profile, vm } = this.init;
    const table = importTable(profile, vm);
    const linkProblem = linkError(shape, table, vm);
    if (linkProblem) this.loadFailed(`failed to new instance: ${linkProblem}`);

    let env: Record<string, unknown> = wasmNginxModuleApi(this);
    if (profile !== "wasm-nginx-module") env = { ...env, ...envoyLikeApi(this) };
    if (profile === "higress") {
      this.base = env as HigressHost["base"];
      env = { ...env, ...higressApi(this) };
    }
    const wasi = wasiImports(table, this.init.wasiEnv ?? {}, shape);
    let instance: WebAssembly.Instance;
    try {
      instance = new WebAssembly.Instance(this.init.module, {
        env: env as WebAssembly.ModuleImports,
        ...(wasi.imports as WebAssembly.Imports),
      });
    } catch (err) {
      this.loadFailed(`failed to new instance: ${(err as Error).message}`);
    }
    this.vm.attach(instance);
    const memory = instance.exports["memory"];
    if (!(memory instanceof WebAssembly.Memory)) {
      this.loadFailed("the wasm plugin doesn't export memory");
    }
    wasi.bind(memory);

    let rc = NGX_OK;
    if (this.vm.has("_start")) rc = this.vm.call("_start", false, []);
    else if (this.vm.has("_initialize")) rc = this.vm.call("_initialize", false, []);
    if (rc !== NGX_OK) {
      this.loadFailed(`_start/_initialize failed: ${this.vm.lastTrap?.message ?? `rc ${rc}`}`);
    }

    // "assumed using latest ABI by default"; the last marker found wins
    ABI_VERSION_EXPORTS.forEach((name, i) => {
      if (this.vm.has(name)) {
        this.abi = i;
        this.abiName = name;
      }
    });
    if (profile === "envoy-like" && this.abiName === undefined) {
      this.loadFailed(
        `the plugin exports none of ${ABI_VERSION_EXPORTS.join(", ")}; the envoy-like profile ` +
          `requires one (wasm-nginx-module would assume the newest ABI)`,
      );
    }
    this.log("info", "loaded wasm plugin");
  }

  private loadFailed(message: string): never {
    this.log("error", message);
    throw new LoadFailure(message, this.takeLogs());
  }

  /** Runs one driver call and returns its reply (logs of the call included). */
  handle<C extends EngineCall>(call: C): ReplyFor<C> {
    this.minLevel = "reqKey" in call ? this.init.requestLogLevel : undefined;
    const reply = this.dispatch(call);
    this.deliverQueueReady();
    const late = this.takeLogs();
    if (late.length > 0) reply.logs.push(...late);
    return reply as ReplyFor<C>;
  }

  private dispatch(call: EngineCall): EngineReplies[EngineCall["op"]] {
    switch (call.op) {
      case "configure":
        return this.configure(call.conf);
      case "deleteRoot":
        this.deleteRoot(call.rootId);
        return { logs: this.takeLogs() };
      case "http": {
        const reply = this.onHttp(
          call.rootId,
          call.reqKey,
          call.phase,
          call.req,
          call.body,
          call.eob,
        );
        if (call.finish && reply.rc >= 0 && !reply.trap) {
          this.finishRequest(call.reqKey);
          reply.finishLogs = this.takeLogs();
        }
        return reply;
      }
      case "httpCallResponse":
        return this.onHttpCallResponse(call.rootId, call.reqKey, call.req, call.headers, call.body);
      case "higressCallResponse":
        return this.onHigressCallResponse(call);
      case "unknownClusters":
        return { clusters: this.higress.unknownClusters.splice(0), logs: this.takeLogs() };
      case "finishRequest":
        this.finishRequest(call.reqKey);
        return { logs: this.takeLogs(), req: call.req };
      case "tick":
        return { ticked: this.tick(call.force), logs: this.takeLogs() };
      case "metrics":
        return {
          metrics: [...this.store.metrics.values()],
          logs: this.takeLogs(),
          memoryPages: this.vm.pages(),
        };
    }
  }

  // ---- ApiHost / EnvoyHost

  /** ngx_http_wasm_get_conf & co read this. */
  state(): CallState | undefined {
    return this.cur;
  }

  logsAt(level: NginxLogLevel): boolean {
    return this.minLevel === undefined || levelShown(level, this.minLevel);
  }

  log(level: NginxLogLevel, message: string, proxyLevel?: ProxyLogLevel): void {
    if (!this.logsAt(level)) return;
    const entry: LogEntry = {
      level,
      message,
      source: proxyLevel ? "plugin" : "host",
      plugin: this.pluginName,
    };
    if (proxyLevel) entry.proxyLevel = proxyLevel;
    this.logs.push(entry);
  }

  requestCtx(reqKey: number): RequestCtx {
    return this.requestEntry(reqKey).ctx;
  }

  /** ngx_http_wasm_call.c:ngx_http_wasm_call_register: one `static` counter per nginx worker, not per plugin. */
  nextCalloutId(): number {
    const shared = this.init.calloutIds;
    if (shared) return Atomics.add(shared, 0, 1) >>> 0;
    return this.calloutCounter++;
  }

  currentReqKey(): number | undefined {
    return this.cur?.req ? this.cur.reqKey : undefined;
  }

  currentRootId(): number | undefined {
    return this.runningRoot;
  }

  setTickPeriod(rootId: number, ms: number): void {
    if (ms === 0) this.ticks.delete(rootId);
    else this.ticks.set(rootId, ms);
    this.lastTick.set(rootId, Date.now());
  }

  nowNanos(): bigint {
    return BigInt(Date.now()) * 1_000_000n;
  }

  headerMapBytes(type: number): Uint8Array | undefined {
    const st = this.cur;
    if (!st?.req) return undefined;
    if (type === MapType.RequestHeaders) return requestHeaderMap(st.req);
    if (type === MapType.ResponseHeaders) return responseHeaderMap(st.req);
    return encodeExact(this.requestCtx(st.reqKey ?? -1).callRespHeaders);
  }

  bufferBytes(type: number): Uint8Array | undefined {
    const st = this.cur;
    if (type === BufferType.PluginConfiguration) return st?.conf;
    if (type === BufferType.HttpCallResponseBody) {
      return st?.req ? this.requestCtx(st.reqKey ?? -1).callRespBody : undefined;
    }
    return st?.body;
  }

  // ---- state (ngx_http_wasm_state.c)

  private setState(state: CallState | undefined): void {
    // set_state(NULL) clears the body of the state being left
    if (state === undefined && this.cur) this.cur.body = empty;
    this.cur = state;
  }

  /** Runs `fn` as root context `rootId` (under `state` when given); both are reset however `fn` ends. */
  private asRoot<T>(rootId: number, state: CallState | undefined, fn: () => T): T {
    if (state) this.setState(state);
    this.runningRoot = rootId;
    try {
      return fn();
    } finally {
      this.runningRoot = undefined;
      if (state) this.setState(undefined);
    }
  }

  /** proxy_on_done then proxy_on_delete on one context, logging failures as ngx_http_wasm_module.c does. */
  private doneAndDelete(id: number): void {
    let rc = this.vm.call("proxy_on_done", true, [id]);
    if (rc <= 0) this.log("error", `failed to mark context ${id} as done, rc: ${rc}`);
    rc = this.vm.call("proxy_on_delete", false, [id]);
    if (rc !== NGX_OK) this.log("error", `failed to delete context ${id}, rc: ${rc}`);
  }

  private takeLogs(): LogEntry[] {
    const out = this.logs;
    this.logs = [];
    return out;
  }

  private requestEntry(reqKey: number): RequestEntry {
    let entry = this.requests.get(reqKey);
    if (!entry) {
      entry = {
        ctx: { callout: undefined, calloutId: 0, callRespHeaders: [], callRespBody: undefined },
        httpCtxs: [],
      };
      this.requests.set(reqKey, entry);
    }
    return entry;
  }

  // ---- plugin contexts

  /** ngx_http_wasm_on_configure */
  private configure(conf: Uint8Array): ConfigureReply {
    let root = this.freeRoots.pop();
    if (root) root.done = false;
    else {
      const id = ++this.curCtxId;
      root = { id, state: this.pluginState, done: false, occupied: new Set(), free: [] };
    }
    const id = root.id;
    // the root context is created under the plugin-wide state: no configuration visible yet
    this.setState(this.pluginState);
    this.runningRoot = id;
    let rc = this.vm.call("proxy_on_context_create", false, [id, 0]);
    if (rc !== NGX_OK) {
      this.log("error", `failed to create context ${id}, rc: ${rc}`);
      this.freeRoots.unshift(root);
      this.runningRoot = undefined;
      return this.configureReply(undefined);
    }
    this.roots.set(id, root);
    root.state = { conf: conf.slice(), body: empty, req: undefined, reqKey: undefined };
    this.setState(root.state);
    if (this.init.profile !== "wasm-nginx-module" && this.vm.has("proxy_on_vm_start")) {
      rc = this.vm.call("proxy_on_vm_start", true, [id, 0]);
      if (rc <= 0) {
        this.setState(undefined);
        this.log("error", `failed to start the VM for plugin context ${id}, rc: ${rc}`);
        this.deleteRoot(id);
        return this.configureReply(undefined);
      }
    }
    rc = this.vm.call("proxy_on_configure", true, [id, conf.length]);
    this.setState(undefined);
    this.runningRoot = undefined;
    if (rc <= 0) {
      this.log("error", `failed to configure plugin context ${id}, rc: ${rc}`);
      this.deleteRoot(id);
      return this.configureReply(undefined);
    }
    this.log("info", `create plugin context ${id}`);
    return this.configureReply(id);
  }

  private configureReply(rootId: number | undefined): ConfigureReply {
    const trap = this.vm.lastTrap;
    const reply: ConfigureReply = { rootId, logs: this.takeLogs() };
    if (rootId === undefined && trap) reply.trap = trap;
    return reply;
  }

  /** ngx_http_wasm_delete_plugin_ctx: freed now, or when its last request finishes. */
  private deleteRoot(rootId: number): void {
    const root = this.roots.get(rootId);
    if (!root) return;
    root.done = true;
    this.freeRoot(root);
  }

  /** ngx_http_wasm_free_plugin_ctx */
  private freeRoot(root: RootCtx): void {
    if (root.occupied.size > 0) return;
    this.roots.delete(root.id);
    this.freeRoots.unshift(root);
    this.asRoot(root.id, undefined, () => this.doneAndDelete(root.id));
    this.ticks.delete(root.id);
    root.free = [];
    this.log("info", `free plugin context ${root.id}`);
  }

  // ---- http contexts

  /** ngx_http_wasm_fetch_http_ctx + ngx_http_wasm_create_http_ctx */
  private fetchHttpCtx(root: RootCtx, reqKey: number): HttpCtx | undefined {
    const entry = this.requestEntry(reqKey);
    const existing = entry.httpCtxs.find((h) => h.root === root);
    if (existing) return existing;
    const http = root.free.pop() ?? { id: ++this.curCtxId, root };
    const rc = this.vm.call("proxy_on_context_create", false, [http.id, root.id]);
    if (rc !== NGX_OK) {
      this.log("error", `failed to create context ${http.id}, rc: ${rc}`);
      root.free.unshift(http);
      return undefined;
    }
    root.occupied.add(http.id);
    this.log("info", `create http context ${http.id}`);
    entry.httpCtxs.push(http);
    return http;
  }

  /** ngx_http_wasm_on_http */
  private onHttp(
    rootId: number,
    reqKey: number,
    phase: keyof typeof PHASE_CALLBACK,
    req: RequestState,
    body: Uint8Array | undefined,
    eob: boolean,
  ): HttpReply {
    const root = this.roots.get(rootId);
    if (!root)
      return this.httpReply(NGX_DECLINED, req, reqKey, undefined, "no such plugin context");
    root.state.req = req;
    root.state.reqKey = reqKey;
    if (body !== undefined) root.state.body = body;
    const called = this.asRoot(root.id, root.state, () => {
      const http = this.fetchHttpCtx(root, reqKey);
      if (!http) return undefined;
      const cb = PHASE_CALLBACK[phase];
      let rc: number;
      if (phase === "request_headers" || phase === "response_headers") {
        // num_headers is always 0 and end_of_stream always 1 ("TODO: pass a correct num_headers")
        rc =
          this.abi === ABI_010
            ? this.vm.call(cb, true, [http.id, 0])
            : this.vm.call(cb, true, [http.id, 0, 1]);
      } else {
        rc = this.vm.call(cb, true, [http.id, body?.length ?? 0, eob ? 1 : 0]);
      }
      return { http, rc };
    });
    if (!called) return this.httpReply(NGX_DECLINED, req, reqKey, undefined);
    const { http, rc } = called;
    if (this.init.profile === "higress") return this.higressReply(reqKey, rc, req, http.id);
    return this.httpReply(this.rcBeforeProxy(reqKey, rc), req, reqKey, http.id);
  }

  /** Envoy's view of a callback's result: a local response ends, Pause waits, calls are handed over. */
  private higressReply(reqKey: number, rc: number, req: RequestState, httpId: number): HttpReply {
    const code = this.mainConf.code;
    this.mainConf.code = 0;
    const { callouts, resumed } = this.higress.take(reqKey);
    const out = rc < 0 ? rc : code >= 100 ? code : 0;
    const reply = this.httpReply(out, req, reqKey, httpId);
    const higress: { callouts: HigressCallout[]; paused: boolean; resumed: boolean } = {
      callouts,
      paused: rc === ACTION_PAUSE,
      resumed,
    };
    reply.higress = higress;
    return reply;
  }

  /** proxy_on_redis_call_response / proxy_on_http_call_response with the root context id, as Envoy calls them. */
  private onHigressCallResponse(
    call: Extract<EngineCall, { op: "higressCallResponse" }>,
  ): HttpReply {
    const { rootId, reqKey, req } = call;
    const root = this.roots.get(rootId);
    if (!root)
      return this.httpReply(NGX_DECLINED, req, reqKey, undefined, "no such plugin context");
    root.state.req = req;
    root.state.reqKey = reqKey;
    const called = this.asRoot(root.id, root.state, () => {
      const http = this.fetchHttpCtx(root, reqKey);
      if (!http) return undefined;
      let rc: number;
      if (call.redis) {
        this.higress.redisReply = call.redis.reply;
        rc = this.vm.call("proxy_on_redis_call_response", false, [
          root.id,
          call.calloutId,
          call.redis.status,
          call.redis.reply?.length ?? 0,
        ]);
        this.higress.redisReply = undefined;
      } else {
        const ctx = this.requestCtx(reqKey);
        ctx.callRespHeaders = call.http?.headers ?? [];
        ctx.callRespBody = call.http?.body;
        rc = this.vm.call("proxy_on_http_call_response", false, [
          root.id,
          call.calloutId,
          ctx.callRespHeaders.length,
          ctx.callRespBody?.length ?? 0,
          0,
        ]);
      }
      return { http, rc };
    });
    if (!called) return this.httpReply(NGX_DECLINED, req, reqKey, undefined);
    const { http, rc } = called;
    const reply = this.higressReply(reqKey, rc, req, http.id);
    if (reply.higress) reply.higress.paused = rc >= 0;
    return reply;
  }

  /** ngx_http_wasm_on_http_call_resp: called with the ROOT context id, not the http one. */
  private onHttpCallResponse(
    rootId: number,
    reqKey: number,
    req: RequestState,
    headers: HeaderPair[] | undefined,
    body: Uint8Array | undefined,
  ): HttpReply {
    const root = this.roots.get(rootId);
    if (!root)
      return this.httpReply(NGX_DECLINED, req, reqKey, undefined, "no such plugin context");
    root.state.req = req;
    root.state.reqKey = reqKey;
    const called = this.asRoot(root.id, root.state, () => {
      const http = this.fetchHttpCtx(root, reqKey);
      if (!http) return undefined;
      const ctx = this.requestCtx(reqKey);
      ctx.callRespHeaders = headers ?? [];
      ctx.callRespBody = body;
      this.log("info", `run http callback callout id: ${ctx.calloutId}, plugin ctx id: ${root.id}`);
      const rc = this.vm.call("proxy_on_http_call_response", false, [
        root.id,
        ctx.calloutId,
        ctx.callRespHeaders.length,
        body?.length ?? 0,
        0,
      ]);
      return { http, rc };
    });
    if (!called) return this.httpReply(NGX_DECLINED, req, reqKey, undefined);
    const { http, rc } = called;
    return this.httpReply(this.rcBeforeProxy(reqKey, rc), req, reqKey, http.id);
  }

  /** ngx_http_wasm_handle_rc_before_proxy: a pending call first, then errors, then a local response. */
  private rcBeforeProxy(reqKey: number, rc: number): number {
    // `int32_t code = wmcf->code` of a `uint32_t` field (ngx_http_wasm_module.h): a code of 2^31 or more
    // reads back negative and is ignored, the request goes on (ngx_http_wasm_module.c)
    const code = this.mainConf.code | 0;
    this.mainConf.code = 0;
    if (this.requestCtx(reqKey).callout) return RC_NEED_HTTP_CALL;
    if (rc < 0) return rc;
    if (code >= 100) return code;
    return rc;
  }

  private httpReply(
    rc: number,
    req: RequestState,
    reqKey: number,
    httpContextId: number | undefined,
    why?: string,
  ): HttpReply {
    if (why) this.log("error", why);
    const reply: HttpReply = { rc, req, logs: [] };
    if (httpContextId !== undefined) reply.httpContextId = httpContextId;
    if (rc >= 100) {
      // ngx_http_wasm_fetch_local_body: only a non-empty body is printed
      const body = this.mainConf.body;
      reply.localBody = body && body.length > 0 ? body : undefined;
    }
    if (rc === RC_NEED_HTTP_CALL) {
      const pending = this.requestCtx(reqKey).callout;
      if (pending && !pending.map) {
        // proxy_http_call with no headers stores map_data = NULL (ngx_http_wasm_api.c:proxy_http_call);
        // the Lua driver's send_http_call then calls ngx_http_wasm_call_max_headers_count, whose
        // proxy_wasm_map_init_iter reads *(int32_t *) NULL (ngx_http_wasm_call.c): the worker dies
        reply.trap = {
          kind: "crash",
          callback: "proxy_http_call",
          message:
            "proxy_http_call was given no headers: ngx_http_wasm_call_max_headers_count reads the " +
            "header count through the NULL map (SIGSEGV)",
        };
      } else {
        const callout = this.takeCallout(reqKey);
        if (callout) reply.callout = callout;
      }
    }
    if (rc < 0 && this.vm.lastTrap) reply.trap = this.vm.lastTrap;
    reply.logs = this.takeLogs();
    return reply;
  }

  /** ngx_http_wasm_call_get: hands the pending call to Lua and clears it. */
  private takeCallout(reqKey: number): Callout | undefined {
    const ctx = this.requestCtx(reqKey);
    const c = ctx.callout;
    if (!c) return undefined;
    ctx.callout = undefined;
    const pairs = c.map ? (decodeHeaderMap(c.map) ?? []) : [];
    return {
      calloutId: ctx.calloutId,
      upstream: c.upstream,
      pairs,
      body: c.body,
      timeoutMs: c.timeoutMs,
    };
  }

  /** ngx_http_wasm_cleanup: proxy_on_done + proxy_on_delete for each http ctx of the request. */
  private finishRequest(reqKey: number): void {
    const entry = this.requests.get(reqKey);
    this.requests.delete(reqKey);
    this.higress.finish(reqKey);
    if (!entry) return;
    this.setState(undefined);
    for (const http of entry.httpCtxs) {
      const root = http.root;
      root.occupied.delete(http.id);
      root.free.unshift(http);
      this.asRoot(root.id, undefined, () => {
        // Envoy logs the stream (proxy_on_log) before it is done
        if (this.init.profile === "higress" && this.vm.has("proxy_on_log")) {
          this.vm.call("proxy_on_log", false, [http.id]);
        }
        this.doneAndDelete(http.id);
      });
      this.log("info", `free http context ${http.id}`);
      if (root.done) this.freeRoot(root);
    }
  }

  // ---- envoy-like extras

  private tick(force: boolean): number[] {
    const ticked: number[] = [];
    const now = Date.now();
    for (const [rootId, period] of this.ticks) {
      const root = this.roots.get(rootId);
      if (!root) continue;
      if (!force && now - (this.lastTick.get(rootId) ?? 0) < period) continue;
      this.lastTick.set(rootId, now);
      root.state.req = undefined;
      this.asRoot(rootId, root.state, () => this.vm.call("proxy_on_tick", false, [rootId]));
      ticked.push(rootId);
    }
    return ticked;
  }

  private deliverQueueReady(): void {
    const pending = this.store.queueReady.splice(0);
    for (const { rootId, token } of pending) {
      const root = this.roots.get(rootId);
      if (!root) continue;
      this.asRoot(rootId, root.state, () =>
        this.vm.call("proxy_on_queue_ready", false, [rootId, token]),
      );
    }
  }

  /** Tick periods by root context id (envoy-like). */
  tickPeriods(): Map<number, number> {
    return new Map(this.ticks);
  }
}
