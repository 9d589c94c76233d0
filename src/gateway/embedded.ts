// The embedded gateway: a project's routes served by orwasm's proxy-wasm host instead of OpenResty,
// wired the way the rendered nginx.conf wires them (same routes, contexts, priority order and failure policy).
import type { Project, ResolvedPlugin } from "../project/project.js";
import type { ServerData } from "../project/schema.js";
import { configText } from "../render/plugin-config.js";
import { routeSteps } from "../render/view-model.js";
import {
  HostPlugin,
  NginxWorker,
  runRequest,
  type ChainEntry,
  type HttpCallDispatcher,
  type LogEntry,
  type PluginContext,
  type RequestInit,
  type RequestOutcome,
  type UpstreamRequest,
  type UpstreamResponse,
} from "../proxy-host/index.js";
import type { ProfileName } from "../proxy-host/runtime/protocol.js";
import type { NginxLogLevel } from "../proxy-host/abi.js";
import type { RedisDispatcher } from "../proxy-host/index.js";
import { higressInit, RedisRouter, unknownClusterError } from "./higress.js";
import { matchRoute } from "./router.js";
import { echo, upstreamHandler } from "./upstreams.js";

export interface EmbeddedOptions {
  /**
   * "wasm-nginx-module" mirrors 0.7.0 exactly; "envoy-like" adds what the module lacks; "higress" adds Higress'
   * extensions. Default: the project's `host.profile`.
   */
  profile?: ProfileName;
  /** higress profile: where Redis commands go; default the project's Redis upstreams, for real. */
  redis?: RedisDispatcher;
  /** Where proxy_http_call goes; default a real fetch. */
  dispatcher?: HttpCallDispatcher;
  /** Overrides how an upstream answers (tests); default: mocks answer as orwasm's echo, others are proxied. */
  upstream?: (
    name: string,
    req: UpstreamRequest,
  ) => Promise<UpstreamResponse> | UpstreamResponse | undefined;
  /** Call deadline per plugin callback (worker isolation), ms. */
  deadlineMs?: number;
  /** Memory limit per plugin, in 64 KiB pages. */
  memoryPages?: number;
  /** Drop a request's log lines below this level where the plugin writes them, as nginx's error_log does. */
  requestLogLevel?: NginxLogLevel;
}

/** What failed at start-up, per plugin: the same lines nginx's error log would carry. */
export interface StartupLog {
  logs: LogEntry[];
}

/** Where a request goes after the request phases. */
export type Target = { named: string } | { fixed: UpstreamResponse } | { echo: true };

/** What serving a route needs that does not change per request. */
type KnownRoute = {
  steps: { name: string; config: string }[];
  target: Target;
  names: Record<string, string>;
};

type Live = { plugin: HostPlugin | undefined; contexts: Map<string, PluginContext | undefined> };

/** A started embedded gateway; `handle` serves one request, `close` frees the plugin instances. */
export class EmbeddedGateway {
  private constructor(
    readonly project: Project,
    private readonly live: Map<string, Live>,
    readonly startup: LogEntry[],
    private readonly options: EmbeddedOptions,
    /** Why this gateway is not ready (as the health listener says it): each plugin that did not load or configure. */
    readonly problems: string[],
    /** higress profile: the Redis connections and the faults tests put in front of them. */
    readonly redis: RedisRouter | undefined = undefined,
  ) {
    this.byName = new Map(project.plugins.map((p) => [p.data.name, p]));
  }

  /** Plugins by name: computed once, not per request. */
  private readonly byName: Map<string, ResolvedPlugin>;

  /** Loads each plugin once and configures one context per distinct (plugin, config), like init_worker. */
  static async start(project: Project, options: EmbeddedOptions = {}): Promise<EmbeddedGateway> {
    const live = new Map<string, Live>();
    const startup: LogEntry[] = [];
    // one nginx worker: its plugins share the worker's callout-id counter (ngx_http_wasm_call.c)
    const worker = new NginxWorker();
    const problems: string[] = [];
    const profile = options.profile ?? project.data.host.profile;
    const router = profile === "higress" && !options.redis ? new RedisRouter() : undefined;
    const unknown: { plugin: number; config: string; cluster: string; call: string }[] = [];
    const host = (plugin: string, problem: string): void => {
      problems.push(problem);
      startup.push({ level: "error", message: `orwasm: ${problem}`, source: "host", plugin });
    };
    for (const [index, p] of project.plugins.entries()) {
      const entry: Live = { plugin: undefined, contexts: new Map() };
      live.set(p.data.name, entry);
      try {
        entry.plugin = await HostPlugin.load({
          name: p.data.rootId ?? p.data.name,
          wasm: p.wasmPath,
          profile,
          vm: project.data.engine.vm,
          dispatcher: options.dispatcher,
          ...(profile === "higress"
            ? { higress: higressInit(project, p), redis: options.redis ?? router!.dispatch }
            : {}),
          worker,
          requestLogLevel: options.requestLogLevel,
          limits: { deadlineMs: options.deadlineMs, memoryPages: options.memoryPages },
        });
      } catch (err) {
        host(
          p.data.name,
          `plugin ${p.data.name} failed to load from ${p.wasmPath}: ${(err as Error).message}`,
        );
        continue;
      }
      for (const config of distinctConfigs(project, p)) {
        try {
          entry.contexts.set(config, await entry.plugin.configure(config));
        } catch (err) {
          entry.contexts.set(config, undefined);
          host(
            p.data.name,
            `plugin ${p.data.name} rejected its configuration: ${(err as Error).message}`,
          );
        }
        // cluster names proxy_redis_init/proxy_http_call did not find while this config was applied
        if (profile === "higress") {
          for (const u of await entry.plugin.unknownClusters())
            unknown.push({ plugin: index, config, ...u });
        }
      }
      startup.push(...entry.plugin.drainHostLogs());
    }
    if (unknown.length > 0) {
      await Promise.all([...live.values()].flatMap((l) => (l.plugin ? [l.plugin.close()] : [])));
      await router?.close();
      throw await unknownClusterError(project, unknown);
    }
    return new EmbeddedGateway(project, live, startup, options, problems, router);
  }

