// What the embedded-engine container is given: the project rewritten for /app (plugins as prebuilt .wasm, upstreams
// reached for real), the plugin bytes, the command and the ports.
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/errors.js";
import {
  containerPorts,
  containerProjectYaml,
} from "../../src/embedded-engine/container-project.js";
import { embeddedLaunch } from "../../src/embedded-engine/launch.js";
import { loadProject } from "../../src/app/load-project.js";
import { parseProjectText } from "../../src/project/parse.js";
import { configText } from "../../src/render/plugin-config.js";
import { projectFrom } from "../helpers/project.js";

const EXAMPLE = new URL("../../examples/add-header/orwasm.yaml", import.meta.url).pathname;

function reparse(yaml: string) {
  const parsed = parseProjectText(yaml, "orwasm.yaml");
  expect(parsed.problems).toEqual([]);
  return parsed.data!;
}

describe("embeddedLaunch for examples/add-header (a plugin declared with build:)", async () => {
  const { project } = await loadProject(EXAMPLE);
  const launch = await embeddedLaunch(project);
  const yaml = launch.files.find((f) => f.path === "/app/orwasm.yaml")!.content as string;

  it("copies a project file whose plugin is the prebuilt /app/plugins/add_header.wasm, with its config kept", () => {
    expect(yaml).not.toMatch(/build:|assembly\/index\.ts/);
    const data = reparse(yaml);
    expect(data.plugins).toEqual([
      {
        name: "add_header",
        file: "/app/plugins/add_header.wasm",
        config: "world",
        failure: { policy: "closed", status: 503 },
        priority: 0,
      },
    ]);
  });

  it("copies the built .wasm byte for byte to the path the project names", async () => {
    const wasm = launch.files.find((f) => f.path === "/app/plugins/add_header.wasm");
    expect(wasm).toBeDefined();
    const built = await readFile(
      new URL("../../examples/add-header/build/add_header.wasm", import.meta.url),
    );
    expect(Buffer.from(wasm!.content)).toEqual(built);
    expect(launch.files.map((f) => f.path).sort()).toEqual([
      "/app/orwasm.yaml",
      "/app/plugins/add_header.wasm",
    ]);
  });

  it("drops mock: echo so the engine proxies to backend:8080 over the network, as nginx does", () => {
    const data = reparse(yaml);
    expect(data.upstreams).toEqual([
      { name: "backend", servers: ["backend:8080"], protocol: "http", clusters: [] },
    ]);
  });

  it("keeps routes, servers and the error-log level, and leaves out smoke checks and plugin tests", () => {
    const data = reparse(yaml);
    expect(data.servers).toEqual([
      {
        listen: 8080,
        serverName: ["_"],
        routes: [{ path: "/", match: "prefix", upstream: "backend", plugins: ["add_header"] }],
      },
    ]);
    expect(data.gateway.errorLogLevel).toBe("info");
    expect(project.data.smoke.length).toBeGreaterThan(0);
    expect(data.smoke).toEqual([]);
    expect(data.tests).toEqual([]);
  });

  it("runs node on the bundled entry with the copied project, and publishes port 8080", () => {
    expect(launch.cmd).toEqual([
      "node",
      "--no-warnings",
      "/opt/orwasm/serve.mjs",
      "/app/orwasm.yaml",
    ]);
    expect(launch.ports).toEqual([8080]);
  });
});

describe("the container project file", () => {
  it("passes every kind of plugin config through unchanged (text that looks like YAML, objects, per-route overrides)", () => {
    const project = projectFrom(
      `plugins:
  - { name: text, file: a.wasm, config: "key: value # not a comment", failure: open }
  - { name: json, build: { lang: assemblyscript, dir: src }, config: { deny: ["/admin", "/x"], n: 1 }, priority: 5 }
servers:
  - listen: "127.0.0.1:9000"
    routes:
      - { path: /, respond: { status: 204 }, plugins: [text, { name: json, config: "{\\"deny\\": []}" }] }
`,
      {},
    );
    const data = reparse(containerProjectYaml(project));
    expect(data.plugins.map((p) => [p.name, p.file, p.build, configText(p.config)])).toEqual([
      ["text", "/app/plugins/text.wasm", undefined, "key: value # not a comment"],
      ["json", "/app/plugins/json.wasm", undefined, '{"deny":["/admin","/x"],"n":1}'],
    ]);
    expect(data.plugins.map((p) => [p.failure, p.priority])).toEqual([
      [{ policy: "open", status: 503 }, 0],
      [{ policy: "closed", status: 503 }, 5],
    ]);
    expect(data.servers[0]!.routes[0]!.plugins).toEqual([
      "text",
      { name: "json", config: '{"deny": []}' },
    ]);
  });

  it("lists each server's TCP port, taking the port of host:port listens", () => {
    const project = projectFrom(
      `servers:
  - { listen: 8080, routes: [{ path: /, respond: {} }] }
  - { listen: "127.0.0.1:9090", routes: [{ path: /, respond: {} }] }
  - { listen: "[::1]:9091", routes: [{ path: /, respond: {} }] }
`,
      {},
    );
    expect(containerPorts(project)).toEqual([8080, 9090, 9091]);
  });

  it("refuses a unix-socket listen, naming the server", () => {
    const project = projectFrom(
      `servers:
  - { listen: 8080, routes: [{ path: /, respond: {} }] }
  - { listen: "unix:/run/gw.sock", routes: [{ path: /, respond: {} }] }
`,
      {},
    );
    let err: unknown;
    try {
      containerPorts(project);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems).toEqual([
      expect.objectContaining({
        path: "servers.1.listen",
        message: expect.stringContaining("TCP ports only (got unix:/run/gw.sock)") as string,
      }),
    ]);
  });
});
