// `orwasm plugin init NAME --lang go|higress|assemblyscript`: a new plugin folder that builds and tests at once.
import { mkdir, readdir, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join, relative, resolve } from "node:path";
import type { Register } from "../command.js";
import { Option, type CommandUnknownOpts } from "@commander-js/extra-typings";
import type { CliIO } from "../io.js";
import { EXIT } from "../exit-codes.js";
import { UsageError } from "../../errors.js";
import { nameSchema } from "../../project/schema-common.js";
import { SCAFFOLD_LANGS, scaffoldFiles } from "../../plugins/scaffold.js";

const INIT_HELP = `
Writes a plugin folder (default ./NAME) with the plugin's sources, an orwasm.yaml whose
smoke checks and tests pass as written, and a README. The plugin adds the response header
named in its config and answers 403 to requests carrying x-deny.

  go              proxy-wasm-go-sdk, built by the machine's Go 1.24+ (go.mod and go.sum pinned)
  higress         Higress' wasm-go wrapper, built by the machine's Go 1.24+
  assemblyscript  AssemblyScript 0.14 on @solo-io/proxy-runtime (run npm install in the folder)

NAME is the plugin's name in orwasm.yaml and its root id: letters, digits, _ and -.

Examples:
  $ orwasm plugin init my_auth --lang go && orwasm test my_auth
  $ orwasm plugin init rate_limit --lang higress --module example.com/gw/rate-limit
  $ orwasm plugin init add_tag --lang assemblyscript --dir plugins/add-tag
`;

/** Registers `plugin init` in the `plugin` group (registered after registerPlugin). */
export const registerPluginInit: Register = (program, io, run) => {
  const plugin = program.commands.find((c) => c.name() === "plugin");
  if (!plugin) throw new Error("registerPluginInit needs the plugin group (registerPlugin) first");
  declareInit(plugin).action((name, flags) => run(() => pluginInit(name, flags, io)));
};

/** `plugin init`: the one declaration its flags' type comes from. */
function declareInit(plugin: CommandUnknownOpts) {
  return plugin
    .command("init")
    .description(
      "create a plugin folder (Go, Higress wasm-go or AssemblyScript) that builds at once",
    )
    .argument("<name>", "the plugin's name (also its root id)")
    .addOption(
      new Option("--lang <lang>", "the plugin's language and SDK")
        .choices(SCAFFOLD_LANGS)
        .makeOptionMandatory(),
    )
    .option("--dir <dir>", "the folder to create (default: ./NAME)")
    .option("--module <path>", "the Go module path (default: example.com/NAME)")
    .option("--json", "print the files written as JSON on stdout")
    .addHelpText("after", INIT_HELP);
}

type InitFlags = ReturnType<ReturnType<typeof declareInit>["opts"]>;

async function pluginInit(name: string, flags: InitFlags, io: CliIO): Promise<number> {
  if (!nameSchema.safeParse(name).success) {
    throw new UsageError(
      `plugin name "${name}" must start with a letter and hold only letters, digits, _ and - (at most 64)`,
    );
  }
  const module = flags.module ?? `example.com/${name.toLowerCase()}`;
  if (!/^[A-Za-z0-9.~_/-]+$/.test(module) || module.startsWith("/")) {
    throw new UsageError(`--module "${module}" is not a Go module path`);
  }
  const dir = resolve(io.cwd, flags.dir ?? name);
  const existing = await readdir(dir).catch(() => undefined);
  if (existing && existing.length > 0) {
    throw new UsageError(
      `${relative(io.cwd, dir) || dir} exists and is not empty; nothing was written`,
    );
  }
  const files = scaffoldFiles(name, flags.lang, module);
  // everything goes into a temp folder first, renamed into place at once: no half-written plugin
  const tmp = join(dirname(dir), `.${name}.orwasm-init-${process.pid}`);
  try {
    for (const [rel, content] of Object.entries(files)) {
      await mkdir(dirname(join(tmp, rel)), { recursive: true });
      await writeFile(join(tmp, rel), content);
    }
    if (existing) await rm(dir, { recursive: true });
    await rename(tmp, dir);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  const shown = relative(io.cwd, dir) || ".";
  if (flags.json) {
    io.out(
      `${JSON.stringify({ dir, lang: flags.lang, files: Object.keys(files).sort() }, null, 2)}\n`,
    );
  } else {
    io.out(`created ${shown} (${flags.lang}): ${Object.keys(files).sort().join(", ")}\n`);
    const first = flags.lang === "assemblyscript" ? `cd ${shown} && npm install && cd - && ` : "";
    io.out(`next: ${first}orwasm test ${shown}\n`);
  }
  return EXIT.ok;
}
