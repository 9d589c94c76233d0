// Builds an AssemblyScript proxy-wasm plugin with the plugin's own pinned asc, skipping unchanged plugins.
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { execa } from "execa";
import { BuildError } from "../errors.js";
import { NotWasmError, readWasmInfo } from "../inspect/read-wasm.js";
import { ABORT_SHIM_FILE, ABORT_SHIM_SOURCE } from "./abort-shim.js";
import { ascArgs } from "./asc-args.js";
import { declaresAbort, readAsConfigChain } from "./asconfig.js";
import { findAsc } from "./compiler.js";
import { hashPluginSources } from "./source-hash.js";
import { stampPathFor, writeStamp } from "./stamp.js";
import { tempPathFor } from "../fs/atomic.js";
import { isFile, outputTail, sha256, upToDate } from "./build-output.js";

/** What to build and where. */
export interface BuildPluginOptions {
  lang: "assemblyscript";
  /** The plugin folder: holds package.json (which pins assemblyscript) and the sources. */
  dir: string;
  /** Entry file, relative to `dir`. */
  entry: string;
  /** Where the .wasm goes; a `<outFile>.stamp.json` is written next to it. */
  outFile: string;
  /** Default true (asc -O3s); false builds with --debug. */
  optimize?: boolean;
  /** Each line the compiler prints, and orwasm's own warnings (prefixed `warning:`). */
  onLog?: (line: string) => void;
}

/** What a build did. */
export interface BuildPluginResult {
  outFile: string;
  /** True when sources, compiler and flags matched the stamp and nothing was compiled. */
  cached: boolean;
  durationMs: number;
}

/** Lines of compiler output a BuildError carries. */
const LOG_TAIL_LINES = 30;
/** A compile that takes longer than this is stuck. */
const COMPILE_TIMEOUT_MS = 15 * 60_000;

/** Compiles `dir/entry` to `outFile` unless the stamp says the same inputs already produced it. */
export async function buildPlugin(opts: BuildPluginOptions): Promise<BuildPluginResult> {
  const start = performance.now();
  const dir = resolve(opts.dir);
  const outFile = resolve(opts.outFile);
  const optimize = opts.optimize ?? true;
  const log = opts.onLog ?? (() => {});
  const entryPath = resolve(dir, opts.entry);
  if (!(await isFile(entryPath))) {
    throw new BuildError(`the plugin's entry file ${entryPath} does not exist`);
  }
  const entry = relative(dir, entryPath);

  const compiler = await findAsc(dir);
  const useShim = !declaresAbort(await readAsConfigChain(dir));
  const recipeArgs = ascArgs({
    entry,
    binaryFile: "<out>",
    optimize,
    abortShimFile: useShim ? `<orwasm>/${ABORT_SHIM_FILE}` : undefined,
  });
  const sources = await hashPluginSources({
    dir,
    sourceDir: dirname(entryPath),
    recipe: {
      compiler: compiler.version,
      args: recipeArgs,
      shim: useShim ? ABORT_SHIM_SOURCE : null,
    },
    exclude: [outFile, stampPathFor(outFile)],
  });
  const compilerId = `assemblyscript@${compiler.version}`;

  if (await upToDate(outFile, sources, compilerId)) {
    return { outFile, cached: true, durationMs: performance.now() - start };
  }

  await mkdir(dirname(outFile), { recursive: true });
  const tmpWasm = tempPathFor(outFile, ".wasm");
  const shimDir = useShim ? await mkdtemp(join(tmpdir(), "orwasm-abort-")) : undefined;
  try {
    let abortShimFile: string | undefined;
    if (shimDir) {
      abortShimFile = join(shimDir, ABORT_SHIM_FILE);
      await writeFile(abortShimFile, ABORT_SHIM_SOURCE);
    }
    const args = ascArgs({ entry, binaryFile: tmpWasm, optimize, abortShimFile });
    const tap = function* (line: unknown) {
      log(String(line));
      yield line;
    };
    const result = await execa(process.execPath, [compiler.bin, ...args], {
      cwd: dir,
      all: true,
      reject: false,
      timeout: COMPILE_TIMEOUT_MS,
      stdout: tap,
      stderr: tap,
      env: { FORCE_COLOR: "0" },
    });
    if (result.failed) {
      const why = result.timedOut
        ? `timed out after ${COMPILE_TIMEOUT_MS / 60_000} minutes`
        : `exited with code ${result.exitCode ?? result.signal ?? "?"}`;
      throw new BuildError(
        `asc ${compiler.version} could not compile ${entryPath} (${why})`,
        tail(String(result.all ?? "")),
      );
    }
    const bytes = await readFile(tmpWasm).catch(() => undefined);
    if (!bytes) {
      throw new BuildError(
        `asc ${compiler.version} reported success but wrote no module for ${entryPath}`,
        tail(String(result.all ?? "")),
      );
    }
    checkModule(bytes, entryPath, log);
    await rename(tmpWasm, outFile);
    await writeStamp(outFile, { sources, compiler: compilerId, wasmSha256: sha256(bytes) });
    return { outFile, cached: false, durationMs: performance.now() - start };
  } finally {
    await rm(tmpWasm, { force: true });
    if (shimDir) await rm(shimDir, { recursive: true, force: true });
  }
}

/** The output must be a wasm module; imports no proxy-wasm host provides get a warning. */
function checkModule(bytes: Uint8Array, entryPath: string, log: (line: string) => void): void {
  let info;
  try {
    info = readWasmInfo(bytes);
  } catch (err) {
    if (err instanceof NotWasmError) {
      throw new BuildError(`asc wrote an invalid module for ${entryPath}: ${err.message}`);
    }
    throw err;
  }
  // Only what no VM provides is warned about here: whether WASI's proc_exit exists depends on engine.vm
  // (wasmtime has wasi_unstable, WasmEdge does not), and the project's audit judges it against that VM.
  for (const i of info.imports) {
    if (i.module === "env" && i.name === "abort") {
      log(
        `warning: the module imports env.abort, which wasm-nginx-module does not provide on any VM; ` +
          `remove the abort alias that imports it from asconfig.json`,
      );
    }
  }
  if (!info.abiVersion) {
    log("warning: the module exports no proxy_abi_version_* marker: it is not a proxy-wasm plugin");
  }
}

function tail(output: string): string[] {
  return outputTail(output, LOG_TAIL_LINES);
}
