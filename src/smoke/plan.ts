// What a smoke run starts, worked out from the project alone: the echo containers standing in for `mock: echo`
// upstreams (which network aliases, which ports) and the gateway ports the checks reach. Pure.
import type { Problem } from "../errors.js";
import type { Project } from "../project/project.js";

/** One echo container: answers on every port in `ports` under every name in `aliases`. */
export interface EchoSpec {
  /** The upstreams it stands in for, by name. */
  upstreams: string[];
  aliases: string[];
  ports: number[];
}

/** A server of the project as smoke reaches it. */
export interface ServerPort {
  index: number;
  /** The container port nginx listens on. */
  port: number;
  /** Why smoke cannot reach it from outside the container (loopback or unix socket listen), if so. */
  unreachable?: string;
  /** The Host header sent when a check gives none: the server's first name, when it has one. */
  hostHeader?: string;
}

/** Everything the runner starts, and the problems that stop it before any container starts. */
export interface SmokePlan {
  echoes: EchoSpec[];
  servers: ServerPort[];
  /** Upstreams without `mock: echo`: the gateway must resolve and reach them from inside Docker. */
  unmocked: string[];
  /** Distinct container ports to publish, ascending. */
  ports: number[];
  problems: Problem[];
}

const IPV4 = /^[0-9]+(\.[0-9]+){3}$/;
const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

/** Plans a run; `file` names the project in problems. */
export function planSmoke(project: Project, file: string): SmokePlan {
  const problems: Problem[] = [];
  const { data } = project;

  // host -> ports it is used with, and which upstreams use it
  const hostPorts = new Map<string, Set<number>>();
  const hostUpstreams = new Map<string, Set<string>>();
  data.upstreams.forEach((u, i) => {
    if (u.mock !== "echo") return;
    u.servers.forEach((s, j) => {
      const path = `upstreams.${i}.servers.${j}`;
      const why = unusableMockHost(s);
      if (why) {
        problems.push({
          file,
          path,
          message: `${why}; an echo container stands in for a mock upstream by host name`,
        });
        return;
      }
      const { host, port } = splitHostPort(s);
      hostPorts.set(host, (hostPorts.get(host) ?? new Set()).add(port));
      hostUpstreams.set(host, (hostUpstreams.get(host) ?? new Set()).add(u.name));
    });
  });
  // Hosts used with the same ports share one container (one alias per host name).
  const byPorts = new Map<string, EchoSpec>();
  for (const [host, ports] of [...hostPorts].sort(([a], [b]) => a.localeCompare(b))) {
    const sorted = [...ports].sort((a, b) => a - b);
    const key = sorted.join(",");
    const spec = byPorts.get(key) ?? { upstreams: [], aliases: [], ports: sorted };
    spec.aliases.push(host);
    for (const u of hostUpstreams.get(host) ?? [])
      if (!spec.upstreams.includes(u)) spec.upstreams.push(u);
    byPorts.set(key, spec);
  }

  const servers = data.servers.map((s, index): ServerPort => {
    const name = s.serverName.find((n) => n !== "_");
    const hostHeader = name?.replace(/^\*\./, "smoke.").replace(/\.\*$/, ".smoke");
    const base = { index, ...(hostHeader ? { hostHeader } : {}) };
    if (typeof s.listen === "number") return { ...base, port: s.listen };
    if (s.listen.startsWith("unix:")) {
      return { ...base, port: 0, unreachable: `it listens on a unix socket (${s.listen})` };
    }
    const { host, port } = splitHostPort(s.listen);
    return LOOPBACK.has(host)
      ? { ...base, port, unreachable: `it listens on ${s.listen}, inside the container only` }
      : { ...base, port };
  });
  data.smoke.forEach((c, i) => {
    const s = servers[c.request.server];
    if (s?.unreachable) {
      problems.push({
        file,
        path: `smoke.${i}.request.server`,
        message: `check '${c.name}' targets servers.${s.index}, which smoke cannot reach: ${s.unreachable}`,
      });
    }
  });
  const ports = [...new Set(servers.filter((s) => !s.unreachable).map((s) => s.port))].sort(
    (a, b) => a - b,
  );
  const unmocked = data.upstreams
    .filter((u) => u.mock !== "echo")
    .map((u) => `${u.name} (${u.servers.join(", ")})`);
  return { echoes: [...byPorts.values()], servers, ports, unmocked, problems };
}

/** `host:port` / `[v6]:port` split at the last colon. */
export function splitHostPort(s: string): { host: string; port: number } {
  const at = s.lastIndexOf(":");
  return { host: s.slice(0, at), port: Number(s.slice(at + 1)) };
}

function unusableMockHost(server: string): string | undefined {
  if (server.startsWith("unix:")) return `${server} is a unix socket`;
  const { host } = splitHostPort(server);
  if (host.startsWith("[") || IPV4.test(host)) return `${server} names an IP address`;
  if (host === "localhost")
    return `${server} names localhost, which is the gateway's own container`;
  return undefined;
}
