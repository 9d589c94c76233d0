// The project loader (an adapter): reads the file, checks schema and rules, builds and inspects every plugin,
// and reports every problem at once with file:line:col and key path.
import { createHash } from "node:crypto";
import { stat } from "node:fs/promises";
import { dirname, join, relative, resolve } from "node:path";
import { ConfigError, type Problem } from "../errors.js";
import { hostProfiles } from "../module-abi/wasm-nginx-module-0.7.0.js";
import { auditPlugin } from "../inspect/audit.js";
import { NotWasmError, readWasmInfo } from "../inspect/read-wasm.js";
import { importSignatures } from "../inspect/wasm-signatures.js";
import { buildTarget, targetFor } from "../plugins/index.js";
import type { ProfileName } from "../proxy-host/runtime/protocol.js";
import { higressHostProfile } from "../module-abi/higress.js";
import { PROJECT_FILE_NAMES } from "../plugins/plan.js";
import { parseProjectText } from "../project/parse.js";
import type { Project, ResolvedPlugin } from "../project/project.js";
import {
  decodeUtf8,
  MAX_PLUGIN_BYTES,
  MAX_PROJECT_BYTES,
  readRegularFile,
} from "../fs/read-input.js";
import { dotted } from "../project/locate.js";
import { routeWarnings } from "../project/rules-nginx.js";
import { checkRules } from "../project/rules.js";
import {
  cachedWasmPath,
  ociCacheDir,
  pullPlugin,
  type RegistryAccess,
} from "../oci/plugin-image.js";
import { formatRef, parseImageRef } from "../oci/reference.js";

/** The file name looked for when a folder is given. */
export const PROJECT_FILE = "orwasm.yaml";

export interface LoadOptions {
  /** Progress lines (plugin builds). */
  onProgress?: (line: string) => void;
  /** Paths in messages are shown relative to this folder (default: the process's). */
  cwd?: string;
  /** Reads the image pins `orwasm lock` wrote into the project's lockfile (absolute path): tag → digest. */
  imagePins?: (lockfile: string) => Promise<Map<string, string>>;
  /** Refuse a plugin image tag that has no digest and no pin (`orwasm image`), instead of pulling the tag as it is now. */
  requirePinnedImages?: boolean;
  /** Registry access for plugin images (--insecure, Docker config); default: loopback plain, others https. */
  registry?: RegistryAccess;
  /**
   * The host the plugins are audited for: undefined = wasm-nginx-module (what conf, image and smoke deploy);
   * "project" = the project's host.profile (orwasm test/dev); or a profile given with --profile.
   */
  profile?: ProfileName | "project";
}

export interface LoadedProject {
  project: Project;
  /** Audit warnings and notes: printed, never fatal. */
  warnings: Problem[];
}

/** Accepts a project file or a folder holding orwasm.yaml (or orwasm.yml); defaults to the current folder. */
export async function resolveProjectFile(arg: string | undefined, cwd: string): Promise<string> {
  const p = resolve(cwd, arg ?? ".");
  const s = await stat(p).catch(() => undefined);
  if (!s)
    throw new ConfigError([{ file: relative(cwd, p) || p, message: "no such file or folder" }]);
  if (s.isDirectory()) {
    for (const name of PROJECT_FILE_NAMES) {
      const f = join(p, name);
      if (await stat(f).catch(() => undefined)) return f;
    }
    throw new ConfigError([
      {
        file: relative(cwd, p) || ".",
        message: `no ${PROJECT_FILE_NAMES.join(" or ")} in this folder (run orwasm in a project folder or name the file)`,
      },
    ]);
  }
  return p;
}

/** The project file's text: a regular file, at most MAX_PROJECT_BYTES, valid UTF-8; else a located problem. */
export async function readProjectText(file: string, shown: string): Promise<string> {
  const read = await readRegularFile(file, MAX_PROJECT_BYTES);
  if ("problem" in read) throw new ConfigError([{ file: shown, message: read.problem }]);
  const decoded = decodeUtf8(read.bytes, shown);
  if ("problem" in decoded) throw new ConfigError([decoded.problem]);
  return decoded.text;
}

