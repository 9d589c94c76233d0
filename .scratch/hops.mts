import { mkdtempSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { startDevServer } from "../src/gateway/dev-server.js";
let posts = 0;
const orig = Worker.prototype.postMessage;
Worker.prototype.postMessage = function (this: Worker, ...a: Parameters<typeof orig>) { posts++; return orig.apply(this, a); };
const dir = mkdtempSync(join(tmpdir(), "hops-"));
writeFileSync(join(dir, "add_header.wasm"), readFileSync("/tmp/ah/p/add_header.wasm"));
writeFileSync(join(dir, "orwasm.yaml"), `plugins:
  - { name: add_header, file: add_header.wasm, config: world }
upstreams:
  - { name: backend, servers: ["backend:8080"], mock: echo }
servers:
  - routes:
      - { path: /with, upstream: backend, plugins: [add_header] }
      - { path: /without, upstream: backend }
`);
const dev = await startDevServer(join(dir, "orwasm.yaml"), { port: 0, watch: false, log: () => {} });
for (const p of ["/with", "/without"]) {
  await fetch(dev.urls[0] + p).then(r => r.text());
  const before = posts;
  const N = 200;
  const t0 = performance.now();
  for (let i = 0; i < N; i++) await fetch(dev.urls[0] + p).then(r => r.text());
  const us = (performance.now() - t0) * 1000 / N;
  console.log(p, "posts/request", (posts - before) / N, "sequential us/request", us.toFixed(0));
}
await dev.close();
