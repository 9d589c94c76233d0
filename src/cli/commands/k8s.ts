// `orwasm k8s`: Kubernetes manifests (Deployment, Service, HPA, PDB, ConfigMap, kustomization) for a gateway image.
import { join, relative, resolve } from "node:path";
import { InternalError } from "../../errors.js";
import { loadForCommand } from "../project-arg.js";
import { defaultTarget } from "../../render/target.js";
import { dockerImages } from "../docker-images.js";
import { probeEngine } from "../../engine/probe-run.js";
import { writeDirAtomic } from "../../fs/atomic.js";
import { writeFile } from "node:fs/promises";
import { renderManifests } from "../../k8s/manifests.js";
import { validateManifests } from "../../k8s/validate.js";
import type { Register } from "../command.js";

export const registerK8s: Register = (program, io, run) => {
  program
    .command("k8s")
    .description(
      "write Kubernetes manifests for the gateway image (Deployment, Service, HPA, PDB, ConfigMap)",
    )
    .argument("[project]", "orwasm.yaml or a folder holding one", ".")
    .requiredOption(
      "-o, --output <dir>",
      "folder to write (replaced whole; must be new, empty or orwasm's)",
    )
    .requiredOption(
      "--image <ref@sha256:digest>",
      "the gateway image `orwasm image` built, pushed and named by digest",
    )
    .option(
      "--engine-image <image>",
      "the image was built with `orwasm image --engine-image`: render nginx.conf for that engine's layout (probed with Docker)",
    )
    .option("--json", "print a JSON summary (files, objects) instead of the file list")
    .addHelpText(
      "after",
      `
Settings come from the project's deployment.kubernetes section (every key has a default a
platform team would accept; see schema/orwasm.schema.json). The pod runs non-root with a
read-only root file system (emptyDirs where nginx writes), drops every capability, and is
ready only when every plugin loaded and configured in every worker (GET /orwasm/ready on the
health port answers the reasons otherwise). A rollout adds a pod before removing one, so a
plugin that cannot load stops the rollout at the first pod. Every manifest is validated
offline against the Kubernetes schemas before anything is written.

Examples:
  $ orwasm image -t registry.example/gw:1.4 && docker push registry.example/gw:1.4
  $ orwasm k8s -o deploy/ --image registry.example/gw@sha256:4f2c...e1   # 64 hex digits
  $ kubectl apply -k deploy/
  $ orwasm k8s examples/add-header -o /tmp/k8s --image gw@sha256:... --json`,
    )
    .action((projectArg, opts) =>
      run(async () => {
        const { file, project } = await loadForCommand(projectArg, io, opts);
        let nginxBin: string | undefined;
        let target = defaultTarget(project);
        if (opts.engineImage) {
          const probed = await probeEngine(await dockerImages(), opts.engineImage, project, (l) =>
            io.err(`${l}\n`),
          );
          target = probed.target;
          nginxBin = probed.nginxBin;
        }
        const files = renderManifests({
          project,
          target,
          image: opts.image,
          nginxBin,
          projectLabel: relative(io.cwd, file) || file,
        });
        const problems = validateManifests(files);
        if (problems.length)
          throw new InternalError(
            `orwasm rendered manifests Kubernetes would refuse:\n${problems.map((p) => `${p.file} ${p.object}: ${p.message}`).join("\n")}`,
          );
        const dir = resolve(io.cwd, opts.output);
        await writeDirAtomic(dir, async (tmp) => {
          for (const [name, text] of Object.entries(files)) await writeFile(join(tmp, name), text);
        });
        if (opts.json) {
          io.out(
            `${JSON.stringify({ project: file, output: dir, image: opts.image, files: Object.keys(files) }, null, 2)}\n`,
          );
          return 0;
        }
        for (const name of Object.keys(files)) io.out(`wrote ${join(opts.output, name)}\n`);
        io.err(`apply with: kubectl apply -k ${opts.output}\n`);
        return 0;
      }),
    );
};
