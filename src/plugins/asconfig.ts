// Reads the plugin's asconfig.json (asc's own config file) to see whether it wires its own abort handler.
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { BuildError } from "../errors.js";

/** The parts of an asconfig.json orwasm looks at. */
export interface AsConfig {
  extends?: string;
  options?: { use?: string[] | string };
  targets?: Record<string, { use?: string[] | string } | undefined>;
}

/** True when the config chain sets `--use abort=...` for the release target (what asc applies by default). */
export function declaresAbort(chain: readonly AsConfig[]): boolean {
  const uses = (u: string[] | string | undefined): string[] =>
    u === undefined ? [] : Array.isArray(u) ? u : u.split(",");
  return chain.some((c) =>
    [...uses(c.options?.use), ...uses(c.targets?.["release"]?.use)].some((u) =>
      u.trim().startsWith("abort="),
    ),
  );
}

/** `<dir>/asconfig.json` and the files it extends, nearest first; empty when there is none. */
export async function readAsConfigChain(dir: string): Promise<AsConfig[]> {
  const chain: AsConfig[] = [];
  const seen = new Set<string>();
  let file: string | undefined = join(dir, "asconfig.json");
  while (file && !seen.has(file)) {
    seen.add(file);
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch {
      if (chain.length === 0) return chain;
      throw new BuildError(`${[...seen].at(-2)} extends ${file}, which cannot be read`);
    }
    let config: AsConfig;
    try {
      config = JSON.parse(text) as AsConfig;
    } catch (err) {
      throw new BuildError(`${file} is not valid JSON: ${(err as Error).message}`);
    }
    chain.push(config);
    file = config.extends ? resolveExtends(config.extends, dirname(file)) : undefined;
  }
  return chain;
}

/** asc resolves `extends` as a path, or as a package file when it is a bare name. */
function resolveExtends(spec: string, fromDir: string): string {
  if (isAbsolute(spec) || spec.startsWith(".")) return resolve(fromDir, spec);
  try {
    return createRequire(join(fromDir, "asconfig.json")).resolve(spec);
  } catch {
    return resolve(fromDir, spec);
  }
}
