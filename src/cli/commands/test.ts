// `orwasm test`: smoke checks and plugin test cases in the embedded proxy-wasm host: no Docker, no network.
import { resolve } from "node:path";
import { runEmbeddedTests } from "../../gateway/test-run.js";
import { loadForCommand } from "../project-arg.js";
import { reportOk } from "../../checks/report.js";
import { renderJsonReport } from "../../checks/report-json.js";
import { renderJunitReport } from "../../checks/report-junit.js";
import { renderTextReport } from "../../checks/report-text.js";
import { writeOutput } from "../../fs/write-output.js";
import { EXIT } from "../exit-codes.js";
import type { Register } from "../command.js";
import {
  jsonOption,
  memoryLimitOption,
  memoryLimitPages,
  outputOption,
  profileOption,
  reportOption,
  wholeNumber,
} from "../options.js";

const RENDER = {
  text: renderTextReport,
  json: renderJsonReport,
  junit: renderJunitReport,
} as const;

export const registerTest: Register = (program, io, run) => {
  program
    .command("test")
    .description(
      "run the project's smoke checks and plugin tests in orwasm's embedded host (no gateway, no Docker)",
    )
    .argument("[project]", "orwasm.yaml or a folder holding one", ".")
    .addOption(profileOption())
    .addOption(reportOption())
    .addOption(jsonOption("same as --report json"))
    .addOption(outputOption("write the report here"))
    .option(
      "--deadline <ms>",
      "longest a plugin callback may run before it counts as failed",
      wholeNumber("a whole number of milliseconds", 1),
      2000,
    )
    .addOption(memoryLimitOption())
    .addHelpText(
      "after",
      `
Smoke checks (smoke:) go through the project's routes exactly as the rendered nginx.conf
routes them; plugin tests (tests:) run a list of plugins over one request with a canned
upstream answer and canned proxy_http_call answers. Exit 0 when all pass, 1 otherwise.

Example test case in orwasm.yaml:
  tests:
    - name: denies /admin
      plugins: [deny_list]
      request: { path: /admin }
      expect: { status: 403, reachedUpstream: false }

Examples:
  $ orwasm test examples/deny-list
  $ orwasm test --report junit -o reports/orwasm.xml
  $ orwasm test --memory-limit 64
  $ orwasm test --json | jq '.checks[] | select(.passed | not) | .name'`,
    )
    .action((projectArg, opts) =>
      run(async () => {
        const render = RENDER[opts.json ? "json" : opts.report];
        const deadlineMs = opts.deadline;
        const { project } = await loadForCommand(projectArg, io, {
          profile: opts.profile ?? "project",
        });
        if (project.data.smoke.length + project.data.tests.length === 0) {
          io.err("orwasm: the project declares no smoke checks and no tests; nothing to run\n");
        }
        const report = await runEmbeddedTests(project, projectArg, {
          profile: opts.profile ?? project.data.host.profile,
          deadlineMs,
          memoryPages: memoryLimitPages(opts.memoryLimit),
        });
        await writeOutput(
          opts.output === "-" ? "-" : resolve(io.cwd, opts.output),
          render(report),
          io.out,
        );
        return reportOk(report) ? EXIT.ok : EXIT.checksFailed;
      }),
    );
};
