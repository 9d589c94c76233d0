// Plugin updates under a fixed-rate load on loopback: `orwasm reload` swaps a plugin version in a running gateway
// container; no request fails, is reset or gets a 5xx, and every request sent after the reload returned meets the
// new version. A broken new version is refused with its reason, and the old version keeps serving, again without a
// failure. On the embedded engine, and on ORWASM_ENGINE_IMAGE when set.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import Docker from "dockerode";
import { afterAll, describe, expect, it, onTestFailed } from "vitest";
import { dockerReloadTarget } from "../../src/reload/docker-target.js";
import { buildEmbeddedGatewayImage } from "../../src/embedded-engine/gateway-image.js";
import { containerPluginPath } from "../../src/embedded-engine/container-project.js";
import { buildGatewayImage } from "../../src/engine/image.js";
import { probeEngine, probeImage } from "../../src/engine/probe-run.js";
import { loadProject } from "../../src/app/load-project.js";
import type { Project } from "../../src/project/project.js";
import { defaultTarget } from "../../src/render/target.js";
import { ReloadRefused, reloadGateway, type NginxLayout } from "../../src/reload/reload.js";
import { dockerAvailable, testDocker } from "../helpers/docker.js";
import { loadDuringSwap, msToFirst, type LoadOutcome } from "../helpers/reload-load.js";
import { requireOrSkip } from "../helpers/skip.js";
import { demux } from "../helpers/pod-docker.js";
import { trapsAtStart } from "../helpers/wat.js";
import { sendHttp } from "../../src/smoke/http.js";
import { runCli } from "../helpers/cli.js";

const avail = await dockerAvailable();
const skip = requireOrSkip("docker", avail.ok, avail.ok ? "" : avail.reason);
const realEngine = process.env.ORWASM_ENGINE_IMAGE;
const skipReal = requireOrSkip(
  "engine-image",
  !!realEngine && avail.ok,
  "ORWASM_ENGINE_IMAGE is not set: plugin reloads under load on a real OpenResty engine are skipped",
);
const docker = new Docker();
const port = (await testDocker()).images;
const EXAMPLE = resolve(import.meta.dirname, "../../examples/add-header");
const dir = mkdtempSync(join(tmpdir(), "orwasm-reload-"));
writeFileSync(join(dir, "broken.wasm"), trapsAtStart());

/**
 * The project at `version`: add_header sets x-hello to the version; "broken" is a module that traps at load.
 * `vm` is the real engine image's VM (WasmEdge on an image built for it); the embedded engine needs none.
 */
async function project(version: string, vm?: string): Promise<Project> {
  const plugin =
    version === "broken"
      ? "{ name: add_header, file: broken.wasm, config: broken }"
      : `{ name: add_header, build: { lang: assemblyscript, dir: ${JSON.stringify(EXAMPLE)} }, config: ${version} }`;
  writeFileSync(
    join(dir, "orwasm.yaml"),
    `name: reload_load
${vm ? `engine: { vm: ${vm} }\n` : ""}plugins:
  - ${plugin}
servers:
  - listen: 8080
    routes:
      - { path: /, respond: { body: "hello\\n" }, plugins: [add_header] }
`,
  );
  return (await loadProject(join(dir, "orwasm.yaml"))).project;
}

// Seven seconds: the reload (validation, a one-second drain, the HUP, the old workers' exit) ends with seconds to go.
const LOAD = { rate: 200, seconds: 7, connections: 8, swapAfterSeconds: 2, header: "x-hello" };
const containers: Docker.Container[] = [];
const images: string[] = [];
afterAll(async () => {
  for (const c of containers) await c.remove({ force: true }).catch(() => undefined);
  for (const i of images) await port.remove(i, { force: true }).catch(() => undefined);
});

