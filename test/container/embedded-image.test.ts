// The orwasm/embedded image on the local daemon: built from debian:bookworm-slim with Debian's Node 18, it serves
// examples/add-header next to the echo upstream, and logs a plugin that cannot instantiate the way nginx's glue does.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Docker from "dockerode";
import {
  GenericContainer,
  Network,
  Wait,
  type StartedNetwork,
  type StartedTestContainer,
} from "testcontainers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { imageLabels } from "../../src/docker/images.js";
import { ensureEmbeddedImage } from "../../src/embedded-engine/image.js";
import { embeddedLaunch } from "../../src/embedded-engine/launch.js";
import { loadProject } from "../../src/app/load-project.js";
import { ensureEchoImage } from "../../src/upstream/echo-image.js";
import { dockerAvailable, testDocker } from "../helpers/docker.js";
import { requireOrSkip } from "../helpers/skip.js";
import { wat } from "../helpers/wat.js";

const avail = await dockerAvailable();
const skip = requireOrSkip("docker", avail.ok, avail.ok ? "" : avail.reason);
const docker = (await testDocker()).images;
const progress = (l: string) => void process.stderr.write(`${l}\n`);

/** Starts the embedded image serving the project file `file` (loaded and built on this machine). */
async function startEngine(
  image: string,
  file: string,
  network: StartedNetwork,
  lines: string[],
): Promise<StartedTestContainer> {
  const { project } = await loadProject(file);
  const launch = await embeddedLaunch(project);
  return new GenericContainer(image)
    .withNetwork(network)
    .withCommand(launch.cmd)
    .withCopyContentToContainer(
      launch.files.map((f) => ({ content: Buffer.from(f.content), target: f.path })),
    )
    .withExposedPorts(...launch.ports)
    .withLogConsumer((s) =>
      s.on("data", (d: Buffer | string) => lines.push(...String(d).split("\n").filter(Boolean))),
    )
    .withWaitStrategy(Wait.forLogMessage(/orwasm embedded engine ready/))
    .withStartupTimeout(60_000)
    .start();
}

