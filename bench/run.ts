// `npm run bench`: runs every benchmark and prints its figures and ratios (never asserted by tests).
import { benchConf } from "./conf.js";

// node:wasi warns once per process that it is experimental; the embedded host uses it on purpose.
const emitWarning = process.emitWarning.bind(process);
process.emitWarning = (w: string | Error, ...rest: never[]) =>
  String(w).includes("WASI is an experimental") ? undefined : emitWarning(w, ...rest);
import type { BenchResult } from "./result.js";

type Bench = { name: string; run: () => Promise<BenchResult[]> };

const benches: Bench[] = [{ name: "conf", run: benchConf }];

/** Optional benches live in files other helpers own; a missing or failing one is reported, not fatal. */
async function optional(name: string, file: string, fn: string): Promise<Bench> {
  return {
    name,
    run: async () => {
      const mod = (await import(file)) as Record<string, () => Promise<BenchResult[]>>;
      const f = mod[fn];
      if (!f) throw new Error(`${file} does not export ${fn}`);
      return f();
    },
  };
}

benches.push(await optional("host", "./host.js", "benchHost"));
benches.push(await optional("dev", "./dev.js", "benchDev"));
benches.push(await optional("hop", "./hop.js", "benchHop"));
benches.push(await optional("redis", "./redis.js", "benchRedis"));
benches.push(await optional("image", "./image.js", "benchImage"));
benches.push(await optional("oci", "./oci.js", "benchOci"));
benches.push(await optional("reload", "./reload.js", "benchReload"));
benches.push(await optional("go", "./go.js", "benchGo"));
benches.push(await optional("wasi", "./wasi.js", "benchWasi"));
benches.push(await optional("glue", "./glue.js", "benchGlue"));
benches.push(await optional("gateway", "./gateway.js", "benchGateway"));

// names of benches to run (all when none); flags such as --quick are read by the benches themselves
const only = process.argv.slice(2).filter((a) => !a.startsWith("--"));
for (const b of benches) {
  if (only.length && !only.includes(b.name)) continue;
  process.stdout.write(`\n## ${b.name}\n`);
  try {
    for (const r of await b.run()) {
      process.stdout.write(
        `${r.name.padEnd(64)} ${r.value.toFixed(r.value >= 100 ? 0 : 3).padStart(10)} ${r.unit}\n`,
      );
    }
  } catch (err) {
    // the first line says why; the rest (e.g. a container log tail) helps to fix it
    process.stdout.write(`skipped: ${(err as Error).message}\n`);
  }
}
