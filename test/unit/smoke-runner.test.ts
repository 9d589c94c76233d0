// The runner against a fake container engine whose "gateway" is a local echo server: how start failures, timeouts,
// checks and clean-up look to the user, without Docker.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DockerClient } from "../../src/docker/client.js";
import type { ContainerSpec } from "../../src/docker/containers.js";
import type { LogLine } from "../../src/docker/logs.js";
import { runSmoke } from "../../src/smoke/runner.js";
import { startEchoServer, type RunningEcho } from "../../src/upstream/echo-server.js";
import { projectFrom } from "../helpers/project.js";

let echo: RunningEcho;
beforeAll(async () => {
  echo = await startEchoServer();
});
afterAll(() => echo.close());

interface FakeOptions {
  /** The gateway container stops at once with this status. */
  exitsWith?: number;
  /** The gateway never answers HTTP. */
  silent?: boolean;
  gatewayLog?: string[];
}

/** Records what the runner asks for; the gateway's published ports all lead to the local echo server. */
function fake(o: FakeOptions = {}) {
  const calls: string[] = [];
  const specs: ContainerSpec[] = [];
  const live = new Set<string>();
  const docker: DockerClient = {
    host: "127.0.0.1",
    images: {
      info: async () => ({
        id: "sha256:echo",
        sizeBytes: 1,
        labels: {},
        cmd: ["node", "/srv/echo/echo-server.mjs"],
      }),
      build: async () => ({ imageId: "x" }),
      remove: async () => {},
      run: async () => ({ exitCode: 0, stdout: "", stderr: "" }),
    },
    networks: {
      create: async (name) => void calls.push(`network ${name}`),
      remove: async (name) => void calls.push(`rm network ${name}`),
    },
    containers: {
      run: async (spec) => {
        specs.push(spec);
        live.add(spec.name);
        calls.push(`run ${spec.name.replace(/^orwasm-smoke-[0-9a-f]+-/, "")}`);
      },
      state: async (name) =>
        name.endsWith("-gateway") && o.exitsWith !== undefined
          ? { running: false, exitCode: o.exitsWith }
          : { running: true },
      hostPort: async () => (o.silent ? 1 : echo.port),
      logs: async (name): Promise<LogLine[]> =>
        (name.endsWith("-gateway")
          ? (o.gatewayLog ?? [])
          : ["echo upstream listening on http://0.0.0.0:8080"]
        ).map((text) => ({ stream: "stderr", text })),
      remove: async (name) => {
        live.delete(name);
        calls.push(`rm ${name.replace(/^orwasm-smoke-[0-9a-f]+-/, "")}`);
      },
    },
    removeLabelled: async () => {},
  };
  return { docker, calls, specs, live };
}

const PROJECT = `
upstreams:
  - { name: backend, servers: ["backend:8080"], mock: echo }
servers:
  - listen: 8080
    serverName: [gw.example.com]
    routes: [{ path: /, upstream: backend }]
smoke:
  - name: the path reaches the upstream with the server's name as Host
    request: { path: /abc?x=1 }
    expect: { status: 200, body: { json: { path: /abc, headers: { host: gw.example.com } } } }
  - name: a wrong expectation fails
    request: { path: /status/404 }
    expect: { status: 200 }
`;
const kind = { kind: "image", image: "gw:test" } as const;

