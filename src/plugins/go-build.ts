// Builds a Go proxy-wasm plugin with the machine's Go (GOOS=wasip1 -buildmode=c-shared), skipping unchanged plugins.
import { mkdir, readFile, rename, rm } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { execa } from "execa";
import { BuildError } from "../errors.js";
import { NotWasmError, readWasmInfo } from "../inspect/read-wasm.js";
import type { BuildPluginResult } from "./build.js";
import { GO_ENV_KEYS, goBuildArgs, goBuildEnv } from "./go-args.js";
import { findGo } from "./go-toolchain.js";
import { hashPluginSources } from "./source-hash.js";
import { stampPathFor, writeStamp } from "./stamp.js";
import { tempPathFor } from "../fs/atomic.js";
import { isFile, outputTail, sha256, upToDate } from "./build-output.js";

/** What to build and where. */
export interface GoBuildOptions {
  /** The Go module folder: holds go.mod and go.sum (never edited). */
  dir: string;
  /** The main package, relative to `dir` (default `.`). */
  package?: string;
  /** Where the .wasm goes; a `<outFile>.stamp.json` is written next to it. */
  outFile: string;
  /** Each line the compiler prints, and orwasm's own warnings (prefixed `warning:`). */
  onLog?: (line: string) => void;
  /** The environment go runs in (default: this process's); GOOS/GOARCH are set on top. */
  env?: NodeJS.ProcessEnv;
}

/** Lines of compiler output a BuildError carries. */
const LOG_TAIL_LINES = 40;
/** A cold build downloads modules and compiles the runtime; longer than this is stuck. */
const COMPILE_TIMEOUT_MS = 20 * 60_000;

/** Compiles the Go plugin in `dir` to `outFile` unless the stamp says the same inputs already produced it. */
export async function buildGoPlugin(opts: GoBuildOptions): Promise<BuildPluginResult> {
  const start = performance.now();
  const dir = resolve(opts.dir);
  const outFile = resolve(opts.outFile);
  const pkg = opts.package ?? ".";
  const env = opts.env ?? process.env;
  const log = opts.onLog ?? (() => {});
  if (!(await isFile(join(dir, "go.mod")))) {
    throw new BuildError(
      `${dir} has no go.mod: a Go plugin's build.dir is its module folder (run \`go mod init\` and \`go mod tidy\` there)`,
    );
  }
  const go = await findGo(dir, env);
  const vendored = await isFile(join(dir, "vendor", "modules.txt"));
  const goflags = env["GOFLAGS"] ?? "";
  const recipeArgs = goBuildArgs({ pkg, outFile: "<out>", goflags, vendored });
  const sources = await hashPluginSources({
    dir,
    sourceDir: dir,
    recipe: {
      go: go.version,
      target: "wasip1/wasm",
      args: recipeArgs,
      env: Object.fromEntries(GO_ENV_KEYS.map((k) => [k, env[k] ?? null])),
    },
    // the project file next to the sources configures, it does not build: editing it must not recompile
    exclude: [outFile, stampPathFor(outFile), join(dir, "orwasm.yaml"), join(dir, "orwasm.yml")],
  });
  const compilerId = `${go.version} wasip1/wasm`;

  if (await upToDate(outFile, sources, compilerId)) {
    return { outFile, cached: true, durationMs: performance.now() - start };
  }

  await mkdir(dirname(outFile), { recursive: true });
  const tmpWasm = tempPathFor(outFile, ".wasm");
  try {
    const args = goBuildArgs({ pkg, outFile: tmpWasm, goflags, vendored });
    const tap = function* (line: unknown) {
      log(String(line));
      yield line;
    };
    const result = await execa(go.bin, args, {
      cwd: dir,
      env: goBuildEnv(env),
      extendEnv: false,
      all: true,
      reject: false,
      timeout: COMPILE_TIMEOUT_MS,
      stdout: tap,
      stderr: tap,
    });
    const where = pkg === "." ? dir : join(dir, pkg);
    if (result.failed) {
      const why = result.timedOut
        ? `timed out after ${COMPILE_TIMEOUT_MS / 60_000} minutes`
        : `exited with code ${result.exitCode ?? result.signal ?? "?"}`;
      throw new BuildError(
        `${go.version} could not build the Go plugin ${where} (GOOS=wasip1 GOARCH=wasm go ${args.join(" ")}: ${why})`,
        tail(String(result.all ?? "")),
      );
    }
    const bytes = await readFile(tmpWasm).catch(() => undefined);
    if (!bytes) {
      throw new BuildError(
        `go build reported success but wrote no module for ${where}`,
        tail(String(result.all ?? "")),
      );
    }
    checkGoModule(bytes, where, log);
    await rename(tmpWasm, outFile);
    await writeStamp(outFile, { sources, compiler: compilerId, wasmSha256: sha256(bytes) });
    return { outFile, cached: false, durationMs: performance.now() - start };
  } finally {
    await rm(tmpWasm, { force: true });
  }
}

/** The output must be a reactor module; one without an ABI marker does not use a proxy-wasm SDK. */
function checkGoModule(bytes: Uint8Array, where: string, log: (line: string) => void): void {
  let info;
  try {
    info = readWasmInfo(bytes);
  } catch (err) {
    if (err instanceof NotWasmError) {
      throw new BuildError(`go wrote an invalid module for ${where}: ${err.message}`);
    }
    throw err;
  }
  if (!info.exports.some((e) => e.startsWith("proxy_abi_version_"))) {
    log(
      "warning: the module exports no proxy_abi_version_* marker: does its main package import a " +
        "proxy-wasm Go SDK (github.com/proxy-wasm/proxy-wasm-go-sdk, github.com/higress-group/wasm-go)?",
    );
  }
}

function tail(output: string): string[] {
  return outputTail(output, LOG_TAIL_LINES);
}
