// Starts a gateway with its echo upstreams on a private Docker network, waits until it answers, and stops it all:
// the start/stop code shared by `orwasm smoke` and OrwasmGateway (orwasm/testing).
import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { ConfigError, SmokeError } from "../errors.js";
import { shellQuote } from "../engine/shell-quote.js";
import type { Project } from "../project/project.js";
import { ensureEchoImage } from "../upstream/echo-image.js";
import type { DockerClient } from "../docker/client.js";
import type { LogLine } from "../docker/logs.js";
import { prepareGateway, type GatewayKind } from "./gateway-kind.js";
import { answersHttp } from "./http.js";
import { renderKeepNotice } from "./keep-notice.js";
import { planSmoke, type EchoSpec, type ServerPort } from "./plan.js";
import type { GatewayLabel } from "../checks/report.js";
import {
  crashLoopFailure,
  exitedStartFailure,
  GatewayStartFailure,
  pluginStartFailure,
  relevantLines,
} from "./start-failure.js";

/** How long the gateway may take to answer by default. */
export const DEFAULT_START_TIMEOUT_MS = 60_000;
/** Lines of the gateway log kept for reports. */
export const LOG_TAIL_LINES = 40;
/** Label on every container and network of a run (value: the run id), so they can be found and removed. */
export const RUN_LABEL = "org.orwasm.smoke-run";

export interface SessionOptions {
  /** Names the project file in messages (default: its absolute path). */
  file?: string;
  docker?: DockerClient;
  onProgress?: (line: string) => void;
  startTimeoutMs?: number;
  /** Names this run's containers and network (default: random); lets a caller remove them by label if interrupted. */
  runId?: string;
  /** Leave the containers running when the gateway fails to start (the error's keepNotice says how to reach them). */
  keepOnFailure?: boolean;
}

/** A server of the running gateway, with where it is reached from this machine. */
export interface RunningServer extends ServerPort {
  hostPort?: number;
  /** `http://host:port`, without a trailing slash; absent when smoke cannot reach the server. */
  baseUrl?: string;
}

/** A running gateway and its upstreams. */
export interface GatewaySession {
  readonly runId: string;
  readonly label: GatewayLabel;
  /** Milliseconds from creating the gateway container until every published port answered HTTP. */
  readonly startMs: number;
  readonly servers: RunningServer[];
  /** The gateway's log (error log on stderr, access log on stdout), in order. */
  logs(): Promise<LogLine[]>;
  /** The last lines of the gateway's log, as text. */
  logTail(lines?: number): Promise<string[]>;
  /** Removes every container and the network; safe to call twice. */
  stop(): Promise<void>;
  /** What `--keep` prints. */
  keepNotice(): string;
}

/** A fresh run id: 8 hex digits. */
export function newRunId(): string {
  return randomBytes(4).toString("hex");
}

