// `npm run build`, after tsc: writes the embedded engine bundle (serve.mjs, worker-entry.js, package.json) to
// dist/embedded-engine/, where dist/embedded-engine/image.js finds it to build the orwasm/embedded image.
import { Buffer } from "node:buffer";
import { mkdir, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath, URL } from "node:url";
import { buildEmbeddedBundle } from "../dist/embedded-engine/bundle.js";

const dir = fileURLToPath(new URL("../dist/embedded-engine/", import.meta.url));
const t0 = performance.now();
const bundle = await buildEmbeddedBundle();
await mkdir(dir, { recursive: true });
for (const [name, text] of Object.entries(bundle)) {
  const tmp = join(dir, `.${name}.tmp-${process.pid}`);
  await writeFile(tmp, text);
  await rename(tmp, join(dir, name));
}
const kib = Object.values(bundle).reduce((n, t) => n + Buffer.byteLength(t), 0) / 1024;
process.stdout.write(
  `embedded engine bundle: ${Object.keys(bundle).join(", ")} in dist/embedded-engine (${Math.round(kib)} KiB, ${Math.round(performance.now() - t0)} ms)\n`,
);
