// Pure: turns a validated Project and its engine target into the nginx.conf template's view model.
// Every value that lands in nginx or Lua syntax is encoded here, so the template only places strings.
import { basename } from "node:path";
import type { Project, ResolvedPlugin } from "../project/project.js";
import type { GatewayData, RouteData } from "../project/schema.js";
import { luaComment, luaString } from "./lua.js";
import { nginxQuote } from "./nginx.js";
import { phasesOf, type PluginPhases } from "./phases.js";
import { configText } from "./plugin-config.js";
import { drainFile, type EngineTarget } from "./target.js";

export interface NginxConfView {
  source: string;
  loadModules: string[];
  workerProcesses: string;
  workerConnections: number;
  pidFile: string;
  /** Lua string: the drain file (`drainFile`). */
  drainFileLua: string;
  /** `gateway.drain`: the http-level drain filter and the worker's watch of the drain file. */
  drain: boolean;
  errorLog: string;
  errorLogLevel: string;
  /** The `access_log` arguments: `off`, or a quoted path with the format name and buffer. */
  accessLog: string;
  /** The quoted `log_format orwasm_access` string, or "" for nginx's combined format. */
  accessLogFormat: string;
  vm: string;
  luaPackagePath: string;
  luaPackageCpath: string;
  clientBodyBufferSize: string;
  clientMaxBodySize: string;
  /** The `resolver` arguments (quoted addresses), or "" for none. */
  resolver: string;
  upstreams: { name: string; servers: string[] }[];
  plugins: {
    nameLua: string;
    rootIdLua: string;
    pathLua: string;
    closed: boolean;
    status: number;
  }[];
  contexts: { id: number; pluginLua: string; configLua: string; comment: string }[];
  routes: {
    id: number;
    comment: string;
    requestHeaders: string;
    requestBody: string;
    responseHeaders: string;
    responseBody: string;
  }[];
  servers: { listen: string; serverNames: string; locations: LocationView[] }[];
  /** orwasm's health listener (`deployment.kubernetes.health`), or false when the project has no Kubernetes section. */
  health: { listen: string } | false;
}

/** What a caller may change in the rendering beyond the project and target (a reload's throwaway validation). */
export interface RenderOverrides {
  /** The health listener's `listen` value; false leaves it out. Default: from `deployment.kubernetes.health`. */
  health?: { listen: string } | false;
}

export interface LocationView {
  routeId: number;
  location: string;
  plugins: string;
  requestPhase: "access" | "rewrite" | "";
  responseHeaders: boolean;
  bodyFilter: boolean;
  proxy: string;
  respond: { status: number; headers: { name: string; value: string }[]; body: string } | false;
}

/** Where a plugin's .wasm is found at run time. */
export function pluginRuntimePath(target: EngineTarget, name: string): string {
  return `${target.pluginDir}/${name}.wasm`;
}

