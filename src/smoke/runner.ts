// `orwasm smoke` without the CLI: starts the gateway (session.ts), sends every smoke check, evaluates the responses and
// returns the report; a gateway that cannot start becomes a report with `startFailure` instead of an exception.
import { performance } from "node:perf_hooks";
import type { Project } from "../project/project.js";
import type { SmokeCheckData } from "../project/schema-smoke.js";
import { evaluateCheck } from "../checks/checks.js";
import type { GatewayKind } from "./gateway-kind.js";
import { sendHttp } from "./http.js";
import type { CheckResult, SmokeReport } from "../checks/report.js";
import {
  LOG_TAIL_LINES,
  startGatewaySession,
  type GatewaySession,
  type SessionOptions,
} from "./session.js";
import { GatewayStartFailure, pluginStartFailure } from "./start-failure.js";

export interface RunOptions extends SessionOptions {
  /** Leave the containers running afterwards (the result's `kept` says how to reach them). */
  keep?: boolean;
  /** Per request; default 10 s. */
  requestTimeoutMs?: number;
}

/** The report, and the running session when `keep` was asked for. */
export interface RunResult {
  report: SmokeReport;
  /** Present when containers were left running (`keep`): what to print so the user can reach them. */
  keepNotice?: string;
}

/** Runs every check of `project.data.smoke` against a gateway of `kind`. */
export async function runSmoke(
  project: Project,
  kind: GatewayKind,
  opts: RunOptions = {},
): Promise<RunResult> {
  const file = opts.file ?? project.file;
  const checks = project.data.smoke;
  const base = {
    project: project.data.name,
    file,
    gateway: { kind: kind.kind, image: "image" in kind ? kind.image : "orwasm/embedded" },
  };
  let session: GatewaySession;
  try {
    session = await startGatewaySession(project, kind, { ...opts, keepOnFailure: opts.keep });
  } catch (err) {
    if (!(err instanceof GatewayStartFailure)) throw err;
    return {
      report: {
        ...base,
        checks: [],
        notRun: checks.map((c) => c.name),
        startFailure: err.info,
        logTail: err.tail,
      },
      ...(err.keepNotice ? { keepNotice: err.keepNotice } : {}),
    };
  }
  try {
    opts.onProgress?.(`running ${checks.length} check${checks.length === 1 ? "" : "s"}`);
    const results: CheckResult[] = [];
    for (const c of checks)
      results.push(await runCheck(session, c, opts.requestTimeoutMs ?? 10_000));
    const lines = (await session.logs()).map((l) => l.text);
    // A worker that loaded its plugins after the start-up scan (or a reload) still counts as a start failure.
    const late = pluginStartFailure(lines);
    return {
      report: {
        ...base,
        gateway: session.label,
        startMs: round(session.startMs),
        checks: results,
        notRun: [],
        ...(late ? { startFailure: late } : {}),
        logTail: lines.slice(-LOG_TAIL_LINES),
      },
      ...(opts.keep ? { keepNotice: session.keepNotice() } : {}),
    };
  } finally {
    if (!opts.keep) await session.stop();
  }
}

/** Sends one check's request to its server and evaluates what came back. */
export async function runCheck(
  session: GatewaySession,
  check: SmokeCheckData,
  timeoutMs: number,
): Promise<CheckResult> {
  const { method, path, headers, body, server } = check.request;
  const s = session.servers[server];
  const url = `${s?.baseUrl ?? `(servers.${server})`}${path}`;
  const request = { method, path, server, url };
  const t = performance.now();
  if (!s?.baseUrl || s.hostPort === undefined) {
    return {
      name: check.name,
      request,
      passed: false,
      differences: [],
      error: `servers.${server} is not reachable from outside the gateway container`,
      durationMs: 0,
    };
  }
  const hasHost = Object.keys(headers).some((h) => h.toLowerCase() === "host");
  try {
    const response = await sendHttp({
      host: new URL(s.baseUrl).hostname.replace(/^\[|\]$/g, ""),
      port: s.hostPort,
      method,
      path,
      headers: { ...(s.hostHeader && !hasHost ? { host: s.hostHeader } : {}), ...headers },
      ...(body !== undefined ? { body } : {}),
      timeoutMs,
    });
    const differences = evaluateCheck(check.expect, response);
    return {
      name: check.name,
      request,
      passed: differences.length === 0,
      differences,
      response,
      durationMs: round(performance.now() - t),
    };
  } catch (err) {
    return {
      name: check.name,
      request,
      passed: false,
      differences: [],
      error: (err as Error).message,
      durationMs: round(performance.now() - t),
    };
  }
}

/** Milliseconds to 0.1 ms: enough for a report, without float noise. */
function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
