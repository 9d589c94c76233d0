// Every command the CLI knows, in the order `--help` lists them.
import type { Register } from "../command.js";

export const commands: Register[] = [];
