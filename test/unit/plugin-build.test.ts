// Builds the example plugins for real with their pinned asc 0.14, and checks what a user of
// `buildPlugin` / `orwasm plugin build` observes: the module's exports and imports, caching,
// rebuilds after edits, and the errors for broken sources and missing compilers.
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BuildError, UsageError } from "../../src/errors.js";
import { main } from "../../src/cli/main.js";
import type { CliIO } from "../../src/cli/io.js";
import { buildPlugin } from "../../src/plugins/build.js";
import { ascArgs } from "../../src/plugins/asc-args.js";
import { declaresAbort } from "../../src/plugins/asconfig.js";
import { findAsc } from "../../src/plugins/compiler.js";
import { planBuilds } from "../../src/plugins/plan.js";

const ROOT = resolve(import.meta.dirname, "../..");
const EXAMPLES = join(ROOT, "examples");
/** Copies live inside the repo so Node's lookup finds the root node_modules (git-ignored). */
const TMP = join(import.meta.dirname, "__tmp__", `plugin-build-${process.pid}`);
const COMPILE_TIMEOUT = 240_000;

/** Every proxy_on_* callback @solo-io/proxy-runtime 0.1.8 can export. */
const ALL_CALLBACKS = [
  "proxy_on_vm_start",
  "proxy_on_configure",
  "proxy_on_tick",
  "proxy_on_foreign_function",
  "proxy_on_queue_ready",
  "proxy_on_context_create",
  "proxy_on_request_headers",
  "proxy_on_request_body",
  "proxy_on_request_trailers",
  "proxy_on_request_metadata",
  "proxy_on_response_headers",
  "proxy_on_response_body",
  "proxy_on_response_trailers",
  "proxy_on_response_metadata",
  "proxy_on_http_call_response",
  "proxy_on_done",
  "proxy_on_log",
  "proxy_on_delete",
];
/** What wasm-nginx-module needs from every plugin: lifecycle, ABI marker, allocator, memory. */
const LIFECYCLE = [
  "memory",
  "proxy_abi_version_0_2_0",
  "proxy_on_vm_start",
  "proxy_on_configure",
  "proxy_on_context_create",
  "proxy_on_done",
  "proxy_on_delete",
  "malloc",
];

function moduleOf(bytes: Uint8Array) {
  const mod = new WebAssembly.Module(bytes);
  return {
    exports: WebAssembly.Module.exports(mod).map((e) => e.name),
    imports: WebAssembly.Module.imports(mod).map((i) => `${i.module}.${i.name}`),
  };
}

/** A copy of an example without node_modules or build output. */
async function copyExample(name: string, to: string): Promise<string> {
  await cp(join(EXAMPLES, name), to, {
    recursive: true,
    filter: (src) => !/[/\\](node_modules|build)([/\\]|$)/.test(src.slice(EXAMPLES.length)),
  });
  return to;
}

beforeAll(async () => {
  await mkdir(TMP, { recursive: true });
});
afterAll(async () => {
  await rm(TMP, { recursive: true, force: true });
});

describe("the example plugins, built from source", () => {
  const built: Record<string, { exports: string[]; imports: string[] }> = {};
  const results: Record<string, Awaited<ReturnType<typeof buildPlugin>>> = {};

  beforeAll(async () => {
    for (const [example, plugin] of [
      ["add-header", "add_header"],
      ["deny-list", "deny_list"],
    ] as const) {
      const outFile = join(TMP, "examples", `${plugin}.wasm`);
      results[example] = await buildPlugin({
        lang: "assemblyscript",
        dir: join(EXAMPLES, example),
        entry: "assembly/index.ts",
        outFile,
      });
      built[example] = moduleOf(await readFile(outFile));
    }
  }, 2 * COMPILE_TIMEOUT);

  it("add-header exports the lifecycle and the response-headers callback, and no other callback", () => {
    const m = built["add-header"]!;
    expect([...m.exports].sort()).toEqual([...LIFECYCLE, "proxy_on_response_headers"].sort());
    expect(m.exports.filter((e) => ALL_CALLBACKS.includes(e))).not.toContain(
      "proxy_on_request_headers",
    );
  });

  it("deny-list exports the lifecycle and the request-headers callback, and no response or body callback", () => {
    const m = built["deny-list"]!;
    expect([...m.exports].sort()).toEqual([...LIFECYCLE, "proxy_on_request_headers"].sort());
    for (const absent of [
      "proxy_on_response_headers",
      "proxy_on_response_body",
      "proxy_on_request_body",
    ]) {
      expect(m.exports).not.toContain(absent);
    }
  });

  it("neither example imports proc_exit (WASI) or env.abort, which wasm-nginx-module does not provide", () => {
    for (const m of Object.values(built)) {
      expect(m.imports).not.toContain("wasi_unstable.proc_exit");
      expect(m.imports).not.toContain("wasi_snapshot_preview1.proc_exit");
      expect(m.imports).not.toContain("env.abort");
      expect(m.imports.every((i) => i.startsWith("env.proxy_"))).toBe(true);
    }
  });

  it("a first build into an empty folder compiles; building again unchanged reports cached and keeps the bytes", async () => {
    expect(results["add-header"]!.cached).toBe(false);
    const outFile = join(TMP, "examples", "add_header.wasm");
    const before = await readFile(outFile);
    const again = await buildPlugin({
      lang: "assemblyscript",
      dir: join(EXAMPLES, "add-header"),
      entry: "assembly/index.ts",
      outFile,
    });
    expect(again).toMatchObject({ outFile, cached: true });
    expect(await readFile(outFile)).toEqual(before);
  });
});

