// Runs conformance cases on the embedded host, one gateway per group like the recorder's one gateway per group,
// and observes each case as a recording stores it. Http calls to the gateway itself (127.0.0.1:8080, the listen
// of the conformance project) are answered by the same gateway, as they are on a real engine; any other
// address is refused (no response), as 127.0.0.1:1 is inside the engine's container.
import { EmbeddedGateway } from "../../src/gateway/embedded.js";
import { observed } from "../../src/gateway/test-run.js";
import { loadProject } from "../../src/app/load-project.js";
import type { HttpCallDispatcher, RequestOutcome } from "../../src/proxy-host/index.js";
import type { ConformanceCase, ConformanceGroup } from "./cases.js";
import { matchLogs, VOLATILE_HEADERS, type Observation } from "./observe.js";
import { conformanceProject } from "./project.js";

/** The gateway's own address inside a real engine's container. */
const SELF = "127.0.0.1:8080";

/** One case's observation on the embedded host, and the host's own outcome for other checks. */
export interface EmbeddedRun {
  case: ConformanceCase;
  observation: Observation;
  outcome: RequestOutcome | undefined;
}

/** Observes every case of `group` on the embedded host built for `vm`. */
export async function runGroupEmbedded(
  group: ConformanceGroup,
  vm: "wasmtime" | "wasmedge",
): Promise<EmbeddedRun[]> {
  const file = await conformanceProject(vm, group);
  const { project } = await loadProject(file);
  // the dispatcher answers from the gateway it belongs to, which exists only once started
  const self: { gateway?: EmbeddedGateway } = {};
  const dispatcher: HttpCallDispatcher = async (req) => {
    if (req.upstream !== SELF || !self.gateway) return undefined;
    const url = new URL(req.url);
    const out = await self.gateway.handle(
      0,
      { method: req.method, path: url.pathname + url.search, headers: req.headers },
      req.body,
    );
    if ("notFound" in out) return { status: 404, body: "" };
    return { status: out.response.status, headers: out.response.headers, body: out.response.body };
  };
  const gateway = await EmbeddedGateway.start(project, { dispatcher });
  self.gateway = gateway;
  const runs: EmbeddedRun[] = [];
  try {
    for (const c of group.cases) {
      const headers = Object.entries(c.request.headers ?? {});
      const out = await gateway.handle(
        0,
        { method: c.request.method ?? "GET", path: c.request.path, headers },
        c.request.body,
      );
      if ("notFound" in out) throw new Error(`conformance case "${c.name}" matches no route`);
      runs.push({ case: c, observation: observe(c, out), outcome: out });
    }
  } finally {
    await gateway.close();
  }
  return runs;
}

/** The embedded outcome in a recording's terms: a crash or hang, or a cut body, is no response. */
export function observe(c: ConformanceCase, out: RequestOutcome): Observation {
  const lines = out.logs.map((l) => `[${l.level}] ${l.message}`);
  const logs = matchLogs(c, lines);
  if (out.fatal) {
    const obs: Observation = { outcome: "no-response", error: out.response.text.trim(), logs };
    if (out.fatal.kind === "crash") obs.workerExit = `(embedded host) ${out.response.text.trim()}`;
    return obs;
  }
  if (out.response.aborted)
    return { outcome: "no-response", error: "response cut (ngx.ERROR in body_filter)", logs };
  const seen = observed(out);
  // what an HTTP client can see of it: a 1xx is not a final response, a status of more than three digits does
  // not parse, 204/304 carry no body, and header values lose surrounding white space
  if (seen.status < 200 || seen.status > 999) {
    return {
      outcome: "no-response",
      error: `status ${seen.status} is no final HTTP response`,
      logs,
    };
  }
  const headers = Object.fromEntries(
    Object.entries(seen.headers)
      .filter(([k]) => !VOLATILE_HEADERS.has(k))
      .map(([k, v]) => [k, v.trim()]),
  );
  const body = seen.status === 204 || seen.status === 304 ? "" : seen.body;
  return { outcome: "response", status: seen.status, headers, body, logs };
}
