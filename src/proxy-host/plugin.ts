// A loaded plugin (wasm.load), its configured contexts (wasm.on_configure) and their streams.

import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { ConfigError } from "../errors.js";
import { ABI_VERSION_EXPORTS, type NginxLogLevel } from "./abi.js";
import { fetchDispatcher, type HttpCallDispatcher } from "./dispatcher.js";
import { LoadFailure } from "./runtime/engine.js";
import type {
  EngineCall,
  EngineInit,
  LogEntry,
  MetricValue,
  ProfileName,
  ReplyFor,
  VmName,
} from "./runtime/protocol.js";
import {
  DeadlineExceeded,
  EngineDied,
  InThreadTransport,
  WorkerTransport,
  type EngineTransport,
} from "./runtime/transport.js";
import type { RequestInit } from "./nginx/request.js";
import type { HigressInit } from "./runtime/higress-api.js";
import type { RedisDispatcher } from "./higress-driver.js";
import { NginxWorker } from "./nginx-worker.js";
import { HostRequest } from "./request.js";
import { HttpStream, type StreamHost } from "./stream.js";
import {
  limitMemoryPages,
  MemoryLimitError,
  readModuleShape,
  type ModuleShape,
} from "../wasm/binary.js";

/** Resource bounds for a plugin instance. */
export interface HostLimits {
  /** Longest a single callback may run (worker isolation only); default 2000 ms, 0 = none. */
  deadlineMs?: number;
  /** Most 64 KiB pages the plugin's memory may grow to; default: unbounded (like the module). */
  memoryPages?: number;
}

/** How to load a plugin. */
export interface LoadOptions {
  /** The plugin name: what proxy_get_property("plugin_root_id") answers. */
  name: string;
  /** The module bytes, or a path to the .wasm file. */
  wasm: Uint8Array | string;
  /** Default "wasm-nginx-module": 0.7.0 exactly; "envoy-like" adds what the module lacks. */
  profile?: ProfileName;
  /** The VM wasm-nginx-module was built with; decides the WASI modules offered. */
  vm?: VmName;
  limits?: HostLimits;
  /** "worker" (default): each instance in a worker thread, calls bounded by the deadline. */
  isolation?: "worker" | "in-thread";
  /** Where proxy_http_call requests go; default: a real fetch. */
  dispatcher?: HttpCallDispatcher;
  /** WASI environment (nginx clears the worker's environment; default {}). */
  wasiEnv?: Record<string, string>;
  /** higress profile: the project's clusters, the log level get_log_level answers, the plugin name. */
  higress?: HigressInit;
  /** higress profile: where Redis commands go. */
  redis?: RedisDispatcher;
  /**
   * The nginx worker this plugin is loaded into: plugins of one worker share its callout-id counter.
   * Default: a worker of its own.
   */
  worker?: NginxWorker;
  /** The error_log level: a request's lines below it are dropped where they are written. Default: all kept. */
  requestLogLevel?: NginxLogLevel;
}

/** A plugin that failed to load, with what the module would have logged. */
export class PluginLoadError extends ConfigError {
  constructor(
    file: string,
    message: string,
    readonly logs: LogEntry[] = [],
  ) {
    super([{ file, message }]);
  }
}

/** A configuration the plugin (or the Lua driver) rejected. */
export class PluginConfigureError extends ConfigError {
  constructor(
    file: string,
    message: string,
    readonly logs: LogEntry[] = [],
  ) {
    super([{ file, message }]);
  }
}

const DEFAULT_DEADLINE_MS = 2000;

// Compiled modules by content: one compile however many plugins load the same bytes (each load
// still gets its own instance, like the module's one instance per wasm.load).
const compiled = new Map<string, Promise<WebAssembly.Module>>();
const COMPILED_MAX = 32;

function compileOnce(bytes: Uint8Array): Promise<WebAssembly.Module> {
  const key = createHash("sha256").update(bytes).digest("hex");
  let module = compiled.get(key);
  if (!module) {
    module = WebAssembly.compile(bytes);
    module.catch(() => compiled.delete(key));
    if (compiled.size >= COMPILED_MAX) compiled.delete(compiled.keys().next().value as string);
    compiled.set(key, module);
  }
  return module;
}
const enc = new TextEncoder();

