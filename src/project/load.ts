// The project loader (an adapter): reads the file, checks schema and rules, builds and inspects every plugin,
// and reports every problem at once with file:line:col and key path.
import { createHash } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { dirname, join, relative, resolve } from "node:path";
import { ConfigError, type Problem } from "../errors.js";
import { hostProfiles } from "../hosts/wasm-nginx-module-0.7.0.js";
import { auditPlugin } from "../inspect/audit.js";
import type { ProfileName } from "../host/engine/protocol.js";
import { higressHostProfile } from "../hosts/higress.js";
import { NotWasmError, readWasmInfo } from "../inspect/read-wasm.js";
import { importSignatures } from "../inspect/wasm-signatures.js";
import { buildTarget, targetFor } from "../plugins/index.js";
import { parseProjectText } from "./parse.js";
import type { Project, ResolvedPlugin } from "./project.js";
import { checkRules } from "./rules.js";

/** The file name looked for when a folder is given. */
export const PROJECT_FILE = "orwasm.yaml";

export interface LoadOptions {
  /** Progress lines (plugin builds). */
  onProgress?: (line: string) => void;
  /** Paths in messages are shown relative to this folder (default: the process's). */
  cwd?: string;
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

/** Accepts a project file or a folder holding orwasm.yaml; defaults to the current folder. */
export async function resolveProjectFile(arg: string | undefined, cwd: string): Promise<string> {
  const p = resolve(cwd, arg ?? ".");
  const s = await stat(p).catch(() => undefined);
  if (!s)
    throw new ConfigError([{ file: relative(cwd, p) || p, message: "no such file or folder" }]);
  if (s.isDirectory()) {
    const f = join(p, PROJECT_FILE);
    if (!(await stat(f).catch(() => undefined))) {
      throw new ConfigError([
        {
          file: relative(cwd, p) || ".",
          message: `no ${PROJECT_FILE} in this folder (run orwasm in a project folder or name the file)`,
        },
      ]);
    }
    return f;
  }
  return p;
}

export async function loadProject(file: string, opts: LoadOptions = {}): Promise<LoadedProject> {
  const cwd = opts.cwd ?? process.cwd();
  const show = (p: string) => relative(cwd, p) || p;
  const shown = show(file);
  const text = await readFile(file, "utf8").catch((err: NodeJS.ErrnoException) => {
    throw new ConfigError([{ file: shown, message: `cannot read: ${err.code ?? err.message}` }]);
  });
  const parsed = parseProjectText(text, shown);
  if (!parsed.data) throw new ConfigError(parsed.problems);
  const data = parsed.data;
  const problems = checkRules(data, shown, parsed.where);
  const warnings: Problem[] = [];
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
    } else {
      continue; // the rules reported it
    }
    const where = p.build ? at("build") : at("file");
    const bytes = await readFile(wasmPath).catch((err: NodeJS.ErrnoException) => {
      problems.push({
        ...where,
        message:
          err.code === "ENOENT"
            ? `wasm file ${show(wasmPath)} does not exist`
            : `cannot read ${wasmPath}: ${err.message}`,
      });
      return undefined;
    });
    if (!bytes) continue;
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
    });
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return { project: { file, dir, data, plugins }, warnings };
}
