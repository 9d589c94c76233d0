// `orwasm lock`: pin the sha256 of every engine artifact in orwasm.lock (downloaded, or read from a mirror).
import { relative } from "node:path";
import { writeFileAtomic } from "../../fs/atomic.js";
import { defaultCacheDir } from "../../engine/cache.js";
import { lockArtifacts } from "../../engine/lock.js";
import { serializeLockfile } from "../../engine/lockfile.js";
import { parseMirror } from "../../engine/obtain.js";
import { lockfilePath, readLockfile, readProjectFile } from "../../engine/project-file.js";
import { resolveProjectFile } from "../../app/load-project.js";
import type { Register } from "../command.js";

export const registerLock: Register = (program, io, run) => {
  program
    .command("lock")
    .description("pin the sha256 of every engine source artifact in orwasm.lock")
    .argument("[project]", "orwasm.yaml or a folder holding one", ".")
    .option(
      "--mirror <dir|url>",
      "read artifacts from this folder or base URL (by upstream file name) instead of upstream",
    )
    .option("--json", "print the pinned artifacts as JSON")
    .addHelpText(
      "after",
      `
Reads every artifact the engine needs (OpenResty, wasm-nginx-module, the VM's C library for
x86_64 and aarch64, lua-resty-http), checks each against the pin it already has (orwasm.lock, or
the checksums orwasm ships), and writes orwasm.lock (engine.lockfile) all at once. A file whose
bytes differ from its pin stops the run with both hashes and nothing is written. Review the
lockfile's changes like code and commit it: \`orwasm image\` and build.sh refuse unpinned files.

Examples:
  $ orwasm lock                                   # download from upstream
  $ orwasm lock --mirror /srv/mirror/orwasm       # a folder with the upstream files
  $ orwasm lock --mirror https://mirror.internal/orwasm --json`,
    )
    .action((projectArg, opts) =>
      run(async () => {
        const file = await resolveProjectFile(projectArg, io.cwd);
        const project = await readProjectFile(file, relative(io.cwd, file) || file);
        const lockPath = lockfilePath(project);
        const shown = relative(io.cwd, lockPath) || lockPath;
        const existing = await readLockfile(lockPath);
        const mirrorValue = opts.mirror ?? project.data.engine.mirror;
        const mirror = mirrorValue
          ? parseMirror(mirrorValue, opts.mirror ? io.cwd : project.dir)
          : undefined;
        const { lockfile, outcomes } = await lockArtifacts(project.data.engine, existing, {
          mirror,
          cacheDir: defaultCacheDir(),
          lockfilePath: shown,
          onProgress: (e) => {
            if (e.phase === "start") io.err(`[${e.index + 1}/${e.total}] ${e.file}\n`);
          },
        });
        await writeFileAtomic(lockPath, serializeLockfile(lockfile));
        if (opts.json) {
          io.out(`${JSON.stringify({ lockfile: lockPath, artifacts: outcomes }, null, 2)}\n`);
          return 0;
        }
        for (const o of outcomes) {
          const what = o.status === "new" ? "pinned" : `verified (${o.pinnedBy} pin)`;
          io.out(`${o.key.padEnd(24)} ${o.file}  ${what}  sha256 ${o.sha256}\n`);
        }
        io.out(`wrote ${shown} (${outcomes.length} artifacts)\n`);
        return 0;
      }),
    );
};
