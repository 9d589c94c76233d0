// `orwasm lock`: pin the sha256 of every engine artifact in orwasm.lock (downloaded, or read from a mirror).
import { relative } from "node:path";
import { writeFileAtomic } from "../../fs/atomic.js";
import { defaultCacheDir } from "../../engine/cache.js";
import { lockArtifacts, type LockOutcome } from "../../engine/lock.js";
import { LOCKFILE_VERSION, serializeLockfile, type Lockfile } from "../../engine/lockfile.js";
import { pinImages } from "../../oci/pin.js";
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
    .option("--images-only", "pin only the plugin images (plugins[].image tags), not the engine")
    .option("--update-images", "re-pin plugin image tags that now name another digest")
    .option("--insecure", "allow plain HTTP to image registries that are not on loopback")
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
  $ orwasm lock --mirror https://mirror.internal/orwasm --json
  $ orwasm lock --images-only                     # pin plugins[].image tags to their digests

Plugin images named by tag (oci://REGISTRY/REPO:TAG) are pinned to their manifest digest in the
lockfile's \`images\`; \`orwasm image\` refuses a tag that is not pinned. A pin is kept when the tag
moves later (the run says so); --update-images takes the new digest.`,
    )
    .action((projectArg, opts) =>
      run(async () => {
        const file = await resolveProjectFile(projectArg, io.cwd);
        const project = await readProjectFile(file, relative(io.cwd, file) || file);
        const lockPath = lockfilePath(project);
        const shown = relative(io.cwd, lockPath) || lockPath;
        const existing = await readLockfile(lockPath);
        const images = await pinImages(
          project.data.plugins.flatMap((p) => (p.image ? [p.image] : [])),
          existing?.images,
          {
            insecure: opts.insecure,
            update: opts.updateImages,
            onProgress: (l) => io.err(`${l}\n`),
          },
        );
        let lockfile: Lockfile;
        let outcomes: LockOutcome[] = [];
        if (opts.imagesOnly) {
          lockfile = { lockfileVersion: LOCKFILE_VERSION, artifacts: existing?.artifacts ?? [] };
        } else {
          const mirrorValue = opts.mirror ?? project.data.engine.mirror;
          const mirror = mirrorValue
            ? parseMirror(mirrorValue, opts.mirror ? io.cwd : project.dir)
            : undefined;
          ({ lockfile, outcomes } = await lockArtifacts(project.data.engine, existing, {
            mirror,
            cacheDir: defaultCacheDir(),
            lockfilePath: shown,
            onProgress: (e) => {
              if (e.phase === "start") io.err(`[${e.index + 1}/${e.total}] ${e.file}\n`);
            },
          }));
        }
        if (images.pins.length) lockfile.images = images.pins;
        await writeFileAtomic(lockPath, serializeLockfile(lockfile));
        if (opts.json) {
          io.out(
            `${JSON.stringify({ lockfile: lockPath, artifacts: outcomes, images: images.outcomes }, null, 2)}\n`,
          );
          return 0;
        }
        for (const o of outcomes) {
          const what = o.status === "new" ? "pinned" : `verified (${o.pinnedBy} pin)`;
          io.out(`${o.key.padEnd(24)} ${o.file}  ${what}  sha256 ${o.sha256}\n`);
        }
        for (const o of images.outcomes) {
          const what = {
            new: "pinned",
            kept: "pin unchanged",
            updated: `re-pinned (was ${o.other})`,
            moved: `pin kept; the tag now names ${o.other} (--update-images takes it)`,
          }[o.status];
          io.out(`${o.image}  ${what}  ${o.digest}\n`);
        }
        io.out(
          `wrote ${shown} (${outcomes.length} artifacts, ${images.outcomes.length} plugin images)\n`,
        );
        return 0;
      }),
    );
};
