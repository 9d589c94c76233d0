// The rendered Deployment run the way a kubelet would run it (derived from the manifest by src/k8s/kubelet.ts):
// non-root, read-only root, ConfigMap keys as files, emptyDirs; its probes' paths and a route answer; a plugin that
// cannot load makes the pod not ready, with the reason. On the embedded engine, and on ORWASM_ENGINE_IMAGE when set.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import Docker from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildEmbeddedGatewayImage } from "../../src/embedded-engine/gateway-image.js";
import { EMBEDDED_CMD } from "../../src/embedded-engine/launch.js";
import { buildGatewayImage } from "../../src/engine/image.js";
import { probeImage } from "../../src/engine/probe-run.js";
import { podRun, type PodRun } from "../../src/k8s/kubelet.js";
import { CONF_MOUNT, renderManifests } from "../../src/k8s/manifests.js";
import { loadProject } from "../../src/app/load-project.js";
import { defaultTarget } from "../../src/render/target.js";
import type { Project } from "../../src/project/project.js";
import { dockerAvailable, testDocker } from "../helpers/docker.js";
import { runPod, type RunningPod } from "../helpers/pod-docker.js";
import { requireOrSkip } from "../helpers/skip.js";
import { trapsAtStart } from "../helpers/wat.js";
import { sendHttp } from "../../src/smoke/http.js";

const avail = await dockerAvailable();
const skip = requireOrSkip("docker", avail.ok, avail.ok ? "" : avail.reason);
const realEngine = process.env.ORWASM_ENGINE_IMAGE;
const skipReal = requireOrSkip(
  "engine-image",
  !!realEngine && avail.ok,
  "ORWASM_ENGINE_IMAGE is not set: the kubelet-faithful run on a real OpenResty engine is skipped",
);
const docker = new Docker();
const port = (await testDocker()).images;
const EXAMPLE = resolve(import.meta.dirname, "../../examples/add-header");
const FAKE_DIGEST = `orwasm-i14/gw@sha256:${"0".repeat(64)}`;

/** A valid module whose start function traps: audits pass, loading fails (in wasmtime and in Node alike). */
const TRAPS_AT_LOAD = trapsAtStart();

/**
 * A project with add_header on a fixed-response route, plus a plugin that traps at load when `broken`;
 * deployment.kubernetes at defaults. `vm` is a real engine image's VM (WasmEdge on an image built for it).
 */
async function project(broken: boolean, vm?: string): Promise<Project> {
  const dir = mkdtempSync(join(tmpdir(), "orwasm-k8s-pod-"));
  writeFileSync(join(dir, "broken.wasm"), TRAPS_AT_LOAD);
  writeFileSync(
    join(dir, "orwasm.yaml"),
    `name: k8s_pod
${vm ? `engine: { vm: ${vm} }\n` : ""}plugins:
  - { name: add_header, build: { lang: assemblyscript, dir: ${JSON.stringify(EXAMPLE)} }, config: from-the-pod }
${broken ? "  - { name: broken, file: broken.wasm }\n" : ""}servers:
  - listen: 8080
    routes:
      - { path: /, respond: { body: "hello\\n" }, plugins: [add_header${broken ? ", broken" : ""}] }
deployment:
  kubernetes: {}
`,
  );
  return (await loadProject(join(dir, "orwasm.yaml"))).project;
}

async function get(
  url: string,
): Promise<{ status: number; body: string; headers: Record<string, string> }> {
  const u = new URL(url);
  return sendHttp({
    host: u.hostname,
    port: Number(u.port),
    method: "GET",
    path: u.pathname,
    headers: {},
    timeoutMs: 5000,
  });
}

