// The embedded engine as a gateway process: serves a project of prebuilt plugins on every server's listen port
// through orwasm's proxy-wasm host, logging the way nginx does, so a container of it stands in for OpenResty.
import { dirname, relative } from "node:path";
import { ConfigError, OrwasmError, type Problem, formatProblem } from "../errors.js";
import { startDevServer } from "../gateway/dev-server.js";
import { readProjectText } from "../app/load-project.js";
import { parseProjectText } from "../project/parse.js";
import { errorLogLine, routeDevLog } from "../gateway/nginx-log.js";
import { levelShown, type NginxLogLevel } from "../proxy-host/abi.js";

/** Where the engine writes: error-log lines (stderr) and access lines (stdout), one line per call. */
export interface EngineIo {
  err(line: string): void;
  out(line: string): void;
  pid: number;
  now?: () => Date;
}

/** Where to listen; the container uses the defaults (all interfaces, each server's own port). */
export interface EngineListen {
  host?: string;
  /** Port of the first server, the next servers follow; 0 picks free ports (tests). */
  port?: number;
}

/** A serving engine. */
export interface RunningEngine {
  urls: string[];
  /** The health listener's URL, when the project has `deployment.kubernetes`. */
  healthUrl?: string;
  /**
   * Reloads the project file and plugins like nginx on SIGHUP: the new version serves new requests once every
   * plugin loaded and configured; otherwise the old one keeps serving and the log says why. Resolves true on a swap.
   */
  reload(reason: string): Promise<boolean>;
  /** Why the last reload was refused, until one succeeds. */
  readonly lastReloadError: string | undefined;
  /** Stops accepting, lets requests in flight finish, frees the plugin instances. */
  close(): Promise<void>;
}

/**
 * Loads `file` and serves it. Rejects with ConfigError when the project is invalid or names a plugin by its sources
 * (the image has no compiler); a plugin that fails to instantiate does not stop it: like nginx, the engine starts,
 * logs `orwasm: plugin NAME failed to load from PATH: why` at [error], and that plugin's routes fail by its policy.
 */
export async function serveEmbedded(
  file: string,
  io: EngineIo,
  listen: EngineListen = {},
): Promise<RunningEngine> {
  const cwd = dirname(file);
  const { minLevel, healthPort, accessLog } = await prebuiltOnly(file, cwd);
  const log = (text: string) => {
    for (const r of routeDevLog(text)) {
      if (r.stream === "access") {
        if (accessLog) io.out(r.message);
      } else if (levelShown(r.level, minLevel)) io.err(errorLine(io, r.level, r.message));
    }
  };
  const server = await startDevServer(file, {
    host: listen.host ?? "0.0.0.0",
    port: listen.port,
    watch: false,
    cwd,
    log,
    healthPort: healthPort === undefined ? undefined : listen.port === 0 ? 0 : healthPort,
    strictReload: true,
  });
  // Always written whatever the level: it tells a reader (and a wait strategy) the engine is up.
  io.err(
    errorLine(
      io,
      "notice",
      `orwasm embedded engine ready, serving ${server.urls.join(", ")}${server.healthUrl ? `, health on ${server.healthUrl}` : ""}`,
    ),
  );
  return server;
}

/** The lines an engine that could not start writes before exiting: each problem as an `[emerg]` line, like nginx. */
export function startFailureLines(err: unknown, io: EngineIo): string[] {
  const messages =
    err instanceof ConfigError
      ? err.problems.map(formatProblem)
      : err instanceof OrwasmError
        ? err.message.split("\n")
        : [`orwasm embedded engine failed: ${(err as Error)?.stack ?? String(err)}`];
  return messages.map((m) => errorLine(io, "emerg", m));
}

function errorLine(io: EngineIo, level: NginxLogLevel, message: string): string {
  return errorLogLine(io.now?.() ?? new Date(), level, io.pid, message);
}

/**
 * Refuses `build:` plugins before the loader would try to compile them, and returns the error-log level and the
 * health port (`deployment.kubernetes.health.port`). A file that does not parse is left to the loader, which reports
 * every problem with its position.
 * `accessLog` is false when `gateway.accessLog` is off (request lines are dropped, as nginx writes none).
 */
async function prebuiltOnly(
  file: string,
  cwd: string,
): Promise<{ minLevel: NginxLogLevel; healthPort?: number; accessLog: boolean }> {
  // Read as the loader reads it (regular file, size limit, UTF-8): a FIFO must not block here.
  const text = await readProjectText(file, file).catch(() => undefined);
  if (text === undefined) return { minLevel: "warn", accessLog: true };
  const shown = relative(cwd, file) || file;
  const parsed = parseProjectText(text, shown);
  if (!parsed.data) return { minLevel: "warn", accessLog: true };
  const problems: Problem[] = [];
  parsed.data.plugins.forEach((p, i) => {
    if (!p.build) return;
    problems.push({
      file: shown,
      ...parsed.where(["plugins", i, "build"], true),
      path: `plugins.${i}.build`,
      message: `plugin ${p.name} is built from sources, but the embedded engine image has no compiler: give a prebuilt .wasm with \`file:\` (orwasm's embeddedLaunch copies built plugins in and rewrites the project this way)`,
    });
  });
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    minLevel: parsed.data.gateway.errorLogLevel,
    healthPort: parsed.data.deployment?.kubernetes?.health.port,
    accessLog: parsed.data.gateway.accessLog !== "off",
  };
}
