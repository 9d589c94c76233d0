// `orwasm conf`: render nginx.conf for a project (building and auditing its plugins first).
import { resolve } from "node:path";
import { UsageError } from "../../errors.js";
import { loadForCommand } from "../project-arg.js";
import { renderNginxConf } from "../../render/nginx-conf.js";
import { phasesOf } from "../../render/phases.js";
import { defaultTarget } from "../../render/target.js";
import { dockerImages } from "../docker-images.js";
import { probeEngine } from "../../engine/probe-run.js";
import { pluginRuntimePath } from "../../render/view-model.js";
import { writeOutput } from "../../fs/write-output.js";
import type { Register } from "../command.js";

export const registerConf: Register = (program, io, run) => {
  program
    .command("conf")
    .description("render nginx.conf (wasm_vm, lua glue, routes) for a project")
    .argument("[project]", "orwasm.yaml or a folder holding one", ".")
    .option("-o, --output <file>", "write here instead of stdout ('-' is stdout)", "-")
    .option(
      "--plugin-dir <dir>",
      "folder the gateway loads .wasm files from (default: gateway.pluginDir or <prefix>/nginx/wasm)",
    )
    .option(
      "--engine-image <image>",
      "render for this engine image's layout (probed with Docker: nginx -V, modules, Lua path, VM)",
    )
    .option(
      "--json",
      "print a JSON summary (config, plugins, phases, warnings) instead of the config",
    )
    .addHelpText(
      "after",
      `
Plugins declared with \`build:\` are compiled first (cached), then every plugin is audited
against the engine's host (engine.vm); problems are reported with file:line:col and exit 2.

Examples:
  $ orwasm conf examples/add-header                 # print the config
  $ orwasm conf -o build/nginx.conf                  # write it (atomically)
  $ orwasm conf --plugin-dir /etc/nginx/wasm --json  # machine-readable summary
  $ orwasm conf --engine-image my-openresty-wasm:1.0 # load_module lines, lua path, VM of that image`,
    )
    .action((projectArg, opts) =>
      run(async () => {
        const { file, project, warnings } = await loadForCommand(projectArg, io, opts);
        const target = opts.engineImage
          ? (
              await probeEngine(await dockerImages(), opts.engineImage, project, (l) =>
                io.err(`${l}\n`),
              )
            ).target
          : defaultTarget(project);
        if (opts.pluginDir && !opts.pluginDir.startsWith("/"))
          throw new UsageError(`--plugin-dir must be an absolute path (got ${opts.pluginDir})`);
        if (opts.pluginDir) target.pluginDir = opts.pluginDir.replace(/\/+$/, "");
        const conf = renderNginxConf(project, target);
        if (opts.json) {
          const summary = {
            project: file,
            output: opts.output === "-" ? null : resolve(io.cwd, opts.output),
            vm: target.vm,
            plugins: project.plugins.map((p) => ({
              name: p.data.name,
              wasm: p.wasmPath,
              runtimePath: pluginRuntimePath(target, p.data.name),
              sha256: p.sha256,
              abiVersion: p.info.abiVersion ?? null,
              phases: phasesOf(p.info),
            })),
            warnings,
            conf: opts.output === "-" ? conf : undefined,
          };
          if (opts.output !== "-")
            await writeOutput(resolve(io.cwd, opts.output), conf, io.out, opts.output);
          io.out(`${JSON.stringify(summary, null, 2)}\n`);
          return 0;
        }
        await writeOutput(
          opts.output === "-" ? "-" : resolve(io.cwd, opts.output),
          conf,
          io.out,
          opts.output,
        );
        if (opts.output !== "-") io.err(`wrote ${opts.output}\n`);
        return 0;
      }),
    );
};
