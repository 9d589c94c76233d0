#!/usr/bin/env node
// The installed entry point: runs the compiled CLI (built by `npm run build`, also on `npm ci`).
// node:wasi prints an ExperimentalWarning on first use; the embedded host relies on it on purpose.
const emitWarning = process.emitWarning;
process.emitWarning = (warning, ...rest) =>
  String(warning).includes("WASI is an experimental")
    ? undefined
    : emitWarning.call(process, warning, ...rest);

const { main } = await import("../dist/cli/main.js");

process.exitCode = await main(process.argv.slice(2));
