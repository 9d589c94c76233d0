// `orwasm build-script`: write the standalone build.sh that builds this project's engine with verified sources.
import { dirname, relative, resolve } from "node:path";
import { artifactKey } from "../../engine/artifacts.js";
import { writeFileAtomic } from "../../fs/atomic.js";
import { renderBuildScript } from "../../engine/build-script.js";
import { lockfilePath, readLockfile, readProjectFile } from "../../engine/project-file.js";
import { conflictWarnings, resolveArtifacts, unpinnedMessage } from "../../engine/resolve.js";
import { resolveProjectFile } from "../../app/load-project.js";
import type { Register } from "../command.js";

export const registerBuildScript: Register = (program, io, run) => {
  program
    .command("build-script")
    .description("write build.sh: builds OpenResty + wasm-nginx-module from sha256-pinned sources")
    .argument("[project]", "orwasm.yaml or a folder holding one", ".")
    .option("-o, --output <file>", "write the script here ('-' is stdout)", "-")
    .addHelpText(
      "after",
      `
The script is plain bash in the style of OpenResty builds: OR_VER, WNM_VER, OR_PREFIX, cc_opt,
ld_opt, luajit_xcflags, debug_args and MAKE_JOBS at the top can be overridden from the
environment. Every file it downloads is checked with sha256sum against the pins from orwasm.lock
before it is extracted; run \`orwasm lock\` first so every artifact is pinned.

Examples:
  $ orwasm build-script -o build.sh && sudo bash build.sh
  $ ORWASM_SOURCES=/srv/sources bash build.sh      # offline, from a folder of upstream files
  $ ORWASM_DRY_RUN=1 bash build.sh                 # show the files and the ./configure command`,
    )
    .action((projectArg, opts) =>
      run(async () => {
        const file = await resolveProjectFile(projectArg, io.cwd);
        const project = await readProjectFile(file, relative(io.cwd, file) || file);
        const lockPath = lockfilePath(project);
        const artifacts = resolveArtifacts(project.data.engine, await readLockfile(lockPath));
        const out = opts.output === "-" ? undefined : resolve(io.cwd, opts.output);
        const mirror = project.data.engine.mirror;
        const script = renderBuildScript({
          engine: project.data.engine,
          artifacts,
          projectLabel: relative(out ? dirname(out) : io.cwd, project.file) || project.file,
          mirror: mirror && !/^https?:\/\//.test(mirror) ? resolve(project.dir, mirror) : mirror,
        });
        for (const w of conflictWarnings(artifacts, relative(io.cwd, lockPath) || lockPath)) {
          io.err(`orwasm: warning: ${w}\n`);
        }
        for (const a of artifacts.filter((x) => x.sha256 === null)) {
          io.err(`orwasm: warning: ${artifactKey(a)}: ${unpinnedMessage(a)}\n`);
        }
        if (!out) {
          io.out(script);
          return 0;
        }
        await writeFileAtomic(out, script, 0o755);
        io.err(`wrote ${opts.output}\n`);
        return 0;
      }),
    );
};
