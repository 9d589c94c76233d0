// orwasm/testing: start a project's gateway (with its echo upstreams) in Docker from your own tests, then send it
// requests. `await using gw = await OrwasmGateway.start({ project: "orwasm.yaml", engineImage: "..." })` removes the
// containers when the block ends. Uses the same start/stop code as `orwasm smoke`.
import { resolve } from "node:path";
import { UsageError } from "../errors.js";
import { loadProject, resolveProjectFile } from "../app/load-project.js";
import type { Project } from "../project/project.js";
import { chooseGateway } from "../smoke/gateway-kind.js";
import type { CheckResult } from "../checks/report.js";
import { runCheck } from "../smoke/runner.js";
import { startGatewaySession, type GatewaySession } from "../smoke/session.js";

export type { CheckResult } from "../checks/report.js";
export type { Difference } from "../checks/difference.js";
export { formatDifference } from "../checks/difference.js";
export { GatewayStartFailure } from "../smoke/start-failure.js";

/** What to start. Give `engineImage` or `image`; without either, the project's `engine.image` is used. */
export interface OrwasmGatewayOptions {
  /** orwasm.yaml, or a folder holding one; relative to `cwd`. */
  project: string;
  /** An engine image (nginx + lua + wasm modules): the rendered nginx.conf and plugins are copied in at start. */
  engineImage?: string;
  /** A gateway image built by `orwasm image`, run as it is. */
  image?: string;
  /** Default: process.cwd(). */
  cwd?: string;
  /** How long the gateway may take to answer; default 60 s. */
  startTimeoutMs?: number;
  /** Progress lines (plugin builds, container starts); default: silent. */
  onProgress?: (line: string) => void;
}

/** A running gateway for tests: URLs to send requests to, its log, and stop (or `await using`). */
export class OrwasmGateway implements AsyncDisposable {
  readonly project: Project;
  /** Milliseconds from creating the gateway container until it answered. */
  readonly startMs: number;
  /** Every container and the network of this gateway carry the label `org.orwasm.smoke-run=<runId>`. */
  readonly runId: string;
  readonly #session: GatewaySession;

  private constructor(project: Project, session: GatewaySession) {
    this.project = project;
    this.#session = session;
    this.startMs = session.startMs;
    this.runId = session.runId;
  }

  /**
   * Builds the project's plugins if needed, starts echo upstreams and the gateway, and resolves once every server
   * answers. Rejects with GatewayStartFailure (the log lines that say why) when the gateway does not come up.
   */
  static async start(opts: OrwasmGatewayOptions): Promise<OrwasmGateway> {
    if (opts.engineImage && opts.image) {
      throw new UsageError("give either engineImage or image, not both");
    }
    const cwd = opts.cwd ?? process.cwd();
    const file = await resolveProjectFile(opts.project, cwd);
    const { project } = await loadProject(file, {
      cwd,
      ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
    });
    const kind = chooseGateway(opts, project.data.engine.image);
    const session = await startGatewaySession(project, kind, {
      file: resolve(file),
      ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
      ...(opts.startTimeoutMs ? { startTimeoutMs: opts.startTimeoutMs } : {}),
    });
    return new OrwasmGateway(project, session);
  }

  /** `http://host:port/path` of server `server` (its index under `servers` in orwasm.yaml). */
  url(path: `/${string}` = "/", server = 0): string {
    if (!path.startsWith("/")) throw new TypeError(`path must start with "/" (got ${path})`);
    const s = this.#session.servers[server];
    if (!s) {
      throw new RangeError(
        `there is no servers.${server} (the project has ${this.#session.servers.length})`,
      );
    }
    if (!s.baseUrl)
      throw new Error(`servers.${server} cannot be reached from tests: ${s.unreachable}`);
    return `${s.baseUrl}${path}`;
  }

  /** The gateway container's log so far: nginx's error log (stderr) and access log (stdout), in order. */
  async logs(): Promise<string> {
    return (await this.#session.logs()).map((l) => `${l.text}\n`).join("");
  }

  /** Runs the project's own `smoke` checks against this gateway. */
  async runSmokeChecks(): Promise<CheckResult[]> {
    const out: CheckResult[] = [];
    for (const c of this.project.data.smoke) out.push(await runCheck(this.#session, c, 10_000));
    return out;
  }

  /** Removes the gateway, its echo upstreams and their network; calling it twice is fine. */
  async stop(): Promise<void> {
    await this.#session.stop();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}
