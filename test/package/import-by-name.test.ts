// The package as a user gets it: `npm pack`, installed into a fresh folder, imported by name from plain Node.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { proxyWasm } from "../helpers/wat.js";

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, "../..");
const dir = mkdtempSync(join(tmpdir(), "orwasm-consumer-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The consumer's script: what a user writes after `npm install orwasm`. */
const CONSUMER = `
import { readFile } from "node:fs/promises";
import * as orwasm from "orwasm";
import { OrwasmGateway } from "orwasm/testing";
const { project, warnings } = await orwasm.loadProject("orwasm.yaml");
const conf = orwasm.renderNginxConf(project, orwasm.defaultTarget(project));
const info = orwasm.readWasmInfo(await readFile("plugin.wasm"));
const audit = orwasm.auditModule(await readFile("plugin.wasm"), "wasmtime");
const plugin = await orwasm.HostPlugin.load({ name: "noop", wasm: await readFile("plugin.wasm") });
const ctx = await plugin.configure("hello");
const out = await orwasm.runRequest([{ context: ctx }], { path: "/" }, {
  upstream: () => ({ status: 200, body: "from upstream" }),
});
await plugin.close();
let bad;
try { await orwasm.loadProject("missing.yaml"); } catch (err) { bad = { isConfig: err instanceof orwasm.ConfigError, text: err.message }; }
console.log(JSON.stringify({
  hasWasmVm: /\\bwasm_vm wasmtime;/.test(conf),
  loadsPlugin: conf.includes('"noop"'),
  abi: info.abiVersion,
  auditHost: audit.hostName,
  auditErrors: audit.findings.filter((f) => f.severity === "error").length,
  warnings: warnings.length,
  status: out.response.status,
  body: Buffer.from(out.response.body).toString(),
  bad,
  testing: typeof OrwasmGateway,
}));
`;

beforeAll(async () => {
  // prepare (tsc + the embedded bundle) runs as part of npm pack, as it does for a publish.
  const { stdout } = await run("npm", ["pack", "--json", "--pack-destination", dir], {
    cwd: ROOT,
    maxBuffer: 64 << 20,
  });
  const [{ filename }] = JSON.parse(stdout.slice(stdout.indexOf("["))) as [{ filename: string }];
  writeFileSync(
    join(dir, "package.json"),
    JSON.stringify({ name: "consumer", type: "module", private: true }),
  );
  await run(
    "npm",
    ["install", "--no-audit", "--no-fund", "--prefer-offline", join(dir, filename)],
    { cwd: dir, maxBuffer: 64 << 20 },
  );
  writeFileSync(join(dir, "plugin.wasm"), proxyWasm(["proxy_on_response_headers"]));
  writeFileSync(
    join(dir, "orwasm.yaml"),
    "plugins:\n  - { name: noop, file: plugin.wasm }\nservers:\n  - routes: [{ path: /, respond: { body: ok }, plugins: [noop] }]\n",
  );
  writeFileSync(join(dir, "consumer.mjs"), CONSUMER);
}, 600_000);

describe("import 'orwasm' from a packed tarball installed in a fresh folder", () => {
  it("loads a project, renders its nginx.conf, audits and runs its plugin, and throws orwasm's error classes", async () => {
    const { stdout } = await run("node", ["consumer.mjs"], { cwd: dir });
    const r = JSON.parse(stdout) as Record<string, unknown>;
    expect(r).toMatchObject({
      hasWasmVm: true,
      loadsPlugin: true,
      abi: "proxy_abi_version_0_2_1",
      status: 200,
      body: "from upstream",
      testing: "function",
      auditHost: "wasm-nginx-module 0.7.0 + wasmtime",
      auditErrors: 0,
      bad: { isConfig: true },
    });
    expect((r.bad as { text: string }).text).toContain("missing.yaml");
  });
});
