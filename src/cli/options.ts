// The options several commands share, declared once: flag, type (inferred by commander's extra typings), choices
// and validation. A value commander rejects (a choice not listed, a bad number) is a usage error, exit 2.
import { InvalidArgumentError, Option } from "@commander-js/extra-typings";
import type { ProfileName } from "../proxy-host/runtime/protocol.js";

/** Report formats of the commands that print a check report (smoke, test). */
export const REPORT_FORMATS = ["text", "json", "junit"] as const;

/** Host profiles of the embedded host. */
export const PROFILES = [
  "wasm-nginx-module",
  "envoy-like",
  "higress",
] as const satisfies readonly ProfileName[];

/** `--report <format>`: one of REPORT_FORMATS. */
export function reportOption() {
  return new Option("--report <format>", "report format")
    .choices(REPORT_FORMATS)
    .default("text" as const);
}

/** `--json`: the machine-readable form of what the command prints. */
export function jsonOption(what: string) {
  return new Option("--json", what);
}

/** `-o, --output <file>`: '-' (the default) is stdout. */
export function outputOption(what: string) {
  return new Option("-o, --output <file>", `${what} ('-' is stdout)`).default("-");
}

/** `--profile <name>`: the embedded host's profile; absent means the project's host.profile. */
export function profileOption() {
  return new Option(
    "--profile <name>",
    "host profile: wasm-nginx-module (0.7.0, exact), envoy-like (adds shared data, queues, ticks, time) or higress (adds Redis calls, cluster names, foreign functions); default: the project's host.profile",
  ).choices(PROFILES);
}

/** Parses a whole number in [min, max] for an option; `what` names it in the error ("a port number"). */
export function wholeNumber(what: string, min: number, max?: number) {
  const range = max === undefined ? `at least ${min}` : `${min} to ${max}`;
  return (raw: string): number => {
    const n = Number(raw);
    if (
      !/^[0-9]+$/.test(raw) ||
      !Number.isSafeInteger(n) ||
      n < min ||
      (max !== undefined && n > max)
    )
      throw new InvalidArgumentError(`It must be ${what}, ${range}.`);
    return n;
  };
}

/**
 * `--memory-limit <MiB>`: how far each plugin instance's linear memory may grow (the embedded host's limit);
 * absent, a plugin may grow to wasm32's 4 GiB as under wasm-nginx-module.
 */
export function memoryLimitOption() {
  return new Option(
    "--memory-limit <MiB>",
    "most memory each plugin instance may grow to; a plugin going past it fails that request by its failure policy (kind memory) and a fresh instance serves the next (default: wasm32's 4 GiB, as in nginx)",
  ).argParser(wholeNumber("a whole number of MiB", 1, 4096));
}

/** A --memory-limit in MiB as the host's limit in 64 KiB wasm pages. */
export function memoryLimitPages(mib: number | undefined): number | undefined {
  return mib === undefined ? undefined : mib * 16;
}