export function buildViewModel(
  project: Project,
  target: EngineTarget,
  overrides: RenderOverrides = {},
): NginxConfView {
  const { data } = project;
  const byName = new Map(project.plugins.map((p) => [p.data.name, p]));
  const contexts: NginxConfView["contexts"] = [];
  const contextIds = new Map<string, number>();
  /** One context per distinct (plugin, config) pair, shared by every route that uses the pair. */
  const contextFor = (plugin: ResolvedPlugin, config: string): number => {
    const key = JSON.stringify([plugin.data.name, config]);
    let id = contextIds.get(key);
    if (id === undefined) {
      id = contexts.length + 1;
      contextIds.set(key, id);
      contexts.push({
        id,
        pluginLua: luaString(plugin.data.name),
        configLua: luaString(config),
        comment: `${plugin.data.name}, ${Buffer.byteLength(config)}-byte config`,
      });
    }
    return id;
  };

  const routes: NginxConfView["routes"] = [];
  const servers = data.servers.map((server, s) => ({
    listen: String(server.listen),
    serverNames: server.serverName.join(" "),
    locations: server.routes.map((route, r): LocationView => {
      const steps = routeSteps(route, byName).map(({ plugin, config }) => ({
        plugin,
        phases: phasesOf(plugin.info),
        ctx: contextFor(plugin, config),
      }));
      const ids = (phase: keyof PluginPhases) =>
        steps.filter((st) => st.phases[phase]).map((st) => st.ctx);
      const id = routes.length + 1;
      const view = {
        requestHeaders: ids("requestHeaders"),
        requestBody: ids("requestBody"),
        responseHeaders: ids("responseHeaders"),
        responseBody: ids("responseBody"),
      };
      routes.push({
        id,
        comment: luaComment(`servers.${s}.routes.${r} ${route.match} ${route.path}`),
        requestHeaders: luaList(view.requestHeaders),
        requestBody: luaList(view.requestBody),
        responseHeaders: luaList(view.responseHeaders),
        responseBody: luaList(view.responseBody),
      });
      return {
        routeId: id,
        location: locationArgs(route),
        plugins: steps.map((st) => st.plugin.data.name).join(", "),
        requestPhase:
          view.requestHeaders.length + view.requestBody.length > 0
            ? data.gateway.requestHeadersPhase
            : "",
        responseHeaders: view.responseHeaders.length > 0,
        // only response-body plugins need it: a fail-closed response-headers failure ends the response with ngx.exit
        bodyFilter: view.responseBody.length > 0,
        proxy: route.upstream ?? "",
        respond: route.respond
          ? {
              status: route.respond.status,
              headers: Object.entries(route.respond.headers).map(([name, value]) => ({
                name: luaString(name),
                value: luaString(value),
              })),
              body: luaString(route.respond.body),
            }
          : false,
      };
    }),
  }));

  return {
    // The file name lands in an nginx comment: one line, no syntax.
    source: luaComment(basename(project.file)),
    loadModules: target.loadModules.map(nginxQuote),
    workerProcesses: String(data.gateway.workerProcesses),
    workerConnections: data.gateway.workerConnections,
    pidFile: nginxQuote(target.pidFile),
    drainFileLua: luaString(drainFile(target)),
    drain: data.gateway.drain,
    errorLog: nginxQuote(target.errorLog),
    errorLogLevel: data.gateway.errorLogLevel,
    ...accessLogView(data.gateway.accessLog, target.accessLog),
    vm: target.vm,
    luaPackagePath: nginxQuote(`${target.luaPackagePath.join(";")};;`),
    luaPackageCpath: nginxQuote(`${target.luaPackageCpath.join(";")};;`),
    clientBodyBufferSize: data.gateway.clientBodyBufferSize,
    clientMaxBodySize: data.gateway.clientMaxBodySize,
    resolver: (data.gateway.resolver ?? target.resolver ?? []).map(nginxQuote).join(" "),
    upstreams: data.upstreams.map((u) => ({ name: u.name, servers: u.servers })),
    plugins: project.plugins.map((p) => ({
      nameLua: luaString(p.data.name),
      rootIdLua: luaString(p.data.rootId ?? p.data.name),
      pathLua: luaString(pluginRuntimePath(target, p.data.name)),
      closed: p.data.failure.policy === "closed",
      status: p.data.failure.status,
    })),
    contexts,
    routes,
    servers,
    health: overrides.health ?? healthListen(project),
  };
}

/** The health listener a project's Kubernetes section asks for, or false. */
function healthListen(project: Project): NginxConfView["health"] {
  const k = project.data.deployment?.kubernetes;
  return k ? { listen: String(k.health.port) } : false;
}

/** Istio's filter-chain order of WasmPlugin phases: AUTHN, AUTHZ, STATS, then plugins without a phase (before the router). */
const PHASE_RANK = { authn: 0, authz: 1, stats: 2 } as const;

function phaseRank(p: ResolvedPlugin): number {
  return p.data.phase ? PHASE_RANK[p.data.phase] : 3;
}

/**
 * The plugins of a route with their effective config: by phase (authn, authz, stats, none), then highest priority
 * first (ties keep the route's order).
 */
export function routeSteps(
  route: RouteData,
  byName: Map<string, ResolvedPlugin>,
): { plugin: ResolvedPlugin; config: string }[] {
  return route.plugins
    .map((rp) => {
      const name = typeof rp === "string" ? rp : rp.name;
      const plugin = byName.get(name);
      if (!plugin)
        throw new Error(
          `route names unknown plugin ${name}; the project rules should have caught it`,
        );
      const override = typeof rp === "string" ? undefined : rp.config;
      return { plugin, config: configText(override !== undefined ? override : plugin.data.config) };
    })
    .map((step, index) => ({ step, index }))
    .sort(
      (a, b) =>
        phaseRank(a.step.plugin) - phaseRank(b.step.plugin) ||
        b.step.plugin.data.priority - a.step.plugin.data.priority ||
        a.index - b.index,
    )
    .map(({ step }) => step);
}

/** The project's `gateway.accessLog` over the engine's default path, as `access_log` and `log_format` arguments. */
function accessLogView(
  log: GatewayData["accessLog"],
  enginePath: string,
): { accessLog: string; accessLogFormat: string } {
  if (log === "off" || (log === undefined && enginePath === "off"))
    return { accessLog: "off", accessLogFormat: "" };
  const { path, format, buffer } =
    typeof log === "object" ? log : { path: log, format: undefined, buffer: undefined };
  const args = [nginxQuote(path ?? (enginePath === "off" ? "/dev/stdout" : enginePath))];
  if (format !== undefined) args.push("orwasm_access");
  else if (buffer !== undefined) args.push("combined");
  if (buffer !== undefined) args.push(`buffer=${buffer}`);
  return {
    accessLog: args.join(" "),
    accessLogFormat: format !== undefined ? nginxQuote(format) : "",
  };
}

function luaList(ids: number[]): string {
  return ids.length ? `{ ${ids.join(", ")} }` : "{}";
}

function locationArgs(route: RouteData): string {
  const modifier = { exact: "= ", prefix: "", regex: "~ " }[route.match];
  return `${modifier}${nginxQuote(route.path)}`;
}