describe("caching and errors, on copies of an example", () => {
  it(
    "editing a source file rebuilds; building the edited plugin again is cached",
    async () => {
      const dir = await copyExample("add-header", join(TMP, "edit"));
      const opts = {
        lang: "assemblyscript" as const,
        dir,
        entry: "assembly/index.ts",
        outFile: join(dir, "build", "add_header.wasm"),
        optimize: false,
      };
      expect((await buildPlugin(opts)).cached).toBe(false);
      expect((await buildPlugin(opts)).cached).toBe(true);
      expect(
        (await readFile(opts.outFile)).includes(Buffer.from("x-hello-edited", "utf16le")),
      ).toBe(false);
      const index = join(dir, "assembly", "index.ts");
      const src = await readFile(index, "utf8");
      await writeFile(index, src.replace('"x-hello"', '"x-hello-edited"'));
      expect((await buildPlugin(opts)).cached).toBe(false);
      // AssemblyScript stores string literals as UTF-16.
      const edited = Buffer.from("x-hello-edited", "utf16le");
      expect((await readFile(opts.outFile)).includes(edited)).toBe(true);
      expect((await buildPlugin(opts)).cached).toBe(true);
    },
    3 * COMPILE_TIMEOUT,
  );

  it(
    "a syntax error fails with a BuildError carrying asc's error line and location",
    async () => {
      const dir = await copyExample("add-header", join(TMP, "broken"));
      const index = join(dir, "assembly", "index.ts");
      const src = await readFile(index, "utf8");
      await writeFile(
        index,
        src.replace("const value = this.root_context.getConfiguration();", "const value = ;"),
      );
      const err = await buildPlugin({
        lang: "assemblyscript",
        dir,
        entry: "assembly/index.ts",
        outFile: join(dir, "build", "broken.wasm"),
      }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BuildError);
      const message = (err as BuildError).message;
      expect(message).toContain("ERROR TS1109: Expression expected.");
      expect(message).toMatch(/in assembly\/index\.ts\(\d+,\d+\)/);
      await expect(readFile(join(dir, "build", "broken.wasm"))).rejects.toThrow(/ENOENT/);
    },
    COMPILE_TIMEOUT,
  );

  it(
    "a plugin without its own abort handler gets orwasm's, so the module imports no env.abort",
    async () => {
      const dir = await copyExample("add-header", join(TMP, "no-abort"));
      await rm(join(dir, "asconfig.json"));
      await rm(join(dir, "assembly", "abort.ts"));
      const index = join(dir, "assembly", "index.ts");
      await writeFile(index, (await readFile(index, "utf8")).replace('import "./abort";\n', ""));

      // Control: the same sources compiled by asc with no abort alias import env.abort.
      const asc = await findAsc(dir);
      const control = join(dir, "control.wasm");
      await execa(
        process.execPath,
        [asc.bin, ...ascArgs({ entry: "assembly/index.ts", binaryFile: control, optimize: false })],
        { cwd: dir },
      );
      expect(moduleOf(await readFile(control)).imports).toContain("env.abort");

      const outFile = join(dir, "build", "add_header.wasm");
      await buildPlugin({
        lang: "assemblyscript",
        dir,
        entry: "assembly/index.ts",
        outFile,
        optimize: false,
      });
      const m = moduleOf(await readFile(outFile));
      expect(m.imports).not.toContain("env.abort");
      expect(m.imports).not.toContain("wasi_unstable.proc_exit");
      expect(m.imports).not.toContain("wasi_snapshot_preview1.proc_exit");
    },
    2 * COMPILE_TIMEOUT,
  );

  it("a folder where assemblyscript is not installed fails telling to run npm install there", async () => {
    const outside = await mkdtemp(join(tmpdir(), "orwasm-no-asc-"));
    try {
      const dir = await copyExample("add-header", join(outside, "plugin"));
      const err = await buildPlugin({
        lang: "assemblyscript",
        dir,
        entry: "assembly/index.ts",
        outFile: join(dir, "build", "x.wasm"),
      }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BuildError);
      expect((err as Error).message).toContain(`not installed for the plugin in ${dir}`);
      expect((err as Error).message).toContain("npm install");
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });

  it("a missing entry file fails naming the path", async () => {
    const err = await buildPlugin({
      lang: "assemblyscript",
      dir: join(EXAMPLES, "add-header"),
      entry: "assembly/nope.ts",
      outFile: join(TMP, "nope.wasm"),
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BuildError);
    expect((err as Error).message).toContain(join(EXAMPLES, "add-header", "assembly", "nope.ts"));
  });
});

describe("choosing the abort handler and the asc command line", () => {
  it("an asconfig.json that sets use abort=... (options or release target) counts as the plugin's own handler", () => {
    expect(declaresAbort([{ options: { use: ["abort=assembly/abort/pluginAbort"] } }])).toBe(true);
    expect(declaresAbort([{ targets: { release: { use: "Math=JSMath,abort=x" } } }])).toBe(true);
    expect(declaresAbort([{ options: { use: ["Math=JSMath"] } }])).toBe(false);
    expect(declaresAbort([{ targets: { debug: { use: ["abort=x"] } } }])).toBe(false);
    expect(declaresAbort([])).toBe(false);
  });

  it("asc runs with the half runtime, and gets orwasm's abort library only when asked", () => {
    expect(ascArgs({ entry: "a.ts", binaryFile: "o.wasm", optimize: true })).toEqual([
      "a.ts",
      "--binaryFile",
      "o.wasm",
      "--runtime",
      "half",
      "--noColors",
      "--optimize",
    ]);
    expect(
      ascArgs({
        entry: "a.ts",
        binaryFile: "o.wasm",
        optimize: false,
        abortShimFile: "/t/orwasm_abort.ts",
      }),
    ).toEqual([
      "a.ts",
      "--binaryFile",
      "o.wasm",
      "--runtime",
      "half",
      "--noColors",
      "--debug",
      "--lib",
      "/t/orwasm_abort.ts",
      "--use",
      "abort=orwasm_abort",
    ]);
  });
});

describe("orwasm plugin build", () => {
  it("in a folder with orwasm.yaml, plans every build: plugin to <plugin dir>/build/<name>.wasm", async () => {
    const plan = await planBuilds(join(EXAMPLES, "deny-list"), {});
    expect(plan.projectFile).toBe(join(EXAMPLES, "deny-list", "orwasm.yaml"));
    expect(plan.targets).toEqual([
      {
        name: "deny_list",
        dir: join(EXAMPLES, "deny-list"),
        lang: "assemblyscript",
        entry: "assembly/index.ts",
        outFile: join(EXAMPLES, "deny-list", "build", "deny_list.wasm"),
      },
    ]);
  });

  it("rejects --entry for a project folder (the project file names each entry)", async () => {
    await expect(planBuilds(join(EXAMPLES, "deny-list"), { entry: "x.ts" })).rejects.toBeInstanceOf(
      UsageError,
    );
  });

  it(
    "--json prints the built plugin with its output path, size and sha256; exit code 0",
    async () => {
      const dir = await copyExample("deny-list", join(TMP, "cli"));
      let out = "";
      let err = "";
      const io: CliIO = {
        out: (t) => void (out += t),
        err: (t) => void (err += t),
        isTTY: false,
        cwd: TMP,
      };
      const code = await main(["plugin", "build", "cli", "--json"], io);
      expect(code).toBe(0);
      const result = JSON.parse(out) as { plugins: Array<Record<string, unknown>> };
      const outFile = join(dir, "build", "deny_list.wasm");
      const bytes = await readFile(outFile);
      expect(result.plugins).toHaveLength(1);
      expect(result.plugins[0]).toMatchObject({
        name: "deny_list",
        outFile,
        bytes: bytes.length,
        cached: false,
      });
      expect(result.plugins[0]!.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(err).toContain("building deny_list from cli/assembly/index.ts");

      out = "";
      expect(await main(["plugin", "build", "cli"], io)).toBe(0);
      expect(out).toMatch(/^deny_list {2}cli\/build\/deny_list\.wasm {2}[\d.]+ KiB {2}cached/);
    },
    COMPILE_TIMEOUT,
  );

  it(
    "a broken plugin exits with the build code (3) and prints asc's error",
    async () => {
      const dir = await copyExample("add-header", join(TMP, "cli-broken"));
      await writeFile(
        join(dir, "assembly", "index.ts"),
        'import "./abort";\nexport function f(): i32 { return }\n',
      );
      let err = "";
      const io: CliIO = { out: () => {}, err: (t) => void (err += t), isTTY: false, cwd: TMP };
      expect(await main(["plugin", "build", "cli-broken"], io)).toBe(3);
      expect(err).toContain("ERROR TS");
    },
    COMPILE_TIMEOUT,
  );
});
