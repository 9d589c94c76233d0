// `orwasm wasmplugin`: the project's plugins as Istio or Higress WasmPlugin resources, validated before they are written.
import { relative, resolve } from "node:path";
import { ConfigError, type Problem } from "../../errors.js";
import { readLockfile } from "../../engine/project-file.js";
import { readProjectText, resolveProjectFile } from "../../app/load-project.js";
import { dotted } from "../../project/locate.js";
import { parseProjectText } from "../../project/parse.js";
import { checkRules } from "../../project/rules.js";
import {
  renderWasmPluginYaml,
  wasmPluginResources,
  type WasmPluginTarget,
} from "../../render/wasmplugin.js";
import { validateWasmPlugin } from "../../render/wasmplugin-validate.js";
import { writeOutput } from "../../fs/write-output.js";
import type { Register } from "../command.js";
import { Option } from "@commander-js/extra-typings";
import { jsonOption, outputOption } from "../options.js";

const HELP = `
Writes one WasmPlugin per plugin of the project, for the gateway that pulls it:
  url, sha256      from plugins[].image (oci://, with the image manifest's digest, which is
                   what Istio and Higress compare sha256 with); a tag is pinned by \`orwasm lock\`
  pluginName       the plugin's rootId (or name)
  pluginConfig     (Istio) / defaultConfig (Higress): the plugin's config, as an object
  matchRules       (Higress) one per route that gives the plugin its own config, on the Ingress
                   deployment.higress.ingress names for the route's path
  failStrategy     FAIL_CLOSE or FAIL_OPEN from failure; priority; phase (AUTHN, AUTHZ, STATS)
  selector / targetRefs, namespace, imagePullPolicy, imagePullSecret: from deployment.istio
                   or deployment.higress
Every resource is validated offline (Istio: @kubernetes-models/istio; Higress: the JSON schema
of its CRD) before anything is written. The YAML is YAML 1.1-safe (what kubectl reads):
values such as an all-digit hash or \`on\` are quoted.

Examples:
  $ orwasm wasmplugin --for istio | kubectl apply -f -
  $ orwasm wasmplugin examples/add-header --for higress -o deploy/wasmplugins.yaml
  $ orwasm wasmplugin --for istio --json`;

export const registerWasmPlugin: Register = (program, io, run) => {
  program
    .command("wasmplugin")
    .description("write the project's plugins as Istio or Higress WasmPlugin resources")
    .argument("[project]", "orwasm.yaml or a folder holding one", ".")
    .addOption(
      new Option("--for <gateway>", "the mesh gateway that reads the resources")
        .choices(["istio", "higress"] as const)
        .makeOptionMandatory(),
    )
    .addOption(outputOption("write here instead of stdout"))
    .addOption(jsonOption("print the resources as a JSON list instead of YAML"))
    .addHelpText("after", HELP)
    .action((projectArg, opts) =>
      run(async () => {
        const target: WasmPluginTarget = opts.for;
        const file = await resolveProjectFile(projectArg, io.cwd);
        const shown = relative(io.cwd, file) || file;
        const text = await readProjectText(file, shown);
        const parsed = parseProjectText(text, shown);
        if (!parsed.data) throw new ConfigError(parsed.problems);
        const data = parsed.data;
        const ruleProblems = checkRules(data, shown, parsed.where);
        if (ruleProblems.length) throw new ConfigError(ruleProblems);
        const lock = await readLockfile(resolve(file, "..", data.engine.lockfile));
        const pins = new Map((lock?.images ?? []).map((i) => [i.image, i.digest]));
        const { resources, problems } = wasmPluginResources(data, target, pins);
        if (problems.length) {
          throw new ConfigError(
            problems.map((p): Problem => ({
              file: shown,
              ...parsed.where(p.path, p.atKey),
              path: dotted(p.path),
              message: p.message,
            })),
          );
        }
        const invalid = resources.flatMap((r) =>
          validateWasmPlugin(r, target).map((m): Problem => ({
            file: shown,
            message: `the WasmPlugin ${(r.metadata as { name: string }).name} fails the ${target} schema: ${m}`,
          })),
        );
        if (invalid.length) throw new ConfigError(invalid);
        const out = opts.json
          ? `${JSON.stringify(resources, null, 2)}\n`
          : renderWasmPluginYaml(
              resources,
              `WasmPlugin resources for ${target === "istio" ? "Istio" : "Higress"}, written by \`orwasm wasmplugin --for ${target}\` from ${shown}.\nEdit the project and render again rather than editing this file.`,
            );
        await writeOutput(opts.output === "-" ? "-" : resolve(io.cwd, opts.output), out, io.out);
        if (opts.output !== "-")
          io.err(`wrote ${opts.output} (${resources.length} WasmPlugin resources)\n`);
        return 0;
      }),
    );
};