export async function loadProject(file: string, opts: LoadOptions = {}): Promise<LoadedProject> {
  const cwd = opts.cwd ?? process.cwd();
  // Relative to the user's folder, unless that climbs out of it (then the absolute path reads better).
  const show = (p: string) => {
    const rel = relative(cwd, p);
    return rel && !rel.startsWith("..") ? rel : p;
  };
  const shown = show(file);
  const text = await readProjectText(file, shown);
  const parsed = parseProjectText(text, shown);
  if (!parsed.data) throw new ConfigError(parsed.problems);
  const data = parsed.data;
  const problems = checkRules(data, shown, parsed.where);
  const warnings: Problem[] = [];
  routeWarnings(data, (path, message) =>
    warnings.push({
      file: shown,
      ...parsed.where(path),
      path: dotted(path),
      message,
      severity: "warning",
    }),
  );
  const dir = dirname(file);
  const profile = opts.profile === "project" ? data.host.profile : opts.profile;
  const moduleHost = hostProfiles[data.engine.vm];
  if (!moduleHost) throw new Error(`no host profile for vm ${data.engine.vm}`);
  const host = profile === "higress" ? higressHostProfile(moduleHost) : moduleHost;
  const hostName =
    profile === "higress"
      ? "orwasm's higress host profile"
      : `wasm-nginx-module 0.7.0 + ${data.engine.vm}`;

  const plugins: ResolvedPlugin[] = [];
  const images = new Map<number, NonNullable<ResolvedPlugin["image"]>>();
  let pins: Promise<Map<string, string>> | undefined;
  for (const [i, p] of data.plugins.entries()) {
    const at = (...path: (string | number)[]) => ({
      file: shown,
      ...parsed.where(["plugins", i, ...path]),
      path: ["plugins", i, ...path].join("."),
    });
    let wasmPath: string;
    if (p.build) {
      const srcDir = resolve(dir, p.build.dir);
      if (!(await stat(srcDir).catch(() => undefined))?.isDirectory()) {
        problems.push({
          ...at("build", "dir"),
          message: `plugin source folder ${show(srcDir)} does not exist`,
        });
        continue;
      }
      if (problems.length > 0) continue; // do not spend a compile on a project that is already rejected
      const target = targetFor(dir, p.name, p.build);
      wasmPath = target.outFile;
      opts.onProgress?.(`building plugin ${p.name} (${p.build.lang}) from ${show(srcDir)}`);
      const built = await buildTarget(target, {
        onLog: (line) => {
          if (line.startsWith("warning:")) opts.onProgress?.(`plugin ${p.name}: ${line}`);
        },
      });
      opts.onProgress?.(
        `plugin ${p.name}: ${built.cached ? "up to date" : `built in ${Math.round(built.durationMs)} ms`} -> ${show(wasmPath)}`,
      );
    } else if (p.file) {
      wasmPath = resolve(dir, p.file);
    } else if (p.image) {
      if (problems.length > 0) continue; // do not pull for a project that is already rejected
      let ref;
      try {
        ref = parseImageRef(p.image);
      } catch (err) {
        problems.push({ ...at("image"), message: (err as Error).message });
        continue;
      }
      pins ??= opts.imagePins?.(resolve(dir, data.engine.lockfile)) ?? Promise.resolve(new Map());
      const pin = ref.digest ? undefined : (await pins).get(p.image);
      if (!ref.digest && !pin) {
        if (opts.requirePinnedImages) {
          problems.push({
            ...at("image"),
            message: `the tag ${p.image} is not pinned to a digest: run \`orwasm lock\` (it records the digest in the lockfile) or write ${p.image}@sha256:<manifest digest>`,
          });
          continue;
        }
        warnings.push({
          ...at("image"),
          severity: "warning",
          message: `the tag ${p.image} is not pinned: using whatever it names now (run \`orwasm lock\` to pin it)`,
        });
      }
      const cacheDir = ociCacheDir();
      const pulled = await pullPlugin(pin ? { ...ref, digest: pin } : ref, {
        ...opts.registry,
        cacheDir,
        onProgress: opts.onProgress,
      });
      opts.onProgress?.(
        `plugin ${p.name}: ${formatRef({ ...ref, digest: pulled.digest }, { scheme: true })} (${pulled.layout}${pulled.cached ? ", cached" : ""})`,
      );
      wasmPath = cachedWasmPath(pulled.digest, cacheDir);
      images.set(i, { ref: p.image, digest: pulled.digest, layout: pulled.layout });
    } else {
      continue; // the rules reported it
    }
    const where = p.build ? at("build") : p.image ? at("image") : at("file");
    const read = await readRegularFile(wasmPath, MAX_PLUGIN_BYTES);
    if ("problem" in read) {
      problems.push({ ...where, message: `wasm file ${show(wasmPath)} ${read.problem}` });
      continue;
    }
    const bytes = read.bytes;
    let info;
    try {
      info = readWasmInfo(bytes);
    } catch (err) {
      if (!(err instanceof NotWasmError)) throw err;
      problems.push({ ...where, message: `${show(wasmPath)} is ${err.message}` });
      continue;
    }
    for (const f of auditPlugin(info, importSignatures(bytes), host, hostName)) {
      const problem = { ...at("name"), message: `plugin ${p.name}: ${f.message}` };
      if (f.severity === "error") problems.push(problem);
      else if (f.severity === "warning") warnings.push({ ...problem, severity: "warning" });
    }
    plugins.push({
      data: p,
      wasmPath,
      sha256: createHash("sha256").update(bytes).digest("hex"),
      info,
      ...(images.has(i) ? { image: images.get(i) } : {}),
    });
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return { project: { file, dir, data, plugins }, warnings };
}
