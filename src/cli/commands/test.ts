// `orwasm test`: smoke checks and plugin test cases in the embedded proxy-wasm host: no Docker, no network.
import { resolve } from "node:path";
import { UsageError } from "../../errors.js";
import { runEmbeddedTests } from "../../gateway/test-run.js";
import { checkProfile, loadForCommand } from "../load-project.js";
import { reportOk } from "../../smoke/report.js";
import { renderJsonReport } from "../../smoke/report-json.js";
import { renderJunitReport } from "../../smoke/report-junit.js";
import { renderTextReport } from "../../smoke/report-text.js";
import { writeOutput } from "../../util/write-output.js";
import { EXIT } from "../exit-codes.js";
import type { Register } from "../command.js";

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
    .option(
      "--profile <name>",
      "host profile: wasm-nginx-module (0.7.0, exact) | envoy-like (adds shared data, queues, ticks, time) | higress (adds Redis calls, cluster names, foreign functions); default: the project's host.profile",
    )
    .option("--report <format>", "text | json | junit", "text")
    .option("-o, --output <file>", "write the report here ('-' is stdout)", "-")
    .option(
      "--deadline <ms>",
      "longest a plugin callback may run before it counts as failed",
      "2000",
    )
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
  $ orwasm test examples/go-redis-blacklist        # host.profile: higress, against a real Redis
  $ orwasm test --report junit -o reports/orwasm.xml`,
    )
    .action(
      (
        projectArg: string,
        opts: { profile?: string; report: string; output: string; deadline: string },
      ) =>
        run(async () => {
          const profile = checkProfile(opts.profile);
          const render = RENDER[opts.report as keyof typeof RENDER];
          if (!render)
            throw new UsageError(`--report must be text, json or junit (got ${opts.report})`);
          const deadlineMs = Number(opts.deadline);
          if (!Number.isInteger(deadlineMs) || deadlineMs < 0)
            throw new UsageError(
              `--deadline must be a whole number of milliseconds (got ${opts.deadline})`,
            );
          const { project } = await loadForCommand(projectArg, io, {
            profile: profile ?? "project",
          });
          if (project.data.smoke.length + project.data.tests.length === 0) {
            io.err("orwasm: the project declares no smoke checks and no tests; nothing to run\n");
          }
          const report = await runEmbeddedTests(project, projectArg, {
            profile: profile ?? project.data.host.profile,
            deadlineMs,
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