/** A loaded plugin: one compiled module, one instance (recreated after a deadline). */
export class HostPlugin {
  private readonly contexts: PluginContext[] = [];
  private closed = false;
  private exportSet: Set<string> | undefined;
  private pendingHostLogs: LogEntry[] = [];

  private constructor(
    readonly name: string,
    readonly profile: ProfileName,
    readonly vm: VmName,
    /** The export that declares the ABI, or undefined (then the module assumes the newest). */
    readonly abiVersion: string | undefined,
    /** Imports and exports of the module. */
    readonly shape: ModuleShape,
    /** Log lines written while loading. */
    readonly loadLogs: LogEntry[],
    private readonly transport: EngineTransport,
    private readonly init: EngineInit,
    private readonly source: string,
    private readonly dispatch: HttpCallDispatcher,
    private readonly redisDispatch: RedisDispatcher | undefined = undefined,
  ) {}

  /** wasm.load(name, path): compile, check imports, instantiate, run _start/_initialize. */
  static async load(opts: LoadOptions): Promise<HostPlugin> {
    const source = typeof opts.wasm === "string" ? opts.wasm : `plugin ${opts.name}`;
    let bytes =
      typeof opts.wasm === "string" ? new Uint8Array(await readFile(opts.wasm)) : opts.wasm;
    const fail = (message: string, logs: LogEntry[] = []): never => {
      throw new PluginLoadError(source, `plugin "${opts.name}" failed to load: ${message}`, logs);
    };
    let shape: ModuleShape;
    try {
      shape = readModuleShape(bytes);
      if (opts.limits?.memoryPages !== undefined) {
        bytes = limitMemoryPages(bytes, opts.limits.memoryPages);
      }
    } catch (err) {
      if (err instanceof MemoryLimitError) return fail(err.message);
      return fail(`failed to new module: ${(err as Error).message}`);
    }
    let module: WebAssembly.Module;
    try {
      module = await compileOnce(bytes);
    } catch (err) {
      return fail(`failed to new module: ${(err as Error).message}`);
    }
    const profile = opts.profile ?? "wasm-nginx-module";
    const vm = opts.vm ?? "wasmtime";
    const init: EngineInit = { name: opts.name, module, shape, profile, vm };
    if (opts.limits?.memoryPages !== undefined) init.memoryPages = opts.limits.memoryPages;
    if (opts.wasiEnv) init.wasiEnv = opts.wasiEnv;
    if (opts.higress) init.higress = opts.higress;
    if (opts.requestLogLevel) init.requestLogLevel = opts.requestLogLevel;
    init.calloutIds = (opts.worker ?? new NginxWorker()).calloutIds;
    const transport =
      opts.isolation === "in-thread"
        ? new InThreadTransport()
        : new WorkerTransport(opts.limits?.deadlineMs ?? DEFAULT_DEADLINE_MS);
    try {
      const report = await transport.load(init);
      return new HostPlugin(
        opts.name,
        profile,
        vm,
        report.abiVersion,
        shape,
        report.logs,
        transport,
        init,
        source,
        opts.dispatcher ?? fetchDispatcher(),
        opts.redis,
      );
    } catch (err) {
      await transport.close();
      if (err instanceof LoadFailure) return fail(err.message, err.logs);
      if (err instanceof DeadlineExceeded) return fail(`_start/_initialize: ${err.message}`);
      throw err;
    }
  }

  /** True when the module exports that callback (decides whether a phase runs at all). */
  exports(name: string): boolean {
    return (this.exportSet ??= new Set(this.shape.exports)).has(name);
  }

  /** The ABI markers the module exports (normally one). */
  get abiMarkers(): string[] {
    return ABI_VERSION_EXPORTS.filter((n) => this.exports(n));
  }

