// The CLI entry: builds the commander program, runs one command, and turns any error into output + exit code.
import { Command, CommanderError, type CommandUnknownOpts } from "@commander-js/extra-typings";
import { ConfigError, OrwasmError, formatProblems } from "../errors.js";
import { EXIT, exitCodeFor } from "./exit-codes.js";
import { processIO, type CliIO } from "./io.js";
import { commands } from "./commands/index.js";

export async function main(argv: string[], io: CliIO = processIO()): Promise<number> {
  let code: number = EXIT.ok;
  const program = new Command("orwasm")
    .description(
      "Run proxy-wasm plugins on OpenResty: render nginx.conf, audit plugins, build and smoke-test gateway images.",
    )
    .version(await version(), "-V, --version")
    .showHelpAfterError("(run with --help for usage)")
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .exitOverride();
  const run = async (fn: () => Promise<number>) => {
    code = await fn();
  };
  for (const register of commands) register(program, io, run);
  // An argument no command takes is a mistake (a typo, a misplaced flag value), not something to ignore.
  const strict = (c: CommandUnknownOpts): void => {
    c.allowExcessArguments(false);
    c.commands.forEach(strict);
  };
  strict(program);
  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version exit 0; everything else commander rejects is a usage error.
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    reportError(err, io);
    return exitCodeFor(err);
  }
  return code;
}

/** User errors print their message alone; bugs print with a stack. */
export function reportError(err: unknown, io: CliIO): void {
  if (err instanceof ConfigError) {
    io.err(`${formatProblems(err.problems)}\n`);
    const n = err.problems.filter((p) => p.severity !== "warning").length;
    io.err(`orwasm: ${n} problem${n === 1 ? "" : "s"} found; nothing was written\n`);
  } else if (err instanceof OrwasmError && err.userFacing) {
    io.err(`orwasm: ${err.message}\n`);
  } else {
    const stack = err instanceof Error ? (err.stack ?? err.message) : String(err);
    io.err(`orwasm: internal error (a bug in orwasm; please report it):\n${stack}\n`);
  }
}

async function version(): Promise<string> {
  const { readFile } = await import("node:fs/promises");
  const pkg = JSON.parse(
    await readFile(new URL("../../package.json", import.meta.url), "utf8"),
  ) as { version: string };
  return pkg.version;
}