describe("a gateway that answers", () => {
  it("runs each check against its server and reports what differed, then removes every container and the network", async () => {
    const f = fake();
    const { report, keepNotice } = await runSmoke(projectFrom(PROJECT, {}), kind, {
      docker: f.docker,
    });
    expect(report.startFailure).toBeUndefined();
    expect(report.checks.map((c) => [c.name, c.passed])).toEqual([
      ["the path reaches the upstream with the server's name as Host", true],
      ["a wrong expectation fails", false],
    ]);
    expect(report.checks[1]!.differences).toEqual([
      { subject: "status", expected: "200", got: "404" },
    ]);
    expect(keepNotice).toBeUndefined();
    expect(f.live.size).toBe(0);
    expect(f.calls.map((c) => c.replace(/orwasm-smoke-[0-9a-f]+/, "NET"))).toEqual([
      "network NET",
      "run echo-1",
      "run gateway",
      "rm gateway",
      "rm echo-1",
      "rm network NET",
    ]);
  });

  it("the echo container carries the upstream's host name as alias and its port; the gateway publishes the listen port", async () => {
    const f = fake();
    await runSmoke(projectFrom(PROJECT, {}), kind, { docker: f.docker });
    const [echoSpec, gateway] = f.specs;
    expect(echoSpec).toMatchObject({ aliases: ["backend"], env: { PORT: "8080" } });
    expect(gateway).toMatchObject({ image: "gw:test", publish: [8080], files: [] });
    expect(gateway!.network).toBe(echoSpec!.network);
  });

  it("with keep, nothing is removed and the notice says how to reach and remove the containers", async () => {
    const f = fake();
    const { keepNotice } = await runSmoke(projectFrom(PROJECT, {}), kind, {
      docker: f.docker,
      keep: true,
    });
    expect(f.live.size).toBe(2);
    expect(keepNotice).toContain(`http://127.0.0.1:${echo.port}  (servers.0, listens on 8080)`);
    expect(keepNotice).toMatch(/docker logs -f orwasm-smoke-[0-9a-f]+-gateway/);
    expect(keepNotice).toMatch(
      /remove them: docker rm -f (orwasm-smoke-[0-9a-f]+)-gateway \1-echo-1 && docker network rm \1\n/,
    );
  });
});

describe("a gateway that does not start", () => {
  it("an nginx that exits is reported as exited with its [emerg] line, not as a timeout, and the checks as not run", async () => {
    const f = fake({
      exitsWith: 1,
      gatewayLog: ['2026/11/22 16:34:22 [emerg] 1#1: host not found in upstream "backend:8080"'],
    });
    const { report } = await runSmoke(projectFrom(PROJECT, {}), kind, {
      docker: f.docker,
      startTimeoutMs: 60_000,
    });
    expect(report.startFailure?.message).toBe(
      'the gateway container exited with status 1 before answering: [emerg] host not found in upstream "backend:8080"',
    );
    expect(report.notRun).toHaveLength(2);
    expect(report.checks).toEqual([]);
    expect(f.live.size).toBe(0);
  });

  it("a gateway whose plugin failed to load is a start failure even though it answers", async () => {
    const f = fake({
      gatewayLog: [
        "2026/11/22 16:34:22 [error] 7#7: orwasm: plugin p failed to load from /w/p.wasm: failed to load wasm plugin",
      ],
    });
    const { report } = await runSmoke(projectFrom(PROJECT, {}), kind, { docker: f.docker });
    expect(report.startFailure?.message).toContain("plugin p could not be loaded");
    expect(report.startFailure?.lines).toEqual([
      "2026/11/22 16:34:22 [error] 7#7: orwasm: plugin p failed to load from /w/p.wasm: failed to load wasm plugin",
    ]);
    expect(f.live.size).toBe(0);
  });

  it("a gateway that runs but never answers is reported as not answering on its port within the timeout", async () => {
    const f = fake({ silent: true });
    const { report } = await runSmoke(projectFrom(PROJECT, {}), kind, {
      docker: f.docker,
      startTimeoutMs: 300,
    });
    expect(report.startFailure?.message).toBe(
      "the gateway runs but did not answer HTTP on container port 8080 within 0.3 s",
    );
  });

  it("with keep, the failed containers stay and the notice comes with the report", async () => {
    const f = fake({ exitsWith: 1 });
    const { report, keepNotice } = await runSmoke(projectFrom(PROJECT, {}), kind, {
      docker: f.docker,
      keep: true,
    });
    expect(report.startFailure).toBeDefined();
    expect(f.live.size).toBe(2);
    expect(keepNotice).toContain("docker network rm");
  });
});
