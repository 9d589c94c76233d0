// The recorder: runs the conformance set on a real engine image (OpenResty + wasm-nginx-module) and writes every
// outcome, with the engine's identity, as a JSON fixture that CI replays on the embedded host
// (test/unit/conformance-recordings.test.ts). Each group gets a gateway of its own: a case that kills or wedges
// the worker cannot spoil the next one.
//
//   npx tsx test/conformance/record.ts --image orwasm-real-engine:wasmtime \
//     [--ready /opt/real-engine/READY-wasmtime] [--out test/conformance/recordings/wasmtime.json] [--gateway embedded]
//
// `--gateway embedded` records orwasm's own embedded-engine container instead (to test the recorder; never
// committed as a recording of a real engine).
import { readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import Docker from "dockerode";
import { WORKER_DIED } from "../../src/checks/engine-log.js";
import { writeFileAtomic } from "../../src/fs/atomic.js";
import { dockerodeImages } from "../../src/docker/images-dockerode.js";
import { probeImage } from "../../src/engine/probe-run.js";
import { loadProject } from "../../src/app/load-project.js";
import type { GatewayKind } from "../../src/smoke/gateway-kind.js";
import { sendHttp } from "../../src/smoke/http.js";
import { startGatewaySession, type GatewaySession } from "../../src/smoke/session.js";
import { CONFORMANCE, type ConformanceCase, type ConformanceGroup } from "./cases.js";
import {
  matchLogs,
  VOLATILE_HEADERS,
  type EngineIdentity,
  type Observation,
  type RecordedCase,
  type Recording,
} from "./observe.js";
import { conformanceProject } from "./project.js";

export interface RecordOptions {
  vm: "wasmtime" | "wasmedge";
  /** The READY file of the engine's builder (JSON), kept in the identity. */
  ready?: unknown;
  /** What to start: the engine image (default) or, to test the recorder, orwasm's embedded container. */
  gateway?: GatewayKind;
  groups?: ConformanceGroup[];
  onProgress?: (line: string) => void;
  /** Per request; a hang is recorded when no answer comes in this time (default 8 s). */
  requestTimeoutMs?: number;
}

/** Reads who the engine is: image digest and labels, `nginx -V`, the engine's files, declared versions. */
export async function engineIdentity(
  image: string,
  vm: RecordOptions["vm"],
  ready?: unknown,
): Promise<EngineIdentity> {
  const docker = new Docker();
  const info = await docker.getImage(image).inspect();
  const probe = await probeImage(dockerodeImages(docker), image);
  const labels = (info.Config?.Labels ?? {}) as Record<string, string>;
  const top = (ready ?? {}) as Record<string, unknown>;
  // the builder's READY file lists versions under `versions` ("wasm-nginx-module", "wasmtime-c-api", ...)
  const r = { ...top, ...((top["versions"] ?? {}) as Record<string, unknown>) };
  const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
  const id: EngineIdentity = {
    image,
    imageId: info.Id,
    repoDigests: info.RepoDigests ?? [],
    labels,
    nginxV: [
      `nginx version: ${probe.version ?? "(unknown)"}`,
      `configure arguments: ${probe.configureArgs.join(" ")}`,
    ].join("\n"),
    vm,
    files: [probe.moduleFiles.wasm, probe.proxyWasmLua, probe.restyHttp].filter(
      (f): f is string => !!f,
    ),
  };
  const moduleVersion =
    str(r["wasm-nginx-module"]) ?? str(r["module"]) ?? labels["org.orwasm.wasm-nginx-module"];
  const vmVersion =
    str(r[vm === "wasmtime" ? "wasmtime-c-api" : "wasmedge"]) ??
    str(r["vmVersion"]) ??
    labels[`org.orwasm.${vm}`];
  if (moduleVersion) id.moduleVersion = moduleVersion;
  if (vmVersion) id.vmVersion = vmVersion;
  if (ready !== undefined) id.ready = ready;
  return id;
}

/** Waits until the gateway's log stops growing (max `maxMs`), then returns all of it. */
async function settledLogs(session: GatewaySession, maxMs: number): Promise<string[]> {
  const t0 = Date.now();
  let last = -1;
  let lines: string[] = [];
  await sleep(150);
  while (Date.now() - t0 < maxMs) {
    lines = (await session.logs()).map((l) => l.text);
    if (lines.length === last) break;
    last = lines.length;
    await sleep(250);
  }
  return lines;
}

/** Sends one case and observes what came back and what the log said. */
async function recordCase(
  session: GatewaySession,
  c: ConformanceCase,
  timeoutMs: number,
): Promise<Observation> {
  const s = session.servers[0];
  if (!s?.baseUrl || s.hostPort === undefined)
    throw new Error("the gateway's server is not reachable");
  const before = (await session.logs()).length;
  let obs: Observation;
  try {
    const res = await sendHttp({
      host: new URL(s.baseUrl).hostname.replace(/^\[|\]$/g, ""),
      port: s.hostPort,
      method: c.request.method ?? "GET",
      path: c.request.path,
      headers: c.request.headers ?? {},
      ...(c.request.body !== undefined ? { body: c.request.body } : {}),
      timeoutMs,
    });
    const headers = Object.fromEntries(
      Object.entries(res.headers).filter(([k]) => !VOLATILE_HEADERS.has(k)),
    );
    obs = { outcome: "response", status: res.status, headers, body: res.body, logs: [] };
  } catch (err) {
    obs = { outcome: "no-response", error: (err as Error).message, logs: [] };
  }
  const lines = (await settledLogs(session, 3000)).slice(before);
  obs.logs = matchLogs(c, lines);
  const exit = lines.find((l) => WORKER_DIED.test(l));
  if (exit) obs.workerExit = exit;
  return obs;
}

/** Records every group on `image`; the result is what a recordings/*.json file holds. */
export async function recordEngine(image: string, opts: RecordOptions): Promise<Recording> {
  const progress = opts.onProgress ?? (() => {});
  const kind: GatewayKind = opts.gateway ?? { kind: "engine-image", image };
  const engine: EngineIdentity =
    kind.kind === "embedded"
      ? {
          image: "orwasm/embedded",
          imageId: "(orwasm's embedded engine: not a real engine)",
          repoDigests: [],
          labels: {},
          nginxV: "",
          vm: opts.vm,
          files: [],
        }
      : await engineIdentity(image, opts.vm, opts.ready);
  const groups: Recording["groups"] = [];
  for (const group of opts.groups ?? CONFORMANCE) {
    progress(`group "${group.name}": ${group.cases.length} case(s)`);
    const file = await conformanceProject(opts.vm, group);
    const { project } = await loadProject(file);
    const session = await startGatewaySession(project, kind, { onProgress: progress });
    const cases: RecordedCase[] = [];
    try {
      for (const c of group.cases) {
        const observation = await recordCase(session, c, opts.requestTimeoutMs ?? 8000);
        progress(
          `  ${c.name}: ${observation.outcome === "response" ? observation.status : `no response (${observation.error})`}`,
        );
        cases.push({ name: c.name, source: c.source, request: c.request, observation });
      }
    } finally {
      await session.stop();
    }
    groups.push({ name: group.name, cases });
  }
  return {
    format: 1,
    engine,
    recordedAt: new Date().toISOString(),
    recorder: `npx tsx test/conformance/record.ts --image ${image}`,
    groups,
  };
}

async function cli(argv: string[]): Promise<void> {
  const arg = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const image = arg("image") ?? process.env.ORWASM_ENGINE_IMAGE;
  if (!image)
    throw new Error(
      "usage: record.ts --image IMAGE [--vm wasmtime|wasmedge] [--ready FILE] [--out FILE]",
    );
  const ready = arg("ready")
    ? (JSON.parse(readFileSync(arg("ready")!, "utf8")) as unknown)
    : undefined;
  const vmArg = arg("vm") ?? (/wasmedge/i.test(image) ? "wasmedge" : "wasmtime");
  if (vmArg !== "wasmtime" && vmArg !== "wasmedge")
    throw new Error(`--vm: ${vmArg} is not wasmtime or wasmedge`);
  const out = arg("out") ?? `test/conformance/recordings/${vmArg}.json`;
  const recording = await recordEngine(image, {
    vm: vmArg,
    ready,
    ...(arg("gateway") === "embedded" ? { gateway: { kind: "embedded" as const } } : {}),
    onProgress: (l) => process.stderr.write(`${l}\n`),
  });
  await writeFileAtomic(out, `${JSON.stringify(recording, null, 2)}\n`);
  process.stderr.write(`wrote ${out}\n`);
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/^.*\/test\//, "/test/"))) {
  cli(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(1);
  });
}
