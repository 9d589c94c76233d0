// The conformance project: the routes and plugins every case of cases.ts runs through, written as an orwasm.yaml
// (one nginx worker, error log at info), with one group's cases as its smoke checks. Plugins are built here.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { stringify } from "yaml";
import { buildPlugin } from "../../src/plugins/index.js";
import { CONFORMANCE, type ConformanceGroup } from "./cases.js";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** Builds the probe test plugin with orwasm's own builder (its abort shim imports no proc_exit, so WasmEdge loads it). */
async function buildProbe(): Promise<string> {
  const dir = join(repo, "node_modules", ".cache", "orwasm-conformance", "probe");
  mkdirSync(join(dir, "assembly"), { recursive: true });
  writeFileSync(
    join(dir, "assembly", "index.ts"),
    readFileSync(join(repo, "test/fixtures/host-plugins/probe.as"), "utf8"),
  );
  const outFile = join(dir, "build", "probe.wasm");
  await buildPlugin({ lang: "assemblyscript", dir, entry: "assembly/index.ts", outFile });
  return outFile;
}

/** The fixed response with 22 headers: more than one nginx list part (20 entries) of response headers. */
const MANY_HEADERS = Object.fromEntries(
  Array.from({ length: 22 }, (_, i) => [`x-h${i + 1}`, `v${i + 1}`]),
);

/**
 * Writes the project for `group` (default: the first, "main") on `vm` and returns its file. Every group gets
 * the same routes, so a case means the same thing wherever it runs.
 */
export async function conformanceProject(
  vm: "wasmtime" | "wasmedge" = "wasmedge",
  group: ConformanceGroup = CONFORMANCE[0]!,
): Promise<string> {
  const probe = await buildProbe();
  const dir = mkdtempSync(join(tmpdir(), "orwasm-conformance-"));
  const file = join(dir, "orwasm.yaml");
  const asProbe = (name: string, extra: Record<string, unknown> = {}) => ({
    name,
    rootId: "probe",
    file: probe,
    ...extra,
  });
  const project = {
    name: "conformance",
    engine: { vm },
    gateway: { errorLogLevel: "info", workerProcesses: 1, clientBodyBufferSize: "1k" },
    plugins: [
      {
        name: "add_header",
        build: { lang: "assemblyscript", dir: join(repo, "examples/add-header") },
        config: "world",
      },
      {
        name: "deny_list",
        build: { lang: "assemblyscript", dir: join(repo, "examples/deny-list") },
        config: { deny: ["/admin"], status: 403, body: "denied" },
      },
      { name: "probe", file: probe, failure: { policy: "closed", status: 503 } },
      asProbe("probe_open", { failure: "open" }),
      asProbe("first", { config: "actions=x-first", priority: 20 }),
      asProbe("second", { config: "actions=x-second", priority: 10 }),
      asProbe("call_a", { config: "actions=x-a" }),
      asProbe("call_b", { config: "actions=x-b" }),
    ],
    upstreams: [{ name: "backend", servers: ["backend:8080"], mock: "echo" }],
    servers: [
      {
        listen: 8080,
        routes: [
          {
            path: "/ah2",
            upstream: "backend",
            plugins: [{ name: "add_header", config: "override" }],
          },
          { path: "/ah", upstream: "backend", plugins: ["add_header"] },
          { path: "/admin", upstream: "backend", plugins: ["deny_list"] },
          { path: "/deny", upstream: "backend", plugins: ["deny_list"] },
          { path: "/probe", upstream: "backend", plugins: ["probe"] },
          { path: "/open", upstream: "backend", plugins: ["probe_open"] },
          { path: "/order", upstream: "backend", plugins: ["second", "first"] },
          { path: "/calls", upstream: "backend", plugins: ["call_a", "call_b"] },
          { path: "/fixed", respond: { status: 200, body: "fixed\n" }, plugins: ["add_header"] },
          {
            path: "/many",
            respond: { status: 200, body: "many\n", headers: MANY_HEADERS },
            plugins: ["probe"],
          },
          { path: "/cb", match: "exact", respond: { status: 200, body: "pong" } },
        ],
      },
    ],
    smoke: group.cases.map((c) => ({
      name: c.name,
      request: {
        ...(c.request.method ? { method: c.request.method } : {}),
        path: c.request.path,
        headers: c.request.headers ?? {},
        ...(c.request.body !== undefined ? { body: c.request.body } : {}),
      },
      expect: c.expect ?? {},
    })),
  };
  writeFileSync(
    file,
    `# written by test/conformance/project.ts for group "${group.name}"\n${stringify(project)}`,
  );
  return file;
}
