// `orwasm dev`: the project's routes served from Node by the embedded host, reloading on change.
import { startDevServer } from "../../gateway/dev-server.js";
import { resolveProjectFile } from "../../app/load-project.js";
import type { Register } from "../command.js";
import { memoryLimitOption, memoryLimitPages, profileOption, wholeNumber } from "../options.js";

export const registerDev: Register = (program, io, run) => {
  program
    .command("dev")
    .description(
      "serve the project's routes from Node through the embedded host; rebuild and swap plugins on change",
    )
    .argument("[project]", "orwasm.yaml or a folder holding one", ".")
    .option(
      "-p, --port <n>",
      "port of the first server (the next servers take the following ports); default: each server's listen port",
      wholeNumber("a port number", 0, 65535),
    )
    .option("--host <addr>", "address to listen on", "127.0.0.1")
    .addOption(profileOption())
    .option("--no-watch", "do not watch the project and plugin sources")
    .addOption(memoryLimitOption())
    .addHelpText(
      "after",
      `
Plugins run in the same order and with the same failure policy as in the rendered nginx.conf.
Upstreams marked \`mock: echo\` answer with the request they got; others are proxied for real.
A plugin that traps, loops (deadline 2 s) or runs out of memory (--memory-limit) fails that
request by its policy; the server keeps serving. Editing orwasm.yaml, a plugin's sources or a
.wasm reloads without dropping requests in flight.

Examples:
  $ orwasm dev examples/add-header --port 9000
  $ orwasm dev --memory-limit 64
  $ curl -i localhost:9000/`,
    )
    .action((projectArg, opts) =>
      run(async () => {
        const port = opts.port;
        const file = await resolveProjectFile(projectArg, io.cwd);
        const server = await startDevServer(file, {
          port,
          host: opts.host,
          profile: opts.profile,
          watch: opts.watch,
          memoryPages: memoryLimitPages(opts.memoryLimit),
          cwd: io.cwd,
          log: (l) => io.err(`${l}\n`),
        });
        io.out(`orwasm dev: serving ${server.urls.join(", ")} (Ctrl-C to stop)\n`);
        await new Promise<void>((done) => {
          const stop = () => void server.close().then(done);
          process.once("SIGINT", stop);
          process.once("SIGTERM", stop);
        });
        return 0;
      }),
    );
};