describe.skipIf(skip)(`orwasm/embedded image${skip ? ` (skipped: ${skip})` : ""}`, () => {
  let ref: string;
  let network: StartedNetwork;
  let echo: StartedTestContainer;

  beforeAll(async () => {
    ({ ref } = await ensureEmbeddedImage(docker, progress));
    const echoImage = await ensureEchoImage(docker);
    network = await new Network().start();
    echo = await new GenericContainer(echoImage.ref)
      .withNetwork(network)
      .withNetworkAliases("backend")
      .withWaitStrategy(Wait.forLogMessage(/echo upstream listening/))
      .start();
  }, 600_000);
  afterAll(async () => {
    await echo?.stop();
    await network?.stop();
  });

  it("is tagged orwasm/embedded:<content hash>, labelled as the embedded engine, and not rebuilt when present", async () => {
    expect(ref).toMatch(/^orwasm\/embedded:[0-9a-f]{12}$/);
    expect(await imageLabels(docker, ref)).toMatchObject({ "org.orwasm.role": "embedded-engine" });
    expect(await ensureEmbeddedImage(docker)).toEqual({ ref, built: false });
  });

  describe("serving examples/add-header with the echo container as backend:8080", () => {
    const lines: string[] = [];
    let engine: StartedTestContainer;
    let base: string;
    beforeAll(async () => {
      const file = new URL("../../examples/add-header/orwasm.yaml", import.meta.url).pathname;
      engine = await startEngine(ref, file, network, lines);
      base = `http://${engine.getHost()}:${engine.getMappedPort(8080)}`;
    }, 300_000);
    afterAll(() => engine?.stop());

    it("answers with x-hello: world added by the plugin, and the body the echo container sent", async () => {
      const res = await fetch(`${base}/greet?x=1`);
      expect(res.status).toBe(200);
      expect(res.headers.get("x-hello")).toBe("world");
      // the echo container answered (the container project drops `mock: echo`, so backend:8080 is reached over the
      // network) and saw the Host the rendered location sends: `proxy_set_header Host $host`, the client's host sans port
      const body = (await res.json()) as { path: string; headers: Record<string, string> };
      expect(body.path).toBe("/greet");
      expect(body.headers.host).toBe(new URL(base).hostname);
    });

    it("runs on the image's own Node 18 and logs the plugin's info lines with nginx's prefix", async () => {
      await fetch(`${base}/again`);
      expect(lines).toContainEqual(
        expect.stringMatching(
          /^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d \[info\] 1#1: .*added response header x-hello: world/,
        ),
      );
      const version = await engine.exec(["node", "--version"]);
      expect(version.output.trim()).toMatch(/^v18\./);
    });

    it("stops on SIGTERM (fast shutdown, at most a second) with status 0, logging the signal like nginx", async () => {
      const id = engine.getId();
      await engine.stop({ remove: false, timeout: 10_000 });
      const state = (await new Docker().getContainer(id).inspect()).State;
      await new Docker().getContainer(id).remove();
      expect(state.ExitCode).toBe(0);
      expect(lines).toContainEqual(
        expect.stringMatching(/\[notice\] 1#1: signal 15 \(SIGTERM\) received, exiting$/),
      );
    });
  });

  describe("a plugin that cannot instantiate next to one that uses WASI", () => {
    const lines: string[] = [];
    let engine: StartedTestContainer;
    let base: string;
    beforeAll(async () => {
      const dir = mkdtempSync(join(tmpdir(), "orwasm-embedded-image-"));
      const common = `(memory (export "memory") 1)
  (func (export "proxy_abi_version_0_2_1"))
  (func (export "malloc") (param i32) (result i32) i32.const 1024)
  (func (export "proxy_on_context_create") (param i32 i32))
  (func (export "proxy_on_configure") (param i32 i32) (result i32) i32.const 1)`;
      // passes orwasm's import audit, then traps while instantiating
      writeFileSync(
        join(dir, "bad.wasm"),
        wat(`(module ${common}
  (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32) i32.const 0)
  (func (export "_start") unreachable))`),
      );
      // calls WASI random_get on every request and traps unless it returned success
      writeFileSync(
        join(dir, "wasi.wasm"),
        wat(`(module
  (import "wasi_snapshot_preview1" "random_get" (func $random (param i32 i32) (result i32)))
  ${common}
  (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32)
    (if (call $random (i32.const 2048) (i32.const 16)) (then unreachable))
    i32.const 0))`),
      );
      writeFileSync(
        join(dir, "orwasm.yaml"),
        `plugins:
  - { name: bad, file: bad.wasm }
  - { name: wasi, file: wasi.wasm }
servers:
  - listen: 8081
    routes:
      - { path: /bad, respond: { body: "not reached" }, plugins: [bad] }
      - { path: /wasi, respond: { body: "random ok" }, plugins: [wasi] }
`,
      );
      engine = await startEngine(ref, join(dir, "orwasm.yaml"), network, lines);
      base = `http://${engine.getHost()}:${engine.getMappedPort(8081)}`;
    }, 300_000);
    afterAll(() => engine?.stop());

    it("writes the glue's 'orwasm: plugin bad failed to load from /app/plugins/bad.wasm' line at [error] to its log", () => {
      expect(lines).toContainEqual(
        expect.stringMatching(
          /\[error\] 1#1: orwasm: plugin bad failed to load from \/app\/plugins\/bad\.wasm: .*unreachable/,
        ),
      );
    });

    it("keeps serving: the failed plugin's route answers 503 (fail-closed), the WASI plugin's route answers", async () => {
      expect((await fetch(`${base}/bad`)).status).toBe(503);
      const ok = await fetch(`${base}/wasi`);
      expect({ status: ok.status, body: await ok.text() }).toEqual({
        status: 200,
        body: "random ok",
      });
    });
  });
});
