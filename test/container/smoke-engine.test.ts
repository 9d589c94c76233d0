// `orwasm smoke` for real: echo containers and a gateway on Docker, driven through the CLI as a user runs it.
// The same cases run on the embedded engine (orwasm's host in a container, always) and on a real engine image
// (nginx + lua + wasm-nginx-module) when ORWASM_ENGINE_IMAGE names one.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import Docker from "dockerode";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { probeImage } from "../../src/engine/probe-run.js";
import { connectDocker } from "../../src/docker/client-dockerode.js";
import { RUN_LABEL } from "../../src/smoke/session.js";
import { runCli } from "../helpers/cli.js";
import { dockerAvailable } from "../helpers/docker.js";
import { requireOrSkip } from "../helpers/skip.js";
import { trapsAtStart } from "../helpers/wat.js";

const ENGINE = process.env.ORWASM_ENGINE_IMAGE;
const avail = await dockerAvailable();
const noDocker = avail.ok ? undefined : requireOrSkip("docker", false, avail.reason);
const GATEWAYS = [
  { kind: "embedded", args: [] as string[], skip: noDocker },
  {
    kind: "engine-image",
    args: ["--engine-image", ENGINE ?? ""],
    skip:
      noDocker ??
      requireOrSkip(
        "engine-image",
        !!ENGINE,
        "ORWASM_ENGINE_IMAGE is not set (name a local engine image with nginx, lua-nginx-module and wasm-nginx-module)",
      ),
  },
];

const EXAMPLES = resolve(import.meta.dirname, "../../examples");