/** Starts everything; throws GatewayStartFailure (exit 4) when the gateway does not come up, with its log lines. */
export async function startGatewaySession(
  project: Project,
  kind: GatewayKind,
  opts: SessionOptions = {},
): Promise<GatewaySession> {
  const file = opts.file ?? project.file;
  const progress = opts.onProgress ?? (() => {});
  const plan = planSmoke(project, file);
  if (plan.problems.length) throw new ConfigError(plan.problems);
  // testcontainers takes half a second to import: only when Docker is really used.
  for (const u of plan.unmocked) {
    progress(
      `upstream ${u} has no \`mock: echo\`: the gateway must resolve and reach it from inside Docker`,
    );
  }
  const docker =
    opts.docker ?? (await (await import("../docker/client-dockerode.js")).connectDocker());
  const launch = await prepareGateway(kind, project, docker, progress);
  const echoImage = plan.echoes.length ? await echoImageRef(docker, progress) : undefined;

  const runId = opts.runId ?? newRunId();
  const network = `orwasm-smoke-${runId}`;
  const labels = { "org.orwasm.role": "smoke", [RUN_LABEL]: runId };
  const gatewayName = `${network}-gateway`;
  const echoes = plan.echoes.map((e, i) => ({ ...e, name: `${network}-echo-${i + 1}` }));
  const created: string[] = [];
  let networkCreated = false;
  const servers: RunningServer[] = plan.servers.map((s) => ({ ...s }));
  let stopped = false;

  const logs = () => docker.containers.logs(gatewayName);
  const logTail = async (n = LOG_TAIL_LINES) =>
    (await logs().catch(() => [])).slice(-n).map((l) => l.text);
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    const errors: unknown[] = [];
    for (const name of [...created].reverse()) {
      await docker.containers.remove(name).catch((e: unknown) => errors.push(e));
    }
    if (networkCreated) await docker.networks.remove(network).catch((e: unknown) => errors.push(e));
    if (errors.length) throw errors[0];
  };
  const keepNotice = () =>
    renderKeepNotice({
      network,
      gateway: {
        name: gatewayName,
        urls: servers
          .filter((s) => s.baseUrl)
          .map((s) => ({ server: s.index, listen: s.port, url: s.baseUrl! })),
      },
      echoes: echoes.map((e) => ({ ...e })),
    });

  let startMs = 0;
  try {
    await docker.networks.create(network, labels);
    networkCreated = true;
    for (const e of echoes) {
      const t = performance.now();
      created.push(e.name);
      await docker.containers.run({
        name: e.name,
        image: echoImage!,
        network,
        aliases: e.aliases,
        labels: { ...labels, "org.orwasm.smoke-role": "echo" },
        ...(await echoCommand(docker, echoImage!, e)),
      });
      await waitForEcho(docker, e.name, e.ports.length);
      progress(
        `echo upstream ${e.name} answers as ${e.aliases.join(", ")} on ${e.ports.join(", ")} (${Math.round(performance.now() - t)} ms)`,
      );
    }
    const t0 = performance.now();
    created.push(gatewayName);
    await docker.containers
      .run({
        name: gatewayName,
        image: launch.image,
        network,
        labels: { ...labels, "org.orwasm.smoke-role": "gateway" },
        publish: plan.ports,
        files: launch.files,
        ...(launch.entrypoint ? { entrypoint: launch.entrypoint } : {}),
        ...(launch.cmd ? { cmd: launch.cmd } : {}),
      })
      .catch((err: unknown) => {
        // Docker itself refused to start it (no such entrypoint, bad mount...): a start failure too.
        if (!(err instanceof SmokeError)) throw err;
        throw new GatewayStartFailure({ message: err.message, lines: [] }, []);
      });
    progress(`gateway ${gatewayName} started from ${launch.image}; waiting for it to answer`);
    await waitForGateway();
    startMs = performance.now() - t0;
    // A plugin that failed to load leaves nginx running; the glue and the VM say so in the log during start-up.
    await sleep(150);
    const lines = (await logs()).map((l) => l.text);
    const pluginFailure = pluginStartFailure(lines);
    if (pluginFailure) throw new GatewayStartFailure(pluginFailure, lines.slice(-LOG_TAIL_LINES));
    progress(
      `gateway answers after ${Math.round(startMs)} ms: ${servers
        .filter((s) => s.baseUrl)
        .map((s) => `${s.baseUrl} (servers.${s.index})`)
        .join(", ")}`,
    );
  } catch (err) {
    if (opts.keepOnFailure && networkCreated) {
      if (err instanceof GatewayStartFailure) err.keepNotice = keepNotice();
    } else {
      await stop().catch(() => {});
    }
    throw err;
  }
  return { runId, label: launch.label, startMs, servers, logs, logTail, stop, keepNotice };

  async function waitForGateway(): Promise<void> {
    const timeout = opts.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
    const deadline = performance.now() + timeout;
    const pending = new Set(plan.ports);
    let polls = 0;
    for (;;) {
      const state = await docker.containers.state(gatewayName);
      if (!state.running) {
        const lines = (await logs()).map((l) => l.text);
        const info = exitedStartFailure(launch.what, state.exitCode, lines);
        if (state.error) info.lines.unshift(`docker: ${state.error}`);
        if (state.oomKilled)
          info.lines.unshift("docker: the container ran out of memory (OOM killed)");
        throw new GatewayStartFailure(info, lines.slice(-LOG_TAIL_LINES));
      }
      for (const port of [...pending]) {
        const hostPort = await docker.containers.hostPort(gatewayName, port);
        if (hostPort === undefined) continue;
        if (await answersHttp(docker.host, hostPort, 1000)) {
          pending.delete(port);
          for (const s of servers) {
            if (s.port === port && !s.unreachable) {
              s.hostPort = hostPort;
              s.baseUrl = `http://${urlHost(docker.host)}:${hostPort}`;
            }
          }
        }
      }
      if (pending.size === 0) return;
      // a worker that dies as it loads a plugin is respawned by nginx forever: say so instead of waiting it out
      if (++polls % 10 === 0) {
        const lines = (await logs()).map((l) => l.text);
        const crashing = crashLoopFailure(lines);
        if (crashing) throw new GatewayStartFailure(crashing, lines.slice(-LOG_TAIL_LINES));
      }
      if (performance.now() > deadline) {
        const lines = (await logs()).map((l) => l.text);
        throw new GatewayStartFailure(
          {
            message: `the gateway runs but did not answer HTTP on container port${pending.size === 1 ? "" : "s"} ${[...pending].join(", ")} within ${+(timeout / 1000).toFixed(1)} s`,
            lines: relevantLines(lines),
          },
          lines.slice(-LOG_TAIL_LINES),
        );
      }
      await sleep(100);
    }
  }
}

async function echoImageRef(
  docker: DockerClient,
  progress: (line: string) => void,
): Promise<string> {
  const t = performance.now();
  let announced = false;
  const { ref, built } = await ensureEchoImage(docker.images, {
    onEvent: () => {
      if (!announced) progress("building the echo upstream image (once; it is cached)");
      announced = true;
    },
  });
  if (built) progress(`built ${ref} in ${Math.round(performance.now() - t)} ms`);
  return ref;
}

/** One port: the image's own command with PORT set; several: one echo process per port under /bin/sh. */
async function echoCommand(
  docker: DockerClient,
  image: string,
  e: EchoSpec,
): Promise<{ env: Record<string, string> } | { cmd: string[] }> {
  if (e.ports.length === 1) return { env: { PORT: String(e.ports[0]) } };
  const cmd = (await docker.images.info(image))?.cmd ?? [];
  const one = cmd.map(shellQuote).join(" ");
  return {
    cmd: ["/bin/sh", "-c", `${e.ports.map((p) => `PORT=${p} ${one} &`).join(" ")} wait`],
  };
}

/** Every echo process prints `echo upstream listening on ...` once it listens. */
async function waitForEcho(docker: DockerClient, name: string, ports: number): Promise<void> {
  const deadline = performance.now() + 30_000;
  for (;;) {
    const lines = await docker.containers.logs(name);
    if (lines.filter((l) => l.text.includes("echo upstream listening")).length >= ports) return;
    const state = await docker.containers.state(name);
    if (!state.running || performance.now() > deadline) {
      const why = state.running
        ? "did not start listening within 30 s"
        : `exited with status ${state.exitCode}`;
      throw new SmokeError(
        `echo upstream container ${name} ${why}`,
        lines.slice(-20).map((l) => l.text),
      );
    }
    await sleep(50);
  }
}

function urlHost(host: string): string {
  return host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
}