async function start(image: string, name: string): Promise<{ url: string }> {
  const c = await docker.createContainer({
    name,
    Image: image,
    ExposedPorts: { "8080/tcp": {} },
    Labels: { "org.orwasm.test": "reload" },
    HostConfig: { PortBindings: { "8080/tcp": [{ HostIp: "127.0.0.1", HostPort: "" }] } },
  });
  containers.push(c);
  await c.start();
  const hostPort = (await c.inspect()).NetworkSettings.Ports["8080/tcp"]?.[0]?.HostPort;
  const url = `http://127.0.0.1:${hostPort}/`;
  const end = Date.now() + 60_000;
  for (;;) {
    const ok = await sendHttp({
      host: "127.0.0.1",
      port: Number(hostPort),
      method: "GET",
      path: "/",
      headers: {},
      timeoutMs: 2000,
    }).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) return { url };
    if (Date.now() > end) throw new Error(`${name} did not serve within 60 s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function report(label: string, o: LoadOutcome, newVersion: string): void {
  // Response times before and during the reload: how loaded the machine was, which decides how long an old worker
  // can lag behind requests that arrived (see expectEveryRequestAccounted).
  const ms = (from: number, to: number) =>
    o.samples
      .filter((s) => s.sentMs >= from && s.sentMs < to)
      .map((s) => s.atMs - s.sentMs)
      .sort((a, b) => a - b);
  const p = (xs: number[], q: number) =>
    xs.length ? `${Math.round(xs[Math.min(xs.length - 1, Math.floor(xs.length * q))]!)}` : "-";
  const before = ms(0, o.swapStartMs);
  const during = ms(o.swapStartMs, o.swapEndMs);
  process.stderr.write(
    `[reload] ${label}: response ms p50/p99 before the reload ${p(before, 0.5)}/${p(before, 0.99)}, during ${p(during, 0.5)}/${p(during, 0.99)}\n`,
  );
  const first = msToFirst(o, newVersion);
  process.stderr.write(
    `[reload] ${label}: sent ${o.sent}, answered ${o.responses}, failed ${o.failed} (errors ${o.errors}, timeouts ${o.timeouts}, non-2xx ${o.non2xx}), ` +
      `closed unanswered ${o.closedUnanswered}, connections closed as the server asked ${o.closedAsAsked}, in flight at the end ${o.inFlightAtEnd}, ` +
      `reload took ${Math.round(o.swapEndMs - o.swapStartMs)} ms, first ${newVersion} response ${first === undefined ? "never" : `${Math.round(first)} ms`} after the reload began\n`,
  );
}

/**
 * Every request written was answered, or was still in flight when the load stopped (one per connection at most), or
 * was written to a keep-alive connection the server closed without reading it. The last happens only on nginx, only
 * while the reload runs, at most once per connection: an old worker that starts to quit closes every keep-alive
 * connection it holds no request on (ngx_close_idle_connections), also one whose next request has arrived but was not
 * read yet (under CPU pressure the old worker can lag tens of ms behind). The client sees the connection close with
 * no response byte, the case in which HTTP/1.1 clients retry an idempotent request on a new connection (RFC 9112
 * section 9.3.1), as autocannon does with its next request; it is counted and printed, not hidden.
 */
function expectEveryRequestAccounted(engine: string, o: LoadOutcome): void {
  expect(o.responses + o.inFlightAtEnd + o.closedUnanswered).toBe(o.sent);
  expect(o.inFlightAtEnd).toBeLessThanOrEqual(LOAD.connections);
  if (engine === "embedded") expect(o.closedUnanswered).toBe(0);
  else expect(o.closedUnanswered).toBeLessThanOrEqual(LOAD.connections);
  expect(o.closedUnansweredAtMs.filter((t) => t < o.swapStartMs || t > o.swapEndMs)).toEqual([]);
}

/** The two scenarios, for one engine: a good update under load, then a broken one. */
function scenarios(
  engine: string,
  boot: () => Promise<{ container: string; url: string; layout: NginxLayout; vm?: string }>,
) {
  it(`${engine}: a new plugin version under load: zero failures, every request sent after the reload gets v2`, async () => {
    const gw = await boot();
    // A failure carries the last lines of the gateway's error log (stderr; the access log is stdout).
    onTestFailed(async () => {
      const log = await docker
        .getContainer(gw.container)
        .logs({ stdout: false, stderr: true, tail: 80 })
        .catch(() => Buffer.from(""));
      process.stderr.write(`[reload] ${gw.container} log, last lines:\n${demux(log)}\n`);
    });
    const c = await dockerReloadTarget(gw.container);
    const v2 = await project("v2", gw.vm);
    const o = await loadDuringSwap({
      ...LOAD,
      url: gw.url,
      swap: async () => void (await reloadGateway(c, v2, gw.layout, { onLine: () => undefined })),
    });
    report(`${engine} good update`, o, "v2");
    expect(o.swapError).toBeUndefined();
    expect(o.failed).toBe(0);
    expect(o.samples.length).toBe(o.responses);
    expectEveryRequestAccounted(engine, o);
    expect(o.samples.every((s) => s.status === 200)).toBe(true);
    expect(o.samples.some((s) => s.version === "v1")).toBe(true);
    const after = o.samples.filter((s) => s.sentMs > o.swapEndMs);
    expect(after.length).toBeGreaterThan(LOAD.rate); // the load went on for seconds after the reload
    expect(after.filter((s) => s.version !== "v2")).toEqual([]);
    expect(o.samples.every((s) => s.version === "v1" || s.version === "v2")).toBe(true);

    // The broken version: refused with its reason, the old one keeps serving, nothing fails.
    const broken = await project("broken", gw.vm);
    const b = await loadDuringSwap({
      ...LOAD,
      url: gw.url,
      swap: async () =>
        void (await reloadGateway(c, broken, gw.layout, { onLine: () => undefined })),
    });
    report(`${engine} broken update`, b, "broken");
    process.stderr.write(`[reload] ${engine} broken update refused: ${String(b.swapError)}\n`);
    expect(b.swapError).toBeInstanceOf(ReloadRefused);
    // The embedded engine says why itself; on nginx the reason is the VM's own log lines, which differ: WasmEdge
    // reports the trap ("unreachable"), wasmtime 0.38 panics and the worker dies (the glue then reports the crash).
    expect((b.swapError as ReloadRefused).message).toMatch(
      engine === "embedded"
        ? /plugin add_header failed to load from .*unreachable/
        : /plugin add_header failed to load from \S+add_header\.wasm: .*\(the engine said: .*(unreachable|panicked)/,
    );
    expect(b.failed).toBe(0);
    expect(b.samples.length).toBe(b.responses);
    expectEveryRequestAccounted(engine, b);
    expect(b.samples.filter((s) => s.version !== "v2")).toEqual([]);
    if (engine === "embedded") {
      // The files were put back: a restart would serve v2, not the refused version.
      const bytes = await c.read(containerPluginPath("add_header"));
      expect(
        Buffer.from(bytes!).equals(
          Buffer.from(await import("node:fs").then((f) => f.readFileSync(v2.plugins[0]!.wasmPath))),
        ),
      ).toBe(true);
    }
  }, 300_000);
}

describe.skipIf(skip)(`orwasm reload under load${skip ? ` (skipped: ${skip})` : ""}`, () => {
  scenarios("embedded", async () => {
    const v1 = await project("v1");
    const tag = "orwasm-i14-reload:v1";
    await buildEmbeddedGatewayImage(port, v1, tag);
    images.push(tag);
    const name = `orwasm-i14-reload-embedded-${process.pid}`;
    const { url } = await start(tag, name);
    const target = defaultTarget(v1);
    return {
      container: name,
      url,
      layout: { target, confPath: `${target.prefix}/conf/nginx.conf`, nginxBin: "nginx" },
    };
  });

  it("orwasm reload on the command line: swaps, refuses a broken version with exit 2 and the reason, exits 4 without a container", async () => {
    const v1 = await project("v1");
    const tag = "orwasm-i14-reload:cli";
    await buildEmbeddedGatewayImage(port, v1, tag);
    images.push(tag);
    const name = `orwasm-i14-reload-cli-${process.pid}`;
    const { url } = await start(tag, name);
    const header = async () => {
      const u = new URL(url);
      return (
        await sendHttp({
          host: u.hostname,
          port: Number(u.port),
          method: "GET",
          path: "/",
          headers: {},
          timeoutMs: 5000,
        })
      ).headers["x-hello"];
    };
    expect(await header()).toBe("v1");
    await project("v2");
    const ok = await runCli(["reload", dir, "-c", name, "--json"]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ container: name, engine: "embedded" });
    expect(await header()).toBe("v2");
    await project("broken");
    const refused = await runCli(["reload", dir, "-c", name]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(
      /keeps serving the previous one:\n\s+plugin add_header failed to load from \/app\/plugins\/add_header\.wasm: .*unreachable/,
    );
    expect(refused.stderr).not.toMatch(/\n\s+at /);
    expect(await header()).toBe("v2");
    const none = await runCli(["reload", dir, "-c", `orwasm-i14-no-such-${process.pid}`]);
    expect(none.code).toBe(4);
    expect(none.stderr).toMatch(/no running container orwasm-i14-no-such/);
  }, 300_000);

  describe.skipIf(skipReal)(
    `on ${realEngine ?? "a real engine image"}${skipReal ? ` (skipped: ${skipReal})` : ""}`,
    () => {
      /** The v1 gateway on the real engine image, started as `name`. */
      const bootReal = async (name: string) => {
        const vm = (await probeImage(port, realEngine!)).vms[0];
        const v1 = await project("v1", vm);
        const tag = "orwasm-i14-k8s-real-reload:v1";
        await buildGatewayImage(
          {
            project: v1,
            projectLabel: "orwasm.yaml",
            tag,
            engineImage: realEngine,
            arch: "x86_64",
            lockfilePath: "orwasm.lock",
          },
          { docker: port, onLine: () => undefined },
        );
        images.push(tag);
        const probed = await probeEngine(port, realEngine!, v1, () => undefined);
        const { url } = await start(tag, name);
        return {
          container: name,
          url,
          layout: { target: probed.target, confPath: probed.confPath, nginxBin: probed.nginxBin },
          vm,
        };
      };
      scenarios("real engine", () => bootReal(`orwasm-i14-k8s-real-reload-${process.pid}`));

      it("orwasm reload on the command line finds the engine from the image's label: swaps, refuses a broken version with exit 2 and the VM's reason", async () => {
        const gw = await bootReal(`orwasm-i14-k8s-real-reload-cli-${process.pid}`);
        const header = async () => {
          const u = new URL(gw.url);
          const r = await sendHttp({
            host: u.hostname,
            port: Number(u.port),
            method: "GET",
            path: "/",
            headers: {},
            timeoutMs: 5000,
          });
          return r.headers["x-hello"];
        };
        expect(await header()).toBe("v1");
        await project("v2", gw.vm);
        const ok = await runCli(["reload", dir, "-c", gw.container, "--json"]);
        expect(ok.code, ok.stderr).toBe(0);
        expect(ok.stderr).toContain(`probing engine image ${realEngine}`);
        expect(JSON.parse(ok.stdout)).toMatchObject({ container: gw.container, engine: "nginx" });
        expect(await header()).toBe("v2");
        await project("broken", gw.vm);
        const refused = await runCli(["reload", dir, "-c", gw.container]);
        expect(refused.code).toBe(2);
        expect(refused.stderr).toMatch(
          /keeps serving the previous one:\n\s+plugin add_header failed to load from \S+add_header\.wasm: .*\(the engine said: /,
        );
        expect(refused.stderr).not.toMatch(/\n\s+at /);
        expect(await header()).toBe("v2");
      }, 300_000);
    },
  );
});
