// `orwasm plugin push` and `orwasm plugin pull`: plugins as OCI images that Istio, Higress and orwasm projects pull.
import { readFile, stat } from "node:fs/promises";
import { basename, dirname, join, relative, resolve } from "node:path";
import { InternalError, UsageError } from "../../errors.js";
import { NotWasmError, readWasmInfo } from "../../inspect/read-wasm.js";
import type { PluginExtras } from "../../oci/layout.js";
import { ociCacheDir, pullPlugin, pushPlugin } from "../../oci/plugin-image.js";
import { formatRef, parseImageRef } from "../../oci/reference.js";
import { writeFileAtomic } from "../../fs/atomic.js";
import type { Register } from "../command.js";
import { Option, type CommandUnknownOpts } from "@commander-js/extra-typings";
import { jsonOption, wholeNumber } from "../options.js";
import type { CliIO } from "../io.js";
import { loadForCommand } from "../project-arg.js";

const PUSH_HELP = `
PLUGIN is a .wasm file, or the name of a plugin in the project (--project, default: the
current folder), which is built first when it declares \`build:\`.

Formats (both are read by Istio, Higress and orwasm):
  image  (default) an OCI image whose last layer is application/vnd.oci.image.layer.v1.tar+gzip
         holding plugin.wasm, with spec.yaml and README.md layers first when the plugin has them
         (Higress' layout)
  wasm   the wasm artifact: a config layer and the module as
         application/vnd.module.wasm.content.layer.v1+wasm

The same plugin always gives the same manifest digest; blobs the registry has are not sent
again. Credentials come from the Docker config (~/.docker/config.json or $DOCKER_CONFIG: auths,
credHelpers, credsStore), as \`docker login\` writes them. Plain HTTP is used only for a
registry on loopback, or with --insecure. Prints the manifest digest: use it in
plugins[].image (oci://REPO:TAG@sha256:...) or let \`orwasm lock\` pin the tag.

Examples:
  $ orwasm plugin push build/add_header.wasm oci://registry.example/plugins/add-header:1.0
  $ orwasm plugin push add_header 127.0.0.1:5000/plugins/add-header:dev --format wasm
  $ orwasm plugin push add_header registry.internal:5000/p/add-header:1 --insecure --json
`;

const PULL_HELP = `
Reads every layout Istio reads: an OCI image with plugin.wasm in its last (tar+gzip) layer, a
Docker image with plugin.wasm in its last layer, and the wasm artifact. The manifest and every
blob are checked against their digests. REPO@sha256:D is served from the cache (by digest)
when it is there; REPO:TAG@sha256:D checks that the tag still names D (as Istio does) and
refuses it otherwise, naming both digests.

Examples:
  $ orwasm plugin pull oci://registry.example/plugins/add-header:1.0 -o add_header.wasm
  $ orwasm plugin pull 127.0.0.1:5000/plugins/add-header@sha256:4f0c... --json
`;

/** Adds `push` and `pull` to the `plugin` group that registerPlugin created. */
export const registerPluginOci: Register = (program, io, run) => {
  const plugin = program.commands.find((c) => c.name() === "plugin");
  if (!plugin)
    throw new InternalError("the plugin command group must be registered before push/pull");
  plugin.description("build proxy-wasm plugins, and push and pull them as OCI images");
  declarePush(plugin).action((p, ref, flags) => run(() => push(p, ref, flags, io)));
  declarePull(plugin).action((ref, flags) => run(() => pull(ref, flags, io)));
};

/** `plugin push`: the one declaration its flags' type comes from. */
function declarePush(plugin: CommandUnknownOpts) {
  return plugin
    .command("push")
    .description("push a plugin to a registry as an OCI image (Istio, Higress and orwasm read it)")
    .argument("<plugin>", "a .wasm file, or a plugin name of the project")
    .argument("<ref>", "[oci://]REGISTRY/REPO:TAG")
    .addOption(
      new Option(
        "--format <format>",
        "image (tar+gzip layer with plugin.wasm) or wasm (wasm artifact)",
      )
        .choices(["image", "wasm"] as const)
        .default("image" as const),
    )
    .option("--project <path>", "the project whose plugin PLUGIN names", ".")
    .option("--spec <file>", "a spec.yaml to add as a layer (Higress plugin metadata)")
    .option("--readme <file>", "a README.md to add as a layer")
    .option("--insecure", "allow plain HTTP to a registry that is not on loopback")
    .option(
      "--chunk-size <bytes>",
      "upload blobs larger than this in chunks of this size",
      wholeNumber("a whole number of bytes", 1024),
      8 * 1024 * 1024,
    )
    .addOption(jsonOption("print the result as JSON on stdout"))
    .addHelpText("after", PUSH_HELP);
}

/** `plugin pull`: the one declaration its flags' type comes from. */
function declarePull(plugin: CommandUnknownOpts) {
  return plugin
    .command("pull")
    .description("pull a plugin image and write its .wasm (digest-verified, cached by digest)")
    .argument("<ref>", "[oci://]REGISTRY/REPO:TAG, REPO@sha256:..., or REPO:TAG@sha256:...")
    .option("-o, --output <file>", "where to write the .wasm (default: <repo name>.wasm)")
    .option("--insecure", "allow plain HTTP to a registry that is not on loopback")
    .addOption(jsonOption("print the result as JSON on stdout"))
    .addHelpText("after", PULL_HELP);
}