for (const gw of GATEWAYS) {
  const { skip, kind } = gw;
  const shown = kind === "embedded" ? "the embedded engine" : ENGINE;
  describe.skipIf(skip)(`orwasm smoke on ${shown}${skip ? ` (skipped: ${skip})` : ""}`, () => {
    let dir: string;
    let vm: string;
    const docker = new Docker();

    /** Writes a project folder; `body` follows the engine/gateway lines. */
    const project = async (name: string, body: string) => {
      const d = join(dir, name);
      await rm(d, { recursive: true, force: true });
      await import("node:fs/promises").then((fs) => fs.mkdir(d));
      await writeFile(
        join(d, "orwasm.yaml"),
        `name: ${name}\nengine: { vm: ${vm} }\ngateway: { errorLogLevel: info }\n${body}`,
      );
      return d;
    };
    const smoke = (d: string, ...args: string[]) => runCli(["smoke", d, ...gw.args, ...args], dir);
    /** The run's id from its progress lines, and whether any container or network of it is left. */
    const leftovers = async (stderr: string) => {
      const runId = /orwasm-smoke-([0-9a-f]{8})-gateway/.exec(stderr)?.[1];
      expect(runId).toBeDefined();
      const filters = JSON.stringify({ label: [`${RUN_LABEL}=${runId}`] });
      const cs = await docker.listContainers({ all: true, filters });
      const ns = await docker.listNetworks({ filters });
      return [...cs.map((c) => c.Names[0]), ...ns.map((n) => n.Name)];
    };

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), "orwasm-smoke-"));
      // The project's vm must be the image's: ask the image, as `orwasm smoke` itself does.
      if (kind === "embedded") vm = "wasmtime";
      else vm = (await probeImage((await connectDocker()).images, ENGINE!)).vms[0] ?? "wasmtime";
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it("a deny-list gateway passes every check: denied prefixes get the plugin's 403, others reach the echo upstream; exit 0 and nothing left behind", async () => {
      const d = await project(
        "deny-list",
        `
plugins:
  - name: deny_list
    build: { lang: assemblyscript, dir: ${join(EXAMPLES, "deny-list")} }
    config: { deny: ["/admin"], status: 403, body: denied }
upstreams:
  - { name: backend, servers: ["backend:8080"], mock: echo }
servers:
  - listen: 8080
    routes:
      - { path: /health, match: exact, respond: { status: 200, body: ok } }
      - { path: /, upstream: backend, plugins: [deny_list] }
smoke:
  - name: an allowed path reaches the echo upstream with its query and headers
    request: { path: "/public/page?q=1", headers: { x-client: smoke } }
    expect:
      status: 200
      headers: { content-type: application/json }
      body: { json: { method: GET, path: /public/page, query: { q: "1" }, headers: { x-client: smoke } } }
  - name: a denied prefix is answered by the plugin
    request: { path: /admin/users }
    expect: { status: 403, body: denied }
  - name: the fixed response route answers without the plugin
    request: { path: /health }
    expect: { status: 200, body: ok, headers: { x-hello: { absent: true } } }
`,
      );
      const r = await smoke(d);
      expect(r.stderr).not.toMatch(/orwasm: /);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(
        /^PASS an allowed path reaches the echo upstream with its query and headers \(\d+ ms\)$/m,
      );
      expect(r.stdout).toMatch(/^PASS a denied prefix is answered by the plugin \(\d+ ms\)$/m);
      expect(r.stdout).toMatch(
        /^PASS the fixed response route answers without the plugin \(\d+ ms\)$/m,
      );
      expect(r.stdout).toMatch(
        new RegExp(
          `^3 passed, 0 failed \\(${kind} .*; gateway answered \\d+ ms after start\\)$`,
          "m",
        ),
      );
      expect(r.stderr).toMatch(
        /echo upstream orwasm-smoke-[0-9a-f]+-echo-1 answers as backend on 8080/,
      );
      expect(await leftovers(r.stderr)).toEqual([]);
    });

    it("a failing check exits 1 and names the check and what differed; the JUnit report carries the same and the log", async () => {
      const d = await project(
        "add-header",
        `
plugins:
  - name: add_header
    build: { lang: assemblyscript, dir: ${join(EXAMPLES, "add-header")} }
    config: world
upstreams:
  - { name: backend, servers: ["backend:8080"], mock: echo }
servers:
  - listen: 8080
    routes: [{ path: /, upstream: backend, plugins: [add_header] }]
smoke:
  - name: the plugin adds x-hello from its config
    expect: { status: 200, headers: { x-hello: world } }
  - name: this check expects another planet
    expect: { headers: { x-hello: mars } }
`,
      );
      const text = await smoke(d);
      expect(text.code).toBe(1);
      expect(text.stdout).toMatch(/^PASS the plugin adds x-hello from its config/m);
      expect(text.stdout).toContain("FAIL this check expects another planet");
      expect(text.stdout).toContain('    header x-hello: expected "mars", got "world"\n');
      expect(text.stdout).toMatch(/^1 passed, 1 failed/m);
      // the log tail shows the plugin at work
      expect(text.stdout).toContain("add_header: added response header x-hello: world");
      expect(await leftovers(text.stderr)).toEqual([]);

      const out = join(dir, "report.xml");
      const junit = await smoke(d, "--report", "junit", "-o", out);
      expect(junit.code).toBe(1);
      expect(junit.stdout).toBe("");
      const xml = await readFile(out, "utf8");
      expect(XMLValidator.validate(xml)).toBe(true);
      const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "@" }).parse(
        xml,
      ) as {
        testsuites: { testsuite: { "@failures": string; testcase: Record<string, unknown>[] } };
      };
      const suite = doc.testsuites.testsuite;
      expect(suite["@failures"]).toBe("1");
      const failed = suite.testcase.find(
        (c) => c["@name"] === "this check expects another planet",
      )!;
      expect((failed.failure as Record<string, string>)["@message"]).toBe(
        'header x-hello: expected "mars", got "world"',
      );
      expect(String(failed["system-out"])).toContain("add_header: added response header");
    });

    it("a plugin that traps while the VM instantiates it is a start failure (exit 4) showing the glue's and the VM's lines (on wasmtime: the workers' crash loop and the VM's panic), not a timeout", async () => {
      const d = await project(
        "trapping",
        `
plugins:
  - { name: bad, file: bad.wasm }
upstreams:
  - { name: backend, servers: ["backend:8080"], mock: echo }
servers:
  - listen: 8080
    routes: [{ path: /, upstream: backend, plugins: [bad] }]
smoke:
  - { name: passes through, expect: { status: 200 } }
`,
      );
      await writeFile(join(d, "bad.wasm"), trapsAtStart(["proxy_on_request_headers"]));
      const r = await smoke(d, "--start-timeout", "120");
      expect(r.code).toBe(4);
      expect(r.stdout).toContain(`ERROR the gateway (${kind}`);
      if (kind !== "embedded" && vm === "wasmtime") {
        // WASMTIME-5: wasmtime 0.38.1 panics on a start-function trap; every worker nginx respawns dies the same way
        expect(r.stdout).toContain("nginx workers keep dying as they start");
        expect(r.stdout).toContain("the VM panicked: object used with the wrong store");
        expect(r.stdout).toMatch(/^ {4}\| .*\[alert\].*worker process \d+ exited on signal 6/m);
      } else {
        expect(r.stdout).toContain(
          "the gateway answers, but plugin bad could not be loaded or configured",
        );
        expect(r.stdout).toMatch(/^ {4}\| .*orwasm: plugin bad failed to load from \/.*bad\.wasm/m);
        expect(r.stdout).toMatch(/^ {4}\| .*\[error\].*unreachable/m);
      }
      expect(r.stdout).toMatch(/^0 passed, 0 failed, 1 not run/m);
      expect(r.stdout).not.toContain("did not answer");
      expect(r.stderr).toMatch(
        /orwasm: the gateway did not start properly: .*; 1 check not run\n$/,
      );
      expect(await leftovers(r.stderr)).toEqual([]);
    });

    it.skipIf(kind === "embedded")(
      `an nginx that refuses its config (an upstream host that does not resolve) is reported as exited with its [emerg] line (exit 4)${kind === "embedded" ? " (skipped: the embedded engine resolves upstreams per request, so a bad host is a 502, not a start failure)" : ""}`,
      async () => {
        const d = await project(
          "unresolvable",
          `
upstreams:
  - { name: backend, servers: ["nowhere.invalid:8080"] }
servers:
  - listen: 8080
    routes: [{ path: /, upstream: backend }]
smoke:
  - { name: passes through, expect: { status: 200 } }
`,
        );
        const r = await smoke(d, "--report", "json");
        expect(r.code).toBe(4);
        const j = JSON.parse(r.stdout) as {
          ok: boolean;
          startFailure: { message: string; lines: string[] };
          notRun: string[];
        };
        expect(j.ok).toBe(false);
        expect(j.startFailure.message).toMatch(
          /^nginx exited with status 1 before answering: \[emerg\] host not found in upstream "nowhere\.invalid:8080"/,
        );
        expect(j.notRun).toEqual(["passes through"]);
        expect(r.stderr).toContain("upstream backend (nowhere.invalid:8080) has no `mock: echo`");
        expect(await leftovers(r.stderr)).toEqual([]);
      },
    );
  });
}
