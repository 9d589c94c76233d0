// `orwasm dev`: serves a project's routes from Node through the embedded host, and swaps in rebuilt
// plugins and configs on change without dropping requests already in flight.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, resolve } from "node:path";
import { watch, type FSWatcher } from "chokidar";
import { fetchDispatcher } from "../proxy-host/index.js";
import { mockCallouts } from "./mock-callouts.js";
import { ConfigError, formatProblems, OrwasmError } from "../errors.js";
import { loadProject } from "../app/load-project.js";
import type { Project } from "../project/project.js";
import { levelShown } from "../proxy-host/abi.js";
import { fatalMessage } from "../proxy-host/index.js";
import { EmbeddedGateway, type EmbeddedOptions } from "./embedded.js";

export interface DevOptions extends Omit<EmbeddedOptions, "dispatcher"> {
  /** Port of the first server (others follow it); default: each server's own `listen`. 0 picks free ports. */
  port?: number;
  host?: string;
  /** Watch the project file and plugin sources; default true. */
  watch?: boolean;
  /** One line per event (requests, reloads, plugin logs). */
  log: (line: string) => void;
  cwd?: string;
  /** Serve orwasm's health listener (/orwasm/ready, /orwasm/live) on this port, as nginx.conf does for Kubernetes. */
  healthPort?: number;
  /**
   * Refuse a reload whose plugins do not all load and configure (keep serving the previous version), as
   * `orwasm reload` does for nginx by validating the new generation first. Default false (`orwasm dev` swaps anyway).
   */
  strictReload?: boolean;
}

/** A gateway generation: served until replaced, closed when its last request finished. */
class Generation {
  inflight = 0;
  retired = false;
  constructor(
    readonly gateway: EmbeddedGateway,
    readonly project: Project,
  ) {}
  release(): void {
    if (--this.inflight === 0 && this.retired) void this.gateway.close();
  }
  retire(): void {
    this.retired = true;
    if (this.inflight === 0) void this.gateway.close();
  }
}

/** A running dev server: its URLs, a way to reload by hand (tests) and to stop. */
export interface DevServer {
  urls: string[];
  /** The health listener's URL when `healthPort` was given. */
  healthUrl?: string;
  reload(reason: string): Promise<boolean>;
  /** Why the last reload was refused (one line per problem), until a reload succeeds. */
  readonly lastReloadError: string | undefined;
  close(): Promise<void>;
}