type PushFlags = ReturnType<ReturnType<typeof declarePush>["opts"]>;
type PullFlags = ReturnType<ReturnType<typeof declarePull>["opts"]>;

async function push(
  pluginArg: string,
  refArg: string,
  flags: PushFlags,
  io: CliIO,
): Promise<number> {
  const chunkSize = flags.chunkSize;
  const ref = parseImageRef(refArg);
  if (!ref.tag) throw new UsageError(`${refArg}: give a tag to push to (REPO:TAG)`);
  const { wasmPath, extraDir } = await locatePlugin(pluginArg, flags.project, io);
  const wasm = new Uint8Array(await readFile(wasmPath));
  try {
    readWasmInfo(wasm);
  } catch (err) {
    if (err instanceof NotWasmError)
      throw new UsageError(`${relative(io.cwd, wasmPath) || wasmPath} is ${err.message}`);
    throw err;
  }
  const extras: PluginExtras = {};
  const spec = flags.spec ? resolve(io.cwd, flags.spec) : extraDir && join(extraDir, "spec.yaml");
  const readme = flags.readme
    ? resolve(io.cwd, flags.readme)
    : extraDir && join(extraDir, "README.md");
  if (flags.format === "image") {
    if (spec) extras.specYaml = await optionalFile(spec, !!flags.spec);
    if (readme) extras.readme = await optionalFile(readme, !!flags.readme);
  } else if (flags.spec || flags.readme) {
    throw new UsageError(
      "--spec and --readme add layers to --format image only (the wasm artifact has exactly two layers)",
    );
  }
  io.err(
    `pushing ${relative(io.cwd, wasmPath) || wasmPath} (${wasm.length} bytes) to ${formatRef(ref)} as ${flags.format}\n`,
  );
  const result = await pushPlugin(wasm, ref, {
    format: flags.format,
    extras,
    insecure: flags.insecure,
    chunkSize,
    onProgress: (l) => io.err(`${l}\n`),
  });
  if (flags.json) {
    io.out(
      `${JSON.stringify({ ...result, image: `oci://${result.ref}@${result.digest}` }, null, 2)}\n`,
    );
  } else {
    io.out(`${result.digest}\n`);
    io.err(`pushed; in orwasm.yaml: image: oci://${result.ref}@${result.digest}\n`);
  }
  return 0;
}

/** A .wasm path as given, or a project plugin's (built or pulled first); extras are looked for in its folder. */
async function locatePlugin(
  arg: string,
  project: string,
  io: CliIO,
): Promise<{ wasmPath: string; extraDir?: string }> {
  const asFile = resolve(io.cwd, arg);
  if (arg.endsWith(".wasm") || (await stat(asFile).catch(() => undefined))?.isFile()) {
    if (!(await stat(asFile).catch(() => undefined))) throw new UsageError(`no such file: ${arg}`);
    return { wasmPath: asFile, extraDir: dirname(asFile) };
  }
  const { project: p } = await loadForCommand(project, io);
  const found = p.plugins.find((x) => x.data.name === arg);
  if (!found)
    throw new UsageError(
      `${arg} is neither a .wasm file nor a plugin of ${relative(io.cwd, p.file) || p.file} (plugins: ${p.plugins.map((x) => x.data.name).join(", ") || "none"})`,
    );
  const extraDir = found.data.build ? resolve(p.dir, found.data.build.dir) : undefined;
  return { wasmPath: found.wasmPath, extraDir };
}

async function optionalFile(path: string, required: boolean): Promise<Uint8Array | undefined> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (err) {
    if (!required && (err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new UsageError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? "error"}`);
  }
}

async function pull(refArg: string, flags: PullFlags, io: CliIO): Promise<number> {
  const ref = parseImageRef(refArg);
  const out = resolve(io.cwd, flags.output ?? `${basename(ref.repository)}.wasm`);
  const result = await pullPlugin(ref, {
    insecure: flags.insecure,
    cacheDir: ociCacheDir(),
    onProgress: (l) => io.err(`${l}\n`),
  });
  await writeFileAtomic(out, result.wasm);
  const shown = relative(io.cwd, out) || out;
  if (flags.json) {
    io.out(
      `${JSON.stringify(
        {
          image: `oci://${formatRef({ ...ref, digest: result.digest })}`,
          digest: result.digest,
          layout: result.layout,
          cached: result.cached,
          output: out,
          bytes: result.wasm.length,
          sha256: result.wasmSha256,
        },
        null,
        2,
      )}\n`,
    );
  } else {
    io.out(`${result.digest}\n`);
    io.err(
      `wrote ${shown} (${result.wasm.length} bytes, ${result.layout}${result.cached ? ", from the cache" : ""}); sha256 ${result.wasmSha256}\n`,
    );
  }
  return 0;
}
