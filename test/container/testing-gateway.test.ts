// orwasm/testing's OrwasmGateway in a user's test: `await using` starts the gateway and its echo upstream (on the
// embedded engine, and on a real engine image when ORWASM_ENGINE_IMAGE names one), requests go through the plugin,
// and everything is removed when the block ends.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import Docker from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { probeImage } from "../../src/engine/probe-run.js";
import { connectDocker } from "../../src/docker/client-dockerode.js";
import { RUN_LABEL } from "../../src/smoke/session.js";
import { GatewayStartFailure, OrwasmGateway } from "../../src/testing/index.js";
import { dockerAvailable } from "../helpers/docker.js";
import { requireOrSkip } from "../helpers/skip.js";

const ENGINE = process.env.ORWASM_ENGINE_IMAGE;
const avail = await dockerAvailable();
const noDocker = avail.ok ? undefined : requireOrSkip("docker", false, avail.reason);
const skip =
  noDocker ??
  requireOrSkip(
    "engine-image",
    !!ENGINE,
    "ORWASM_ENGINE_IMAGE is not set (name a local engine image with nginx, lua-nginx-module and wasm-nginx-module)",
  );

const ADD_HEADER = resolve(import.meta.dirname, "../../examples/add-header");

describe.skipIf(skip)(`OrwasmGateway on ${ENGINE}${skip ? ` (skipped: ${skip})` : ""}`, () => {
  let dir: string;
  const docker = new Docker();
  const leftovers = async (runId: string) => {
    const filters = JSON.stringify({ label: [`${RUN_LABEL}=${runId}`] });
    return [
      ...(await docker.listContainers({ all: true, filters })).map((c) => c.Names[0]),
      ...(await docker.listNetworks({ filters })).map((n) => n.Name),
    ];
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "orwasm-testing-"));
    const vm = (await probeImage((await connectDocker()).images, ENGINE!)).vms[0] ?? "wasmtime";
    await mkdir(join(dir, "gw"));
    await writeFile(
      join(dir, "gw", "orwasm.yaml"),
      `name: hello
engine: { vm: ${vm} }
gateway: { errorLogLevel: info }
plugins:
  - name: add_header
    build: { lang: assemblyscript, dir: ${ADD_HEADER} }
    config: world
upstreams:
  - { name: backend, servers: ["backend:8080"], mock: echo }
servers:
  - listen: 8080
    routes: [{ path: /, upstream: backend, plugins: [add_header] }]
smoke:
  - { name: x-hello is added, expect: { headers: { x-hello: world } } }
`,
    );
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("inside `await using` the gateway adds x-hello and proxies to the echo upstream; after the block its containers and network are gone", async () => {
    let runId: string;
    let url: string;
    {
      await using gw = await OrwasmGateway.start({ project: "gw", cwd: dir, engineImage: ENGINE });
      runId = gw.runId;
      url = gw.url("/hello?name=test");
      const res = await fetch(url, { headers: { "x-from-test": "1" } });
      expect(res.status).toBe(200);
      expect(res.headers.get("x-hello")).toBe("world");
      const echoed = (await res.json()) as {
        path: string;
        query: unknown;
        headers: Record<string, string>;
      };
      expect(echoed.path).toBe("/hello");
      expect(echoed.query).toEqual({ name: "test" });
      expect(echoed.headers["x-from-test"]).toBe("1");
      expect(await gw.logs()).toContain("add_header: added response header x-hello: world");
      const checks = await gw.runSmokeChecks();
      expect(checks.map((c) => [c.name, c.passed])).toEqual([["x-hello is added", true]]);
      expect(await leftovers(runId)).toHaveLength(3); // gateway, echo, network
    }
    expect(await leftovers(runId)).toEqual([]);
    await expect(fetch(url)).rejects.toThrow();
  });

  it("url() names a server by index and refuses one the project does not have", async () => {
    await using gw = await OrwasmGateway.start({
      project: join(dir, "gw", "orwasm.yaml"),
      engineImage: ENGINE,
    });
    expect(gw.url("/a/b", 0)).toMatch(/^http:\/\/[^/]+:\d+\/a\/b$/);
    expect(() => gw.url("/", 1)).toThrow("there is no servers.1 (the project has 1)");
  });

  it("a gateway that cannot start rejects with GatewayStartFailure carrying nginx's [emerg] line", async () => {
    const vm = (await probeImage((await connectDocker()).images, ENGINE!)).vms[0] ?? "wasmtime";
    await mkdir(join(dir, "broken"), { recursive: true });
    await writeFile(
      join(dir, "broken", "orwasm.yaml"),
      `engine: { vm: ${vm} }
upstreams: [{ name: backend, servers: ["nowhere.invalid:80"] }]
servers: [{ listen: 8080, routes: [{ path: /, upstream: backend }] }]
`,
    );
    const started = OrwasmGateway.start({ project: join(dir, "broken"), engineImage: ENGINE });
    await expect(started).rejects.toBeInstanceOf(GatewayStartFailure);
    await expect(started).rejects.toThrow(/host not found in upstream "nowhere\.invalid:80"/);
  });
});

describe.skipIf(noDocker)(
  `OrwasmGateway on the embedded engine${noDocker ? ` (skipped: ${noDocker})` : ""}`,
  () => {
    it("with no engine image given, `await using` serves the project through orwasm's host in a container and cleans up", async () => {
      const dir = await mkdtemp(join(tmpdir(), "orwasm-testing-embedded-"));
      await writeFile(
        join(dir, "orwasm.yaml"),
        `plugins:
  - name: add_header
    build: { lang: assemblyscript, dir: ${ADD_HEADER} }
    config: embedded
upstreams:
  - { name: backend, servers: ["backend:8080"], mock: echo }
servers:
  - listen: 8080
    routes: [{ path: /, upstream: backend, plugins: [add_header] }]
`,
      );
      const docker = new Docker();
      let runId: string;
      {
        await using gw = await OrwasmGateway.start({ project: dir });
        runId = gw.runId;
        const res = await fetch(gw.url("/x"));
        expect(res.status).toBe(200);
        expect(res.headers.get("x-hello")).toBe("embedded");
        expect(((await res.json()) as { path: string }).path).toBe("/x");
      }
      const filters = JSON.stringify({ label: [`${RUN_LABEL}=${runId}`] });
      expect(await docker.listContainers({ all: true, filters })).toEqual([]);
      await rm(dir, { recursive: true, force: true });
    });
  },
);
