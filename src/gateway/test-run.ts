// `orwasm test`: the project's smoke checks and plugin test cases run in the embedded gateway, no Docker, no network.
import { performance } from "node:perf_hooks";
import type { Project } from "../project/project.js";
import type { PluginTestData } from "../project/schema-tests.js";
import { routeSteps } from "../render/view-model.js";
import { evaluateCheck, headerDifference, type SmokeResponse } from "../checks/checks.js";
import { showValue, type Difference } from "../checks/difference.js";
import type { CheckResult, SmokeReport } from "../checks/report.js";
import {
  fatalMessage,
  type HttpCallDispatcher,
  type HttpCallRequest,
  type PluginFailure,
  type RequestOutcome,
} from "../proxy-host/index.js";
import { EmbeddedGateway, type EmbeddedOptions } from "./embedded.js";
import { prepareRedis } from "./test-redis.js";
import { mockCallouts } from "./mock-callouts.js";

/** A response as the checks see it: lower-cased names, repeated headers joined like a client would. */
export function observed(outcome: RequestOutcome): SmokeResponse {
  const headers: Record<string, string> = {};
  for (const [k, v] of outcome.response.headers) {
    const name = k.toLowerCase();
    headers[name] = headers[name] === undefined ? v : `${headers[name]}, ${v}`;
  }
  return { status: outcome.response.status, headers, body: outcome.response.text };
}

/** Runs every smoke check and plugin test of `project`; the report renders like a smoke run's. */
export async function runEmbeddedTests(
  project: Project,
  file: string,
  options: Omit<EmbeddedOptions, "dispatcher"> = {},
): Promise<SmokeReport> {
  // One dispatcher for the gateway's lifetime, answering from the current test's canned http calls.
  // Smoke checks: calls to a `mock: echo` upstream are echoed, as in a smoke run; others get no answer.
  let current: HttpCallDispatcher = mockCallouts(project, () => undefined);
  const t0 = performance.now();
  const gateway = await EmbeddedGateway.start(project, {
    ...options,
    dispatcher: (req) => current(req),
  });
  const startMs = Math.round(performance.now() - t0);
  const checks: CheckResult[] = [];
  try {
    for (const check of project.data.smoke) {
      const t0 = performance.now();
      const { method, path, headers, body, server } = check.request;
      const outcome = await gateway.handle(server, { method, path, headers }, body);
      const request = { method, path, server, url: `embedded:${path}` };
      if (!("notFound" in outcome) && outcome.fatal) {
        checks.push(fatalCheck(check.name, request, outcome.fatal, performance.now() - t0));
        continue;
      }
      const response =
        "notFound" in outcome ? { status: 404, headers: {}, body: "" } : observed(outcome);
      const differences = evaluateCheck(check.expect, response);
      checks.push({
        name: check.name,
        request,
        passed: differences.length === 0,
        differences,
        response,
        durationMs: performance.now() - t0,
      });
    }
    for (const t of project.data.tests) {
      const t0 = performance.now();
      const made: HttpCallRequest[] = [];
      current = (req) => {
        made.push(req);
        return (
          t.httpCalls[req.upstream] ?? {
            status: 404,
            body: `orwasm test: no canned answer for ${req.upstream}`,
          }
        );
      };
      const redis = t.redis ? await prepareRedis(gateway, project, t.redis) : undefined;
      let outcome: RequestOutcome;
      try {
        outcome = await runPluginTest(gateway, project, t);
      } finally {
        await gateway.redis?.clearFaults();
      }
      const request = {
        method: t.request.method,
        path: t.request.path,
        server: -1,
        url: `plugins:${t.plugins.map((p) => (typeof p === "string" ? p : p.name)).join(",")}`,
      };
      if (outcome.fatal) {
        checks.push(fatalCheck(t.name, request, outcome.fatal, performance.now() - t0));
        continue;
      }
      const differences = pluginTestDifferences(t, outcome, made);
      if (redis) differences.push(...(await redis.check()));
      checks.push({
        name: t.name,
        request,
        passed: differences.length === 0,
        differences,
        response: observed(outcome),
        durationMs: performance.now() - t0,
      });
    }
  } finally {
    await gateway.close();
  }
  const startupErrors = gateway.startup.filter((l) => l.level === "error" || l.level === "crit");
  return {
    project: project.data.name,
    file,
    gateway: {
      kind: "embedded",
      image: `orwasm host (${options.profile ?? project.data.host.profile} profile, ${project.data.engine.vm})`,
    },
    startMs,
    checks,
    notRun: [],
    logTail: startupErrors.map((l) => `[${l.level}] ${l.message}`),
  };
}