  /**
   * wasm.on_configure(plugin, conf): creates a root context and runs proxy_on_configure.
   * Rejects an empty configuration like the Lua driver ("bad conf").
   */
  async configure(config: string | Uint8Array): Promise<PluginContext> {
    const bytes = typeof config === "string" ? enc.encode(config) : config;
    if (bytes.length === 0) {
      throw new PluginConfigureError(
        this.source,
        `plugin "${this.name}": bad conf: wasm-nginx-module's Lua driver rejects an empty configuration`,
      );
    }
    let reply: ReplyFor<{ op: "configure"; conf: Uint8Array }>;
    try {
      reply = await this.call({ op: "configure", conf: bytes });
    } catch (err) {
      if (err instanceof DeadlineExceeded || err instanceof EngineDied) {
        throw new PluginConfigureError(
          this.source,
          `plugin "${this.name}": failed to run proxy_on_configure: ${err.message}`,
        );
      }
      throw err;
    }
    if (reply.rootId === undefined) {
      const why = reply.trap ? ` (${reply.trap.callback}: ${reply.trap.message})` : "";
      const pluginSaid = reply.logs
        .filter((l) => l.source === "plugin" && (l.level === "error" || l.level === "emerg"))
        .map((l) => l.message);
      throw new PluginConfigureError(
        this.source,
        `plugin "${this.name}": failed to run proxy_on_configure${why}` +
          (pluginSaid.length ? `: ${pluginSaid.join("; ")}` : ""),
        reply.logs,
      );
    }
    const ctx = new PluginContext(this, bytes, reply.rootId, reply.logs);
    this.contexts.push(ctx);
    return ctx;
  }

  /** Runs proxy_on_tick now for every root context with a tick period (envoy-like profile). */
  async tick(): Promise<{ ticked: number[]; logs: LogEntry[] }> {
    return this.call({ op: "tick", force: true });
  }

