// `orwasm smoke`: start the gateway and its echo upstreams in Docker, send the project's smoke checks, report.
import { relative, resolve } from "node:path";
import { Option } from "@commander-js/extra-typings";
import { loadForCommand } from "../project-arg.js";
import { chooseGateway } from "../../smoke/gateway-kind.js";
import { reportOk } from "../../checks/report.js";
import { renderJsonReport } from "../../checks/report-json.js";
import { renderJunitReport } from "../../checks/report-junit.js";
import { renderTextReport } from "../../checks/report-text.js";
import { runSmoke } from "../../smoke/runner.js";
import { newRunId, RUN_LABEL } from "../../smoke/session.js";
import { writeOutput } from "../../fs/write-output.js";
import { EXIT } from "../exit-codes.js";
import type { Register } from "../command.js";
import { jsonOption, outputOption, reportOption, wholeNumber } from "../options.js";

const renderers = { text: renderTextReport, json: renderJsonReport, junit: renderJunitReport };

export const registerSmoke: Register = (program, io, run) => {
  program
    .command("smoke")
    .description(
      "run the project's smoke checks against the gateway in Docker, with echo upstreams",
    )
    .argument("[project]", "orwasm.yaml or a folder holding one", ".")
    .addOption(
      new Option(
        "--image <image>",
        "a gateway image built by `orwasm image`, run as it is",
      ).conflicts("engineImage"),
    )
    .option(
      "--engine-image <image>",
      "an engine image (nginx + lua + wasm modules): nginx.conf and plugins are copied in at start (default: engine.image)",
    )
    .addOption(reportOption())
    .addOption(jsonOption("same as --report json"))
    .addOption(outputOption("write the report here instead of stdout"))
    .option("--keep", "leave the containers running afterwards and print how to reach them")
    .option(
      "--start-timeout <seconds>",
      "how long the gateway may take to answer",
      wholeNumber("a whole number of seconds", 1),
      60,
    )
    .addHelpText(
      "after",
      `
Each upstream marked \`mock: echo\` is stood in for by an echo container, reachable under the
host names of its \`servers\` entries; it answers every request with a JSON description of what
it received ({method, path, query, headers, body}), so checks can assert what a plugin changed on
the way up. The gateway starts on the same private Docker network, with each server's port
published; every check's request goes to its server, and the response is compared with
\`expect\` (status, headers, body; \`body: {json: ...}\` matches objects partially).

Without --image, --engine-image or engine.image, the checks run against orwasm's embedded engine
(its proxy-wasm host, mirroring wasm-nginx-module 0.7.0) in a container built locally from
debian:bookworm-slim: the same checks, on any machine with Docker.

With --engine-image, orwasm first loads a 73-byte module that grows its memory in the image's
nginx: a VM that loses a module's memory.grow (libwasmtime.so 0.38.1 built by a recent Rust,
[WASMTIME-4]) cannot run Go plugins, so a project with one is refused there (exit 2).

Nothing is pulled: images must be present locally. A gateway that exits, or whose plugins fail
to load, is reported as such with the log lines that say why.

Exit codes: 0 every check passed, 1 a check failed, 2 bad project or options, 4 the gateway
did not start (or a plugin did not load).

Examples:
  $ orwasm smoke examples/deny-list                      # the embedded engine
  $ orwasm smoke examples/deny-list --engine-image my-openresty-wasm:1.0
  $ orwasm image -t gw:dev && orwasm smoke --image gw:dev
  $ orwasm smoke --engine-image my-openresty-wasm:1.0 --report junit -o smoke.xml   # for CI
  $ orwasm smoke --engine-image my-openresty-wasm:1.0 --keep   # then curl the printed URL`,
    )
    .action((projectArg, opts) =>
      run(async () => {
        const timeout = opts.startTimeout;
        const format = opts.json ? "json" : opts.report;
        const { file, project } = await loadForCommand(projectArg, io);
        const shown = relative(io.cwd, file) || file;
        const progress = (l: string) => io.err(`${l}\n`);
        const kind = chooseGateway(opts, project.data.engine.image);
        if (project.data.smoke.length === 0) {
          io.err(`warning: ${shown} has no smoke checks; only the gateway's start is tested\n`);
        }

        // testcontainers takes half a second to import: not for the other commands.
        const { connectDocker } = await import("../../docker/client-dockerode.js");
        const docker = await connectDocker();
        const runId = newRunId();
        // An interrupted run removes what it started (nothing is left behind without --keep).
        const interrupted = () => {
          io.err(`interrupted: removing the containers of run ${runId}\n`);
          void docker.removeLabelled(RUN_LABEL, runId).finally(() => process.exit(130));
        };
        if (!opts.keep) {
          process.once("SIGINT", interrupted);
          process.once("SIGTERM", interrupted);
        }
        let result;
        try {
          result = await runSmoke(project, kind, {
            file: shown,
            docker,
            runId,
            onProgress: progress,
            keep: opts.keep ?? false,
            startTimeoutMs: timeout * 1000,
          });
        } finally {
          process.off("SIGINT", interrupted);
          process.off("SIGTERM", interrupted);
        }
        const { report } = result;
        const target = opts.output === "-" ? "-" : resolve(io.cwd, opts.output);
        await writeOutput(target, renderers[format](report), io.out);
        if (target !== "-") io.err(`wrote ${opts.output} (${format})\n`);
        if (result.keepNotice) io.err(result.keepNotice);
        if (report.startFailure) {
          const n = report.notRun.length;
          const notRun = n ? `; ${n} check${n === 1 ? "" : "s"} not run` : "";
          io.err(
            `orwasm: the gateway did not start properly: ${report.startFailure.message.split("\n")[0]}${notRun}\n`,
          );
          return EXIT.smoke;
        }
        return reportOk(report) ? EXIT.ok : EXIT.checksFailed;
      }),
    );
};
