// Benchmark: rendering nginx.conf for a generated project of 200 routes x 10 plugins.
import { renderNginxConf } from "../src/render/nginx-conf.js";
import { defaultTarget } from "../src/render/target.js";
import { parseProjectText } from "../src/project/parse.js";
import { checkRules } from "../src/project/rules.js";
import type { Project } from "../src/project/project.js";
import type { BenchResult } from "./result.js";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadProject } from "../src/app/load-project.js";
import { proxyWasm } from "../test/helpers/wat.js";

/** A project text with `routes` routes, each running all `plugins` plugins with its own config for one of them. */
export function generatedProjectYaml(routes: number, plugins: number): string {
  const lines = ["plugins:"];
  for (let p = 0; p < plugins; p++)
    lines.push(
      `  - { name: p${p}, file: p${p}.wasm, priority: ${p * 10}, config: { id: ${p}, mode: "strict" } }`,
    );
  lines.push(
    "upstreams:",
    "  - { name: backend, servers: ['backend:8080'] }",
    "servers:",
    "  - routes:",
  );
  for (let r = 0; r < routes; r++) {
    const list = Array.from({ length: plugins }, (_, p) =>
      p === 0 ? `{ name: p0, config: "route-${r}" }` : `p${p}`,
    );
    lines.push(`      - { path: /r${r}, upstream: backend, plugins: [${list.join(", ")}] }`);
  }
  return `${lines.join("\n")}\n`;
}

function toProject(yaml: string, plugins: number): Project {
  const parsed = parseProjectText(yaml, "bench.yaml");
  if (!parsed.data || checkRules(parsed.data, "bench.yaml", parsed.where).length)
    throw new Error("bench project is invalid");
  const callbacks = ["proxy_on_request_headers", "proxy_on_response_headers"];
  return {
    file: "/bench/orwasm.yaml",
    dir: "/bench",
    data: parsed.data,
    plugins: parsed.data.plugins.slice(0, plugins).map((p) => ({
      data: p,
      wasmPath: `/bench/${p.name}.wasm`,
      sha256: "",
      info: { imports: [], exports: callbacks, abiVersion: "proxy_abi_version_0_2_1", callbacks },
    })),
  };
}

export async function benchConf(): Promise<BenchResult[]> {
  const yaml = generatedProjectYaml(200, 10);
  const time = (fn: () => unknown, runs: number) => {
    fn(); // warm-up: template compile, JIT
    const start = performance.now();
    for (let i = 0; i < runs; i++) fn();
    return (performance.now() - start) / runs;
  };
  const project = toProject(yaml, 10);
  const target = defaultTarget(project);
  const parseMs = time(() => toProject(yaml, 10), 5);
  const renderMs = time(() => renderNginxConf(project, target), 5);
  const conf = renderNginxConf(project, target);

  // The whole `orwasm conf` path: read the file, check it, read and audit 10 .wasm files, render.
  const dir = mkdtempSync(join(tmpdir(), "orwasm-bench-"));
  writeFileSync(join(dir, "orwasm.yaml"), yaml);
  const wasm = proxyWasm(["proxy_on_request_headers", "proxy_on_response_headers"], {
    "env.proxy_log": "(param i32 i32 i32) (result i32)",
  });
  for (let p = 0; p < 10; p++) writeFileSync(join(dir, `p${p}.wasm`), wasm);
  const times: number[] = [];
  for (let i = 0; i < 6; i++) {
    const start = performance.now();
    const loaded = await loadProject(join(dir, "orwasm.yaml"));
    renderNginxConf(loaded.project, defaultTarget(loaded.project));
    if (i > 0) times.push(performance.now() - start);
  }
  const fullMs = times.reduce((a, b) => a + b, 0) / times.length;
  return [
    { name: "conf: parse + rules, 200 routes x 10 plugins", value: parseMs, unit: "ms" },
    { name: "conf: render nginx.conf, 200 routes x 10 plugins", value: renderMs, unit: "ms" },
    { name: "conf: load + audit 10 .wasm + render (the whole command)", value: fullMs, unit: "ms" },
    { name: "conf: whole command vs the 1 s budget", value: fullMs / 1000, unit: "x" },
    { name: "conf: rendered size", value: conf.length / 1024, unit: "KiB" },
  ];
}
