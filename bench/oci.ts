// Benchmark: plugin images. Packing and unpacking a 4 MiB module (pure), then push and pull against a real
// docker-registry on loopback: first push, a re-push (every blob skipped by HEAD), a cold pull and a cached pull.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { buildArtifact, extractWasm, parseManifest } from "../src/oci/layout.js";
import { pullPlugin, pushPlugin } from "../src/oci/plugin-image.js";
import { parseImageRef } from "../src/oci/reference.js";
import { digestOf } from "../src/oci/registry.js";
import { hasCommand } from "../test/helpers/skip.js";
import { startRegistry } from "../test/helpers/registry.js";
import type { BenchResult } from "./result.js";

const MIB = 1024 * 1024;

async function time(fn: () => Promise<unknown>, runs = 5): Promise<number> {
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    t.push(performance.now() - t0);
  }
  return t.sort((a, b) => a - b)[Math.floor(runs / 2)]!;
}

/** Median milliseconds per step; the registry part is skipped (with the reason) when docker-registry is missing. */
export async function benchOci(): Promise<BenchResult[]> {
  // A wasm header followed by random bytes: compresses as badly as a real optimised module, or worse.
  const wasm = new Uint8Array(
    Buffer.concat([Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]), randomBytes(4 * MIB)]),
  );
  const out: BenchResult[] = [];
  out.push({
    name: "pack 4 MiB plugin as image (tar+gzip layer), median",
    value: await time(() => buildArtifact(wasm, "image")),
    unit: "ms",
  });
  out.push({
    name: "pack 4 MiB plugin as wasm artifact, median",
    value: await time(() => buildArtifact(wasm, "wasm")),
    unit: "ms",
  });
  const built = await buildArtifact(wasm, "image");
  const blobs = new Map(built.blobs.map((b) => [digestOf(b), b]));
  const manifest = parseManifest(built.manifest, built.mediaType);
  out.push({
    name: "unpack plugin.wasm from the image layout, median",
    value: await time(() => extractWasm(manifest, async (d) => blobs.get(d.digest)!)),
    unit: "ms",
  });
  if (!hasCommand("docker-registry")) {
    process.stdout.write(
      "oci registry bench skipped: docker-registry not installed (scripts/setup-registry.sh)\n",
    );
    return out;
  }
  const reg = await startRegistry();
  const cache = mkdtempSync(join(tmpdir(), "orwasm-bench-oci-"));
  try {
    let n = 0;
    const first = await time(
      () =>
        pushPlugin(
          new Uint8Array([...wasm.subarray(0, 8), n++, ...wasm.subarray(9)]),
          parseImageRef(`${reg.host}/bench/p:${n}`),
          { format: "image" },
        ),
      3,
    );
    out.push({
      name: "push 4 MiB plugin, new blobs (monolithic), median",
      value: first,
      unit: "ms",
    });
    const ref = parseImageRef(`${reg.host}/bench/p:same`);
    await pushPlugin(wasm, ref, { format: "image" });
    const again = await time(() => pushPlugin(wasm, ref, { format: "image" }));
    out.push({
      name: "re-push of the same plugin (HEAD skips every blob), median",
      value: again,
      unit: "ms",
    });
    out.push({ name: "ratio first push / re-push", value: first / again, unit: "x" });
    const chunked = await time(
      () =>
        pushPlugin(
          new Uint8Array([...wasm.subarray(0, 8), 200 + n++, ...wasm.subarray(9)]),
          parseImageRef(`${reg.host}/bench/c:${n}`),
          { format: "wasm", chunkSize: MIB },
        ),
      3,
    );
    out.push({
      name: "push 4 MiB plugin in 1 MiB chunks (PATCH), median",
      value: chunked,
      unit: "ms",
    });
    let k = 0;
    const cold = await time(() => pullPlugin(ref, { cacheDir: join(cache, String(k++)) }));
    out.push({ name: "pull by tag, empty cache, median", value: cold, unit: "ms" });
    const { digest } = await pullPlugin(ref, { cacheDir: join(cache, "warm") });
    const warm = await time(() =>
      pullPlugin({ ...ref, tag: undefined, digest }, { cacheDir: join(cache, "warm") }),
    );
    out.push({
      name: "pull by digest from the cache (no network), median",
      value: warm,
      unit: "ms",
    });
    out.push({ name: "ratio cold pull / cached pull", value: cold / warm, unit: "x" });
  } finally {
    await reg.stop();
    rmSync(cache, { recursive: true, force: true });
  }
  return out;
}
