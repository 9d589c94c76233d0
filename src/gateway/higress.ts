// The embedded gateway's higress profile wiring: the project's upstreams as Higress clusters, the Redis commands
// plugins send (to the real server, or with a fault a test asked for), and unknown cluster names as load errors
// located in the project file.
import { readFile } from "node:fs/promises";
import { relative } from "node:path";
import { LineCounter, parseDocument } from "yaml";
import { ConfigError, type Problem } from "../errors.js";
import type { ClusterTarget, HigressInit, RedisDispatcher } from "../proxy-host/index.js";
import { dotted, locate, type PathKey } from "../project/locate.js";
import type { Project, ResolvedPlugin } from "../project/project.js";
import { configText } from "../render/plugin-config.js";
import { hostPort, RedisPool, type RedisTarget } from "../redis/connection.js";
import { delayRelay, refusedPort, type Relay } from "./redis-faults.js";

const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "critical"] as const;

/** Every cluster name of the project (upstream names and declared `clusters`), each to its upstream. */
export function clusterMap(project: Project): Record<string, ClusterTarget> {
  const out: Record<string, ClusterTarget> = {};
  for (const u of project.data.upstreams) {
    const target: ClusterTarget = { upstream: u.name, kind: u.protocol, server: u.servers[0]! };
    out[u.name] = target;
    for (const c of u.clusters) out[c] = target;
  }
  return out;
}

/** What the engine of `plugin` is created with under the higress profile. */
export function higressInit(project: Project, plugin: ResolvedPlugin): HigressInit {
  return {
    clusters: clusterMap(project),
    logLevel: LOG_LEVELS.indexOf(project.data.host.logLevel),
    pluginName: plugin.data.name,
  };
}

/** A fault a test case puts between the plugins and a Redis upstream. */
export type RedisFault = { down: true } | { delayMs: number };

/** Sends the plugins' Redis commands over a connection pool; faults per upstream can be set between requests. */
export class RedisRouter {
  readonly pool = new RedisPool();
  private faults = new Map<string, { fault: RedisFault; relay?: Relay; port?: number }>();

  /** The dispatcher the plugins' engines get. */
  readonly dispatch: RedisDispatcher = async (req) => {
    const target: RedisTarget = { ...hostPort(req.server), database: req.database };
    if (req.username) target.username = req.username;
    if (req.password) target.password = req.password;
    const f = this.faults.get(req.upstream);
    if (f?.port !== undefined) target.port = f.port;
    if (f?.relay) {
      target.host = "127.0.0.1";
      target.port = f.relay.port;
    }
    const a = await this.pool.send(target, req.query, req.timeoutMs);
    return a.ok ? { reply: a.reply } : { error: a.error };
  };

  /** Applies the faults of one test case (replacing the previous ones). */
  async setFaults(faults: Record<string, RedisFault>, project: Project): Promise<void> {
    await this.clearFaults();
    for (const [upstream, fault] of Object.entries(faults)) {
      const u = project.data.upstreams.find((x) => x.name === upstream);
      if (!u) continue;
      if ("down" in fault) this.faults.set(upstream, { fault, port: await refusedPort() });
      else {
        const relay = await delayRelay(hostPort(u.servers[0]!), fault.delayMs);
        this.faults.set(upstream, { fault, relay });
      }
    }
    // connections opened before the fault must not bypass it
    this.pool.close();
  }

  async clearFaults(): Promise<void> {
    const had = this.faults.size > 0;
    for (const f of this.faults.values()) await f.relay?.close();
    this.faults.clear();
    if (had) this.pool.close();
  }

  async close(): Promise<void> {
    await this.clearFaults();
    this.pool.close();
  }
}

/** Where a plugin's config text comes from in the project: the first key path that gives it. */
export function configPath(project: Project, pluginIndex: number, config: string): PathKey[] {
  const name = project.data.plugins[pluginIndex]!.name;
  const overrides: [PathKey[], unknown][] = [];
  project.data.servers.forEach((s, si) =>
    s.routes.forEach((r, ri) =>
      r.plugins.forEach((rp, pi) => {
        if (typeof rp !== "string" && rp.name === name && rp.config !== undefined) {
          overrides.push([["servers", si, "routes", ri, "plugins", pi, "config"], rp.config]);
        }
      }),
    ),
  );
  project.data.tests.forEach((t, ti) =>
    t.plugins.forEach((tp, pi) => {
      if (typeof tp !== "string" && tp.name === name && tp.config !== undefined) {
        overrides.push([["tests", ti, "plugins", pi, "config"], tp.config]);
      }
    }),
  );
  for (const [path, c] of overrides) if (configText(c) === config) return path;
  return ["plugins", pluginIndex, "config"];
}

/** The load error for cluster names no upstream declares, each at the config that names it. */
export async function unknownClusterError(
  project: Project,
  found: { plugin: number; config: string; cluster: string; call: string }[],
): Promise<ConfigError> {
  const text = await readFile(project.file, "utf8");
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  const file = relative(process.cwd(), project.file) || project.file;
  const known = project.data.upstreams
    .map((u) => `${u.name} (${u.protocol}${u.clusters.length ? `: ${u.clusters.join(", ")}` : ""})`)
    .join("; ");
  const problems: Problem[] = found.map((f) => {
    const path = configPath(project, f.plugin, f.config);
    return {
      file,
      ...locate(doc, lines, path),
      path: dotted(path),
      message:
        `plugin ${project.data.plugins[f.plugin]!.name} calls ${f.call} with cluster ${f.cluster}, which no ` +
        `upstream declares; upstreams: ${known || "(none)"}. Add it to an upstream's clusters:`,
    };
  });
  return new ConfigError(problems);
}