/** Polls `url` until it answers at all (any status), as the kubelet's probes would. */
async function firstAnswer(url: string, ms = 30_000): Promise<{ status: number; body: string }> {
  const end = Date.now() + ms;
  for (;;) {
    try {
      return await get(url);
    } catch (err) {
      if (Date.now() > end) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/**
 * Probes /orwasm/ready as the kubelet does, period after period, until the answer is settled: 200, or a 503 whose
 * every worker has reported (a worker still starting says "not started yet", and the next probe asks again).
 */
async function settledReady(url: string, ms = 30_000): Promise<{ status: number; body: string }> {
  const end = Date.now() + ms;
  for (;;) {
    const r = await firstAnswer(url, Math.max(1000, end - Date.now()));
    if (r.status === 200 || !/not started yet/.test(r.body) || Date.now() > end) return r;
    await new Promise((ok) => setTimeout(ok, 200));
  }
}

const pods: RunningPod[] = [];
afterAll(async () => {
  for (const p of pods) await p.remove();
  await port.remove("orwasm-i14-k8s-pod:good", { force: true }).catch(() => undefined);
  await port.remove("orwasm-i14-k8s-pod:broken", { force: true }).catch(() => undefined);
  for (const t of ["good", "broken"])
    await port.remove(`orwasm-i14-k8s-real:${t}`, { force: true }).catch(() => undefined);
});

/** Renders, derives the kubelet's run, swaps in the embedded engine (image and argv only) and starts it. */
async function embeddedPod(broken: boolean): Promise<{ run: PodRun; pod: RunningPod }> {
  const p = await project(broken);
  const manifests = renderManifests({
    project: p,
    target: defaultTarget(p),
    image: FAKE_DIGEST,
    projectLabel: "orwasm.yaml",
  });
  const derived = podRun(manifests);
  const tag = `orwasm-i14-k8s-pod:${broken ? "broken" : "good"}`;
  await buildEmbeddedGatewayImage(port, p, tag);
  // The Node stand-in cannot run nginx: it serves the ConfigMap's orwasm.yaml (the same routes and plugin configs
  // as its nginx.conf) instead. Everything else is the Deployment's.
  const run: PodRun = {
    ...derived,
    image: tag,
    argv: [...EMBEDDED_CMD.slice(0, -1), `${CONF_MOUNT}/orwasm.yaml`],
  };
  const pod = await runPod(
    docker,
    run,
    `orwasm-i14-k8s-pod-${broken ? "broken" : "good"}-${process.pid}`,
  );
  pods.push(pod);
  return { run, pod };
}

describe.skipIf(skip)(
  `the Deployment run as a kubelet would${skip ? ` (skipped: ${skip})` : ""}`,
  () => {
    describe("on the embedded engine", () => {
      let good: { run: PodRun; pod: RunningPod };
      let broken: { run: PodRun; pod: RunningPod };
      beforeAll(async () => {
        good = await embeddedPod(false);
        broken = await embeddedPod(true);
      }, 600_000);

      it("derives the pod from the manifest: user 10001, read-only root, ConfigMap keys as files, emptyDirs", () => {
        expect(good.run.user).toBe("10001:10001");
        expect(good.run.readOnlyRootFilesystem).toBe(true);
        expect(good.run.capDrop).toEqual(["ALL"]);
        expect(good.run.files.map((f) => f.path).sort()).toEqual([
          `${CONF_MOUNT}/nginx.conf`,
          `${CONF_MOUNT}/orwasm.yaml`,
        ]);
        expect(good.run.emptyDirs).toContain("/tmp");
        expect(good.run.readiness).toMatchObject({ path: "/orwasm/ready", port: 8099 });
        expect(good.run.liveness).toMatchObject({ path: "/orwasm/live", port: 8099 });
      });

      it("runs as the pod's user on a root file system it cannot write, with the emptyDirs writable", async () => {
        const r = await good.pod.exec([
          "sh",
          "-c",
          "id -u; touch /app/x 2>&1; touch /tmp/ok && echo tmp-writable; cat /proc/self/status | grep CapEff",
        ]);
        expect(r.output).toMatch(/^10001\n/);
        expect(r.output).toMatch(/Read-only file system/);
        expect(r.output).toContain("tmp-writable");
        expect(r.output).toMatch(/CapEff:\s+0000000000000000/);
      });

      it("passes its readiness and liveness probes and serves the route with the plugin's header", async () => {
        const ready = await firstAnswer(`http://127.0.0.1:${good.pod.port("health")}/orwasm/ready`);
        expect(ready).toMatchObject({
          status: 200,
          body: "ready: 1 workers, 1 plugins, 1 contexts\n",
        });
        const live = await get(`http://127.0.0.1:${good.pod.port("health")}/orwasm/live`);
        expect(live.status).toBe(200);
        const route = await get(`http://127.0.0.1:${good.pod.port("http")}/`);
        expect(route.status).toBe(200);
        expect(route.headers["x-hello"]).toBe("from-the-pod");
      });

      it("is not ready when a plugin cannot load, says which and why, and stays alive", async () => {
        const ready = await firstAnswer(
          `http://127.0.0.1:${broken.pod.port("health")}/orwasm/ready`,
        );
        expect(ready.status).toBe(503);
        expect(ready.body).toMatch(
          /^not ready:\nworker 0: plugin broken failed to load from \/app\/plugins\/broken\.wasm: .*unreachable/,
        );
        const live = await get(`http://127.0.0.1:${broken.pod.port("health")}/orwasm/live`);
        expect(live.status).toBe(200);
      });
    });

    describe.skipIf(skipReal)(
      `on ${realEngine ?? "a real engine image"}${skipReal ? ` (skipped: ${skipReal})` : ""}`,
      () => {
        it("passes its probes and serves the route; a plugin that cannot load makes it not ready, with the reason, and stays alive", async () => {
          const vm = (await probeImage(port, realEngine!)).vms[0];
          for (const broken of [false, true]) {
            const p = await project(broken, vm);
            const tag = `orwasm-i14-k8s-real:${broken ? "broken" : "good"}`;
            const built = await buildGatewayImage(
              {
                project: p,
                projectLabel: "orwasm.yaml",
                tag,
                engineImage: realEngine,
                arch: "x86_64",
                lockfilePath: "orwasm.lock",
              },
              { docker: port, onLine: () => undefined },
            );
            const manifests = renderManifests({
              project: p,
              target: built.target,
              image: FAKE_DIGEST,
              projectLabel: "orwasm.yaml",
            });
            const run = { ...podRun(manifests), image: tag };
            const pod = await runPod(
              docker,
              run,
              `orwasm-i14-k8s-real-${broken ? "b" : "g"}-${process.pid}`,
            );
            pods.push(pod);
            // A pod that never answers fails with its log's last lines (what `kubectl logs` would show).
            const ready = await settledReady(
              `http://127.0.0.1:${pod.port("health")}/orwasm/ready`,
            ).catch(async (err: unknown) => {
              const tail = (await pod.logs()).split("\n").slice(-30).join("\n");
              throw new Error(`${String(err)}; the pod's log ends:\n${tail}`);
            });
            process.stderr.write(
              `[k8s-pod] ${realEngine} ${broken ? "broken" : "good"}: /orwasm/ready ${ready.status} ${ready.body}`,
            );
            // Alive either way: a plugin that cannot load is not fixed by a restart (and on wasmtime a plugin that
            // crashes its worker must not leave the pod answering nothing).
            const live = await get(`http://127.0.0.1:${pod.port("health")}/orwasm/live`);
            expect(live.status).toBe(200);
            if (!broken) {
              expect(ready.status, await pod.logs()).toBe(200);
              const route = await get(`http://127.0.0.1:${pod.port("http")}/`);
              expect(route.headers["x-hello"]).toBe("from-the-pod");
            } else {
              expect(ready.status).toBe(503);
              expect(ready.body).toMatch(/plugin broken failed to load from/);
            }
          }
        }, 600_000);
      },
    );
  },
);