export async function startDevServer(file: string, opts: DevOptions): Promise<DevServer> {
  const cwd = opts.cwd ?? process.cwd();
  const load = async (): Promise<Generation> => {
    const { project, warnings } = await loadProject(file, {
      cwd,
      onProgress: opts.log,
      profile: opts.profile ?? "project",
    });
    if (warnings.length) opts.log(formatProblems(warnings));
    const gateway = await EmbeddedGateway.start(project, {
      // only lines at errorLogLevel or above are shown: the rest are not even collected
      requestLogLevel: project.data.gateway.errorLogLevel,
      ...opts,
      dispatcher: mockCallouts(project, fetchDispatcher()),
    });
    for (const l of gateway.startup) opts.log(`[${l.level}] ${l.message}`);
    return new Generation(gateway, project);
  };
  let current = await load();

  const servers: Server[] = [];
  const urls: string[] = [];
  for (const [i, s] of current.project.data.servers.entries()) {
    const port = opts.port !== undefined ? (opts.port === 0 ? 0 : opts.port + i) : portOf(s.listen);
    const server = createServer((req, res) => void serve(i, req, res));
    await new Promise<void>((ok, fail) => {
      server.once("error", fail);
      server.listen(port, opts.host ?? "127.0.0.1", () => ok());
    });
    servers.push(server);
    const a = server.address() as AddressInfo;
    urls.push(`http://${a.address.includes(":") ? `[${a.address}]` : a.address}:${a.port}`);
  }

  let healthUrl: string | undefined;
  if (opts.healthPort !== undefined) {
    const server = createServer((req, res) => {
      const { status, body } = healthAnswer(req.url ?? "/", current.gateway);
      res.writeHead(status, { "content-type": "text/plain" }).end(body);
    });
    await new Promise<void>((ok, fail) => {
      server.once("error", fail);
      server.listen(opts.healthPort, opts.host ?? "127.0.0.1", () => ok());
    });
    servers.push(server);
    const a = server.address() as AddressInfo;
    healthUrl = `http://${a.address.includes(":") ? `[${a.address}]` : a.address}:${a.port}`;
  }

  async function serve(index: number, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const gen = current;
    gen.inflight++;
    const t0 = performance.now();
    try {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const headers: [string, string][] = [];
      for (let k = 0; k < req.rawHeaders.length; k += 2)
        headers.push([req.rawHeaders[k]!, req.rawHeaders[k + 1]!]);
      const outcome = await gen.gateway.handle(
        index,
        {
          method: req.method ?? "GET",
          path: req.url ?? "/",
          headers,
          remoteAddr: req.socket.remoteAddress,
          serverPort: req.socket.localPort,
        },
        chunks.length ? Buffer.concat(chunks) : undefined,
      );
      if ("notFound" in outcome) {
        res
          .writeHead(404, { "content-type": "text/plain" })
          .end("404 Not Found: no route matches\n");
        opts.log(`${req.method} ${req.url} -> 404 (no route)`);
        return;
      }
      // Like nginx's error_log: only lines at the project's errorLogLevel or above.
      const min = gen.project.data.gateway.errorLogLevel;
      for (const l of outcome.logs)
        if (levelShown(l.level, min)) opts.log(`  [${l.level}] ${l.message}`);
      // a plugin that would crash or hang the worker is always reported at error, whatever the log level
      if (outcome.fatal && !levelShown("error", min))
        opts.log(`  [error] orwasm: ${fatalMessage(outcome.fatal)}`);
      const out = outcome.response;
      if (out.aborted) {
        res.destroy();
      } else {
        for (const [k, v] of out.headers)
          if (!/^(content-length|transfer-encoding|connection)$/i.test(k)) res.appendHeader(k, v);
        res.writeHead(out.status).end(Buffer.from(out.body));
      }
      opts.log(
        `${req.method} ${req.url} -> ${out.status} ${out.source === "upstream" ? "" : `(${out.source}) `}${Math.round(performance.now() - t0)} ms`,
      );
    } catch (err) {
      opts.log(`${req.method} ${req.url} -> 500: ${(err as Error).message}`);
      if (!res.headersSent)
        res.writeHead(500, { "content-type": "text/plain" }).end("orwasm dev: internal error\n");
    } finally {
      gen.release();
    }
  }

  let reloading: Promise<boolean> | undefined;
  let lastReloadError: string | undefined;
  const reload = (reason: string): Promise<boolean> => {
    reloading = (reloading ?? Promise.resolve(true)).then(async () => {
      const t0 = performance.now();
      opts.log(`reloading (${reason})`);
      try {
        const next = await load();
        if (opts.strictReload && next.gateway.problems.length > 0) {
          await next.gateway.close();
          throw new OrwasmError("config", next.gateway.problems.join("\n"));
        }
        const old = current;
        current = next;
        old.retire();
        lastReloadError = undefined;
        opts.log(
          `reloaded in ${Math.round(performance.now() - t0)} ms: ${next.project.plugins.map((p) => `${p.data.name} (${p.sha256.slice(0, 8)})`).join(", ") || "no plugins"}`,
        );
        return true;
      } catch (err) {
        const text =
          err instanceof ConfigError
            ? formatProblems(err.problems)
            : err instanceof OrwasmError
              ? err.message
              : String(err);
        lastReloadError = text;
        opts.log(`reload failed; still serving the previous version:\n${text}`);
        return false;
      }
    });
    return reloading;
  };

  let watcher: FSWatcher | undefined;
  if (opts.watch !== false) {
    const paths = watchedPaths(file, current.project);
    watcher = watch(paths, {
      ignoreInitial: true,
      ignored: (p) => /node_modules|[/\\]build[/\\]|\.orwasm-tmp-|\.stamp\.json$/.test(p),
    });
    let timer: NodeJS.Timeout | undefined;
    watcher.on("all", (_event, path) => {
      clearTimeout(timer);
      timer = setTimeout(() => void reload(`${path} changed`), 150);
    });
  }

  return {
    urls,
    healthUrl,
    reload,
    get lastReloadError() {
      return lastReloadError;
    },
    async close() {
      await watcher?.close();
      await Promise.all(
        servers.map(
          (s) =>
            new Promise<void>((ok) => {
              s.close(() => ok());
              // Idle keep-alive connections would otherwise hold close() for their whole timeout.
              s.closeIdleConnections();
            }),
        ),
      );
      await reloading;
      current.retire();
    },
  };
}

/**
 * What the health listener answers, word for word what the nginx.conf glue answers (one worker here):
 * /orwasm/ready is 200 only when every plugin loaded and configured, /orwasm/live is 200 while serving.
 */
export function healthAnswer(
  path: string,
  gateway: Pick<EmbeddedGateway, "problems" | "contextCount" | "project">,
): { status: number; body: string } {
  const route = path.split("?")[0];
  if (route === "/orwasm/live") return { status: 200, body: "alive\n" };
  if (route !== "/orwasm/ready") return { status: 404, body: "404 Not Found\n" };
  if (gateway.problems.length > 0)
    return { status: 503, body: `not ready:\nworker 0: ${gateway.problems.join("; ")}\n` };
  const plugins = gateway.project.plugins.length;
  return {
    status: 200,
    body: `ready: 1 workers, ${plugins} plugins, ${gateway.contextCount} contexts\n`,
  };
}

/** The project file, every .wasm named by a plugin, and every plugin source folder. */
function watchedPaths(file: string, project: Project): string[] {
  const dir = dirname(file);
  const out = new Set([file]);
  for (const p of project.data.plugins) {
    if (p.file) out.add(resolve(dir, p.file));
    if (p.build?.lang === "go")
      out.add(resolve(dir, p.build.dir)); // go.mod, go.sum and every package
    else if (p.build) out.add(resolve(dir, p.build.dir, dirname(p.build.entry)));
  }
  return [...out];
}

function portOf(listen: number | string): number {
  if (typeof listen === "number") return listen;
  const m = /:(\d+)$/.exec(listen);
  return m ? Number(m[1]) : 8080;
}
