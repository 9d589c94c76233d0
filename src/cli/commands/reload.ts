// `orwasm reload`: new plugins and configs into a running gateway container, reloaded gracefully (nginx HUP after a
// throwaway validation, or the embedded engine's SIGHUP); a new version that is not ready leaves the old one serving.
import { loadForCommand } from "../project-arg.js";
import { defaultTarget } from "../../render/target.js";
import { dockerImages } from "../docker-images.js";
import { dockerReloadTarget } from "../../reload/docker-target.js";
import { probeEngine } from "../../engine/probe-run.js";
import { reloadGateway, type NginxLayout } from "../../reload/reload.js";
import type { Register } from "../command.js";
import { wholeNumber } from "../options.js";
import { ENGINE_IMAGE_LABEL } from "../../engine/dockerfile.js";

export const registerReload: Register = (program, io, run) => {
  program
    .command("reload")
    .description(
      "swap a running gateway container's plugins and configs without dropping a request",
    )
    .argument("[project]", "orwasm.yaml or a folder holding one", ".")
    .requiredOption("-c, --container <name>", "the running gateway container (Docker name or id)")
    .option(
      "--engine-image <image>",
      "the engine image the container's image was built on (default: its org.orwasm.engine.image label, which `orwasm image --engine-image` sets)",
    )
    .option(
      "--conf-path <path>",
      "the serving nginx.conf in the container (default: <prefix>/conf/nginx.conf)",
    )
    .option(
      "--drain <seconds>",
      "nginx: how long the serving workers answer `Connection: close` before the HUP, so keep-alive clients move to new connections",
      wholeNumber("a whole number of seconds", 0, 60),
      1,
    )
    .option("--json", "print a JSON result")
    .addHelpText(
      "after",
      `
nginx: the new plugins go to /tmp/orwasm-gen-<id>/ in the container, and a copy of the new
nginx.conf that listens on unix sockets only is started in a throwaway nginx there, because a
wasm plugin loads in init_worker (nginx -t never runs it, and a HUP keeps the old workers only
when the conf does not parse). Only when its worker reports every plugin loaded and configured
is the serving nginx.conf replaced and nginx sent SIGHUP: new workers load the new plugins, old
workers finish their requests and exit; the command returns once they are gone. Before the
HUP the serving workers answer "Connection: close" for --drain seconds: an old nginx worker
that quits closes its idle keep-alive connections even when a request has just arrived on one,
so clients are moved to new connections first.
Embedded engine (orwasm/embedded images): the files are replaced and the engine reloads on
SIGHUP, keeping the previous version when the new one is not ready (the files are put back).
A refused reload exits 2 with the plugin's reason; the gateway kept serving the old version.
On Kubernetes prefer a rolling update (orwasm k8s with the new image digest): see docs/kubernetes.md.

Examples:
  $ orwasm reload -c my-gateway                       # the project in this folder
  $ orwasm reload examples/add-header -c gw --json
  $ orwasm reload -c gw --engine-image my-openresty-wasm:1.0`,
    )
    .action((projectArg, opts) =>
      run(async () => {
        const { project } = await loadForCommand(projectArg, io, opts);
        const c = await dockerReloadTarget(opts.container);
        // An image `orwasm image --engine-image` built says which engine image it stands on.
        const engineImage = opts.engineImage ?? (await c.imageLabels())[ENGINE_IMAGE_LABEL];
        let layout: NginxLayout;
        if (engineImage) {
          const probed = await probeEngine(await dockerImages(), engineImage, project, (l) =>
            io.err(`${l}\n`),
          );
          layout = {
            target: probed.target,
            confPath: probed.confPath,
            nginxBin: probed.nginxBin,
          };
        } else {
          const target = defaultTarget(project);
          layout = { target, confPath: `${target.prefix}/conf/nginx.conf`, nginxBin: "nginx" };
        }
        if (opts.confPath) layout.confPath = opts.confPath;
        const result = await reloadGateway(c, project, layout, {
          onLine: (l) => io.err(`${l}\n`),
          drainSeconds: opts.drain,
        });
        if (opts.json) {
          io.out(`${JSON.stringify({ container: opts.container, ...result }, null, 2)}\n`);
          return 0;
        }
        io.out(
          `reloaded ${opts.container} (${result.engine}) to generation ${result.generation} in ${Math.round(result.ms)} ms\n`,
        );
        return 0;
      }),
    );
};