  /**
   * Drives proxy_on_tick from a timer (envoy-like profile): every `intervalMs` the roots whose
   * period has elapsed tick; their log lines go to `onLogs`. Returns a function that stops it.
   */
  startTicker(onLogs: (logs: LogEntry[]) => void = () => undefined, intervalMs = 50): () => void {
    let busy = false;
    const timer = setInterval(() => {
      if (busy) return;
      busy = true;
      this.call({ op: "tick", force: false })
        .then((r) => (r.logs.length ? onLogs(r.logs) : undefined))
        .catch((err: unknown) =>
          onLogs([
            {
              level: "error",
              message: `orwasm: tick failed: ${(err as Error).message}`,
              source: "host",
              plugin: this.name,
            },
          ]),
        )
        .finally(() => {
          busy = false;
        });
    }, intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  /** Metrics defined through proxy_define_metric (envoy-like profile; always empty otherwise). */
  async metrics(): Promise<MetricValue[]> {
    return (await this.call({ op: "metrics" })).metrics;
  }

  /** The instance's linear memory now, in bytes (what a leak grows; wasm memory never shrinks). */
  async memoryBytes(): Promise<number> {
    return (await this.call({ op: "metrics" })).memoryPages * 65536;
  }

  /** Stops the worker. */
  async close(): Promise<void> {
    this.closed = true;
    await this.transport.close();
  }

  /** @internal Sends a call, recreating the instance first if a deadline killed it. */
  call<C extends EngineCall>(call: C): Promise<ReplyFor<C>> {
    // no extra promise on the way when the instance is there (every call but the first after a deadline)
    if (this.live) return this.transport.call(call);
    return this.ensureAlive().then(() => this.transport.call(call));
  }

  /** @internal True when a call can go straight to the instance (no closing, no re-creation first). */
  get live(): boolean {
    return !this.closed && this.transport.alive;
  }

  /** @internal Drops the instance; the next call recreates it and re-configures its contexts. */
  async recycle(reason: string): Promise<void> {
    this.pendingHostLogs.push({
      level: "warn",
      message: `orwasm: dropping the instance of plugin ${this.name}: ${reason}`,
      source: "host",
      plugin: this.name,
    });
    await this.transport.close();
  }

  /** @internal Recreates the instance (and re-configures its contexts) after a deadline. */
  async ensureAlive(): Promise<void> {
    if (this.closed) throw new EngineDied(`plugin ${this.name} was closed`);
    if (!this.transport.alive) await this.revive();
  }

  /** @internal Runs proxy_on_done/proxy_on_delete for a request's HTTP contexts at its end. */
  readonly requestHolder = {
    finishRequest: async (req: HostRequest): Promise<LogEntry[]> => {
      try {
        const reply = await this.call({ op: "finishRequest", reqKey: req.key, req: req.state });
        return reply.logs;
      } catch (err) {
        return [
          {
            level: "error",
            message: `orwasm: could not finish the request in plugin ${this.name}: ${(err as Error).message}`,
            source: "host",
            plugin: this.name,
          },
        ];
      }
    },
  };

  /** @internal */
  dispatcher(): HttpCallDispatcher {
    return this.dispatch;
  }

  /** @internal */
  redis(): RedisDispatcher | undefined {
    return this.redisDispatch;
  }

  /** Cluster names the plugin used that the project does not declare, since the last call (higress). */
  async unknownClusters(): Promise<{ cluster: string; call: string }[]> {
    return (await this.call({ op: "unknownClusters" })).clusters;
  }

  /** @internal */
  drainHostLogs(): LogEntry[] {
    const out = this.pendingHostLogs;
    this.pendingHostLogs = [];
    return out;
  }

  /** @internal */
  forget(ctx: PluginContext): void {
    const i = this.contexts.indexOf(ctx);
    if (i !== -1) this.contexts.splice(i, 1);
  }

  private async revive(): Promise<void> {
    const note = (message: string, level: LogEntry["level"] = "warn"): void => {
      this.pendingHostLogs.push({ level, message, source: "host", plugin: this.name });
    };
    note(`orwasm: recreating the instance of plugin ${this.name} after it was terminated`);
    const report = await this.transport.load(this.init);
    this.pendingHostLogs.push(...report.logs);
    for (const ctx of this.contexts) {
      const reply = await this.transport.call({ op: "configure", conf: ctx.config });
      this.pendingHostLogs.push(...reply.logs);
      if (reply.rootId === undefined) {
        note(`orwasm: plugin ${this.name} rejected its configuration when recreated`, "error");
        ctx.broken = true;
      } else {
        ctx.rebind(reply.rootId);
      }
    }
  }
}

/** A configured plugin context (root context): one per (plugin, configuration). */
export class PluginContext {
  /** @internal set when the instance was recreated and this configuration failed. */
  broken = false;
  private currentRoot: number;

  /** @internal */
  constructor(
    readonly plugin: HostPlugin,
    readonly config: Uint8Array,
    rootId: number,
    /** Log lines written by context creation and proxy_on_configure. */
    readonly configureLogs: LogEntry[],
  ) {
    this.currentRoot = rootId;
  }

  /** The root context id the plugin knows this context by. */
  get rootId(): number {
    return this.currentRoot;
  }

  /** @internal */
  rebind(rootId: number): void {
    this.currentRoot = rootId;
  }

  /**
   * An HTTP stream of this context on a new request (or on `request`, to chain several plugins
   * on one request the way one nginx location does).
   */
  newHttpContext(request: RequestInit | HostRequest, body?: Uint8Array | string): HttpStream {
    const req = request instanceof HostRequest ? request : new HostRequest(request, body);
    return new HttpStream((this.host ??= this.streamHost()), req);
  }

  /** What every stream of this context reaches the plugin through: made once, not per request. */
  private host: StreamHost | undefined;

  /** Lua GC of the context: proxy_on_done/proxy_on_delete now, or after its last request. */
  async delete(): Promise<LogEntry[]> {
    this.plugin.forget(this);
    return (await this.plugin.call({ op: "deleteRoot", rootId: this.currentRoot })).logs;
  }

  private streamHost(): StreamHost {
    const plugin = this.plugin;
    const rootId = (): number => this.currentRoot;
    return {
      pluginName: plugin.name,
      rootId,
      dispatcher: () => plugin.dispatcher(),
      redis: () => plugin.redis(),
      call: (c) => {
        // the root id may have changed if the instance was recreated
        const send = () =>
          plugin.call("rootId" in c && c.rootId !== rootId() ? { ...c, rootId: rootId() } : c);
        return plugin.live ? send() : plugin.ensureAlive().then(send);
      },
      hold: (req) => req.holders.add(plugin.requestHolder),
      release: (req) => req.holders.delete(plugin.requestHolder),
      prepare: async () => {
        if (!plugin.live) await plugin.ensureAlive();
        return plugin.drainHostLogs();
      },
      recycle: (reason) => plugin.recycle(reason),
    };
  }
}
