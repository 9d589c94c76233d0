// Benchmark: a gateway container under a bounded wrk load on loopback. Always on orwasm's embedded engine; also on a
// real engine (OpenResty + wasm-nginx-module) when ORWASM_ENGINE_IMAGE names one. Prints a table (req/s, p99, ratios).
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connectDocker } from "../src/docker/client-dockerode.js";
import { embeddedLaunch } from "../src/embedded-engine/launch.js";
import { ensureEmbeddedImage } from "../src/embedded-engine/image.js";
import { probeEngine } from "../src/engine/probe-run.js";
import { loadProject } from "../src/app/load-project.js";
import { renderNginxConf } from "../src/render/nginx-conf.js";
import type { EngineTarget } from "../src/render/target.js";
import {
  addHeaderNames,
  benchProjectYaml,
  BIG,
  bigFileServer,
  HAND,
  handWrittenConf,
  ROUTES,
} from "./gateway-confs.js";
import { freePort, startGateway, workerExits, type BenchContainer } from "./gateway-docker.js";
import { addHeaderPlugin, noopPlugin } from "./gateway-plugins.js";
import { hasWrk, wrk, type LoadFigures, type LoadOptions } from "./gateway-wrk.js";
import { median, type BenchResult } from "./result.js";

/** `npm run bench -- gateway --quick`: shorter runs (2 s per variant, 1,000 vs 10,000 requests). */
const QUICK = process.argv.includes("--quick") || process.env["ORWASM_BENCH_QUICK"] === "1";
const SECONDS = QUICK ? 2 : 5;
const FIRST = QUICK ? 1_000 : 10_000;
const AFTER = QUICK ? 10_000 : 100_000;
/** The wrk run that brings the count from FIRST to AFTER stops after this many seconds whatever the count. */
const FILL_CAP_S = QUICK ? 15 : 60;
/** Rounds of each rendered-vs-minimal comparison, alternating (see pair). */
const PAIR_ROUNDS = QUICK ? 3 : 7;
/**
 * `--vm wasmtime|wasmedge`: the VM the real engine runs (`engine.vm`, default wasmtime). An image may carry both
 * (wasm-nginx-module always links wasmtime), so the VM is chosen here and checked in the gateway's own log.
 */
const VM = vmArg(process.argv);
/** `--glue-only`: on a real engine, only the rendered-vs-minimal-glue pairs (the 3% target), then stop. */
const GLUE_ONLY = process.argv.includes("--glue-only");

function vmArg(argv: string[]): "wasmtime" | "wasmedge" {
  const at = argv.indexOf("--vm");
  const v = at >= 0 ? argv[at + 1] : (process.env["ORWASM_BENCH_VM"] ?? "wasmtime");
  if (v !== "wasmtime" && v !== "wasmedge")
    throw new Error(`--vm ${v}: expected wasmtime or wasmedge`);
  return v;
}

/** A gateway under load: its base URL and, for nginx, its container (to read worker crashes from its log). */
interface Target {
  url: string;
  container?: BenchContainer;
}

/** One run's figures and how many nginx workers died during it. */
type Figures = LoadFigures & { workerExits: number };

interface Row {
  variant: string;
  figures: Figures;
  /** Ratio label and value, e.g. ["x no plugin", 0.97]. */
  ratios: [string, number][];
}

/** A project directory laid out the way both engines read it: orwasm.yaml and plugins/NAME.wasm. */
async function writeProject(
  dir: string,
  port: number,
  bigUpstream?: string,
  vm?: "wasmtime" | "wasmedge",
): Promise<string> {
  const plugins = join(dir, "plugins");
  mkdirSync(plugins, { recursive: true });
  const add = await addHeaderPlugin();
  for (const n of addHeaderNames(10)) writeFileSync(join(plugins, `${n}.wasm`), add);
  writeFileSync(join(plugins, "noop.wasm"), noopPlugin(["proxy_on_response_headers"]));
  writeFileSync(join(plugins, "noop_open.wasm"), noopPlugin(["proxy_on_response_headers"]));
  writeFileSync(
    join(plugins, "reqbody.wasm"),
    noopPlugin(["proxy_on_request_headers", "proxy_on_request_body"]),
  );
  writeFileSync(join(plugins, "respbody.wasm"), noopPlugin(["proxy_on_response_body"]));
  const file = join(dir, "orwasm.yaml");
  writeFileSync(file, benchProjectYaml(port, bigUpstream, vm));
  return file;
}