  /** Serves one request on `server` (an index into the project's servers), as nginx would route it. */
  async handle(
    server: number,
    init: RequestInit,
    body?: Uint8Array | string,
  ): Promise<RequestOutcome | { notFound: true }> {
    const s: ServerData | undefined = this.project.data.servers[server];
    if (!s) throw new Error(`no server ${server}`);
    const index = matchRoute(s.routes, init.path);
    if (index === undefined) return { notFound: true };
    const { steps, target, names } = this.routeOf(server, index);
    const variables: Record<string, string> = { ...init.variables, ...names };
    return this.runChain(steps, { ...init, variables }, body, target);
  }

  private readonly routes = new Map<string, KnownRoute>();

  /** A route's plugin steps in priority order, its target and the variables naming it: once per route. */
  private routeOf(server: number, index: number): KnownRoute {
    const key = `${server}/${index}`;
    let known = this.routes.get(key);
    if (!known) {
      const route = this.project.data.servers[server]!.routes[index]!;
      const steps = routeSteps(route, this.byName).map((st) => ({
        name: st.plugin.data.name,
        config: st.config,
      }));
      const respond = route.respond;
      const target: Target = respond
        ? { fixed: { status: respond.status, headers: respond.headers, body: respond.body } }
        : { named: route.upstream! };
      // what Higress' route_name and cluster_name properties answer (wasm-go's _match_route_/_match_service_)
      const up = this.project.data.upstreams.find((u) => u.name === route.upstream);
      const names: Record<string, string> = { orwasm_route_name: route.name ?? route.path };
      if (up) names["orwasm_cluster_name"] = up.clusters[0] ?? up.name;
      known = { steps, target, names };
      this.routes.set(key, known);
    }
    return known;
  }

  /**
   * Runs plugins (name + config, already in priority order) over one request, then the target: a named
   * upstream of the project, a fixed answer, or (by default) orwasm's echo.
   */
  async runChain(
    steps: { name: string; config: string }[],
    init: RequestInit,
    body?: Uint8Array | string,
    target: Target = { echo: true },
  ): Promise<RequestOutcome> {
    const chain: ChainEntry[] = [];
    const missing: LogEntry[] = [];
    let refuse: number | undefined;
    for (const step of steps) {
      const plugin = this.byName.get(step.name);
      if (!plugin) throw new Error(`unknown plugin ${step.name}`);
      const ctx = this.live.get(step.name)?.contexts.get(step.config);
      const failure = plugin.data.failure;
      if (ctx) {
        chain.push({
          context: ctx,
          name: step.name,
          failure: { mode: failure.policy, status: failure.status },
        });
        continue;
      }
      // The runtime's NOT_LIVE path: a plugin that did not load or configure fails every call by its policy.
      const why =
        "plugin is not loaded or not configured in this worker (see the error log at start-up)";
      if (failure.policy === "open") {
        missing.push({
          level: "warn",
          source: "host",
          plugin: step.name,
          message: `orwasm: plugin ${step.name} failed (fail-open, continuing): ${why}`,
        });
      } else if (refuse === undefined) {
        missing.push({
          level: "error",
          source: "host",
          plugin: step.name,
          message: `orwasm: plugin ${step.name} failed (fail-closed, answering ${failure.status}): ${why}`,
        });
        refuse = failure.status;
      }
    }
    const answer = async (req: UpstreamRequest): Promise<UpstreamResponse> => {
      if (refuse !== undefined) return { status: refuse };
      if ("echo" in target) return echo(req);
      if ("fixed" in target) return target.fixed;
      const custom = await this.options.upstream?.(target.named, req);
      return custom ?? upstreamHandler(this.project, target.named)(req);
    };
    const outcome = await runRequest(refuse !== undefined ? [] : chain, init, {
      body,
      upstream: answer,
      requestPhase: this.project.data.gateway.requestHeadersPhase,
    });
    outcome.logs.unshift(...missing);
    return outcome;
  }

  /** The plugin contexts configured (one per distinct plugin and config), as the health listener counts them. */
  get contextCount(): number {
    let n = 0;
    for (const l of this.live.values()) n += l.contexts.size;
    return n;
  }

  async close(): Promise<void> {
    await Promise.all([...this.live.values()].flatMap((l) => (l.plugin ? [l.plugin.close()] : [])));
    await this.redis?.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/** Every config text a plugin is used with across the project's routes and tests. */
function distinctConfigs(project: Project, plugin: ResolvedPlugin): Set<string> {
  const out = new Set<string>();
  const byName = new Map([[plugin.data.name, plugin]]);
  for (const s of project.data.servers)
    for (const r of s.routes) {
      const only = {
        ...r,
        plugins: r.plugins.filter(
          (rp) => (typeof rp === "string" ? rp : rp.name) === plugin.data.name,
        ),
      };
      for (const step of routeSteps(only, byName)) out.add(step.config);
    }
  for (const t of project.data.tests)
    for (const tp of t.plugins) {
      if ((typeof tp === "string" ? tp : tp.name) !== plugin.data.name) continue;
      const override = typeof tp === "string" ? undefined : tp.config;
      out.add(configText(override !== undefined ? override : plugin.data.config));
    }
  return out;
}
