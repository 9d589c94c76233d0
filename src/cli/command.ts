// The contract every CLI command file implements: register itself on the program, run through `action`.
import type { Command } from "@commander-js/extra-typings";
import type { CliIO } from "./io.js";

/** A command returns its exit code; errors it throws are mapped by main. */
export type Register = (
  program: Command,
  io: CliIO,
  run: (fn: () => Promise<number>) => Promise<void>,
) => void;