/** A temp dir the containers' unprivileged users can read. */
function sharedDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, 0o755);
  return dir;
}

async function embeddedGateway(): Promise<{ base: Target; stop: () => Promise<void> }> {
  const docker = (await connectDocker()).images;
  const { ref } = await ensureEmbeddedImage(docker);
  const port = await freePort();
  const dir = sharedDir("orwasm-bench-gw-");
  const file = await writeProject(join(dir, "src"), port);
  const { project } = await loadProject(file, { cwd: dir });
  const launch = await embeddedLaunch(project);
  const app = join(dir, "app");
  for (const f of launch.files) {
    const at = join(app, f.path.replace(/^\/app\//, ""));
    mkdirSync(join(at, ".."), { recursive: true });
    writeFileSync(at, f.content);
  }
  const base = `http://127.0.0.1:${port}`;
  const c = await startGateway({
    image: ref,
    cmd: launch.cmd,
    binds: [`${app}:/app:ro`],
    readyUrl: `${base}${ROUTES.none}`,
  });
  return { base: { url: base }, stop: () => c.stop() };
}

/** The rendered conf and the hand-written one on a real engine image, both up at once on their own ports. */
async function realGateways(image: string): Promise<{
  rendered: Target;
  hand: Target;
  stop: () => Promise<void>;
}> {
  const docker = (await connectDocker()).images;
  const [port, bigPort, handPort] = [await freePort(), await freePort(), await freePort()];
  const dir = sharedDir("orwasm-bench-gw-");
  // one folder, bound read-only at /bench: the project (orwasm.yaml, plugins/), the confs and the static file
  const bench = join(dir, "bench");
  const file = await writeProject(bench, port, `127.0.0.1:${bigPort}`, VM);
  const { project } = await loadProject(file, { cwd: dir });
  const engine = await probeEngine(docker, image, project, () => {});
  const target: EngineTarget = { ...engine.target, pluginDir: "/bench/plugins" };
  const rendered = renderNginxConf(project, target);
  // the 1 MB upstream goes inside the http block, after the project's servers
  const at = rendered.lastIndexOf("}");
  const conf = `${rendered.slice(0, at)}${bigFileServer(bigPort, "/bench/static")}${rendered.slice(at)}`;
  mkdirSync(join(bench, "static"), { recursive: true });
  writeFileSync(join(bench, "static", "big"), Buffer.alloc(BIG, "x"));
  writeFileSync(join(bench, "static", "big-none"), Buffer.alloc(BIG, "x"));
  writeFileSync(join(bench, "nginx.conf"), conf);
  writeFileSync(join(bench, "hand.conf"), handWrittenConf(target, handPort));
  for (const d of [bench, join(bench, "static"), join(bench, "plugins")]) chmodSync(d, 0o755);
  // each container has its own /tmp for the pid file; the network namespace (loopback) is the host's
  const nginx = (confFile: string) => ({
    image,
    entrypoint: [engine.nginxBin],
    cmd: ["-p", target.prefix, "-c", confFile, "-g", "daemon off;"],
    binds: [`${bench}:/bench:ro`],
  });
  const started: BenchContainer[] = [];
  try {
    started.push(
      await startGateway({
        ...nginx("/bench/nginx.conf"),
        readyUrl: `http://127.0.0.1:${port}${ROUTES.none}`,
      }),
    );
    started.push(
      await startGateway({
        ...nginx("/bench/hand.conf"),
        readyUrl: `http://127.0.0.1:${handPort}${HAND.none}`,
      }),
    );
    // the VM is what the gateway says it started, not what was asked for
    for (const c of started) {
      const said = /init wasm vm: (\w+)/.exec(await c.log())?.[1];
      if (said !== target.vm)
        throw new Error(`${image} started VM ${said ?? "(none logged)"}, not ${target.vm}`);
    }
  } catch (err) {
    await Promise.all(started.map((c) => c.stop()));
    throw err;
  }
  return {
    rendered: { url: `http://127.0.0.1:${port}`, container: started[0]! },
    hand: { url: `http://127.0.0.1:${handPort}`, container: started[1]! },
    stop: async () => void (await Promise.all(started.map((c) => c.stop()))),
  };
}

/** One wrk run on `t` at `path`, with how many nginx workers died on a signal meanwhile (read from its log). */
async function load(t: Target, path: string, opts: LoadOptions): Promise<Figures> {
  const before = t.container ? workerExits(await t.container.log()) : 0;
  const f = await wrk(`${t.url}${path}`, opts);
  const after = t.container ? workerExits(await t.container.log()) : 0;
  return { ...f, workerExits: after - before };
}

/**
 * Two routes measured in PAIR_ROUNDS alternating rounds (the order flips each round). Each side's figures are its
 * median run; `ratio` is the median of the rounds' own a/b ratios, so drift between rounds on a shared machine
 * cancels instead of favouring whichever side ran in a quiet moment.
 */
async function pair(a: [Target, string], b: [Target, string]): Promise<[Figures, Figures, number]> {
  const fa: Figures[] = [];
  const fb: Figures[] = [];
  for (let i = 0; i < PAIR_ROUNDS; i++) {
    if (i % 2 === 0) {
      fa.push(await load(...a, { seconds: SECONDS }));
      fb.push(await load(...b, { seconds: SECONDS }));
    } else {
      fb.push(await load(...b, { seconds: SECONDS }));
      fa.push(await load(...a, { seconds: SECONDS }));
    }
  }
  const mid = (fs: Figures[]): Figures => {
    const m = median(fs.map((f) => f.reqPerSec));
    const f = fs.reduce((x, y) => (Math.abs(y.reqPerSec - m) < Math.abs(x.reqPerSec - m) ? y : x));
    // a crash in any round disqualifies the pair, not only the round that crashed
    return { ...f, reqPerSec: m, workerExits: fs.reduce((n, x) => n + x.workerExits, 0) };
  };
  return [mid(fa), mid(fb), median(fa.map((f, i) => f.reqPerSec / fb[i]!.reqPerSec))];
}

/** Throughput over the first FIRST requests, then again once AFTER requests were served. */
async function degradation(
  t: Target,
  path: string,
): Promise<{ first: Figures; later: Figures; at: number }> {
  let served = 0;
  let fillExits = 0;
  const windows = async (count: number): Promise<Figures> => {
    const parts: Figures[] = [];
    let n = 0;
    while (n < count) {
      const f = await load(t, path, { seconds: 1 });
      parts.push(f);
      n += f.requests;
      if (parts.length >= 60) break;
    }
    served += n;
    const seconds = parts.reduce((s, f) => s + f.seconds, 0);
    return {
      reqPerSec: n / seconds,
      p99Ms: Math.max(...parts.map((f) => f.p99Ms)),
      requests: n,
      seconds,
      errors: parts.reduce((s, f) => s + f.errors, 0),
      workerExits: parts.reduce((s, f) => s + f.workerExits, 0),
    };
  };
  const first = await windows(FIRST);
  // bring the count to AFTER, in runs sized by the rate seen so far, for FILL_CAP_S seconds at most
  let budget = FILL_CAP_S;
  while (served < AFTER && budget > 0) {
    const s = Math.min(
      budget,
      Math.max(1, Math.ceil((AFTER - served) / Math.max(first.reqPerSec, 1))),
    );
    const f = await load(t, path, { seconds: s });
    served += f.requests;
    fillExits += f.workerExits;
    budget -= s;
  }
  const at = served;
  const later = await windows(FIRST);
  return { first, later: { ...later, workerExits: later.workerExits + fillExits }, at };
}

async function measure(engine: string, base: Target, hand: Target | undefined): Promise<Row[]> {
  const rows: Row[] = [];
  const run = (path: string, body?: number) =>
    load(base, path, body === undefined ? { seconds: SECONDS } : { seconds: SECONDS, body });
  // one unrecorded second on each GET route first: the embedded engine's Node and LuaJIT compile their hot paths
  // in the first requests, which would otherwise count against whichever variant runs first
  for (const path of [ROUTES.none, ROUTES.addHeader, ROUTES.noop, ROUTES.noopOpen])
    await load(base, path, { seconds: 1 });
  const none = await run(ROUTES.none);
  rows.push({ variant: "no plugin", figures: none, ratios: [] });
  const vsNone = (f: Figures): [string, number][] => [
    ["x no plugin", f.reqPerSec / none.reqPerSec],
  ];
  if (hand) {
    // the rendered route without plugins still runs the reload drain's http-level filter (gateway.drain)
    const bare = await load(hand, HAND.none, { seconds: SECONDS });
    rows.push({
      variant: "no plugin, hand-written (no Lua filter)",
      figures: bare,
      ratios: [["rendered no plugin (drain filter) x this", none.reqPerSec / bare.reqPerSec]],
    });
    const lua = await load(hand, HAND.lua, { seconds: SECONDS });
    rows.push({
      variant: "pure-Lua header filter (hand-written)",
      figures: lua,
      ratios: vsNone(lua),
    });
    const perRequest = await load(hand, HAND.perRequest, { seconds: SECONDS });
    rows.push({
      variant: "add-header, on_configure per request (hand-written)",
      figures: perRequest,
      ratios: vsNone(perRequest),
    });
    const [rendered, minimal, addRatio] = await pair(
      [base, ROUTES.addHeader],
      [hand, HAND.minimal],
    );
    rows.push({
      variant: "add-header, minimal glue (hand-written)",
      figures: minimal,
      ratios: vsNone(minimal),
    });
    rows.push({
      variant: "add-header, rendered conf",
      figures: rendered,
      ratios: [...vsNone(rendered), ["x minimal glue", addRatio]],
    });
    rows.push({
      variant: "add-header, on_configure per request vs rendered",
      figures: perRequest,
      ratios: [["rendered x per-request", rendered.reqPerSec / perRequest.reqPerSec]],
    });
    const [noop, minimalNoop, noopRatio] = await pair(
      [base, ROUTES.noop],
      [hand, HAND.minimalNoop],
    );
    rows.push({
      variant: "do-nothing plugin, minimal glue (hand-written)",
      figures: minimalNoop,
      ratios: vsNone(minimalNoop),
    });
    rows.push({
      variant: "do-nothing plugin, rendered conf",
      figures: noop,
      ratios: [...vsNone(noop), ["x minimal glue", noopRatio]],
    });
    const [open, , openRatio] = await pair([base, ROUTES.noopOpen], [hand, HAND.minimalNoop]);
    rows.push({
      variant: "do-nothing plugin, fail-open (no body filter), rendered conf",
      figures: open,
      ratios: [...vsNone(open), ["x minimal glue", openRatio]],
    });
    if (GLUE_ONLY) {
      printTable(engine, rows);
      return rows;
    }
  } else {
    const rendered = await run(ROUTES.addHeader);
    rows.push({
      variant: "add-header, rendered conf",
      figures: rendered,
      ratios: vsNone(rendered),
    });
    const noop = await run(ROUTES.noop);
    rows.push({ variant: "do-nothing plugin, rendered conf", figures: noop, ratios: vsNone(noop) });
    const open = await run(ROUTES.noopOpen);
    rows.push({
      variant: "do-nothing plugin, fail-open, rendered conf",
      figures: open,
      ratios: vsNone(open),
    });
  }
  const one = rows.find((r) => r.variant === "add-header, rendered conf")!.figures;
  for (const [n, path] of [
    [3, ROUTES.three],
    [10, ROUTES.ten],
  ] as const) {
    const f = await run(path);
    rows.push({
      variant: `${n} add-header plugins on a route`,
      figures: f,
      ratios: [...vsNone(f), ["x 1 plugin", f.reqPerSec / one.reqPerSec]],
    });
  }
  for (const [label, size] of [
    ["1 KB", 1024],
    ["64 KB", 64 * 1024],
    ["1 MB", 1024 * 1024],
  ] as const) {
    const without = await run(ROUTES.bodyNone, size);
    const withPlugin = await run(ROUTES.body, size);
    rows.push({ variant: `POST ${label}, no plugin`, figures: without, ratios: [] });
    rows.push({
      variant: `POST ${label}, request-body plugin`,
      figures: withPlugin,
      ratios: [["x same POST without plugin", withPlugin.reqPerSec / without.reqPerSec]],
    });
  }
  const bigNone = await run(ROUTES.bigNone);
  const big = await run(ROUTES.big);
  rows.push({ variant: "1 MB response, no plugin", figures: bigNone, ratios: [] });
  rows.push({
    variant: "1 MB response, response-body plugin",
    figures: big,
    ratios: [["x same response without plugin", big.reqPerSec / bigNone.reqPerSec]],
  });
  if (hand) {
    await load(hand, HAND.timers, { seconds: SECONDS });
    const t = (await (await fetch(`${hand.url}${HAND.timersReport}`)).json()) as Record<
      string,
      number
    >;
    const clock = t["clock_ns"]!;
    process.stdout.write(
      `\nwhere a call's time goes (${t["n"]} requests, ns per call, the clock's own ${Math.round(clock)} ns taken off):\n` +
        `  cheapest FFI call (getpid):                                ${Math.round(t["ffi_ns"]! - clock)}\n` +
        `  on_http_response_headers, do-nothing, first in request:    ${Math.round(t["first_noop_ns"]! - clock)} (creates the http context)\n` +
        `  on_http_response_headers, do-nothing, context reused:      ${Math.round(t["noop_ns"]! - clock / 8)}\n` +
        `  on_http_response_headers, add-header, context reused:      ${Math.round(t["add_ns"]! - clock / 8)}\n`,
    );
  }
  const d = await degradation(base, ROUTES.addHeader);
  rows.push({ variant: `add-header, first ${FIRST} requests`, figures: d.first, ratios: [] });
  rows.push({
    variant: `add-header, after ${d.at} requests`,
    figures: d.later,
    ratios: [["x first", d.later.reqPerSec / d.first.reqPerSec]],
  });
  printTable(engine, rows);
  return rows;
}

function printTable(engine: string, rows: Row[]): void {
  const out = [
    `\n### gateway on ${engine} (1 worker, wrk 1 thread 16 connections, ${SECONDS} s per run${QUICK ? ", quick" : ""})\n`,
    "| variant | req/s | p99 ms | errors | worker crashes | ratio |",
    "| --- | ---: | ---: | ---: | ---: | --- |",
    ...rows.map(
      (r) =>
        `| ${r.variant} | ${Math.round(r.figures.reqPerSec).toLocaleString("en")} | ${r.figures.p99Ms.toFixed(2)} | ${r.figures.errors} | ${r.figures.workerExits} | ${
          r.figures.workerExits > 0
            ? "not a measurement: nginx workers crashed during the run"
            : r.ratios.map(([k, v]) => `${v.toFixed(3)} ${k}`).join("; ")
        } |`,
    ),
    "",
  ];
  process.stdout.write(`${out.join("\n")}\n`);
}

function results(engine: string, rows: Row[]): BenchResult[] {
  const out: BenchResult[] = [];
  for (const r of rows) {
    out.push({
      name: `gateway ${engine}: ${r.variant}`,
      value: r.figures.reqPerSec,
      unit: "req/s",
    });
    if (r.figures.workerExits > 0)
      out.push({
        name: `gateway ${engine}: ${r.variant}, nginx workers crashed`,
        value: r.figures.workerExits,
        unit: "crashes",
      });
    else
      for (const [k, v] of r.ratios)
        out.push({ name: `gateway ${engine}: ${r.variant}, ${k}`, value: v, unit: "x" });
  }
  return out;
}

/** The gateway table on the embedded engine, and on ORWASM_ENGINE_IMAGE when set. */
export async function benchGateway(): Promise<BenchResult[]> {
  if (!(await hasWrk())) throw new Error("wrk is not installed (scripts/setup-wrk.sh installs it)");
  const out: BenchResult[] = [];
  const image = process.env["ORWASM_ENGINE_IMAGE"];
  if (image) {
    const real = await realGateways(image);
    try {
      const label = `${image} (vm ${VM})`;
      out.push(...results(label, await measure(label, real.rendered, real.hand)));
    } finally {
      await real.stop();
    }
  } else {
    process.stdout.write(
      "real engine: skipped (set ORWASM_ENGINE_IMAGE to an OpenResty + wasm-nginx-module image)\n",
    );
  }
  // `--no-embedded`: only the real engine (e.g. a second VM of the same image, after the embedded run was taken)
  if (process.argv.includes("--no-embedded") || GLUE_ONLY) return out;
  const embedded = await embeddedGateway();
  try {
    out.push(...results("embedded", await measure("embedded engine", embedded.base, undefined)));
  } finally {
    await embedded.stop();
  }
  return out;
}