/**
 * A case whose plugin would crash or hang the nginx worker fails whatever its expectations and failure policy:
 * a real engine sends no response at all.
 */
function fatalCheck(
  name: string,
  request: CheckResult["request"],
  fatal: PluginFailure,
  durationMs: number,
): CheckResult {
  return { name, request, passed: false, differences: [], error: fatalMessage(fatal), durationMs };
}

async function runPluginTest(
  gateway: EmbeddedGateway,
  project: Project,
  t: PluginTestData,
): Promise<RequestOutcome> {
  const byName = new Map(project.plugins.map((p) => [p.data.name, p]));
  const route = { path: "/", match: "prefix" as const, plugins: t.plugins, upstream: "test" };
  const steps = routeSteps(route, byName).map((s) => ({
    name: s.plugin.data.name,
    config: s.config,
  }));
  return gateway.runChain(
    steps,
    { method: t.request.method, path: t.request.path, headers: t.request.headers },
    t.request.body,
    t.upstream ? { fixed: t.upstream } : { echo: true },
  );
}

/** Everything a plugin test expected and did not get. */
export function pluginTestDifferences(
  t: PluginTestData,
  outcome: RequestOutcome,
  calls: HttpCallRequest[],
): Difference[] {
  const e = t.expect;
  const out = evaluateCheck(
    { status: e.status, headers: e.headers, body: e.body },
    observed(outcome),
  );
  const upstream = outcome.upstreamRequest;
  if (e.reachedUpstream !== undefined && e.reachedUpstream !== (upstream !== undefined)) {
    out.push({
      subject: "upstream",
      expected: e.reachedUpstream ? "(reached)" : "(not reached)",
      got: upstream ? "(reached)" : `(not reached: ${outcome.response.source})`,
    });
  }
  for (const [name, exp] of Object.entries(e.upstreamHeaders)) {
    const got = upstream?.headers
      .filter(([k]) => k.toLowerCase() === name.toLowerCase())
      .map(([, v]) => v);
    const d = headerDifference(
      name.toLowerCase(),
      exp,
      got && got.length ? got.join(", ") : undefined,
    );
    if (d) out.push({ ...d, subject: `upstream ${d.subject}` });
  }
  for (const l of e.logs) {
    const re = new RegExp(l.matches);
    if (
      !outcome.logs.some(
        (x) => (l.level === undefined || x.level === l.level) && re.test(x.message),
      )
    ) {
      out.push({
        subject: "log",
        expected: `a${l.level ? ` ${l.level}` : ""} line matching /${l.matches}/`,
        got: showValue(outcome.logs.map((x) => `[${x.level}] ${x.message}`).slice(-5)),
      });
    }
  }
  if (e.httpCalls) {
    if (e.httpCalls.length !== calls.length) {
      out.push({
        subject: "http calls",
        expected: `${e.httpCalls.length}`,
        got: `${calls.length} (${calls.map((c) => c.upstream).join(", ") || "none"})`,
      });
    }
    e.httpCalls.forEach((want, i) => {
      const got = calls[i];
      if (!got) return;
      const at = `http call ${i + 1}`;
      if (want.upstream !== got.upstream)
        out.push({
          subject: `${at} upstream`,
          expected: showValue(want.upstream),
          got: showValue(got.upstream),
        });
      if (want.method && want.method !== got.method)
        out.push({
          subject: `${at} method`,
          expected: showValue(want.method),
          got: showValue(got.method),
        });
      const gotPath = new URL(got.url).pathname + new URL(got.url).search;
      if (want.path && want.path !== gotPath)
        out.push({
          subject: `${at} path`,
          expected: showValue(want.path),
          got: showValue(gotPath),
        });
      for (const [name, exp] of Object.entries(want.headers)) {
        const v = got.headers
          .filter(([k]) => k.toLowerCase() === name.toLowerCase())
          .map(([, x]) => x);
        const d = headerDifference(name.toLowerCase(), exp, v.length ? v.join(", ") : undefined);
        if (d) out.push({ ...d, subject: `${at} ${d.subject}` });
      }
    });
  }
  return out;
}
