// Finds an npm package the way Node and asc do: in node_modules of the folder or any parent.
import { readFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";

/** A package found on disk: its folder and parsed package.json. */
export interface FoundPackage {
  dir: string;
  json: { name?: string; version?: string; bin?: string | Record<string, string> };
}

/** Looks for `node_modules/<name>/package.json` from `fromDir` upwards; undefined when absent. */
export async function findPackage(
  fromDir: string,
  name: string,
): Promise<FoundPackage | undefined> {
  let dir = resolve(fromDir);
  for (;;) {
    const pkgDir = join(dir, "node_modules", name);
    const text = await readFile(join(pkgDir, "package.json"), "utf8").catch(() => undefined);
    if (text !== undefined) {
      try {
        return { dir: pkgDir, json: JSON.parse(text) as FoundPackage["json"] };
      } catch {
        return { dir: pkgDir, json: {} };
      }
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}
