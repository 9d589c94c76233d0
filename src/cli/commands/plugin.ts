// `orwasm plugin build`: compiles proxy-wasm plugins: AssemblyScript with each plugin's pinned asc, Go with the machine's go.
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { relative, resolve } from "node:path";
import type { Command } from "@commander-js/extra-typings";
import type { Register } from "../command.js";
import type { CliIO } from "../io.js";
import { EXIT } from "../exit-codes.js";
import { buildTarget } from "../../plugins/build-target.js";
import { planBuilds } from "../../plugins/plan.js";

/** One built plugin, as `--json` prints it. */
interface BuiltPlugin {
  name: string;
  outFile: string;
  bytes: number;
  sha256: string;
  cached: boolean;
  durationMs: number;
}

const BUILD_HELP = `
Builds each plugin declared with \`build:\` in DIR/orwasm.yaml (or the project file DIR
names). A DIR without a project file is one plugin folder, built from --entry.

AssemblyScript: the compiler is the plugin's own, AssemblyScript 0.14.x installed in (or
above) the plugin folder, as its package.json pins it; run \`npm install\` there first.
Go (build.lang: go, or a folder holding go.mod): the machine's go 1.24+ (or ORWASM_GO)
runs GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -trimpath -mod=readonly on the
plugin's own go.mod/go.sum, never edited; GOFLAGS, GOPROXY, GOMODCACHE and a vendor/
folder are used as go uses them, so an offline module cache works.
A plugin whose inputs have not changed since its last build is not recompiled ("cached").
Output: <plugin dir>/build/<plugin name>.wasm, next to a .stamp.json cache stamp.

Examples:
  $ orwasm plugin build examples/add-header
  $ orwasm plugin build examples/go-headers
  $ GOFLAGS=-mod=vendor orwasm plugin build ./my-go-plugin -o plugin.wasm
  $ orwasm plugin build ./my-plugin --entry assembly/index.ts -o my-plugin.wasm
  $ orwasm plugin build --json
`;

/** Registers `plugin build` (and the `plugin` group it lives in). */
export const registerPlugin: Register = (program, io, run) => {
  const plugin = program.command("plugin").description("build proxy-wasm plugins from source");
  declareBuild(plugin).action((dir, flags) => run(() => pluginBuild(dir, flags, io)));
};

/** `plugin build`'s arguments and options: the one declaration its flags' type comes from. */
function declareBuild(plugin: Command) {
  return plugin
    .command("build")
    .description("compile AssemblyScript and Go plugins to .wasm (skips unchanged ones)")
    .argument("[dir]", "a project folder, a project file, or a plugin folder", ".")
    .option("-o, --out <file>", "write the .wasm here (only when one plugin is built)")
    .option("--entry <file>", "entry file of a plugin folder without a project file")
    .option("--debug", "AssemblyScript: build without optimisation, keeping function names")
    .option("-v, --verbose", "print the compiler's output")
    .option("--json", "print the result as JSON on stdout")
    .addHelpText("after", BUILD_HELP);
}

type BuildFlags = ReturnType<ReturnType<typeof declareBuild>["opts"]>;

async function pluginBuild(dir: string, flags: BuildFlags, io: CliIO): Promise<number> {
  const plan = await planBuilds(resolve(io.cwd, dir), {
    outFile: flags.out === undefined ? undefined : resolve(io.cwd, flags.out),
    entry: flags.entry,
  });
  const show = (p: string) => relative(io.cwd, p) || ".";
  if (plan.targets.length === 0) {
    io.err(
      `orwasm: ${show(plan.projectFile ?? dir)} declares no plugin with build:; nothing to build\n`,
    );
  }
  const built: BuiltPlugin[] = [];
  for (const t of plan.targets) {
    const from =
      t.lang === "go" ? `${show(resolve(t.dir, t.package))} (Go)` : show(resolve(t.dir, t.entry));
    io.err(`building ${t.name} from ${from} ...\n`);
    const tool = t.lang === "go" ? "go" : "asc";
    const r = await buildTarget(t, {
      optimize: !flags.debug,
      onLog: (line) => {
        if (line.startsWith("warning:")) io.err(`orwasm: ${t.name}: ${line}\n`);
        else if (flags.verbose) io.err(`  ${tool}: ${line}\n`);
      },
    });
    const bytes = await readFile(r.outFile);
    const item: BuiltPlugin = {
      name: t.name,
      outFile: r.outFile,
      bytes: bytes.length,
      sha256: createHash("sha256").update(bytes).digest("hex"),
      cached: r.cached,
      durationMs: Math.round(r.durationMs),
    };
    built.push(item);
    if (!flags.json) io.out(`${formatBuilt(item, show)}\n`);
  }
  if (flags.json)
    io.out(`${JSON.stringify({ projectFile: plan.projectFile, plugins: built }, null, 2)}\n`);
  return EXIT.ok;
}

/** `add_header  build/add_header.wasm  14.2 KiB  compiled in 5.1 s` */
function formatBuilt(b: BuiltPlugin, show: (p: string) => string): string {
  const size = b.bytes >= 1024 ? `${(b.bytes / 1024).toFixed(1)} KiB` : `${b.bytes} B`;
  const time =
    b.durationMs >= 1000 ? `${(b.durationMs / 1000).toFixed(1)} s` : `${b.durationMs} ms`;
  return `${b.name}  ${show(b.outFile)}  ${size}  ${b.cached ? `cached (checked in ${time})` : `compiled in ${time}`}`;
}
