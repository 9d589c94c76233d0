// Benchmark: `orwasm reload` of a plugin version in a running embedded-engine container under a fixed 200 req/s
// autocannon load on loopback: requests sent, failed, the reload's duration and the time to the first new response.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import Docker from "dockerode";
import { connectDocker } from "../src/docker/client-dockerode.js";
import { dockerReloadTarget } from "../src/reload/docker-target.js";
import { buildEmbeddedGatewayImage } from "../src/embedded-engine/gateway-image.js";
import { loadProject } from "../src/app/load-project.js";
import { defaultTarget } from "../src/render/target.js";
import { reloadGateway } from "../src/reload/reload.js";
import { sendHttp } from "../src/smoke/http.js";
import { dockerAvailable } from "../test/helpers/docker.js";
import { loadDuringSwap, msToFirst } from "../test/helpers/reload-load.js";
import type { BenchResult } from "./result.js";

const EXAMPLE = resolve(import.meta.dirname, "../examples/add-header");

export async function benchReload(): Promise<BenchResult[]> {
  const avail = await dockerAvailable();
  if (!avail.ok) {
    process.stdout.write(`reload bench skipped: ${avail.reason}\n`);
    return [];
  }
  const dir = mkdtempSync(join(tmpdir(), "orwasm-bench-reload-"));
  const write = (v: string) =>
    writeFileSync(
      join(dir, "orwasm.yaml"),
      `name: bench_reload
plugins:
  - { name: add_header, build: { lang: assemblyscript, dir: ${JSON.stringify(EXAMPLE)} }, config: ${v} }
servers:
  - listen: 8080
    routes: [{ path: /, respond: { body: "hello\\n" }, plugins: [add_header] }]
`,
    );
  const port = (await connectDocker()).images;
  const docker = new Docker();
  const tag = `orwasm-bench/reload:${process.pid}`;
  const name = `orwasm-bench-reload-${process.pid}`;
  try {
    write("v1");
    const v1 = (await loadProject(join(dir, "orwasm.yaml"))).project;
    await buildEmbeddedGatewayImage(port, v1, tag);
    const c = await docker.createContainer({
      name,
      Image: tag,
      ExposedPorts: { "8080/tcp": {} },
      HostConfig: { PortBindings: { "8080/tcp": [{ HostIp: "127.0.0.1", HostPort: "" }] } },
    });
    await c.start();
    const hostPort = Number((await c.inspect()).NetworkSettings.Ports["8080/tcp"]?.[0]?.HostPort);
    for (let i = 0; ; i++) {
      const ok = await sendHttp({
        host: "127.0.0.1",
        port: hostPort,
        method: "GET",
        path: "/",
        headers: {},
        timeoutMs: 2000,
      }).then(
        () => true,
        () => false,
      );
      if (ok) break;
      if (i > 300) throw new Error("the gateway did not start");
      await new Promise((r) => setTimeout(r, 200));
    }
    write("v2");
    const v2 = (await loadProject(join(dir, "orwasm.yaml"))).project;
    const target = await dockerReloadTarget(name);
    const t = defaultTarget(v2);
    const o = await loadDuringSwap({
      url: `http://127.0.0.1:${hostPort}/`,
      header: "x-hello",
      rate: 200,
      seconds: 5,
      connections: 8,
      swapAfterSeconds: 2,
      swap: async () =>
        void (await reloadGateway(
          target,
          v2,
          { target: t, confPath: "", nginxBin: "nginx" },
          { onLine: () => undefined },
        )),
    });
    if (o.swapError)
      throw o.swapError instanceof Error ? o.swapError : new Error("the plugin swap failed");
    return [
      { name: "reload under 200 req/s (embedded): requests sent", value: o.sent, unit: "requests" },
      {
        name: "reload under 200 req/s (embedded): failed, reset or 5xx",
        value: o.failed,
        unit: "requests",
      },
      {
        name: "reload under 200 req/s (embedded): written to a connection the server closed unanswered",
        value: o.closedUnanswered,
        unit: "requests",
      },
      {
        name: "reload under 200 req/s (embedded): reload command duration",
        value: o.swapEndMs - o.swapStartMs,
        unit: "ms",
      },
      {
        name: "reload under 200 req/s (embedded): reload start to first v2 response",
        value: msToFirst(o, "v2") ?? Number.NaN,
        unit: "ms (autocannon paces in 1 s buckets)",
      },
    ];
  } finally {
    await docker
      .getContainer(name)
      .remove({ force: true })
      .catch(() => undefined);
    await port.remove(tag, { force: true }).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}
