// `orwasm inspect`: what a .wasm exports and imports, and whether the chosen host can run it.
import { relative, resolve } from "node:path";
import { ConfigError } from "../../errors.js";
import { hostProfiles } from "../../module-abi/wasm-nginx-module-0.7.0.js";
import { Option } from "@commander-js/extra-typings";
import type { Finding } from "../../inspect/audit.js";
import type { WasmInfo } from "../../inspect/wasm-info.js";
import { auditModule } from "../../inspect/audit-module.js";
import { NotWasmError } from "../../inspect/read-wasm.js";
import { phasesOf } from "../../render/phases.js";
import { EXIT } from "../exit-codes.js";
import { MAX_PLUGIN_BYTES, readRegularFile } from "../../fs/read-input.js";
import type { Register } from "../command.js";

export const registerInspect: Register = (program, io, run) => {
  program
    .command("inspect")
    .description(
      "show a plugin's ABI, callbacks and nginx phases, and audit its imports against the host",
    )
    .argument("<plugin>", "a .wasm file")
    .addOption(
      new Option("--host <vm>", "the VM wasm-nginx-module 0.7.0 runs the plugin on")
        .choices(Object.keys(hostProfiles))
        .default("wasmtime"),
    )
    .option("--json", "print the result as JSON")
    .addHelpText(
      "after",
      `
Errors mean the plugin will not instantiate or cannot work on that host (exit 1);
warnings name host functions that answer UNIMPLEMENTED there.

Examples:
  $ orwasm inspect build/add_header.wasm
  $ orwasm inspect plugin.wasm --host wasmedge --json`,
    )
    .action((pluginArg, opts) =>
      run(async () => {
        const path = resolve(io.cwd, pluginArg);
        const shown = relative(io.cwd, path) || path;
        const read = await readRegularFile(path, MAX_PLUGIN_BYTES);
        if ("problem" in read) throw new ConfigError([{ file: shown, message: read.problem }]);
        const bytes = read.bytes;
        let audit;
        try {
          audit = auditModule(bytes, opts.host);
        } catch (err) {
          if (err instanceof NotWasmError)
            throw new ConfigError([{ file: shown, message: err.message }]);
          throw err;
        }
        const { info, findings, hostName } = audit;
        const host = hostProfiles[opts.host]!;
        const errors = findings.filter((f) => f.severity === "error").length;
        if (opts.json) {
          io.out(
            `${JSON.stringify({ file: path, host: host.id, abiVersion: info.abiVersion ?? null, callbacks: info.callbacks, phases: phasesOf(info), imports: info.imports, exports: info.exports, findings, ok: errors === 0 }, null, 2)}\n`,
          );
        } else {
          io.out(report(shown, hostName, info, findings));
        }
        return errors > 0 ? EXIT.checksFailed : EXIT.ok;
      }),
    );
};

function report(file: string, hostName: string, info: WasmInfo, findings: Finding[]): string {
  const phases = Object.entries(phasesOf(info))
    .filter(([, on]) => on)
    .map(([k]) => k);
  const lines = [
    `${file}`,
    `  ABI:        ${info.abiVersion ?? abiNote(info)}`,
    ...(info.toolchain ? [`  built by:   ${toolchainName(info.toolchain)}`] : []),
    `  callbacks:  ${info.callbacks.join(", ") || "(none)"}`,
    `  phases:     ${phases.join(", ") || "(none)"}`,
    `  imports:    ${info.imports.length} (${[...new Set(info.imports.map((i) => i.module))].join(", ") || "none"})`,
    `  host:       ${hostName}`,
  ];
  const mark = { error: "error  ", warning: "warning", info: "note   " } as const;
  for (const f of findings) lines.push(`  ${mark[f.severity]} ${f.message}`);
  const errors = findings.filter((f) => f.severity === "error").length;
  const warnings = findings.filter((f) => f.severity === "warning").length;
  lines.push(
    errors
      ? `FAIL: ${errors} error(s), ${warnings} warning(s)`
      : `OK: runs on ${hostName}${warnings ? ` (${warnings} warning(s))` : ""}`,
  );
  return `${lines.join("\n")}\n`;
}

/** An ABI marker the host does not know, or the absence of any. */
function abiNote(info: WasmInfo): string {
  const marker = info.exports.find((e) => e.startsWith("proxy_abi_version_"));
  return marker ? `${marker} (unknown to the host)` : "(no proxy_abi_version_* export)";
}

/** `Go go1.26.8`, `TinyGo 0.37.0`. */
function toolchainName(tc: NonNullable<WasmInfo["toolchain"]>): string {
  const name = { go: "Go", tinygo: "TinyGo", other: "another compiler" }[tc.kind];
  return tc.version ? `${name} ${tc.version}` : name;
}
