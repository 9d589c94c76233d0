// The build cache key: a hash of everything a plugin build reads, so an unchanged plugin is not recompiled.
import { createHash } from "node:crypto";
import { readdir, readFile, stat } from "node:fs/promises";
import { join, relative, resolve, sep } from "node:path";
import { findPackage } from "./find-package.js";

/** Files next to package.json that pin what gets installed. */
const LOCKFILES = ["package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml"];
/** Folders never hashed: installed packages, build output, VCS and tool state. */
const SKIP_DIRS = new Set(["node_modules", "build"]);

/** What the key covers besides the source tree. */
export interface SourceHashInput {
  /** The plugin folder (holds package.json). */
  dir: string;
  /** The folder tree the sources live in (the entry's folder). */
  sourceDir: string;
  /** Compiler version, command line and anything else that changes the output. */
  recipe: unknown;
  /** Absolute paths to leave out (the output and its stamp, when they sit in the tree). */
  exclude: readonly string[];
}

/**
 * sha256 over: the source tree (minus node_modules, build and dot-folders), package.json,
 * asconfig.json, a lockfile in the folder, the installed version of every declared dependency,
 * and the recipe. Files imported from outside the source tree are not covered.
 */
export async function hashPluginSources(input: SourceHashInput): Promise<string> {
  const h = createHash("sha256");
  const exclude = new Set(input.exclude.map((p) => resolve(p)));
  const add = (label: string, data: string | Buffer) => {
    h.update(`${label}\0${data.length}\0`);
    h.update(data);
  };
  add("recipe", JSON.stringify(input.recipe));

  const files = (await listTree(resolve(input.sourceDir))).filter((f) => !exclude.has(f));
  for (const f of ["package.json", "asconfig.json", ...LOCKFILES]) {
    const abs = resolve(input.dir, f);
    if (!files.includes(abs) && (await isFile(abs))) files.push(abs);
  }
  for (const f of files.sort()) {
    add(`file:${relative(input.dir, f).split(sep).join("/")}`, await readFile(f));
  }

  for (const [name, version] of await dependencyVersions(input.dir)) {
    add(`dep:${name}`, version);
  }
  return h.digest("hex");
}

/** Installed version of every dependency package.json declares ("missing" when not installed). */
async function dependencyVersions(dir: string): Promise<[string, string][]> {
  let pkg: Record<string, unknown>;
  try {
    pkg = JSON.parse(await readFile(join(dir, "package.json"), "utf8")) as Record<string, unknown>;
  } catch {
    return [];
  }
  const names = new Set<string>();
  for (const field of ["dependencies", "devDependencies", "peerDependencies"]) {
    const deps = pkg[field];
    if (deps && typeof deps === "object") for (const n of Object.keys(deps)) names.add(n);
  }
  const out: [string, string][] = [];
  for (const name of [...names].sort()) {
    const found = await findPackage(dir, name);
    out.push([name, found ? (found.json.version ?? "unknown") : "missing"]);
  }
  return out;
}

async function listTree(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string) => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      if (e.name.startsWith(".")) continue;
      const abs = join(dir, e.name);
      if (e.isDirectory()) {
        if (!SKIP_DIRS.has(e.name)) await walk(abs);
      } else if (e.isFile() || (e.isSymbolicLink() && (await isFile(abs)))) {
        out.push(abs);
      }
    }
  };
  await walk(root);
  return out;
}

async function isFile(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isFile(),
    () => false,
  );
}
